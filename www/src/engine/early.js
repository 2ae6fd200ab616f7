// Starts the engine's worker, and its loading of the Wasm module, as soon as the page is parsed:
// while the page's own script (app.js) is still downloading, compiling and setting up the page,
// the worker fetches and compiles the engine. The page's Engine takes this worker over
// (main.js, `memberlensEarlyWorker`) instead of starting one. Only the served page (www/dist)
// loads this script; the single-file build and the <member-lens> element start their worker
// themselves. A plain script, not bundled: it must not wait for anything.
(function () {
  try {
    var worker = new Worker('worker.js', { type: 'module', name: 'memberlens-engine' });
    // Id 0: no request of the page's is numbered 0, so its reply is dropped; the page's own
    // init (which names the same module) finds the module loading or loaded.
    worker.postMessage({ id: 0, type: 'init', wasmUrl: new URL('memberlens_bg.wasm', location.href).href });
    /** @type {{ memberlensEarlyWorker?: Worker }} */ (self).memberlensEarlyWorker = worker;
  } catch (e) {
    // No worker here (file://, a policy): the page starts one itself, or says why it cannot.
  }
})();

// The bench page's side of scripts/bench_forecast_browser.mjs: one module worker per engine
// build (worker.js?pkg=current, worker.js?pkg=before, and the forecast steps alone:
// worker.js?pkg=kernel), each with its own Wasm instance, driven
// by the Node script through window.bench. Nothing is timed here: the workers time the engine
// calls themselves (performance.now() around them), so messaging is not counted.

/** @type {Map<string, { worker: Worker, next: number, waiting: Map<number, { resolve: (v: any) => void, reject: (e: Error) => void }> }>} */
const builds = new Map();

/** @param {string} pkg */
function open(pkg) {
  const worker = new Worker(`worker.js?pkg=${encodeURIComponent(pkg)}`, { type: 'module' });
  const entry = { worker, next: 1, waiting: new Map() };
  worker.onmessage = (ev) => {
    const { id, ok, result, error } = ev.data;
    const w = entry.waiting.get(id);
    if (!w) return;
    entry.waiting.delete(id);
    if (ok) w.resolve(result); else w.reject(new Error(`${pkg}: ${error}`));
  };
  worker.onerror = (ev) => {
    for (const w of entry.waiting.values()) w.reject(new Error(`${pkg} worker: ${ev.message}`));
    entry.waiting.clear();
  };
  builds.set(pkg, entry);
  return entry;
}

/** @param {string} pkg @param {string} type @param {Record<string, unknown>} [args] */
function call(pkg, type, args = {}) {
  const entry = builds.get(pkg) ?? open(pkg);
  const id = entry.next++;
  return new Promise((resolve, reject) => {
    entry.waiting.set(id, { resolve, reject });
    entry.worker.postMessage({ id, type, ...args });
  });
}

const input = /** @type {HTMLInputElement} */ (document.getElementById('file-input'));

// @ts-ignore
window.bench = {
  /** Loads the chosen file (#file-input) into `pkg`'s engine: { version, ms, members, orders }. @param {string} pkg */
  load: (pkg) => {
    const file = input.files?.[0];
    if (!file) throw new Error('no file chosen');
    return call(pkg, 'load', { file });
  },
  /** One analysis: { ms, forecast: {...} | null }. @param {string} pkg @param {unknown} options */
  analyze: (pkg, options) => call(pkg, 'analyze', { options }),
  /** The forecast steps alone: summaries from `url` into the kernel build. @param {string} url */
  kernelLoad: (url) => call('kernel', 'kernelLoad', { url }),
  /** One of them (fitBgnbd, scoreBgnbd, compare, scoreChosen, in that order): { ms, value }. @param {string} step */
  kernelStep: (step) => call('kernel', 'kernelStep', { step }),
  /** Ends `pkg`'s worker (its Wasm memory goes with it). @param {string} pkg */
  close: (pkg) => { builds.get(pkg)?.worker.terminate(); builds.delete(pkg); },
};
document.body.dataset.state = 'ready';

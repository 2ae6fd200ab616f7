// One engine build in a module worker, as the page's www/src/engine/worker.js runs it: the
// file streamed in with beginFile / pushChunk / finishFile, then analyze(options). The build
// is the directory named by ?pkg= beside this script (wasm-bindgen --target web output).
// Each reply carries the engine call's own time (performance.now() around it).

const pkg = new URL(self.location.href).searchParams.get('pkg') || 'current';
// `kernel`: the forecast steps alone (scripts/forecast-bench/kernel), not the engine's API.
const base = pkg === 'kernel' ? 'forecast_kernel_bench' : 'memberlens';

/** The build's module and one Analyzer, once (awaited by every request: none is lost while it loads). */
const ready = (async () => {
  if (!/^[\w-]+$/.test(pkg)) throw new Error(`bad pkg ${pkg}`);
  const engine = await import(`./${pkg}/${base}.js`);
  await engine.default({ module_or_path: new URL(`./${pkg}/${base}_bg.wasm`, self.location.href) });
  if (pkg === 'kernel') return { engine, analyzer: null };
  const analyzer = new engine.Analyzer();
  analyzer.setKeepBytes(false);
  return { engine, analyzer };
})();

/** serde-wasm-bindgen may give maps: plain objects instead. @param {any} v @returns {any} */
function plain(v) {
  if (v instanceof Map) return Object.fromEntries([...v].map(([k, x]) => [k, plain(x)]));
  if (Array.isArray(v)) return v.map(plain);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v;
}

/** What the benchmark prints of a report's forecast section (both builds' shapes). @param {any} f */
function forecastBrief(f) {
  if (!f) return null;
  const choice = f.purchase_model ?? {};
  return {
    customers: f.input?.customers ?? f.customers ?? null,
    chosen: choice.chosen ?? null,
    candidates: (choice.candidates ?? []).map((/** @type {any} */ c) => c.model),
    bgnbd: f.bgnbd ?? null,
    not_fitted: f.not_fitted ?? [],
  };
}

/** @type {any} */
let kernel = null;

const handlers = {
  /** The kernel's customer summaries from `url` (bench_forecast's summary.csv). @param {{ url: string }} req */
  kernelLoad: async ({ url }) => {
    const { engine } = await ready;
    const bytes = new Uint8Array(await (await fetch(url)).arrayBuffer());
    const t0 = performance.now();
    kernel = new engine.Kernel(bytes);
    return { ms: performance.now() - t0, customers: kernel.customers() };
  },
  /** One of bench_forecast's steps, timed: fitBgnbd, scoreBgnbd, compare or scoreChosen. @param {{ step: string }} req */
  kernelStep: async ({ step }) => {
    await ready;
    if (!['fitBgnbd', 'scoreBgnbd', 'compare', 'scoreChosen'].includes(step)) throw new Error(`bad step ${step}`);
    const t0 = performance.now();
    const value = kernel[step]();
    return { ms: performance.now() - t0, value };
  },
  /** @param {{ file: File }} req */
  load: async ({ file }) => {
    const { engine, analyzer } = await ready;
    const t0 = performance.now();
    analyzer.beginFile(file.name, file.size);
    const reader = file.stream().getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      analyzer.pushChunk(file.name, value);
    }
    const summary = plain(analyzer.finishFile(file.name, {}));
    const ms = performance.now() - t0;
    return { version: engine.version(), ms, kind: summary.kind ?? null, rows: summary.rows ?? null, accepted: summary.accepted ?? null };
  },
  /** @param {{ options: unknown }} req */
  analyze: async ({ options }) => {
    const { analyzer } = await ready;
    const t0 = performance.now();
    const report = analyzer.analyze(options);
    const ms = performance.now() - t0;
    const r = plain(report);
    return { ms, as_of: r.as_of ?? null, forecast: forecastBrief(r.forecast) };
  },
};

self.onmessage = async (ev) => {
  const { id, type } = ev.data;
  try {
    // @ts-ignore
    const result = await handlers[type](ev.data);
    self.postMessage({ id, ok: true, result });
  } catch (e) {
    const msg = e && typeof e === 'object' && 'message' in e ? `${e.message}${'code' in e ? ` (${e.code})` : ''}` : String(e);
    self.postMessage({ id, ok: false, error: msg });
  }
};

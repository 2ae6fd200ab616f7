// The Web Worker that owns the Wasm Analyzer. The page never touches the engine
// directly: it posts {id, type, ...} and gets back {id, ok, result | error}.
// Progress while reading a file arrives as {type: 'progress', ...} without an id.
//
// A Wasm panic surfaces here as a thrown RuntimeError ("unreachable"): after one the
// instance may be corrupt, so the reply carries fatal: true and the page replaces
// this worker with a fresh one.

import init, { Analyzer, version, previewBytes } from '../../pkg/memberlens.js';
import { now, span } from '../perf.js';

/** @typedef {import('./protocol').Request} Request */
/** @typedef {import('./protocol').EngineErrorInfo} EngineErrorInfo */
/** @typedef {import('./protocol').FileOptions} FileOptions */

/** The worker's global scope, as far as this file uses it (the page's DOM typings describe a window). */
const scope = /** @type {{ postMessage(msg: unknown, transfer?: Transferable[]): void, onmessage: ((ev: MessageEvent<Request>) => void) | null, location: Location }} */ (
  /** @type {unknown} */ (self));

/** @type {Analyzer} */
let analyzer;
/** @type {Promise<string> | null} */
let ready = null;
/**
 * The files added, as the page gave them (a `File` is a handle: its bytes stay on disk), with
 * the options they were last read with. The engine does not keep a file's bytes once its rows
 * are read: other options read the `File` again.
 * @type {Map<string, {file: File, options: FileOptions}>}
 */
const files = new Map();

/**
 * Loads the Wasm module once; the first call (the page's `init`) may say where it is served.
 * @param {string | Uint8Array} [wasm]  its URL (default: memberlens_bg.wasm next to this script), or
 *   its bytes (the single-file build has no URL to fetch it from: build-single.mjs)
 */
function boot(wasm) {
  if (!ready) {
    // Explicit URL (CSP: the page decides where the module comes from; served as application/wasm).
    const source = wasm instanceof Uint8Array ? wasm : new URL(wasm ?? './memberlens_bg.wasm', scope.location.href);
    ready = init({ module_or_path: source }).then(() => {
      analyzer = new Analyzer();
      analyzer.setKeepBytes(false);
      return version();
    });
  }
  return ready;
}

/**
 * Plain-object copy of whatever the engine threw, keeping the structured fields.
 * @param {any} e
 * @returns {EngineErrorInfo}
 */
function describeError(e) {
  if (e && typeof e === 'object' && 'code' in e) {
    return {
      fatal: false,
      code: e.code,
      message: e.message ?? String(e),
      message_zh: e.message_zh ?? e.message ?? String(e),
      file: e.file ?? null,
      line: e.line ?? null,
      column: e.column ?? null,
      // dates_unreadable: kept when the engine sets them (the page also tells day-first dates by the first rows).
      ...('example' in e ? { example: e.example ?? null } : {}),
      ...('day_first' in e ? { day_first: e.day_first ?? null } : {}),
    };
  }
  const msg = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  return { fatal: true, code: 'internal', message: msg, message_zh: msg, file: null, line: null, column: null };
}

/**
 * Streams a file into the engine in chunks, posting progress, then parses it.
 * @param {string} name @param {File} file @param {FileOptions} [options]
 */
async function readFile(name, file, options) {
  try {
    return await streamFile(name, file, options ?? {}, true);
  } catch (e) {
    // A file not in the encoding of its first chunks past them: its freed chunks are needed again.
    if (/** @type {any} */ (e)?.code === 'read_whole') return streamFile(name, file, options ?? {}, false);
    throw e;
  }
}

/**
 * One reading of a file: with `asItComes`, the engine reads the rows as the chunks arrive and
 * frees each chunk's text; without, it gathers the bytes and reads them at the end.
 * @param {string} name @param {File} file @param {FileOptions} options @param {boolean} asItComes
 */
async function streamFile(name, file, options, asItComes) {
  const t0 = now();
  analyzer.beginFile(name, file.size, asItComes ? options : undefined);
  const total = file.size;
  let done = 0;
  let lastPost = 0;
  let pushMs = 0;
  let chunks = 0;
  const reader = file.stream().getReader();
  for (;;) {
    const { done: end, value } = await reader.read();
    if (end) break;
    const t = now();
    analyzer.pushChunk(name, value);
    done += value.byteLength;
    const after = now();
    pushMs += after - t;
    chunks += 1;
    if (after - lastPost > 80) {
      lastPost = after;
      scope.postMessage({ type: 'progress', name, done, total });
    }
  }
  // The chunks' time in the engine (pushChunk) and in all (the file's reading included).
  span('ml:worker:chunks', t0, { pushMs, chunks });
  scope.postMessage({ type: 'progress', name, done: total, total, parsing: true });
  const t1 = now();
  const summary = analyzer.finishFile(name, options);
  span('ml:engine:finishFile', t1);
  return summary;
}

/**
 * serde-wasm-bindgen may hand maps over as JS Map: turn them into plain objects for postMessage consumers.
 * @param {any} v
 * @returns {any}
 */
function plain(v) {
  if (v instanceof Map) {
    /** @type {Record<string, unknown>} */
    const o = {};
    for (const [k, x] of v) o[k] = plain(x);
    return o;
  }
  if (Array.isArray(v)) return v.map(plain);
  if (v && typeof v === 'object' && !ArrayBuffer.isView(v) && Object.getPrototypeOf(v) === Object.prototype) {
    for (const k of Object.keys(v)) v[k] = plain(v[k]);
  }
  return v;
}

/** One handler per request type; each reply carries the request's id. */
/** @type {{ [K in Request['type']]: (req: Extract<Request, { type: K }>) => Promise<unknown> }} */
const handlers = {
  init: async ({ wasmUrl, wasmBytes }) => ({ version: await boot(wasmBytes ?? wasmUrl) }),
  addFile: async ({ name, file, options }) => {
    await boot();
    // A file that fails to read stays here (its File, not its bytes), so the page can show its
    // first rows and read it again with other options; removeFile drops it.
    files.set(name, { file, options: options ?? {} });
    return readFile(name, file, options);
  },
  filePreview: async ({ name }) => {
    await boot();
    const f = files.get(name);
    if (!f) return analyzer.filePreview(name);
    return previewBytes(name, new Uint8Array(await f.file.arrayBuffer()), f.options);
  },
  setFileOptions: async ({ name, options }) => {
    await boot();
    const f = files.get(name);
    if (!f) return analyzer.setFileOptions(name, options ?? {});
    // Read the File again, streamed as when it was added.
    f.options = options ?? {};
    return readFile(name, f.file, f.options);
  },
  removeFile: async ({ name }) => { await boot(); files.delete(name); analyzer.removeFile(name); return null; },
  // Asked for (`steps`), the results before the tags, playbook and growth go to the page at
  // once, ahead of the reply.
  analyze: async ({ id, options, steps }) => {
    await boot();
    const t0 = now();
    return analyzer.analyze(options ?? {}, steps ? (/** @type {unknown} */ results) => {
      span('ml:engine:analyze-results', t0);
      const t1 = now();
      scope.postMessage({ type: 'results', id, result: plain(results) });
      span('ml:worker:post', t1, { type: 'results' });
    } : undefined);
  },
  columns: async () => { await boot(); return analyzer.memberColumns(); },
  query: async ({ query }) => { await boot(); return analyzer.queryMembers(query ?? {}); },
  aliveHistory: async ({ row }) => { await boot(); return analyzer.aliveHistory(row) ?? null; },
  export: async ({ query, format, layout, lang, mask }) => { await boot(); return analyzer.exportMembers(query ?? {}, format, layout ?? 'full', lang ?? 'zh', mask ?? false); },
  tagSummary: async () => { await boot(); return analyzer.tagSummary(); },
  countRule: async ({ rule }) => { await boot(); return analyzer.countRule(rule); },
  audiences: async ({ defs }) => { await boot(); return analyzer.audiences(defs); },
  setAudiences: async ({ defs }) => { await boot(); analyzer.setAudiences(defs); return null; },
  setCatalogue: async ({ json }) => { await boot(); analyzer.setCatalogue(json); return null; },
  catalogueJson: async () => { await boot(); return analyzer.catalogueJson(); },
  setPlaybook: async ({ json }) => { await boot(); analyzer.setPlaybook(json); return null; },
  playbookJson: async () => { await boot(); return analyzer.playbookJson(); },
  report: async () => { await boot(); return analyzer.report(); },
  reportHtml: async ({ options }) => { await boot(); return analyzer.reportHtml(options ?? {}); },
  exportTarget: async ({ lang }) => { await boot(); return analyzer.exportTarget(lang ?? 'zh'); },
};

scope.onmessage = async (ev) => {
  const { id, type } = ev.data;
  const handler = /** @type {((req: Request) => Promise<unknown>) | undefined} */ (handlers[type]);
  if (!handler) {
    scope.postMessage({ id, ok: false, error: describeError(new Error(`unknown request ${type}`)) });
    return;
  }
  try {
    const t0 = now();
    const raw = await handler(ev.data);
    const t1 = now();
    span(`ml:engine:${type}`, t0);
    const result = plain(raw);
    span('ml:worker:plain', t1, { type });
    const transfer = result instanceof Uint8Array ? [/** @type {ArrayBuffer} */ (result.buffer)] : [];
    const t2 = now();
    scope.postMessage({ id, ok: true, result }, transfer);
    span('ml:worker:post', t2, { type });
  } catch (e) {
    scope.postMessage({ id, ok: false, error: describeError(e) });
  }
};

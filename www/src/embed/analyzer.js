// The headless API (`import { createAnalyzer } from 'memberlens'`): the same calls as the
// <member-lens> element, without any DOM. The engine runs in a Web Worker (engine/client.js);
// results arrive as promises and as the element's events (ml-progress, ml-report, ml-error,
// ml-export) on the analyzer, which is an EventTarget.

import { Engine, EngineError } from '../engine/client.js';

/** @typedef {import('./types').Report} Report */
/** @typedef {import('./types').AnalysisOptions} AnalysisOptions */
/** @typedef {import('./types').FileOptions} FileOptions */
/** @typedef {import('./types').MemberQuery} MemberQuery */
/** @typedef {import('./types').MemberPage} MemberPage */
/** @typedef {import('./types').ExportFormat} ExportFormat */
/** @typedef {import('./types').ExportOptions} ExportOptions */
/** @typedef {import('./types').AnalyzerOptions} AnalyzerOptions */
/** @typedef {import('./types').EngineErrorInfo} EngineErrorInfo */
/** @typedef {import('./types').MemberLensApi} MemberLensApi */

/** A member page when the query names no limit. */
export const DEFAULT_LIMIT = 50;

/** MIME types of the exported files. */
export const MIME = /** @type {const} */ ({
  csv: 'text/csv;charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  json: 'application/json',
  html: 'text/html;charset=utf-8',
});

/**
 * The engine's asset URLs: given ones, else the worker and `.wasm` next to this module (the
 * package's dist/). A worker given alone takes the `.wasm` next to it (the Engine's default).
 * @param {{workerUrl?: string | URL, wasmUrl?: string | URL}} options @param {string} base
 */
export function assetUrls({ workerUrl, wasmUrl }, base) {
  if (workerUrl) return { workerUrl, wasmUrl };
  return { workerUrl: new URL('./worker.js', base), wasmUrl: wasmUrl ?? new URL('./memberlens_bg.wasm', base) };
}

/** A plain copy of an error's structured fields (what `ml-error` carries). @param {unknown} e @returns {EngineErrorInfo} */
export function errorInfo(e) {
  if (e instanceof EngineError) {
    return { fatal: e.fatal, code: e.code, message: e.message, message_zh: e.message_zh, file: e.file ?? null, line: e.line ?? null, column: e.column ?? null };
  }
  const message = e instanceof Error ? e.message : String(e);
  return { fatal: false, code: 'error', message, message_zh: message, file: null, line: null, column: null };
}

/** The error a call on a disposed analyzer or element rejects with. */
export const disposedError = () => new EngineError({ fatal: false, code: 'disposed', message: 'MemberLens was disposed', message_zh: 'MemberLens 已释放（dispose），不能再调用' });

/**
 * The headless analyzer: files in, report and member lists out.
 * @implements {MemberLensApi}
 */
export class Analyzer extends EventTarget {
  /** @param {AnalyzerOptions} [options] */
  constructor(options = {}) {
    super();
    this.engine = new Engine({
      ...assetUrls(options, import.meta.url),
      onProgress: (p) => { this.emit('ml-progress', p); },
    });
    /** The analysis options every analysis is made with. @type {AnalysisOptions} */
    this.options = { ...(options.options ?? {}) };
    /** @type {'zh' | 'en'} */
    this.lang = options.lang === 'en' ? 'en' : 'zh';
    /** The files added, kept to be read again by a fresh worker after a crash. @type {{name: string, file: File, options: FileOptions}[]} */
    this.files = [];
    /** @type {Report | null} */
    this.latest = null;
    this.seq = 0;
    this.disposed = false;
    /** @type {Promise<unknown>} */
    this.queue = Promise.resolve();
  }

  /** The engine's version once its worker has started. @returns {Promise<string>} */
  get ready() { return this.engine.version; }

  /** @param {string} type @param {unknown} detail */
  emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }

  /**
   * Runs calls one after another (the worker sees them in order); a failure is sent as
   * `ml-error` and rejects the call. A dead worker is replaced and given the files again.
   * @template T @param {() => Promise<T>} task @returns {Promise<T>}
   */
  enqueue(task) {
    if (this.disposed) return Promise.reject(disposedError());
    const run = this.queue.then(task, task).catch(async (e) => {
      if (e instanceof EngineError && e.fatal && !this.disposed) await this.recover();
      this.emit('ml-error', errorInfo(e));
      throw e;
    });
    this.queue = run.catch(() => {});
    return run;
  }

  /** A fresh worker with the files read again (after a panic killed the last one). */
  async recover() {
    this.engine.restart({ fatal: true, code: 'restarted', message: 'engine restarted', message_zh: '引擎已重启' });
    for (const f of this.files) await this.engine.addFile(f.name, f.file, f.options).catch(() => {});
  }

  /** @param {File} file @param {FileOptions} options */
  async add(file, options) {
    const name = file.name;
    const i = this.files.findIndex((f) => f.name === name);
    if (i >= 0) {
      await this.engine.removeFile(name).catch(() => {});
      this.files.splice(i, 1);
    }
    const summary = await this.engine.addFile(name, file, options);
    this.files.push({ name, file, options });
    return summary;
  }

  /** @returns {Promise<Report | null>} */
  async analyze() {
    if (!this.files.length) { this.latest = null; return null; }
    this.latest = await this.engine.analyze(this.options);
    this.seq += 1;
    this.emit('ml-report', { report: this.latest, seq: this.seq });
    return this.latest;
  }

  /** @param {Iterable<File> | ArrayLike<File>} files */
  loadFiles(files) {
    const list = Array.from(files);
    return this.enqueue(async () => {
      for (const file of list) await this.add(file, {});
      return this.analyze();
    });
  }

  /** @param {string} name @param {Uint8Array} bytes @param {FileOptions} [options] */
  loadBytes(name, bytes, options = {}) {
    return this.enqueue(async () => {
      await this.add(new File([/** @type {BlobPart} */ (bytes)], name), { ...options });
      return this.analyze();
    });
  }

  /** @param {AnalysisOptions} options */
  setOptions(options) {
    return this.enqueue(async () => {
      this.options = { ...this.options, ...options };
      return this.analyze();
    });
  }

  /** @returns {Promise<Report | null>} */
  report() {
    return this.enqueue(async () => this.latest);
  }

  /** @param {MemberQuery} [query] @returns {Promise<MemberPage>} */
  members(query = {}) {
    return this.enqueue(async () => {
      if (!this.latest) throw noAnalysis();
      return this.engine.query({ offset: 0, limit: DEFAULT_LIMIT, ...query });
    });
  }

  /** @param {MemberQuery} [query] @param {ExportFormat} [format] @param {ExportOptions} [options] @returns {Promise<Uint8Array>} */
  exportMembers(query = {}, format = 'csv', options = {}) {
    return this.enqueue(async () => {
      if (!this.latest) throw noAnalysis();
      const fmt = format === 'xlsx' ? 'xlsx' : 'csv';
      const bytes = await this.engine.exportMembers(query, fmt, options.layout ?? 'full', options.lang ?? this.lang, options.mask ?? false);
      this.emit('ml-export', { name: `${options.name ?? 'members'}.${fmt}`, format: fmt, mime: MIME[fmt], bytes });
      return bytes;
    });
  }

  dispose() {
    if (this.disposed) return;
    this.disposed = true;
    this.engine.worker?.terminate();
    this.engine.failAll({ fatal: false, code: 'disposed', message: 'MemberLens was disposed', message_zh: 'MemberLens 已释放（dispose）' });
  }
}

/** Asked for members before any analysis. */
export const noAnalysis = () => new EngineError({ fatal: false, code: 'no_analysis', message: 'no analysis yet: load files first', message_zh: '还没有分析结果：请先载入文件' });

/**
 * A headless analyzer; `options` say where the worker and `.wasm` are (default: next to this
 * module) and the analysis options to start from.
 * @param {AnalyzerOptions} [options]
 */
export function createAnalyzer(options) {
  return new Analyzer(options);
}

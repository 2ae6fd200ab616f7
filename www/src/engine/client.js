// Page-side client of the analysis worker: request/response over postMessage,
// progress callbacks, and replacing the worker when it is cancelled or crashes.
// Where the worker script and the Wasm file are served from is up to the embedder.

import { now, span } from '../perf.js';

/** @typedef {import('../types/report').Report} Report */
/** @typedef {import('./protocol').FileOptions} FileOptions */
/** @typedef {import('./protocol').FileSummary} FileSummary */
/** @typedef {import('./protocol').AnalysisOptions} AnalysisOptions */
/** @typedef {import('./protocol').MemberQuery} MemberQuery */
/** @typedef {import('../types/report').Column} Column */
/** @typedef {import('./protocol').MemberPage} MemberPage */
/** @typedef {import('./protocol').AudienceDef} AudienceDef */
/** @typedef {import('./protocol').AliveHistory} AliveHistory */
/** @typedef {import('./protocol').ListLayout} ListLayout */
/** @typedef {import('./protocol').ReportHtmlOptions} ReportHtmlOptions */
/** @typedef {import('../types/report').CategorySummary} CategorySummary */
/** @typedef {import('../types/report').AudienceStats} AudienceStats */
/** @typedef {import('./protocol').EngineErrorInfo} EngineErrorInfo */
/** @typedef {import('./protocol').Progress} Progress */
/** @typedef {import('./protocol').Reply} Reply */
/** @typedef {import('./protocol').Results} Results */

/**
 * @typedef {object} EngineOptions
 * @property {string | URL} [workerUrl]  the worker script (default `worker.js`, next to the page)
 * @property {string | URL} [wasmUrl]  the engine's `.wasm` (default `memberlens_bg.wasm`, next to the worker script)
 * @property {(p: Progress) => void} [onProgress]  reading progress of the file being added
 * @property {(detail: string) => void} [onCrash]  the worker died (an uncaught error or a failed module load)
 */

/** An error reported by the engine or the worker, with its structured fields. */
export class EngineError extends Error {
  /** @param {EngineErrorInfo} info */
  constructor(info) {
    super(info.message);
    this.name = 'EngineError';
    /** @type {boolean} */ this.fatal = false;
    /** @type {string} */ this.code = '';
    /** @type {string} */ this.message_zh = '';
    /** @type {string | null | undefined} */ this.file = undefined;
    /** @type {number | null | undefined} */ this.line = undefined;
    /** @type {string | number | null | undefined} */ this.column = undefined;
    Object.assign(this, info);
  }
}

export class Engine {
  /** @param {EngineOptions} [options] */
  constructor({ workerUrl = 'worker.js', wasmUrl, onProgress, onCrash } = {}) {
    this.workerUrl = workerUrl;
    // Today's default, spelled out: the .wasm next to the worker script.
    const base = globalThis.document?.baseURI ?? globalThis.location?.href;
    this.wasmUrl = String(wasmUrl ?? new URL('memberlens_bg.wasm', new URL(String(workerUrl), base)));
    this.hooks = { onProgress, onCrash };
    /** @type {Worker | null} */
    this.worker = null;
    /** @type {Map<number, {resolve: (v: any) => void, reject: (e: EngineError) => void, type: string, start: number, onStep?: (v: any) => void}>} */
    this.pending = new Map();
    this.nextId = 1;
    this.generation = 0;
    /** The engine's version once the worker has loaded it. @type {Promise<string>} */
    this.version = Promise.resolve('');
    this.start();
  }

  start() {
    this.generation += 1;
    const gen = this.generation;
    const w = new Worker(this.workerUrl, { type: 'module', name: 'memberlens-engine' });
    w.onmessage = (/** @type {MessageEvent<Reply | Progress | Results>} */ ev) => {
      if (gen !== this.generation) return;
      const t0 = now();
      const msg = ev.data;
      if ('type' in msg && msg.type === 'progress') {
        this.hooks.onProgress?.(msg);
        return;
      }
      if ('type' in msg && msg.type === 'results') {
        const p = this.pending.get(msg.id);
        span('ml:main:receive', t0, { type: 'results' });
        p?.onStep?.(msg.result);
        return;
      }
      const reply = /** @type {Reply} */ (msg);
      const p = this.pending.get(reply.id);
      if (!p) return;
      // The reply's copy into this thread (ev.data is read, so made, above), and the request's round trip.
      span('ml:main:receive', t0, { type: p.type });
      span(`ml:call:${p.type}`, p.start);
      this.pending.delete(reply.id);
      if (reply.ok) p.resolve(reply.result);
      else p.reject(new EngineError(reply.error));
    };
    // An uncaught exception inside the worker or a failed module load: fail everything in flight.
    w.onerror = (ev) => {
      if (gen !== this.generation) return;
      ev.preventDefault?.();
      const detail = ev.message || 'worker error';
      this.failAll({ fatal: true, code: 'worker_error', message: detail, message_zh: detail });
      this.hooks.onCrash?.(detail);
    };
    w.onmessageerror = () => {
      if (gen !== this.generation) return;
      this.failAll({ fatal: true, code: 'worker_message', message: 'message could not be decoded', message_zh: '消息无法解码' });
    };
    this.worker = w;
    /** @type {Promise<{version: string}>} */
    const init = this.call('init', { wasmUrl: this.wasmUrl });
    this.version = init.then((r) => r.version);
    this.version.catch(() => {});
  }

  /** @param {EngineErrorInfo} info */
  failAll(info) {
    const pending = [...this.pending.values()];
    this.pending.clear();
    for (const p of pending) p.reject(new EngineError(info));
  }

  /**
   * Terminate the worker (cancel, or after a crash) and start a fresh, empty one.
   * @param {EngineErrorInfo} [reason]  what the requests in flight are rejected with
   */
  restart(reason = { fatal: false, code: 'cancelled', message: 'cancelled', message_zh: '已取消' }) {
    this.worker?.terminate();
    this.failAll(reason);
    this.start();
  }

  /**
   * @param {string} type
   * @param {object} [payload]
   * @param {(v: any) => void} [onStep]  what the worker posts for the request ahead of its reply
   * @returns {Promise<any>}
   */
  call(type, payload = {}, onStep) {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, type, start: now(), onStep });
      /** @type {Worker} */ (this.worker).postMessage({ id, type, ...payload });
    });
  }

  /**
   * @param {string} name @param {File} file @param {FileOptions} [options]
   * @returns {Promise<FileSummary>}
   */
  addFile(name, file, options) { return this.call('addFile', { name, file, options }); }
  /**
   * @param {string} name @param {FileOptions} options
   * @returns {Promise<FileSummary>}
   */
  setFileOptions(name, options) { return this.call('setFileOptions', { name, options }); }
  /**
   * The first rows of an added file as read (failed or not), its sheets, encoding and delimiter;
   * rejects with `not_a_table` when the bytes are not a table.
   * @param {string} name @returns {Promise<import('../sections/files.js').FilePreview>}
   */
  filePreview(name) { return this.call('filePreview', { name }); }
  /** @param {string} name @returns {Promise<null>} */
  removeFile(name) { return this.call('removeFile', { name }); }
  /**
   * @param {AnalysisOptions} options
   * @param {(results: Report) => void} [onResults]  called first with the report without its
   *   tags, audiences, action plan and growth, as soon as the engine has the rest
   * @returns {Promise<Report>}
   */
  analyze(options, onResults) { return this.call('analyze', { options, steps: Boolean(onResults) }, onResults); }
  /** The member table's columns (the engine's one column table). @returns {Promise<Column[]>} */
  memberColumns() { return this.call('columns'); }
  /** @param {MemberQuery} query @returns {Promise<MemberPage>} */
  query(query) { return this.call('query', { query }); }
  /**
   * P(alive) over the history of the member in table row `row` (a member row's `table_row`)
   * under the latest analysis's purchase model: null when it has no forecasts, or the member no
   * dated purchase; a row past the table rejects with `invalid_option`.
   * @param {number} row @returns {Promise<AliveHistory | null>}
   */
  aliveHistory(row) { return this.call('aliveHistory', { row }); }
  /**
   * The whole list a query selects, as a file.
   * @param {MemberQuery} query
   * @param {string} format  `csv` or `xlsx`
   * @param {ListLayout} [layout]  `full` (every column, keys as headers), `audience` or `touch`
   * @param {string} [lang]  the headers of `audience` and `touch`: `zh` or `en`
   * @param {boolean} [mask]  phones as 138****5678, names as 张** (screen sharing)
   * @returns {Promise<Uint8Array>}
   */
  exportMembers(query, format, layout = 'full', lang = 'zh', mask = false) { return this.call('export', { query, format, layout, lang, mask }); }
  /** The tag catalogue of the latest analysis, with counts. @returns {Promise<CategorySummary[]>} */
  tagSummary() { return this.call('tagSummary'); }
  /** How many members a rule selects; a bad rule rejects with `invalid_rule`, its line and column. @param {string} rule @returns {Promise<number>} */
  countRule(rule) { return this.call('countRule', { rule }); }
  /** Audiences' figures and overlaps, not saved. @param {AudienceDef[]} defs @returns {Promise<AudienceStats[]>} */
  audiences(defs) { return this.call('audiences', { defs }); }
  /** Saves audiences in the scheme (the report's `audiences` follows). @param {AudienceDef[]} defs @returns {Promise<null>} */
  setAudiences(defs) { return this.call('setAudiences', { defs }); }
  /** Imports a tag scheme ('' = the shipped one); a bad one rejects with `invalid_catalogue`. @param {string} json @returns {Promise<null>} */
  setCatalogue(json) { return this.call('setCatalogue', { json }); }
  /** The tag scheme (catalogue and saved audiences) as JSON text. @returns {Promise<string>} */
  catalogueJson() { return this.call('catalogueJson'); }
  /** Imports a strategy playbook ('' = the shipped one); a bad one rejects with `invalid_playbook`, its place in the message. @param {string} json @returns {Promise<null>} */
  setPlaybook(json) { return this.call('setPlaybook', { json }); }
  /** The strategy playbook (the plays' texts, joined to the report's actions by key) as JSON text. @returns {Promise<string>} */
  playbookJson() { return this.call('playbookJson'); }
  /** The latest report (after an analysis, a scheme import, saved audiences or a playbook import). @returns {Promise<Report>} */
  report() { return this.call('report'); }
  /**
   * The client report of the latest analysis as one self-contained HTML document (inline styles
   * and SVG charts, no external reference); rejects with `no_analysis` before an analysis.
   * @param {ReportHtmlOptions} options @returns {Promise<string>}
   */
  reportHtml(options) { return this.call('reportHtml', { options }); }
  /**
   * The target decomposition of the latest analysis (analysed with a `target`) as XLSX, headed
   * in `lang`.
   * @param {string} lang  `zh` or `en` @returns {Promise<Uint8Array>}
   */
  exportTarget(lang) { return this.call('exportTarget', { lang }); }
}

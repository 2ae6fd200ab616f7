// <member-lens>: the whole analyzer page inside a Shadow DOM, for admin portals.
//
// The page's own markup (index.html), state and sections run unchanged inside the element's
// shadow root (dom.setScope points `$` there); styles.css, rewritten for a shadow root, is
// adopted as a constructable stylesheet, so no inline <style> (CSP `style-src 'self'` allows it)
// and nothing crosses the boundary but the --ml-* custom properties and the ::part()s below.
//
//   attributes  lang, sections, as-of, wasm-url, worker-url, demo-url
//   methods     loadFiles, loadBytes, setOptions, report, members, exportMembers, dispose
//   events      ml-progress, ml-report, ml-error, ml-export (CustomEvent, typed detail)
//
// One element at a time shows the UI in a document (the page's modules hold one UI); further
// elements say so with `ml-error` (code `one_per_document`). createAnalyzer has no such limit.

import { startUi } from '../main.js';
import { DomView } from '../view.js';
import { $, $input, $select, setScope, stateHost } from '../dom.js';
import { setLang, getLang } from '../i18n/index.js';
import * as charts from '../charts.js';
import { assetUrls, errorInfo, disposedError, noAnalysis, DEFAULT_LIMIT, MIME } from './analyzer.js';

/** @typedef {import('./types').Report} Report */
/** @typedef {import('./types').AnalysisOptions} AnalysisOptions */
/** @typedef {import('./types').FileOptions} FileOptions */
/** @typedef {import('./types').MemberQuery} MemberQuery */
/** @typedef {import('./types').MemberPage} MemberPage */
/** @typedef {import('./types').ExportFormat} ExportFormat */
/** @typedef {import('./types').ExportOptions} ExportOptions */
/** @typedef {import('./types').MemberLensApi} MemberLensApi */
/** @typedef {import('../state.js').ShownError} ShownError */
/** @typedef {ReturnType<typeof startUi>} Ui */

/** Section names (the `sections` attribute) → what each shows. */
export const SECTIONS = /** @type {const} */ ({
  header: ['.topbar'],
  files: ['#input-panel'],
  report: ['#report-panel'],
  inventory: ['#inventory-panel'],
  actions: ['#actions-panel'],
  rfm: ['#rfm-panel'],
  dormancy: ['#dormancy-panel'],
  sources: ['#sources-panel'],
  forecast: ['#forecast-panel'],
  growth: ['#growth'],
  tags: ['#tags-panel'],
  members: ['#members-panel'],
  quality: ['#warnings-panel'],
});

/** Shown when the `sections` attribute is absent: everything but the page's own title bar. */
export const DEFAULT_SECTIONS = Object.keys(SECTIONS).filter((s) => s !== 'header');

/**
 * What ::part() reaches: name → selector. Panels, their titles, buttons, the drop zone, the
 * section menu, the error panel and the member table.
 */
export const PARTS = /** @type {const} */ ({
  panel: '.panel',
  'panel-title': '.panel h2',
  button: 'button, label.btn',
  dropzone: '.dropzone',
  menu: '#section-menu',
  error: '#error-panel',
  'member-table': '#member-table',
});

/** The shadow root's stylesheet, made once and shared by every element. @type {CSSStyleSheet | null} */
let sheet = null;

/** The element showing the UI (the page's modules hold one). @type {MemberLensElement | null} */
let active = null;

/** The page view, plus the element's events: what it shows is also told to the portal. */
class EmbedView extends DomView {
  /** @param {MemberLensElement} element */
  constructor(element) {
    super();
    this.element = element;
    /** While set, errors are shown but not sent (a file read before its options are applied). */
    this.quiet = false;
  }

  /** @override @param {import('./types').ProgressDetail} p */
  progress(p) {
    super.progress(p);
    this.element.emit('ml-progress', p);
  }

  /** @override @param {ShownError} err @param {string} [wrapKey] */
  showError(err, wrapKey) {
    super.showError(err, wrapKey);
    if (this.quiet) return;
    /** @type {import('./types').ErrorDetail} */
    const detail = { fatal: Boolean(err?.fatal), code: err?.code || 'error', message: err?.message ?? String(err), message_zh: err?.message_zh || err?.message || String(err), file: err?.file ?? null, line: err?.line ?? null, column: err?.column ?? null };
    this.element.emit('ml-error', detail);
  }

  /** @override @param {number} seq */
  reportReady(seq) {
    super.reportReady(seq);
    const report = this.state.report;
    if (report) this.element.emit('ml-report', { report, seq });
  }

  /** @override Results are shown: scroll them into view inside the element, never the portal's page. */
  showResults() {
    const results = $('results');
    if (results.hidden) return;
    this.renderFiles();
    const host = this.element;
    host.scrollTop += results.getBoundingClientRect().top - host.getBoundingClientRect().top;
    results.focus({ preventScroll: true });
  }

  /** @override A file the UI exports goes to the portal as `ml-export`; it is downloaded unless the portal calls preventDefault(). @param {Uint8Array} data @param {string} format @param {string} fileName */
  download(data, format, fileName) {
    const fmt = /** @type {keyof typeof MIME} */ (format in MIME ? format : 'csv');
    const go = this.element.emit('ml-export', { name: fileName, format: fmt, mime: MIME[fmt], bytes: data }, true);
    if (go) super.download(data, format, fileName);
  }
}

/** @implements {MemberLensApi} */
export class MemberLensElement extends HTMLElement {
  static get observedAttributes() { return ['lang', 'sections', 'as-of']; }

  constructor() {
    super();
    this.attachShadow({ mode: 'open' });
    /** @type {Ui | null} */
    this.ui = null;
    /** @type {AbortController | null} */
    this.abort = null;
    /** @type {ResizeObserver | null} */
    this.resizer = null;
    this.disposed = false;
  }

  connectedCallback() {
    if (!this.ui && !this.disposed) this.mount();
  }

  disconnectedCallback() {
    // Moved elsewhere in the portal (removed and inserted at once) it stays; removed, it frees its worker.
    queueMicrotask(() => { if (!this.isConnected) this.dispose(); });
  }

  /** @param {string} name @param {string | null} old @param {string | null} value */
  attributeChangedCallback(name, old, value) {
    if (!this.ui || old === value) return;
    if (name === 'lang') this.applyLang();
    else if (name === 'sections') this.applySections();
    else if (name === 'as-of') this.setOptions({ as_of: value ?? '' }).catch(() => {});
  }

  /** Dispatches a CustomEvent from the element; false when a cancelable one was cancelled. @param {string} type @param {unknown} detail @param {boolean} [cancelable] */
  emit(type, detail, cancelable = false) {
    return this.dispatchEvent(new CustomEvent(type, { detail, cancelable }));
  }

  mount() {
    const root = /** @type {ShadowRoot} */ (this.shadowRoot);
    if (active && active !== this) {
      this.emit('ml-error', { fatal: false, code: 'one_per_document', message: 'only one <member-lens> element can show the analyzer in a document at a time: dispose() the other, or use createAnalyzer()', message_zh: '同一页面同时只能显示一个 <member-lens>：请先 dispose() 另一个，或改用 createAnalyzer()', file: null, line: null, column: null });
      return;
    }
    active = this;
    if (!sheet) {
      sheet = new CSSStyleSheet();
      sheet.replaceSync(MEMBERLENS_STYLES);
    }
    root.adoptedStyleSheets = [sheet];
    const body = document.createElement('div');
    body.className = 'ml-body';
    body.dataset.state = 'loading';
    // The page's own markup, a constant of the bundle (no input ever goes through innerHTML).
    body.innerHTML = MEMBERLENS_MARKUP;
    root.replaceChildren(body);
    setScope(root, body);
    for (const [part, selector] of Object.entries(PARTS)) for (const node of root.querySelectorAll(selector)) node.part.add(part);

    setLang(this.getAttribute('lang') ?? getLang());
    body.lang = getLang() === 'zh' ? 'zh-CN' : 'en';
    this.applySections();
    // The folder of the demo exports (a trailing slash added: its files are resolved against it).
    const demo = this.getAttribute('demo-url')?.replace(/([^/])$/, '$1/') ?? null;
    $('demo-button').hidden = !demo;
    // Printing from inside a portal prints the portal: the HTML report is the element's print.
    $('report-print').hidden = true;

    this.abort = new AbortController();
    const { signal } = this.abort;
    const workerUrl = this.getAttribute('worker-url') ?? undefined;
    const wasmUrl = this.getAttribute('wasm-url') ?? undefined;
    this.ui = startUi({ view: new EmbedView(this), engine: assetUrls({ workerUrl, wasmUrl }, import.meta.url), signal, demo: demo ?? undefined, standalone: false });
    const asOf = this.getAttribute('as-of');
    if (asOf) { $input('as-of').value = asOf; this.ui.state.userAsOf = true; }

    // In-page links (the section menu) scroll inside the element instead of changing the portal's URL.
    root.addEventListener('click', (ev) => {
      const a = /** @type {HTMLElement} */ (ev.target).closest?.('a[href^="#"]');
      if (!a) return;
      ev.preventDefault();
      root.getElementById(a.getAttribute('href')?.slice(1) ?? '')?.scrollIntoView({ block: 'start' });
    }, { signal });
    /** @type {ReturnType<typeof setTimeout> | undefined} */
    let timer;
    this.resizer = new ResizeObserver(() => { clearTimeout(timer); timer = setTimeout(charts.resizeAll, 100); });
    this.resizer.observe(this);
  }

  /** The engine's version once the worker has started (rejects if it cannot start). @returns {Promise<string>} */
  get ready() {
    return this.ui ? this.ui.engine.version : Promise.reject(disposedError());
  }

  applyLang() {
    if (!this.ui) return;
    setLang(this.getAttribute('lang') ?? 'zh');
    const body = stateHost();
    body.lang = getLang() === 'zh' ? 'zh-CN' : 'en';
    body.dataset.lang = getLang();
    this.ui.view.rerenderAll();
  }

  /** Shows the sections the attribute names (all but the title bar when it is absent); the menu follows. */
  applySections() {
    const root = /** @type {ShadowRoot} */ (this.shadowRoot);
    const attr = this.getAttribute('sections');
    const on = new Set(attr === null ? DEFAULT_SECTIONS : attr.split(/[\s,]+/).filter(Boolean));
    for (const [name, selectors] of Object.entries(SECTIONS)) {
      for (const selector of selectors) {
        for (const node of root.querySelectorAll(selector)) node.toggleAttribute('data-ml-off', !on.has(name));
        if (selector.startsWith('#')) root.querySelector(`#section-menu a[href="${selector}"]`)?.closest('li')?.toggleAttribute('data-ml-off', !on.has(name));
      }
    }
  }

  /** @returns {Ui} */
  live() {
    if (!this.ui) throw disposedError();
    return this.ui;
  }

  /**
   * The report once the UI's work is done: the results come first and the forecasts follow as
   * work of their own (with `ml-report` once they are in), so wait until nothing is left queued.
   * @returns {Promise<Report | null>}
   */
  async settled() {
    const { state } = this.live();
    for (let q = state.queue; ; q = state.queue) {
      await q;
      if (q === state.queue) return state.report;
    }
  }

  /** @param {Iterable<File> | ArrayLike<File>} files @returns {Promise<Report | null>} */
  async loadFiles(files) {
    await this.live().state.addFiles(files);
    return this.settled();
  }

  /** @param {string} name @param {Uint8Array} bytes @param {FileOptions} [options] @returns {Promise<Report | null>} */
  async loadBytes(name, bytes, options = {}) {
    const { state, view } = this.live();
    const file = new File([/** @type {BlobPart} */ (bytes)], name);
    const given = Object.keys(options).length > 0;
    // The card's controls are how a file's options reach the engine: read it, then apply them.
    /** @type {EmbedView} */ (view).quiet = given;
    try { await state.addFiles([file]); } finally { /** @type {EmbedView} */ (view).quiet = false; }
    if (given) await state.changeFileOptions(name, (o) => { Object.assign(o, options, { columns: { ...o.columns, ...(options.columns ?? {}) } }); });
    return this.settled();
  }

  /**
   * Sets the analysis options through the controls that show them (so the UI and the API agree),
   * then analyses again. An empty `as_of` goes back to the default (the latest purchase).
   * @param {AnalysisOptions} options @returns {Promise<Report | null>}
   */
  async setOptions(options) {
    const { state } = this.live();
    if (options.as_of !== undefined) { $input('as-of').value = options.as_of; state.userAsOf = Boolean(options.as_of); }
    if (options.dormancy_mode !== undefined) $select('dormancy-mode').value = options.dormancy_mode;
    if (options.rfm_window_days !== undefined) $input('rfm-window').value = String(options.rfm_window_days || '');
    if (options.holdout_from !== undefined) $input('fc-holdout').value = options.holdout_from;
    const fc = options.forecast;
    if (fc?.time_unit_days !== undefined) $select('fc-unit').value = fc.time_unit_days === 7 ? '7' : '1';
    if (fc?.clv_months !== undefined) $input('fc-months').value = String(fc.clv_months);
    if (fc?.model !== undefined) $select('fc-model').value = fc.model;
    if (fc?.discount !== undefined) $input('fc-discount').value = String(fc.discount * 100);
    if (fc?.enabled !== undefined) { $input('forecast-toggle').checked = fc.enabled; state.forecastOn = fc.enabled; }
    if (options.target !== undefined) state.target = options.target;
    if (options.compare_date !== undefined) state.compareDate = options.compare_date;
    await state.reanalyze();
    return this.settled();
  }

  /** @returns {Promise<Report | null>} */
  report() {
    return this.settled();
  }

  /**
   * Runs a call after the UI's own work (the worker sees requests in order); a failure rejects
   * the call and is sent as `ml-error`, as the UI's errors are.
   * @template T @param {(state: Ui['state']) => Promise<T>} task @returns {Promise<T>}
   */
  async call(task) {
    const { state } = this.live();
    try {
      return await state.enqueue(() => task(state));
    } catch (e) {
      this.emit('ml-error', errorInfo(e));
      throw e;
    }
  }

  /** @param {MemberQuery} [query] @returns {Promise<MemberPage>} */
  members(query = {}) {
    return this.call(async (state) => {
      if (!state.report) throw noAnalysis();
      return state.engine.query({ offset: 0, limit: DEFAULT_LIMIT, ...query });
    });
  }

  /** @param {MemberQuery} [query] @param {ExportFormat} [format] @param {ExportOptions} [options] @returns {Promise<Uint8Array>} */
  exportMembers(query = {}, format = 'csv', options = {}) {
    return this.call(async (state) => {
      if (!state.report) throw noAnalysis();
      const fmt = format === 'xlsx' ? 'xlsx' : 'csv';
      const bytes = await state.engine.exportMembers(query, fmt, options.layout ?? 'full', options.lang ?? getLang(), options.mask ?? state.maskExports);
      this.emit('ml-export', { name: `${options.name ?? 'members'}.${fmt}`, format: fmt, mime: MIME[fmt], bytes });
      return bytes;
    });
  }

  /** Stops the worker, removes the UI and its listeners; the element stays empty. */
  dispose() {
    if (this.disposed) return;
    this.disposed = true;
    this.resizer?.disconnect();
    this.abort?.abort();
    const ui = this.ui;
    this.ui = null;
    if (ui) {
      ui.engine.worker?.terminate();
      ui.engine.failAll({ fatal: false, code: 'disposed', message: 'MemberLens was disposed', message_zh: 'MemberLens 已释放（dispose）' });
      charts.disposeAll();
    }
    this.shadowRoot?.replaceChildren();
    if (active === this) { active = null; setScope(document); }
  }
}

if (globalThis.customElements && !customElements.get('member-lens')) customElements.define('member-lens', MemberLensElement);

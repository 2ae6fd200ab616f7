// The page state, and the only module that talks to the engine: files in, options set, the
// report and member pages out. It runs requests one after another (the worker must see them in
// a consistent order), recovers when the worker is cancelled or crashes, and tells the page
// what to show through a PageView; it never touches the DOM itself.

import { PAGE_SIZE, normaliseSearch, attrRule } from './sections/members.js';
import { tagRule } from './sections/tags.js';
import { playIndex } from './sections/actions.js';
import { ALL as LADDER_ALL } from './sections/ladder.js';
import { DEFAULT_CHANGE } from './sections/compounding.js';
import { MOVED_DOWN_RULE } from './sections/movement.js';
import { datesLookYearLast } from './sections/files.js';
import { memberOf, forecastsPending, noHistoryReason } from './sections/alive-history.js';
import { now, span } from './perf.js';

/** @typedef {import('./types/report').Report} Report */
/** @typedef {import('./types/report').MemberRow} MemberRow */
/** @typedef {import('./types/report').Column} Column */
/** @typedef {import('./engine/client.js').Engine} Engine */
/** @typedef {import('./engine/protocol').AnalysisOptions} AnalysisOptions */
/** @typedef {import('./engine/protocol').FileOptions} FileOptions */
/** @typedef {import('./engine/protocol').MemberQuery} MemberQuery */
/** @typedef {import('./engine/protocol').MemberPage} MemberPage */
/** @typedef {import('./sections/files.js').FileEntry} FileEntry */
/** @typedef {import('./sections/members.js').MemberFilter} MemberFilter */
/** @typedef {import('./sections/tags.js').RuleCheck} RuleCheck */
/** @typedef {import('./sections/audiences.js').DraftResult} DraftResult */
/** @typedef {import('./engine/protocol').AudienceDef} AudienceDef */
/** @typedef {import('./engine/protocol').ListLayout} ListLayout */
/** @typedef {import('./engine/protocol').ReportHtmlOptions} ReportHtmlOptions */
/** @typedef {import('./sections/actions.js').Play} Play */
/** @typedef {import('./engine/protocol').TargetOptions} TargetOptions */
/** @typedef {import('./sections/cohorts.js').CohortMetric} CohortMetric */
/** @typedef {import('./sections/outlets.js').OutletTable} OutletTable */
/** @typedef {import('./sections/outlets.js').OutletSort} OutletSort */
/** @typedef {import('./sections/movement.js').MovementValue} MovementValue */
/** @typedef {import('./sections/compounding.js').CompoundInput} CompoundInput */
/** @typedef {import('./sections/alive-history.js').AliveState} AliveState */
/** @typedef {import('./engine/protocol').MemberPageRow} MemberPageRow */
/** What an action came to, to show beside its button: a message key, its parameters, the error. @typedef {{ ok: boolean, key: string, params?: Record<string, unknown>, error?: ShownError }} Outcome */

/**
 * An error to show: the engine's (with file, line, code) or the page's own.
 * @typedef {{message?: string, message_zh?: string, code?: string, fatal?: boolean, file?: string | null, line?: number | null, column?: string | number | null, example?: string | null, day_first?: boolean | null}} ShownError
 */

/**
 * What the state asks of the page. The page implements it over the DOM (view.js); a test can fake it.
 * @typedef {object} PageView
 * @property {(busy: boolean) => void} setBusy  work is in progress / done
 * @property {(on: boolean) => void} showProgress  show or hide the progress bar (reset to 0)
 * @property {(key: string, indeterminate?: boolean) => void} progressStep  name the step in progress
 * @property {(err: ShownError, wrapKey?: string) => void} showError
 * @property {() => void} hideError
 * @property {(reading: string | null) => void} showCancelled  a read (of `reading`) or an analysis was cancelled
 * @property {() => void} analysisFailed  no report: say so on the page
 * @property {(version: string) => void} showVersion
 * @property {() => void} renderFiles
 * @property {() => void} hideResults
 * @property {() => void} showResults  the results are ready after new files: fold the file cards, move to the results
 * @property {(userAsOf: boolean) => AnalysisOptions} readOptions  the analysis options as the controls say
 * @property {() => ReportHtmlOptions} readReportOptions  the client report's title, brand, language and date, as the report controls say
 * @property {(coreShown?: boolean) => void} renderReport  `coreShown`: the sections of the same analysis's first results are on the page
 * @property {() => void} renderTopClv
 * @property {() => void} renderMembers  the member page (and the header, when the page's columns differ from it)
 * @property {(seq: number) => void} reportReady  a new report and its first member page are shown (with its forecasts, when they are on)
 * @property {(seq: number) => void} [firstResultsReady]  the first results are shown (inventory, RFM, tiers…; tags, actions, growth and the members follow)
 * @property {(seq: number) => void} [resultsReady]  the results but the forecasts are shown (the forecasts follow, or are off)
 * @property {() => void} [renderForecastStatus]  the forecast section's state changed (`forecastState`): computing, done, off, failed
 * @property {(loading: boolean) => void} membersLoading
 * @property {(bytes: Uint8Array, format: string, fileName: string) => void} download
 * @property {() => void} renderTags  the tag tree, and what renderTagFilter shows
 * @property {() => void} renderTagFilter  the chip of the rule filtering the member table, its tag marked in the tree
 * @property {() => void} renderRuleCheck  the rule editor's count or error
 * @property {() => void} renderAudienceDrafts  the audience builder's rows (after one is added or removed)
 * @property {() => void} renderAudienceLive  the drafts' live figures
 * @property {() => void} renderAudiences  the saved audiences and their overlaps
 * @property {() => void} renderScheme  the outcomes of the scheme import, the audience save and the playbook import
 * @property {() => void} renderActions  the action plan: cards (with the playbook's texts) and the touch calendar
 * @property {() => void} renderLadder  the purchase-number ladder of the group chosen
 * @property {() => void} renderCohorts  the cohort heatmap in the metric chosen
 * @property {() => void} renderOutlets  the store and channel tables in their sort
 * @property {() => void} renderMovement  the movement matrices, the comparison date and its outcome
 * @property {() => void} renderCompound  the compounding calculator: its stage inputs and results
 * @property {() => void} renderCompoundResult  the calculator's results alone (its inputs keep their focus)
 * @property {() => void} renderTarget  the target decomposition and the form's outcome
 * @property {(focus?: boolean) => void} [renderAliveHistory]  the member P(alive) history panel (`alive`); `focus`: just opened by the user
 */

const TOP_CLV = 20;

/** The options the engine takes from a file entry (empty values left out). @param {FileOptions} o @returns {FileOptions} */
function stripOptions(o) {
  /** @type {FileOptions} */
  const out = {};
  if (o.kind) out.kind = o.kind;
  if (o.encoding) out.encoding = o.encoding;
  if (o.source_label) out.source_label = o.source_label;
  if (o.sheet) out.sheet = o.sheet;
  if (o.header_row) out.header_row = o.header_row;
  if (o.date_order) out.date_order = o.date_order;
  if (o.xlsx_limit_mib) out.xlsx_limit_mib = o.xlsx_limit_mib;
  if (o.columns && Object.keys(o.columns).length) out.columns = { ...o.columns };
  return out;
}

/**
 * The options without forecasts (what the results are drawn from first).
 * @param {AnalysisOptions} o @returns {AnalysisOptions}
 */
function withoutForecasts(o) {
  const { holdout_from: _holdout, ...rest } = o;
  return { ...rest, forecast: { ...(o.forecast ?? {}), enabled: false } };
}

/**
 * Whether two analyses' options differ only in their forecast settings (the model, the unit,
 * the CLV months, the discount, the holdout date): the forecast settings are left out of the
 * comparison, as the results drawn without forecasts do not depend on them.
 * @param {AnalysisOptions} a @param {AnalysisOptions} b
 */
function sameBesidesForecast(a, b) {
  const results = (/** @type {AnalysisOptions} */ o) => { const { forecast: _f, holdout_from: _h, ...rest } = o; return rest; };
  return canonical(results(a)) === canonical(results(b));
}

/** JSON with every object's keys sorted. @param {unknown} v @returns {string} */
function canonical(v) {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    const o = /** @type {Record<string, unknown>} */ (v);
    return `{${Object.keys(o).filter((k) => o[k] !== undefined).sort().map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

/** @returns {MemberQuery} */
const topClvQuery = () => ({ sort: 'clv', desc: true, offset: 0, limit: TOP_CLV });

/** @param {unknown} e @returns {ShownError} */
const asError = (e) => /** @type {ShownError} */ (e);

/** The option an `invalid_option` error names (the engine's message reads "Option NAME: …"). @param {ShownError} e */
const refusedOption = (e) => /^Option (\w+)/.exec(e.message ?? '')?.[1] ?? '';

export class PageState {
  /**
   * @param {Engine} engine
   * @param {PageView} view
   */
  constructor(engine, view) {
    this.engine = engine;
    this.view = view;
    /** @type {FileEntry[]} */
    this.files = [];
    /** @type {Report | null} */
    this.report = null;
    /** Exports mask phones, e-mails and names (for a screen shared on a client's site). */
    this.maskExports = false;
    /** The member table export headed by field keys (for systems) instead of labels. */
    this.exportKeys = false;
    /** @type {MemberFilter} */
    this.query = { search: '', segment: '', dormancy: '', lifecycle: '', source: '', churn_band: '', rule: '', attrs: {}, sort: '', desc: false, offset: 0, limit: PAGE_SIZE };
    /** The member table's columns the user chose (null = the engine's default), kept while the page is open. @type {Set<string> | null} */
    this.chosenColumns = null;
    /** Rows of the top-CLV query for the current report (null while loading). @type {MemberRow[] | null} */
    this.topClv = null;
    /** @type {MemberPage} */
    this.page = { total: 0, rows: [] };
    /** The member table's columns, as the engine lists them for the current report. @type {Column[]} */
    this.columns = [];
    /** The user chose the as-of date (else the report's is shown). */
    this.userAsOf = false;
    /** The latest purchase day of the files, as the last analysis on the default as-of date said ('' = not known). */
    this.latestPurchase = '';
    this.reportSeq = 0;
    /** Results drawn (forecasts apart): counts every analysis shown. */
    this.resultsSeq = 0;
    /** The first results drawn (inventory, RFM, tiers, lifecycle…, before tags, actions and growth): counts every analysis. */
    this.firstSeq = 0;
    /** The report shown has no tags, audiences, actions or growth yet: they follow in the same engine call. */
    this.restPending = false;
    /** Forecasts are computed (the page's toggle, `?forecast=off`): after the results, in their own engine call. */
    this.forecastOn = true;
    /**
     * Where the forecasts of the report shown are: `off` (not asked for), `waiting` (queued
     * behind the results), `computing`, `done` (the report has them, or says why not), `failed`.
     * @type {'off' | 'waiting' | 'computing' | 'done' | 'failed'}
     */
    this.forecastState = 'off';
    /** The options of the analysis shown (its forecasts follow with the same ones). @type {AnalysisOptions | null} */
    this.shownOptions = null;
    /** Counts analyses started: forecasts of an analysis overtaken by another are not computed. */
    this.analysisSeq = 0;
    /** Name of the file being read. @type {string | null} */
    this.loading = null;
    /** @type {Promise<unknown>} */
    this.queue = Promise.resolve();
    /** The rule editor's text and what the engine says of it. */
    this.ruleText = '';
    /** @type {RuleCheck} */
    this.ruleCheck = { state: 'empty' };
    this.ruleSeq = 0;
    /** The audience builder's drafts, and whether the user changed them since they were saved. @type {AudienceDef[]} */
    this.drafts = [];
    this.draftsDirty = false;
    /** Each draft's live figures or error, in the drafts' order. @type {(DraftResult | undefined)[]} */
    this.draftResults = [];
    this.draftSeq = 0;
    /** The outcome of the last scheme import, to show beside its buttons. @type {Outcome | null} */
    this.schemeStatus = null;
    /** The outcome of the last audience save. @type {Outcome | null} */
    this.audienceStatus = null;
    /** The tag scheme the engine holds when it is not the shipped one (JSON), given to a fresh worker. */
    this.schemeText = '';
    /** The playbook the engine holds when it is not the shipped one (JSON), given to a fresh worker. */
    this.playbookText = '';
    /** The playbook's texts by play key, joined to the report's actions. @type {Map<string, Play>} */
    this.plays = new Map();
    /** Every action with members is shown, not only the first few. */
    this.showAllActions = false;
    /** The outcome of the last playbook import. @type {Outcome | null} */
    this.playbookStatus = null;
    /** The member whose P(alive) history is open, and what the engine said of it (null: closed). @type {AliveState | null} */
    this.alive = null;

    // Growth analytics (增长分析): the options the user set, sent with every analysis, and how
    // the sections are shown.
    /** The movement's comparison date, YYYY-MM-DD ('' = the engine's default, as-of − 90 days). */
    this.compareDate = '';
    /** The outcome of the last comparison date set (an error the engine or the page found). @type {Outcome | null} */
    this.compareStatus = null;
    /** The revenue target to decompose (null = none). @type {TargetOptions | null} */
    this.target = null;
    /** The outcome of the last target set. @type {Outcome | null} */
    this.targetStatus = null;
    /**
     * How the growth sections are shown: the ladder's group, the cohort cells, the outlet
     * tables' sort, the movement cells, the compounding calculator's entries.
     * @type {{ladder: string, cohortMetric: CohortMetric, outletSort: Record<OutletTable, OutletSort>, movementValue: MovementValue, compound: CompoundInput}}
     */
    this.growthView = {
      ladder: LADDER_ALL,
      cohortMetric: 'retention',
      outletSort: { stores: { key: 'revenue', desc: true }, channels: { key: 'revenue', desc: true } },
      movementValue: 'counts',
      compound: { change: DEFAULT_CHANGE, rates: {} },
    };
  }

  /**
   * Run UI actions one after another: the worker must see requests in a consistent order.
   * @template T
   * @param {() => Promise<T>} task
   * @returns {Promise<T>}
   */
  enqueue(task) {
    const run = this.queue.then(task, task);
    this.queue = run.catch(() => {});
    return run;
  }

  /** Show the engine's version once its worker is up (or why it could not start). */
  watchVersion() {
    this.engine.version.then((v) => { this.view.showVersion(v); })
      .catch((e) => this.view.showError(e, 'error.worker'));
  }

  /** Resolves once the engine has started. */
  ready() {
    return this.engine.version;
  }

  // ---------------------------------------------------------------- crashes

  /** After a fatal error the worker is replaced; reload every kept file into the fresh one. @param {ShownError} err */
  async recoverFromCrash(err) {
    this.engine.restart({ fatal: true, code: 'restarted', message: 'engine restarted', message_zh: '引擎已重启' });
    this.watchVersion();
    await this.reloadAll();
    this.view.showError(err, 'error.crash');
  }

  async reloadAll() {
    // A fresh worker starts with the shipped scheme: give it the one the user had.
    if (this.schemeText) await this.engine.setCatalogue(this.schemeText).catch(() => {});
    // And the playbook the user imported.
    if (this.playbookText) await this.engine.setPlaybook(this.playbookText).catch(() => {});
    if (!this.files.length) return;
    this.view.showProgress(true);
    this.view.progressStep('input.reloading');
    for (const f of this.files) {
      try {
        f.summary = await this.engine.addFile(f.name, f.file, stripOptions(f.options));
        f.error = null;
      } catch (e) {
        if (asError(e).fatal) { this.engine.restart(); f.summary = null; f.error = asError(e); continue; }
        // A file that cannot be read again keeps its card, with the reason.
        await this.fileFailed(f, asError(e));
      }
    }
    this.view.showProgress(false);
    this.view.renderFiles();
  }

  /**
   * Terminate the worker (the only way to stop Wasm mid-call) and start a fresh one; the files
   * already added are read again. Cancelling a read re-analyses the rest; cancelling an analysis does not.
   */
  cancel() {
    const reading = this.loading;
    // Forecasts cancelled (running or queued): the results come back without them. (While
    // the first results are shown, the analysis itself is cancelled: runAnalysis puts back
    // what the page showed before it.)
    const forecasting = !this.restPending && (this.forecastState === 'computing' || this.forecastState === 'waiting');
    this.analysisSeq += 1;
    this.engine.restart();
    this.watchVersion();
    return this.enqueue(async () => {
      this.view.setBusy(true);
      await this.reloadAll();
      if (reading) await this.runAnalysis();
      else if (forecasting && this.report) await this.runAnalysis({ forecasts: false });
      this.view.showCancelled(reading);
      this.view.setBusy(false);
    });
  }

  // ---------------------------------------------------------------- files

  /** @param {Iterable<File> | ArrayLike<File>} fileList */
  async addFiles(fileList) {
    const files = Array.from(fileList);
    if (!files.length) return;
    await this.enqueue(async () => {
      this.view.hideError();
      this.view.setBusy(true);
      let cancelled = false;
      for (const file of files) {
        const name = file.name;
        const existing = this.files.findIndex((f) => f.name === name);
        if (existing >= 0) {
          try { await this.engine.removeFile(name); } catch { /* not loaded */ }
          this.files.splice(existing, 1);
        }
        /** @type {FileEntry} */
        const entry = { name, file, options: { columns: {} }, summary: null, error: null, preview: null };
        this.loading = name;
        this.view.showProgress(true);
        try {
          entry.summary = await this.engine.addFile(name, file, stripOptions(entry.options));
          this.files.push(entry);
        } catch (e) {
          const err = asError(e);
          if (err.code === 'cancelled') { cancelled = true; break; }
          // Every file keeps its card: the error is shown next to it, with what was read.
          this.files.push(entry);
          if (err.fatal) { await this.recoverFromCrash(err); continue; }
          await this.fileFailed(entry, err);
        } finally {
          this.loading = null;
        }
      }
      this.view.showProgress(false);
      // The file cards are drawn while the engine analyses (not before asking it to).
      if (!cancelled) await this.runAnalysis({ meanwhile: () => this.view.renderFiles() });
      else this.view.renderFiles();
      this.view.setBusy(false);
      if (!cancelled && this.report) this.view.showResults();
    });
  }

  /**
   * Change how one file is read (kind, encoding, sheet, header row, date order, source label,
   * column roles), then analyse again; the card follows with the new report's notices.
   * @param {string} name
   * @param {(options: FileEntry['options']) => void} mutate
   */
  changeFileOptions(name, mutate) {
    return this.enqueue(async () => {
      const f = this.files.find((x) => x.name === name);
      if (!f) return;
      this.view.hideError();
      this.view.setBusy(true);
      mutate(f.options);
      f.expanded = true;
      try {
        f.summary = await this.engine.setFileOptions(name, stripOptions(f.options));
        f.error = null;
        f.preview = null;
      } catch (e) {
        // The user's choice stays on the card (the kind does not snap back), with the error
        // that came of it, until the user acts again.
        if (asError(e).fatal) { await this.recoverFromCrash(asError(e)); f.error = asError(e); } else await this.fileFailed(f, asError(e));
      }
      this.view.renderFiles();
      await this.runAnalysis();
      if (this.report) this.view.renderFiles();
      this.view.setBusy(false);
    });
  }

  /**
   * A file could not be read: keep it as a card with the error and its first rows as read
   * (when the engine can show them), so the user can choose the kind, sheet or encoding.
   * @param {FileEntry} f @param {ShownError} err
   */
  async fileFailed(f, err) {
    f.summary = null;
    f.error = err;
    f.preview = null;
    try {
      f.preview = await this.engine.filePreview(f.name);
    } catch (e) {
      const pe = asError(e);
      if (pe.fatal) { this.engine.restart(); return; }
      // Not a table at all: that is what the card says, whatever the reading said.
      if (pe.code === 'not_a_table') f.error = pe;
    }
    // Every date unreadable and written year last: the card's date order is where to act.
    f.focusDateOrder = datesLookYearLast(f);
  }

  /** The files the engine could read (the others wait on their cards). */
  get readFiles() {
    return this.files.filter((f) => f.summary && !f.error);
  }

  /** Open or fold a file's card. @param {string} name */
  toggleFile(name) {
    const f = this.files.find((x) => x.name === name);
    if (!f) return;
    f.expanded = !f.expanded;
    this.view.renderFiles();
  }

  /** @param {string} name */
  removeFile(name) {
    return this.enqueue(async () => {
      this.view.setBusy(true);
      try { await this.engine.removeFile(name); } catch (e) { if (asError(e).fatal) await this.recoverFromCrash(asError(e)); }
      this.files = this.files.filter((f) => f.name !== name);
      this.view.renderFiles();
      await this.runAnalysis();
      this.view.setBusy(false);
    });
  }

  // ---------------------------------------------------------------- analysis

  /**
   * Analyse again with the options the controls now show. When only the forecast settings
   * changed (and forecasts are on), only the forecasts are computed again.
   */
  reanalyze() {
    return this.enqueue(async () => {
      this.view.setBusy(true);
      this.view.hideError();
      const opts = this.analysisOptions();
      if (this.forecastOn && this.report && this.shownOptions && sameBesidesForecast(opts, this.shownOptions)) {
        this.shownOptions = opts;
        this.view.setBusy(false);
        this.scheduleForecasts();
        return;
      }
      await this.runAnalysis();
      this.view.setBusy(false);
    });
  }

  /** The analysis options the controls and the growth settings say (forecasts as set there). @returns {AnalysisOptions} */
  analysisOptions() {
    return { ...this.view.readOptions(this.userAsOf), ...this.growthOptions() };
  }

  /**
   * Turn forecasts on or off (the page's toggle). Off: the results are analysed again without
   * them (their section and columns go, and no fit runs). On: they are computed for the
   * results shown.
   * @param {boolean} on
   */
  setForecast(on) {
    if (on === this.forecastOn) return Promise.resolve();
    this.forecastOn = on;
    if (!this.report) return Promise.resolve();
    if (on) return this.enqueue(async () => { this.scheduleForecasts(); });
    return this.reanalyze();
  }

  /**
   * Analyse the files, drawing each part as soon as it exists: first inventory, RFM, tiers,
   * lifecycle, repurchase and sources (the engine hands them over mid-call); then, from the
   * same call, tags, audiences, actions, growth and the member table; the forecasts, when on,
   * follow in their own engine call (queued behind what the results asked for), and the report
   * then includes them exactly as one analysis with forecasts would.
   * @param {{forecasts?: boolean, meanwhile?: () => void}} [options]  `forecasts: false`: leave them
   *   out this time (they were cancelled); `meanwhile`: what to draw once the engine is asked (it
   *   runs before the analysis is awaited, and when there is nothing to analyse)
   */
  async runAnalysis({ forecasts = true, meanwhile } = {}) {
    const view = this.view;
    this.analysisSeq += 1;
    if (!this.readFiles.length) {
      meanwhile?.();
      this.report = null;
      this.forecastState = 'off';
      view.hideResults();
      return;
    }
    view.showProgress(true);
    view.progressStep('input.analyzing', true);
    /** @type {ShownError | null} */
    let settingsError = null;
    /** @type {Report} */
    let report;
    /** @type {AnalysisOptions} */
    let used;
    const wanted = this.analysisOptions();
    const seq = this.analysisSeq;
    const firstSeq = this.firstSeq;
    const withForecasts = this.forecastOn && forecasts;
    // What is shown now, put back if this analysis is cancelled after its first results.
    const shown = { report: this.report, forecastState: this.forecastState };
    try {
      const analysis = this.analyzeTolerant(withoutForecasts(wanted), (results) => {
        if (seq === this.analysisSeq) this.showFirstResults(results, withForecasts);
      });
      meanwhile?.();
      ({ report, settingsError, used } = await analysis);
      this.restPending = false;
      this.report = report;
      if (report.as_of_source === 'latest_purchase') this.latestPurchase = report.as_of;
    } catch (e) {
      view.showProgress(false);
      this.restPending = false;
      if (asError(e).code === 'cancelled') {
        // Cancelled after its first results were drawn: the page goes back to what it showed.
        if (this.firstSeq !== firstSeq) {
          ({ report: this.report, forecastState: this.forecastState } = shown);
          if (this.report) view.renderReport();
          else view.hideResults();
        }
        return;
      }
      this.report = null;
      this.forecastState = 'off';
      view.hideResults();
      if (asError(e).fatal) await this.recoverFromCrash(asError(e));
      else view.showError(asError(e));
      view.analysisFailed();
      return;
    }
    view.showProgress(false);
    // The forecasts follow with the options the results were made with (a compare date or a
    // target the engine refused stays dropped).
    this.shownOptions = { ...used, forecast: wanted.forecast, ...(wanted.holdout_from ? { holdout_from: wanted.holdout_from } : {}) };
    this.forecastState = withForecasts ? 'waiting' : 'off';
    const t0 = now();
    await this.showReport(report, settingsError, true, this.firstSeq === firstSeq + 1);
    span('ml:state:showReport', t0);
    this.resultsSeq += 1;
    view.resultsReady?.(this.resultsSeq);
    if (withForecasts) {
      this.scheduleForecasts();
    } else {
      this.reportSeq += 1;
      view.reportReady(this.reportSeq);
    }
  }

  /**
   * Draw the first results of an analysis (the engine's report without tags, audiences,
   * actions and growth, which follow in the same call): inventory, RFM, tiers, lifecycle,
   * repurchase, sources, the forecasts' status and the warnings; the sections still to come
   * say they are being computed. Nothing is asked of the worker, busy with the rest.
   * @param {Report} results @param {boolean} withForecasts
   */
  showFirstResults(results, withForecasts) {
    const t0 = now();
    this.report = results;
    this.restPending = true;
    if (results.as_of_source === 'latest_purchase') this.latestPurchase = results.as_of;
    this.forecastState = withForecasts ? 'waiting' : 'off';
    this.view.renderReport();
    span('ml:state:showFirstResults', t0);
    this.firstSeq += 1;
    this.view.firstResultsReady?.(this.firstSeq);
  }

  /**
   * Queue the forecasts of the analysis shown: one engine call (the whole analysis with
   * forecasts, so the report, the member table, tags, actions and exports are what they would
   * be had they been computed at once). Dropped when another analysis overtook it.
   */
  scheduleForecasts() {
    const seq = this.analysisSeq;
    this.forecastState = 'waiting';
    this.view.renderForecastStatus?.();
    this.enqueue(() => this.runForecasts(seq));
  }

  /** @param {number} seq  the analysis the forecasts are for */
  async runForecasts(seq) {
    const view = this.view;
    if (seq !== this.analysisSeq || !this.forecastOn || !this.report || !this.shownOptions) return;
    this.forecastState = 'computing';
    view.renderForecastStatus?.();
    // The page's progress line too, with its cancel button (the results stay).
    view.showProgress(true);
    view.progressStep('forecast.progress', true);
    // A test can hold the forecasts here, to look at the page drawn without them.
    const hold = /** @type {{ memberlensHoldForecasts?: () => Promise<void> }} */ (globalThis).memberlensHoldForecasts;
    if (hold) await hold();
    /** @type {Report} */
    let report;
    /** @type {ShownError | null} */
    let settingsError = null;
    try {
      ({ report, settingsError } = await this.analyzeTolerant(this.shownOptions));
    } catch (e) {
      if (asError(e).code === 'cancelled') return;
      view.showProgress(false);
      this.forecastState = 'failed';
      if (this.alive) Object.assign(this.alive, { status: 'none', reason: 'no_forecast', history: null });
      view.renderForecastStatus?.();
      if (asError(e).fatal) await this.recoverFromCrash(asError(e));
      else view.showError(asError(e));
      return;
    }
    view.showProgress(false);
    if (seq !== this.analysisSeq) return;
    this.report = report;
    this.forecastState = 'done';
    await this.showReport(report, settingsError, false);
    this.reportSeq += 1;
    view.reportReady(this.reportSeq);
  }

  /**
   * Draws a report and asks for its columns, top-CLV list and member page.
   * @param {Report} report @param {ShownError | null} settingsError
   * @param {boolean} fresh  a new analysis (the member table back to its first page); else the same one with its forecasts
   * @param {boolean} [firstShown]  this analysis's first results are drawn (their sections are not drawn again)
   */
  async showReport(report, settingsError, fresh, firstShown = false) {
    const view = this.view;
    if (fresh) this.query.offset = 0;
    this.topClv = null;
    // Filters the new report cannot offer are dropped before the first page is asked for.
    this.fitQueryToReport();
    // Ask the worker for the columns, the playbook, the top-CLV list and the first member page
    // now: it computes them while this thread draws the report. The drawing waits for the
    // columns and the playbook alone, so they are asked for first: the worker answers requests
    // in order, and a member page takes it ~25 ms at 1M orders. (Errors are handled where awaited.)
    const columns = this.engine.memberColumns();
    const playbook = this.engine.playbookJson();
    const topClv = report.forecast ? this.engine.query(topClvQuery()) : null;
    const members = this.engine.query(this.memberQuery());
    for (const p of [topClv, members, playbook]) p?.catch(() => {});
    let t0 = now();
    const done = (/** @type {string} */ step) => { span(`ml:state:${step}`, t0); t0 = now(); };
    try {
      this.columns = await columns;
    } catch (e) {
      this.columns = [];
      view.showError(asError(e));
    }
    try {
      this.plays = playIndex(await playbook);
    } catch (e) {
      this.plays = new Map();
      if (!asError(e).fatal) view.showError(asError(e));
    }
    done('wait-columns-playbook');
    this.syncDrafts();
    view.renderReport(firstShown);
    if (settingsError) view.showError(settingsError, 'forecast.invalid_option');
    done('renderReport');
    await this.loadTopClv(topClv);
    done('topClv');
    await this.loadMembers(members);
    done('members');
    // A new analysis may number the members otherwise: an open history closes. The same one
    // with its forecasts now in draws it (it said they were pending).
    if (fresh) this.closeAliveHistory();
    else if (this.alive) await this.runAliveHistory();
    // The rule editor and the drafts count again against the new members.
    await this.runRuleCheck();
    await this.runDraftPreview();
    done('rule-drafts');
  }

  /**
   * Analyse with `opts`. A bad entry should not blank the page: an option the engine refuses is
   * dropped and the analysis run again, and the refusal said where the entry was made: by the
   * comparison date or the target form for those, in the error panel (returned) for the
   * forecast settings (say a holdout date on or after the as-of date).
   * @param {AnalysisOptions} opts
   * @param {(results: Report) => void} [onResults]  the first results, ahead of the report (see `Engine.analyze`)
   * @returns {Promise<{report: Report, settingsError: ShownError | null, used: AnalysisOptions}>}
   */
  async analyzeTolerant(opts, onResults) {
    const retry = { ...opts };
    /** @type {ShownError | null} */
    let settingsError = null;
    for (;;) {
      try {
        return { report: await this.engine.analyze(retry, onResults), settingsError, used: retry };
      } catch (e) {
        const err = asError(e);
        if (err.code !== 'invalid_option' || err.fatal) throw e;
        const option = refusedOption(err);
        if (option === 'compare_date' && retry.compare_date) {
          delete retry.compare_date;
          this.compareDate = '';
          this.compareStatus = { ok: false, key: 'movement.dropped', error: err };
        } else if (option === 'target' && retry.target) {
          delete retry.target;
          this.target = null;
          this.targetStatus = { ok: false, key: 'target.engine_error', error: err };
        } else if (retry.forecast || retry.holdout_from) {
          delete retry.forecast;
          delete retry.holdout_from;
          settingsError = err;
        } else {
          throw e;
        }
      }
    }
  }

  /** The growth options the user set: the comparison date and the target. @returns {AnalysisOptions} */
  growthOptions() {
    /** @type {AnalysisOptions} */
    const o = {};
    if (this.compareDate) o.compare_date = this.compareDate;
    if (this.target) o.target = { ...this.target };
    return o;
  }

  /** Drop filters the new report cannot offer: a source that is gone, a churn band without forecasts. */
  fitQueryToReport() {
    const r = this.report;
    if (!r) return;
    const labels = (r.sources || []).map((s) => s.label);
    if (this.query.source && !labels.includes(this.query.source)) this.query.source = '';
    if (!r.forecast) this.query.churn_band = '';
  }

  /**
   * Shows the top-CLV list; `pending` is the query already sent, if any.
   * @param {Promise<MemberPage> | null} [pending]
   */
  async loadTopClv(pending = null) {
    if (!this.report?.forecast) { this.topClv = []; this.view.renderTopClv(); return; }
    try {
      const page = await (pending ?? this.engine.query(topClvQuery()));
      this.topClv = page.rows || [];
    } catch (e) {
      if (asError(e).fatal) { await this.recoverFromCrash(asError(e)); return; }
      this.view.showError(asError(e));
      this.topClv = [];
    }
    this.view.renderTopClv();
  }

  // ---------------------------------------------------------------- member table

  /** The member query as the engine takes it: set filters only, paged unless exporting. */
  memberQuery({ paged = true } = {}) {
    /** @type {MemberQuery} */
    const q = {};
    for (const k of /** @type {const} */ (['search', 'segment', 'dormancy', 'lifecycle', 'source', 'churn_band', 'rule', 'sort'])) if (this.query[k]) q[k] = this.query[k];
    if (q.search) q.search = normaliseSearch(q.search);
    // The attribute filters join the rule filter (a tag or the rule editor's) with `and`.
    const attrs = attrRule(this.query.attrs ?? {});
    if (attrs) q.rule = q.rule ? `(${q.rule}) and ${attrs}` : attrs;
    if (this.query.sort) q.desc = this.query.desc;
    if (paged) { q.offset = this.query.offset; q.limit = this.query.limit; }
    return q;
  }

  /**
   * Shows the current member page; `pending` is the query already sent, if any.
   * @param {Promise<MemberPage> | null} [pending]
   * @returns {Promise<void>}
   */
  async loadMembers(pending = null) {
    if (!this.report) return;
    try {
      this.page = await (pending ?? this.engine.query(this.memberQuery()));
    } catch (e) {
      // Sent before a crash that was already recovered from: ask the new worker instead.
      if (pending && asError(e).code === 'restarted') { await this.loadMembers(); return; }
      // A rule filter the members can no longer be read by (its tag is gone): drop it, say why.
      if (asError(e).code === 'invalid_rule' && this.query.rule) {
        this.query.rule = '';
        this.view.renderTagFilter();
        this.view.showError(asError(e));
        await this.loadMembers();
        return;
      }
      if (asError(e).fatal) { await this.recoverFromCrash(asError(e)); return; }
      this.view.showError(asError(e));
      this.page = { total: 0, rows: [] };
    }
    this.view.renderMembers();
  }

  /** Ask for the member page the query now describes. */
  requery() {
    return this.enqueue(async () => {
      this.view.membersLoading(true);
      await this.loadMembers();
      this.view.membersLoading(false);
    });
  }

  /**
   * Filter the member table by one key (segment, dormancy, lifecycle, source, churn_band) from the first page.
   * @param {'segment' | 'dormancy' | 'lifecycle' | 'source' | 'churn_band'} key
   * @param {string} value
   */
  setFilter(key, value) {
    this.query[key] = value;
    this.query.offset = 0;
    return this.requery();
  }

  /**
   * Filter the member table by a member attribute (tier, store, guide, reg_channel, gender) or a
   * tag ('' = any), from the first page.
   * @param {string} key @param {string} value
   */
  setAttrFilter(key, value) {
    this.query.attrs = { ...(this.query.attrs ?? {}), [key]: value };
    this.query.offset = 0;
    return this.requery();
  }

  /** Show or hide a member-table column (kept while the page is open). @param {string} key @param {boolean} on */
  chooseColumn(key, on) {
    const chosen = new Set(this.chosenColumns ?? this.columns.filter((c) => c.shown).map((c) => c.key));
    if (on) chosen.add(key); else chosen.delete(key);
    this.chosenColumns = chosen;
    this.view.renderMembers();
  }

  /** Toggle the churn-band filter (a click on a band): the band, or none if it was the band. @param {string} band */
  toggleChurnBand(band) {
    return this.setFilter('churn_band', this.query.churn_band === band ? '' : band);
  }

  /** @param {string} text */
  search(text) {
    this.query.search = text;
    this.query.offset = 0;
    return this.requery();
  }

  /**
   * Sort by a column; again to reverse. Numeric columns start descending.
   * @param {string} column
   * @param {boolean} numeric
   */
  sortBy(column, numeric) {
    if (this.query.sort === column) this.query.desc = !this.query.desc;
    else { this.query.sort = column; this.query.desc = numeric; }
    this.query.offset = 0;
    return this.requery();
  }

  /** Previous (-1) or next (+1) page. @param {number} step */
  turnPage(step) {
    this.query.offset = Math.max(0, this.query.offset + step * PAGE_SIZE);
    return this.requery();
  }

  /** Export the whole filtered member list, headed in the page's language. @param {string} format `csv` or `xlsx` @param {string} [lang] */
  async exportMembers(format, lang = 'zh') {
    await this.enqueue(async () => {
      try {
        const bytes = await this.engine.exportMembers(this.memberQuery({ paged: false }), format, this.exportKeys ? 'full' : 'labelled', lang, this.maskExports);
        const q = this.query;
        const tag = q.segment || q.dormancy || q.lifecycle || (q.churn_band && `churn-${q.churn_band}`) || (q.rule && 'rule') || 'all';
        this.view.download(bytes, format, `memberlens-${tag}-${this.report?.as_of ?? 'members'}.${format}`);
      } catch (e) {
        if (asError(e).fatal) await this.recoverFromCrash(asError(e));
        else this.view.showError(asError(e));
      }
    });
  }

  // ---------------------------------------------------------------- one member's P(alive) history

  /**
   * Open the P(alive) history of a member of the page shown (lifetimes' plot_history_alive):
   * while the forecasts are computed it says so, and is drawn once they are in.
   * @param {MemberPageRow} row
   */
  openAliveHistory(row) {
    this.alive = { member: memberOf(row), status: 'loading', history: null, reason: null, error: null };
    this.view.renderAliveHistory?.(true);
    if (forecastsPending(this.forecastState)) return Promise.resolve();
    return this.enqueue(() => this.runAliveHistory());
  }

  closeAliveHistory() {
    if (!this.alive) return;
    this.alive = null;
    this.view.renderAliveHistory?.();
  }

  /** Ask the engine for the open member's history (inside the queue); an answer for a member since closed or replaced is dropped. */
  async runAliveHistory() {
    const alive = this.alive;
    if (!alive) return;
    if (forecastsPending(this.forecastState)) { this.view.renderAliveHistory?.(); return; }
    // The member's row in this report's table, as the page shown says when it lists them.
    const listed = alive.member.id ? this.page.rows.find((r) => memberOf(r).id === alive.member.id) : undefined;
    if (listed) alive.member.row = listed.table_row;
    Object.assign(alive, { status: 'loading', history: null, reason: null, error: null });
    this.view.renderAliveHistory?.();
    try {
      const history = await this.engine.aliveHistory(alive.member.row);
      if (this.alive !== alive) return;
      if (history) Object.assign(alive, { status: 'ready', history });
      else Object.assign(alive, { status: 'none', reason: noHistoryReason(this.report) });
    } catch (e) {
      if (asError(e).fatal) { await this.recoverFromCrash(asError(e)); this.closeAliveHistory(); return; }
      if (this.alive !== alive) return;
      Object.assign(alive, { status: 'error', error: asError(e) });
    }
    this.view.renderAliveHistory?.();
  }

  // ---------------------------------------------------------------- tags and rules

  /**
   * Filter the member table by a rule ('' for none) from the first page.
   * @param {string} rule
   */
  filterByRule(rule) {
    this.query.rule = rule.trim();
    this.query.offset = 0;
    this.view.renderTagFilter();
    return this.requery();
  }

  /** Filter the member table by one tag (its key). @param {string} key */
  filterByTag(key) {
    return this.filterByRule(tagRule(key));
  }

  /** The rule editor's text changed: count its members (the wiring debounces). @param {string} text */
  checkRule(text) {
    this.ruleText = text;
    return this.enqueue(() => this.runRuleCheck());
  }

  /** Counts the editor's rule against the latest analysis; an answer overtaken by newer text is dropped. */
  async runRuleCheck() {
    const text = this.ruleText;
    const seq = ++this.ruleSeq;
    if (!text.trim() || !this.report) {
      this.ruleCheck = { state: 'empty' };
      this.view.renderRuleCheck();
      return;
    }
    /** @type {RuleCheck} */
    let check;
    try {
      check = { state: 'ok', count: await this.engine.countRule(text) };
    } catch (e) {
      if (asError(e).fatal) { await this.recoverFromCrash(asError(e)); return; }
      check = { state: 'error', error: asError(e) };
    }
    if (seq !== this.ruleSeq) return;
    this.ruleCheck = check;
    this.view.renderRuleCheck();
  }

  // ---------------------------------------------------------------- audiences

  /** The saved audiences as drafts, unless the user is editing drafts of their own. */
  syncDrafts() {
    if (this.draftsDirty) return;
    this.drafts = (this.report?.audiences ?? []).map((a) => ({ name: a.name, rule: a.rule }));
    this.draftResults = [];
  }

  /** A new, empty draft. @param {string} name */
  addDraft(name) {
    this.drafts.push({ name, rule: '' });
    this.draftsDirty = true;
    this.view.renderAudienceDrafts();
    this.view.renderAudienceLive();
  }

  /** @param {number} i */
  removeDraft(i) {
    this.drafts.splice(i, 1);
    this.draftResults.splice(i, 1);
    this.draftsDirty = true;
    this.view.renderAudienceDrafts();
    return this.previewDrafts();
  }

  /**
   * A draft's name or rule as typed; the figures follow with previewDrafts (debounced by the wiring).
   * @param {number} i @param {Partial<AudienceDef>} change
   */
  editDraft(i, change) {
    if (!this.drafts[i]) return;
    Object.assign(this.drafts[i], change);
    this.draftsDirty = true;
  }

  /** Count the drafts again. */
  previewDrafts() {
    return this.enqueue(() => this.runDraftPreview());
  }

  /**
   * Each draft's figures, live (not saved). The engine stops at the first rule it cannot read,
   * so then each rule is checked on its own and the readable ones are counted together.
   */
  async runDraftPreview() {
    const seq = ++this.draftSeq;
    const drafts = this.drafts.map((d) => ({ ...d }));
    /** @type {(DraftResult | undefined)[]} */
    const results = drafts.map(() => undefined);
    const ready = drafts.map((_, i) => i).filter((i) => drafts[i].rule.trim());
    if (this.report && ready.length) {
      const defs = (/** @type {number[]} */ idx) => idx.map((i) => ({ name: drafts[i].name || `#${i + 1}`, rule: drafts[i].rule }));
      try {
        let good = ready;
        /** @type {import('./types/report').AudienceStats[]} */
        let stats;
        try {
          stats = await this.engine.audiences(defs(ready));
        } catch (e) {
          if (asError(e).fatal || asError(e).code !== 'invalid_rule') throw e;
          good = [];
          for (const i of ready) {
            try { await this.engine.countRule(drafts[i].rule); good.push(i); } catch (err) {
              if (asError(err).fatal) throw err;
              results[i] = { stats: null, error: asError(err) };
            }
          }
          stats = good.length ? await this.engine.audiences(defs(good)) : [];
        }
        good.forEach((i, k) => { results[i] = { stats: stats[k] ?? null, error: null }; });
      } catch (e) {
        if (asError(e).fatal) { await this.recoverFromCrash(asError(e)); return; }
        this.view.showError(asError(e));
      }
    }
    if (seq !== this.draftSeq) return;
    this.draftResults = results;
    this.view.renderAudienceLive();
  }

  /** Save the drafts that have a rule as the scheme's audiences; the report's audiences follow. */
  saveAudiences() {
    return this.enqueue(async () => {
      const defs = this.drafts.map((d, i) => ({ name: d.name.trim() || `#${i + 1}`, rule: d.rule.trim() })).filter((d) => d.rule);
      try {
        await this.engine.setAudiences(defs);
        this.report = await this.engine.report();
        this.schemeText = await this.engine.catalogueJson();
        this.draftsDirty = false;
        this.syncDrafts();
        this.audienceStatus = { ok: true, key: 'aud.saved', params: { n: defs.length } };
        this.view.renderScheme();
        this.view.renderAudienceDrafts();
        this.view.renderAudiences();
        await this.runDraftPreview();
      } catch (e) {
        if (asError(e).fatal) { await this.recoverFromCrash(asError(e)); return; }
        this.audienceStatus = { ok: false, key: 'aud.save_failed', error: asError(e) };
        this.view.renderScheme();
      }
    });
  }

  // ---------------------------------------------------------------- lists and the scheme

  /**
   * Export a member list: the members `query` selects, in a layout, headed in `lang`.
   * @param {MemberQuery} query @param {string} format @param {ListLayout} layout @param {string} lang @param {string} name  what the file name says
   */
  exportList(query, format, layout, lang, name) {
    return this.enqueue(async () => {
      try {
        const bytes = await this.engine.exportMembers({ ...query, offset: 0, limit: 0 }, format, layout, lang, this.maskExports);
        const safe = name.replace(/[\\/:*?"<>|\s]+/g, '_').slice(0, 60) || 'list';
        const suffix = layout === 'touch' ? '-wecom-sms' : '';
        this.view.download(bytes, format, `memberlens-${safe}${suffix}-${this.report?.as_of ?? 'members'}.${format}`);
      } catch (e) {
        if (asError(e).fatal) await this.recoverFromCrash(asError(e));
        else this.view.showError(asError(e));
      }
    });
  }

  /** The member list the table is filtered to, as a list for operations. @param {string} format @param {ListLayout} layout @param {string} lang @param {string} name */
  exportFiltered(format, layout, lang, name) {
    return this.exportList(this.memberQuery({ paged: false }), format, layout, lang, name);
  }

  /** Download the tag scheme (catalogue and saved audiences) as JSON. */
  exportScheme() {
    return this.enqueue(async () => {
      try {
        const text = await this.engine.catalogueJson();
        this.view.download(new TextEncoder().encode(text), 'json', 'memberlens-tag-scheme.json');
      } catch (e) {
        if (asError(e).fatal) await this.recoverFromCrash(asError(e));
        else this.view.showError(asError(e));
      }
    });
  }

  /**
   * Use a tag scheme read from a file ('' = the shipped one): tags, counts, member tags and
   * saved audiences are made again. A scheme that cannot be read leaves the current one.
   * @param {string} text
   */
  importScheme(text) {
    return this.enqueue(async () => {
      try {
        await this.engine.setCatalogue(text);
        this.schemeText = text.trim() ? await this.engine.catalogueJson() : '';
        if (this.report) this.report = await this.engine.report();
        const cats = this.report?.tags?.catalogue ?? [];
        const tags = cats.reduce((n, c) => n + c.groups.reduce((m, g) => m + g.tags.length, 0), 0);
        this.schemeStatus = { ok: true, key: text.trim() ? 'scheme.imported' : 'scheme.reset', params: { categories: cats.length, tags } };
        this.view.renderScheme();
        this.draftsDirty = false;
        this.syncDrafts();
        if (this.report) {
          this.view.renderTags();
          this.view.renderAudienceDrafts();
          this.view.renderAudiences();
          await this.loadMembers();
          await this.runRuleCheck();
          await this.runDraftPreview();
        }
      } catch (e) {
        if (asError(e).fatal) { await this.recoverFromCrash(asError(e)); return; }
        this.schemeStatus = { ok: false, key: 'scheme.failed', error: asError(e) };
        this.view.renderScheme();
      }
    });
  }

  // ---------------------------------------------------------------- growth analytics

  /**
   * Compare the segments with another date ('' = the default, as-of − 90 days): analyse again.
   * A date on or after the as-of date is refused here, with the reason by the date.
   * @param {string} date  YYYY-MM-DD or ''
   */
  setCompareDate(date) {
    return this.enqueue(async () => {
      const asOf = this.report?.as_of;
      if (date && (!/^\d{4}-\d{2}-\d{2}$/.test(date) || (asOf && date >= asOf))) {
        this.compareStatus = { ok: false, key: 'movement.invalid_date', params: { as_of: asOf ?? '' } };
        this.view.renderMovement();
        return;
      }
      this.compareDate = date;
      this.compareStatus = null;
      this.view.setBusy(true);
      this.view.hideError();
      await this.runAnalysis();
      this.view.setBusy(false);
    });
  }

  /**
   * Decompose a revenue target (null: none): analyse again with it.
   * @param {TargetOptions | null} target
   */
  setTarget(target) {
    return this.enqueue(async () => {
      this.target = target;
      this.targetStatus = null;
      this.view.setBusy(true);
      this.view.hideError();
      await this.runAnalysis();
      this.view.setBusy(false);
    });
  }

  /** The target form has an entry that cannot be used: say which (a message key), keep the last target. @param {string} key */
  targetFormError(key) {
    this.targetStatus = { ok: false, key };
    this.view.renderTarget();
  }

  /** Which buyers the ladder shows (`all`, `source:<label>`, `channel:<label>`). @param {string} group */
  setLadderGroup(group) {
    this.growthView.ladder = group;
    this.view.renderLadder();
  }

  /** What the cohort cells show. @param {CohortMetric} metric */
  setCohortMetric(metric) {
    this.growthView.cohortMetric = metric;
    this.view.renderCohorts();
  }

  /** Sort a store or channel table by a column; again to reverse. @param {OutletTable} table @param {OutletSort} sort */
  sortOutlets(table, sort) {
    this.growthView.outletSort[table] = sort;
    this.view.renderOutlets();
  }

  /** What the movement cells show. @param {MovementValue} value */
  setMovementValue(value) {
    this.growthView.movementValue = value;
    this.view.renderMovement();
  }

  /**
   * The compounding calculator's entries changed: the change per stage, or stage rates
   * (null = left empty). The results follow; the inputs are left as typed.
   * @param {{change?: number, rates?: Record<string, number | null>}} change
   */
  setCompound(change) {
    const c = this.growthView.compound;
    if (change.change !== undefined) c.change = change.change;
    if (change.rates) Object.assign(c.rates, change.rates);
    this.view.renderCompoundResult();
  }

  /** The calculator back to the data's rates and +10%. */
  resetCompound() {
    this.growthView.compound = { change: DEFAULT_CHANGE, rates: {} };
    this.view.renderCompound();
  }

  /** The member table has the `movement` column the moved-down list is drawn from. */
  get canExportMovement() {
    return this.columns.some((c) => c.key === 'movement');
  }

  /** The members who moved down since the comparison date, as an operations list (XLSX). @param {string} lang @param {string} name */
  exportMovedDown(lang, name) {
    return this.exportList({ rule: MOVED_DOWN_RULE }, 'xlsx', 'audience', lang, name);
  }

  /** The target decomposition as XLSX (the engine's `exportTarget`), headed in `lang`. @param {string} lang */
  exportTarget(lang) {
    return this.enqueue(async () => {
      try {
        const bytes = await this.engine.exportTarget(lang);
        this.view.download(bytes, 'xlsx', `memberlens-target-${this.report?.as_of ?? 'plan'}.xlsx`);
      } catch (e) {
        if (asError(e).fatal) await this.recoverFromCrash(asError(e));
        else this.view.showError(asError(e));
      }
    });
  }

  // ---------------------------------------------------------------- the action plan

  /** Show every action with members, or only the first few. */
  toggleAllActions() {
    this.showAllActions = !this.showAllActions;
    this.view.renderActions();
  }

  /** Download the report of the latest analysis as JSON (the versioned contract, docs/report.md). */
  exportReport() {
    if (!this.report) return;
    const text = JSON.stringify(this.report, null, 2);
    this.view.download(new TextEncoder().encode(text), 'json', `memberlens-report-${this.report.as_of}.json`);
  }

  /** Download the client report as one self-contained HTML file, headed as the report controls say. */
  exportReportHtml() {
    return this.enqueue(async () => {
      try {
        const html = await this.engine.reportHtml(this.view.readReportOptions());
        this.view.download(new TextEncoder().encode(html), 'html', `memberlens-report-${this.report?.as_of ?? 'report'}.html`);
      } catch (e) {
        if (asError(e).fatal) await this.recoverFromCrash(asError(e));
        else this.view.showError(asError(e));
      }
    });
  }

  /** Download the strategy playbook as JSON. */
  exportPlaybook() {
    return this.enqueue(async () => {
      try {
        const text = await this.engine.playbookJson();
        this.view.download(new TextEncoder().encode(text), 'json', 'memberlens-playbook.json');
      } catch (e) {
        if (asError(e).fatal) await this.recoverFromCrash(asError(e));
        else this.view.showError(asError(e));
      }
    });
  }

  /**
   * Change one play's gain rate (the assumption its expected gain rests on) and make the plan
   * again: the playbook in use, edited, imported.
   * @param {string} key @param {number} rate  0..1
   */
  async setGainRate(key, rate) {
    /** @type {string} */
    const json = await this.enqueue(() => this.engine.playbookJson());
    const book = JSON.parse(json);
    const play = (book.plays ?? []).find((/** @type {{key: string}} */ p) => p.key === key);
    if (!play) return;
    play.gain.rate = rate;
    await this.importPlaybook(JSON.stringify(book));
  }

  /**
   * Use a playbook read from a file ('' = the shipped one): the action plan is made again. One
   * that cannot be read leaves the current one, and says where it failed.
   * @param {string} text
   */
  importPlaybook(text) {
    return this.enqueue(async () => {
      try {
        await this.engine.setPlaybook(text);
        const json = await this.engine.playbookJson();
        this.playbookText = text.trim() ? json : '';
        this.plays = playIndex(json);
        if (this.report) this.report = await this.engine.report();
        this.playbookStatus = { ok: true, key: text.trim() ? 'playbook.imported' : 'playbook.reset', params: { plays: this.plays.size } };
        this.view.renderScheme();
        if (this.report) this.view.renderActions();
      } catch (e) {
        if (asError(e).fatal) { await this.recoverFromCrash(asError(e)); return; }
        this.playbookStatus = { ok: false, key: 'playbook.failed', error: asError(e) };
        this.view.renderScheme();
      }
    });
  }
}

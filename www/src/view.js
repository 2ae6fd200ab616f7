// The page side of the PageView the state talks to: progress, errors, and each section's
// rendering mounted into index.html. Reads the state; never calls the engine.

import { $, $input, $select, el, getRoot, stateHost } from './dom.js';
import { bytes, localDate } from './format.js';
import { t, applyStatic, translator } from './i18n/index.js';
import { mount } from './sections/mount.js';
import { drawDeferred } from './charts.js';
import { now, span } from './perf.js';
import * as filesSection from './sections/files.js';
import * as inventory from './sections/inventory.js';
import * as rfm from './sections/rfm.js';
import * as dormancy from './sections/dormancy.js';
import * as sources from './sections/sources.js';
import * as forecast from './sections/forecast.js';
import * as warnings from './sections/warnings.js';
import * as members from './sections/members.js';
import * as tags from './sections/tags.js';
import * as audiences from './sections/audiences.js';
import * as actions from './sections/actions.js';
import * as reportSection from './sections/report.js';
import * as ladder from './sections/ladder.js';
import * as cohorts from './sections/cohorts.js';
import * as outlets from './sections/outlets.js';
import * as omnichannel from './sections/omnichannel.js';
import * as movement from './sections/movement.js';
import * as compounding from './sections/compounding.js';
import * as target from './sections/target.js';
import * as aliveHistory from './sections/alive-history.js';

/** What the first results of an analysis do not have yet: these say they are being computed. */
const PENDING_WHILE_FIRST = ['actions-panel', 'growth', 'tags-panel', 'members-panel'];

/** @typedef {import('./state.js').PageState} PageState */
/** @typedef {import('./state.js').PageView} PageView */
/** @typedef {import('./state.js').ShownError} ShownError */
/** @typedef {import('./engine/protocol').AnalysisOptions} AnalysisOptions */
/** @typedef {import('./engine/protocol').ForecastOptions} ForecastOptions */
/** @typedef {import('./engine/protocol').Progress} Progress */
/** @typedef {import('./sections/report.js').ReportMeta} ReportMeta */
/** @typedef {import('./engine/protocol').ReportHtmlOptions} ReportHtmlOptions */
/** @typedef {import('./state.js').Outcome} Outcome */

/** @implements {PageView} */
export class DomView {
  constructor() {
    /** @type {PageState | null} */
    this.attached = null;
  }

  /** @param {PageState} state */
  attach(state) { this.attached = state; }

  /** @returns {PageState} */
  get state() {
    if (!this.attached) throw new Error('DomView used before attach(state)');
    return this.attached;
  }

  // ---------------------------------------------------------------- progress and errors

  /** @param {boolean} flag */
  setBusy(flag) {
    stateHost().dataset.state = flag ? 'busy' : (this.state.report ? 'ready' : (stateHost().dataset.state === 'error' ? 'error' : 'empty'));
  }

  /** @param {boolean} on */
  showProgress(on) {
    $('progress').hidden = !on;
    /** @type {HTMLProgressElement} */ ($('progress-bar')).value = 0;
  }

  /** @param {string} key @param {boolean} [indeterminate] */
  progressStep(key, indeterminate = false) {
    if (indeterminate) $('progress-bar').removeAttribute('value');
    $('progress-text').textContent = t(key);
  }

  /** Reading progress from the engine. @param {Progress} p */
  progress(p) {
    const bar = /** @type {HTMLProgressElement} */ ($('progress-bar'));
    bar.max = Math.max(1, p.total);
    bar.value = p.done;
    $('progress-text').textContent = p.parsing
      ? t('input.parsing', { name: p.name })
      : t('input.reading', { name: p.name, done: bytes(p.done), total: bytes(p.total) });
  }

  /** @param {ShownError} err @param {string} [wrapKey] */
  showError(err, wrapKey) {
    let text = errorText(err);
    if (wrapKey) text = t(wrapKey, { detail: text });
    $('error-text').textContent = text;
    let where = '';
    // Where it happened, in words; a line only when there is one (never "line —"). The code
    // stays out of the text (it is the panel's data-code, for tests and support).
    if (err && err.file) {
      where = err.line != null ? t('error.where', { file: err.file, line: err.line }) : t('error.where_file', { file: err.file });
      if (err.column) where += t('error.where_col', { column: err.column });
    }
    $('error-detail').textContent = where;
    $('error-panel').dataset.code = err?.code ?? '';
    $('error-panel').hidden = false;
    $('status-panel').hidden = true;
    if (!this.state.report) stateHost().dataset.state = 'error';
  }

  hideError() {
    $('error-panel').hidden = true;
    $('status-panel').hidden = true;
  }

  /** A cancel is the user's choice, not an error: a neutral note. @param {string | null} reading */
  showCancelled(reading) {
    $('status-text').textContent = reading ? t('input.cancelled', { name: reading }) : t('input.cancelled_analysis');
    $('status-panel').hidden = false;
  }

  analysisFailed() {
    stateHost().dataset.state = 'error';
  }

  /** @param {string} version */
  showVersion(version) {
    $('engine-version').textContent = `engine ${version}`;
  }

  // ---------------------------------------------------------------- options

  /** @param {boolean} userAsOf @returns {AnalysisOptions} */
  readOptions(userAsOf) {
    /** @type {AnalysisOptions} */
    const o = {};
    if (userAsOf && $input('as-of').value) o.as_of = $input('as-of').value;
    const mode = $select('dormancy-mode').value;
    if (mode && mode !== 'fixed') o.dormancy_mode = mode;
    const windowDays = Number.parseInt($input('rfm-window').value, 10);
    if (Number.isFinite(windowDays) && windowDays > 0) o.rfm_window_days = windowDays;
    o.forecast = forecastOptions();
    const holdout = $input('fc-holdout').value;
    if (holdout) o.holdout_from = holdout;
    return o;
  }

  // ---------------------------------------------------------------- sections

  /**
   * The file cards, with the latest report's file notices. A control that had the focus keeps
   * it across the redraw; a date order to choose (every date unreadable, written year last)
   * takes it once.
   */
  renderFiles() {
    const host = $('files');
    const active = getRoot().activeElement;
    const focused = active instanceof HTMLElement && host.contains(active)
      ? { file: /** @type {HTMLElement | null} */ (active.closest('[data-file]'))?.dataset.file, cls: active.classList[0] }
      : null;
    mount(filesSection.render(this.state.files, t, Boolean(this.state.report), this.state.report?.warnings ?? []));
    /** @param {string} file @param {string} selector */
    const control = (file, selector) => /** @type {HTMLElement | null} */ (host.querySelector(`[data-file="${CSS.escape(file)}"] ${selector}`));
    const toFocus = this.state.files.find((f) => f.focusDateOrder);
    if (toFocus) {
      toFocus.focusDateOrder = false;
      const select = control(toFocus.name, 'select.file-date-order');
      if (select) { select.focus({ preventScroll: true }); select.scrollIntoView({ block: 'nearest' }); return; }
    }
    if (focused?.file !== undefined && focused.cls) control(focused.file, `.${CSS.escape(focused.cls)}`)?.focus({ preventScroll: true });
  }

  /** The files are read and the results drawn: bring the results into view, focus on them. */
  showResults() {
    const results = $('results');
    if (results.hidden) return;
    this.renderFiles();
    results.scrollIntoView({ block: 'start' });
    results.focus({ preventScroll: true });
  }

  hideResults() {
    $('results').hidden = true;
  }

  /**
   * Draw the report's sections. While the state's report is the first results (`restPending`:
   * no tags, audiences, actions or growth yet), those sections and the member table say they
   * are being computed.
   * @param {boolean} [coreShown]  the same analysis's first results are on the page: the
   *   sections they drew (inventory, RFM, tiers, sources) are the same and are not drawn again
   */
  renderReport(coreShown = false) {
    const { report: r, query, userAsOf, restPending } = this.state;
    if (!r) return;
    // Each part's time is a span ml:render:<part> (perf.js).
    let t0 = now();
    const done = (/** @type {string} */ part) => { span(`ml:render:${part}`, t0); t0 = now(); };
    $('results').hidden = false;
    // The first results: sections far below are laid out when needed (styles.css).
    if (restPending) $('results').dataset.lazyLayout = '';
    if (!coreShown) {
      if (!userAsOf && r.as_of) $input('as-of').value = r.as_of;
      $('as-of-warning').textContent = asOfWarning(r, this.state.latestPurchase);
      this.renderPrintHeader();
      done('header');
      // The first results: their charts far below the view are drawn when the page is idle.
      mount(inventory.render(r, t), restPending);
      done('inventory');
      mount(rfm.render(r, t), restPending);
      done('rfm');
      mount(dormancy.render(r, t), restPending);
      done('dormancy');
      mount(sources.render(r, t), restPending);
      done('sources');
    }
    mount(forecast.render(r, t, this.state.forecastState));
    if (r.forecast && typeof r.forecast === 'object') {
      this.markChurnBand();
      this.renderTopClv();
    }
    done('forecast');
    mount(warnings.render(r, t));
    done('warnings');
    for (const id of PENDING_WHILE_FIRST) {
      const e = $(id);
      if (restPending) {
        e.dataset.pending = t('results.pending');
        e.setAttribute('aria-busy', 'true');
      } else {
        delete e.dataset.pending;
        e.removeAttribute('aria-busy');
      }
    }
    if (restPending) return;
    // The first results' charts not drawn yet are drawn before the rest.
    drawDeferred();
    this.renderActions();
    done('actions');
    this.renderGrowth();
    t0 = now(); // the growth sections' parts are spans of their own (ml:render:growth-*)
    mount(members.renderFilters(r, t, query));
    mount(members.renderChooser(this.state.columns, this.state.chosenColumns, t));
    done('member-filters');
    this.renderTags();
    done('tags');
    this.renderRuleCheck();
    this.renderAudienceDrafts();
    this.renderAudienceLive();
    this.renderAudiences();
    this.renderScheme();
    done('audiences');
    this.renderMemberHead();
    done('member-head');
    delete $('results').dataset.lazyLayout;
  }

  /** What the report controls say: the title (or its default), the brand, and today as the day it is made. @returns {ReportMeta} */
  readReportMeta() {
    return { title: reportSection.reportTitle($input('report-title').value, t), brand: $input('report-brand').value.trim(), date: localDate() };
  }

  /** The client report's options for the engine: the report controls, in the page's language. @returns {ReportHtmlOptions} */
  readReportOptions() {
    const { title, brand, date } = this.readReportMeta();
    return { title, ...(brand ? { brand } : {}), lang: t.lang, date };
  }

  /** The header the results get in print (brand, title, dates), as the report controls now say. */
  renderPrintHeader() {
    const { report } = this.state;
    if (report) mount(reportSection.renderPrintHeader(report, this.readReportMeta(), t));
  }

  /** The title field holds the default title in the page's language until the user types another. */
  syncReportTitle() {
    const input = $input('report-title');
    const typed = input.value.trim();
    const defaults = [translator('zh'), translator('en')].map((tr) => tr('report.default_title'));
    if (!typed || defaults.includes(typed)) input.value = t('report.default_title');
  }

  renderActions() {
    const { report, plays, showAllActions } = this.state;
    if (report) mount(actions.render(report, plays, showAllActions, t));
  }

  // ---------------------------------------------------------------- growth analytics

  /** Every growth section (增长分析) of the report. */
  renderGrowth() {
    const { report } = this.state;
    if (!report) return;
    $('growth').hidden = !report.growth;
    if (!report.growth) return;
    let t0 = now();
    const done = (/** @type {string} */ part) => { span(`ml:render:growth-${part}`, t0); t0 = now(); };
    this.renderLadder();
    done('ladder');
    this.renderCohorts();
    done('cohorts');
    this.renderOutlets();
    done('outlets');
    mount(omnichannel.render(report, t));
    done('omnichannel');
    this.renderMovement();
    done('movement');
    this.renderCompound();
    done('compounding');
    this.renderTarget();
    done('target');
  }

  renderLadder() {
    const { report, growthView } = this.state;
    if (report?.growth) mount(ladder.render(report, t, growthView.ladder));
  }

  renderCohorts() {
    const { report, growthView } = this.state;
    if (report?.growth) mount(cohorts.render(report, t, growthView.cohortMetric));
  }

  renderOutlets() {
    const { report, growthView } = this.state;
    if (report?.growth) mount(outlets.render(report, t, growthView.outletSort));
  }

  renderMovement() {
    const { report, growthView, compareStatus } = this.state;
    if (report?.growth) mount(movement.render(report, t, { value: growthView.movementValue, status: outcomeText(compareStatus), canExport: this.state.canExportMovement }));
  }

  renderCompound() {
    const { report, growthView } = this.state;
    if (!report?.growth) return;
    mount(compounding.renderStages(report, t, growthView.compound));
    this.renderCompoundResult();
  }

  renderCompoundResult() {
    const { report, growthView } = this.state;
    if (report?.growth) mount(compounding.renderResult(report, t, growthView.compound));
  }

  renderTarget() {
    const { report, targetStatus } = this.state;
    if (report?.growth) mount(target.render(report, t, outcomeText(targetStatus)));
  }

  renderTags() {
    const { report, query } = this.state;
    if (!report) return;
    mount(tags.render(report, t, tags.ruleTagKey(query.rule) ?? ''));
    this.renderTagFilter();
  }

  /** The chip of the rule filtering the member table; its tag marked in the tree (left as the user folded it). */
  renderTagFilter() {
    const { report, query } = this.state;
    mount(tags.renderRuleFilter(query.rule, report, t));
    const key = tags.ruleTagKey(query.rule);
    for (const b of /** @type {NodeListOf<HTMLElement>} */ ($('tag-tree').querySelectorAll('[data-tag]'))) {
      const on = b.dataset.tag === key;
      b.classList.toggle('active', on);
      b.setAttribute('aria-pressed', on ? 'true' : 'false');
      if (on) { const more = b.closest('details.tag-more'); if (more) /** @type {HTMLDetailsElement} */ (more).open = true; }
    }
  }

  renderRuleCheck() {
    mount(tags.renderRuleCheck(this.state.ruleCheck, this.state.ruleText, this.state.report, t));
  }

  renderAudienceDrafts() {
    mount(audiences.renderDrafts(this.state.drafts, this.state.report, t));
  }

  renderAudienceLive() {
    mount(audiences.renderLive(this.state.drafts, this.state.draftResults, t));
  }

  renderAudiences() {
    if (this.state.report) mount(audiences.renderSaved(this.state.report, t));
  }

  renderScheme() {
    for (const [id, s] of /** @type {const} */ ([['scheme-status', this.state.schemeStatus], ['audience-status', this.state.audienceStatus], ['playbook-status', this.state.playbookStatus]])) {
      const box = $(id);
      box.dataset.state = s ? (s.ok ? 'ok' : 'error') : '';
      box.dataset.code = s?.error?.code ?? '';
      box.textContent = s ? t(s.key, { ...(s.params ?? {}), detail: s.error ? errorText(s.error) : '' }) : '';
    }
  }

  renderTopClv() {
    mount(forecast.renderTopClv(this.state.topClv, this.state.columns, this.state.report, t));
  }

  /** Mark the churn band the member table is filtered by. */
  markChurnBand() {
    const band = this.state.query.churn_band;
    for (const b of /** @type {NodeListOf<HTMLElement>} */ (getRoot().querySelectorAll('#churn-bands [data-churn-band]'))) {
      const on = b.dataset.churnBand === band;
      b.classList.toggle('active', on);
      b.setAttribute('aria-pressed', on ? 'true' : 'false');
    }
  }

  memberColumns() {
    return members.columns(this.state.columns, this.state.chosenColumns);
  }

  /** The member rows offer their P(alive) history: the report shown has its forecasts. */
  historyOffered() {
    return aliveHistory.historyOffered(this.state.report, this.state.forecastState);
  }

  renderMemberHead() {
    mount(members.renderHead(this.memberColumns(), this.state.query, t, this.historyOffered()));
  }

  renderMemberRows() {
    const { page, query, report } = this.state;
    const t0 = now();
    mount(members.renderRows(page, this.memberColumns(), query, report, t, this.historyOffered()));
    span('ml:render:member-rows', t0);
    stateHost().dataset.membersSeq = String(Number(stateHost().dataset.membersSeq || 0) + 1);
  }

  renderMembers() {
    // The forecast columns (and the history buttons) come and go with the rows: redraw the header when they did.
    const head = $('member-head');
    if (head.querySelectorAll('th[data-column]').length !== this.memberColumns().length
      || Boolean(head.querySelector('th[data-history-column]')) !== this.historyOffered()) this.renderMemberHead();
    this.renderMemberRows();
  }

  /**
   * The P(alive) history panel as the state has it. `focus`: the user just opened it, so it
   * comes into view with the focus on its title.
   * @param {boolean} [focus]
   */
  renderAliveHistory(focus = false) {
    const { alive, report, forecastState } = this.state;
    mount(aliveHistory.render(alive, report, forecastState, t));
    if (focus && alive) {
      const title = $('alive-history-title');
      title.focus({ preventScroll: true });
      $(aliveHistory.PANEL_ID).scrollIntoView({ block: 'nearest' });
    }
  }

  /** @param {boolean} loading */
  membersLoading(loading) {
    stateHost().dataset.membersState = loading ? 'loading' : 'ready';
  }

  /** @param {number} seq */
  reportReady(seq) {
    stateHost().dataset.forecastState = this.state.forecastState;
    stateHost().dataset.reportSeq = String(seq);
  }

  /** The first results are drawn (tags, actions, growth and the member table follow). @param {number} seq */
  firstResultsReady(seq) {
    stateHost().dataset.firstSeq = String(seq);
  }

  /** The results are drawn; the forecasts follow (or are off). @param {number} seq */
  resultsReady(seq) {
    stateHost().dataset.forecastState = this.state.forecastState;
    stateHost().dataset.resultsSeq = String(seq);
  }

  /** The forecast section as the forecasts now stand (computing, failed...). */
  renderForecastStatus() {
    const { report, forecastState } = this.state;
    stateHost().dataset.forecastState = forecastState;
    if (report) mount(forecast.render(report, t, forecastState));
    // An open member history says the forecasts are pending (or is drawn again once they are in).
    if (this.state.alive) this.renderAliveHistory();
  }

  /** Everything again, in the language now chosen. */
  rerenderAll() {
    applyStatic(getRoot());
    $('lang-switch').textContent = t('lang.switch');
    this.syncReportTitle();
    this.renderFiles();
    if (this.state.report) { this.renderReport(); this.renderMemberRows(); this.renderAliveHistory(); }
  }

  // ---------------------------------------------------------------- exports

  /** @param {Uint8Array} data @param {string} format @param {string} fileName */
  download(data, format, fileName) {
    const mime = format === 'xlsx'
      ? 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'
      : format === 'json' ? 'application/json'
        : format === 'html' ? 'text/html;charset=utf-8' : 'text/csv;charset=utf-8';
    const blob = new Blob([/** @type {BlobPart} */ (data)], { type: mime });
    const url = URL.createObjectURL(blob);
    const a = el('a', { href: url, download: fileName });
    stateHost().appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
  }
}

/** An outcome as its message in the page's language (with the engine's detail), for a section to show. @param {Outcome | null} o */
function outcomeText(o) {
  if (!o) return null;
  return { ok: o.ok, text: t(o.key, { ...(o.params ?? {}), detail: o.error ? errorText(o.error) : '' }), code: o.error?.code ?? '' };
}

/**
 * Why an as-of date may not be what the user meant: before the first purchase (no buyer yet), or
 * more than a year after the last one (every member reads as dormant). '' when it is fine.
 * @param {import('./types/report').Report} r @param {string} latest  the latest purchase day, if known
 */
export function asOfWarning(r, latest) {
  if (r.as_of_source !== 'user') return '';
  if (!r.inventory || r.inventory.buyers === 0) return t('options.as_of_before', { date: r.as_of });
  if (latest) {
    const days = (Date.parse(r.as_of) - Date.parse(latest)) / 86_400_000;
    if (days > 365) return t('options.as_of_after', { date: r.as_of, latest, days: Math.round(days) });
  }
  return '';
}

/** The engine's message in the page's language. @param {ShownError | null | undefined} err */
function errorText(err) {
  if (!err) return '';
  return (t.lang === 'zh' ? err.message_zh : err.message) || err.message || String(err);
}

/**
 * The forecast controls as the engine's ForecastOptions; out-of-range entries are put back in range (and shown so).
 * @returns {ForecastOptions}
 */
function forecastOptions() {
  const unit = $select('fc-unit').value === '7' ? 7 : 1;
  const monthsInput = $input('fc-months');
  let months = Number.parseInt(monthsInput.value, 10);
  if (!Number.isFinite(months) || months < 1) months = 12;
  months = Math.min(months, 600);
  monthsInput.value = String(months);
  const discountInput = $input('fc-discount');
  let pct = Number.parseFloat(discountInput.value);
  if (!Number.isFinite(pct) || pct < 0) pct = 1;
  pct = Math.min(pct, 100);
  discountInput.value = String(pct);
  const picked = $select('fc-model').value;
  const model = picked === 'bgnbd' || picked === 'mbgnbd' || picked === 'pareto' ? picked : 'auto';
  return { enabled: true, time_unit_days: unit, clv_months: months, discount: pct / 100, model };
}

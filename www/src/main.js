// MemberLens page: starts the engine (a Wasm Analyzer in a Web Worker), the page state that
// alone talks to it, and the view that shows what it says; then wires the controls to the state.
//
//   engine/    the worker protocol          state.js   page state, the only engine caller
//   sections/  one renderer per section      view.js    mounts sections, progress, errors
//   i18n/      zh / en strings and `t`       main.js    this file: start-up and event wiring

import { Engine } from './engine/client.js';
import { PageState } from './state.js';
import { DomView } from './view.js';
import { t, setLang, getLang, applyStatic } from './i18n/index.js';
import { $, $input, $select, getRoot, stateHost } from './dom.js';
import { isNumeric, ATTR_FILTERS } from './sections/members.js';
import { ruleTagKey, tagIndex, nameOf } from './sections/tags.js';
import { composeRule } from './sections/audiences.js';
import * as charts from './charts.js';
import { nextSort } from './sections/outlets.js';
import { readTarget } from './sections/target.js';
import { parseHeaderRow, parseDateOrder } from './sections/files.js';

const DEMO_FILES = ['members.csv', 'online_orders.csv', 'pos_sales.csv'];

/** The member-table filters: select id → query key. @type {[string, 'segment' | 'dormancy' | 'lifecycle' | 'source' | 'churn_band'][]} */
const FILTERS = [['filter-segment', 'segment'], ['filter-dormancy', 'dormancy'], ['filter-lifecycle', 'lifecycle'], ['filter-source', 'source'], ['filter-churn', 'churn_band']];

/** Load the bundled demo exports from the site itself (or from `base`). @param {PageState} state @param {DomView} view @param {string | URL} [base] */
async function loadDemo(state, view, base = 'demo/') {
  const files = [];
  for (const name of DEMO_FILES) {
    const res = await fetch(new URL(name, new URL(base, document.baseURI)));
    if (!res.ok) { view.showError({ message: `demo/${name}: HTTP ${res.status}`, message_zh: `示例文件 ${name} 无法载入（HTTP ${res.status}）` }); return; }
    files.push(new File([await res.blob()], name, { type: 'text/csv' }));
  }
  await state.addFiles(files);
}

/**
 * The file cards' controls, by delegation: each card carries data-file, each control a class.
 * @param {PageState} state
 */
function wireFiles(state) {
  const host = $('files');
  host.addEventListener('change', (ev) => {
    const target = /** @type {HTMLInputElement | HTMLSelectElement} */ (ev.target);
    const name = /** @type {HTMLElement | null} */ (target.closest('[data-file]'))?.dataset.file;
    if (name === undefined) return;
    const value = target.value;
    if (target.matches('select.file-kind')) state.changeFileOptions(name, (o) => { o.kind = value; o.columns = {}; });
    else if (target.matches('select.file-encoding')) state.changeFileOptions(name, (o) => { o.encoding = value; });
    else if (target.matches('select.file-sheet')) state.changeFileOptions(name, (o) => { o.sheet = value; o.columns = {}; });
    else if (target.matches('input.file-header-row')) state.changeFileOptions(name, (o) => { o.header_row = parseHeaderRow(value); });
    else if (target.matches('select.file-date-order')) state.changeFileOptions(name, (o) => { o.date_order = parseDateOrder(value); });
    else if (target.matches('input.file-source-label')) state.changeFileOptions(name, (o) => { o.source_label = value.trim() || undefined; });
    else if (target.matches('select.column-role')) {
      const header = target.dataset.header ?? '';
      state.changeFileOptions(name, (o) => { o.columns = { ...o.columns, [header]: value }; });
    }
  });
  host.addEventListener('click', (ev) => {
    const toggle = /** @type {HTMLElement} */ (ev.target).closest('button.file-toggle');
    const toggled = /** @type {HTMLElement | null} */ (toggle?.closest('[data-file]'))?.dataset.file;
    if (toggled !== undefined) {
      state.toggleFile(toggled);
      /** @type {HTMLElement | null} */ (host.querySelector(`[data-file="${CSS.escape(toggled)}"] button.file-toggle`))?.focus();
      return;
    }
    const button = /** @type {HTMLElement} */ (ev.target).closest('button.file-remove');
    const name = /** @type {HTMLElement | null} */ (button?.closest('[data-file]'))?.dataset.file;
    if (name !== undefined) state.removeFile(name);
  });
}

/**
 * The member table: search, filters, sorting, paging, export, and the churn bands that filter it.
 * @param {PageState} state @param {DomView} view
 */
function wireMembers(state, view) {
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let searchTimer;
  const search = $input('member-search');
  search.addEventListener('input', () => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(() => { state.search(search.value.trim()); }, 250);
  });
  for (const [id, key] of FILTERS) {
    $(id).addEventListener('change', (ev) => {
      state.setFilter(key, /** @type {HTMLSelectElement} */ (ev.target).value);
      if (key === 'churn_band') view.markChurnBand();
    });
  }
  for (const [id, key] of ATTR_FILTERS) {
    $(id).addEventListener('change', (ev) => { state.setAttrFilter(key, /** @type {HTMLSelectElement} */ (ev.target).value); });
  }
  $('column-list').addEventListener('change', (ev) => {
    const box = /** @type {HTMLInputElement} */ (ev.target);
    if (box.dataset.column) state.chooseColumn(box.dataset.column, box.checked);
  });
  const head = $('member-head');
  /** @param {Event} ev */
  const sort = (ev) => {
    const column = /** @type {HTMLElement | null} */ (/** @type {HTMLElement} */ (ev.target).closest('th[data-column]'))?.dataset.column;
    if (!column) return;
    const col = state.columns.find((c) => c.key === column);
    state.sortBy(column, col ? isNumeric(col) : false);
    view.renderMemberHead();
  };
  head.addEventListener('click', sort);
  head.addEventListener('keydown', (ev) => { if (ev.key === 'Enter') sort(ev); });
  $('churn-bands').addEventListener('click', (ev) => {
    const band = /** @type {HTMLElement | null} */ (/** @type {HTMLElement} */ (ev.target).closest('[data-churn-band]'))?.dataset.churnBand;
    if (band === undefined) return;
    state.toggleChurnBand(band);
    $select('filter-churn').value = state.query.churn_band;
    view.markChurnBand();
    $('members-panel').scrollIntoView({ block: 'start' });
  });
  $('page-prev').addEventListener('click', () => { state.turnPage(-1); });
  $('page-next').addEventListener('click', () => { state.turnPage(1); });
  $('export-csv').addEventListener('click', () => state.exportMembers('csv', getLang()));
  $('export-xlsx').addEventListener('click', () => state.exportMembers('xlsx', getLang()));
  const mask = /** @type {HTMLInputElement} */ ($('mask-exports'));
  mask.addEventListener('change', () => { state.maskExports = mask.checked; });
  const keys = /** @type {HTMLInputElement} */ ($('export-keys'));
  keys.addEventListener('change', () => { state.exportKeys = keys.checked; });

  // A row's button opens its member's P(alive) history under the table; closing it (its button,
  // or Escape inside it) puts the focus back on the row's button.
  $('member-rows').addEventListener('click', (ev) => {
    const b = /** @type {HTMLElement | null} */ (/** @type {HTMLElement} */ (ev.target).closest('button.alive-open'));
    const row = b ? state.page.rows.find((r) => String(r.table_row) === b.dataset.tableRow) : undefined;
    if (row) state.openAliveHistory(row);
  });
  const closeHistory = () => {
    const row = state.alive?.member.row;
    state.closeAliveHistory();
    /** @type {HTMLElement | null} */ ($('member-rows').querySelector(`button.alive-open[data-table-row="${row}"]`))?.focus();
  };
  $('alive-history-close').addEventListener('click', closeHistory);
  $('alive-history').addEventListener('keydown', (ev) => { if (ev.key === 'Escape') closeHistory(); });
}

/** Bring the member table into view (after a tag or rule filter was set). */
const showMembers = () => $('members-panel').scrollIntoView({ block: 'start' });


/**
 * A segment, tier or stage row clicked anywhere in the results filters the member table to it.
 * @param {PageState} state
 */
function wireRowFilters(state) {
  $('results').addEventListener('click', (ev) => {
    const b = /** @type {HTMLElement | null} */ (/** @type {HTMLElement} */ (ev.target).closest('[data-filter-segment], [data-filter-dormancy], [data-filter-lifecycle], [data-filter-tier]'));
    if (!b) return;
    const d = b.dataset;
    if (d.filterSegment) { $select('filter-segment').value = d.filterSegment; state.setFilter('segment', d.filterSegment); }
    else if (d.filterDormancy) { $select('filter-dormancy').value = d.filterDormancy; state.setFilter('dormancy', d.filterDormancy); }
    else if (d.filterLifecycle) { $select('filter-lifecycle').value = d.filterLifecycle; state.setFilter('lifecycle', d.filterLifecycle); }
    else if (d.filterTier) { $select('filter-tier').value = d.filterTier; state.setAttrFilter('tier', d.filterTier); }
    showMembers();
  });
}

/**
 * Tags and audiences: the tag tree filters the member table, the rule editor counts as the user
 * types, the audience builder's drafts count live and are saved; lists and the scheme download.
 * @param {PageState} state
 */
function wireTags(state) {
  $('tag-tree').addEventListener('click', (ev) => {
    const key = /** @type {HTMLElement | null} */ (/** @type {HTMLElement} */ (ev.target).closest('[data-tag]'))?.dataset.tag;
    if (key === undefined) return;
    state.filterByTag(key);
    showMembers();
  });

  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let ruleTimer;
  const rule = /** @type {HTMLTextAreaElement} */ ($('rule-input'));
  rule.addEventListener('input', () => {
    clearTimeout(ruleTimer);
    ruleTimer = setTimeout(() => { state.checkRule(rule.value); }, 150);
  });
  $('rule-filter').addEventListener('click', () => {
    state.filterByRule(rule.value);
    showMembers();
  });
  $('rule-clear').addEventListener('click', () => { state.filterByRule(''); });

  /** What a list's file name says: the tag filtering the table, else "rule". */
  const listName = () => {
    const key = ruleTagKey(state.query.rule);
    const hit = key === null ? undefined : tagIndex(state.report).get(key);
    return hit ? `${nameOf(hit.group, t)}-${nameOf(hit.tag, t)}` : 'rule';
  };
  $('list-csv').addEventListener('click', () => state.exportFiltered('csv', 'audience', getLang(), listName()));
  $('list-xlsx').addEventListener('click', () => state.exportFiltered('xlsx', 'audience', getLang(), listName()));
  $('list-touch').addEventListener('click', () => state.exportFiltered('csv', 'touch', getLang(), listName()));

  const list = $('audience-list');
  /** The draft a control belongs to. @param {EventTarget | null} target */
  const draftOf = (target) => {
    const i = /** @type {HTMLElement | null} */ (/** @type {HTMLElement} */ (target).closest('[data-draft]'))?.dataset.draft;
    return i === undefined ? -1 : Number(i);
  };
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let draftTimer;
  const preview = () => { clearTimeout(draftTimer); draftTimer = setTimeout(() => { state.previewDrafts(); }, 150); };
  list.addEventListener('input', (ev) => {
    const target = /** @type {HTMLInputElement | HTMLTextAreaElement} */ (ev.target);
    const i = draftOf(target);
    if (i < 0) return;
    if (target.matches('.aud-name')) state.editDraft(i, { name: target.value });
    else if (target.matches('.aud-rule')) { state.editDraft(i, { rule: target.value }); preview(); }
  });
  list.addEventListener('click', (ev) => {
    const target = /** @type {HTMLElement} */ (ev.target);
    const i = draftOf(target);
    if (i < 0) return;
    if (target.closest('.aud-remove')) { clearTimeout(draftTimer); state.removeDraft(i); return; }
    if (!target.closest('.aud-compose')) return;
    const row = /** @type {HTMLElement} */ (target.closest('[data-draft]'));
    const key = /** @type {HTMLSelectElement} */ (row.querySelector('.aud-tag')).value;
    if (!key) return;
    const join = /** @type {HTMLSelectElement} */ (row.querySelector('.aud-join')).value;
    const text = composeRule(state.drafts[i]?.rule ?? '', join, key);
    state.editDraft(i, { rule: text });
    /** @type {HTMLTextAreaElement} */ (row.querySelector('.aud-rule')).value = text;
    clearTimeout(draftTimer);
    state.previewDrafts();
  });
  $('audience-add').addEventListener('click', () => {
    state.addDraft(t('aud.default_name', { n: state.drafts.length + 1 }));
    /** @type {HTMLInputElement | null} */ (list.querySelector('[data-draft]:last-of-type .aud-rule'))?.focus();
  });
  $('audience-save').addEventListener('click', () => { clearTimeout(draftTimer); state.saveAudiences(); });
  $('audience-saved').addEventListener('click', (ev) => {
    const b = /** @type {HTMLElement | null} */ (/** @type {HTMLElement} */ (ev.target).closest('[data-audience-export]'));
    const a = b ? state.report?.audiences?.[Number(b.dataset.audienceExport)] : undefined;
    if (!b || !a) return;
    const layout = b.dataset.layout === 'touch' ? 'touch' : 'audience';
    state.exportList({ rule: a.rule }, b.dataset.format === 'xlsx' ? 'xlsx' : 'csv', layout, getLang(), a.name);
  });

  $('scheme-export').addEventListener('click', () => state.exportScheme());
  const schemeInput = $input('scheme-import');
  schemeInput.addEventListener('change', async () => {
    const file = schemeInput.files?.[0];
    schemeInput.value = '';
    if (file) state.importScheme(await file.text());
  });
  $('scheme-reset').addEventListener('click', () => state.importScheme(''));
}

/**
 * The action plan: each card's list exports, "show all", and the playbook's export and import.
 * @param {PageState} state
 */
function wireActions(state) {
  // A play's gain rate edited on its card: the playbook changes, the plan is made again.
  $('actions-list').addEventListener('change', (ev) => {
    const input = /** @type {HTMLInputElement} */ (ev.target);
    const key = input.dataset?.gainRate;
    const pct = Number(input.value);
    if (key && Number.isFinite(pct) && pct >= 0 && pct <= 100) state.setGainRate(key, pct / 100);
  });
  $('actions-list').addEventListener('click', (ev) => {
    const b = /** @type {HTMLElement | null} */ (/** @type {HTMLElement} */ (ev.target).closest('[data-action-export]'));
    const a = b ? state.report?.action_plan?.actions.find((x) => x.key === b.dataset.actionExport) : undefined;
    if (!b || !a) return;
    const layout = b.dataset.layout === 'touch' ? 'touch' : 'audience';
    state.exportList({ rule: a.rule }, b.dataset.format === 'xlsx' ? 'xlsx' : 'csv', layout, getLang(), nameOf(a, t));
  });
  $('actions-toggle').addEventListener('click', () => state.toggleAllActions());
  $('playbook-export').addEventListener('click', () => state.exportPlaybook());
  $('report-json').addEventListener('click', () => state.exportReport());
  const input = $input('playbook-import');
  input.addEventListener('change', async () => {
    const file = input.files?.[0];
    input.value = '';
    if (file) state.importPlaybook(await file.text());
  });
  $('playbook-reset').addEventListener('click', () => state.importPlaybook(''));
}

/**
 * Growth analytics (增长分析): the ladder's group, the cohort cells, the outlet tables' sort, the
 * comparison date and the moved-down list, the compounding calculator, the target form.
 * @param {PageState} state
 */
function wireGrowth(state) {
  $('ladder-group').addEventListener('change', (ev) => state.setLadderGroup(/** @type {HTMLSelectElement} */ (ev.target).value));
  for (const id of ['cohort-metric-retention', 'cohort-metric-revenue']) {
    $(id).addEventListener('change', (ev) => {
      const input = /** @type {HTMLInputElement} */ (ev.target);
      if (input.checked) state.setCohortMetric(input.value === 'revenue' ? 'revenue' : 'retention');
    });
  }
  $('outlets-panel').addEventListener('click', (ev) => {
    const b = /** @type {HTMLElement | null} */ (/** @type {HTMLElement} */ (ev.target).closest('[data-outlet-sort]'));
    const table = b?.dataset.outletTable === 'channels' ? 'channels' : 'stores';
    if (b?.dataset.outletSort) state.sortOutlets(table, nextSort(state.growthView.outletSort[table], b.dataset.outletSort));
  });

  $('movement-date').addEventListener('change', () => { state.setCompareDate($input('movement-date').value); });
  $('movement-default').addEventListener('click', () => { state.setCompareDate(''); });
  $('movement-value').addEventListener('change', () => { state.setMovementValue($select('movement-value').value === 'revenue' ? 'revenue' : 'counts'); });
  $('movement-export').addEventListener('click', () => state.exportMovedDown(getLang(), t('movement.list_name')));

  /** A percentage typed into an input: its fraction, or undefined when it is not a number in range. @param {string} text @param {number} lo @param {number} hi */
  const pct = (text, lo, hi) => {
    const v = Number.parseFloat(text);
    return Number.isFinite(v) && v >= lo && v <= hi ? v / 100 : undefined;
  };
  $('compound-change').addEventListener('input', () => {
    const change = pct($input('compound-change').value, -90, 200);
    if (change !== undefined) state.setCompound({ change });
  });
  $('compound-stages').addEventListener('input', (ev) => {
    const input = /** @type {HTMLInputElement} */ (ev.target);
    const key = input.dataset?.compoundRate;
    if (!key) return;
    if (input.value.trim() === '') { state.setCompound({ rates: { [key]: null } }); return; }
    const rate = pct(input.value, 0, 100);
    if (rate !== undefined) state.setCompound({ rates: { [key]: rate } });
  });
  $('compound-reset').addEventListener('click', () => state.resetCompound());

  /** @type {Record<keyof import('./sections/target.js').TargetForm, string>} */
  const fields = { revenue: 'target-revenue', months: 'target-months', conversion: 'target-conversion', aov: 'target-aov', newMemberValue: 'target-nmv', existing: 'target-existing' };
  $('target-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const form = /** @type {import('./sections/target.js').TargetForm} */ (Object.fromEntries(Object.entries(fields).map(([k, id]) => [k, $input(id).value])));
    const read = readTarget(form);
    if ('error' in read) {
      state.targetFormError(read.error);
      if (read.field !== 'revenue' && read.field !== 'months' && read.field !== 'conversion') /** @type {HTMLDetailsElement} */ ($('target-form').querySelector('details')).open = true;
      $input(fields[read.field]).focus();
      return;
    }
    state.setTarget(read.target);
  });
  $('target-clear').addEventListener('click', () => { state.setTarget(null); });
  $('target-export').addEventListener('click', () => state.exportTarget(getLang()));
}

/**
 * The client report: its brand and title (kept in their fields for the session, shown in the
 * print header as typed), printing (a print from the browser's menu gets the same header), and
 * the self-contained HTML report.
 * @param {PageState} state @param {DomView} view @param {AbortSignal} [signal]
 */
function wireReport(state, view, signal) {
  for (const id of ['report-brand', 'report-title']) $(id).addEventListener('input', () => view.renderPrintHeader());
  $('report-print').addEventListener('click', () => window.print());
  $('report-html').addEventListener('click', () => state.exportReportHtml());
  window.addEventListener('beforeprint', () => { view.renderPrintHeader(); charts.addPrintImages(); }, { signal });
  window.addEventListener('afterprint', () => charts.dropPrintImages(), { signal });
}

/**
 * @param {PageState} state @param {DomView} view
 * @param {{signal?: AbortSignal, demo?: string | URL, standalone?: boolean}} [options]  `signal` removes the window listeners; `demo` is where the demo exports are
 */
function wire(state, view, { signal, demo, standalone = true } = {}) {
  const input = $input('file-input');
  input.addEventListener('change', () => { const fl = [...(input.files ?? [])]; input.value = ''; state.addFiles(fl); });
  const dz = $('dropzone');
  dz.addEventListener('dragover', (ev) => { ev.preventDefault(); dz.classList.add('over'); });
  dz.addEventListener('dragleave', () => dz.classList.remove('over'));
  dz.addEventListener('drop', (ev) => { ev.preventDefault(); dz.classList.remove('over'); state.addFiles(ev.dataTransfer?.files ?? []); });
  $('demo-button').addEventListener('click', () => loadDemo(state, view, demo));
  $('cancel-button').addEventListener('click', () => { state.cancel(); });
  $('error-dismiss').addEventListener('click', () => view.hideError());
  $('lang-switch').addEventListener('click', () => { setLang(getLang() === 'zh' ? 'en' : 'zh'); stateHost().dataset.lang = getLang(); view.rerenderAll(); });

  const reanalyze = () => state.reanalyze();
  $('as-of').addEventListener('change', () => { state.userAsOf = Boolean($input('as-of').value); reanalyze(); });
  $('dormancy-mode').addEventListener('change', reanalyze);
  $('rfm-window').addEventListener('change', reanalyze);
  $('reanalyze').addEventListener('click', reanalyze);
  for (const id of ['fc-unit', 'fc-model', 'fc-months', 'fc-discount', 'fc-holdout']) $(id).addEventListener('change', reanalyze);
  $('fc-holdout-clear').addEventListener('click', () => { const h = $input('fc-holdout'); if (h.value) { h.value = ''; reanalyze(); } });
  // Forecasts on or off (`?forecast=off` on the standalone page): they follow the results.
  const fcToggle = $input('forecast-toggle');
  if (standalone && new URLSearchParams(location.search).get('forecast') === 'off') fcToggle.checked = false;
  state.forecastOn = fcToggle.checked;
  fcToggle.addEventListener('change', () => { state.setForecast(fcToggle.checked); });

  wireFiles(state);
  wireMembers(state, view);
  wireRowFilters(state);
  wireTags(state);
  wireActions(state);
  wireGrowth(state);
  wireReport(state, view, signal);
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let resizeTimer;
  window.addEventListener('resize', () => { clearTimeout(resizeTimer); resizeTimer = setTimeout(charts.resizeAll, 150); }, { signal });
  // A last line of defence: nothing on the page should fail silently (an embedded UI leaves the
  // portal's own rejections to the portal).
  if (standalone) window.addEventListener('unhandledrejection', (ev) => { view.showError(ev.reason || {}); }, { signal });
}

/**
 * Start the page UI in its markup (the document's, or the shadow root dom.setScope named) with
 * an engine of its own, and wire the controls. The <member-lens> element calls this with its
 * view, the engine's URLs and a signal that undoes the wiring outside its root.
 * @param {{view?: DomView, engine?: import('./engine/client.js').EngineOptions, signal?: AbortSignal, demo?: string | URL, standalone?: boolean}} [options]
 */
export function startUi({ view = new DomView(), engine: engineOptions = {}, signal, demo, standalone = true } = {}) {
  const engine = new Engine({ onCrash: () => {}, ...engineOptions, onProgress: (p) => { view.progress(p); engineOptions.onProgress?.(p); } });
  const state = new PageState(engine, view);
  view.attach(state);
  const host = stateHost();
  host.dataset.lang = getLang();
  applyStatic(getRoot());
  $('lang-switch').textContent = t('lang.switch');
  view.syncReportTitle();
  wire(state, view, { signal, demo, standalone });
  state.watchVersion();
  state.ready().then(() => { if (host.dataset.state === 'loading') host.dataset.state = 'empty'; }, () => {});
  return { state, view, engine };
}

function main() {
  const params = new URLSearchParams(location.search);
  if (params.get('lang') === 'en') setLang('en');
  startUi();
}

// The page starts itself; the <member-lens> bundle (build-embed.mjs defines MEMBERLENS_EMBED)
// imports startUi instead.
if (typeof MEMBERLENS_EMBED === 'undefined') main();

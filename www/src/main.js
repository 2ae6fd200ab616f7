// MemberLens page controller: files in, report out. The Analyzer lives in a Web Worker
// (./worker.js); this module only posts messages, renders results, and keeps the page alive
// when the worker is cancelled or crashes.

import { Engine } from './engine/client.js';
import { t, has, setLang, getLang, applyStatic } from './i18n.js';
import { el, clear, $, table } from './dom.js';
import * as fmt from './format.js';
import * as charts from './charts.js';

const SEGMENTS = ['important_value', 'important_develop', 'important_keep', 'important_retain',
  'general_value', 'general_develop', 'general_keep', 'general_retain'];
const DORMANCY = ['active', 'silent', 'near_sleep', 'dormant', 'lost'];
const NON_BUYER = ['within_30d', 'days_31_90', 'days_91_365', 'over_365d', 'unknown'];
const LIFECYCLE = ['introduction', 'growth', 'maturity', 'dormancy', 'churn'];
const REPURCHASE = ['overdue', 'due', 'later'];
const CHURN = ['low', 'medium', 'high'];
const TOP_CLV = 20;
const KINDS = ['orders', 'members', 'member_summary'];
const ENCODINGS = ['utf-8', 'gbk', 'gb18030', 'utf-16le', 'utf-16be'];
const DEMO_FILES = ['members.csv', 'online_orders.csv', 'pos_sales.csv'];
const PAGE_SIZE = 50;

// [inventory key, formatter]
const INVENTORY = [
  ['members_total', fmt.count], ['buyers', fmt.count], ['non_buyers', fmt.count],
  ['purchase_orders', fmt.count], ['revenue', fmt.money], ['aov', fmt.money],
  ['avg_spend_per_buyer', fmt.money], ['avg_orders_per_buyer', (v) => fmt.decimal(v, 2)],
  ['repurchase_rate', (v) => fmt.rate(v)], ['return_rate', (v) => fmt.rate(v)],
  ['median_interpurchase_days', (v) => fmt.decimal(v, 1)],
  ['guest_orders', fmt.count], ['guest_revenue', fmt.money],
  ['members_in_member_file', fmt.count], ['return_rows', fmt.count], ['returns_amount', fmt.money],
  ['revenue_per_store', fmt.money],
];

const MEMBER_COLUMNS = ['member_id', 'name', 'phone', 'email', 'sources', 'tier', 'first_purchase', 'last_purchase',
  'recency_days', 'frequency', 'monetary', 'r_score', 'f_score', 'm_score', 'segment', 'segment_ten', 'dormancy', 'lifecycle',
  'registered_at', 'personal_cycle_days', 'expected_next_purchase', 'repurchase_status'];
const FORECAST_COLUMNS = ['p_alive', 'expected_spend', 'clv', 'churn_risk', 'churn_band'];
const NUMERIC_MEMBER_COLUMNS = new Set(['recency_days', 'frequency', 'monetary', 'r_score', 'f_score', 'm_score',
  'personal_cycle_days', 'p_alive', 'expected_spend', 'clv', 'churn_risk']);

const ROLE_NAMES = {
  member_id: ['会员ID', 'member id'], phone: ['手机号', 'phone'], email: ['邮箱', 'e-mail'], name: ['姓名', 'name'],
  order_id: ['订单号', 'order id'], order_time: ['下单时间', 'order time'], amount: ['实付金额', 'amount'],
  item_amount: ['商品金额', 'item amount'], refund: ['退款金额', 'refund'], status: ['订单状态', 'status'],
  channel: ['销售渠道', 'channel'], store: ['门店', 'store'], item: ['商品名称', 'item'], category: ['商品类目', 'category'],
  quantity: ['数量', 'quantity'], registered_at: ['注册时间', 'registered at'], tier: ['会员等级', 'tier'],
  points: ['积分', 'points'], gender: ['性别', 'gender'], birthday: ['生日', 'birthday'], region: ['地区', 'region'],
  guide: ['导购', 'guide'], reg_channel: ['注册渠道', 'registration channel'], total_spend: ['累计消费金额', 'total spend'],
  total_orders: ['累计消费次数', 'total orders'], first_purchase: ['首次消费时间', 'first purchase'],
  last_purchase: ['最近消费时间', 'last purchase'], currency: ['币种', 'currency'],
};

const state = {
  files: [], // {name, file, options, summary}
  report: null,
  query: { search: '', segment: '', dormancy: '', lifecycle: '', source: '', churn_band: '', sort: '', desc: false, offset: 0, limit: PAGE_SIZE },
  topClv: null, // rows of the top-CLV query for the current report (null while loading)
  page: { total: 0, rows: [] },
  userAsOf: false,
  reportSeq: 0,
  loading: null, // name of the file being read
};

let queue = Promise.resolve();
/** Run UI actions one after another: the worker must see requests in a consistent order. */
function enqueue(task) {
  const run = queue.then(task, task);
  queue = run.catch(() => {});
  return run;
}

function setBusy(flag) {
  document.body.dataset.state = flag ? 'busy' : (state.report ? 'ready' : (document.body.dataset.state === 'error' ? 'error' : 'empty'));
}

// ---------------------------------------------------------------- engine

const engine = new Engine({
  onProgress: (p) => {
    const bar = $('progress-bar');
    bar.max = Math.max(1, p.total);
    bar.value = p.done;
    $('progress-text').textContent = p.parsing
      ? t('input.parsing', { name: p.name })
      : t('input.reading', { name: p.name, done: fmt.bytes(p.done), total: fmt.bytes(p.total) });
  },
  onCrash: () => {},
});

function showVersion() {
  engine.version.then((v) => { $('engine-version').textContent = `engine ${v}`; })
    .catch((e) => showError(e, 'error.worker'));
}

// ---------------------------------------------------------------- errors

function errorText(err) {
  if (!err) return '';
  const zh = getLang() === 'zh';
  return (zh ? err.message_zh : err.message) || err.message || String(err);
}

function showError(err, wrapKey) {
  const panel = $('error-panel');
  let text = errorText(err);
  if (wrapKey) text = t(wrapKey, { detail: text });
  $('error-text').textContent = text;
  const where = [];
  if (err && err.file) {
    let w = t('error.where', { file: err.file, line: err.line ?? '—' });
    if (err.column) w += t('error.where_col', { column: err.column });
    where.push(w);
  }
  if (err && err.code) where.push(`[${err.code}]`);
  $('error-detail').textContent = where.join(' ');
  panel.hidden = false;
  if (!state.report) document.body.dataset.state = 'error';
}

function hideError() {
  $('error-panel').hidden = true;
}

/** After a fatal error the worker is replaced; reload every kept file into the fresh one. */
async function recoverFromCrash(err) {
  engine.restart({ fatal: true, code: 'restarted', message: 'engine restarted', message_zh: '引擎已重启' });
  showVersion();
  await reloadAll();
  showError(err, 'error.crash');
}

async function reloadAll() {
  if (!state.files.length) return;
  showProgress(true);
  $('progress-text').textContent = t('input.reloading');
  const kept = [];
  for (const f of state.files) {
    try {
      f.summary = await engine.addFile(f.name, f.file, f.options);
      kept.push(f);
    } catch (e) {
      if (e.fatal) engine.restart();
      // A file that cannot be reloaded is dropped; the error is shown by the caller.
    }
  }
  state.files = kept;
  showProgress(false);
  renderFiles();
}

// ---------------------------------------------------------------- files

function showProgress(on) {
  $('progress').hidden = !on;
  $('progress-bar').value = 0;
}


async function addFiles(fileList) {
  const files = [...fileList];
  if (!files.length) return;
  await enqueue(async () => {
    hideError();
    setBusy(true);
    let cancelled = false;
    for (const file of files) {
      const name = file.name;
      const existing = state.files.findIndex((f) => f.name === name);
      if (existing >= 0) {
        try { await engine.removeFile(name); } catch { /* not loaded */ }
        state.files.splice(existing, 1);
      }
      const entry = { name, file, options: { columns: {} }, summary: null };
      state.loading = name;
      showProgress(true);
      try {
        entry.summary = await engine.addFile(name, file, stripOptions(entry.options));
        state.files.push(entry);
      } catch (e) {
        if (e.code === 'cancelled') { cancelled = true; break; }
        if (e.fatal) { await recoverFromCrash(e); continue; }
        showError(e);
      } finally {
        state.loading = null;
      }
    }
    showProgress(false);
    renderFiles();
    if (!cancelled) await runAnalysis();
    setBusy(false);
  });
}

function stripOptions(o) {
  const out = {};
  if (o.kind) out.kind = o.kind;
  if (o.encoding) out.encoding = o.encoding;
  if (o.source_label) out.source_label = o.source_label;
  if (o.sheet) out.sheet = o.sheet;
  if (o.columns && Object.keys(o.columns).length) out.columns = { ...o.columns };
  return out;
}

function changeFileOptions(name, mutate) {
  return enqueue(async () => {
    const f = state.files.find((x) => x.name === name);
    if (!f) return;
    hideError();
    setBusy(true);
    const before = JSON.parse(JSON.stringify(f.options));
    mutate(f.options);
    try {
      f.summary = await engine.setFileOptions(name, stripOptions(f.options));
    } catch (e) {
      f.options = before;
      if (e.fatal) await recoverFromCrash(e);
      else showError(e);
    }
    renderFiles();
    await runAnalysis();
    setBusy(false);
  });
}

function removeFile(name) {
  return enqueue(async () => {
    setBusy(true);
    try { await engine.removeFile(name); } catch (e) { if (e.fatal) await recoverFromCrash(e); }
    state.files = state.files.filter((f) => f.name !== name);
    renderFiles();
    await runAnalysis();
    setBusy(false);
  });
}

function roleName(role) {
  if (role === 'ignore' || role === null || role === undefined || role === 'none') return t('role.ignore');
  const n = ROLE_NAMES[role];
  if (!n) return role;
  return getLang() === 'zh' ? `${n[0]} (${role})` : n[1];
}

function renderFiles() {
  const host = clear($('files'));
  for (const f of state.files) host.appendChild(fileCard(f));
  $('analysis-options').hidden = state.files.length === 0;
}

function fileCard(f) {
  const s = f.summary || {};
  const kindSelect = el('select', {
    class: 'file-kind', 'aria-label': t('file.kind'),
    onchange: (ev) => changeFileOptions(f.name, (o) => { o.kind = ev.target.value; o.columns = {}; }),
  }, KINDS.map((k) => el('option', { value: k, selected: k === s.kind }, t(`kind.${k}`))));
  const encSelect = el('select', {
    class: 'file-encoding', 'aria-label': t('file.encoding'),
    onchange: (ev) => changeFileOptions(f.name, (o) => { o.encoding = ev.target.value; }),
  }, ENCODINGS.map((e) => el('option', { value: e, selected: e === String(s.encoding).toLowerCase() }, e)));
  const labelInput = el('input', {
    type: 'text', class: 'file-source-label', value: f.options.source_label ?? '', placeholder: s.source_label || f.name,
    'aria-label': t('file.source_label'),
    onchange: (ev) => changeFileOptions(f.name, (o) => { o.source_label = ev.target.value.trim() || undefined; }),
  });

  const roles = [...new Set([...(s.roles_available || []), 'ignore'])];
  const columnItems = (s.columns || []).map((c) => {
    const current = c.role && c.role !== 'none' ? c.role : 'ignore';
    const opts = roles.includes(current) ? roles : [current, ...roles];
    const select = el('select', {
      class: 'column-role', dataset: { header: c.header }, 'aria-label': `${t('file.role')}: ${c.header}`,
      onchange: (ev) => changeFileOptions(f.name, (o) => { o.columns = { ...o.columns, [c.header]: ev.target.value }; }),
    }, opts.map((r) => el('option', { value: r, selected: r === current }, roleName(r))));
    const decided = c.decided_by ? t(`file.decided.${c.decided_by}`) : t('file.decided.auto');
    return el('div', { class: `col-item${current === 'ignore' ? ' ignored' : ''}`, dataset: { decidedBy: c.decided_by ?? '' } },
      el('div', { class: 'col-head' }, el('span', { class: 'col-name', title: c.header }, c.header), el('span', { class: 'col-by muted small' }, decided)),
      select);
  });

  const sample = s.sample && s.sample.length
    ? el('details', { class: 'sample' }, el('summary', {}, t('file.sample')),
      el('div', { class: 'table-wrap' }, table(s.headers || [], s.sample)))
    : null;

  return el('article', { class: 'file-card', dataset: { file: f.name, kind: s.kind ?? '' } },
    el('header', { class: 'file-head' },
      el('strong', { class: 'file-name' }, f.name),
      el('span', { class: 'muted small' }, fmt.bytes(f.file.size)),
      el('button', { type: 'button', class: 'btn-ghost file-remove', onclick: () => removeFile(f.name) }, t('file.remove'))),
    el('div', { class: 'file-meta' },
      el('label', {}, el('span', {}, t('file.kind')), kindSelect),
      el('label', {}, el('span', {}, t('file.encoding')), encSelect),
      el('span', {}, `${t('file.delimiter')}: `, el('code', {}, delimiterName(s.delimiter))),
      el('span', { class: 'file-rows', dataset: { value: s.rows ?? '' } }, `${t('file.rows')}: ${fmt.count(s.rows)}`),
      s.duplicate_rows ? el('span', { class: 'muted' }, `${t('warnings.duplicate_rows')}: ${fmt.count(s.duplicate_rows)}`) : null,
      s.rejected_rows ? el('span', { class: 'warn' }, `${t('warnings.rejected_rows')}: ${fmt.count(s.rejected_rows)}`) : null,
      s.kind === 'orders' ? el('label', {}, el('span', {}, t('file.source_label')), labelInput) : null),
    el('details', { class: 'columns', open: true },
      el('summary', {}, t('file.columns')),
      el('div', { class: 'col-grid' }, columnItems)),
    sample);
}

function delimiterName(d) {
  if (d === undefined || d === null) return '—';
  if (d === '\t') return 'TAB';
  if (d === '') return '—';
  return String(d);
}

// ---------------------------------------------------------------- analysis

function analysisOptions() {
  const o = {};
  if (state.userAsOf && $('as-of').value) o.as_of = $('as-of').value;
  const mode = $('dormancy-mode').value;
  if (mode && mode !== 'fixed') o.dormancy_mode = mode;
  const windowDays = Number.parseInt($('rfm-window').value, 10);
  if (Number.isFinite(windowDays) && windowDays > 0) o.rfm_window_days = windowDays;
  o.forecast = forecastOptions();
  const holdout = $('fc-holdout').value;
  if (holdout) o.holdout_from = holdout;
  return o;
}

/** The forecast controls as the engine's ForecastOptions; out-of-range entries are put back in range (and shown so). */
function forecastOptions() {
  const unit = $('fc-unit').value === '7' ? 7 : 1;
  let months = Number.parseInt($('fc-months').value, 10);
  if (!Number.isFinite(months) || months < 1) months = 12;
  months = Math.min(months, 600);
  $('fc-months').value = String(months);
  let pct = Number.parseFloat($('fc-discount').value);
  if (!Number.isFinite(pct) || pct < 0) pct = 1;
  pct = Math.min(pct, 100);
  $('fc-discount').value = String(pct);
  return { enabled: true, time_unit_days: unit, clv_months: months, discount: pct / 100 };
}

async function runAnalysis() {
  if (!state.files.length) {
    state.report = null;
    $('results').hidden = true;
    return;
  }
  showProgress(true);
  $('progress-bar').removeAttribute('value');
  $('progress-text').textContent = t('input.analyzing');
  let settingsError = null;
  try {
    const opts = analysisOptions();
    try {
      state.report = await engine.analyze(opts);
    } catch (e) {
      // A bad forecast setting (say a holdout date on or after the as-of date) should not blank
      // the page: analyse with the default forecast settings and say why.
      if (e.code !== 'invalid_option' || e.fatal) throw e;
      const retry = { ...opts };
      delete retry.forecast;
      delete retry.holdout_from;
      state.report = await engine.analyze(retry);
      settingsError = e;
    }
  } catch (e) {
    showProgress(false);
    if (e.code === 'cancelled') return;
    state.report = null;
    $('results').hidden = true;
    if (e.fatal) await recoverFromCrash(e);
    else showError(e);
    document.body.dataset.state = 'error';
    return;
  }
  showProgress(false);
  state.query.offset = 0;
  state.topClv = null;
  // Ask the worker for the top-CLV list and the first member page now: it computes them
  // while this thread draws the report. (Errors are handled where they are awaited.)
  const topClv = state.report.forecast ? engine.query(topClvQuery()) : null;
  const members = engine.query(currentQuery());
  for (const p of [topClv, members]) p?.catch(() => {});
  renderReport();
  if (settingsError) showError(settingsError, 'forecast.invalid_option');
  await loadTopClv(topClv);
  await loadMembers(members);
  state.reportSeq += 1;
  document.body.dataset.reportSeq = String(state.reportSeq);
}

function segmentName(key, seg) {
  if (seg) {
    const n = getLang() === 'zh' ? seg.name_zh : seg.name_en;
    if (n) return n;
  }
  return has(`segment.${key}`) ? t(`segment.${key}`) : key;
}

function labelFor(prefix, key) {
  if (key === null || key === undefined || key === '') return fmt.DASH;
  return has(`${prefix}.${key}`) ? t(`${prefix}.${key}`) : String(key);
}

function renderReport() {
  const r = state.report;
  $('results').hidden = false;
  if (!state.userAsOf && r.as_of) $('as-of').value = r.as_of;
  $('as-of-label').textContent = r.as_of ? t('inventory.as_of', { date: r.as_of }) : '';
  renderInventory(r.inventory || {});
  renderRfm(r.rfm || {});
  renderDormancy(r);
  renderSources(r);
  renderForecast(r.forecast);
  renderWarnings(r);
  renderFilters(r);
  renderMemberHead();
}

function renderInventory(inv) {
  const host = clear($('inventory'));
  for (const [key, f] of INVENTORY) {
    if (!(key in inv)) continue;
    const v = inv[key];
    host.appendChild(el('div', { class: 'card', dataset: { metric: key, value: typeof v === 'number' ? String(v) : '' } },
      el('div', { class: 'card-label' }, t(`metric.${key}`)),
      el('div', { class: 'card-value' }, f(v))));
  }
  const tiers = Object.entries(inv.tier_counts || {}).sort((a, b) => b[1] - a[1]);
  clear($('tier-table')).appendChild(tiers.length
    ? table([t('col.tier'), t('col.members')], tiers.map(([k, n]) => [k, fmt.count(n)]),
      { numeric: [1], rowAttrs: (i) => ({ dataset: { memberTier: tiers[i][0], members: tiers[i][1] } }) })
    : el('p', { class: 'muted' }, fmt.DASH));
  const bd = clear($('breakdown-tables'));
  for (const [key, title] of [['by_channel', 'inventory.by_channel_t'], ['by_store', 'inventory.by_store'], ['by_reg_channel', 'inventory.by_reg_channel']]) {
    const rows = inv[key] || [];
    if (!rows.length) continue;
    bd.appendChild(el('div', {}, el('h4', {}, t(title)), el('div', { class: 'table-wrap tall' }, breakdownTable(rows, key))));
  }
}

function breakdownTable(rows, key) {
  return table([t('col.label'), t('col.members'), t('col.buyers'), t('col.orders'), t('col.revenue')],
    rows.map((x) => [x.label, fmt.count(x.members), fmt.count(x.buyers), fmt.count(x.purchase_orders), fmt.money(x.revenue)]),
    { numeric: [1, 2, 3, 4], rowAttrs: (i) => ({ dataset: { breakdown: key, label: rows[i].label } }) });
}

function renderRfm(rfm) {
  const segs = rfm.segments || {};
  const keys = [...SEGMENTS, ...Object.keys(segs).filter((k) => !SEGMENTS.includes(k))];
  const rows = keys.map((k) => {
    const s = segs[k] || { members: 0, share: 0, revenue: 0, revenue_share: 0 };
    return { k, s };
  });
  clear($('rfm-table')).appendChild(table(
    [t('col.segment'), t('col.members'), t('col.share'), t('col.revenue'), t('col.revenue_share'), t('col.mean_r'), t('col.mean_f'), t('col.mean_m')],
    rows.map(({ k, s }) => [segmentName(k, s), fmt.count(s.members), fmt.rate(s.share), fmt.money(s.revenue), fmt.rate(s.revenue_share),
      fmt.decimal(s.mean_recency, 1), fmt.decimal(s.mean_frequency, 2), fmt.money(s.mean_monetary)]),
    { numeric: [1, 2, 3, 4, 5, 6, 7], rowAttrs: (i) => ({ dataset: { segment: rows[i].k, members: rows[i].s.members ?? 0, revenue: rows[i].s.revenue ?? 0 } }) }));

  const bp = rfm.breakpoints || {};
  const sm = rfm.score_means || {};
  const list = (a) => (Array.isArray(a) ? a.map((x) => fmt.decimal(x, 2)).join(' / ') : fmt.DASH);
  $('rfm-breakpoints').textContent = t('rfm.breakpoints', {
    r: list(bp.recency), f: list(bp.frequency), m: list(bp.monetary),
    mr: fmt.decimal(sm.r, 3), mf: fmt.decimal(sm.f, 3), mm: fmt.decimal(sm.m, 3),
  });

  charts.bar('chart-segments', rows.map(({ k, s }) => ({ label: segmentName(k, s), value: s.members ?? 0 })), { fmt: fmt.count });
  charts.pie('chart-revenue', rows.filter(({ s }) => (s.revenue ?? 0) > 0).map(({ k, s }) => ({ label: segmentName(k, s), value: s.revenue })), { fmt: fmt.money });
  if (Array.isArray(rfm.rf_heatmap)) {
    charts.heatmap('chart-heatmap', rfm.rf_heatmap, { rLabel: t('rfm.r_score'), fLabel: t('rfm.f_score'), fmt: fmt.count });
  }

  const ten = Object.entries(rfm.ten_segments || {});
  const tenHost = clear($('ten-segments'));
  if (ten.length) {
    tenHost.appendChild(el('h3', {}, t('rfm.ten')));
    tenHost.appendChild(table([t('col.segment'), t('col.members'), t('col.share'), t('col.revenue'), t('col.revenue_share')],
      ten.map(([name, v]) => [(getLang() === 'zh' ? v.name_zh : v.name_en) || name, fmt.count(v.members), fmt.rate(v.share), fmt.money(v.revenue), fmt.rate(v.revenue_share)]),
      { numeric: [1, 2, 3, 4], rowAttrs: (i) => ({ dataset: { tenSegment: ten[i][0], members: ten[i][1].members } }) }));
  }
}

function countTable(keys, counts, prefix, attr) {
  const total = keys.reduce((a, k) => a + (counts[k] ?? 0), 0);
  return table([t('col.tier'), t('col.members'), t('col.share')],
    keys.map((k) => [labelFor(prefix, k), fmt.count(counts[k] ?? 0), fmt.rate(total ? (counts[k] ?? 0) / total : null)]),
    { numeric: [1, 2], rowAttrs: (i) => ({ dataset: { [attr]: keys[i], members: counts[keys[i]] ?? 0 } }) });
}

function renderDormancy(r) {
  const d = r.dormancy || {};
  const buyers = d.buyers || {};
  const host = clear($('dormancy-table'));
  host.appendChild(countTable(DORMANCY, buyers, 'tier', 'tier'));
  if (Array.isArray(d.thresholds)) host.appendChild(el('p', { class: 'muted small' }, t('dormancy.thresholds', { t: d.thresholds.map((x) => fmt.decimal(x, 1)).join(' / ') })));
  charts.bar('chart-dormancy', DORMANCY.map((k) => ({ label: t(`tier.${k}`), value: buyers[k] ?? 0 })), { fmt: fmt.count, color: '#f0a020' });
  clear($('nonbuyer-table')).appendChild(countTable(NON_BUYER, d.non_buyers || {}, 'nb', 'nonbuyerTier'));
  const life = r.lifecycle || {};
  clear($('lifecycle-table')).appendChild(countTable(LIFECYCLE, life, 'life', 'lifecycle'));
  charts.bar('chart-lifecycle', LIFECYCLE.map((k) => ({ label: t(`life.${k}`), value: life[k] ?? 0 })), { fmt: fmt.count, color: '#19a37d' });
  clear($('repurchase-table')).appendChild(countTable(REPURCHASE, r.repurchase || {}, 'rep', 'repurchase'));
}

function renderSources(r) {
  const sources = r.sources || [];
  clear($('sources-table')).appendChild(sources.length
    ? table([t('col.sources'), t('col.members'), t('col.buyers'), t('col.orders'), t('col.revenue')],
      sources.map((s) => [s.label, fmt.count(s.members), fmt.count(s.buyers), fmt.count(s.purchase_orders), fmt.money(s.revenue)]),
      { numeric: [1, 2, 3, 4], rowAttrs: (i) => ({ dataset: { source: sources[i].label, buyers: sources[i].buyers } }) })
    : el('p', { class: 'muted' }, fmt.DASH));
  charts.bar('chart-sources', sources.map((s) => ({ label: s.label, value: s.revenue ?? 0 })), { fmt: fmt.money, color: '#7e57c2' });
  const overlap = r.source_overlap || [];
  clear($('overlap-table')).appendChild(overlap.length
    ? table([t('sources.pair'), t('col.buyers')], overlap.map((o) => [(o.sources || []).join(' ∩ '), fmt.count(o.buyers)]),
      { numeric: [1], rowAttrs: (i) => ({ dataset: { overlap: (overlap[i].sources || []).join('|'), buyers: overlap[i].buyers } }) })
    : el('p', { class: 'muted' }, fmt.DASH));
}

// ---------------------------------------------------------------- forecasts

const dayDate = (day) => (Number.isFinite(day) ? new Date(day * 86_400_000).toISOString().slice(0, 10) : fmt.DASH);
const num4 = (v) => fmt.decimal(v, 4);
const yesNo = (v) => (v === true ? t('forecast.yes') : v === false ? t('forecast.no') : fmt.DASH);

const BGNBD_PARAMS = [['r', num4], ['alpha', num4], ['a', num4], ['b', num4],
  ['log_likelihood', (v) => fmt.decimal(v, 2)], ['converged', yesNo], ['iterations', fmt.count]];
const GG_PARAMS = [['p', num4], ['q', num4], ['gamma', num4],
  ['log_likelihood', (v) => fmt.decimal(v, 2)], ['converged', yesNo], ['iterations', fmt.count], ['customers', fmt.count]];

function figureCard(key, value, formatted) {
  return el('div', { class: 'card', dataset: { forecast: key, value: typeof value === 'number' ? String(value) : '' } },
    el('div', { class: 'card-label' }, t(`fc.${key}`)),
    el('div', { class: 'card-value' }, formatted));
}

/** The forecast section: settings, notes, figures, parameters, churn bands, CLV, P(alive), holdout, top CLV. */
function renderForecast(fc) {
  const panel = $('forecast-panel');
  if (!fc || typeof fc !== 'object') { panel.hidden = true; return; }
  panel.hidden = false; // before the charts: ECharts needs the containers laid out

  const st = fc.settings || {};
  $('fc-settings').textContent = t('forecast.settings', {
    unit: t(st.time_unit === 'week' ? 'forecast.unit_week' : 'forecast.unit_day'),
    months: st.clv_months ?? fmt.DASH,
    discount: fmt.rate(st.discount, 2),
  });
  if (state.report?.as_of) $('fc-holdout').max = dayDate(Date.parse(state.report.as_of) / 86_400_000 - 1);

  const notes = clear($('forecast-notes'));
  const notFitted = Array.isArray(fc.not_fitted) ? fc.not_fitted : [];
  for (const n of notFitted) {
    notes.appendChild(el('p', { class: 'note warn', dataset: { notFitted: n.model ?? '' } },
      t('forecast.not_fitted', { model: has(`fc.${n.model}`) ? t(`fc.${n.model}`) : String(n.model), reason: n.reason ?? '' })));
  }
  if (notFitted.length) notes.appendChild(el('p', { class: 'muted small' }, t('forecast.not_fitted_hint')));

  const ep = fc.expected_purchases || {};
  const clv = fc.clv || {};
  const median = Array.isArray(clv.percentiles) ? clv.percentiles[2] : null;
  clear($('forecast-figures')).append(
    figureCard('expected_30d', ep['30d'], fmt.decimal(ep['30d'], 1)),
    figureCard('expected_90d', ep['90d'], fmt.decimal(ep['90d'], 1)),
    figureCard('expected_365d', ep['365d'], fmt.decimal(ep['365d'], 1)),
    figureCard('clv_total', clv.total, fmt.money(clv.total)),
    figureCard('clv_mean', clv.mean, fmt.money(clv.mean)),
    figureCard('clv_median', median, fmt.money(median)));

  const params = clear($('forecast-params'));
  params.append(paramTable('bgnbd', fc.bgnbd, BGNBD_PARAMS), paramTable('gamma_gamma', fc.gamma_gamma, GG_PARAMS));

  renderChurnBands(fc.churn_bands || {});
  renderClv(clv);
  renderPAlive(fc.p_alive_matrix);
  renderHoldout(fc.holdout, st);
  renderTopClv();
}

function paramTable(model, fit, spec) {
  const wrap = el('div', { class: 'param-block', dataset: { model } }, el('h4', {}, t(`fc.${model}`)));
  if (!fit) {
    wrap.appendChild(el('p', { class: 'warn', dataset: { notFittedCell: model } }, t('forecast.not_fitted_cell')));
    return wrap;
  }
  const keys = spec.filter(([k]) => k in fit);
  wrap.appendChild(table([t('forecast.param'), t('forecast.value')],
    keys.map(([k, f]) => [has(`fc.${k}`) ? t(`fc.${k}`) : k, f(fit[k])]),
    { className: 'data-table compact', numeric: [1],
      rowAttrs: (i) => ({ dataset: { param: `${model}.${keys[i][0]}`, value: String(fit[keys[i][0]]) } }) }));
  return wrap;
}

function renderChurnBands(bands) {
  const host = clear($('churn-bands'));
  const keys = [...CHURN, ...Object.keys(bands).filter((k) => !CHURN.includes(k))];
  const total = keys.reduce((a, k) => a + (bands[k] ?? 0), 0);
  const max = Math.max(1, ...keys.map((k) => bands[k] ?? 0));
  for (const k of keys) {
    const n = bands[k] ?? 0;
    const bar = el('span', { class: 'band-bar' });
    bar.style.width = `${(100 * n) / max}%`; // CSSOM, not a style attribute: allowed by the CSP
    host.appendChild(el('button', {
      type: 'button', class: `band-row band-${CHURN.includes(k) ? k : 'other'}${state.query.churn_band === k ? ' active' : ''}`,
      dataset: { churnBand: k, members: n }, 'aria-pressed': state.query.churn_band === k ? 'true' : 'false',
      onclick: () => filterChurn(k),
    },
    el('span', { class: 'band-label' }, labelFor('churn', k)),
    el('span', { class: 'band-track' }, bar),
    el('span', { class: 'band-count' }, fmt.count(n)),
    el('span', { class: 'band-share muted' }, fmt.rate(total ? n / total : null))));
  }
  host.appendChild(el('p', { class: 'muted small', dataset: { forecast: 'churn_total', value: total } }, t('forecast.churn_total', { n: fmt.count(total) })));
}

function filterChurn(band) {
  state.query.churn_band = state.query.churn_band === band ? '' : band;
  $('filter-churn').value = state.query.churn_band;
  state.query.offset = 0;
  for (const b of document.querySelectorAll('#churn-bands [data-churn-band]')) {
    const on = b.dataset.churnBand === state.query.churn_band;
    b.classList.toggle('active', on);
    b.setAttribute('aria-pressed', on ? 'true' : 'false');
  }
  requery();
  $('members-panel').scrollIntoView({ block: 'start' });
}

function renderClv(clv) {
  const bins = Array.isArray(clv.bins) ? clv.bins : [];
  const counts = Array.isArray(clv.counts) ? clv.counts : [];
  const edge = (v) => Math.round(v).toLocaleString(getLang() === 'zh' ? 'zh-CN' : 'en-US');
  charts.histogram('chart-clv', bins, counts, {
    fmtEdge: edge, fmtCount: fmt.count, xName: t('forecast.clv_axis'), yName: t('forecast.members_axis'), lastOpen: true, color: '#2f6fdb',
  });
  const p = Array.isArray(clv.percentiles) ? clv.percentiles : [];
  $('clv-percentiles').textContent = p.length === 5
    ? t('forecast.clv_percentiles', { p10: fmt.money(p[0]), p25: fmt.money(p[1]), p50: fmt.money(p[2]), p75: fmt.money(p[3]), p90: fmt.money(p[4]), n: fmt.count(clv.count) })
    : '';
}

function renderPAlive(matrix) {
  if (!Array.isArray(matrix) || !matrix.length) { charts.matrixHeatmap('chart-palive', [], { xLabels: [], yLabels: [] }); return; }
  const cols = Math.max(...matrix.map((r) => (Array.isArray(r) ? r.length : 0)));
  const yLabels = matrix.map((_, i) => (i === matrix.length - 1 && matrix.length === 11 ? '10+' : String(i)));
  const xLabels = Array.from({ length: cols }, (_, i) => String(i + 1));
  charts.matrixHeatmap('chart-palive', matrix, {
    xLabels, yLabels, xName: t('forecast.palive_x'), yName: t('forecast.palive_y'),
    fmt: (v) => v.toFixed(2), tip: (ri, ci) => t('forecast.palive_tip', { f: yLabels[ri], d: ci + 1 }),
  });
}

function renderHoldout(h, settings) {
  const block = $('holdout-block');
  if (!h || typeof h !== 'object') { block.hidden = true; return; }
  block.hidden = false;
  const fit = h.fit || {};
  $('holdout-window').textContent = t('forecast.holdout_window', {
    split: dayDate(h.split_day), start: dayDate(h.split_day + 1), end: dayDate(h.end_day),
    len: fmt.decimal(h.holdout_length, 1), unit: t(settings.time_unit === 'week' ? 'forecast.len_week' : 'forecast.len_day'),
    r: num4(fit.r), alpha: num4(fit.alpha), a: num4(fit.a), b: num4(fit.b),
  });
  clear($('holdout-figures')).append(
    figureCard('holdout_customers', h.customers, fmt.count(h.customers)),
    figureCard('holdout_total_actual', h.total_actual, fmt.decimal(h.total_actual, 1)),
    figureCard('holdout_total_predicted', h.total_predicted, fmt.decimal(h.total_predicted, 1)),
    figureCard('holdout_mae', h.mean_absolute_error, fmt.decimal(h.mean_absolute_error, 3)),
    figureCard('holdout_bucket_mae', h.bucket_mean_absolute_error, fmt.decimal(h.bucket_mean_absolute_error, 3)));
  const buckets = Array.isArray(h.buckets) ? h.buckets : [];
  const last = buckets.length - 1;
  const cats = buckets.map((b, i) => (i === last && last >= 7 ? `${b.calibration_frequency}+` : String(b.calibration_frequency)));
  charts.calibration('chart-holdout', cats,
    { name: t('forecast.holdout_actual'), values: buckets.map((b) => b.mean_actual) },
    { name: t('forecast.holdout_predicted'), values: buckets.map((b) => b.mean_predicted) },
    { xName: t('forecast.holdout_axis'), fmt: (v) => fmt.decimal(v, 3) });
}

function topClvQuery() {
  return { sort: 'clv', desc: true, offset: 0, limit: TOP_CLV };
}

/** Shows the top-CLV list; `pending` is the query already sent, if any. */
async function loadTopClv(pending = null) {
  if (!state.report?.forecast) { state.topClv = []; renderTopClv(); return; }
  try {
    const page = await (pending ?? engine.query(topClvQuery()));
    state.topClv = page.rows || [];
  } catch (e) {
    if (e.fatal) { await recoverFromCrash(e); return; }
    showError(e);
    state.topClv = [];
  }
  renderTopClv();
}

const TOP_COLUMNS = ['member_id', 'name', 'frequency', 'monetary', 'p_alive', 'expected_purchases_365d', 'expected_spend', 'clv', 'churn_band'];

function renderTopClv() {
  const host = clear($('top-clv'));
  const rows = state.topClv;
  if (rows === null) { host.appendChild(el('p', { class: 'muted' }, '…')); return; }
  if (!rows.length) { host.appendChild(el('p', { class: 'muted' }, t('forecast.no_rows'))); return; }
  const numeric = new Set(['frequency', 'monetary', 'p_alive', 'expected_purchases_365d', 'expected_spend', 'clv']);
  host.appendChild(table([t('fc.rank'), ...TOP_COLUMNS.map((c) => (has(`m.${c}`) ? t(`m.${c}`) : c))],
    rows.map((r, i) => [String(i + 1), ...TOP_COLUMNS.map((c) => memberCell(c, c === 'member_id' ? (r.member_id ?? r.phone ?? r.email) : r[c]))]),
    { className: 'data-table compact', numeric: [0, ...TOP_COLUMNS.map((c, i) => (numeric.has(c) ? i + 1 : -1)).filter((i) => i > 0)],
      rowAttrs: (i) => ({ dataset: { topClv: i + 1, memberId: rows[i].member_id ?? '', clv: rows[i].clv ?? '' } }) }));
}

function renderWarnings(r) {
  const files = r.files || [];
  clear($('file-stats')).appendChild(table(
    [t('warnings.file'), t('warnings.kind'), t('warnings.encoding'), t('warnings.rows'), t('warnings.accepted'),
      t('warnings.duplicate_rows'), t('warnings.rejected_rows'), t('warnings.after_as_of_rows'), t('warnings.reasons')],
    files.map((f) => [f.name, labelFor('kind', f.kind), f.encoding ?? fmt.DASH, fmt.count(f.rows), fmt.count(f.accepted),
      fmt.count(f.duplicate_rows), fmt.count(f.rejected_rows), fmt.count(f.after_as_of_rows),
      Object.entries(f.reject_reasons || {}).map(([k, n]) => `${k} × ${n}`).join('；') || fmt.DASH]),
    { numeric: [3, 4, 5, 6, 7], rowAttrs: (i) => ({ dataset: { fileStats: files[i].name, rows: files[i].rows, duplicateRows: files[i].duplicate_rows, rejectedRows: files[i].rejected_rows } }) }));
  const warnings = r.warnings || [];
  const host = clear($('warnings'));
  if (!warnings.length) { host.appendChild(el('p', { class: 'muted' }, t('warnings.none'))); return; }
  const shown = warnings.slice(0, 500);
  host.appendChild(el('div', { class: 'table-wrap tall' }, table(
    [t('warnings.file'), t('warnings.line'), t('warnings.column'), t('warnings.kind'), t('warnings.reason')],
    shown.map((w) => [w.file ?? fmt.DASH, w.line ?? fmt.DASH, w.column ?? fmt.DASH, w.kind ?? fmt.DASH, w.reason ?? fmt.DASH]),
    { className: 'data-table compact', rowAttrs: (i) => ({ dataset: { warningKind: shown[i].kind ?? '', line: shown[i].line ?? '' } }) })));
  if (warnings.length > shown.length) host.appendChild(el('p', { class: 'muted small' }, `… ${warnings.length - shown.length}`));
}

// ---------------------------------------------------------------- member table

function memberColumns() {
  const first = state.page.rows[0];
  const extra = first ? FORECAST_COLUMNS.filter((c) => c in first) : (state.report && state.report.forecast ? FORECAST_COLUMNS : []);
  return [...MEMBER_COLUMNS, ...extra];
}

function fillSelect(select, allKey, options, current) {
  clear(select);
  select.appendChild(el('option', { value: '' }, t(allKey)));
  for (const [value, label] of options) select.appendChild(el('option', { value, selected: value === current }, label));
}

function renderFilters(r) {
  fillSelect($('filter-segment'), 'members.all_segments', SEGMENTS.map((k) => [k, segmentName(k, r.rfm?.segments?.[k])]), state.query.segment);
  fillSelect($('filter-dormancy'), 'members.all_dormancy', DORMANCY.map((k) => [k, t(`tier.${k}`)]), state.query.dormancy);
  fillSelect($('filter-lifecycle'), 'members.all_lifecycle', LIFECYCLE.map((k) => [k, t(`life.${k}`)]), state.query.lifecycle);
  const labels = (r.sources || []).map((s) => s.label);
  if (state.query.source && !labels.includes(state.query.source)) state.query.source = '';
  fillSelect($('filter-source'), 'members.all_sources', labels.map((l) => [l, l]), state.query.source);
  if (!r.forecast) state.query.churn_band = '';
  fillSelect($('filter-churn'), 'members.all_churn', CHURN.map((k) => [k, t(`churn.${k}`)]), state.query.churn_band);
  $('filter-churn').hidden = !r.forecast;
}

function renderMemberHead() {
  const head = clear($('member-table').tHead);
  const tr = el('tr');
  for (const c of memberColumns()) {
    const sorted = state.query.sort === c;
    tr.appendChild(el('th', {
      class: `${NUMERIC_MEMBER_COLUMNS.has(c) ? 'num ' : ''}sortable${sorted ? (state.query.desc ? ' desc' : ' asc') : ''}`,
      dataset: { column: c }, 'aria-sort': sorted ? (state.query.desc ? 'descending' : 'ascending') : null, tabindex: '0',
      onclick: () => sortBy(c),
      onkeydown: (ev) => { if (ev.key === 'Enter') sortBy(c); },
    }, has(`m.${c}`) ? t(`m.${c}`) : c));
  }
  head.appendChild(tr);
}

function memberCell(c, v) {
  if (c === 'segment') return v ? segmentName(v, state.report?.rfm?.segments?.[v]) : fmt.DASH;
  if (c === 'dormancy') return labelFor('tier', v);
  if (c === 'lifecycle') return labelFor('life', v);
  if (c === 'repurchase_status') return labelFor('rep', v);
  if (c === 'churn_band' || (c === 'churn_risk' && typeof v === 'string')) return labelFor('churn', v);
  if (c === 'monetary' || c === 'clv' || c === 'expected_spend') return typeof v === 'number' ? v.toFixed(2) : fmt.DASH;
  if (c === 'p_alive' || c === 'churn_risk') return typeof v === 'number' ? v.toFixed(3) : fmt.DASH;
  return fmt.cell(v);
}

function renderMemberRows() {
  const body = clear($('member-table').tBodies[0]);
  const cols = memberColumns();
  const frag = document.createDocumentFragment();
  for (const row of state.page.rows) {
    frag.appendChild(el('tr', { dataset: { memberId: row.member_id ?? '' } },
      cols.map((c) => el('td', { class: NUMERIC_MEMBER_COLUMNS.has(c) ? 'num' : null }, memberCell(c, row[c])))));
  }
  body.appendChild(frag);
  const pages = Math.max(1, Math.ceil(state.page.total / PAGE_SIZE));
  const page = Math.floor(state.query.offset / PAGE_SIZE) + 1;
  const info = $('page-info');
  info.textContent = t('members.page', { page, pages, total: fmt.count(state.page.total) });
  info.dataset.total = String(state.page.total);
  $('page-prev').disabled = page <= 1;
  $('page-next').disabled = page >= pages;
  document.body.dataset.membersSeq = String(Number(document.body.dataset.membersSeq || 0) + 1);
}

function currentQuery({ paged = true } = {}) {
  const q = {};
  for (const k of ['search', 'segment', 'dormancy', 'lifecycle', 'source', 'churn_band', 'sort']) if (state.query[k]) q[k] = state.query[k];
  if (state.query.sort) q.desc = state.query.desc;
  if (paged) { q.offset = state.query.offset; q.limit = state.query.limit; }
  return q;
}

/** Shows the current member page; `pending` is the query already sent, if any. */
async function loadMembers(pending = null) {
  if (!state.report) return;
  try {
    state.page = await (pending ?? engine.query(currentQuery()));
  } catch (e) {
    // Sent before a crash that was already recovered from: ask the new worker instead.
    if (pending && e.code === 'restarted') { await loadMembers(); return; }
    if (e.fatal) { await recoverFromCrash(e); return; }
    showError(e);
    state.page = { total: 0, rows: [] };
  }
  const hadForecastCols = $('member-table').tHead.querySelectorAll('th').length !== memberColumns().length;
  if (hadForecastCols) renderMemberHead();
  renderMemberRows();
}

function requery() {
  return enqueue(async () => {
    const body = document.body;
    body.dataset.membersState = 'loading';
    await loadMembers();
    body.dataset.membersState = 'ready';
  });
}

function sortBy(column) {
  if (state.query.sort === column) state.query.desc = !state.query.desc;
  else { state.query.sort = column; state.query.desc = NUMERIC_MEMBER_COLUMNS.has(column); }
  state.query.offset = 0;
  renderMemberHead();
  requery();
}

async function exportMembers(format) {
  await enqueue(async () => {
    try {
      const bytes = await engine.exportMembers(currentQuery({ paged: false }), format);
      const mime = format === 'xlsx'
        ? 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'
        : 'text/csv;charset=utf-8';
      const blob = new Blob([bytes], { type: mime });
      const url = URL.createObjectURL(blob);
      const tag = state.query.segment || state.query.dormancy || state.query.lifecycle || (state.query.churn_band && `churn-${state.query.churn_band}`) || 'all';
      const a = el('a', { href: url, download: `memberlens-${tag}-${state.report?.as_of ?? 'members'}.${format}` });
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
    } catch (e) {
      if (e.fatal) await recoverFromCrash(e);
      else showError(e);
    }
  });
}

// ---------------------------------------------------------------- demo

async function loadDemo() {
  const files = [];
  for (const name of DEMO_FILES) {
    const res = await fetch(`demo/${name}`);
    if (!res.ok) { showError({ message: `demo/${name}: HTTP ${res.status}`, message_zh: `示例文件 ${name} 无法载入（HTTP ${res.status}）` }); return; }
    files.push(new File([await res.blob()], name, { type: 'text/csv' }));
  }
  await addFiles(files);
}

// ---------------------------------------------------------------- wiring

function rerenderAll() {
  applyStatic();
  $('lang-switch').textContent = t('lang.switch');
  renderFiles();
  if (state.report) { renderReport(); renderMemberRows(); }
}

function wire() {
  const input = $('file-input');
  input.addEventListener('change', () => { const fl = [...input.files]; input.value = ''; addFiles(fl); });
  const dz = $('dropzone');
  dz.addEventListener('dragover', (ev) => { ev.preventDefault(); dz.classList.add('over'); });
  dz.addEventListener('dragleave', () => dz.classList.remove('over'));
  dz.addEventListener('drop', (ev) => { ev.preventDefault(); dz.classList.remove('over'); addFiles(ev.dataTransfer.files); });
  $('demo-button').addEventListener('click', () => loadDemo());
  $('cancel-button').addEventListener('click', () => {
    // Terminate the worker (the only way to stop Wasm mid-call) and start a fresh one; the files
    // already added are read again. Cancelling a read re-analyses the rest; cancelling an analysis does not.
    const reading = state.loading;
    engine.restart();
    showVersion();
    enqueue(async () => {
      setBusy(true);
      await reloadAll();
      if (reading) await runAnalysis();
      const msg = reading ? t('input.cancelled', { name: reading }) : t('input.cancelled_analysis');
      showError({ message: msg, message_zh: msg });
      setBusy(false);
    });
  });
  $('error-dismiss').addEventListener('click', hideError);
  $('lang-switch').addEventListener('click', () => { setLang(getLang() === 'zh' ? 'en' : 'zh'); document.body.dataset.lang = getLang(); rerenderAll(); });
  const reanalyze = () => enqueue(async () => { setBusy(true); hideError(); await runAnalysis(); setBusy(false); });
  $('as-of').addEventListener('change', () => { state.userAsOf = Boolean($('as-of').value); reanalyze(); });
  $('dormancy-mode').addEventListener('change', reanalyze);
  $('rfm-window').addEventListener('change', reanalyze);
  $('reanalyze').addEventListener('click', reanalyze);
  for (const id of ['fc-unit', 'fc-months', 'fc-discount', 'fc-holdout']) $(id).addEventListener('change', reanalyze);
  $('fc-holdout-clear').addEventListener('click', () => { if ($('fc-holdout').value) { $('fc-holdout').value = ''; reanalyze(); } });

  let searchTimer = null;
  $('member-search').addEventListener('input', (ev) => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(() => { state.query.search = ev.target.value.trim(); state.query.offset = 0; requery(); }, 250);
  });
  for (const [id, key] of [['filter-segment', 'segment'], ['filter-dormancy', 'dormancy'], ['filter-lifecycle', 'lifecycle'], ['filter-source', 'source'], ['filter-churn', 'churn_band']]) {
    $(id).addEventListener('change', (ev) => {
      state.query[key] = ev.target.value;
      state.query.offset = 0;
      if (key === 'churn_band') {
        for (const b of document.querySelectorAll('#churn-bands [data-churn-band]')) {
          b.classList.toggle('active', b.dataset.churnBand === state.query.churn_band);
          b.setAttribute('aria-pressed', b.dataset.churnBand === state.query.churn_band ? 'true' : 'false');
        }
      }
      requery();
    });
  }
  $('page-prev').addEventListener('click', () => { state.query.offset = Math.max(0, state.query.offset - PAGE_SIZE); requery(); });
  $('page-next').addEventListener('click', () => { state.query.offset += PAGE_SIZE; requery(); });
  $('export-csv').addEventListener('click', () => exportMembers('csv'));
  $('export-xlsx').addEventListener('click', () => exportMembers('xlsx'));
  let resizeTimer = null;
  window.addEventListener('resize', () => { clearTimeout(resizeTimer); resizeTimer = setTimeout(charts.resizeAll, 150); });
  // A last line of defence: nothing on the page should fail silently.
  window.addEventListener('unhandledrejection', (ev) => { showError(ev.reason || {}); });
}

function main() {
  const params = new URLSearchParams(location.search);
  if (params.get('lang') === 'en') setLang('en');
  document.body.dataset.lang = getLang();
  applyStatic();
  $('lang-switch').textContent = t('lang.switch');
  wire();
  showVersion();
  engine.version.then(() => { if (document.body.dataset.state === 'loading') document.body.dataset.state = 'empty'; }, () => {});
}

main();

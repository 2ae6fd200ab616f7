// Forecasts (价值预测: BG/NBD, Gamma-Gamma, CLV, churn risk): the settings used, models that
// could not be fitted, headline figures, parameters, churn bands, the CLV histogram, the
// P(alive) matrix, the holdout check and the top members by CLV.

import { el, table } from '../dom.js';
import { formats } from '../format.js';
import { labelFor } from './labels.js';
import { columnLabel, isNumeric, memberCell } from './members.js';
import { render as renderDiagnostics } from './diagnostics.js';

/** @typedef {import('../types/report').Report} Report */
/** @typedef {import('../types/report').ForecastReport} ForecastReport */
/** @typedef {import('../types/report').MemberRow} MemberRow */
/** @typedef {import('../types/report').Column} Column */
/** @typedef {import('../i18n/index.js').Translate} Translate */
/** @typedef {import('../format.js').Formats} Formats */
/** @typedef {import('./mount.js').SectionView} SectionView */
/** @typedef {import('../charts.js').ChartSpec} ChartSpec */
/** @typedef {NonNullable<ForecastReport['holdout']>} Holdout */
/** @typedef {[string, (v: any) => string][]} ParamSpec */

const DAY_MS = 86_400_000;

/** A day number (days since 1970-01-01) as YYYY-MM-DD. @param {number} day */
export const dayDate = (day) => (Number.isFinite(day) ? new Date(day * DAY_MS).toISOString().slice(0, 10) : '—');

/**
 * A report day as a day number: engines before the `Day` type sent numbers, later ones `YYYY-MM-DD`.
 * @param {number | string | null | undefined} day
 */
export const dayNumber = (day) => (typeof day === 'string' ? Date.parse(day) / DAY_MS : Number(day ?? Number.NaN));

/** The churn bands the page styles; others (if the engine adds some) get a neutral style. */
const STYLED_BANDS = ['low', 'medium', 'high'];

/** Columns of the top-CLV list. */
export const TOP_COLUMNS = ['member_id', 'name', 'frequency', 'monetary', 'p_alive', 'expected_purchases_365d', 'expected_spend', 'clv', 'churn_band'];

/**
 * Where the forecasts stand: `off` (not asked for), `waiting` or `computing` (the results are
 * drawn, the forecasts follow), `done`, `failed`.
 * @typedef {'off' | 'waiting' | 'computing' | 'done' | 'failed'} ForecastState
 */

/**
 * The forecast section; hidden when the report has no forecast. While the forecasts are
 * computed after the results (`state` waiting or computing), the section says so, with its own
 * progress bar, in place of the figures.
 * @param {Report} report
 * @param {Translate} t
 * @param {ForecastState} [state]  `done` when left out
 * @returns {SectionView}
 */
export function render(report, t, state = 'done') {
  if (state === 'waiting' || state === 'computing' || state === 'failed') {
    const busy = state !== 'failed';
    return {
      hidden: { 'forecast-panel': false, 'forecast-body': true, 'forecast-status': false },
      data: { 'forecast-panel': { forecastState: state } },
      slots: {
        'forecast-status': [
          el('p', {}, t(busy ? 'forecast.computing' : 'forecast.failed')),
          busy ? el('progress', { class: 'forecast-progress', 'aria-label': t('forecast.computing') }) : null,
        ],
      },
    };
  }
  const fc = report.forecast;
  if (!fc || typeof fc !== 'object') {
    return { hidden: { 'forecast-panel': true, 'forecast-status': true }, data: { 'forecast-panel': { forecastState: state } } };
  }
  const fmt = formats(t.lang);
  const num4 = (/** @type {unknown} */ v) => fmt.decimal(v, 4);
  const yesNo = (/** @type {unknown} */ v) => (v === true ? t('forecast.yes') : v === false ? t('forecast.no') : fmt.DASH);
  /** @type {ParamSpec} */
  const bgnbdParams = [['r', num4], ['alpha', num4], ['a', num4], ['b', num4],
    ['log_likelihood', (v) => fmt.decimal(v, 2)], ['converged', yesNo], ['iterations', fmt.count]];
  /** @type {ParamSpec} */
  const ggParams = [['p', num4], ['q', num4], ['gamma', num4],
    ['log_likelihood', (v) => fmt.decimal(v, 2)], ['converged', yesNo], ['iterations', fmt.count], ['customers', fmt.count]];

  const st = fc.settings || /** @type {Partial<ForecastReport['settings']>} */ ({});
  const notFitted = Array.isArray(fc.not_fitted) ? fc.not_fitted : [];
  const ep = fc.expected_purchases || {};
  const clv = fc.clv || /** @type {Partial<ForecastReport['clv']>} */ ({});
  const median = Array.isArray(clv.percentiles) ? clv.percentiles[2] : null;
  const holdout = renderHoldout(fc.holdout, st.time_unit, t, fmt);

  return {
    // Shown before the charts are drawn: ECharts needs the containers laid out.
    hidden: { 'forecast-panel': false, 'forecast-body': false, 'forecast-status': true, ...holdout.hidden },
    data: { 'forecast-panel': { forecastState: state } },
    props: report.as_of ? { 'fc-holdout': { max: dayDate(Date.parse(report.as_of) / DAY_MS - 1) } } : {},
    slots: {
      'fc-settings': t('forecast.settings', {
        unit: t(st.time_unit === 'week' ? 'forecast.unit_week' : 'forecast.unit_day'),
        months: st.clv_months ?? fmt.DASH,
        discount: fmt.rate(st.discount, 2),
      }),
      'forecast-notes': [
        ...notFitted.map((n) => el('p', { class: 'note warn', dataset: { notFitted: n.model ?? '' } },
          t('forecast.not_fitted', { model: t.has(`fc.${n.model}`) ? t(`fc.${n.model}`) : String(n.model), reason: n.reason ?? '' }))),
        notFitted.length ? el('p', { class: 'muted small' }, t('forecast.not_fitted_hint')) : null,
      ],
      'forecast-figures': [
        figureCard('expected_30d', ep['30d'], fmt.decimal(ep['30d'], 1), t),
        figureCard('expected_90d', ep['90d'], fmt.decimal(ep['90d'], 1), t),
        figureCard('expected_365d', ep['365d'], fmt.decimal(ep['365d'], 1), t),
        figureCard('clv_total', clv.total, fmt.money(clv.total), t),
        figureCard('clv_mean', clv.mean, fmt.money(clv.mean), t),
        figureCard('clv_median', median, fmt.money(median), t),
      ],
      'forecast-params': [
        paramTable('bgnbd', fc.bgnbd, bgnbdParams, t), paramTable('gamma_gamma', fc.gamma_gamma, ggParams, t),
        el('p', { class: 'muted small' }, t('forecast.converged_note')),
      ],
      'forecast-compare': [
        compareTable('purchase', fc.purchase_model, t, fmt),
        compareTable('spend', fc.spend_model, t, fmt),
        totalsInterval(fc.totals_interval_95, t, fmt),
        el('p', { class: 'muted small' }, t('forecast.compare_note')),
        renderDiagnostics(report, t),
      ],
      'churn-bands': churnBands(fc.churn_bands || {}, t, fmt),
      'clv-percentiles': clvPercentiles(clv, t, fmt),
      ...holdout.slots,
    },
    charts: [clvChart(clv, t, fmt), pAliveChart(fc.p_alive_matrix, t), ...(holdout.charts ?? [])],
  };
}

/** Parameter names as written in the models' formulas. */
const SYMBOLS = /** @type {Record<string, string>} */ ({ alpha: 'α', beta: 'β', gamma: 'γ', lambda: 'λ', nu: 'ν' });

/**
 * The candidate models side by side: parameters with their 95% intervals, log-likelihood,
 * AIC, and which one the member forecasts use (the lowest AIC).
 * @param {string} kind @param {unknown} choice @param {Translate} t @param {Formats} fmt
 */
function compareTable(kind, choice, t, fmt) {
  const c = /** @type {{ chosen?: string, candidates?: Array<Record<string, any>> } | null} */ (choice);
  if (!c || !Array.isArray(c.candidates)) return null;
  const num = (/** @type {unknown} */ v) => fmt.decimal(v, 4);
  const rows = c.candidates.map((m) => {
    const params = m.parameters && typeof m.parameters === 'object' ? Object.entries(m.parameters) : [];
    const iv = m.interval_95 && typeof m.interval_95 === 'object' ? m.interval_95 : {};
    const text = params.map(([k, v]) => {
      const i = Array.isArray(iv[k]) ? ` [${num(iv[k][0])}, ${num(iv[k][1])}]` : '';
      return `${SYMBOLS[k] ?? k} = ${num(v)}${i}`;
    }).join('; ');
    return [
      t.has(`fc.${m.model}`) ? t(`fc.${m.model}`) : String(m.model),
      params.length ? text : (m.reason ?? t('forecast.not_fitted_cell')),
      fmt.decimal(m.log_likelihood, 1),
      fmt.decimal(m.aic, 1),
      m.model === c.chosen ? t('forecast.chosen') : '',
    ];
  });
  return el('div', { class: 'param-block', dataset: { compare: kind, chosen: c.chosen ?? '' } },
    el('h4', {}, t(`forecast.compare_${kind}`)),
    table([t('forecast.col_model'), t('forecast.col_params'), t('forecast.col_ll'), t('forecast.col_aic'), t('forecast.col_chosen')], rows,
      { className: 'data-table compact', numeric: [2, 3],
        rowAttrs: (i) => ({ dataset: { model: String(c.candidates?.[i]?.model ?? ''), chosen: String(c.candidates?.[i]?.model === c.chosen) } }) }));
}

/**
 * The headline totals' 95% intervals, so a consultant can say "between X and Y".
 * @param {unknown} totals @param {Translate} t @param {Formats} fmt
 */
function totalsInterval(totals, t, fmt) {
  const iv = /** @type {Record<string, [number, number] | null> | null} */ (totals);
  if (!iv || typeof iv !== 'object') return null;
  const range = (/** @type {string} */ k, /** @type {(v: unknown) => string} */ f) =>
    (Array.isArray(iv[k]) ? `${f(iv[k]?.[0])} – ${f(iv[k]?.[1])}` : fmt.DASH);
  const one = (/** @type {unknown} */ v) => fmt.decimal(v, 1);
  return el('p', { dataset: { totalsInterval: '' } }, t('forecast.totals_interval', {
    p30: range('purchases_30d', one), p90: range('purchases_90d', one), p365: range('purchases_365d', one),
    clv: range('clv', fmt.money),
  }));
}

/** @param {string} key @param {unknown} value @param {string} formatted @param {Translate} t */
function figureCard(key, value, formatted, t) {
  return el('div', { class: 'card', dataset: { forecast: key, value: typeof value === 'number' ? String(value) : '' } },
    el('div', { class: 'card-label' }, t(`fc.${key}`)),
    el('div', { class: 'card-value' }, formatted));
}

/**
 * One model's parameters, each row carrying the raw value; "not fitted" when the model is missing.
 * @param {string} model @param {object | null | undefined} fit @param {ParamSpec} spec @param {Translate} t
 */
function paramTable(model, fit, spec, t) {
  const wrap = el('div', { class: 'param-block', dataset: { model } }, el('h4', {}, t(`fc.${model}`)));
  if (!fit) {
    wrap.appendChild(el('p', { class: 'warn', dataset: { notFittedCell: model } }, t('forecast.not_fitted_cell')));
    return wrap;
  }
  const values = /** @type {Record<string, unknown>} */ (fit);
  const keys = spec.filter(([k]) => k in values);
  wrap.appendChild(table([t('forecast.param'), t('forecast.value')],
    keys.map(([k, f]) => [t.has(`fc.${k}`) ? t(`fc.${k}`) : k, f(values[k])]),
    { className: 'data-table compact', numeric: [1],
      rowAttrs: (i) => ({ dataset: { param: `${model}.${keys[i][0]}`, value: String(values[keys[i][0]]) } }) }));
  return wrap;
}

/**
 * Buyers per churn band as buttons that filter the member table (the wiring listens on #churn-bands).
 * @param {Record<string, number>} bands @param {Translate} t @param {Formats} fmt
 */
function churnBands(bands, t, fmt) {
  const keys = Object.keys(bands);
  const total = keys.reduce((a, k) => a + (bands[k] ?? 0), 0);
  const max = Math.max(1, ...keys.map((k) => bands[k] ?? 0));
  const rows = keys.map((k) => {
    const n = bands[k] ?? 0;
    const bar = el('span', { class: 'band-bar' });
    bar.style.width = `${(100 * n) / max}%`; // CSSOM, not a style attribute: allowed by the CSP
    return el('button', {
      type: 'button', class: `band-row band-${STYLED_BANDS.includes(k) ? k : 'other'}`,
      dataset: { churnBand: k, members: n }, 'aria-pressed': 'false',
    },
    el('span', { class: 'band-label' }, labelFor('churn', k, t)),
    el('span', { class: 'band-track' }, bar),
    el('span', { class: 'band-count' }, fmt.count(n)),
    el('span', { class: 'band-share muted' }, fmt.rate(total ? n / total : null)));
  });
  return [...rows, el('p', { class: 'muted small', dataset: { forecast: 'churn_total', value: total } }, t('forecast.churn_total', { n: fmt.count(total) }))];
}

/** @param {Partial<ForecastReport['clv']>} clv @param {Translate} t @param {Formats} fmt */
function clvPercentiles(clv, t, fmt) {
  const p = Array.isArray(clv.percentiles) ? clv.percentiles : [];
  return p.length === 5
    ? t('forecast.clv_percentiles', { p10: fmt.money(p[0]), p25: fmt.money(p[1]), p50: fmt.money(p[2]), p75: fmt.money(p[3]), p90: fmt.money(p[4]), n: fmt.count(clv.count) })
    : '';
}

/** @param {Partial<ForecastReport['clv']>} clv @param {Translate} t @param {Formats} fmt @returns {ChartSpec} */
function clvChart(clv, t, fmt) {
  const bins = Array.isArray(clv.bins) ? clv.bins : [];
  const counts = Array.isArray(clv.counts) ? clv.counts : [];
  const edge = (/** @type {number} */ v) => Math.round(v).toLocaleString(fmt.locale);
  return {
    kind: 'histogram', id: 'chart-clv', bins, counts,
    options: { fmtEdge: edge, fmtCount: fmt.count, xName: t('forecast.clv_axis'), yName: t('forecast.members_axis'), lastOpen: true, color: '#2f6fdb' },
  };
}

/** @param {ForecastReport['p_alive_matrix'] | undefined} matrix @param {Translate} t @returns {ChartSpec} */
function pAliveChart(matrix, t) {
  if (!Array.isArray(matrix) || !matrix.length) return { kind: 'matrixHeatmap', id: 'chart-palive', matrix: [], options: { xLabels: [], yLabels: [] } };
  const cols = Math.max(...matrix.map((r) => (Array.isArray(r) ? r.length : 0)));
  const yLabels = matrix.map((_, i) => (i === matrix.length - 1 && matrix.length === 11 ? '10+' : String(i)));
  const xLabels = Array.from({ length: cols }, (_, i) => String(i + 1));
  return {
    kind: 'matrixHeatmap', id: 'chart-palive', matrix,
    options: {
      xLabels, yLabels, xName: t('forecast.palive_x'), yName: t('forecast.palive_y'),
      fmt: (v) => v.toFixed(2), tip: (ri, ci) => t('forecast.palive_tip', { f: yLabels[ri], d: ci + 1 }),
    },
  };
}

/**
 * The holdout check: shown only when the report has one.
 * @param {Holdout | null | undefined} h @param {string | undefined} timeUnit @param {Translate} t @param {Formats} fmt
 * @returns {SectionView}
 */
function renderHoldout(h, timeUnit, t, fmt) {
  if (!h || typeof h !== 'object') return { hidden: { 'holdout-block': true } };
  const num4 = (/** @type {unknown} */ v) => fmt.decimal(v, 4);
  const fit = h.fit || /** @type {Partial<NonNullable<Holdout['fit']>>} */ ({});
  const buckets = Array.isArray(h.buckets) ? h.buckets : [];
  const last = buckets.length - 1;
  const cats = buckets.map((b, i) => (i === last && last >= 7 ? `${b.calibration_frequency}+` : String(b.calibration_frequency)));
  return {
    hidden: { 'holdout-block': false },
    slots: {
      'holdout-window': t('forecast.holdout_window', {
        split: dayDate(dayNumber(h.split_day)), start: dayDate(dayNumber(h.split_day) + 1), end: dayDate(dayNumber(h.end_day)),
        len: fmt.decimal(h.holdout_length, 1), unit: t(timeUnit === 'week' ? 'forecast.len_week' : 'forecast.len_day'),
        r: num4(fit.r), alpha: num4(fit.alpha), a: num4(fit.a), b: num4(fit.b),
      }),
      'holdout-figures': [
        figureCard('holdout_customers', h.customers, fmt.count(h.customers), t),
        figureCard('holdout_total_actual', h.total_actual, fmt.decimal(h.total_actual, 1), t),
        figureCard('holdout_total_predicted', h.total_predicted, fmt.decimal(h.total_predicted, 1), t),
        figureCard('holdout_mae', h.mean_absolute_error, fmt.decimal(h.mean_absolute_error, 3), t),
        figureCard('holdout_bucket_mae', h.bucket_mean_absolute_error, fmt.decimal(h.bucket_mean_absolute_error, 3), t),
      ],
    },
    charts: [{
      kind: 'calibration', id: 'chart-holdout', categories: cats,
      actual: { name: t('forecast.holdout_actual'), values: buckets.map((b) => b.mean_actual) },
      predicted: { name: t('forecast.holdout_predicted'), values: buckets.map((b) => b.mean_predicted) },
      options: { xName: t('forecast.holdout_axis'), fmt: (v) => fmt.decimal(v, 3) },
    }],
  };
}

/**
 * The top members by CLV: `rows` is null while the worker is still computing them.
 * @param {MemberRow[] | null} rows
 * @param {Column[]} all  the engine's member columns
 * @param {Report | null} report
 * @param {Translate} t
 * @returns {SectionView}
 */
export function renderTopClv(rows, all, report, t) {
  if (rows === null) return { slots: { 'top-clv': el('p', { class: 'muted' }, '…') } };
  if (!rows.length) return { slots: { 'top-clv': el('p', { class: 'muted' }, t('forecast.no_rows')) } };
  const cells = /** @type {Record<string, unknown>[]} */ (/** @type {unknown} */ (rows));
  const cols = TOP_COLUMNS.flatMap((k) => all.filter((c) => c.key === k));
  return {
    slots: {
      'top-clv': table([t('fc.rank'), ...cols.map((c) => columnLabel(c, t))],
        rows.map((r, i) => [String(i + 1), ...cols.map((c) => memberCell(c, c.key === 'member_id' ? (r.member_id ?? r.phone ?? r.email) : cells[i][c.key], report, t))]),
        { className: 'data-table compact', numeric: [0, ...cols.map((c, i) => (isNumeric(c) ? i + 1 : -1)).filter((i) => i > 0)],
          rowAttrs: (i) => ({ dataset: { topClv: i + 1, memberId: rows[i].member_id ?? '', clv: rows[i].clv ?? '' } }) }),
    },
  };
}

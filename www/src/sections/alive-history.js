// One member's P(alive) over their history (存活概率走势, lifetimes' plot_history_alive): opened
// from a row of the member table, shown under it. The engine evaluates the report's purchase
// model on every day from the member's first purchase to the as-of date; this draws that line,
// the purchase days marked, with the model and a line on what the curve means, or says why
// there is none.

import { el } from '../dom.js';
import { formats } from '../format.js';

/** @typedef {import('../types/report').Report} Report */
/** @typedef {import('../engine/protocol').AliveHistory} AliveHistory */
/** @typedef {import('../engine/protocol').MemberPageRow} MemberPageRow */
/** @typedef {import('../i18n/index.js').Translate} Translate */
/** @typedef {import('./mount.js').SectionView} SectionView */
/** @typedef {import('./forecast.js').ForecastState} ForecastState */

/** The panel's element id (and the row buttons' aria-controls). */
export const PANEL_ID = 'alive-history';
/** The chart's element id. */
export const CHART_ID = 'chart-alive-history';

/**
 * The member whose history is asked for: their table row (what the engine takes) and what
 * names them on the page.
 * @typedef {{row: number, id: string, name: string}} AliveMember
 */

/**
 * The panel's state: `loading` while the engine computes, `ready` with the history, `none` when
 * the engine has none (`reason` says why), `error` when it failed.
 * @typedef {object} AliveState
 * @property {AliveMember} member
 * @property {'loading' | 'ready' | 'none' | 'error'} status
 * @property {AliveHistory | null} history
 * @property {'no_forecast' | 'no_purchases' | null} reason
 * @property {{message?: string, message_zh?: string, code?: string} | null} error
 */

/** A table row as the member the panel names. @param {MemberPageRow} row @returns {AliveMember} */
export function memberOf(row) {
  return { row: row.table_row, id: row.member_id ?? row.phone ?? row.email ?? '', name: row.name ?? '' };
}

/** How the member is named: name and id, or whichever there is. @param {AliveMember} m */
export const memberLabel = (m) => (m.name && m.id && m.name !== m.id ? `${m.name} (${m.id})` : m.name || m.id || '—');

/** Forecasts are queued or being computed: the history would be of the report without them. @param {ForecastState} state */
export const forecastsPending = (state) => state === 'waiting' || state === 'computing';

/**
 * Whether the member rows offer the history: the report shown has its forecasts, with a
 * purchase model (while they are computed, or off, the rows have no button).
 * @param {Report | null} report @param {ForecastState} state
 */
export const historyOffered = (report, state) => state === 'done' && Boolean(report?.forecast?.purchase_model?.chosen);

/**
 * Why the engine gave no history for a member of `report`: no purchase model, or (there is one)
 * no dated purchase.
 * @param {Report | null} report @returns {'no_forecast' | 'no_purchases'}
 */
export const noHistoryReason = (report) => (report?.forecast?.purchase_model?.chosen ? 'no_purchases' : 'no_forecast');

/**
 * The row's button that opens the member's history.
 * @param {MemberPageRow} row @param {Translate} t
 */
export function openButton(row, t) {
  return el('button', {
    type: 'button', class: 'link-button alive-open', dataset: { tableRow: row.table_row },
    'aria-controls': PANEL_ID, 'aria-label': t('alive.open_label', { member: memberLabel(memberOf(row)) }),
  }, t('alive.open'));
}

/**
 * The days the chart's data table lists besides the purchase days and the last: the last day
 * of each month.
 * @param {[string, number][]} points
 */
function monthEnds(points) {
  return points.filter(([d], i) => i + 1 < points.length && points[i + 1][0].slice(0, 7) !== d.slice(0, 7)).map(([d]) => d);
}

/**
 * The panel: hidden when no member is chosen; else the member, and the chart with the model and
 * what the curve means, or a plain line saying why there is no chart (forecasts still
 * computing, none computed, no dated purchase, an error).
 * @param {AliveState | null} alive @param {Report | null} report @param {ForecastState} forecastState @param {Translate} t
 * @returns {SectionView}
 */
export function render(alive, report, forecastState, t) {
  if (!alive) return { hidden: { [PANEL_ID]: true } };
  const fmt = formats(t.lang);
  const pending = forecastsPending(forecastState);
  const status = pending ? 'pending' : alive.status;
  const h = status === 'ready' ? alive.history : null;
  /** @type {string} */
  let message = '';
  if (status === 'pending') message = t('alive.pending');
  else if (status === 'loading') message = t('alive.loading');
  else if (status === 'none') message = t(alive.reason === 'no_forecast' ? 'alive.no_forecast' : 'alive.no_purchases');
  else if (status === 'error') {
    const e = alive.error;
    message = t('alive.failed', { detail: (t.lang === 'zh' ? e?.message_zh : e?.message) || e?.message || '' });
  }
  const member = memberLabel(alive.member);
  if (!h || !h.points.length) {
    return {
      hidden: { [PANEL_ID]: false, 'alive-history-body': true },
      data: { [PANEL_ID]: { status, reason: status === 'none' ? alive.reason ?? '' : '', memberId: alive.member.id, tableRow: String(alive.member.row) } },
      slots: { 'alive-history-title': t('alive.title', { member }), 'alive-history-close': t('alive.close'), 'alive-history-status': message },
    };
  }
  const last = h.points[h.points.length - 1];
  const model = t.has(`fc.${h.model}`) ? t(`fc.${h.model}`) : h.model;
  const p3 = (/** @type {number} */ v) => fmt.decimal(v, 3);
  return {
    hidden: { [PANEL_ID]: false, 'alive-history-body': false },
    data: {
      [PANEL_ID]: { status, reason: '', memberId: alive.member.id, tableRow: String(alive.member.row) },
      [CHART_ID]: { points: String(h.points.length), first: h.points[0][0], last: last[0], lastValue: String(last[1]), purchaseDays: h.purchase_days.join(' ') },
    },
    slots: {
      'alive-history-title': t('alive.title', { member }),
      'alive-history-close': t('alive.close'),
      'alive-history-status': '',
      'alive-history-model': t('alive.model', { model }),
      'alive-history-now': [t('alive.now', { date: last[0] }), ' ', el('strong', { dataset: { aliveNow: '', value: String(last[1]) } }, p3(last[1]))],
      'alive-history-note': t('alive.note'),
    },
    charts: [{
      kind: 'history', id: CHART_ID, points: h.points, marked: h.purchase_days,
      options: { name: t('alive.series'), markName: t('alive.purchase'), dayName: t('alive.day'), fmt: p3, tableDays: monthEnds(h.points) },
    }],
  };
}


// Segment movement (分群迁移) between a comparison date and the as-of date: the RFM segment and
// dormancy-tier transition matrices (rows: the state at the comparison date, `new` for buyers
// whose first purchase came later; columns: the state at as-of) as colour-scaled tables, green
// for a move up, red for a move down, blue for staying; the counts of who moved down and up.

import { el } from '../dom.js';
import { formats } from '../format.js';
import { labelFor, segmentName } from './labels.js';
import { defs, figure, shade, strength } from './figures.js';

/** @typedef {import('../types/report').Report} Report */
/** @typedef {import('../types/report').Transition} Transition */
/** @typedef {import('../i18n/index.js').Translate} Translate */
/** @typedef {import('../format.js').Formats} Formats */
/** @typedef {import('./mount.js').SectionView} SectionView */
/** What the matrices' cells show: members, or their revenue between the two dates. @typedef {'counts' | 'revenue'} MovementValue */
/** An outcome to show by the comparison date (an error the engine gave). @typedef {{ok: boolean, text: string, code?: string} | null} MovementStatus */

/** The row of buyers whose first purchase came after the comparison date. */
export const NEW = 'new';

/** The rule selecting the members who moved down (the member table's `movement` column). */
export const MOVED_DOWN_RULE = 'movement = "down"';

/**
 * Where a move goes: `new` (first purchase after the comparison date), `same`, `down` (a later
 * state in the order: a worse segment, a quieter tier) or `up`.
 * @param {Transition} tr @param {number} row @param {number} col
 */
export function direction(tr, row, col) {
  const from = tr.from[row];
  if (from === NEW) return 'new';
  const a = tr.to.indexOf(from);
  if (a < 0 || a === col) return 'same';
  return col > a ? 'down' : 'up';
}

/**
 * One transition matrix as a table.
 * @param {Transition} tr @param {'segments' | 'tiers'} which @param {(key: string) => string} name
 * @param {MovementValue} value @param {Translate} t @param {Formats} fmt
 */
function matrix(tr, which, name, value, t, fmt) {
  const cells = value === 'revenue' ? tr.revenue : tr.counts;
  const max = Math.max(0, ...cells.flat());
  const colTotals = tr.to.map((_, j) => tr.counts.reduce((n, r) => n + (r[j] ?? 0), 0));
  const show = value === 'revenue' ? fmt.money : fmt.count;
  const head = el('tr', {},
    el('th', { scope: 'col', class: 'corner' }, t('movement.corner')),
    tr.to.map((k) => el('th', { scope: 'col', class: 'num', dataset: { to: k } }, name(k))),
    el('th', { scope: 'col', class: 'num' }, t('movement.row_total')));
  const body = tr.from.map((from, i) => el('tr', { dataset: { from } },
    el('th', { scope: 'row' }, from === NEW ? t('movement.new_row') : name(from)),
    tr.to.map((to, j) => {
      const count = tr.counts[i]?.[j] ?? 0;
      const revenue = tr.revenue[i]?.[j] ?? 0;
      const dir = direction(tr, i, j);
      const v = value === 'revenue' ? revenue : count;
      const td = el('td', {
        class: `num move-${dir}`,
        dataset: { from, to, count, revenue, direction: dir },
        title: t('movement.cell_title', {
          from: from === NEW ? t('movement.new_row') : name(from), to: name(to),
          n: fmt.count(count), revenue: fmt.money(revenue), dir: t(`movement.dir.${dir}`),
        }),
      }, v ? show(v) : '·');
      return v ? shade(td, 0.15 + 0.85 * strength(v, max), dir === 'down' ? 'red' : dir === 'up' ? 'green' : dir === 'new' ? 'grey' : 'blue') : td;
    }),
    el('td', { class: 'num row-total' }, fmt.count((tr.counts[i] ?? []).reduce((n, x) => n + x, 0)))));
  const foot = el('tr', { class: 'col-totals' },
    el('th', { scope: 'row' }, t('movement.col_total')),
    colTotals.map((n) => el('td', { class: 'num' }, fmt.count(n))),
    el('td', { class: 'num' }, fmt.count(colTotals.reduce((a, b) => a + b, 0))));
  return el('table', { class: 'data-table compact heat-table movement-table', dataset: { matrix: which, value } },
    el('thead', {}, head), el('tbody', {}, body), el('tfoot', {}, foot));
}

/**
 * @param {Report} report
 * @param {Translate} t
 * @param {{value: MovementValue, status: MovementStatus, canExport: boolean}} ui
 *   what the cells show, the comparison date's error if any, and whether the engine's member
 *   table has the `movement` column the moved-down list is drawn from
 * @returns {SectionView}
 */
export function render(report, t, ui) {
  const fmt = formats(t.lang);
  const m = report.growth?.movement ?? null;
  const status = ui.status;
  const base = {
    props: { 'movement-date': { max: dayBefore(report.as_of) }, 'movement-value': { value: ui.value } },
    data: { 'movement-status': { state: status ? (status.ok ? 'ok' : 'error') : '', code: status?.code ?? '' } },
  };
  if (!m) {
    return {
      ...base,
      hidden: { 'movement-body': true, 'movement-export': true },
      slots: { 'movement-status': status?.text ?? '', 'movement-empty': t('movement.none') },
    };
  }
  const seg = (/** @type {string} */ k) => segmentName(k, report.rfm?.segments?.[k], t);
  const tier = (/** @type {string} */ k) => labelFor('tier', k, t);
  const same = m.present_both - m.moved_down - m.moved_up;
  return {
    ...base,
    props: { ...base.props, 'movement-date': { max: dayBefore(report.as_of), value: m.compare_date } },
    hidden: { 'movement-body': false, 'movement-export': !ui.canExport },
    data: { ...base.data, 'movement-body': { compareDate: m.compare_date, asOf: report.as_of } },
    slots: {
      'movement-status': status?.text ?? '',
      'movement-empty': '',
      'movement-export': t('movement.export', { n: fmt.count(m.moved_down) }),
      'movement-period': t('movement.period', { from: m.compare_date, to: report.as_of }),
      'movement-figures': [
        figure(t('movement.present_both'), fmt.count(m.present_both), t('movement.def.present_both'), { movement: 'present_both', value: m.present_both }),
        figure(t('movement.moved_down'), fmt.count(m.moved_down), t('movement.def.moved_down'), { movement: 'moved_down', value: m.moved_down }),
        figure(t('movement.moved_up'), fmt.count(m.moved_up), t('movement.def.moved_up'), { movement: 'moved_up', value: m.moved_up }),
        figure(t('movement.same'), fmt.count(same), t('movement.def.same'), { movement: 'same', value: same }),
        figure(t('movement.new_buyers'), fmt.count(m.new_buyers), t('movement.def.new_buyers'), { movement: 'new_buyers', value: m.new_buyers }),
      ],
      'movement-segments': matrix(m.segments, 'segments', seg, ui.value, t, fmt),
      'movement-tiers': matrix(m.tiers, 'tiers', tier, ui.value, t, fmt),
      'movement-defs': defs([
        [t('movement.rows'), t('movement.def.rows')],
        [t('movement.cells'), t(ui.value === 'revenue' ? 'movement.def.cells_revenue' : 'movement.def.cells_counts')],
        [t('movement.colours'), t('movement.def.colours')],
      ]),
    },
  };
}

/** The day before a YYYY-MM-DD date (the latest comparison date the engine takes). @param {string} day */
export function dayBefore(day) {
  const d = new Date(`${day}T00:00:00Z`);
  if (Number.isNaN(d.getTime())) return '';
  d.setUTCDate(d.getUTCDate() - 1);
  return d.toISOString().slice(0, 10);
}

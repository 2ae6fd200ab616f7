// Cohorts by first-purchase month (新客留存): the share with a second purchase within 30 / 90 /
// 180 / 365 days, and a heatmap of month-by-month retention (or revenue per member) after the
// first purchase. A colour-scaled table: the numbers stay readable, the colours show the shape.

import { el } from '../dom.js';
import { formats } from '../format.js';
import { defs, shade, strength } from './figures.js';

/** @typedef {import('../types/report').Report} Report */
/** @typedef {import('../types/report').Cohort} Cohort */
/** @typedef {import('../i18n/index.js').Translate} Translate */
/** @typedef {import('./mount.js').SectionView} SectionView */
/** What the heatmap's cells show. @typedef {'retention' | 'revenue'} CohortMetric */

/** The second-purchase windows, in days, in the report's order. */
const WINDOWS = [30, 90, 180, 365];

/** Months after the first shown in print (what an A4 page holds); later ones are on screen only. */
export const PRINTED_MONTHS = 10;

/** The class of a month column left out of print. @param {number} k */
const late = (k) => (k > PRINTED_MONTHS ? 'k-late' : '');

/**
 * @param {Report} report
 * @param {Translate} t
 * @param {CohortMetric} metric
 * @returns {SectionView}
 */
export function render(report, t, metric) {
  const fmt = formats(t.lang);
  const cohorts = report.growth?.cohorts ?? [];
  const revenue = metric === 'revenue';
  const values = (/** @type {Cohort} */ c) => (revenue ? c.revenue_per_member : c.retention);
  const width = Math.max(0, ...cohorts.map((c) => values(c).length));
  // The colours are scaled to the months after the first: month 0 (retention 100%, the first
  // purchase's spend) would wash the rest out, so it gets its own grey scale.
  const later = cohorts.flatMap((c) => values(c).slice(1));
  const maxLater = Math.max(0, ...later);
  const maxFirst = Math.max(0, ...cohorts.map((c) => values(c)[0] ?? 0));
  const show = (/** @type {number} */ v) => (revenue ? fmt.money(v) : fmt.rate(v, 0));

  const head = el('thead', {},
    el('tr', {},
      el('th', { rowspan: 2, scope: 'col', class: 'sticky-col' }, t('cohort.month')),
      el('th', { rowspan: 2, scope: 'col', class: 'num' }, t('cohort.members')),
      el('th', { colspan: WINDOWS.length, scope: 'colgroup', class: 'group-head' }, t('cohort.second_within')),
      width ? el('th', { colspan: width, scope: 'colgroup', class: 'group-head' }, t(revenue ? 'cohort.k_revenue' : 'cohort.k_retention')) : null),
    el('tr', {},
      WINDOWS.map((d) => el('th', { scope: 'col', class: 'num' }, t('cohort.days', { days: d }))),
      Array.from({ length: width }, (_, k) => el('th', { scope: 'col', class: `num ${late(k)}`, title: t('cohort.k_title', { k }) }, String(k)))));

  const rows = cohorts.map((c) => {
    const vs = values(c);
    const within = WINDOWS.map((days) => {
      const w = c.second_within.find((x) => x.days === days);
      const share = w?.share ?? null;
      const td = el('td', {
        class: 'num',
        dataset: { days, share: share ?? '', eligible: w?.eligible ?? 0 },
        title: share == null ? t('cohort.not_seen', { days }) : t('cohort.eligible', { n: fmt.count(w?.eligible ?? 0), members: fmt.count(c.members) }),
      }, share == null ? fmt.DASH : fmt.rate(share, 0));
      return shade(td, share, 'green');
    });
    const months = Array.from({ length: width }, (_, k) => {
      if (k >= vs.length) return el('td', { class: `empty ${late(k)}` });
      const v = vs[k];
      const partial = c.last_month_partial && k === vs.length - 1;
      const td = el('td', { class: `num ${v ? '' : 'zero'} ${late(k)}`, dataset: { k, value: v }, title: t('cohort.cell_title', { month: c.month, k, value: show(v) }) },
        show(v), partial ? '*' : '');
      return k === 0 ? shade(td, strength(v, maxFirst) * 0.5, 'grey') : shade(td, strength(v, maxLater), 'blue');
    });
    return el('tr', { dataset: { cohort: c.month, members: c.members } },
      el('th', { scope: 'row', class: 'sticky-col' }, c.month), el('td', { class: 'num' }, fmt.count(c.members)), within, months);
  });

  return {
    props: {
      'cohort-metric-retention': { checked: !revenue },
      'cohort-metric-revenue': { checked: revenue },
    },
    data: { 'cohort-table': { metric } },
    slots: {
      'cohort-table': cohorts.length
        ? el('table', { class: 'data-table compact heat-table cohort-table' }, head, el('tbody', {}, rows))
        : el('p', { class: 'muted' }, t('cohort.empty')),
      'cohort-note': [
        cohorts.some((c) => c.last_month_partial) ? t('cohort.partial') : null,
        width > PRINTED_MONTHS + 1 ? el('span', { class: 'print-only' }, ` ${t('cohort.print_months', { n: PRINTED_MONTHS })}`) : null,
      ],
      'cohort-defs': defs([
        [t('cohort.members'), t('cohort.def.members')],
        [t('cohort.second_within'), t('cohort.def.second_within')],
        [t('cohort.k_retention'), t('cohort.def.retention')],
        [t('cohort.k_revenue'), t('cohort.def.revenue')],
      ]),
    },
  };
}

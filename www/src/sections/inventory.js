// Data inventory (数据盘点): headline figures as cards, members per tier, and the channel,
// store and registration-channel breakdowns.

import { el, table } from '../dom.js';
import { formats } from '../format.js';
import { info } from '../glossary.js';

/** @typedef {import('../types/report').Report} Report */
/** @typedef {import('../types/report').Inventory} Inventory */
/** @typedef {import('../types/report').LabelStats} LabelStats */
/** @typedef {import('../i18n/index.js').Translate} Translate */
/** @typedef {import('../format.js').Formats} Formats */
/** @typedef {import('./mount.js').SectionView} SectionView */

/**
 * The cards, in the order shown: [inventory key, how to show it].
 * @param {Formats} fmt
 * @returns {[keyof Inventory, (v: unknown) => string][]}
 */
const cards = (fmt) => [
  ['members_total', fmt.count], ['buyers', fmt.count], ['non_buyers', fmt.count],
  ['purchase_orders', fmt.count], ['revenue', fmt.money], ['aov', fmt.money],
  ['avg_spend_per_buyer', fmt.money], ['avg_orders_per_buyer', (v) => fmt.decimal(v, 2)],
  ['repurchase_rate', (v) => fmt.rate(v)], ['return_rate', (v) => fmt.rate(v)],
  ['median_interpurchase_days', (v) => fmt.decimal(v, 1)],
  ['guest_orders', fmt.count], ['guest_revenue', fmt.money],
  ['members_in_member_file', fmt.count], ['return_rows', fmt.count], ['returns_amount', fmt.money],
  ['revenue_per_store', fmt.money],
];

/** @type {[keyof Inventory & ('by_channel' | 'by_store' | 'by_reg_channel'), string][]} */
const BREAKDOWNS = [['by_channel', 'inventory.by_channel_t'], ['by_store', 'inventory.by_store'], ['by_reg_channel', 'inventory.by_reg_channel']];

/**
 * @param {Report} report
 * @param {Translate} t
 * @returns {SectionView}
 */
export function render(report, t) {
  const fmt = formats(t.lang);
  const inv = /** @type {Partial<Inventory>} */ (report.inventory || {});
  const figures = [];
  for (const [key, f] of cards(fmt)) {
    if (!(key in inv)) continue;
    const v = inv[key];
    // A figure the data cannot give is a dash with the reason, never a zero.
    const reason = key === 'revenue_per_store' && !(inv.by_store || []).length ? t('metric.no_store')
      : key === 'return_rate' && typeof v !== 'number' ? t('metric.no_return_rate')
        : key === 'median_interpurchase_days' && typeof v !== 'number' ? t('metric.no_repeat') : '';
    const known = !reason && v !== null && v !== undefined;
    figures.push(el('div', { class: 'card', dataset: { metric: key, value: known && typeof v === 'number' ? String(v) : '' } },
      el('div', { class: 'card-label' }, t(`metric.${key}`), info(`metric.${key}`, t)),
      el('div', { class: 'card-value' }, known ? f(v) : fmt.DASH),
      reason ? el('div', { class: 'card-reason muted small' }, reason) : null));
  }
  const tiers = Object.entries(inv.tier_counts || {}).sort((a, b) => b[1] - a[1]);
  const breakdowns = [];
  for (const [key, title] of BREAKDOWNS) {
    const rows = inv[key] || [];
    if (!rows.length) continue;
    breakdowns.push(el('div', {}, el('h4', {}, t(title)), el('div', { class: 'table-wrap tall' }, breakdownTable(rows, key, t, fmt))));
  }
  return {
    slots: {
      'as-of-label': report.as_of ? t('inventory.as_of', { date: report.as_of }) : '',
      inventory: figures,
      'tier-table': tiers.length
        ? table([t('col.tier'), t('col.members')], tiers.map(([k, n]) => [el('button', { type: 'button', class: 'link-button', dataset: { filterTier: k } }, k), fmt.count(n)]),
          { numeric: [1], rowAttrs: (i) => ({ dataset: { memberTier: tiers[i][0], members: tiers[i][1] } }) })
        : el('p', { class: 'muted' }, fmt.DASH),
      'breakdown-tables': breakdowns,
    },
  };
}

/** @param {LabelStats[]} rows @param {string} key @param {Translate} t @param {Formats} fmt */
function breakdownTable(rows, key, t, fmt) {
  return table([t('col.label'), t('col.members'), t('col.buyers'), t('col.orders'), t('col.revenue')],
    rows.map((x) => [x.label, fmt.count(x.members), fmt.count(x.buyers), fmt.count(x.purchase_orders), fmt.money(x.revenue)]),
    { numeric: [1, 2, 3, 4], rowAttrs: (i) => ({ dataset: { breakdown: key, label: rows[i].label } }) });
}

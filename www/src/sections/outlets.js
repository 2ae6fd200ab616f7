// Stores and channels (门店与渠道): members, buyers, orders, revenue, AOV, repurchase rate and
// revenue per active month for each, in tables sorted by a click on a header; revenue per store
// as bars and 店均销 (revenue per store with sales) month by month as a line.

import { el } from '../dom.js';
import { formats } from '../format.js';
import { defs } from './figures.js';

/** @typedef {import('../types/report').Report} Report */
/** @typedef {import('../types/report').OutletStats} OutletStats */
/** @typedef {import('../i18n/index.js').Translate} Translate */
/** @typedef {import('../format.js').Formats} Formats */
/** @typedef {import('./mount.js').SectionView} SectionView */
/** @typedef {'stores' | 'channels'} OutletTable */
/** How one table is sorted: a column key, descending or not. @typedef {{key: string, desc: boolean}} OutletSort */

/**
 * The columns: key, label key, how a value shows; `members` only for stores.
 * @param {Formats} fmt
 * @returns {[keyof OutletStats, (v: any) => string][]}
 */
const columns = (fmt) => [
  ['label', String], ['members', fmt.count], ['buyers', fmt.count], ['orders', fmt.count], ['revenue', fmt.money],
  ['aov', fmt.money], ['repurchase_rate', (v) => fmt.rate(v)], ['active_months', fmt.count], ['revenue_per_month', fmt.money],
];

/** The sort a header click asks for: the same column reversed, or a new one (numbers descending first). @param {OutletSort} sort @param {string} key @returns {OutletSort} */
export function nextSort(sort, key) {
  return sort.key === key ? { key, desc: !sort.desc } : { key, desc: key !== 'label' };
}

/**
 * Rows sorted by a column (labels by the page's language's collation, nulls last).
 * @param {OutletStats[]} rows @param {OutletSort} sort @param {string} locale
 */
export function sorted(rows, sort, locale) {
  const key = /** @type {keyof OutletStats} */ (sort.key);
  const dir = sort.desc ? -1 : 1;
  return [...rows].sort((a, b) => {
    const x = a[key];
    const y = b[key];
    if (x == null || y == null) return (x == null ? 1 : 0) - (y == null ? 1 : 0);
    if (typeof x === 'string' || typeof y === 'string') return dir * String(x).localeCompare(String(y), locale);
    return dir * (x - y);
  });
}

/**
 * One sortable table.
 * @param {OutletTable} which @param {OutletStats[]} rows @param {OutletSort} sort @param {Translate} t @param {Formats} fmt
 */
function outletTable(which, rows, sort, t, fmt) {
  const cols = columns(fmt).filter(([k]) => which === 'stores' || k !== 'members');
  const head = el('tr', {}, cols.map(([key], i) => {
    const on = sort.key === key;
    return el('th', {
      scope: 'col',
      class: `sortable${i ? ' num' : ''}${on ? (sort.desc ? ' desc' : ' asc') : ''}`,
      'aria-sort': on ? (sort.desc ? 'descending' : 'ascending') : 'none',
    }, el('button', { type: 'button', class: 'th-sort', dataset: { outletTable: which, outletSort: key } },
      t(key === 'label' ? `outlets.${which}_label` : `outlets.${key}`)));
  }));
  const body = sorted(rows, sort, fmt.locale).map((r) => el('tr', { dataset: { outlet: r.label, revenue: r.revenue, orders: r.orders } },
    cols.map(([key, f], i) => (i === 0 ? el('th', { scope: 'row' }, r.label) : el('td', { class: 'num', dataset: { field: key } }, f(r[key]))))));
  return el('table', { class: 'data-table compact outlet-table', dataset: { outletTable: which, sort: sort.key, desc: sort.desc ? 'true' : 'false' } },
    el('thead', {}, head), el('tbody', {}, body));
}

/**
 * @param {Report} report
 * @param {Translate} t
 * @param {Record<OutletTable, OutletSort>} sort
 * @returns {SectionView}
 */
export function render(report, t, sort) {
  const fmt = formats(t.lang);
  const g = report.growth;
  const stores = g?.stores ?? [];
  const channels = g?.channels ?? [];
  const months = g?.store_months ?? [];
  const byRevenue = sorted(stores, { key: 'revenue', desc: true }, fmt.locale);
  /** @type {import('../charts.js').ChartSpec[]} */
  const charts = [];
  if (stores.length) charts.push({ kind: 'bar', id: 'chart-stores', items: byRevenue.map((s) => ({ label: s.label, value: s.revenue })), options: { fmt: fmt.money, color: '#26a5b8' } });
  if (months.length) {
    charts.push({
      kind: 'xy',
      id: 'chart-store-months',
      categories: months.map((m) => m.month),
      series: [
        { name: t('outlets.stores_selling'), type: 'bar', values: months.map((m) => m.stores), axis: 1, color: '#dde3ec', fmt: fmt.count },
        { name: t('outlets.per_store'), type: 'line', values: months.map((m) => m.revenue_per_store), axis: 0, color: '#26a5b8', fmt: fmt.money },
      ],
      options: { axes: [{ name: t('outlets.per_store'), fmt: fmt.moneyShort, min: 0 }, { name: t('outlets.stores_selling'), fmt: fmt.count, min: 0 }] },
    });
  }
  return {
    hidden: {
      'stores-charts': !stores.length,
      'chart-store-months-block': !months.length,
    },
    slots: {
      'stores-table': stores.length ? outletTable('stores', stores, sort.stores, t, fmt) : el('p', { class: 'muted empty-state', dataset: { empty: 'stores' } }, t('outlets.no_stores')),
      'channels-table': channels.length ? outletTable('channels', channels, sort.channels, t, fmt) : el('p', { class: 'muted empty-state', dataset: { empty: 'channels' } }, t('outlets.no_channels')),
      'outlets-defs': defs([
        [t('outlets.members'), t('outlets.def.members')],
        [t('outlets.buyers'), t('outlets.def.buyers')],
        [t('outlets.orders'), t('outlets.def.orders')],
        [t('outlets.revenue'), t('outlets.def.revenue')],
        [t('outlets.aov'), t('outlets.def.aov')],
        [t('outlets.repurchase_rate'), t('outlets.def.repurchase_rate')],
        [t('outlets.active_months'), t('outlets.def.active_months')],
        [t('outlets.revenue_per_month'), t('outlets.def.revenue_per_month')],
        [t('outlets.per_store'), t('outlets.def.per_store')],
      ]),
    },
    charts,
  };
}

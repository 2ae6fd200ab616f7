// Target decomposition (目标拆解): from a revenue target, the orders needed (target / AOV), the
// traffic needed (orders / conversion rate, when one is given), what existing members are
// expected to bring and on what basis, the gap new members must fill and how many that takes;
// split by month (last twelve months' seasonality), by source and by store (their shares).
// The form is the page's (index.html); main.js reads it (readTarget) and the state re-analyses.

import { el, table } from '../dom.js';
import { formats } from '../format.js';
import { defs, figure } from './figures.js';

/** @typedef {import('../types/report').Report} Report */
/** @typedef {import('../types/report').TargetShare} TargetShare */
/** @typedef {import('../engine/protocol').TargetOptions} TargetOptions */
/** @typedef {import('../i18n/index.js').Translate} Translate */
/** @typedef {import('../format.js').Formats} Formats */
/** @typedef {import('./mount.js').SectionView} SectionView */
/** An outcome to show by the form: an error in an entry or from the engine. @typedef {{ok: boolean, text: string, code?: string} | null} TargetStatus */

/** The form's fields as typed (strings; empty = not given). @typedef {{revenue: string, months: string, conversion: string, aov: string, newMemberValue: string, existing: string}} TargetForm */

/**
 * The target the form describes, or the entry that is wrong (a message key). The conversion
 * rate is typed in percent.
 * @param {TargetForm} form
 * @returns {{target: TargetOptions} | {error: string, field: keyof TargetForm}}
 */
export function readTarget(form) {
  const num = (/** @type {string} */ s) => (s.trim() === '' ? null : Number(s.trim().replace(/[,，\s]/g, '')));
  const revenue = num(form.revenue);
  if (revenue == null || !Number.isFinite(revenue) || revenue <= 0) return { error: 'target.err.revenue', field: 'revenue' };
  const months = num(form.months) ?? 12;
  if (!Number.isInteger(months) || months < 1 || months > 36) return { error: 'target.err.months', field: 'months' };
  /** @type {TargetOptions} */
  const target = { revenue, months };
  const conversion = num(form.conversion);
  if (conversion != null) {
    if (!Number.isFinite(conversion) || conversion <= 0 || conversion > 100) return { error: 'target.err.conversion', field: 'conversion' };
    target.conversion_rate = conversion / 100;
  }
  for (const [field, key] of /** @type {const} */ ([['aov', 'aov'], ['newMemberValue', 'new_member_value']])) {
    const v = num(form[field]);
    if (v == null) continue;
    if (!Number.isFinite(v) || v <= 0) return { error: 'target.err.positive', field };
    target[key] = v;
  }
  const existing = num(form.existing);
  if (existing != null) {
    if (!Number.isFinite(existing) || existing < 0) return { error: 'target.err.existing', field: 'existing' };
    target.existing_revenue = existing;
  }
  return { target };
}

/**
 * A split of the target as a table: label, historical share, revenue.
 * @param {TargetShare[]} rows @param {string} what  `month`, `source` or `store` (the rows' data-target-part)
 * @param {string} labelHead @param {Translate} t @param {Formats} fmt
 */
function shareTable(rows, what, labelHead, t, fmt) {
  const total = rows.reduce((s, r) => s + r.revenue, 0);
  return table([labelHead, t('target.share'), t('target.part')],
    [...rows.map((r) => [r.label, fmt.rate(r.share), fmt.money(r.revenue)]), [el('strong', {}, t('target.total')), fmt.rate(rows.reduce((s, r) => s + r.share, 0)), el('strong', {}, fmt.money(total))]],
    {
      className: 'data-table compact',
      numeric: [1, 2],
      rowAttrs: (i) => (i < rows.length ? { dataset: { targetPart: what, label: rows[i].label, share: rows[i].share, revenue: rows[i].revenue } } : { class: 'total-row' }),
    });
}

/**
 * @param {Report} report
 * @param {Translate} t
 * @param {TargetStatus} status  the form's error, if any
 * @returns {SectionView}
 */
export function render(report, t, status) {
  const fmt = formats(t.lang);
  const plan = report.growth?.target ?? null;
  const base = {
    data: { 'target-status': { state: status ? (status.ok ? 'ok' : 'error') : '', code: status?.code ?? '' } },
  };
  if (!plan) {
    return {
      ...base,
      hidden: { 'target-result': true, 'target-export': true, 'target-clear': true },
      slots: { 'target-status': status?.text ?? '' },
    };
  }
  const basis = t(`target.basis.${plan.existing_basis}`, { rate: fmt.rate(report.inventory?.return_rate) });
  /** @param {string} field @param {string} label @param {string} value @param {string} help @param {number | null} raw */
  const fig = (field, label, value, help, raw) => figure(label, value, help, { targetField: field, value: raw ?? '' });
  return {
    ...base,
    hidden: { 'target-result': false, 'target-export': false, 'target-clear': false },
    data: { ...base.data, 'target-result': { revenue: String(plan.revenue), months: String(plan.months), from: plan.from, to: plan.to } },
    slots: {
      'target-status': status?.text ?? '',
      'target-period': t('target.period', { revenue: fmt.money(plan.revenue), from: plan.from, to: plan.to, months: plan.months }),
      'target-figures': [
        fig('aov', t('target.aov'), fmt.money(plan.aov), t('target.def.aov'), plan.aov),
        fig('orders_needed', t('target.orders_needed'), fmt.count(Math.ceil(plan.orders_needed)), t('target.def.orders_needed'), plan.orders_needed),
        plan.traffic_needed == null
          ? fig('traffic_needed', t('target.traffic_needed'), fmt.DASH, t('target.def.no_traffic'), null)
          : fig('traffic_needed', t('target.traffic_needed'), fmt.count(Math.ceil(plan.traffic_needed)), t('target.def.traffic_needed', { rate: fmt.rate(plan.conversion_rate, 2) }), plan.traffic_needed),
        fig('existing_revenue', t('target.existing_revenue'), fmt.money(plan.existing_revenue), t('target.def.existing'), plan.existing_revenue),
        fig('gap', t('target.gap'), fmt.money(plan.gap), t('target.def.gap'), plan.gap),
        fig('new_member_value', t('target.new_member_value'), fmt.money(plan.new_member_value), t('target.def.new_member_value'), plan.new_member_value),
        fig('new_members_needed', t('target.new_members_needed'), fmt.count(Math.ceil(plan.new_members_needed)), t('target.def.new_members_needed'), plan.new_members_needed),
      ],
      'target-basis': el('span', { dataset: { basis: plan.existing_basis } }, t('target.basis_line', { basis })),
      'target-months-table': shareTable(plan.by_month, 'month', t('target.month'), t, fmt),
      'target-sources': plan.by_source.length ? shareTable(plan.by_source, 'source', t('target.source'), t, fmt) : el('p', { class: 'muted empty-state' }, t('target.no_sources')),
      'target-stores': plan.by_store.length ? shareTable(plan.by_store, 'store', t('target.store'), t, fmt) : el('p', { class: 'muted empty-state' }, t('target.no_stores')),
      'target-defs': defs([
        [t('target.share'), t('target.def.share')],
        [t('target.month'), t('target.def.month')],
      ]),
    },
    charts: [{
      kind: 'xy',
      id: 'chart-target-months',
      categories: plan.by_month.map((m) => m.label),
      series: [{ name: t('target.part'), type: 'bar', values: plan.by_month.map((m) => m.revenue), color: '#2f6fdb', fmt: fmt.money }],
      options: { axes: [{ fmt: fmt.moneyShort, min: 0 }] },
    }],
  };
}

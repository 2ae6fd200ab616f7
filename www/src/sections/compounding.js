// Stage compounding (环节复利): the funnel's stages (拉新 → 留存 → 转化 → 复购 → 推荐) with their
// rates from the data, or empty for the user to fill; improving each by the same x% multiplies
// the output by (1 + x)^k (0.9⁵ ≈ 0.59, 1.1⁵ ≈ 1.61). The arithmetic is the page's own, on the
// report's rates and the user's entries. The stage table (with its inputs) is drawn once per
// report; the results are drawn again as the user types, without touching the inputs.

import { el } from '../dom.js';
import { formats } from '../format.js';
import { defs, figure } from './figures.js';

/** @typedef {import('../types/report').Report} Report */
/** @typedef {import('../types/report').FunnelStage} FunnelStage */
/** @typedef {import('../i18n/index.js').Translate} Translate */
/** @typedef {import('./mount.js').SectionView} SectionView */
/**
 * The calculator's entries: the change per stage (0.1 = +10%) and the rates the user typed
 * (by stage key; null = left empty, the stage left out).
 * @typedef {{change: number, rates: Record<string, number | null>}} CompoundInput
 */

/** The default change per stage. */
export const DEFAULT_CHANGE = 0.1;

/** A stage's rate: the user's entry, else the data's. @param {FunnelStage} s @param {CompoundInput} input */
export const rateOf = (s, input) => (s.key in input.rates ? input.rates[s.key] : s.rate);

/**
 * The calculation: the stages that have a rate, the product of their rates now and with each
 * improved by `change`, and the multiplier (1 + change)^k.
 * @param {FunnelStage[]} stages @param {CompoundInput} input
 */
export function compound(stages, input) {
  const used = stages.map((s) => ({ stage: s, rate: rateOf(s, input) }))
    .filter((x) => typeof x.rate === 'number' && Number.isFinite(x.rate));
  const factor = 1 + input.change;
  let baseline = 1;
  let improved = 1;
  const steps = used.map(({ stage, rate }) => {
    const r = /** @type {number} */ (rate);
    baseline *= r;
    improved *= r * factor;
    return { key: stage.key, rate: r, improvedRate: r * factor, baseline, improved };
  });
  return {
    k: used.length,
    baseline: used.length ? baseline : null,
    improved: used.length ? improved : null,
    multiplier: factor ** used.length,
    steps,
    overOne: steps.filter((s) => s.improvedRate > 1).map((s) => s.key),
  };
}

/** A stage's name in the reader's language. @param {FunnelStage} s @param {Translate} t */
const stageName = (s, t) => (t.lang === 'en' ? s.name_en : s.name_zh) || s.key;

/**
 * The stage table: each stage, how its rate was taken, and an input holding its rate (%).
 * @param {Report} report @param {Translate} t @param {CompoundInput} input
 * @returns {SectionView}
 */
export function renderStages(report, t, input) {
  const stages = report.growth?.compounding?.stages ?? [];
  const pct = (/** @type {number | null} */ r) => (r == null ? '' : String(Math.round(r * 10000) / 100));
  const rows = stages.map((s) => {
    const id = `compound-rate-${s.key}`;
    const rate = rateOf(s, input);
    return el('tr', { dataset: { stage: s.key, dataRate: s.rate ?? '' } },
      el('th', { scope: 'row' }, el('label', { for: id }, stageName(s, t))),
      el('td', { class: 'num' },
        el('input', {
          type: 'number', id, class: 'rate-input', min: '0', max: '100', step: 'any', value: pct(rate),
          placeholder: s.rate == null ? t('compound.enter') : '', dataset: { compoundRate: s.key },
          'aria-describedby': `compound-basis-${s.key}`,
        }), el('span', { class: 'rate-unit' }, ' %'),
        // The input is not printed: the rate in use is, as text (renderResult keeps it current).
        el('span', { class: 'print-only', id: `compound-print-${s.key}` })),
      el('td', { class: 'num', id: `compound-improved-${s.key}` }),
      el('td', { class: 'muted small basis', id: `compound-basis-${s.key}` }, t.lang === 'en' ? s.basis_en : s.basis_zh));
  });
  return {
    props: { 'compound-change': { value: String(Math.round(input.change * 10000) / 100) } },
    slots: {
      'compound-stages': stages.length
        ? el('table', { class: 'data-table compact compound-table' },
          el('thead', {}, el('tr', {},
            el('th', { scope: 'col' }, t('compound.stage')), el('th', { scope: 'col', class: 'num' }, t('compound.rate')),
            el('th', { scope: 'col', class: 'num' }, t('compound.improved_rate')), el('th', { scope: 'col' }, t('compound.basis')))),
          el('tbody', {}, rows))
        : el('p', { class: 'muted' }, '—'),
    },
  };
}

/**
 * The results for the current entries: the products, the multiplier, each stage's improved
 * rate, and the funnel before and after as a chart.
 * @param {Report} report @param {Translate} t @param {CompoundInput} input
 * @returns {SectionView}
 */
export function renderResult(report, t, input) {
  const fmt = formats(t.lang);
  const comp = report.growth?.compounding;
  const stages = comp?.stages ?? [];
  const r = compound(stages, input);
  const byKey = new Map(r.steps.map((s) => [s.key, s]));
  const change = `${input.change >= 0 ? '+' : ''}${fmt.rate(input.change, 1)}`;
  /** @type {Record<string, import('../dom.js').Child>} */
  const improvedCells = {};
  for (const s of stages) {
    const step = byKey.get(s.key);
    improvedCells[`compound-improved-${s.key}`] = step ? `${fmt.rate(step.improvedRate)}${step.improvedRate > 1 ? ' ⚠' : ''}` : fmt.DASH;
    improvedCells[`compound-print-${s.key}`] = step ? fmt.rate(step.rate, 2) : fmt.DASH;
  }
  const names = new Map(stages.map((s) => [s.key, stageName(s, t)]));
  return {
    data: { 'compound-figures': { k: String(r.k), baseline: String(r.baseline ?? ''), improved: String(r.improved ?? ''), multiplier: String(r.multiplier) } },
    slots: {
      ...improvedCells,
      'compound-figures': [
        figure(t('compound.baseline'), r.baseline == null ? fmt.DASH : fmt.rate(r.baseline, 2), t('compound.def.baseline', { k: r.k }), { compound: 'baseline', value: r.baseline ?? '' }),
        figure(t('compound.improved', { change }), r.improved == null ? fmt.DASH : fmt.rate(r.improved, 2), t('compound.def.improved', { change }), { compound: 'improved', value: r.improved ?? '' }),
        figure(t('compound.multiplier'), `×${fmt.decimal(r.multiplier, 2)}`, t('compound.def.multiplier', { change, k: r.k, m: fmt.decimal(r.multiplier, 2) }), { compound: 'multiplier', value: r.multiplier }),
      ],
      'compound-warning': r.overOne.length ? t('compound.over_one', { stages: r.overOne.map((k) => names.get(k)).join('、') }) : '',
      'compound-effects': (comp?.effects ?? []).length
        ? t('compound.effects', {
          k: stages.length,
          list: (comp?.effects ?? []).map((e) => `${e.change > 0 ? '+' : ''}${fmt.rate(e.change, 0)} → ×${fmt.decimal(e.multiplier, 2)}`).join(' · '),
        })
        : '',
      'compound-defs': defs([
        [t('compound.rate'), t('compound.def.rate')],
        [t('compound.improved_rate'), t('compound.def.improved_rate')],
      ]),
    },
    charts: [{
      kind: 'xy',
      id: 'chart-compound',
      categories: r.steps.map((s) => names.get(s.key) ?? s.key),
      series: [
        { name: t('compound.series_now'), type: 'bar', values: r.steps.map((s) => s.baseline), color: '#9e9e9e' },
        { name: t('compound.series_improved', { change }), type: 'bar', values: r.steps.map((s) => s.improved), color: '#19a37d' },
      ],
      options: { axes: [{ name: t('compound.cumulative'), fmt: (v) => fmt.rate(v, 1), min: 0 }] },
    }],
  };
}

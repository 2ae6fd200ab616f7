// Dormancy tiers (沉睡会员分层) and lifecycle (生命周期): buyers by days since their last
// purchase, non-buyers by days since registration, lifecycle stages and expected repurchase.
// Tiers and stages come in the order the report lists them.

import { el, table } from '../dom.js';
import { formats } from '../format.js';
import { labelFor } from './labels.js';
import { info } from '../glossary.js';

/** @typedef {import('../types/report').Report} Report */
/** @typedef {import('../types/report').DormancyReport} DormancyReport */
/** @typedef {import('../i18n/index.js').Translate} Translate */
/** @typedef {import('./mount.js').SectionView} SectionView */

/** The repurchase statuses: fields of RepurchaseReport (a struct, not an ordered map), in table
 * order; `overdue` is the sum of the first three, so it is not listed with them. */
const REPURCHASE = /** @type {const} */ (['recently_overdue', 'long_overdue', 'lapsed', 'due', 'later']);

/**
 * @param {Report} report
 * @param {Translate} t
 * @returns {SectionView}
 */
export function render(report, t) {
  const fmt = formats(t.lang);
  const d = /** @type {Partial<DormancyReport>} */ (report.dormancy || {});
  const buyers = d.buyers || {};
  const tiers = Object.keys(buyers);
  const nonBuyers = d.non_buyers || {};
  const life = report.lifecycle || {};
  const stages = Object.keys(life);
  const rep = /** @type {Record<string, number>} */ (/** @type {unknown} */ (report.repurchase || {}));

  /**
   * Members per key with their share of the keys' total.
   * @param {readonly string[]} keys @param {Record<string, number>} counts @param {string} prefix @param {string} attr
   */
  const countTable = (keys, counts, prefix, attr) => {
    const total = keys.reduce((a, k) => a + (counts[k] ?? 0), 0);
    return table([t('col.tier'), t('col.members'), t('col.share')],
      keys.map((k) => [[prefix === 'tier' || prefix === 'nb' || prefix === 'life'
        ? el('button', { type: 'button', class: 'link-button', dataset: { filterDormancy: prefix === 'life' ? '' : k, filterLifecycle: prefix === 'life' ? k : '' } }, labelFor(prefix, k, t))
        : labelFor(prefix, k, t), info(`${prefix}.${k}`, t)], fmt.count(counts[k] ?? 0), fmt.rate(total ? (counts[k] ?? 0) / total : null)]),
      { numeric: [1, 2], rowAttrs: (i) => ({ dataset: { [attr]: keys[i], members: counts[keys[i]] ?? 0 } }) });
  };

  return {
    slots: {
      'dormancy-table': [
        countTable(tiers, buyers, 'tier', 'tier'),
        Array.isArray(d.thresholds) ? el('p', { class: 'muted small' }, t('dormancy.thresholds', { t: d.thresholds.map((x) => fmt.decimal(x, 1)).join(' / ') })) : null,
      ],
      'nonbuyer-table': countTable(Object.keys(nonBuyers), nonBuyers, 'nb', 'nonbuyerTier'),
      'lifecycle-table': countTable(stages, life, 'life', 'lifecycle'),
      'repurchase-table': countTable(REPURCHASE, rep, 'rep', 'repurchase'),
    },
    charts: [
      { kind: 'bar', id: 'chart-dormancy', items: tiers.map((k) => ({ label: t(`tier.${k}`), value: buyers[k] ?? 0 })), options: { fmt: fmt.count, color: '#f0a020' } },
      { kind: 'bar', id: 'chart-lifecycle', items: stages.map((k) => ({ label: t(`life.${k}`), value: life[k] ?? 0 })), options: { fmt: fmt.count, color: '#19a37d' } },
    ],
  };
}

// Forecast diagnostics (预测诊断, issue 16 item 8): how well the purchase model fits, as
// lifetimes' plots show it — customers by repeat-purchase count, actual beside what the model
// expects (plot_period_transactions), and, with a holdout, each compared model's mean
// predicted holdout purchases beside the actual ones by calibration frequency
// (plot_calibration_purchases_vs_holdout_purchases). A pure render: the lead mounts the node
// where it fits (e.g. under the forecast section's model comparison).

import { el, table } from '../dom.js';
import { formats } from '../format.js';

/** @typedef {import('../types/report').Report} Report */
/** @typedef {import('../i18n/index.js').Translate} Translate */

/**
 * The diagnostics block, or null when the report has no forecast to diagnose.
 * @param {Report} report
 * @param {Translate} t
 * @returns {HTMLElement | null}
 */
export function render(report, t) {
  const fc = report.forecast;
  if (!fc) return null;
  const fmt = formats(t.lang);
  const counts = Array.isArray(fc.repeat_purchase_counts) ? fc.repeat_purchase_counts : [];
  const modelName = (/** @type {string} */ m) => (t.has(`fc.${m}`) ? t(`fc.${m}`) : m);
  const chosen = modelName(fc.purchase_model?.chosen ?? '');
  const label = (/** @type {number} */ i, /** @type {number} */ n) => (i === n - 1 ? `${counts[i].repeat_purchases}+` : String(counts[i].repeat_purchases));
  const parts = [];
  if (counts.length) {
    parts.push(
      el('h4', {}, t('diagnostics.counts_title', { model: chosen })),
      el('p', { class: 'muted' }, t('diagnostics.counts_note')),
      el('div', { class: 'table-wrap' }, table(
        [t('diagnostics.repeat_purchases'), t('diagnostics.actual'), t('diagnostics.expected')],
        counts.map((c, i) => [label(i, counts.length), fmt.count(c.actual), fmt.decimal(c.expected, 1)]),
        { numeric: [1, 2], rowAttrs: (r) => ({ dataset: { repeat: counts[r].repeat_purchases } }) },
      )),
    );
  }
  const h = fc.holdout;
  const buckets = h && Array.isArray(h.buckets) ? h.buckets : [];
  if (h && buckets.length) {
    const models = Object.keys(h.bucket_mean_absolute_error_by_model ?? {});
    const last = buckets.length - 1;
    parts.push(
      el('h4', {}, t('diagnostics.holdout_title')),
      el('p', { class: 'muted' }, t('diagnostics.holdout_note')),
      el('div', { class: 'table-wrap' }, table(
        [t('diagnostics.calibration_frequency'), t('diagnostics.customers'), t('diagnostics.actual_mean'), ...models.map(modelName)],
        [
          ...buckets.map((b, i) => [
            i === last ? `${b.calibration_frequency}+` : String(b.calibration_frequency),
            fmt.count(b.customers),
            fmt.decimal(b.mean_actual, 3),
            ...models.map((m) => fmt.decimal(b.mean_predicted_by_model?.[m], 3)),
          ]),
          [t('diagnostics.bucket_error'), '', '', ...models.map((m) => fmt.decimal(h.bucket_mean_absolute_error_by_model[m], 3))],
        ],
        { numeric: [1, 2, ...models.map((_, i) => 3 + i)] },
      )),
    );
  }
  if (!parts.length) return null;
  return el('section', { class: 'forecast-diagnostics', dataset: { section: 'forecast-diagnostics' } },
    el('h3', {}, t('diagnostics.title')), ...parts);
}

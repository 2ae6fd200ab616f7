// Every chart's numbers as a table too (a <details> after the chart), for screen readers, for
// keyboard users and for anyone who wants the figures; and the chart's definition from the
// glossary next to it. Built from the same spec the chart is drawn from.

import { el, table, getRoot } from './dom.js';
import { t } from './i18n/index.js';
import { info } from './glossary.js';

/** @typedef {import('./charts.js').ChartSpec} ChartSpec */

/** @param {number | null | undefined} v @param {((v: any) => string) | undefined} fmt */
const show = (v, fmt) => (v === null || v === undefined ? '—' : fmt ? fmt(v) : String(v));

/** The spec's numbers as header and rows. @param {ChartSpec} spec @returns {[string[], (string | number)[][]]} */
function rowsOf(spec) {
  switch (spec.kind) {
    case 'bar': case 'pie':
      return [[t('chart.label'), t('chart.value')], spec.items.map((i) => [i.label, show(i.value, spec.options?.fmt)])];
    case 'heatmap':
      return [[`${spec.options?.rLabel ?? 'R'} \\ ${spec.options?.fLabel ?? 'F'}`, ...spec.matrix[0].map((_, j) => String(j + 1))],
        spec.matrix.map((row, i) => [String(i + 1), ...row.map((v) => show(v, spec.options?.fmt))])];
    case 'histogram':
      return [[spec.options?.xName ?? t('chart.label'), spec.options?.yName ?? t('chart.value')],
        spec.counts.map((c, i) => [`${show(spec.bins[i], spec.options?.fmtEdge)} – ${show(spec.bins[i + 1], spec.options?.fmtEdge)}`, show(c, spec.options?.fmtCount)])];
    case 'matrixHeatmap':
      return [[spec.options.yName ?? '', ...spec.options.xLabels],
        spec.matrix.map((row, i) => [spec.options.yLabels[i] ?? String(i + 1), ...row.map((v) => show(v, spec.options.fmt))])];
    case 'calibration':
      return [[spec.options?.xName ?? '', spec.actual.name, spec.predicted.name],
        spec.categories.map((c, i) => [c, show(spec.actual.values[i], spec.options?.fmt), show(spec.predicted.values[i], spec.options?.fmt)])];
    case 'xy':
      return [[spec.options?.xName ?? '', ...spec.series.map((s) => s.name)],
        spec.categories.map((c, i) => [c, ...spec.series.map((s) => show(s.values[i], s.fmt))])];
    case 'history': {
      // Every marked day, the days asked for and the last: a row per day would be a long table.
      const o = spec.options;
      const marked = new Set(spec.marked);
      const listed = o.tableDays ? new Set([...o.tableDays, ...spec.marked, spec.points.at(-1)?.[0]]) : null;
      return [[o.dayName, o.name, o.markName],
        spec.points.filter(([d]) => !listed || listed.has(d)).map(([d, v]) => [d, show(v, o.fmt), marked.has(d) ? t('forecast.yes') : ''])];
    }
    default: return [[], []];
  }
}

/** The glossary key of a chart element (chart-store-months → chart.store_months). @param {string} id */
const glossKey = (id) => `chart.${id.replace(/^chart-/, '').replace(/-/g, '_')}`;

/**
 * Put the spec's table after its chart (replacing an earlier one), the chart labelled as an
 * image whose text alternative is that table, and the chart's definition before it.
 * @param {ChartSpec} spec
 */
export function addAlternative(spec) {
  const chart = getRoot().getElementById(spec.id);
  if (!chart) return;
  const [head, rows] = rowsOf(spec);
  const altId = `${spec.id}-data`;
  getRoot().getElementById(altId)?.remove();
  getRoot().getElementById(`${spec.id}-gloss`)?.remove();
  const details = el('details', { class: 'chart-data', id: altId },
    el('summary', {}, t('chart.data')),
    el('div', { class: 'table-wrap' }, table(head, rows)));
  chart.after(details);
  chart.setAttribute('role', 'img');
  if (!chart.hasAttribute('data-i18n-title')) chart.setAttribute('aria-label', t('chart.alt'));
  const gloss = info(glossKey(spec.id), t);
  if (gloss) {
    const wrap = el('div', { class: 'chart-gloss', id: `${spec.id}-gloss` }, gloss);
    chart.before(wrap);
  }
}

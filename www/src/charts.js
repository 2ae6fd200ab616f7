// Charts with ECharts (bundled locally, tree-shaken to what the page uses: echarts-setup.js).
// Tooltips are HTML in ECharts: every label that can come from input goes through esc().

import { getRoot } from './dom.js';

const PALETTE = ['#2f6fdb', '#19a37d', '#f0a020', '#d9534f', '#7e57c2', '#26a5b8', '#8d6e63', '#9e9e9e', '#c2185b', '#558b2f'];

/** @typedef {{label: string, value: number}} ChartItem */
/**
 * A chart to draw into the element with `id`: what section renderers return instead of drawing.
 * @typedef {{ kind: 'bar', id: string, items: ChartItem[], options?: BarOptions }
 *   | { kind: 'pie', id: string, items: ChartItem[], options?: PieOptions }
 *   | { kind: 'heatmap', id: string, matrix: number[][], options?: HeatmapOptions }
 *   | { kind: 'histogram', id: string, bins: number[], counts: number[], options?: HistogramOptions }
 *   | { kind: 'matrixHeatmap', id: string, matrix: (number | null)[][], options: MatrixOptions }
 *   | { kind: 'calibration', id: string, categories: string[], actual: Series, predicted: Series, options?: CalibrationOptions }
 *   | { kind: 'xy', id: string, categories: string[], series: XySeries[], options?: XyOptions }
 *   | { kind: 'history', id: string, points: [string, number][], marked: string[], options: HistoryOptions }} ChartSpec
 */
/** @typedef {{name: string, values: number[]}} Series */
/** @typedef {(v: any) => string} Fmt */
/** What ECharts hands a tooltip formatter (the parts used here). @typedef {{name: string, value: any, percent?: number, seriesName?: string}} TipParam */
/** @typedef {{fmt?: Fmt, color?: string}} BarOptions */
/** @typedef {{fmt?: Fmt}} PieOptions */
/** @typedef {{rLabel?: string, fLabel?: string, fmt?: Fmt}} HeatmapOptions */
/** @typedef {{fmtEdge?: Fmt, fmtCount?: Fmt, xName?: string, yName?: string, lastOpen?: boolean, color?: string}} HistogramOptions */
/**
 * @typedef {{xLabels: string[], yLabels: string[], xName?: string, yName?: string, fmt?: Fmt,
 *   tip?: (rowIndex: number, colIndex: number, value: number) => string, min?: number, max?: number, colors?: string[]}} MatrixOptions
 */
/** @typedef {{xName?: string, fmt?: Fmt}} CalibrationOptions */
/**
 * One series of an xy chart: bars or a line over the categories, on the left (0) or right (1) axis.
 * @typedef {{name: string, type: 'bar' | 'line', values: (number | null)[], axis?: 0 | 1, color?: string, fmt?: Fmt}} XySeries
 */
/** An axis of an xy chart: its name, how its values show, its range. @typedef {{name?: string, fmt?: Fmt, min?: number, max?: number}} XyAxis */
/** @typedef {{axes?: XyAxis[], xName?: string, rotate?: number}} XyOptions */
/**
 * A value over days: `name` the line's, `markName` what a marked day is (a purchase), `fmt` how
 * a value shows, `dayName` the days' column in the data table; `tableDays` the days the table
 * lists besides the marked ones and the last (say each month's end; every day when left out).
 * @typedef {{name: string, markName: string, dayName: string, fmt: Fmt, min?: number, max?: number, tableDays?: string[]}} HistoryOptions
 */

/** ECharts' init, once echarts-setup.js is in. @type {typeof import('echarts/core').init | null} */
let echartsInit = null;
/** Charts asked for before ECharts was in: the latest spec per element, drawn once it is. @type {Map<string, ChartSpec>} */
const waiting = new Map();
/** @type {Promise<void> | null} */
let loading = null;

/**
 * ECharts is most of the page's script, and no chart is drawn before a report. The served build
 * splits it into a chunk of its own, loaded once the engine is ready (below) or at the first
 * draw(), whichever comes first: at start it would compete with the engine's Wasm for the
 * network and the CPU. draw() keeps what it is given until then. Bundles without splitting
 * have it inline (import() then only runs its module code).
 */
export function loadCharts() {
  loading ??= import('./echarts-setup.js').then((m) => {
    echartsInit = m.init;
    const specs = [...waiting.values()];
    waiting.clear();
    for (const spec of specs) draw(spec);
    // Loaded ahead of any report (the page, while the user picks a file or the engine reads it).
    if (!specs.length) whenIdle(warmUp);
  });
  return loading;
}

/** `fn` when the page is idle (soon, where requestIdleCallback is missing). @param {() => void} fn */
function whenIdle(fn) {
  if (typeof requestIdleCallback === 'function') requestIdleCallback(fn, { timeout: 3000 });
  else setTimeout(fn, 200);
}

const WARM_UP_ID = 'ml-chart-warm-up';

/**
 * Draws a small chart of each kind the results open with (bar, pie, heatmap, bars and a line on
 * two axes) in an element out of view, then disposes of it and removes the element in the same
 * task: nothing is painted. ECharts' code then runs compiled and its text measures are cached
 * when the first report's charts are drawn: at 1M orders the results were drawn ~60-90 ms sooner
 * (renderReport ~390 -> ~300 ms). Only before the first chart, and only on the page itself
 * (an embedded UI loads ECharts at its first chart).
 */
function warmUp() {
  if (!echartsInit || charts.size || waiting.size || getRoot() !== document || !document.body) return;
  const host = document.createElement('div');
  host.id = WARM_UP_ID;
  host.setAttribute('aria-hidden', 'true');
  host.style.cssText = 'position:fixed;left:-10000px;top:0;width:640px;height:300px;visibility:hidden;pointer-events:none;contain:strict';
  document.body.appendChild(host);
  const items = ['一', 'two', '三', 'four', '五'].map((label, i) => ({ label, value: (i + 1) * 1234.5 }));
  const fmt = (/** @type {unknown} */ v) => String(v);
  try {
    bar(WARM_UP_ID, items, { fmt });
    pie(WARM_UP_ID, items, { fmt });
    heatmap(WARM_UP_ID, items.map((_, r) => items.map((__, f) => r + f)), { rLabel: 'R', fLabel: 'F', fmt });
    xy(WARM_UP_ID, items.map((i) => i.label), [
      { name: 'a', type: 'bar', values: items.map((i) => i.value) },
      { name: 'b', type: 'line', values: items.map((i) => i.value / 2), axis: 1 },
    ], { axes: [{ name: 'x', fmt }, { name: 'y', fmt }], xName: 'n' });
  } catch {
    // A warm-up only: whatever failed here is drawn (and reported) with the report's charts.
  } finally {
    charts.get(WARM_UP_ID)?.dispose();
    charts.delete(WARM_UP_ID);
    host.remove();
  }
}

// The page: <body data-state> leaves 'loading' once the engine is ready (an embedded UI loads
// ECharts at its first chart).
if (typeof document !== 'undefined' && document.body) {
  const body = document.body;
  const whenReady = new MutationObserver(() => {
    if (body.dataset.state === 'loading') return;
    whenReady.disconnect();
    loadCharts();
  });
  if (body.dataset.state === 'loading') whenReady.observe(body, { attributes: true, attributeFilter: ['data-state'] });
}

/**
 * Charts put off while the first results are drawn (their elements far below the view): the
 * latest spec per element, drawn when the page is next idle (the engine is then making the rest
 * of the report in its worker), and those left all at once by drawDeferred().
 * @type {Map<string, ChartSpec>}
 */
const deferred = new Map();
let idleQueued = false;

/**
 * Draw `spec` now when its element starts within two screens of the top of the view, else when
 * the page is next idle: at 1M orders the first results' charts further down were most of their
 * drawing (ECharts' init and first render, 20-40 ms each) and held back the figures above.
 * @param {ChartSpec} spec
 */
export function drawSoon(spec) {
  const host = getRoot().getElementById(spec.id);
  if (!echartsInit || !host || typeof requestIdleCallback !== 'function'
    || host.getBoundingClientRect().top < 2 * window.innerHeight) {
    draw(spec);
    return;
  }
  deferred.set(spec.id, spec);
  if (!idleQueued) {
    idleQueued = true;
    requestIdleCallback(drawWhenIdle);
  }
}

/**
 * Draws put-off charts while the page is idle. One whose element is not shown (the analyzer in
 * a hidden part of a portal's page) stays put off until drawDeferred(), which draws it as
 * draw() always has (the page's resize then sizes it once it is shown).
 * @param {IdleDeadline} deadline
 */
function drawWhenIdle(deadline) {
  idleQueued = false;
  let shownLeft = false;
  for (const [id, spec] of deferred) {
    if (!getRoot().getElementById(id)?.getClientRects().length) continue;
    if (deadline.timeRemaining() < 10) {
      shownLeft = true;
      break;
    }
    deferred.delete(id);
    draw(spec);
  }
  if (shownLeft) {
    idleQueued = true;
    requestIdleCallback(drawWhenIdle);
  }
}

/** Draws every chart drawSoon() put off (before the rest of the report is drawn). */
export function drawDeferred() {
  const specs = [...deferred.values()];
  deferred.clear();
  for (const spec of specs) draw(spec);
}

/** Draw one chart spec (once ECharts is loaded). @param {ChartSpec} spec */
export function draw(spec) {
  // Drawn now: a spec put off for the same element is out of date.
  deferred.delete(spec.id);
  if (!echartsInit) {
    waiting.set(spec.id, spec);
    loadCharts();
    return;
  }
  switch (spec.kind) {
    case 'bar': return bar(spec.id, spec.items, spec.options);
    case 'pie': return pie(spec.id, spec.items, spec.options);
    case 'heatmap': return heatmap(spec.id, spec.matrix, spec.options);
    case 'histogram': return histogram(spec.id, spec.bins, spec.counts, spec.options);
    case 'matrixHeatmap': return matrixHeatmap(spec.id, spec.matrix, spec.options);
    case 'calibration': return calibration(spec.id, spec.categories, spec.actual, spec.predicted, spec.options);
    case 'xy': return xy(spec.id, spec.categories, spec.series, spec.options);
    case 'history': return history(spec.id, spec.points, spec.marked, spec.options);
    default: throw new Error(`unknown chart ${/** @type {{kind: string}} */ (spec).kind}`);
  }
}

/** HTML-escape text for ECharts tooltips (which set innerHTML). @param {unknown} s */
export function esc(s) {
  return String(s ?? '').replace(/[&<>"'`{}]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** @type {Map<string, import('echarts/core').ECharts>} */
const charts = new Map();

/** The chart in the element with this id, created on first use. @param {string} id */
function chartFor(id) {
  const el = getRoot().getElementById(id);
  if (!el) return null;
  let c = charts.get(id);
  if (!echartsInit) return null;
  if (!c || c.isDisposed()) {
    c = echartsInit(el, null, { renderer: 'canvas' });
    charts.set(id, c);
  }
  return c;
}

export function resizeAll() {
  for (const c of charts.values()) if (!c.isDisposed()) c.resize();
}

/**
 * Puts an image of every chart on show in its element, for print: one picture of all of a
 * chart's canvas layers at twice the resolution, which print CSS scales to the page's width in
 * place of the canvases (drawn for the screen's width). dropPrintImages() takes them away again.
 */
export function addPrintImages() {
  dropPrintImages();
  for (const [id, c] of charts) {
    const host = getRoot().getElementById(id);
    if (c.isDisposed() || !host || !host.getClientRects().length) continue;
    const width = c.getWidth();
    const height = c.getHeight();
    if (!width || !height) continue;
    const img = document.createElement('img');
    img.className = 'chart-print';
    img.alt = '';
    img.width = width;
    img.height = height;
    img.src = c.getDataURL({ type: 'png', pixelRatio: 2, backgroundColor: '#fff' });
    host.appendChild(img);
  }
}

/** Removes the images addPrintImages() put in. */
export function dropPrintImages() {
  for (const img of getRoot().querySelectorAll('img.chart-print')) img.remove();
}

export function disposeAll() {
  waiting.clear();
  deferred.clear();
  for (const c of charts.values()) c.dispose();
  charts.clear();
}

const baseTooltip = { confine: true, className: 'ml-tooltip', renderMode: 'html' };

/**
 * Horizontal bar chart; items [{label, value}], fmt formats values for the tooltip.
 * @param {string} id @param {ChartItem[]} items @param {BarOptions} [options]
 */
export function bar(id, items, { fmt = String, color = PALETTE[0] } = {}) {
  const c = chartFor(id);
  if (!c) return;
  c.setOption({
    animation: false,
    color: [color],
    grid: { left: 8, right: 24, top: 8, bottom: 8, containLabel: true },
    tooltip: {
      ...baseTooltip,
      trigger: 'item',
      formatter: (/** @type {TipParam} */ p) => `${esc(p.name)}<br><b>${esc(fmt(p.value))}</b>`,
    },
    xAxis: { type: 'value' },
    yAxis: { type: 'category', inverse: true, data: items.map((d) => d.label), axisLabel: { width: 140, overflow: 'truncate' } },
    series: [{ type: 'bar', data: items.map((d) => d.value), barMaxWidth: 22 }],
  }, true);
}

/**
 * Pie (donut) chart; items [{label, value}].
 * @param {string} id @param {ChartItem[]} items @param {PieOptions} [options]
 */
export function pie(id, items, { fmt = String } = {}) {
  const c = chartFor(id);
  if (!c) return;
  c.setOption({
    animation: false,
    color: PALETTE,
    tooltip: {
      ...baseTooltip,
      trigger: 'item',
      formatter: (/** @type {TipParam} */ p) => `${esc(p.name)}<br><b>${esc(fmt(p.value))}</b> (${esc(p.percent)}%)`,
    },
    series: [{
      type: 'pie',
      radius: ['38%', '68%'],
      data: items.map((d) => ({ name: d.label, value: d.value })),
      label: { formatter: '{b}: {d}%' },
    }],
  }, true);
}

/**
 * R×F heatmap: matrix[r-1][f-1] = members.
 * @param {string} id @param {number[][]} matrix @param {HeatmapOptions} [options]
 */
export function heatmap(id, matrix, { rLabel, fLabel, fmt = String } = {}) {
  const c = chartFor(id);
  if (!c) return;
  /** @type {number[][]} */
  const data = [];
  let max = 0;
  matrix.forEach((row, ri) => row.forEach((v, fi) => { data.push([fi, ri, v]); max = Math.max(max, v); }));
  c.setOption({
    animation: false,
    tooltip: {
      ...baseTooltip,
      formatter: (/** @type {TipParam} */ p) => `${esc(rLabel)} ${p.value[1] + 1} · ${esc(fLabel)} ${p.value[0] + 1}<br><b>${esc(fmt(p.value[2]))}</b>`,
    },
    grid: { left: 60, right: 20, top: 10, bottom: 60 },
    xAxis: { type: 'category', name: fLabel, nameLocation: 'middle', nameGap: 28, data: ['1', '2', '3', '4', '5'] },
    yAxis: { type: 'category', name: rLabel, nameLocation: 'middle', nameGap: 36, data: ['1', '2', '3', '4', '5'] },
    visualMap: { type: 'continuous', min: 0, max: Math.max(1, max), calculable: false, orient: 'horizontal', left: 'center', bottom: 0, itemHeight: 120, inRange: { color: ['#eef4ff', '#2f6fdb'] } },
    series: [{ type: 'heatmap', data, label: { show: true } }],
  }, true);
}

/**
 * Histogram: bins are the n+1 edges, counts the n bar heights; lastOpen labels the last bin "x+".
 * @param {string} id @param {number[]} bins @param {number[]} counts @param {HistogramOptions} [options]
 */
export function histogram(id, bins, counts, { fmtEdge = String, fmtCount = String, xName = '', yName = '', lastOpen = false, color = PALETTE[0] } = {}) {
  const c = chartFor(id);
  if (!c) return;
  const labels = counts.map((_, i) => (lastOpen && i === counts.length - 1
    ? `${fmtEdge(bins[i])}+`
    : `${fmtEdge(bins[i])}–${fmtEdge(bins[i + 1])}`));
  c.setOption({
    animation: false,
    color: [color],
    grid: { left: 8, right: 16, top: 28, bottom: 30, containLabel: true },
    tooltip: { ...baseTooltip, trigger: 'item', formatter: (/** @type {TipParam} */ p) => `${esc(p.name)}<br><b>${esc(fmtCount(p.value))}</b>` },
    xAxis: { type: 'category', name: xName, nameLocation: 'middle', nameGap: 60, data: labels, axisLabel: { rotate: 45, fontSize: 10 } },
    yAxis: { type: 'value', name: yName },
    series: [{ type: 'bar', data: counts, barCategoryGap: '8%' }],
  }, true);
}

/**
 * A general heatmap: matrix[row][col] (null = no member there), rows bottom-up on the y axis.
 * tip(rowIndex, colIndex, value) gives the tooltip's first line (plain text; escaped here).
 * @param {string} id @param {(number | null)[][]} matrix @param {MatrixOptions} options
 */
export function matrixHeatmap(id, matrix, { xLabels, yLabels, xName = '', yName = '', fmt = String, tip, min = 0, max = 1, colors = ['#d9534f', '#f6e7a8', '#19a37d'] }) {
  const c = chartFor(id);
  if (!c) return;
  /** @type {number[][]} */
  const data = [];
  matrix.forEach((row, ri) => row.forEach((v, ci) => { if (typeof v === 'number' && Number.isFinite(v)) data.push([ci, ri, v]); }));
  c.setOption({
    animation: false,
    tooltip: {
      ...baseTooltip,
      formatter: (/** @type {TipParam} */ p) => `${esc(tip ? tip(p.value[1], p.value[0], p.value[2]) : `${yLabels[p.value[1]]} · ${xLabels[p.value[0]]}`)}<br><b>${esc(fmt(p.value[2]))}</b>`,
    },
    grid: { left: 56, right: 16, top: 10, bottom: 86 },
    xAxis: { type: 'category', name: xName, nameLocation: 'middle', nameGap: 26, data: xLabels, splitArea: { show: true } },
    yAxis: { type: 'category', name: yName, nameLocation: 'middle', nameGap: 36, data: yLabels, splitArea: { show: true } },
    visualMap: { type: 'continuous', min, max, calculable: false, orient: 'horizontal', left: 'center', bottom: 0, itemHeight: 160, inRange: { color: colors } },
    series: [{ type: 'heatmap', data, label: { show: true, fontSize: 10, formatter: (/** @type {TipParam} */ p) => fmt(p.value[2]) } }],
  }, true);
}

/**
 * Calibration chart: per bucket, actual (bars) against predicted (line); series [{name, values}].
 * @param {string} id @param {string[]} categories @param {Series} actual @param {Series} predicted @param {CalibrationOptions} [options]
 */
export function calibration(id, categories, actual, predicted, { xName = '', fmt = String } = {}) {
  const c = chartFor(id);
  if (!c) return;
  c.setOption({
    animation: false,
    color: [PALETTE[0], PALETTE[3]],
    legend: { type: 'plain', top: 0, data: [actual.name, predicted.name] },
    grid: { left: 8, right: 16, top: 32, bottom: 24, containLabel: true },
    tooltip: {
      ...baseTooltip,
      trigger: 'axis',
      formatter: (/** @type {TipParam[]} */ ps) => [esc(`${xName} ${ps[0]?.name ?? ''}`), ...ps.map((/** @type {TipParam} */ p) => `${esc(p.seriesName)}: <b>${esc(fmt(p.value))}</b>`)].join('<br>'),
    },
    xAxis: { type: 'category', name: xName, nameLocation: 'middle', nameGap: 24, data: categories },
    yAxis: { type: 'value' },
    series: [
      { name: actual.name, type: 'bar', data: actual.values, barMaxWidth: 28 },
      { name: predicted.name, type: 'line', data: predicted.values, symbolSize: 7 },
    ],
  }, true);
}

/**
 * Categories along x with bar and line series over them, on one or two value axes (the second
 * on the right): a ladder's rates with its median days, revenue by month, a funnel before and
 * after. The tooltip lists every series at the category, each formatted by its axis.
 * @param {string} id @param {string[]} categories @param {XySeries[]} series @param {XyOptions} [options]
 */
export function xy(id, categories, series, { axes = [{}], xName = '', rotate = 0 } = {}) {
  const c = chartFor(id);
  if (!c) return;
  const fmtOf = (/** @type {number} */ axis) => axes[axis]?.fmt ?? String;
  const tipFmt = (/** @type {number} */ i) => series[i]?.fmt ?? fmtOf(series[i]?.axis ?? 0);
  const twoAxes = axes.length > 1;
  c.setOption({
    animation: false,
    color: series.map((s, i) => s.color ?? PALETTE[i % PALETTE.length]),
    legend: series.length > 1 ? { type: 'plain', top: 0, data: series.map((s) => s.name) } : undefined,
    // Room at the top for the legend, and the axis names under it.
    grid: { left: 8, right: 8, top: (series.length > 1 ? 30 : 8) + (axes.some((a) => a.name) ? 22 : 6), bottom: xName ? 26 : 8, containLabel: true },
    tooltip: {
      ...baseTooltip,
      trigger: 'axis',
      formatter: (/** @type {(TipParam & {seriesIndex: number})[]} */ ps) => [esc(ps[0]?.name ?? ''),
        ...ps.map((p) => `${esc(p.seriesName)}: <b>${esc(p.value == null ? '—' : tipFmt(p.seriesIndex)(p.value))}</b>`)].join('<br>'),
    },
    xAxis: { type: 'category', name: xName, nameLocation: 'middle', nameGap: 28, data: categories, axisLabel: { rotate, hideOverlap: true } },
    yAxis: axes.map((a, i) => ({
      type: 'value', name: a.name, min: a.min, max: a.max, position: i === 0 ? 'left' : 'right',
      splitLine: { show: i === 0 }, axisLabel: { formatter: (/** @type {number} */ v) => fmtOf(i)(v) },
      nameTextStyle: { align: i === 0 || !twoAxes ? 'left' : 'right' },
    })),
    series: series.map((s) => ({
      name: s.name, type: s.type, data: s.values, yAxisIndex: twoAxes ? (s.axis ?? 0) : 0,
      ...(s.type === 'bar' ? { barMaxWidth: 28 } : { symbolSize: 6, connectNulls: false }),
    })),
  }, true);
}

/**
 * A value on every day (a time axis), with some days marked by dots on the line: one member's
 * P(alive) from their first purchase to the as-of date, their purchase days marked. The tooltip
 * names the day, the value, and whether the day is marked.
 * @param {string} id @param {[string, number][]} points  [YYYY-MM-DD, value], in order
 * @param {string[]} marked  days (YYYY-MM-DD) to mark @param {HistoryOptions} options
 */
export function history(id, points, marked, { name, markName, fmt, min = 0, max = 1 }) {
  const c = chartFor(id);
  if (!c) return;
  const at = new Map(points);
  const marks = new Set(marked);
  c.setOption({
    animation: false,
    color: [PALETTE[0], PALETTE[3]],
    legend: { type: 'plain', top: 0, data: [name, markName] },
    grid: { left: 8, right: 16, top: 34, bottom: 8, containLabel: true },
    tooltip: {
      ...baseTooltip,
      trigger: 'axis',
      formatter: (/** @type {TipParam[]} */ ps) => {
        const day = String(ps.find((p) => p.seriesName === name)?.value?.[0] ?? ps[0]?.value?.[0] ?? '');
        const v = at.get(day);
        return [esc(day), `${esc(name)}: <b>${esc(v === undefined ? '—' : fmt(v))}</b>`, ...(marks.has(day) ? [esc(markName)] : [])].join('<br>');
      },
    },
    xAxis: { type: 'time', axisLabel: { hideOverlap: true } },
    yAxis: { type: 'value', min, max, axisLabel: { formatter: (/** @type {number} */ v) => fmt(v) } },
    series: [
      { name, type: 'line', data: points, showSymbol: false, lineStyle: { width: 2 } },
      // The marked days as dots on the line (a line series with its line not drawn: the page's
      // ECharts build has no scatter series).
      { name: markName, type: 'line', data: points.filter(([d]) => marks.has(d)), showSymbol: true, showAllSymbol: true,
        symbol: 'circle', symbolSize: 8, lineStyle: { width: 0, opacity: 0 }, z: 3 },
    ],
  }, true);
}

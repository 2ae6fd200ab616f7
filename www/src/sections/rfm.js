// RFM segments (RFM 用户分层): the eight segments in the engine's order, the breakpoints that
// scored them, members and revenue per segment, the R × F heatmap and the ten-segment table.

import { el, table } from '../dom.js';
import { info, glossName, tenKey } from '../glossary.js';
import { formats } from '../format.js';
import { segmentName } from './labels.js';

/** @typedef {import('../types/report').Report} Report */
/** @typedef {import('../types/report').RfmReport} RfmReport */
/** @typedef {import('../types/report').SegmentStats} SegmentStats */
/** @typedef {import('../i18n/index.js').Translate} Translate */
/** @typedef {import('./mount.js').SectionView} SectionView */
/** @typedef {import('../charts.js').ChartSpec} ChartSpec */

/** @type {Partial<SegmentStats>} */
const EMPTY = { members: 0, share: 0, revenue: 0, revenue_share: 0 };

/**
 * A ten-segment name in the reader's language: the engine's, else the glossary's, else the name.
 * @param {string} name @param {{name_zh?: string, name_en?: string}} v @param {import('../i18n/index.js').Translate} t
 */
export function tenName(name, v, t) {
  const own = t.lang === 'zh' ? v.name_zh : v.name_en;
  if (own && !(t.lang === 'zh' && !/[\u4e00-\u9fff]/.test(own))) return own;
  return glossName(tenKey(name), t) ?? name;
}

/**
 * @param {Report} report
 * @param {Translate} t
 * @returns {SectionView}
 */
export function render(report, t) {
  const fmt = formats(t.lang);
  const rfm = /** @type {Partial<RfmReport>} */ (report.rfm || {});
  const segs = rfm.segments || {};
  const rows = Object.keys(segs).map((k) => ({ k, s: /** @type {Partial<SegmentStats>} */ (segs[k] || EMPTY) }));
  const segmentTable = table(
    [t('col.segment'), t('col.members'), t('col.share'), t('col.revenue'), t('col.revenue_share'), t('col.mean_r'), t('col.mean_f'), t('col.mean_m')],
    rows.map(({ k, s }) => [[el('button', { type: 'button', class: 'link-button', dataset: { filterSegment: k } }, segmentName(k, s, t)), info(`segment.${k}`, t)], fmt.count(s.members), fmt.rate(s.share), fmt.money(s.revenue), fmt.rate(s.revenue_share),
      fmt.decimal(s.mean_recency, 1), fmt.decimal(s.mean_frequency, 2), fmt.money(s.mean_monetary)]),
    { numeric: [1, 2, 3, 4, 5, 6, 7], rowAttrs: (i) => ({ dataset: { segment: rows[i].k, members: rows[i].s.members ?? 0, revenue: rows[i].s.revenue ?? 0 } }) });

  const bp = rfm.breakpoints || /** @type {Partial<RfmReport['breakpoints']>} */ ({});
  const sm = rfm.score_means || /** @type {Partial<RfmReport['score_means']>} */ ({});
  /** @param {unknown} a */
  const list = (a) => (Array.isArray(a) ? a.map((x) => fmt.decimal(x, 2)).join(' / ') : fmt.DASH);

  /** @type {ChartSpec[]} */
  const charts = [
    { kind: 'bar', id: 'chart-segments', items: rows.map(({ k, s }) => ({ label: segmentName(k, s, t), value: s.members ?? 0 })), options: { fmt: fmt.count } },
    { kind: 'pie', id: 'chart-revenue', items: rows.filter(({ s }) => (s.revenue ?? 0) > 0).map(({ k, s }) => ({ label: segmentName(k, s, t), value: s.revenue ?? 0 })), options: { fmt: fmt.money } },
  ];
  if (Array.isArray(rfm.rf_heatmap)) {
    charts.push({ kind: 'heatmap', id: 'chart-heatmap', matrix: rfm.rf_heatmap, options: { rLabel: t('rfm.r_score'), fLabel: t('rfm.f_score'), fmt: fmt.count } });
  }

  const ten = Object.entries(rfm.ten_segments || {});
  const tenTable = ten.length
    ? [el('h3', {}, t('rfm.ten')),
      table([t('col.segment'), t('col.members'), t('col.share'), t('col.revenue'), t('col.revenue_share')],
        ten.map(([name, v]) => [[tenName(name, v, t), info(tenKey(name), t)], fmt.count(v.members), fmt.rate(v.share), fmt.money(v.revenue), fmt.rate(v.revenue_share)]),
        { numeric: [1, 2, 3, 4], rowAttrs: (i) => ({ dataset: { tenSegment: ten[i][0], members: ten[i][1].members } }) })]
    : null;

  return {
    slots: {
      'rfm-table': segmentTable,
      'rfm-breakpoints': t('rfm.breakpoints', {
        r: list(bp.recency), f: list(bp.frequency), m: list(bp.monetary),
        mr: fmt.decimal(sm.r, 3), mf: fmt.decimal(sm.f, 3), mm: fmt.decimal(sm.m, 3),
      }),
      'ten-segments': tenTable,
    },
    charts,
  };
}

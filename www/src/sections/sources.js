// Sources and omnichannel overlap (来源与全渠道打通): buyers and revenue per orders file, and
// the buyers each pair of sources shares.

import { el, table } from '../dom.js';
import { formats } from '../format.js';

/** @typedef {import('../types/report').Report} Report */
/** @typedef {import('../i18n/index.js').Translate} Translate */
/** @typedef {import('./mount.js').SectionView} SectionView */

/**
 * @param {Report} report
 * @param {Translate} t
 * @returns {SectionView}
 */
export function render(report, t) {
  const fmt = formats(t.lang);
  const sources = report.sources || [];
  const overlap = report.source_overlap || [];
  return {
    slots: {
      'sources-table': sources.length
        ? table([t('col.sources'), t('col.members'), t('col.buyers'), t('col.orders'), t('col.revenue')],
          sources.map((s) => [s.label, fmt.count(s.members), fmt.count(s.buyers), fmt.count(s.purchase_orders), fmt.money(s.revenue)]),
          { numeric: [1, 2, 3, 4], rowAttrs: (i) => ({ dataset: { source: sources[i].label, buyers: sources[i].buyers } }) })
        : el('p', { class: 'muted' }, fmt.DASH),
      'overlap-table': overlap.length
        ? table([t('sources.pair'), t('col.buyers')], overlap.map((o) => [(o.sources || []).join(' ∩ '), fmt.count(o.buyers)]),
          { numeric: [1], rowAttrs: (i) => ({ dataset: { overlap: (overlap[i].sources || []).join('|'), buyers: overlap[i].buyers } }) })
        : el('p', { class: 'muted' }, fmt.DASH),
    },
    charts: [
      { kind: 'bar', id: 'chart-sources', items: sources.map((s) => ({ label: s.label, value: s.revenue ?? 0 })), options: { fmt: fmt.money, color: '#7e57c2' } },
    ],
  };
}

// Omnichannel overlap (全渠道打通) as an UpSet view: one column per exact combination of sources
// buyers bought in, a bar of its buyers on top, a dot matrix under it saying which sources it
// holds, then its revenue, AOV and revenue share. Headline: the buyers in two or more sources
// and their share of revenue. Drawn in HTML (a table) so it reads aloud and prints as it shows.

import { el } from '../dom.js';
import { formats } from '../format.js';
import { defs, figure } from './figures.js';

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
  const omni = report.growth?.omnichannel;
  const combos = omni?.combinations ?? [];
  if (!omni || !combos.length) {
    return { slots: { 'omni-figures': [], 'omni-upset': el('p', { class: 'muted empty-state' }, t('omni.empty')), 'omni-defs': [] } };
  }
  // The sources in file order (the report's sources), then any others the combinations name.
  const order = (report.sources ?? []).map((s) => s.label);
  for (const c of combos) for (const s of c.sources) if (!order.includes(s)) order.push(s);
  const maxBuyers = Math.max(1, ...combos.map((c) => c.buyers));
  const totalBuyers = combos.reduce((n, c) => n + c.buyers, 0);
  const key = (/** @type {string[]} */ sources) => sources.join('|');

  const bars = el('tr', { class: 'upset-bars' },
    el('th', { scope: 'row' }, t('omni.buyers')),
    combos.map((c) => {
      const bar = el('span', { class: `upset-bar${c.sources.length > 1 ? ' multi' : ''}` });
      bar.style.height = `${(100 * c.buyers) / maxBuyers}%`; // CSSOM: allowed by the CSP
      return el('td', { dataset: { combination: key(c.sources), buyers: c.buyers } },
        el('span', { class: 'upset-count' }, fmt.count(c.buyers)), el('span', { class: 'upset-track' }, bar));
    }));
  const matrix = order.map((source, si) => el('tr', { class: 'upset-dots' },
    el('th', { scope: 'row' }, source),
    combos.map((c) => {
      const has = c.sources.includes(source);
      const idx = c.sources.map((s) => order.indexOf(s));
      // The line joining a combination's dots runs from its first source to its last.
      const line = c.sources.length > 1 ? (si === Math.min(...idx) ? ' line-down' : si === Math.max(...idx) ? ' line-up' : (si > Math.min(...idx) && si < Math.max(...idx) ? ' line-through' : '')) : '';
      return el('td', { class: `upset-dot${has ? ' on' : ''}${line}`, dataset: { upsetSource: source, in: has ? 'true' : 'false' } },
        el('span', { class: 'dot', role: 'img', 'aria-label': t(has ? 'omni.in' : 'omni.not_in', { source }) }));
    })));
  /** @param {string} label @param {(c: typeof combos[number]) => string} f @param {string} field */
  const figureRow = (label, f, field) => el('tr', { class: 'upset-figures', dataset: { field } },
    el('th', { scope: 'row' }, label), combos.map((c) => el('td', { class: 'num' }, f(c))));

  return {
    slots: {
      'omni-figures': [
        figure(t('omni.omni_buyers'), fmt.count(omni.omnichannel_buyers),
          t('omni.def.omni_buyers', { share: fmt.rate(totalBuyers ? omni.omnichannel_buyers / totalBuyers : null) }),
          { omni: 'omnichannel_buyers', value: omni.omnichannel_buyers }),
        figure(t('omni.omni_share'), fmt.rate(omni.omnichannel_revenue_share), t('omni.def.omni_share'),
          { omni: 'omnichannel_revenue_share', value: omni.omnichannel_revenue_share }),
      ],
      'omni-upset': el('table', { class: 'upset', 'aria-label': t('omni.table_label') },
        el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, t('omni.combination')),
          combos.map((c) => el('th', { scope: 'col', class: 'sr-only-text' }, c.sources.join(' + '))))),
        el('tbody', {}, bars, matrix,
          figureRow(t('omni.orders'), (c) => fmt.count(c.orders), 'orders'),
          figureRow(t('omni.revenue'), (c) => fmt.money(c.revenue), 'revenue'),
          figureRow(t('omni.aov'), (c) => fmt.money(c.aov), 'aov'),
          figureRow(t('omni.revenue_share'), (c) => fmt.rate(c.revenue_share), 'revenue_share'))),
      'omni-defs': defs([
        [t('omni.combination'), t('omni.def.combination')],
        [t('omni.buyers'), t('omni.def.buyers')],
        [t('omni.revenue'), t('omni.def.revenue')],
        [t('omni.aov'), t('omni.def.aov')],
        [t('omni.revenue_share'), t('omni.def.revenue_share')],
      ]),
    },
  };
}

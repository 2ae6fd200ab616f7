// What a section renderer returns, and the one place that puts it on the page. Renderers build
// detached DOM and chart specs from the report; mount() finds the elements by id, so renderers
// never touch the document (and can run, or be checked, without the page).

import { $, fill } from '../dom.js';
import { draw, drawSoon } from '../charts.js';
import { addAlternative } from '../chart-alt.js';

/**
 * A section's rendering, keyed by the id of the element each part goes into.
 * @typedef {object} SectionView
 * @property {Record<string, boolean>} [hidden]  hidden flags, applied first (charts need laid-out containers)
 * @property {Record<string, Record<string, unknown>>} [props]  element properties to set (max, disabled ...)
 * @property {Record<string, Record<string, string>>} [data]  data-* attributes to set
 * @property {Record<string, import('../dom.js').Child>} [slots]  new content: text, or nodes replacing the children
 * @property {import('../charts.js').ChartSpec[]} [charts]  charts to draw once the rest is in place
 */

/**
 * Apply a section's rendering to the page.
 * @param {SectionView} view
 * @param {boolean} [chartsSoon]  charts far below the view are drawn when the page is next idle
 *   (charts.js drawSoon; the first results)
 */
export function mount(view, chartsSoon = false) {
  for (const [id, hidden] of Object.entries(view.hidden ?? {})) $(id).hidden = hidden;
  for (const [id, props] of Object.entries(view.props ?? {})) Object.assign($(id), props);
  for (const [id, data] of Object.entries(view.data ?? {})) Object.assign($(id).dataset, data);
  for (const [id, content] of Object.entries(view.slots ?? {})) fill($(id), content);
  for (const spec of view.charts ?? []) { (chartsSoon ? drawSoon : draw)(spec); addAlternative(spec); }
  // A region that scrolls sideways must be reachable by keyboard to be scrolled.
  for (const id of Object.keys(view.slots ?? {})) {
    const node = $(id);
    for (const wrap of [node, ...node.querySelectorAll('.table-wrap')]) {
      if (wrap instanceof HTMLElement && wrap.classList.contains('table-wrap') && !wrap.hasAttribute('tabindex')) wrap.tabIndex = 0;
    }
  }
}

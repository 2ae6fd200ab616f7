// User Timing spans named `ml:…` (performance.measure), for scripts/profile_page.mjs and the
// browser's performance panel: where the time from a file chosen to its results drawn goes, on
// the page and in the engine's worker. They print nothing and change nothing the page shows; a
// browser without `measure(name, options)` simply records none.

/** The time now, in ms (what a span starts from). */
export const now = () => performance.now();

/**
 * Records the span `name` from `start` (a `now()`) to now; `detail` travels with it.
 * @param {string} name @param {number} start @param {unknown} [detail]
 */
export function span(name, start, detail) {
  try { performance.measure(name, { start, end: performance.now(), detail }); } catch { /* no User Timing L3 */ }
}

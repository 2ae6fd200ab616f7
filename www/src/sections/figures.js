// Small building blocks the growth sections share: a headline figure with its one-line
// definition, a list of definitions under a table, and cell shading for colour-scaled tables.

import { el } from '../dom.js';

/** @typedef {import('../dom.js').Child} Child */

/**
 * A headline figure: its label, its value, and what it means in one line.
 * @param {string} label @param {Child} value @param {string} help
 * @param {Record<string, unknown>} [dataset]  data-* of the card (raw values for tests and embedders)
 */
export function figure(label, value, help, dataset = {}) {
  return el('div', { class: 'card figure', dataset },
    el('div', { class: 'card-label' }, label),
    el('div', { class: 'card-value' }, value),
    help ? el('div', { class: 'card-help' }, help) : null);
}

/**
 * What each figure of a table means: term — definition, one line each.
 * @param {[string, string][]} items
 */
export function defs(items) {
  return el('dl', { class: 'defs' }, items.map(([term, def]) => el('div', {}, el('dt', {}, term), el('dd', {}, def))));
}

/** Colour scales for shaded cells: [r, g, b] at full strength. */
export const SCALES = {
  blue: [47, 111, 219],
  green: [25, 163, 125],
  red: [217, 83, 79],
  grey: [120, 132, 150],
};

/**
 * Shade a cell by a value in 0..1 (its background mixes white with the scale's colour; the text
 * turns white on dark cells). Set through the CSSOM: the page's CSP forbids style attributes.
 * @template {HTMLElement} N
 * @param {N} node @param {number | null | undefined} strength  0..1; nothing for null
 * @param {keyof typeof SCALES} [scale]
 * @returns {N}
 */
export function shade(node, strength, scale = 'blue') {
  if (typeof strength !== 'number' || !Number.isFinite(strength)) return node;
  const s = Math.max(0, Math.min(1, strength));
  const [r, g, b] = SCALES[scale];
  const mix = (/** @type {number} */ c) => Math.round(255 + (c - 255) * (0.08 + 0.82 * s));
  let rgb = [mix(r), mix(g), mix(b)];
  // Text at AA contrast (4.5:1) on every cell: dark text on light cells (luminance ≥ 0.26),
  // white on dark ones (≤ 0.18); a mid-tone cell, where neither reaches it, is darkened.
  while (luminance(rgb) > 0.18 && luminance(rgb) < 0.26) rgb = rgb.map((c) => Math.round(c * 0.92));
  node.style.backgroundColor = `rgb(${rgb.join(', ')})`;
  node.style.color = luminance(rgb) <= 0.18 ? '#fff' : '#1d2430';
  return node;
}

/** WCAG relative luminance of an sRGB colour. @param {number[]} rgb */
function luminance(rgb) {
  const [r, g, b] = rgb.map((c) => { const x = c / 255; return x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4; });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** A whole-number-ish count for a share's strength: v / max, 0 when max is 0. @param {number} v @param {number} max */
export const strength = (v, max) => (max > 0 ? v / max : 0);

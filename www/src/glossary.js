// One glossary in both languages (src/report/glossary.json, shared with the CLI and the client
// report): the name and definition of every figure, segment, tier and chart. The page shows a
// definition as an info button next to the figure: a native popover, reachable by keyboard.

import entries from '../../src/report/glossary.json';
import { el } from './dom.js';

/** @typedef {{key: string, name_zh: string, name_en: string, definition_zh: string, definition_en: string}} GlossaryEntry */
/** @typedef {import('./i18n/index.js').Translate} Translate */

/** @type {Map<string, GlossaryEntry>} */
const byKey = new Map(/** @type {GlossaryEntry[]} */ (entries).map((e) => [e.key, e]));

/** Every entry (for tests and the sticky menu). */
export const GLOSSARY = /** @type {GlossaryEntry[]} */ (entries);

/** @param {string} key */
export const entry = (key) => byKey.get(key);

/** A ten-segment scheme's key in the glossary from the engine's name ("Can't Lose Them" → ten.cant_lose_them). @param {string} name */
export const tenKey = (name) => `ten.${name.toLowerCase().replace(/'/g, '').replace(/[^a-z0-9]+/g, '_').replace(/^_|_$/g, '')}`;

/** A key's name in the reader's language, or undefined. @param {string} key @param {Translate} t */
export function glossName(key, t) {
  const e = byKey.get(key);
  return e ? (t.lang === 'zh' ? e.name_zh : e.name_en) : undefined;
}

/** A key's definition in the reader's language, or undefined. @param {string} key @param {Translate} t */
export function glossDefinition(key, t) {
  const e = byKey.get(key);
  return e ? (t.lang === 'zh' ? e.definition_zh : e.definition_en) : undefined;
}

let seq = 0;

/**
 * An info button that opens the definition of `key` (nothing when the glossary has none). A
 * native popover: Tab reaches the button, Enter or Space opens it, Escape closes it.
 * @param {string} key @param {Translate} t
 */
export function info(key, t) {
  const e = byKey.get(key);
  if (!e) return null;
  const id = `gloss-${++seq}`;
  const name = t.lang === 'zh' ? e.name_zh : e.name_en;
  return el('span', { class: 'gloss' },
    el('button', { type: 'button', class: 'gloss-button', popovertarget: id, 'aria-label': t('gloss.what', { name }), dataset: { gloss: key } }, 'ⓘ'),
    el('span', { id, popover: 'auto', class: 'gloss-pop', role: 'note', dataset: { glossKey: key } },
      el('strong', {}, name), ' ', t.lang === 'zh' ? e.definition_zh : e.definition_en));
}

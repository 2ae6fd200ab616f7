// Names for the engine's keys in the reader's language: the engine's own names where the report
// carries them (segments), the translation table otherwise, the raw key as a last resort.

import { DASH } from '../format.js';
import { glossName } from '../glossary.js';

/** @typedef {import('../i18n/index.js').Translate} Translate */

/**
 * An RFM segment's name: the engine's (name_zh / name_en), else the page's, else the key.
 * @param {string} key
 * @param {{name_zh?: string, name_en?: string} | null | undefined} seg
 * @param {Translate} t
 */
export function segmentName(key, seg, t) {
  if (seg) {
    const n = t.lang === 'zh' ? seg.name_zh : seg.name_en;
    if (n) return n;
  }
  return t.has(`segment.${key}`) ? t(`segment.${key}`) : key;
}

/**
 * The label of `prefix.key` (tier.lost, life.growth, churn.high ...), the key itself if none, a dash for nothing.
 * @param {string} prefix
 * @param {unknown} key
 * @param {Translate} t
 */
export function labelFor(prefix, key, t) {
  if (key === null || key === undefined || key === '') return DASH;
  if (t.has(`${prefix}.${key}`)) return t(`${prefix}.${key}`);
  // A dormancy key may be a non-buyer tier (over_365d): never show the raw key.
  if (prefix === 'tier' && t.has(`nb.${key}`)) return t(`nb.${key}`);
  return glossName(`${prefix}.${key}`, t) ?? String(key);
}

/**
 * A message the engine wrote in both languages (warnings, notices), in the reader's; '' when
 * the engine sent neither (older engines: the caller falls back to their English `reason`).
 * @param {{message_en?: string | null, message_zh?: string | null}} m
 * @param {Translate} t
 */
export function engineMessage(m, t) {
  return (t.lang === 'zh' ? (m.message_zh || m.message_en) : m.message_en) || '';
}

// The page's languages: zh-CN (the default) and English. Renderers take a translator `t`
// (one language, with `t.lang` and `t.has`) instead of reading the language from here.

import { zh } from './zh.js';
import { en } from './en.js';

/** @typedef {'zh' | 'en'} Lang */
/**
 * Translates a key in one language, filling {placeholders}; `lang` says which language,
 * `has(key)` whether a string exists (so callers can fall back to a name the engine sent).
 * @typedef {((key: string, params?: Record<string, unknown>) => string) & { readonly lang: Lang, has: (key: string) => boolean }} Translate
 */

const DICTS = { zh, en };

/**
 * A translator fixed to one language; unknown keys fall back to zh, then to the key itself.
 * @param {Lang} lang
 * @returns {Translate}
 */
export function translator(lang) {
  const dict = DICTS[lang];
  /** @param {string} key @param {Record<string, unknown>} [params] */
  const translate = (key, params) => {
    let s = dict[key] ?? zh[key] ?? key;
    if (params) s = s.replace(/\{(\w+)\}/g, (m, k) => (k in params ? String(params[k]) : m));
    return s;
  };
  return Object.assign(translate, { lang, has: (/** @type {string} */ key) => key in dict || key in zh });
}

/** The translator for the page's current language (rebound by setLang). */
export let t = translator('zh');

/** Choose the page's language; anything but `en` means zh. @param {string} next */
export function setLang(next) { t = translator(next === 'en' ? 'en' : 'zh'); }

/** @returns {Lang} */
export function getLang() { return t.lang; }

/**
 * Re-label every static element tagged with data-i18n / data-i18n-placeholder / data-i18n-title.
 * @param {ParentNode} [root]
 */
export function applyStatic(root = document) {
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(/** @type {HTMLElement} */ (el).dataset.i18n ?? '');
  for (const el of root.querySelectorAll('[data-i18n-placeholder]')) {
    /** @type {HTMLInputElement} */ (el).placeholder = t(/** @type {HTMLElement} */ (el).dataset.i18nPlaceholder ?? '');
  }
  for (const el of root.querySelectorAll('[data-i18n-title]')) {
    const text = t(/** @type {HTMLElement} */ (el).dataset.i18nTitle ?? '');
    el.setAttribute('title', text);
    el.setAttribute('aria-label', text);
  }
  for (const el of root.querySelectorAll('[data-i18n-label]')) el.setAttribute('aria-label', t(/** @type {HTMLElement} */ (el).dataset.i18nLabel ?? ''));
  // The page's own title and language; an embedded UI (a shadow root) leaves the portal's alone.
  if (root !== document) return;
  document.documentElement.lang = t.lang === 'zh' ? 'zh-CN' : 'en';
  document.title = t.lang === 'zh' ? 'MemberLens 私域会员分析器' : 'MemberLens — member analytics in your browser';
}

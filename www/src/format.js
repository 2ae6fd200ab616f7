// Number formatting for display, in one language's conventions. Raw values go into data-value
// attributes unformatted. Renderers take the formatter for their translator's language:
//   const fmt = formats(t.lang);

/** @typedef {import('./i18n/index.js').Lang} Lang */

export const DASH = '—';

/** @param {unknown} v @returns {v is number} */
const isNum = (v) => typeof v === 'number' && Number.isFinite(v);

/** @param {unknown} n */
export function bytes(n) {
  if (!isNum(n)) return DASH;
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

/** A member-table cell: arrays joined, numbers formatted lightly, null as a dash. @param {unknown} v */
export function cell(v) {
  if (v === null || v === undefined || v === '') return DASH;
  if (Array.isArray(v)) return v.join('、');
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : v.toFixed(2);
  return String(v);
}

/** @type {Map<string, Intl.NumberFormat>} */
const numberFormats = new Map();

/**
 * `v.toLocaleString(locale, {minimumFractionDigits: min, maximumFractionDigits: max})`, the same
 * text (ECMA-402 defines toLocaleString so), but with one Intl.NumberFormat per locale and digits
 * kept: toLocaleString with options makes a new one at every call, ~10 µs each, and a report
 * formats thousands of numbers (the cohort table alone, hundreds of rates).
 * @param {number} v @param {string} locale @param {number | undefined} min @param {number} max
 */
function localeNumber(v, locale, min, max) {
  const key = `${locale} ${min} ${max}`;
  let nf = numberFormats.get(key);
  if (!nf) {
    nf = new Intl.NumberFormat(locale, min === undefined ? { maximumFractionDigits: max } : { minimumFractionDigits: min, maximumFractionDigits: max });
    numberFormats.set(key, nf);
  }
  return nf.format(v);
}

/**
 * The formatters for one language.
 * @param {Lang} lang
 */
export function formats(lang) {
  const locale = lang === 'zh' ? 'zh-CN' : 'en-US';
  return {
    DASH,
    bytes,
    cell,
    locale,
    /** @param {unknown} v */
    count(v) {
      return isNum(v) ? localeNumber(v, locale, undefined, 0) : DASH;
    },
    /** @param {unknown} v */
    money(v) {
      if (!isNum(v)) return DASH;
      if (Math.abs(v) < 0.005) v = 0;
      const n = /** @type {number} */ (v);
      const s = localeNumber(Math.abs(n), locale, 2, 2);
      return n < 0 ? `-¥${s}` : `¥${s}`;
    },
    /** Money without cents, for chart axes. @param {unknown} v */
    moneyShort(v) {
      if (!isNum(v)) return DASH;
      const s = localeNumber(Math.abs(v), locale, undefined, 0);
      return v < 0 ? `-¥${s}` : `¥${s}`;
    },
    /** @param {unknown} v @param {number} [digits] */
    rate(v, digits = 1) {
      if (!isNum(v)) return DASH;
      const scale = 10 ** digits;
      let pct = Math.round(v * 100 * scale) / scale;
      if (pct === 0) pct = 0; // no "-0.0%"
      return `${localeNumber(pct, locale, digits, digits)}%`;
    },
    /** @param {unknown} v @param {number} [digits] */
    decimal(v, digits = 1) {
      return isNum(v) ? localeNumber(v, locale, 0, digits) : DASH;
    },
  };
}

/** @typedef {ReturnType<typeof formats>} Formats */

/** A day in the reader's own calendar as YYYY-MM-DD (the day a report is made: local, not UTC). @param {Date} [d] */
export function localDate(d = new Date()) {
  const pad = (/** @type {number} */ n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

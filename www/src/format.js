// Number formatting for display. Raw values go into data-value attributes unformatted.

import { getLang } from './i18n.js';

const locale = () => (getLang() === 'zh' ? 'zh-CN' : 'en-US');
const isNum = (v) => typeof v === 'number' && Number.isFinite(v);

export const DASH = '—';

export function count(v) {
  return isNum(v) ? v.toLocaleString(locale(), { maximumFractionDigits: 0 }) : DASH;
}

export function money(v) {
  if (!isNum(v)) return DASH;
  if (Math.abs(v) < 0.005) v = 0;
  const s = Math.abs(v).toLocaleString(locale(), { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  return v < 0 ? `-¥${s}` : `¥${s}`;
}

export function rate(v, digits = 1) {
  if (!isNum(v)) return DASH;
  const scale = 10 ** digits;
  let pct = Math.round(v * 100 * scale) / scale;
  if (pct === 0) pct = 0; // no "-0.0%"
  return `${pct.toLocaleString(locale(), { minimumFractionDigits: digits, maximumFractionDigits: digits })}%`;
}

export function decimal(v, digits = 1) {
  return isNum(v) ? v.toLocaleString(locale(), { minimumFractionDigits: 0, maximumFractionDigits: digits }) : DASH;
}

export function bytes(n) {
  if (!isNum(n)) return DASH;
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

/** A member-table cell: arrays joined, numbers formatted lightly, null as a dash. */
export function cell(v) {
  if (v === null || v === undefined || v === '') return DASH;
  if (Array.isArray(v)) return v.join('、');
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : v.toFixed(2);
  return String(v);
}

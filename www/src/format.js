// Number formatting for display. Raw values go into data-value attributes unformatted.

import { getLang } from './i18n.js';

const locale = () => (getLang() === 'zh' ? 'zh-CN' : 'en-US');
const isNum = (v) => typeof v === 'number' && Number.isFinite(v);

export const DASH = '—';

export function count(v) {
  return isNum(v) ? v.toLocaleString(locale(), { maximumFractionDigits: 0 }) : DASH;
}

export function money(v) {
  return isNum(v) ? `¥${v.toLocaleString(locale(), { minimumFractionDigits: 2, maximumFractionDigits: 2 })}` : DASH;
}

export function rate(v, digits = 1) {
  return isNum(v) ? `${(v * 100).toLocaleString(locale(), { minimumFractionDigits: digits, maximumFractionDigits: digits })}%` : DASH;
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

// Data quality (数据质量): run-level notices, per-file accounting (rows, duplicates, rejects)
// and the row warnings by file and line, in the reader's language where the engine wrote both.

import { el, table } from '../dom.js';
import { formats } from '../format.js';
import { engineMessage, labelFor } from './labels.js';

/** @typedef {import('../types/report').Report} Report */
/** @typedef {import('../types/report').Warning} Warning */
/** @typedef {import('../types/report').Notice} Notice */
/** @typedef {import('../i18n/index.js').Translate} Translate */
/** @typedef {import('./mount.js').SectionView} SectionView */

/** Warnings listed at most; the rest are counted. */
const SHOWN_WARNINGS = 500;

/**
 * A warning as any engine sent it: today `kind`, `code`, `args` and both messages; before, `kind`
 * and an English `reason` only.
 * @typedef {Partial<Warning> & {file?: string, line?: number, column?: string | null, kind?: string, code?: string, reason?: string}} AnyWarning
 */

/** A warning's kind (the key counted in reject_reasons); its `code` if an engine sends no kind. @param {AnyWarning} w */
const warningKind = (w) => w.kind ?? w.code;

/**
 * @param {Report} report
 * @param {Translate} t
 * @returns {SectionView}
 */
export function render(report, t) {
  const fmt = formats(t.lang);
  const files = report.files || [];
  const fileStats = table(
    [t('warnings.file'), t('warnings.kind'), t('warnings.encoding'), t('warnings.rows'), t('warnings.accepted'),
      t('warnings.duplicate_rows'), t('warnings.rejected_rows'), t('warnings.after_as_of_rows'), t('warnings.reasons')],
    files.map((f) => [f.name, labelFor('kind', f.kind, t), f.encoding ?? fmt.DASH, fmt.count(f.rows), fmt.count(f.accepted),
      fmt.count(f.duplicate_rows), fmt.count(f.rejected_rows), fmt.count(f.after_as_of_rows),
      Object.entries(f.reject_reasons || {}).map(([k, n]) => `${labelFor('wkind', k, t)} × ${n}`).join(t.lang === 'zh' ? '；' : '; ') || fmt.DASH]),
    { numeric: [3, 4, 5, 6, 7], rowAttrs: (i) => ({ dataset: { fileStats: files[i].name, rows: files[i].rows, duplicateRows: files[i].duplicate_rows, rejectedRows: files[i].rejected_rows } }) });

  const notices = Array.isArray(report.notices)
    ? report.notices.map((n) => el('p', { class: 'note', dataset: { notice: n.code ?? '' } }, engineMessage(n, t)))
    : [];

  const warnings = /** @type {AnyWarning[]} */ (report.warnings || []);
  /** @type {import('../dom.js').Child} */
  let list;
  if (!warnings.length) {
    list = el('p', { class: 'muted' }, t('warnings.none'));
  } else {
    const shown = warnings.slice(0, SHOWN_WARNINGS);
    list = [
      el('div', { class: 'table-wrap tall' }, table(
        [t('warnings.file'), t('warnings.line'), t('warnings.column'), t('warnings.kind'), t('warnings.reason')],
        shown.map((w) => [w.file ?? fmt.DASH, w.line ?? fmt.DASH, w.column ?? fmt.DASH, labelFor('wkind', warningKind(w), t), engineMessage(w, t) || (w.reason ?? fmt.DASH)]),
        { className: 'data-table compact', rowAttrs: (i) => ({ dataset: { warningKind: warningKind(shown[i]) ?? '', line: shown[i].line ?? '' } }) })),
      warnings.length > shown.length ? el('p', { class: 'muted small' }, `… ${warnings.length - shown.length}`) : null,
    ];
  }
  return { slots: { notices, 'file-stats': fileStats, warnings: list } };
}

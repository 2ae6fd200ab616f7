// The client report (报告): what the page's report controls say (the client or brand it is for,
// its title, the day it is made), and the header that tops the results in print only.

/** @typedef {import('../types/report').Report} Report */
/** @typedef {import('../i18n/index.js').Translate} Translate */
/** @typedef {import('./mount.js').SectionView} SectionView */

/**
 * The report's heading as the controls say: title (the default already filled in), brand ('' for none), date made.
 * @typedef {{ title: string, brand: string, date: string }} ReportMeta
 */

/** The report's title: the one typed, else the default in the reader's language. @param {string} typed @param {Translate} t */
export const reportTitle = (typed, t) => typed.trim() || t('report.default_title');

/**
 * The print-only header: brand, title, the as-of date and the day the report is made.
 * @param {Report} report @param {ReportMeta} meta @param {Translate} t
 * @returns {SectionView}
 */
export function renderPrintHeader(report, meta, t) {
  return {
    hidden: { 'print-brand': !meta.brand },
    slots: {
      'print-brand': meta.brand,
      'print-title': meta.title,
      'print-as-of': t('report.as_of', { date: report.as_of }),
      'print-made': t('report.made', { date: meta.date }),
    },
  };
}

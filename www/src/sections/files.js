// The file cards: what the engine read from each file (kind, encoding, rows) and the column
// mapping the user can change. Controls carry classes and data attributes only; the wiring
// listens on #files and hands changes to the page state.

import { el, table } from '../dom.js';
import { formats } from '../format.js';
import { engineMessage } from './labels.js';

/** @typedef {import('../i18n/index.js').Translate} Translate */
/** @typedef {import('../engine/protocol').FileSummary} FileSummary */
/** @typedef {import('../engine/protocol').FileOptions} FileOptions */
/** @typedef {import('./mount.js').SectionView} SectionView */
/** @typedef {import('../types/report').Warning} Warning */
/** @typedef {import('../engine/protocol').DateOrder} DateOrder */

/**
 * What the engine shows of a file's first rows as read, failed or not (`filePreview`).
 * @typedef {{headers: string[], rows: string[][], sheets: string[], sheet: string | null, encoding: string, delimiter: string}} FilePreview
 */

/**
 * A file as the page keeps it: the bytes (to read again after a restart), the user's options,
 * the engine's summary (null while the file cannot be read), the error that stopped the
 * reading (shown on the card until the user acts), and the first rows as read.
 * @typedef {object} FileEntry
 * @property {string} name
 * @property {File} file
 * @property {FileOptions & {columns: Record<string, string>}} options
 * @property {FileSummary | null} summary
 * @property {import('../state.js').ShownError | null} [error]
 * @property {FilePreview | null} [preview]
 * @property {boolean} [expanded]  the user opened the card's mapping (cards fold once there are results)
 * @property {boolean} [focusDateOrder]  the reading failed on day-first dates: focus the date order once shown
 */

/** Table kinds and encodings the engine accepts as overrides. */
export const KINDS = ['orders', 'members', 'member_summary'];
export const ENCODINGS = ['utf-8', 'gbk', 'gb18030', 'utf-16le', 'utf-16be'];
/** The date orders the user may choose for year-last dates ('' = automatic: year first only). @type {('' | DateOrder)[]} */
export const DATE_ORDERS = ['', 'dmy', 'mdy'];
/** File notices shown on a card at most (the data-quality panel lists them all). */
const CARD_NOTICES = 5;

/** A date written year last (31/12/2023, 12-31-2023 10:00): what day-month-year or month-day-year reads. */
const YEAR_LAST = /^\s*\d{1,2}[/.-]\d{1,2}[/.-]\d{4}(?:\D|$)/;

/**
 * The reading failed because every date was unreadable and they look day- or month-first:
 * the engine's `day_first` when it passes it, else the failed column's first values as read.
 * @param {FileEntry} f
 */
export function datesLookYearLast(f) {
  const err = f.error;
  if (err?.code !== 'dates_unreadable') return false;
  if (typeof err.day_first === 'boolean') return err.day_first;
  if (typeof err.example === 'string') return YEAR_LAST.test(err.example);
  const p = f.preview;
  const col = p ? p.headers.indexOf(String(err.column ?? '')) : -1;
  if (!p || col < 0) return false;
  const values = p.rows.map((r) => r[col] ?? '').filter((v) => v.trim());
  return values.length > 0 && values.some((v) => YEAR_LAST.test(v));
}

/**
 * A header row typed on a card: a line number from 1, or undefined (empty: found automatically).
 * @param {string} text @returns {number | undefined}
 */
export function parseHeaderRow(text) {
  const n = Number(text.trim());
  return text.trim() && Number.isInteger(n) && n >= 1 ? n : undefined;
}

/** @param {string} value @returns {DateOrder | undefined} */
export function parseDateOrder(value) {
  return value === 'dmy' || value === 'mdy' || value === 'ymd' ? value : undefined;
}

/** Column roles: [Chinese name, English name]; one language at a time (the key is the option value). */
const ROLE_NAMES = /** @type {Record<string, [string, string]>} */ ({
  member_id: ['会员ID', 'member id'], phone: ['手机号', 'phone'], email: ['邮箱', 'e-mail'], name: ['姓名', 'name'],
  order_id: ['订单号', 'order id'], order_time: ['下单时间', 'order time'], amount: ['实付金额', 'amount'],
  item_amount: ['商品金额', 'item amount'], refund: ['退款金额', 'refund'], status: ['订单状态', 'status'],
  channel: ['销售渠道', 'channel'], store: ['门店', 'store'], item: ['商品名称', 'item'], category: ['商品类目', 'category'],
  quantity: ['数量', 'quantity'], registered_at: ['注册时间', 'registered at'], tier: ['会员等级', 'tier'],
  points: ['积分', 'points'], gender: ['性别', 'gender'], birthday: ['生日', 'birthday'], region: ['地区', 'region'],
  guide: ['导购', 'guide'], reg_channel: ['注册渠道', 'registration channel'], follower: ['关注公众号', 'follows the official account'], total_spend: ['累计消费金额', 'total spend'],
  total_orders: ['累计消费次数', 'total orders'], first_purchase: ['首次消费时间', 'first purchase'],
  last_purchase: ['最近消费时间', 'last purchase'], purchase_days: ['消费天数', 'purchase days'],
  repeat_spend: ['复购消费金额', 'repeat spend'], currency: ['币种', 'currency'],
});

/** @param {string | null | undefined} role @param {Translate} t */
export function roleName(role, t) {
  if (role === 'ignore' || role === null || role === undefined || role === 'none') return t('role.ignore');
  const n = ROLE_NAMES[role];
  if (!n) return role;
  return t.lang === 'zh' ? n[0] : n[1];
}

/** @param {string | null | undefined} d */
export function delimiterName(d) {
  if (d === undefined || d === null) return '—';
  if (d === '\t') return 'TAB';
  if (d === '') return '—';
  return String(d);
}

/**
 * The file cards, and the analysis options shown once there is a file. Once there are results
 * (`fold`), a card that was read is one line (name, kind, rows, encoding) until the user opens
 * it; a card with an error stays open.
 * File notices (the preamble skipped, trailing columns absent ...) are shown on their file's
 * card from the latest report's warnings.
 * @param {FileEntry[]} files
 * @param {Translate} t
 * @param {boolean} [fold]
 * @param {readonly Warning[]} [warnings]  the latest report's
 * @returns {SectionView}
 */
export function render(files, t, fold = false, warnings = []) {
  return {
    hidden: { 'analysis-options': files.length === 0 },
    slots: {
      files: files.map((f) => fileCard(f, t, fold && !f.error && !f.expanded,
        f.error ? [] : warnings.filter((w) => w.kind === 'notice' && w.file === f.name))),
    },
  };
}

/** The engine's message in the page's language. @param {import('../state.js').ShownError} err @param {Translate} t */
export function errorMessage(err, t) {
  return (t.lang === 'zh' ? err.message_zh : err.message) || err.message || err.message_zh || t('error.unknown');
}

/** The table of the first rows as read: the preview when the engine gave one, else the summary's sample. @param {FileEntry} f */
function previewRows(f) {
  if (f.preview && f.preview.headers.length) return { headers: f.preview.headers, rows: f.preview.rows.slice(0, 20) };
  const s = f.summary;
  if (s && s.sample && s.sample.length) return { headers: s.headers || [], rows: s.sample };
  return null;
}

/** @param {FileEntry} f @param {Translate} t @param {boolean} folded @param {Warning[]} notices */
function fileCard(f, t, folded, notices) {
  const fmt = formats(t.lang);
  const s = /** @type {Partial<FileSummary> & {sheets?: string[]}} */ (f.summary || {});
  const err = f.error ?? null;
  const notTable = err?.code === 'not_a_table';
  // Every date unreadable is an orders file's error: its kind was told.
  const kind = f.options.kind || s.kind || (err?.code === 'dates_unreadable' ? 'orders' : '');
  const kindSelect = el('select', { class: 'file-kind', 'aria-label': `${t('file.kind')}: ${f.name}` },
    kind ? null : el('option', { value: '', selected: true, disabled: true }, t('file.kind_choose')),
    KINDS.map((k) => el('option', { value: k, selected: k === kind }, t(`kind.${k}`))));
  const encoding = String(f.options.encoding || s.encoding || f.preview?.encoding || '').toLowerCase();
  const encSelect = el('select', { class: 'file-encoding', 'aria-label': `${t('file.encoding')}: ${f.name}` },
    ENCODINGS.includes(encoding) ? null : el('option', { value: '', selected: true }, encoding || '—'),
    ENCODINGS.map((e) => el('option', { value: e, selected: e === encoding }, e)));
  const sheets = (s.sheets && s.sheets.length ? s.sheets : f.preview?.sheets) ?? [];
  const sheet = f.options.sheet || s.sheet || f.preview?.sheet || sheets[0] || '';
  const sheetSelect = sheets.length
    ? el('label', {}, el('span', {}, t('file.sheet')),
      el('select', { class: 'file-sheet', 'aria-label': `${t('file.sheet')}: ${f.name}` },
        sheets.map((n) => el('option', { value: n, selected: n === sheet }, n))))
    : null;
  // Where the header is, and how year-last dates are read: a failed file offers them too, and
  // when its dates look day-first the date order is marked (and focused once, by the view).
  const headerRowInput = el('input', {
    type: 'number', class: 'file-header-row', min: 1, step: 1, inputmode: 'numeric',
    value: f.options.header_row ? String(f.options.header_row) : '', placeholder: t('file.header_row_auto'),
    'aria-label': `${t('file.header_row')}: ${f.name}`,
  });
  const dateOrder = f.options.date_order ?? '';
  const yearLast = datesLookYearLast(f);
  const dateHintId = `file-date-hint-${f.name.replace(/[^\w-]/g, '_')}`;
  const dateSelect = el('select', {
    class: 'file-date-order', 'aria-label': `${t('file.date_order')}: ${f.name}`,
    'aria-describedby': yearLast ? dateHintId : null, 'aria-invalid': yearLast ? 'true' : null,
  }, DATE_ORDERS.map((o) => el('option', { value: o, selected: o === dateOrder }, t(`file.date_order.${o || 'auto'}`))));
  const dateControl = el('label', { class: `file-date-order-field${yearLast ? ' prominent' : ''}` },
    el('span', {}, t('file.date_order')), dateSelect,
    yearLast ? el('span', { class: 'file-date-hint', id: dateHintId }, t('file.date_order_hint')) : null);
  const labelInput = el('input', {
    type: 'text', class: 'file-source-label', value: f.options.source_label ?? '', placeholder: s.source_label || f.name,
    'aria-label': `${t('file.source_label')}: ${f.name}`,
  });

  // The columns: the engine's mapping once the file is read; before that, every header with
  // every role, so the user can say what the engine could not find.
  const headers = s.columns ? null : (f.preview?.headers ?? []);
  const columns = s.columns ?? (headers ?? []).map((h) => ({ header: h, role: f.options.columns[h] ?? null, decided_by: f.options.columns[h] ? 'user' : null }));
  const roles = [...new Set([...(s.roles_available || Object.keys(ROLE_NAMES)), 'ignore'])];
  const columnItems = columns.map((c) => {
    const current = c.role && c.role !== 'none' ? c.role : 'ignore';
    const opts = roles.includes(current) ? roles : [current, ...roles];
    const select = el('select', { class: 'column-role', dataset: { header: c.header }, 'aria-label': `${t('file.role')}: ${c.header}` },
      opts.map((r) => el('option', { value: r, selected: r === current }, roleName(r, t))));
    const decided = c.decided_by ? t(`file.decided.${c.decided_by}`) : t('file.decided.auto');
    return el('div', { class: `col-item${current === 'ignore' ? ' ignored' : ''}`, dataset: { decidedBy: c.decided_by ?? '' } },
      el('div', { class: 'col-head' }, el('span', { class: 'col-name', title: c.header }, c.header), el('span', { class: 'col-by muted small' }, decided)),
      select);
  });

  const rows = previewRows(f);
  const sample = rows
    ? el('details', { class: 'sample', open: Boolean(err) },
      el('summary', {}, t('file.preview', { n: rows.rows.length })),
      el('div', { class: 'table-wrap' }, table(rows.headers, rows.rows)))
    : null;

  const errorBox = err
    ? el('p', { class: 'file-error', role: 'alert', dataset: { code: err.code ?? '' } },
      el('strong', {}, notTable ? t('file.not_a_table') : t('file.unread')), ' ', errorMessage(err, t),
      notTable ? null : el('span', { class: 'file-error-hint' }, ' ', t(kind ? 'file.unread_hint' : 'file.choose_kind_hint')))
    : null;

  const state = err ? 'error' : 'ok';
  const line = f.summary
    ? t('file.summary_line', { kind: t(`kind.${s.kind}`), rows: fmt.count(s.rows), encoding: s.encoding ?? '' })
    : t('file.summary_failed');
  const bodyId = `file-body-${f.name.replace(/[^\w-]/g, '_')}`;
  // Notices on how the file was read stay in sight, folded or not: they say what to set if wrong.
  const noticeList = notices.length
    ? el('ul', { class: 'file-notices' }, notices.slice(0, CARD_NOTICES).map((n) => el('li', { class: 'note', dataset: { notice: n.code, line: n.line } },
      n.code === 'preamble_skipped' && n.line ? `${t('file.header_at', { line: n.line })} ` : '', engineMessage(n, t))),
    notices.length > CARD_NOTICES ? el('li', { class: 'muted small' }, `… ${notices.length - CARD_NOTICES}`) : null)
    : null;
  return el('article', { class: `file-card${err ? ' file-failed' : ''}${folded ? ' folded' : ''}`, dataset: { file: f.name, kind: s.kind ?? '', state } },
    el('header', { class: 'file-head' },
      el('strong', { class: 'file-name' }, f.name),
      el('span', { class: 'muted small file-line' }, folded ? line : fmt.bytes(f.file.size)),
      err ? null : el('button', { type: 'button', class: 'btn-ghost file-toggle', 'aria-expanded': folded ? 'false' : 'true', 'aria-controls': bodyId }, t(folded ? 'file.edit' : 'file.fold')),
      el('button', { type: 'button', class: 'btn-ghost file-remove', 'aria-label': `${t('file.remove')}: ${f.name}` }, t('file.remove'))),
    noticeList,
    el('div', { class: 'file-body', id: bodyId, hidden: folded },
    errorBox,
    notTable ? null : el('div', { class: 'file-meta' },
      el('label', {}, el('span', {}, t('file.kind')), kindSelect),
      sheetSelect,
      el('label', {}, el('span', {}, t('file.encoding')), encSelect),
      el('label', {}, el('span', {}, t('file.header_row')), headerRowInput),
      dateControl,
      s.delimiter !== undefined ? el('span', {}, `${t('file.delimiter')}: `, el('code', {}, delimiterName(s.delimiter))) : null,
      f.summary ? el('span', { class: 'file-rows', dataset: { value: s.rows ?? '' } }, `${t('file.rows')}: ${fmt.count(s.rows)}`) : null,
      s.duplicate_rows ? el('span', { class: 'muted' }, `${t('warnings.duplicate_rows')}: ${fmt.count(s.duplicate_rows)}`) : null,
      s.rejected_rows ? el('span', { class: 'warn' }, `${t('warnings.rejected_rows')}: ${fmt.count(s.rejected_rows)}`) : null,
      s.kind === 'orders' ? el('label', {}, el('span', {}, t('file.source_label')), labelInput) : null),
    notTable || !columnItems.length ? null : el('details', { class: 'columns', open: true },
      el('summary', {}, t('file.columns')),
      el('div', { class: 'col-grid' }, columnItems)),
    notTable ? null : sample));
}

// The file cards: what the engine read from each file (kind, encoding, rows) and the column
// mapping the user can change. Controls carry classes and data attributes only; the wiring
// listens on #files and hands changes to the page state.

import { el, table } from '../dom.js';
import { formats } from '../format.js';

/** @typedef {import('../i18n/index.js').Translate} Translate */
/** @typedef {import('../engine/protocol').FileSummary} FileSummary */
/** @typedef {import('../engine/protocol').FileOptions} FileOptions */
/** @typedef {import('./mount.js').SectionView} SectionView */

/**
 * A file as the page keeps it: the bytes (to read again after a restart), the user's options and the engine's summary.
 * @typedef {object} FileEntry
 * @property {string} name
 * @property {File} file
 * @property {FileOptions & {columns: Record<string, string>}} options
 * @property {FileSummary | null} summary
 */

/** Table kinds and encodings the engine accepts as overrides. */
export const KINDS = ['orders', 'members', 'member_summary'];
export const ENCODINGS = ['utf-8', 'gbk', 'gb18030', 'utf-16le', 'utf-16be'];

/** Column roles: [Chinese name, English name]; the engine's key is shown next to the Chinese name. */
const ROLE_NAMES = /** @type {Record<string, [string, string]>} */ ({
  member_id: ['会员ID', 'member id'], phone: ['手机号', 'phone'], email: ['邮箱', 'e-mail'], name: ['姓名', 'name'],
  order_id: ['订单号', 'order id'], order_time: ['下单时间', 'order time'], amount: ['实付金额', 'amount'],
  item_amount: ['商品金额', 'item amount'], refund: ['退款金额', 'refund'], status: ['订单状态', 'status'],
  channel: ['销售渠道', 'channel'], store: ['门店', 'store'], item: ['商品名称', 'item'], category: ['商品类目', 'category'],
  quantity: ['数量', 'quantity'], registered_at: ['注册时间', 'registered at'], tier: ['会员等级', 'tier'],
  points: ['积分', 'points'], gender: ['性别', 'gender'], birthday: ['生日', 'birthday'], region: ['地区', 'region'],
  guide: ['导购', 'guide'], reg_channel: ['注册渠道', 'registration channel'], follower: ['关注公众号', 'follows the official account'], total_spend: ['累计消费金额', 'total spend'],
  total_orders: ['累计消费次数', 'total orders'], first_purchase: ['首次消费时间', 'first purchase'],
  last_purchase: ['最近消费时间', 'last purchase'], currency: ['币种', 'currency'],
});

/** @param {string | null | undefined} role @param {Translate} t */
export function roleName(role, t) {
  if (role === 'ignore' || role === null || role === undefined || role === 'none') return t('role.ignore');
  const n = ROLE_NAMES[role];
  if (!n) return role;
  return t.lang === 'zh' ? `${n[0]} (${role})` : n[1];
}

/** @param {string | null | undefined} d */
export function delimiterName(d) {
  if (d === undefined || d === null) return '—';
  if (d === '\t') return 'TAB';
  if (d === '') return '—';
  return String(d);
}

/**
 * The file cards, and the analysis options shown once there is a file.
 * @param {FileEntry[]} files
 * @param {Translate} t
 * @returns {SectionView}
 */
export function render(files, t) {
  return {
    hidden: { 'analysis-options': files.length === 0 },
    slots: { files: files.map((f) => fileCard(f, t)) },
  };
}

/** @param {FileEntry} f @param {Translate} t */
function fileCard(f, t) {
  const fmt = formats(t.lang);
  const s = /** @type {Partial<FileSummary>} */ (f.summary || {});
  const kindSelect = el('select', { class: 'file-kind', 'aria-label': t('file.kind') },
    KINDS.map((k) => el('option', { value: k, selected: k === s.kind }, t(`kind.${k}`))));
  const encSelect = el('select', { class: 'file-encoding', 'aria-label': t('file.encoding') },
    ENCODINGS.map((e) => el('option', { value: e, selected: e === String(s.encoding).toLowerCase() }, e)));
  const labelInput = el('input', {
    type: 'text', class: 'file-source-label', value: f.options.source_label ?? '', placeholder: s.source_label || f.name,
    'aria-label': t('file.source_label'),
  });

  const roles = [...new Set([...(s.roles_available || []), 'ignore'])];
  const columnItems = (s.columns || []).map((c) => {
    const current = c.role && c.role !== 'none' ? c.role : 'ignore';
    const opts = roles.includes(current) ? roles : [current, ...roles];
    const select = el('select', { class: 'column-role', dataset: { header: c.header }, 'aria-label': `${t('file.role')}: ${c.header}` },
      opts.map((r) => el('option', { value: r, selected: r === current }, roleName(r, t))));
    const decided = c.decided_by ? t(`file.decided.${c.decided_by}`) : t('file.decided.auto');
    return el('div', { class: `col-item${current === 'ignore' ? ' ignored' : ''}`, dataset: { decidedBy: c.decided_by ?? '' } },
      el('div', { class: 'col-head' }, el('span', { class: 'col-name', title: c.header }, c.header), el('span', { class: 'col-by muted small' }, decided)),
      select);
  });

  const sample = s.sample && s.sample.length
    ? el('details', { class: 'sample' }, el('summary', {}, t('file.sample')),
      el('div', { class: 'table-wrap' }, table(s.headers || [], s.sample)))
    : null;

  return el('article', { class: 'file-card', dataset: { file: f.name, kind: s.kind ?? '' } },
    el('header', { class: 'file-head' },
      el('strong', { class: 'file-name' }, f.name),
      el('span', { class: 'muted small' }, fmt.bytes(f.file.size)),
      el('button', { type: 'button', class: 'btn-ghost file-remove' }, t('file.remove'))),
    el('div', { class: 'file-meta' },
      el('label', {}, el('span', {}, t('file.kind')), kindSelect),
      el('label', {}, el('span', {}, t('file.encoding')), encSelect),
      el('span', {}, `${t('file.delimiter')}: `, el('code', {}, delimiterName(s.delimiter))),
      el('span', { class: 'file-rows', dataset: { value: s.rows ?? '' } }, `${t('file.rows')}: ${fmt.count(s.rows)}`),
      s.duplicate_rows ? el('span', { class: 'muted' }, `${t('warnings.duplicate_rows')}: ${fmt.count(s.duplicate_rows)}`) : null,
      s.rejected_rows ? el('span', { class: 'warn' }, `${t('warnings.rejected_rows')}: ${fmt.count(s.rejected_rows)}`) : null,
      s.kind === 'orders' ? el('label', {}, el('span', {}, t('file.source_label')), labelInput) : null),
    el('details', { class: 'columns', open: true },
      el('summary', {}, t('file.columns')),
      el('div', { class: 'col-grid' }, columnItems)),
    sample);
}

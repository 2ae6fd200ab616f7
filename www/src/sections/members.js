// The member table (会员明细): filters, sortable header, one page of rows and the pager.
// The rows come from the worker a page at a time, so this section renders from the report
// (filter choices, names) plus the page and the query; the wiring listens on the header and
// the filters and hands changes to the page state.

import { el } from '../dom.js';
import { formats, cell } from '../format.js';
import { labelFor, segmentName } from './labels.js';
import { tagIndex, tagsCell, tagRule } from './tags.js';
import { tenName } from './rfm.js';
import { openButton } from './alive-history.js';

/** @typedef {import('../types/report').Report} Report */
/** @typedef {import('../types/report').MemberRow} MemberRow */
/** @typedef {import('../types/report').Column} Column */
/** @typedef {import('../engine/protocol').MemberPage} MemberPage */
/** @typedef {import('../i18n/index.js').Translate} Translate */
/** @typedef {import('./mount.js').SectionView} SectionView */

/**
 * The member-table query the page keeps: filters, sort and the current page.
 * @typedef {object} MemberFilter
 * @property {string} search
 * @property {string} segment
 * @property {string} dormancy
 * @property {string} lifecycle
 * @property {string} source
 * @property {string} churn_band
 * @property {string} rule  a rule the members must match ('' for none): a tag clicked, or the rule editor's
 * @property {Record<string, string>} [attrs]  the attribute filters (tier, store, guide, reg_channel, gender, tag) → value
 * @property {string} sort
 * @property {boolean} desc
 * @property {number} offset
 * @property {number} limit
 */

export const PAGE_SIZE = 50;

/**
 * What the search box sends: a phone in any format (+86 139 8541 8353, 139-8541-8353) as its
 * digits without the country code; anything else as typed.
 * @param {string} text
 */
export function normaliseSearch(text) {
  const s = text.trim();
  if (!/^[+\d][\d\s()+.-]*$/.test(s)) return s;
  let digits = s.replace(/\D/g, '');
  if (digits.length === 13 && digits.startsWith('86')) digits = digits.slice(2);
  else if (digits.length === 15 && digits.startsWith('0086')) digits = digits.slice(4);
  return digits.length >= 3 ? digits : s;
}

/** A rule's string literal. @param {string} s */
export const ruleString = (s) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

/** The member attributes the table filters on with a rule: filter select id → column key. */
export const ATTR_FILTERS = /** @type {const} */ ([['filter-tier', 'tier'], ['filter-store', 'store'], ['filter-guide', 'guide'], ['filter-reg-channel', 'reg_channel'], ['filter-gender', 'gender'], ['filter-tag', 'tag']]);

/**
 * The rule of the attribute filters set ('' for none): `tier = "金卡" and tag("…")`.
 * @param {Record<string, string>} attrs  column key (or `tag`) → value
 */
export function attrRule(attrs) {
  return Object.entries(attrs).filter(([, v]) => v)
    .map(([k, v]) => (k === 'tag' ? tagRule(v) : `${k} = ${ruleString(v)}`)).join(' and ');
}

/**
 * The values each attribute filter offers, from the report: tiers, stores and registration
 * channels from the inventory; guides and genders from their tag groups; every tag.
 * @param {Report} report @param {Translate} t
 * @returns {Record<string, [string, string][]>}
 */
export function attrChoices(report, t) {
  const inv = report.inventory;
  const labels = (/** @type {{label: string}[] | undefined} */ rows) => (rows ?? []).map((r) => r.label).filter(Boolean).map((l) => /** @type {[string, string]} */ ([l, l]));
  /** @type {Record<string, [string, string][]>} */
  const out = { tier: Object.keys(inv?.tier_counts ?? {}).map((k) => [k, k]), store: labels(inv?.by_store), reg_channel: labels(inv?.by_reg_channel), guide: [], gender: [], tag: [] };
  for (const c of report.tags?.catalogue ?? []) {
    for (const g of c.groups) {
      for (const tag of g.tags) {
        const name = (t.lang === 'en' ? tag.name_en : tag.name_zh) || tag.name_zh || tag.name_en;
        const group = (t.lang === 'en' ? g.name_en : g.name_zh) || g.name_zh;
        if (g.key === 'guide' || g.key === 'gender') out[g.key].push([name, name]);
        out.tag.push([tag.key, `${group} · ${name}`]);
      }
    }
  }
  return out;
}

/** Column kinds shown right-aligned and sorted descending first. */
const NUMERIC_KINDS = new Set(['integer', 'number', 'money', 'rate']);

/** @param {Column} col */
export const isNumeric = (col) => NUMERIC_KINDS.has(col.kind);

/**
 * A column's name in the page's language (the engine's column table carries both).
 * @param {Column} col
 * @param {Translate} t
 */
export const columnLabel = (col, t) => (t.lang === 'en' ? col.label_en : col.label_zh);

/**
 * The columns the member table shows: those the engine marks as shown, in its order (its
 * column list has the forecast columns only when forecasts were computed), or the user's
 * choice (column chooser) when there is one.
 * @param {Column[]} all
 * @param {Set<string> | null} [chosen]
 */
export function columns(all, chosen = null) {
  return chosen ? all.filter((c) => chosen.has(c.key)) : all.filter((c) => c.shown);
}

/**
 * The column chooser: a checkbox per column, checked when shown.
 * @param {Column[]} all @param {Set<string> | null} chosen @param {Translate} t
 * @returns {SectionView}
 */
export function renderChooser(all, chosen, t) {
  const shown = new Set(columns(all, chosen).map((c) => c.key));
  return {
    slots: {
      'column-list': all.map((c) => el('label', { class: 'column-choice' },
        el('input', { type: 'checkbox', value: c.key, checked: shown.has(c.key), dataset: { column: c.key } }), ' ', columnLabel(c, t))),
    },
  };
}

/**
 * One member value as shown: keys as names, money and probabilities rounded.
 * @param {Column} col
 * @param {unknown} v
 * @param {Report | null} report  for the engine's segment names
 * @param {Translate} t
 */
export function memberCell(col, v, report, t) {
  const dash = formats(t.lang).DASH;
  switch (col.key) {
    case 'segment': return v ? segmentName(String(v), report?.rfm?.segments?.[String(v)], t) : dash;
    case 'dormancy': return labelFor('tier', v, t);
    case 'lifecycle': return labelFor('life', v, t);
    case 'repurchase_status': return labelFor('rep', v, t);
    case 'churn_band': return labelFor('churn', v, t);
    case 'segment_ten': case 'segment_ten_then': return v ? tenName(String(v), report?.rfm?.ten_segments?.[String(v)] ?? {}, t) : dash;
    case 'segment_then': return v ? segmentName(String(v), report?.rfm?.segments?.[String(v)], t) : dash;
    case 'dormancy_then': return labelFor('tier', v, t);
    case 'movement': return labelFor('move', v, t);
    default: break;
  }
  const fmt = formats(t.lang);
  if (col.kind === 'money') return typeof v === 'number' ? fmt.money(v) : dash;
  if (col.kind === 'rate') return typeof v === 'number' ? fmt.decimal(v, 3) : dash;
  if (col.kind === 'integer') return typeof v === 'number' ? fmt.count(v) : dash;
  if (col.kind === 'number') return typeof v === 'number' ? fmt.decimal(v, 1) : dash;
  return cell(v);
}

/**
 * @param {string} allKey  the "all" choice
 * @param {[string, string][]} options  [value, label]
 * @param {string} current
 * @param {Translate} t
 */
function selectOptions(allKey, options, current, t) {
  return [el('option', { value: '' }, t(allKey)),
    ...options.map(([value, label]) => el('option', { value, selected: value === current }, label))];
}

/**
 * The filter choices, in the report's order; `query` says which are chosen.
 * @param {Report} report
 * @param {Translate} t
 * @param {MemberFilter} query
 * @returns {SectionView}
 */
export function renderFilters(report, t, query) {
  const segments = report.rfm?.segments || {};
  const tiers = Object.keys(report.dormancy?.buyers || {});
  const stages = Object.keys(report.lifecycle || {});
  const bands = Object.keys(report.forecast?.churn_bands || {});
  const labels = (report.sources || []).map((s) => s.label);
  const choices = attrChoices(report, t);
  /** @type {Record<string, string>} */
  const allKeys = { tier: 'members.all_tiers', store: 'members.all_stores', guide: 'members.all_guides', reg_channel: 'members.all_reg_channels', gender: 'members.all_genders', tag: 'members.all_tags' };
  /** @type {Record<string, import('../dom.js').Child>} */
  const attrSlots = {};
  /** @type {Record<string, boolean>} */
  const attrHidden = {};
  for (const [id, key] of ATTR_FILTERS) {
    attrSlots[id] = selectOptions(allKeys[key], choices[key], query.attrs?.[key] ?? '', t);
    attrHidden[id] = !choices[key].length;
  }
  return {
    hidden: { 'filter-churn': !report.forecast, ...attrHidden },
    slots: {
      ...attrSlots,
      'filter-segment': selectOptions('members.all_segments', Object.keys(segments).map((k) => [k, segmentName(k, segments[k], t)]), query.segment, t),
      'filter-dormancy': selectOptions('members.all_dormancy', tiers.map((k) => [k, t(`tier.${k}`)]), query.dormancy, t),
      'filter-lifecycle': selectOptions('members.all_lifecycle', stages.map((k) => [k, t(`life.${k}`)]), query.lifecycle, t),
      'filter-source': selectOptions('members.all_sources', labels.map((l) => [l, l]), query.source, t),
      'filter-churn': selectOptions('members.all_churn', bands.map((k) => [k, t(`churn.${k}`)]), query.churn_band, t),
    },
  };
}

/**
 * Where the members' tags are shown: after the name (in view without scrolling the wide table).
 * @param {Column[]} cols
 */
const tagsAt = (cols) => {
  const i = cols.findIndex((c) => c.key === 'name');
  return i < 0 ? cols.length : i + 1;
};

/**
 * Cells with the tags' cell put in its place.
 * @param {Column[]} cols @param {HTMLElement[]} cells @param {HTMLElement} tagsCellNode
 */
const withTags = (cols, cells, tagsCellNode) => {
  const at = tagsAt(cols);
  return [...cells.slice(0, at), tagsCellNode, ...cells.slice(at)];
};

/**
 * The header row: one sortable cell per column, marked with the current sort, and the
 * members' tags (not sortable: no data-column); first, when `history` (the report has its
 * forecasts), the column of the buttons that open a member's P(alive) history.
 * @param {Column[]} cols
 * @param {MemberFilter} query
 * @param {Translate} t
 * @param {boolean} [history]
 * @returns {SectionView}
 */
export function renderHead(cols, query, t, history = false) {
  return {
    slots: {
      'member-head': el('tr', {}, history ? el('th', { class: 'history-col', dataset: { historyColumn: '' } }, t('alive.col')) : null, withTags(cols, cols.map((c) => {
        const sorted = query.sort === c.key;
        return el('th', {
          class: `${isNumeric(c) ? 'num ' : ''}sortable${sorted ? (query.desc ? ' desc' : ' asc') : ''}`,
          dataset: { column: c.key }, 'aria-sort': sorted ? (query.desc ? 'descending' : 'ascending') : null, tabindex: '0',
        }, columnLabel(c, t));
      }), el('th', { class: 'tags-col', dataset: { tagsColumn: '' } }, t('members.tags')))),
    },
  };
}

/**
 * One page of rows and the pager; each row leads with the button to its member's P(alive)
 * history when `history` (as the header does).
 * @param {MemberPage} page
 * @param {Column[]} cols
 * @param {MemberFilter} query
 * @param {Report | null} report
 * @param {Translate} t
 * @param {boolean} [history]
 * @returns {SectionView}
 */
export function renderRows(page, cols, query, report, t, history = false) {
  const fmt = formats(t.lang);
  const tags = tagIndex(report);
  const rows = page.rows.map((row) => {
    const values = /** @type {Record<string, unknown>} */ (/** @type {unknown} */ (row));
    return el('tr', { dataset: { memberId: row.member_id ?? '', tableRow: row.table_row } },
      history ? el('td', { class: 'history-col' }, openButton(row, t)) : null,
      withTags(cols, cols.map((c) => el('td', { class: isNumeric(c) ? 'num' : null }, memberCell(c, values[c.key], report, t))),
        el('td', { class: 'tags-col' }, tagsCell(row.tags, tags, t))));
  });
  const pages = Math.max(1, Math.ceil(page.total / PAGE_SIZE));
  const current = Math.floor(query.offset / PAGE_SIZE) + 1;
  return {
    props: { 'page-prev': { disabled: current <= 1 }, 'page-next': { disabled: current >= pages } },
    data: { 'page-info': { total: String(page.total) } },
    slots: {
      'member-rows': rows,
      'page-info': t('members.page', { page: current, pages, total: fmt.count(page.total) }),
    },
  };
}

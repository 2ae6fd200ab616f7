// Tags (标签体系): the catalogue made for this run as a tree (category → group → tag) with each
// tag's members and share, groups that could not be made greyed with the reason; the rule
// editor's live count or error; and the chip saying which tag or rule filters the member table.
// Clicks are wired in main.js: a tag button carries data-tag (its key).

import { roleName } from './files.js';
import { el } from '../dom.js';
import { formats } from '../format.js';

/** @typedef {import('../types/report').Report} Report */
/** @typedef {import('../types/report').CategorySummary} CategorySummary */
/** @typedef {import('../types/report').GroupSummary} GroupSummary */
/** @typedef {import('../types/report').TagSummary} TagSummary */
/** @typedef {import('../i18n/index.js').Translate} Translate */
/** @typedef {import('./mount.js').SectionView} SectionView */
/** @typedef {import('../state.js').ShownError} ShownError */

/**
 * What the rule editor knows of its text: nothing yet, the count, or why it cannot be read.
 * @typedef {{ state: 'empty' } | { state: 'checking' } | { state: 'ok', count: number } | { state: 'error', error: ShownError }} RuleCheck
 */

/** Tags shown in a group before the rest folds under "more". */
const SHOWN_TAGS = 16;
/** At most this many tags of one group are drawn (a column with thousands of values, say guides):
 * the rest are counted and reachable by a rule. */
export const MAX_TAGS = 300;

/** The catalogue of a report (none from engines before tags). @param {Report | null | undefined} report @returns {CategorySummary[]} */
export const catalogue = (report) => report?.tags?.catalogue ?? [];

/** Every tag of the report by its key, with its group. @param {Report | null | undefined} report */
export function tagIndex(report) {
  /** @type {Map<string, {tag: TagSummary, group: GroupSummary}>} */
  const index = new Map();
  for (const c of catalogue(report)) for (const g of c.groups) for (const tag of g.tags) index.set(tag.key, { tag, group: g });
  return index;
}

/** A name the engine wrote in both languages, in the reader's. @param {{name_zh: string, name_en: string}} x @param {Translate} t */
export const nameOf = (x, t) => (t.lang === 'en' ? x.name_en : x.name_zh) || x.name_zh || x.name_en;

/**
 * The rule selecting one tag, `tag("key")`; a key holding a double quote is quoted with single ones.
 * @param {string} key
 */
export function tagRule(key) {
  return key.includes('"') ? `tag('${key}')` : `tag("${key}")`;
}

/**
 * The tag key of a rule that is exactly one `tag("…")`, else null.
 * @param {string} rule
 */
export function ruleTagKey(rule) {
  const m = /^\s*tag\(\s*(?:"([^"]*)"|'([^']*)')\s*\)\s*$/.exec(rule);
  return m ? (m[1] ?? m[2]) : null;
}

/**
 * The small badges of a group: who sets it, whether it changes, what it rests on.
 * @param {GroupSummary} g @param {Translate} t
 */
function badges(g, t) {
  return el('span', { class: 'badges' },
    el('span', { class: `badge badge-${g.setter}`, dataset: { badge: 'setter' }, title: t('tags.setter_title') }, t(`tags.setter.${g.setter}`)),
    el('span', { class: `badge badge-${g.change}`, dataset: { badge: 'change' }, title: t('tags.change_title') }, t(`tags.change.${g.change}`)),
    el('span', { class: `badge badge-${g.basis}`, dataset: { badge: 'basis' }, title: t('tags.basis_title') }, t(`tags.basis.${g.basis}`)));
}

/**
 * One tag as a button that filters the member table.
 * @param {TagSummary} tag @param {string} activeTag @param {Translate} t @param {ReturnType<typeof formats>} fmt
 */
function tagButton(tag, activeTag, t, fmt) {
  const on = tag.key === activeTag;
  return el('button', {
    type: 'button', class: `tag-chip${on ? ' active' : ''}`, 'aria-pressed': on ? 'true' : 'false',
    dataset: { tag: tag.key, members: tag.members, share: tag.share },
    title: `${t('tags.click_to_filter')}\n${tag.rule}`,
  },
  el('span', { class: 'tag-name' }, nameOf(tag, t)),
  el('span', { class: 'tag-count' }, fmt.count(tag.members)),
  el('span', { class: 'tag-share' }, fmt.rate(tag.share)));
}

/**
 * One group: its name, badges and definition, then its tags or why it has none.
 * @param {GroupSummary} g @param {string} activeTag @param {Translate} t @param {ReturnType<typeof formats>} fmt
 */
function group(g, activeTag, t, fmt) {
  // The engine quotes the missing column by its key (“region”): name it in the reader's language.
  const raw = t.lang === 'en' ? g.unavailable_en : (g.unavailable_zh || g.unavailable_en);
  const reason = raw == null ? raw : raw.replace(/([“"])([a-z_]+)([”"])/g, (_, a, key, b) => `${a}${roleName(key, t)}${b}`);
  const unavailable = reason != null || !g.tags.length;
  const head = el('div', { class: 'tag-group-head' },
    el('span', { class: 'tag-group-name' }, nameOf(g, t)),
    badges(g, t),
    el('span', { class: 'tag-group-def muted small' }, t.lang === 'en' ? g.definition_en : g.definition_zh));
  let body;
  if (unavailable) {
    body = el('p', { class: 'tag-unavailable small', dataset: { unavailable: g.key } }, reason || t('tags.no_tags'));
  } else {
    const shown = g.tags.slice(0, SHOWN_TAGS).map((tag) => tagButton(tag, activeTag, t, fmt));
    const rest = g.tags.slice(SHOWN_TAGS, MAX_TAGS);
    const left = g.tags.length - SHOWN_TAGS - rest.length;
    // A fold that holds the active tag starts open.
    body = el('div', { class: 'tag-list' }, shown,
      rest.length ? el('details', { class: 'tag-more', open: rest.some((x) => x.key === activeTag) },
        el('summary', {}, t('tags.more', { n: rest.length + Math.max(0, left) })),
        el('div', { class: 'tag-list' }, rest.map((tag) => tagButton(tag, activeTag, t, fmt)),
          left > 0 ? el('p', { class: 'muted small', dataset: { notDrawn: left } }, t('tags.not_drawn', { n: fmt.count(left) })) : null)) : null);
  }
  return el('div', { class: `tag-group${unavailable ? ' unavailable' : ''}`, dataset: { group: g.key } }, head, body);
}

/**
 * The tag tree; `activeTag` is the key of the tag filtering the member table ('' for none).
 * @param {Report} report
 * @param {Translate} t
 * @param {string} activeTag
 * @returns {SectionView}
 */
export function render(report, t, activeTag) {
  const fmt = formats(t.lang);
  const cats = catalogue(report);
  const tags = cats.reduce((n, c) => n + c.groups.reduce((m, g) => m + g.tags.length, 0), 0);
  const groups = cats.reduce((n, c) => n + c.groups.length, 0);
  return {
    hidden: { 'tags-panel': !report.tags },
    slots: {
      'tag-tree': cats.length
        ? cats.map((c) => el('details', { class: 'tag-category', open: true, dataset: { category: c.key } },
          el('summary', {}, el('h4', {}, nameOf(c, t))),
          c.groups.map((g) => group(g, activeTag, t, fmt))))
        : el('p', { class: 'muted' }, t('tags.none')),
      'tag-stats': t('tags.stats', { categories: fmt.count(cats.length), groups: fmt.count(groups), tags: fmt.count(tags), members: fmt.count(report.inventory?.members_total) }),
    },
  };
}

/**
 * A rule error's line and column: the engine's fields, or read from its English message
 * ("line 2, column 3: …").
 * @param {ShownError} err
 * @returns {{line: number | null, column: number | null}}
 */
export function errorPlace(err) {
  const m = /line (\d+), column (\d+)/.exec(err.message ?? '');
  const line = typeof err.line === 'number' ? err.line : (m ? Number(m[1]) : null);
  const col = Number(err.column);
  return { line, column: Number.isInteger(col) && col > 0 ? col : (m ? Number(m[2]) : null) };
}

/**
 * An engine error in the page's language.
 * @param {ShownError} err @param {Translate} t
 */
export const errorMessage = (err, t) => (t.lang === 'zh' ? (err.message_zh || err.message) : err.message) || '';

/**
 * A rule error where it happened: the message (with its line and column) and the line of the
 * rule with a caret under the column.
 * @param {ShownError} err @param {string} rule @param {Translate} t
 */
export function ruleError(err, rule, t) {
  const { line, column } = errorPlace(err);
  const text = line ? (rule.split(/\r\n|\n|\r/)[line - 1] ?? '') : '';
  const caret = line && column ? el('pre', { class: 'rule-caret' }, `${text}\n${' '.repeat(Math.max(0, [...text].slice(0, column - 1).length))}^`) : null;
  return el('div', { class: 'rule-error', role: 'alert', dataset: { code: err.code ?? '', line: line ?? '', column: column ?? '' } },
    el('span', {}, errorMessage(err, t)), caret);
}

/**
 * The rule editor's verdict: the live count, or the error with its place.
 * @param {RuleCheck} check @param {string} rule @param {Report | null} report @param {Translate} t
 * @returns {SectionView}
 */
export function renderRuleCheck(check, rule, report, t) {
  const fmt = formats(t.lang);
  const total = report?.inventory?.members_total;
  /** @type {Record<string, string>} */
  const data = { state: check.state, count: check.state === 'ok' ? String(check.count) : '' };
  let count;
  if (check.state === 'ok') count = t('rule.count', { n: fmt.count(check.count), share: fmt.rate(total ? check.count / total : null) });
  else if (check.state === 'checking') count = t('rule.checking');
  else if (check.state === 'empty') count = t('rule.empty');
  else count = '';
  return {
    data: { 'rule-count': data, 'rule-input': { state: check.state } },
    props: { 'rule-input': { ariaInvalid: check.state === 'error' ? 'true' : 'false' }, 'rule-filter': { disabled: check.state !== 'ok' } },
    slots: {
      'rule-count': count,
      'rule-error': check.state === 'error' ? ruleError(check.error, rule, t) : [],
    },
  };
}

/**
 * The chip above the member table saying which tag or rule filters it, with the list exports.
 * @param {string} rule  the rule filtering the table ('' for none)
 * @param {Report | null} report
 * @param {Translate} t
 * @returns {SectionView}
 */
export function renderRuleFilter(rule, report, t) {
  if (!rule) return { hidden: { 'rule-filter-bar': true }, slots: { 'rule-chip-label': '' } };
  const key = ruleTagKey(rule);
  const hit = key === null ? undefined : tagIndex(report).get(key);
  const label = hit
    ? t('rule.filter_tag', { group: nameOf(hit.group, t), tag: nameOf(hit.tag, t) })
    : t('rule.filter_rule', { rule: rule.replace(/\s+/g, ' ').trim() });
  return {
    hidden: { 'rule-filter-bar': false },
    data: { 'rule-filter-bar': { rule, tag: key ?? '' } },
    slots: { 'rule-chip-label': label },
  };
}

/**
 * A member's tags for the table: the first few names, "+N" for the rest, every name in the title.
 * @param {string[] | undefined} keys
 * @param {ReturnType<typeof tagIndex>} index
 * @param {Translate} t
 */
export function tagsCell(keys, index, t) {
  if (!keys?.length) return formats(t.lang).DASH;
  const names = keys.map((k) => {
    const hit = index.get(k);
    return hit ? nameOf(hit.tag, t) : k;
  });
  const shown = names.slice(0, 3);
  return el('span', { class: 'tags-cell', title: names.join(t.lang === 'en' ? '; ' : '、'), dataset: { tags: keys.join('|'), count: keys.length } },
    shown.map((n) => el('span', { class: 'tag-mini' }, n)),
    names.length > shown.length ? el('span', { class: 'tag-more-n' }, `+${names.length - shown.length}`) : null);
}

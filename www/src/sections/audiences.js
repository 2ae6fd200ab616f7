// Audiences (人群): the builder (each audience a name and a rule, written or composed from tags,
// with its live size, share and revenue share), and the saved audiences: their figures, reach
// per channel, mean CLV, list exports, and how they overlap. Inputs and buttons carry data-*
// attributes; main.js wires them by delegation.

import { el, table } from '../dom.js';
import { formats } from '../format.js';
import { catalogue, nameOf, tagRule, MAX_TAGS } from './tags.js';

/** @typedef {import('../types/report').Report} Report */
/** @typedef {import('../types/report').AudienceStats} AudienceStats */
/** @typedef {import('../engine/protocol').AudienceDef} AudienceDef */
/** @typedef {import('../i18n/index.js').Translate} Translate */
/** @typedef {import('./mount.js').SectionView} SectionView */
/** @typedef {import('../state.js').ShownError} ShownError */

/**
 * What the builder knows of each draft, in the drafts' order: its figures, its error, or nothing
 * (no rule yet, or still being counted).
 * @typedef {{ stats: AudienceStats | null, error: ShownError | null }} DraftResult
 */

/** How a composed tag joins the rule: the rule language's words. */
export const JOINS = ['and', 'or', 'and not', 'or not'];

/**
 * Add a tag to a rule with and / or / and not / or not. A rule already joined by the other word
 * is put in parentheses first, so the new tag applies to all of it (and binds tighter than or).
 * @param {string} rule @param {string} join  one of JOINS @param {string} key  the tag's key
 */
export function composeRule(rule, join, key) {
  const term = tagRule(key);
  const negate = join.endsWith('not');
  const word = join.startsWith('or') ? 'or' : 'and';
  const base = rule.trim();
  if (!base) return negate ? `not ${term}` : term;
  // Texts may hold the words: look at the rule outside its quotes.
  const bare = base.replace(/"[^"]*"|'[^']*'|“[^”]*”/g, '""');
  const other = word === 'and' ? /\bor\b|\|\|/i : /\band\b|&&/i;
  const left = other.test(bare) ? `(${base})` : base;
  return `${left} ${word} ${negate ? 'not ' : ''}${term}`;
}

/**
 * The tags to compose from, grouped by category and group (unavailable groups left out; a
 * group's first MAX_TAGS, the ones with most members, as the tree draws them).
 * @param {Report | null} report @param {Translate} t
 */
function tagOptions(report, t) {
  return [el('option', { value: '' }, t('aud.pick_tag')),
    ...catalogue(report).flatMap((c) => c.groups.filter((g) => g.tags.length).map((g) =>
      el('optgroup', { label: `${nameOf(c, t)} / ${nameOf(g, t)}` },
        g.tags.slice(0, MAX_TAGS).map((tag) => el('option', { value: tag.key }, nameOf(tag, t))))))];
}

/**
 * The builder's rows: name, rule, the tag composer and a place for the live figures.
 * @param {AudienceDef[]} drafts
 * @param {Report | null} report
 * @param {Translate} t
 * @returns {SectionView}
 */
export function renderDrafts(drafts, report, t) {
  const rows = drafts.map((d, i) => el('div', { class: 'audience-draft', dataset: { draft: i } },
    el('div', { class: 'audience-draft-head' },
      el('input', { type: 'text', class: 'aud-name', value: d.name, placeholder: t('aud.name_placeholder', { n: i + 1 }), 'aria-label': t('aud.name') }),
      el('span', { class: 'aud-live', id: `audience-live-${i}` }),
      el('button', { type: 'button', class: 'btn-ghost aud-remove', title: t('aud.remove') }, '×')),
    el('textarea', { class: 'aud-rule', rows: '2', spellcheck: 'false', placeholder: t('aud.rule_placeholder'), 'aria-label': t('aud.rule'), value: d.rule }),
    el('div', { class: 'aud-composer' },
      el('select', { class: 'aud-join', 'aria-label': t('aud.join') }, JOINS.map((j) => el('option', { value: j }, t(`aud.join.${j.replace(' ', '_')}`)))),
      el('select', { class: 'aud-tag', 'aria-label': t('aud.pick_tag') }, tagOptions(report, t)),
      el('button', { type: 'button', class: 'btn-secondary aud-compose' }, t('aud.compose'))),
    el('div', { class: 'aud-error', id: `audience-error-${i}` })));
  return {
    slots: { 'audience-list': rows.length ? rows : el('p', { class: 'muted' }, t('aud.no_drafts')) },
  };
}

/**
 * Each draft's live figures (size, share, revenue share) or its error.
 * @param {AudienceDef[]} drafts
 * @param {(DraftResult | undefined)[]} results
 * @param {Translate} t
 * @returns {SectionView}
 */
export function renderLive(drafts, results, t) {
  const fmt = formats(t.lang);
  /** @type {SectionView & {slots: Record<string, import('../dom.js').Child>, data: Record<string, Record<string, string>>}} */
  const view = { slots: {}, data: {} };
  drafts.forEach((d, i) => {
    const r = results[i];
    const s = r?.stats;
    view.data[`audience-live-${i}`] = { members: s ? String(s.members) : '', state: !d.rule.trim() ? 'empty' : r?.error ? 'error' : s ? 'ok' : 'checking' };
    view.slots[`audience-live-${i}`] = s
      ? t('aud.live', { n: fmt.count(s.members), share: fmt.rate(s.share), revenue: fmt.rate(s.revenue_share) })
      : (d.rule.trim() && !r?.error ? t('rule.checking') : '');
    view.slots[`audience-error-${i}`] = r?.error ? ruleErrorText(r.error, t) : [];
  });
  return view;
}

/** @param {ShownError} err @param {Translate} t */
function ruleErrorText(err, t) {
  return el('span', { class: 'rule-error', role: 'alert', dataset: { code: err.code ?? '' } },
    (t.lang === 'zh' ? (err.message_zh || err.message) : err.message) || '');
}

/**
 * The saved audiences: figures, reach per channel, mean CLV and list exports; then their overlaps.
 * @param {Report} report
 * @param {Translate} t
 * @returns {SectionView}
 */
export function renderSaved(report, t) {
  const fmt = formats(t.lang);
  const list = report.audiences ?? [];
  if (!list.length) {
    return { slots: { 'audience-saved': el('p', { class: 'muted' }, t('aud.none_saved')), 'audience-overlap': [] }, hidden: { 'audience-overlap-block': true } };
  }
  const hasClv = list.some((a) => a.mean_clv != null);
  const unknown = t('aud.unknown');
  const exportButtons = (/** @type {number} */ i) => el('span', { class: 'aud-exports' },
    el('button', { type: 'button', class: 'btn-ghost small', dataset: { audienceExport: i, format: 'csv', layout: 'audience' } }, 'CSV'),
    el('button', { type: 'button', class: 'btn-ghost small', dataset: { audienceExport: i, format: 'xlsx', layout: 'audience' } }, 'XLSX'),
    el('button', { type: 'button', class: 'btn-ghost small', dataset: { audienceExport: i, format: 'csv', layout: 'touch' } }, t('list.touch')));
  const headers = [t('aud.name'), t('col.members'), t('col.share'), t('col.revenue'), t('col.revenue_share'),
    ...(hasClv ? [t('aud.mean_clv')] : []), t('aud.with_phone'), t('aud.with_email'), t('aud.with_guide'), t('aud.with_follower'), t('aud.export')];
  const rows = list.map((a, i) => {
    const err = t.lang === 'en' ? a.error_en : (a.error_zh || a.error_en);
    return [
      el('span', { title: a.rule }, a.name, err ? el('span', { class: 'rule-error small' }, ` ${err}`) : null),
      fmt.count(a.members), fmt.rate(a.share), fmt.money(a.revenue), fmt.rate(a.revenue_share),
      ...(hasClv ? [fmt.money(a.mean_clv)] : []),
      fmt.count(a.with_phone), fmt.count(a.with_email), fmt.count(a.with_guide),
      a.with_follower == null ? unknown : fmt.count(a.with_follower),
      err ? '' : exportButtons(i),
    ];
  });
  const numeric = Array.from({ length: headers.length - 2 }, (_, i) => i + 1);
  return {
    hidden: { 'audience-overlap-block': false },
    slots: {
      'audience-saved': table(headers, rows, {
        numeric,
        rowAttrs: (i) => ({ dataset: { audience: list[i].name, members: list[i].members, withPhone: list[i].with_phone, withFollower: list[i].with_follower ?? '' } }),
      }),
      'audience-overlap': table(['', ...list.map((a) => a.name)],
        list.map((a, i) => [a.name, ...list.map((_, j) => el('span', { class: i === j ? 'diag' : null, dataset: { overlap: `${i},${j}`, value: a.overlap[j] ?? '' } }, fmt.count(a.overlap[j])))]),
        { className: 'data-table compact overlap-matrix', numeric: list.map((_, j) => j + 1) }),
    },
  };
}

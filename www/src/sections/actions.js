// Action plan (行动建议): what the value at stake is made of, the ranked action cards (members,
// reach per channel, value at stake and expected gain, and the play's texts from the playbook:
// goal, benefit, channels, timing, frequency cap, message angle, KPI) with their list exports,
// and the touch calendar of the next 30 days. Buttons carry data-* attributes; main.js wires
// them by delegation.

import { el, table } from '../dom.js';
import { formats } from '../format.js';
import { nameOf } from './tags.js';
import { labelFor, segmentName } from './labels.js';

/** @typedef {import('../types/report').Report} Report */
/** @typedef {import('../types/report').Action} Action */
/** @typedef {import('../types/report').CalendarEntry} CalendarEntry */
/** @typedef {import('../i18n/index.js').Translate} Translate */
/** @typedef {import('../format.js').Formats} Formats */
/** @typedef {import('./mount.js').SectionView} SectionView */

/**
 * One play of the playbook as `playbookJson()` writes it (the texts the report's actions join by key).
 * @typedef {object} Play
 * @property {string} key
 * @property {string} [goal_zh] @property {string} [goal_en]
 * @property {string} [benefit]  `exclusive`, `marketing` or `basic`
 * @property {string[]} [benefit_examples_zh] @property {string[]} [benefit_examples_en]
 * @property {string[]} [channels]
 * @property {{kind?: string, days?: number | null, zh?: string, en?: string}} [timing]
 * @property {{times: number, per_days: number} | null} [frequency_cap]
 * @property {string} [message_zh] @property {string} [message_en]
 * @property {string} [kpi_zh] @property {string} [kpi_en]
 * @property {{kind?: string, rate?: number, zh?: string, en?: string}} [gain]
 */

/** Cards shown before "show all". */
export const SHOWN_ACTIONS = 8;

/** The plays of a playbook's JSON text by key (none when it cannot be read). @param {string} text */
export function playIndex(text) {
  /** @type {Map<string, Play>} */
  const index = new Map();
  try {
    const json = JSON.parse(text);
    for (const p of json?.plays ?? []) if (p && typeof p.key === 'string') index.set(p.key, p);
  } catch { /* no texts: the cards show the figures only */ }
  return index;
}

/** A text the playbook wrote in both languages, in the reader's. @param {Record<string, any>} x @param {string} field @param {Translate} t */
const both = (x, field, t) => {
  const [zh, en] = field ? [`${field}_zh`, `${field}_en`] : ['zh', 'en'];
  return (t.lang === 'en' ? x[en] : x[zh]) || x[zh] || x[en] || '';
};

/** A count that may be unknown (null): never shown as 0. @param {number | null | undefined} n @param {Formats} fmt @param {Translate} t */
const maybe = (n, fmt, t) => (n == null ? t('actions.unknown') : fmt.count(n));

/**
 * One labelled line of a card.
 * @param {string} label @param {import('../dom.js').Child} value @param {string} field
 */
const line = (label, value, field) => el('div', { class: 'action-line', dataset: { field } },
  el('dt', {}, label), el('dd', {}, value));

/**
 * One action as a card.
 * @param {Action} a @param {Play | undefined} play @param {string} basis @param {Translate} t @param {Formats} fmt
 */
function card(a, play, basis, t, fmt) {
  const err = t.lang === 'en' ? a.error_en : (a.error_zh || a.error_en);
  const reachable = a.reachable_any == null ? t('actions.unknown')
    : `${a.reach_complete ? '' : '≥'}${fmt.count(a.reachable_any)}`;
  const channels = a.reach.map((r) => el('li', { dataset: { channel: r.channel, reachable: r.reachable ?? '' } },
    el('span', { class: 'channel-name' }, t(`channel.${r.channel}`)), ' ', el('span', { class: 'channel-reach' }, maybe(r.reachable, fmt, t))));
  const gainText = play?.gain ? both(play.gain, '', t) : '';
  const gain = el('span', {},
    el('strong', { class: 'action-gain' }, fmt.money(a.expected_gain)), ' ',
    el('span', { class: 'muted small' }, t(a.gain_kind === 'conversion' ? 'actions.gain_conversion' : 'actions.gain_share', { rate: fmt.rate(a.gain_rate), text: gainText })),
    ' ',
    el('label', { class: 'gain-rate small' },
      t('actions.gain_rate_edit'), ' ',
      el('input', {
        type: 'number', min: '0', max: '100', step: '0.5', value: String(Math.round(a.gain_rate * 1000) / 10),
        dataset: { gainRate: a.key },
      }), '%'));
  /** @type {import('../dom.js').Child[]} */
  const texts = [];
  if (play) {
    const examples = (t.lang === 'en' ? play.benefit_examples_en : play.benefit_examples_zh) ?? [];
    texts.push(line(t('actions.goal'), both(play, 'goal', t), 'goal'));
    if (play.benefit) {
      texts.push(line(t('actions.benefit'), el('div', {},
        el('span', { class: `badge benefit-${play.benefit}`, dataset: { benefit: play.benefit } }, t(`benefit.${play.benefit}`)),
        examples.length ? el('ul', { class: 'action-examples' }, examples.map((x) => el('li', {}, x))) : null), 'benefit'));
    }
    if (play.channels?.length) texts.push(line(t('actions.channels'), el('ol', { class: 'action-channels' }, play.channels.map((c) => el('li', { dataset: { channel: c } }, t(`channel.${c}`)))), 'channels'));
    if (play.timing) texts.push(line(t('actions.timing'), both(play.timing, '', t), 'timing'));
    const cap = play.frequency_cap;
    texts.push(line(t('actions.cap'), cap ? t('actions.cap_text', { times: cap.times, days: cap.per_days }) : t('actions.no_cap'), 'cap'));
    texts.push(line(t('actions.message'), both(play, 'message', t), 'message'));
    texts.push(line(t('actions.kpi'), both(play, 'kpi', t), 'kpi'));
  }
  return el('article', {
    class: 'action-card',
    dataset: {
      action: a.key, rank: a.rank, members: a.members, share: a.share, valueAtStake: a.value_at_stake, expectedGain: a.expected_gain,
      gainRate: a.gain_rate, gainKind: a.gain_kind, reachable: a.reachable_any ?? '', reachComplete: a.reach_complete ? 'true' : 'false', basis,
    },
  },
  el('header', { class: 'action-head' },
    el('span', { class: 'action-rank', title: t('actions.rank') }, `#${a.rank}`),
    el('h3', { class: 'action-name' }, nameOf(a, t)),
    el('span', { class: 'badge', dataset: { badge: 'group' } }, t(`actions.group.${a.group}`))),
  err ? el('p', { class: 'rule-error small' }, err) : null,
  el('dl', { class: 'action-figures' },
    line(t('actions.members'), t('actions.members_value', { n: fmt.count(a.members), share: fmt.rate(a.share) }), 'members'),
    line(t('actions.reachable'), el('span', {}, el('strong', { class: 'action-reachable' }, reachable), el('ul', { class: 'action-reach' }, channels)), 'reach'),
    line(t('actions.value_at_stake'), el('strong', { class: 'action-value' }, fmt.money(a.value_at_stake)), 'value'),
    line(t('actions.expected_gain'), gain, 'gain')),
  texts.length ? el('dl', { class: 'action-texts' }, texts) : null,
  el('div', { class: 'action-exports' },
    el('button', { type: 'button', class: 'btn-secondary small', dataset: { actionExport: a.key, format: 'csv', layout: 'touch' } }, t('list.touch')),
    el('button', { type: 'button', class: 'btn-ghost small', dataset: { actionExport: a.key, format: 'xlsx', layout: 'audience' } }, t('list.xlsx'))));
}

/**
 * A calendar entry's target: a tier entered, or the segment of the members due.
 * @param {CalendarEntry} e @param {Report} report @param {Translate} t
 */
function targetName(e, report, t) {
  if (e.moment === 'enters_tier') return labelFor('tier', e.target, t);
  if (e.target === 'unscored') return t('actions.unscored');
  return segmentName(e.target, report.rfm?.segments?.[e.target], t);
}

/**
 * The entries of one kind in one week, each with the action that applies.
 * @param {CalendarEntry[]} entries @param {Map<string, Action>} byKey @param {Report} report @param {Translate} t @param {Formats} fmt
 */
function entryList(entries, byKey, report, t, fmt) {
  if (!entries.length) return fmt.DASH;
  return el('ul', { class: 'calendar-entries' }, entries.map((e) => {
    const a = e.action ? byKey.get(e.action) : undefined;
    return el('li', { dataset: { moment: e.moment, target: e.target, members: e.members, action: e.action ?? '' } },
      t('actions.calendar_entry', { target: targetName(e, report, t), n: fmt.count(e.members) }),
      e.action ? el('span', { class: 'muted' }, ` → ${a ? nameOf(a, t) : e.action}`) : null);
  }));
}

/**
 * The action plan: the value basis, the ranked cards and the touch calendar.
 * @param {Report} report
 * @param {Map<string, Play>} plays  the playbook's texts by key
 * @param {boolean} showAll  every action with members, not only the first SHOWN_ACTIONS
 * @param {Translate} t
 * @returns {SectionView}
 */
export function render(report, plays, showAll, t) {
  const fmt = formats(t.lang);
  const plan = report.action_plan;
  if (!plan) return { hidden: { 'actions-panel': true } };
  const withMembers = plan.actions.filter((a) => a.members > 0);
  const shown = showAll ? withMembers : withMembers.slice(0, SHOWN_ACTIONS);
  const rest = withMembers.length - SHOWN_ACTIONS;
  const byKey = new Map(plan.actions.map((a) => [a.key, a]));
  const cal = plan.calendar;
  const calendar = table(
    [t('actions.week'), t('actions.due'), t('actions.entering')],
    cal.weeks.map((w) => [
      t('actions.week_range', { from: w.from, to: w.to }),
      entryList(w.entries.filter((e) => e.moment === 'repurchase_due'), byKey, report, t, fmt),
      entryList(w.entries.filter((e) => e.moment !== 'repurchase_due'), byKey, report, t, fmt),
    ]),
    { className: 'data-table calendar-table', rowAttrs: (i) => ({ dataset: { week: cal.weeks[i].from } }) });
  return {
    hidden: { 'actions-panel': false, 'actions-toggle': rest <= 0 },
    data: { 'actions-list': { basis: plan.value_basis, shown: String(shown.length), total: String(withMembers.length) } },
    slots: {
      'actions-basis': t(`actions.basis.${plan.value_basis}`, { mean: fmt.money(plan.mean_first_purchase_value) }),
      'actions-list': shown.length ? shown.map((a) => card(a, plays.get(a.key), plan.value_basis, t, fmt)) : el('p', { class: 'muted' }, t('actions.none')),
      'actions-toggle': showAll ? t('actions.show_less') : t('actions.show_all', { n: Math.max(0, rest) }),
      'actions-calendar': calendar,
      'actions-overdue': el('p', { class: 'small' },
        el('span', { dataset: { recentlyOverdue: cal.recently_overdue } }, t('actions.recently_overdue', { n: fmt.count(cal.recently_overdue) })),
        ' · ',
        el('span', { dataset: { longLapsed: cal.long_lapsed } }, t('actions.long_lapsed', { n: fmt.count(cal.long_lapsed) })),
        el('br'),
        el('span', { class: 'muted' }, t('actions.overdue_help'))),
    },
  };
}

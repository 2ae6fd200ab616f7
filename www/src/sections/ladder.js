// The purchase-number ladder (购买次数转化): of the buyers with n purchases, the share who made
// an (n+1)-th and the days it took, for rungs 1→2 (首购转二购) to 10→11; for all buyers, one
// source's purchases alone, or the buyers whose first purchase was in one channel.

import { el, table } from '../dom.js';
import { formats } from '../format.js';
import { defs } from './figures.js';

/** @typedef {import('../types/report').Report} Report */
/** @typedef {import('../types/report').Ladder} Ladder */
/** @typedef {import('../types/report').LadderStep} LadderStep */
/** @typedef {import('../i18n/index.js').Translate} Translate */
/** @typedef {import('./mount.js').SectionView} SectionView */

/** The whole ladder: every buyer with dated purchases. */
export const ALL = 'all';

/**
 * The ladder a group names: `all`, `source:<label>` or `channel:<label>` (all buyers when the
 * report has no such group any more).
 * @param {Ladder} ladder @param {string} group
 * @returns {{group: string, steps: LadderStep[]}}
 */
export function pick(ladder, group) {
  const [kind, ...rest] = group.split(':');
  const label = rest.join(':');
  const list = kind === 'source' ? ladder.by_source : kind === 'channel' ? ladder.by_first_channel : null;
  const hit = list?.find((g) => g.label === label);
  return hit ? { group, steps: hit.steps } : { group: ALL, steps: ladder.all };
}

/**
 * @param {Report} report
 * @param {Translate} t
 * @param {string} group  which buyers (see pick)
 * @returns {SectionView}
 */
export function render(report, t, group) {
  const fmt = formats(t.lang);
  const ladder = report.growth?.ladder;
  if (!ladder) return { hidden: { 'ladder-panel': true } };
  const shown = pick(ladder, group);
  const steps = shown.steps;
  const rung = (/** @type {LadderStep} */ s) => `${s.n}→${s.n + 1}`;
  const q = (/** @type {LadderStep} */ s, /** @type {number} */ i) => (s.days_quartiles ? fmt.decimal(s.days_quartiles[i], 1) : fmt.DASH);

  /** @param {string} value @param {string} text */
  const option = (value, text) => el('option', { value, selected: value === shown.group }, text);
  const options = [
    option(ALL, t('ladder.all')),
    ladder.by_source.length ? el('optgroup', { label: t('ladder.by_source') }, ladder.by_source.map((g) => option(`source:${g.label}`, g.label))) : null,
    ladder.by_first_channel.length ? el('optgroup', { label: t('ladder.by_first_channel') }, ladder.by_first_channel.map((g) => option(`channel:${g.label}`, g.label))) : null,
  ];
  const [kind, ...label] = shown.group.split(':');
  const scope = shown.group === ALL ? t('ladder.scope_all')
    : t(kind === 'source' ? 'ladder.scope_source' : 'ladder.scope_channel', { label: label.join(':') });

  return {
    hidden: { 'ladder-panel': false },
    data: { 'ladder-table': { ladderGroup: shown.group } },
    slots: {
      'ladder-group': options,
      'ladder-note': [
        scope,
        ladder.undated_buyers > 0 ? t('ladder.undated', { n: fmt.count(ladder.undated_buyers) }) : '',
      ].filter(Boolean).join(t.lang === 'zh' ? '' : ' '),
      'ladder-table': steps.length
        ? table(
          [t('ladder.rung'), t('ladder.reached'), t('ladder.next'), t('ladder.rate'), t('ladder.p25'), t('ladder.median'), t('ladder.p75')],
          steps.map((s) => [rung(s), fmt.count(s.reached), fmt.count(s.next), fmt.rate(s.rate), q(s, 0), q(s, 1), q(s, 2)]),
          {
            className: 'data-table compact',
            numeric: [1, 2, 3, 4, 5, 6],
            rowAttrs: (i) => ({ dataset: { rung: steps[i].n, reached: steps[i].reached, next: steps[i].next, rate: steps[i].rate ?? '' } }),
          })
        : el('p', { class: 'muted' }, t('ladder.empty')),
      'ladder-defs': defs([
        [t('ladder.rung'), t('ladder.def.rung')],
        [t('ladder.reached'), t('ladder.def.reached')],
        [t('ladder.next'), t('ladder.def.next')],
        [t('ladder.rate'), t('ladder.def.rate')],
        [t('ladder.days'), t('ladder.def.days')],
      ]),
    },
    charts: [{
      kind: 'xy',
      id: 'chart-ladder',
      categories: steps.map(rung),
      series: [
        { name: t('ladder.rate'), type: 'bar', values: steps.map((s) => s.rate), axis: 0, color: '#2f6fdb', fmt: (v) => fmt.rate(v) },
        { name: t('ladder.median'), type: 'line', values: steps.map((s) => s.days_quartiles?.[1] ?? null), axis: 1, color: '#f0a020' },
      ],
      options: {
        xName: t('ladder.rung'),
        axes: [
          { name: t('ladder.rate'), fmt: (v) => fmt.rate(v, 0), min: 0, max: 1 },
          { name: t('ladder.days_axis'), fmt: (v) => fmt.decimal(v, 1), min: 0 },
        ],
      },
    }],
  };
}

// The section renderers on their own: bundled from www/src and run in a blank Chromium page
// (no site, no engine), fed hand-made reports. They must render the engine's old and new
// shapes alike (warnings with an English `reason`, or with `code` and both messages; holdout
// days as day numbers or as YYYY-MM-DD), show notices in the chosen language, and leave the
// document alone.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';
import * as h from './helpers.mjs';

let browser;
let page;

before(async () => {
  const bundle = await build({
    stdin: {
      contents: `export * as warnings from './src/sections/warnings.js';
        export * as forecast from './src/sections/forecast.js';
        export * as tags from './src/sections/tags.js';
        export * as audiences from './src/sections/audiences.js';
        export * as ladder from './src/sections/ladder.js';
        export * as cohorts from './src/sections/cohorts.js';
        export * as outlets from './src/sections/outlets.js';
        export * as omnichannel from './src/sections/omnichannel.js';
        export * as movement from './src/sections/movement.js';
        export * as compounding from './src/sections/compounding.js';
        export * as target from './src/sections/target.js';
        export { translator } from './src/i18n/index.js';`,
      resolveDir: h.wwwDir,
      sourcefile: 'sections-under-test.js',
    },
    bundle: true, format: 'iife', globalName: 'ML', write: false, logLevel: 'warning',
  });
  browser = await chromium.launch({ executablePath: h.CHROMIUM, args: h.CHROMIUM_ARGS });
  page = await browser.newPage();
  await page.setContent('<!doctype html><html><body><p id="untouched">page</p></body></html>');
  await page.addScriptTag({ content: bundle.outputFiles[0].text });
});
after(async () => { await browser?.close(); });

/** Render the warnings section in one language; returns its notices, warning rows and whether the document changed. */
function renderWarnings(report, lang) {
  return page.evaluate(([r, l]) => {
    const before = document.body.innerHTML;
    const view = ML.warnings.render(r, ML.translator(l));
    const host = document.createElement('div');
    const nodes = (v) => (Array.isArray(v) ? v.flat(Infinity) : [v]).filter(Boolean);
    for (const n of nodes(view.slots.warnings)) host.append(n);
    return {
      notices: nodes(view.slots.notices).map((n) => ({ code: n.dataset.notice, text: n.textContent })),
      rows: [...host.querySelectorAll('tbody tr')].map((tr) => ({ kind: tr.dataset.warningKind, cells: [...tr.children].map((td) => td.textContent) })),
      documentUnchanged: document.body.innerHTML === before,
    };
  }, [report, lang]);
}

const OLD_WARNING = { file: 'pos.csv', line: 7, column: '日期', kind: 'bad_date', reason: 'cannot read the date "x"' };
const NEW_WARNING = {
  file: 'pos.csv', line: 7, column: '日期', kind: 'bad_date', code: 'bad_order_date', args: { value: 'x' },
  message_en: 'cannot read the date "x"', message_zh: '无法识别日期“x”',
};
const NOTICE = { code: 'forecast_not_computed', args: { reason: 'too few buyers' }, message_en: 'Forecasts were not computed: too few buyers.', message_zh: '未计算价值预测：有消费会员太少。' };

test('warnings from an engine that sends only an English reason show it in both languages', async () => {
  for (const lang of ['zh', 'en']) {
    const r = await renderWarnings({ files: [], warnings: [OLD_WARNING] }, lang);
    // The kind is named in the page's language, never shown as its key.
    const kind = lang === 'zh' ? '日期无法识别' : 'unreadable date';
    assert.deepEqual(r.rows, [{ kind: 'bad_date', cells: ['pos.csv', '7', '日期', kind, 'cannot read the date "x"'] }], lang);
    assert.deepEqual(r.notices, [], 'no notices without the array');
    assert.ok(r.documentUnchanged, 'render does not touch the document');
  }
});

test('warnings with both messages are shown in the chosen language', async () => {
  const zh = await renderWarnings({ files: [], warnings: [NEW_WARNING], notices: [] }, 'zh');
  const en = await renderWarnings({ files: [], warnings: [NEW_WARNING], notices: [] }, 'en');
  assert.deepEqual(zh.rows[0].cells, ['pos.csv', '7', '日期', '日期无法识别', '无法识别日期“x”']);
  assert.deepEqual(en.rows[0].cells, ['pos.csv', '7', '日期', 'unreadable date', 'cannot read the date "x"']);
  assert.ok(zh.documentUnchanged && en.documentUnchanged, 'render does not touch the document');
});

test('notices are shown in the chosen language, tagged with their code', async () => {
  const report = { files: [], warnings: [], notices: [NOTICE] };
  assert.deepEqual((await renderWarnings(report, 'zh')).notices, [{ code: 'forecast_not_computed', text: NOTICE.message_zh }]);
  assert.deepEqual((await renderWarnings(report, 'en')).notices, [{ code: 'forecast_not_computed', text: NOTICE.message_en }]);
});

test('the holdout window reads the same whether the engine sends day numbers or dates', async () => {
  const windowText = (split, end) => page.evaluate(([s, e]) => {
    const fit = { r: 1, alpha: 2, a: 3, b: 4, log_likelihood: 0, converged: true, iterations: 1 };
    const report = {
      as_of: '2024-06-30',
      forecast: {
        bgnbd: fit, gamma_gamma: null, settings: { time_unit: 'day', clv_months: 12, discount: 0.01, holdout_from: '2024-01-01' },
        not_fitted: [], churn_bands: { low: 1 }, expected_purchases: {}, p_alive_matrix: [],
        clv: { count: 1, mean: 1, total: 1, percentiles: [1, 1, 1, 1, 1], bins: [0, 1], counts: [1] },
        holdout: { split_day: s, end_day: e, holdout_length: 181, fit, customers: 1, buckets: [], total_actual: 0, total_predicted: 0, mean_absolute_error: 0, bucket_mean_absolute_error: 0 },
      },
    };
    return ML.forecast.render(report, ML.translator('en')).slots['holdout-window'];
  }, [split, end]);
  const fromNumbers = await windowText(19723, 19904); // 2024-01-01, 2024-06-30
  const fromDates = await windowText('2024-01-01', '2024-06-30');
  assert.match(fromNumbers, /^Calibration up to 2024-01-01, holdout 2024-01-02 to 2024-06-30 \(181 days\)/);
  assert.equal(fromDates, fromNumbers);
});

test('the audience composer joins tags with and / or / not, bracketing a rule joined by the other word', async () => {
  const composed = await page.evaluate(() => {
    const c = ML.audiences.composeRule;
    return [
      c('', 'and', 'gender.女'),
      c('', 'or not', 'gender.女'),
      c('tag("a.x")', 'and', 'b.y'),
      c('tag("a.x") and tag("b.y")', 'and not', 'c.z'),
      c('tag("a.x") and tag("b.y")', 'or', 'c.z'),
      c('tag("a.x") or tag("b.y")', 'and', 'c.z'),
      c('region = "Portland or Salem"', 'and', 'c.z'),
      c('', 'and', 'say."hi"'),
    ];
  });
  assert.deepEqual(composed, [
    'tag("gender.女")',
    'not tag("gender.女")',
    'tag("a.x") and tag("b.y")',
    'tag("a.x") and tag("b.y") and not tag("c.z")',
    '(tag("a.x") and tag("b.y")) or tag("c.z")',
    '(tag("a.x") or tag("b.y")) and tag("c.z")',
    'region = "Portland or Salem" and tag("c.z")',
    'tag(\'say."hi"\')',
  ]);
  assert.deepEqual(await page.evaluate(() => ['tag("x.y")', " tag( 'x.y' ) ", 'tag("x.y") and a', 'not tag("x.y")'].map(ML.tags.ruleTagKey)),
    ['x.y', 'x.y', null, null]);
});

test('a rule error shows its line and column, from the engine\'s fields or its message', async () => {
  const shown = await page.evaluate(() => {
    const t = ML.translator('zh');
    const rule = 'a = 1 and\n  agee > 3';
    const fromFields = { code: 'invalid_rule', line: 2, column: 3, message: 'Rule: line 2, column 3: no member field is called "agee".', message_zh: '规则：第 2 行第 3 列：没有名为“agee”的会员字段。' };
    const fromMessage = { ...fromFields, column: null };
    return [fromFields, fromMessage].map((err) => {
      const v = ML.tags.renderRuleCheck({ state: 'error', error: err }, rule, null, t);
      const box = v.slots['rule-error'];
      return { line: box.dataset.line, column: box.dataset.column, text: box.firstChild.textContent, caret: box.querySelector('pre')?.textContent, disabled: v.props['rule-filter'].disabled };
    });
  });
  for (const s of shown) {
    assert.deepEqual(s, { line: '2', column: '3', text: '规则：第 2 行第 3 列：没有名为“agee”的会员字段。', caret: '  agee > 3\n  ^', disabled: true });
  }
});

test('a report without tags (an older engine) hides the tags section and shows members without tags', async () => {
  const r = await page.evaluate(() => {
    const t = ML.translator('en');
    const view = ML.tags.render({ inventory: { members_total: 3 } }, t, '');
    return { hidden: view.hidden['tags-panel'], cell: ML.tags.tagsCell(undefined, ML.tags.tagIndex(null), t), chip: ML.tags.renderRuleFilter('', null, t).hidden['rule-filter-bar'] };
  });
  assert.deepEqual(r, { hidden: true, cell: '—', chip: true });
});

test('a group with thousands of tags draws the first few hundred and says how many are left', async () => {
  const r = await page.evaluate(() => {
    const tags = Array.from({ length: 1000 }, (_, i) => ({ key: `guide.g${i}`, name_zh: `导购${i}`, name_en: `Guide ${i}`, rule: `guide = "g${i}"`, members: 1000 - i, share: 0.001 }));
    const group = { key: 'guide', name_zh: '专属导购', name_en: 'Guide', definition_zh: '', definition_en: '', setter: 'auto', change: 'dynamic', basis: 'fact', unavailable_en: null, unavailable_zh: null, tags };
    const report = { inventory: { members_total: 1000 }, tags: { catalogue: [{ key: 'member', name_zh: '会员属性', name_en: 'Member', groups: [group] }] } };
    const host = document.createElement('div');
    host.append(...ML.tags.render(report, ML.translator('en'), 'guide.g400').slots['tag-tree']);
    return { drawn: host.querySelectorAll('[data-tag]').length, left: host.querySelector('[data-not-drawn]')?.dataset.notDrawn, more: host.querySelector('.tag-more summary').textContent };
  });
  assert.deepEqual(r, { drawn: 300, left: '700', more: '984 more' });
});

test('growth: the target form is read in percent and refused entry by entry', async () => {
  const read = await page.evaluate(() => {
    const f = (o) => ML.target.readTarget({ revenue: '', months: '', conversion: '', aov: '', newMemberValue: '', existing: '', ...o });
    return [
      f({ revenue: '5,000,000', conversion: '3' }),
      f({ revenue: '100', months: '6', aov: '80', newMemberValue: '50', existing: '0' }),
      f({}), f({ revenue: '1', months: '37' }), f({ revenue: '1', months: '2.5' }), f({ revenue: '1', conversion: '0' }),
      f({ revenue: '1', conversion: '101' }), f({ revenue: '1', aov: '-1' }), f({ revenue: '1', existing: '-1' }),
    ];
  });
  assert.deepEqual(read, [
    { target: { revenue: 5000000, months: 12, conversion_rate: 0.03 } },
    { target: { revenue: 100, months: 6, aov: 80, new_member_value: 50, existing_revenue: 0 } },
    { error: 'target.err.revenue', field: 'revenue' }, { error: 'target.err.months', field: 'months' },
    { error: 'target.err.months', field: 'months' }, { error: 'target.err.conversion', field: 'conversion' },
    { error: 'target.err.conversion', field: 'conversion' }, { error: 'target.err.positive', field: 'aov' },
    { error: 'target.err.existing', field: 'existing' },
  ]);
});

test('growth: compounding multiplies the stages with a rate; (1 ± 10%)^5 is 1.61 and 0.59', async () => {
  const r = await page.evaluate(() => {
    const stage = (key, rate) => ({ key, name_zh: key, name_en: key, rate, basis_zh: '', basis_en: '' });
    const stages = [stage('a', 0.5), stage('b', 0.4), stage('c', 0.8), stage('d', 0.9), stage('e', null)];
    const c = ML.compounding.compound;
    return {
      four: c(stages, { change: 0.1, rates: {} }),
      five: c(stages, { change: 0.1, rates: { e: 0.5 } }),
      down: c(stages, { change: -0.1, rates: { e: 0.5 } }),
      emptied: c(stages, { change: 0.1, rates: { a: null } }).k,
      over: c(stages, { change: 0.2, rates: {} }).overOne,
    };
  });
  assert.equal(r.four.k, 4);
  assert.ok(Math.abs(r.four.baseline - 0.144) < 1e-12);
  assert.ok(Math.abs(r.four.improved - 0.144 * 1.1 ** 4) < 1e-12);
  assert.ok(Math.abs(r.five.multiplier - 1.61051) < 1e-9);
  assert.ok(Math.abs(r.down.multiplier - 0.59049) < 1e-9);
  assert.equal(r.emptied, 3, 'an emptied stage is left out');
  assert.deepEqual(r.over, ['d'], 'a stage over 100% is flagged');
});

test('growth: movement directions, outlet sorting, and renderers on an empty growth section', async () => {
  const r = await page.evaluate(() => {
    const tr = { from: ['new', 'a', 'b'], to: ['a', 'b'], counts: [[1, 0], [2, 3], [4, 5]], revenue: [[0, 0], [0, 0], [0, 0]] };
    const dirs = [0, 1, 2].map((i) => [0, 1].map((j) => ML.movement.direction(tr, i, j)));
    const rows = [{ label: '乙', revenue: 2, members: null }, { label: '甲', revenue: 3, members: 5 }, { label: '丙', revenue: 1, members: 1 }];
    const byRevenue = ML.outlets.sorted(rows, { key: 'revenue', desc: true }, 'zh-CN').map((x) => x.label);
    const byMembers = ML.outlets.sorted(rows, { key: 'members', desc: false }, 'zh-CN').map((x) => x.label);
    const next = [ML.outlets.nextSort({ key: 'revenue', desc: true }, 'revenue'), ML.outlets.nextSort({ key: 'revenue', desc: true }, 'label'), ML.outlets.nextSort({ key: 'label', desc: false }, 'orders')];
    const before = document.body.innerHTML;
    const growth = {
      ladder: { all: [], by_source: [], by_first_channel: [], undated_buyers: 4 }, cohorts: [], stores: [], channels: [], store_months: [],
      omnichannel: { combinations: [], omnichannel_buyers: 0, omnichannel_revenue_share: 0 }, movement: null,
      compounding: { stages: [], effects: [] }, target: null,
    };
    const report = { as_of: '2024-06-30', inventory: {}, sources: [], growth };
    const t = ML.translator('zh');
    const views = [
      ML.ladder.render(report, t, 'source:gone'), ML.cohorts.render(report, t, 'retention'),
      ML.outlets.render(report, t, { stores: { key: 'revenue', desc: true }, channels: { key: 'revenue', desc: true } }),
      ML.omnichannel.render(report, t), ML.movement.render(report, t, { value: 'counts', status: null, canExport: true }),
      ML.compounding.renderStages(report, t, { change: 0.1, rates: {} }), ML.compounding.renderResult(report, t, { change: 0.1, rates: {} }),
      ML.target.render(report, t, null),
    ];
    const text = (v) => (v instanceof Node ? v.textContent : Array.isArray(v) ? v.map(text).join('') : String(v ?? ''));
    return {
      dirs, byRevenue, byMembers, next,
      ladderNote: views[0].slots['ladder-note'],
      stores: text(views[2].slots['stores-table']),
      movementHidden: views[4].hidden['movement-body'], exportHidden: views[4].hidden['movement-export'],
      targetHidden: views[7].hidden['target-result'],
      dayBefore: ML.movement.dayBefore('2024-03-01'),
      unchanged: document.body.innerHTML === before,
    };
  });
  assert.deepEqual(r.dirs, [['new', 'new'], ['same', 'down'], ['up', 'same']]);
  assert.deepEqual(r.byRevenue, ['甲', '乙', '丙']);
  assert.deepEqual(r.byMembers, ['丙', '甲', '乙'], 'nulls last');
  assert.deepEqual(r.next, [{ key: 'revenue', desc: false }, { key: 'label', desc: false }, { key: 'orders', desc: true }]);
  assert.match(r.ladderNote, /^全部有日期购买记录的会员。另有 4 位会员/, 'a group that is gone falls back to all buyers');
  assert.match(r.stores, /没有门店列/);
  assert.ok(!r.stores.includes('¥'));
  assert.equal(r.movementHidden, true);
  assert.equal(r.exportHidden, true, 'no list to export without a movement');
  assert.equal(r.targetHidden, true);
  assert.equal(r.dayBefore, '2024-02-29');
  assert.ok(r.unchanged, 'renderers do not touch the document');
});

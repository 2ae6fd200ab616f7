// Tags and audiences on the page (issue 10): the tag tree and its counts, the rule editor's live
// count and errors, the audience builder, list exports, a tag filtering the member table, and
// the tag scheme's export and import. Every expected figure is tallied here from the input file
// or from the full member export, never read back from the call that produced the figure shown.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as h from './helpers.mjs';

const FILES = ['members.csv', 'online_orders_gbk.csv', 'pos_sales.csv'].map((n) => path.join(h.fixturesDir, n));
const CJK = /[\u4e00-\u9fff]/;

let site;
before(async () => { site = await h.siteUrl(); });
after(async () => { await site?.stop(); });

const withPage = (fn, opts) => h.withPage(site.url, fn, opts);

/** Upload the fixture trio and wait for the tag tree. */
async function analyse(page) {
  await h.upload(page, FILES);
  await page.waitForSelector('#tags-panel:not([hidden]) #tag-tree [data-tag]');
}


/** A list export: BOM checked, rows without the blank last line. */
async function listExport(page, selector) {
  const file = await h.download(page, selector);
  if (file.name.endsWith('.xlsx')) return { ...file, rows: null };
  assert.deepEqual([...file.bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], `${file.name}: UTF-8 BOM`);
  return { ...file, rows: h.parseCsv(file.bytes.subarray(3).toString('utf8')).filter((r) => r.some((c) => c !== '')) };
}

/** key → members of one group's tags, as the tree shows them. */
const groupCounts = (page, group) => page.$$eval(`#tag-tree [data-group="${group}"] [data-tag]`,
  (bs) => Object.fromEntries(bs.map((b) => [b.dataset.tag, Number(b.dataset.members)])));

/** Count the members for which pred holds. */
const tally = (members, pred) => members.filter(pred).length;

/** Count a column's values as tag keys `group.value` (empty cells left out). */
function tallyValues(rows, column, group) {
  const out = {};
  for (const r of rows) if (r[column] !== '') out[`${group}.${r[column]}`] = (out[`${group}.${r[column]}`] ?? 0) + 1;
  return out;
}

const recent = (m) => m.recency_days !== '' && Number(m.recency_days) <= 90;

/** Wait for the member table to settle on a total. */
const waitTotal = (page, total) => page.waitForFunction((n) => document.body.dataset.membersState !== 'loading'
  && document.getElementById('page-info').dataset.total === String(n), total, { timeout: 30_000, polling: 50 });

test('the tag tree: counts agree with the input file and the member export, badges, greyed groups with their reason', () => withPage(async ({ page }) => {
  await analyse(page);

  // Tiers against the members file itself: one row per card, its 会员等级.
  const input = h.parseCsv(readFileSync(FILES[0], 'utf8').replace(/^\uFEFF/, '')).filter((r) => r.length > 1);
  const [head, ...rows] = input;
  const tierCol = head.indexOf('会员等级');
  const fromFile = {};
  for (const r of rows) fromFile[`tier.${r[tierCol]}`] = (fromFile[`tier.${r[tierCol]}`] ?? 0) + 1;
  assert.deepEqual(await groupCounts(page, 'tier'), fromFile, 'tier tags counted like the members file');

  // Genders and RFM segments against the full member export's columns.
  const members = await h.fullExport(page);
  const total = Number(await page.locator('[data-metric="members_total"]').getAttribute('data-value'));
  assert.equal(members.length, total, 'one export row per member');
  assert.deepEqual(await groupCounts(page, 'gender'), tallyValues(members, 'gender', 'gender'));
  assert.deepEqual(await groupCounts(page, 'rfm'), tallyValues(members, 'segment', 'rfm'));
  // Shares are of all members.
  for (const s of await page.$$eval('#tag-tree [data-group="tier"] [data-tag]', (bs) => bs.map((b) => [Number(b.dataset.members), Number(b.dataset.share)]))) {
    assert.ok(Math.abs(s[1] - s[0] / total) < 1e-9, `share ${s[1]} of ${s[0]}/${total}`);
  }

  // The group's kind as badges; the category (一级) holds its groups (二级).
  assert.equal(await page.locator('#tag-tree [data-category] [data-group="tier"]').count(), 1);
  assert.deepEqual(await page.locator('[data-group="tier"] .badge').allTextContents(), ['自动', '动态', '事实']);
  assert.deepEqual(await page.locator('[data-group="rfm"] .badge').allTextContents(), ['自动', '动态', '模型']);

  // No guide column in the fixtures: the group is greyed, says why, and has no tag to click.
  const guide = page.locator('#tag-tree .tag-group.unavailable[data-group="guide"]');
  assert.equal(await guide.count(), 1, 'the guide group is unavailable');
  assert.equal(await guide.locator('[data-tag]').count(), 0);
  const reasonZh = await guide.locator('[data-unavailable]').textContent();
  assert.match(reasonZh, CJK, `reason in Chinese: ${reasonZh}`);
  await page.click('#lang-switch');
  await page.waitForFunction(() => document.querySelector('[data-i18n="tags.title"]').textContent === 'Tags & audiences');
  const reasonEn = await guide.locator('[data-unavailable]').textContent();
  assert.ok(reasonEn && reasonEn !== reasonZh && /[a-z]{3}/.test(reasonEn), `reason in English: ${reasonEn}`);
  assert.deepEqual(await page.locator('[data-group="tier"] .badge').allTextContents(), ['auto', 'dynamic', 'fact']);
}));

test('the rule editor counts as the user types, shows a bad rule\'s line and column, and filters the member table', () => withPage(async ({ page }) => {
  await analyse(page);
  const members = await h.fullExport(page);
  const want = tally(members, (m) => recent(m) && m.gender === '女');
  assert.ok(want > 0, 'the rule selects someone');

  await page.locator('#rule-input').pressSequentially('recency_days <= 90 and tag("gender.女")', { delay: 5 });
  await page.waitForFunction((n) => {
    const c = document.getElementById('rule-count');
    return c.dataset.state === 'ok' && c.dataset.count === String(n);
  }, want, { timeout: 30_000, polling: 50 });
  assert.match(await page.locator('#rule-count').textContent(), /符合 .* 人/);
  assert.equal(await page.locator('#rule-filter').isDisabled(), false);

  // Filter the member table by it.
  await page.click('#rule-filter');
  await waitTotal(page, want);
  assert.equal(await page.locator('#rule-filter-bar').isVisible(), true, 'the filter chip is shown');
  assert.match(await page.locator('#rule-chip-label').textContent(), /^规则：recency_days <= 90/);

  // A misspelt field on the second line: the error names line 2, column 3, in the page's language.
  await page.fill('#rule-input', 'recency_days <= 90 and\n  agee > 30');
  const err = page.locator('#rule-error .rule-error');
  await err.waitFor({ timeout: 30_000 });
  assert.equal(await err.getAttribute('data-code'), 'invalid_rule');
  assert.equal(await err.getAttribute('data-line'), '2');
  assert.equal(await err.getAttribute('data-column'), '3');
  assert.match(await err.textContent(), /第 2 行第 3 列.*agee/);
  assert.equal(await page.locator('#rule-error .rule-caret').textContent(), '  agee > 30\n  ^', 'a caret under the column');
  assert.equal(await page.locator('#rule-input').getAttribute('data-state'), 'error');
  assert.equal(await page.locator('#rule-filter').isDisabled(), true, 'a bad rule cannot filter');
  await page.click('#lang-switch');
  await page.waitForFunction(() => /line 2, column 3/.test(document.querySelector('#rule-error .rule-error')?.textContent ?? ''));
  assert.match(await err.textContent(), /line 2, column 3: .*"agee"/);
  // The filter set before still holds.
  assert.equal(await page.locator('#page-info').getAttribute('data-total'), String(want));
}));

test('an audience composed from tags and one written as a rule: live sizes, saved figures, overlaps and list exports', () => withPage(async ({ page }) => {
  await analyse(page);
  const members = await h.fullExport(page);
  const inA = (m) => m.gender === '女' && m.segment === 'important_value';
  const inB = recent;
  const sizeA = tally(members, inA);
  const sizeB = tally(members, inB);
  const both = tally(members, (m) => inA(m) && inB(m));
  assert.ok(sizeA > 0 && sizeB > 0 && both > 0 && both < sizeA, `${sizeA} ${sizeB} ${both}`);

  // Audience A: composed from two tags picked from the tree.
  await page.click('#audience-add');
  const a = page.locator('[data-draft="0"]');
  await a.locator('.aud-name').fill('女性重要价值');
  await a.locator('.aud-tag').selectOption('gender.女');
  await a.locator('.aud-compose').click();
  await a.locator('.aud-join').selectOption('and');
  await a.locator('.aud-tag').selectOption('rfm.important_value');
  await a.locator('.aud-compose').click();
  assert.equal(await a.locator('.aud-rule').inputValue(), 'tag("gender.女") and tag("rfm.important_value")');
  const live = (i, n) => page.waitForFunction(([k, v]) => {
    const e = document.getElementById(`audience-live-${k}`);
    return e?.dataset.state === 'ok' && e.dataset.members === String(v);
  }, [i, n], { timeout: 30_000, polling: 50 });
  await live(0, sizeA);

  // Audience B: a rule typed by hand.
  await page.click('#audience-add');
  const b = page.locator('[data-draft="1"]');
  await b.locator('.aud-name').fill('近90天消费');
  await b.locator('.aud-rule').fill('recency_days <= 90');
  await live(1, sizeB);
  await live(0, sizeA);
  assert.match(await page.locator('#audience-live-1').textContent(), /人 · 占会员 .*% · 销售额占比 .*%/);

  // A bad rule in a third draft is pointed out there; the others keep their figures.
  await page.click('#audience-add');
  await page.locator('[data-draft="2"] .aud-rule').fill('tag("没有这个标签")');
  await page.locator('#audience-error-2 .rule-error').waitFor({ timeout: 30_000 });
  assert.match(await page.locator('#audience-error-2').textContent(), /第 1 行第 \d+ 列.*没有这个标签/);
  await live(0, sizeA);
  await page.locator('[data-draft="2"] .aud-remove').click();
  await page.waitForFunction(() => !document.querySelector('[data-draft="2"]'));

  await page.click('#audience-save');
  await page.waitForFunction(() => document.querySelectorAll('#audience-saved tr[data-audience]').length === 2, null, { timeout: 30_000 });
  assert.equal(await page.locator('#audience-status').getAttribute('data-state'), 'ok');
  const saved = await page.$$eval('#audience-saved tr[data-audience]', (trs) => trs.map((tr) => ({
    name: tr.dataset.audience, members: Number(tr.dataset.members), phone: Number(tr.dataset.withPhone), follower: tr.dataset.withFollower, cells: [...tr.children].map((td) => td.textContent),
  })));
  assert.deepEqual(saved.map((s) => [s.name, s.members]), [['女性重要价值', sizeA], ['近90天消费', sizeB]]);
  assert.equal(saved[0].phone, tally(members, (m) => inA(m) && m.phone !== ''), 'reach by phone');
  // No column says who follows the official account: unknown, not zero.
  assert.equal(saved[0].follower, '');
  assert.ok(saved[0].cells.includes('未知'), `follower shown as unknown: ${saved[0].cells}`);

  // The overlap matrix: sizes on the diagonal, members in both elsewhere.
  const cell = (i, j) => page.locator(`#audience-overlap [data-overlap="${i},${j}"]`).getAttribute('data-value');
  assert.deepEqual([await cell(0, 0), await cell(0, 1), await cell(1, 0), await cell(1, 1)], [sizeA, both, both, sizeB].map(String));

  // Audience A as an operations list: BOM, Chinese headers, one row per member, their tags.
  const list = await listExport(page, '#audience-saved [data-audience-export="0"][data-format="csv"][data-layout="audience"]');
  assert.match(list.name, /\.csv$/);
  const [listHead, ...listRows] = list.rows;
  assert.equal(listHead[0], '会员ID');
  assert.ok(listHead.filter((hd) => CJK.test(hd)).length >= listHead.length - 1, `Chinese headers (CLV aside): ${listHead}`);
  assert.equal(listHead.at(-1), '标签', 'the tags column');
  assert.equal(listRows.length, sizeA, 'one row per member of the audience');
  const tagName = async (key) => page.locator(`#tag-tree [data-tag="${key}"] .tag-name`).textContent();
  const [female, valuable] = [await tagName('gender.女'), await tagName('rfm.important_value')];
  for (const r of listRows) {
    const names = r.at(-1).split('、');
    assert.ok(names.includes(female) && names.includes(valuable), `row tagged ${female} and ${valuable}: ${r.at(-1)}`);
  }
  const xlsx = await listExport(page, '#audience-saved [data-audience-export="0"][data-format="xlsx"]');
  assert.equal(xlsx.bytes.subarray(0, 2).toString('latin1'), 'PK', 'XLSX is a zip');

  // The WeCom/SMS list: phone first, only members with a phone.
  const touch = await listExport(page, '#audience-saved [data-audience-export="0"][data-layout="touch"]');
  assert.equal(touch.rows[0].length, 4, `phone, name, guide, member id: ${touch.rows[0]}`);
  assert.equal(touch.rows.length - 1, saved[0].phone);
  for (const r of touch.rows.slice(1)) assert.match(r[0], /^\d{11}$/, 'a phone in every row');
}));

test('clicking a tag filters the member table, shows its tags and a removable chip; its lists export', () => withPage(async ({ page }) => {
  await analyse(page);
  const members = await h.fullExport(page);
  const gold = (m) => m.tier === '金卡会员';
  const want = tally(members, gold);
  const total = members.length;

  await page.click('#tag-tree [data-tag="tier.金卡会员"]');
  await waitTotal(page, want);
  assert.equal(await page.locator('#tag-tree [data-tag="tier.金卡会员"]').getAttribute('aria-pressed'), 'true');
  assert.equal(await page.locator('#rule-filter-bar').getAttribute('data-tag'), 'tier.金卡会员');
  assert.match(await page.locator('#rule-chip-label').textContent(), /会员等级.*金卡会员/);
  const inView = await page.evaluate(() => document.getElementById('members-panel').getBoundingClientRect().top);
  assert.ok(Math.abs(inView) < 50, `the member table is scrolled into view (${inView})`);

  // Each row shows the member's tags: a few names, "+N", every name in the title.
  const cells = await page.$$eval('#member-rows .tags-cell', (cs) => cs.map((c) => ({ keys: c.dataset.tags.split('|'), title: c.title, more: c.querySelector('.tag-more-n')?.textContent ?? '', shown: c.querySelectorAll('.tag-mini').length })));
  assert.equal(cells.length, Math.min(50, want));
  for (const c of cells) {
    assert.ok(c.keys.includes('tier.金卡会员'), 'every row carries the tag');
    assert.equal(c.title.split('、').length, c.keys.length, 'the title lists every tag');
    assert.equal(c.more, c.keys.length > c.shown ? `+${c.keys.length - c.shown}` : '');
  }

  const list = await listExport(page, '#list-csv');
  assert.equal(list.rows.length - 1, want, 'the list holds the filtered members');
  assert.equal(list.rows[0].at(-1), '标签');
  assert.match(list.name, /金卡会员/);
  const touch = await listExport(page, '#list-touch');
  assert.equal(touch.rows.length - 1, tally(members, (m) => gold(m) && m.phone !== ''));
  assert.equal((await listExport(page, '#list-xlsx')).bytes.subarray(0, 2).toString('latin1'), 'PK');

  await page.click('#rule-clear');
  await waitTotal(page, total);
  assert.equal(await page.locator('#rule-filter-bar').isHidden(), true, 'the chip is gone');
  assert.equal(await page.locator('#tag-tree [aria-pressed="true"]').count(), 0);
}));

test('the tag scheme downloads as JSON; an edited one is imported, a broken one refused with its place', () => withPage(async ({ page }) => {
  await analyse(page);
  const members = await h.fullExport(page);
  const scheme = await h.download(page, '#scheme-export');
  assert.match(scheme.name, /\.json$/);
  const json = JSON.parse(scheme.bytes.toString('utf8'));
  assert.ok(Array.isArray(json.categories) && json.categories.length > 3, 'the categories');
  assert.ok(json.categories.some((c) => c.groups.some((g) => g.key === 'tier')));

  // A category of our own: one manual rule tag, and an audience made of it.
  json.categories.push({
    key: 'custom', name_zh: '自定义', name_en: 'Custom',
    groups: [{
      key: 'big_spender', name_zh: '大额客户', name_en: 'Big spenders', definition_zh: '累计消费满 1000 元', definition_en: 'Spent 1,000 or more',
      setter: 'manual', change: 'dynamic', basis: 'fact', kind: 'rules',
      tags: [{ key: 'k1000', name_zh: '消费满千', name_en: 'Spent 1000+', rule: 'monetary >= 1000' }],
    }],
  });
  json.audiences = [{ name: '大额女性', rule: 'tag("big_spender.k1000") and gender = "女"' }];
  const big = tally(members, (m) => m.monetary !== '' && Number(m.monetary) >= 1000);
  const bigWomen = tally(members, (m) => m.monetary !== '' && Number(m.monetary) >= 1000 && m.gender === '女');
  await page.setInputFiles('#scheme-import', { name: 'scheme.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(json)) });
  await page.waitForSelector('#tag-tree [data-tag="big_spender.k1000"]', { timeout: 30_000 });
  assert.equal(await page.locator('#scheme-status').getAttribute('data-state'), 'ok');
  assert.equal(Number(await page.locator('[data-tag="big_spender.k1000"]').getAttribute('data-members')), big);
  assert.deepEqual(await page.locator('[data-group="big_spender"] .badge').allTextContents(), ['人工', '动态', '事实']);
  await page.waitForFunction((n) => document.querySelector('#audience-saved tr[data-audience="大额女性"]')?.dataset.members === String(n), bigWomen, { timeout: 30_000 });
  assert.equal(await page.locator('[data-draft="0"] .aud-rule').inputValue(), json.audiences[0].rule, 'the imported audience is in the builder');

  // Broken JSON: refused with the place, in both languages; the scheme in use stays.
  await page.setInputFiles('#scheme-import', { name: 'broken.json', mimeType: 'application/json', buffer: Buffer.from('{"categories": [\n  {"key": }\n]}') });
  await page.waitForFunction(() => document.getElementById('scheme-status').dataset.state === 'error', null, { timeout: 30_000 });
  assert.equal(await page.locator('#scheme-status').getAttribute('data-code'), 'invalid_catalogue');
  assert.match(await page.locator('#scheme-status').textContent(), /标签方案未导入.*(第 2 行第 \d+ 列|line 2, column \d+)/);
  await page.click('#lang-switch');
  assert.match(await page.locator('#scheme-status').textContent(), /not imported.*line 2, column \d+/);
  assert.equal(await page.locator('#tag-tree [data-tag="big_spender.k1000"]').count(), 1, 'the imported scheme is still in use');

  // A tag rule that cannot be read is refused too, naming where it is.
  json.categories.at(-1).groups[0].tags[0].rule = 'monetary >=';
  await page.setInputFiles('#scheme-import', { name: 'bad-rule.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(json)) });
  await page.waitForFunction(() => /monetary|k1000|big_spender|categories/.test(document.getElementById('scheme-status').textContent)
    && document.getElementById('scheme-status').dataset.state === 'error', null, { timeout: 30_000 });

  // Back to the shipped scheme.
  await page.click('#scheme-reset');
  await page.waitForFunction(() => !document.querySelector('#tag-tree [data-tag="big_spender.k1000"]')
    && document.getElementById('scheme-status').dataset.state === 'ok', null, { timeout: 30_000 });
  assert.equal(await page.locator('#audience-saved tr[data-audience]').count(), 0, 'the shipped scheme has no audience');
}));

test('with a 是否关注公众号 column the follower tags appear and an audience counts its followers', () => withPage(async ({ page }) => {
  // The members file with a follower column: every third member follows, a few cells unreadable.
  const [head, ...rows] = h.parseCsv(readFileSync(FILES[0], 'utf8').replace(/^\uFEFF/, '')).filter((r) => r.length > 1);
  const tierCol = head.indexOf('会员等级');
  const flag = (i) => (i % 3 === 0 ? '是' : i % 50 === 1 ? '' : '否');
  const quote = (c) => (/[",\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c);
  const csv = [[...head, '是否关注公众号'], ...rows.map((r, i) => [...r, flag(i)])].map((r) => r.map(quote).join(',')).join('\n');
  const dir = mkdtempSync(path.join(tmpdir(), 'memberlens-follower-'));
  const members = path.join(dir, 'members.csv');
  writeFileSync(members, csv);
  try {
    await h.upload(page, [members, FILES[1], FILES[2]]);
    await page.waitForSelector('#tag-tree [data-tag="follower.yes"]');
    const follows = rows.filter((_, i) => flag(i) === '是').length;
    const not = rows.filter((_, i) => flag(i) === '否').length;
    assert.deepEqual(await groupCounts(page, 'follower'), { 'follower.yes': follows, 'follower.no': not });

    await page.click('#audience-add');
    await page.locator('[data-draft="0"] .aud-name').fill('金卡');
    await page.locator('[data-draft="0"] .aud-rule').fill('tier = "金卡会员"');
    await page.click('#audience-save');
    await page.waitForSelector('#audience-saved tr[data-audience="金卡"]', { timeout: 30_000 });
    const gold = rows.map((r, i) => [r, i]).filter(([r]) => r[tierCol] === '金卡会员');
    const row = page.locator('#audience-saved tr[data-audience="金卡"]');
    assert.equal(await row.getAttribute('data-members'), String(gold.length));
    assert.equal(await row.getAttribute('data-with-follower'), String(gold.filter(([, i]) => flag(i) === '是').length));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}));

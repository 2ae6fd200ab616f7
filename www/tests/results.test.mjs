// Issue 13: results first (folded file cards, the view moved to the results, a sticky section
// menu, a three-line intro), sane values (the as-of date warned about), the member table
// (phone search in any format, attribute filters, column chooser, rows that filter) and
// definitions reachable by keyboard. Both languages.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as h from './helpers.mjs';

let site;
before(async () => { site = await h.siteUrl(); });
after(async () => { await site?.stop(); });
const withPage = (fn, opts) => h.withPage(site.url, fn, opts);

async function loadDemo(page) {
  const seq = await h.reportSeq(page);
  await page.click('#demo-button');
  return h.waitForReport(page, seq);
}

/** Wait until the member table settled on `total` rows. */
async function membersTotal(page) {
  await page.waitForFunction(() => document.body.dataset.membersState !== 'loading' && document.body.dataset.state === 'ready', null, { timeout: 30_000, polling: 50 });
  await page.waitForTimeout(50);
  return Number(await page.locator('#page-info').getAttribute('data-total'));
}
async function waitTotal(page, total) {
  await page.waitForFunction((n) => document.body.dataset.membersState !== 'loading' && document.getElementById('page-info').dataset.total === String(n), total, { timeout: 30_000, polling: 50 });
}

for (const lang of ['zh', 'en']) {
  test(`${lang}: the first screen says what to bring and what comes out; after loading, the results come first`, () => withPage(async ({ page }) => {
    assert.equal(await page.locator('#intro li').count(), 3);
    const intro = await page.locator('#intro').textContent();
    if (lang === 'zh') assert.match(intro, /会员表/); else assert.match(intro, /members/);
    assert.ok(await page.locator('#demo-button').isVisible(), 'the demo is one click away');
    const box = await page.locator('#demo-button').boundingBox();
    assert.ok(box && box.y + box.height < 900, 'on the first screen');

    await loadDemo(page);
    await page.waitForTimeout(300);
    assert.equal(await page.locator('.file-card.folded').count(), 3, 'each file is one line');
    const line = await page.locator('.file-card.folded .file-line').first().textContent();
    assert.match(line, lang === 'zh' ? /行/ : /rows/);
    const top = await page.evaluate(() => document.getElementById('results').getBoundingClientRect().top);
    assert.ok(Math.abs(top) < 60, `the results are in view (top ${top})`);
    // The sticky menu stays at the top while scrolling, and its links lead to the sections.
    await page.evaluate(() => document.getElementById('members-panel').scrollIntoView());
    const menuTop = await page.evaluate(() => document.getElementById('section-menu').getBoundingClientRect().top);
    assert.ok(menuTop >= -1 && menuTop < 5, `sticky menu at the top (${menuTop})`);
    assert.ok(await page.locator('#section-menu a[href="#members-panel"]').count() === 1);
    // A card opens again for editing.
    await page.click('.file-card[data-file="members.csv"] button.file-toggle');
    assert.equal(await page.locator('.file-card[data-file="members.csv"] select.column-role').first().isVisible(), true);
  }, { lang }));

  test(`${lang}: definitions open from the keyboard`, () => withPage(async ({ page }) => {
    await loadDemo(page);
    const button = page.locator('[data-metric="return_rate"] .gloss-button');
    await button.focus();
    await page.keyboard.press('Enter');
    const pop = page.locator('[data-metric="return_rate"] .gloss-pop');
    await pop.waitFor({ state: 'visible', timeout: 5000 });
    const text = await pop.textContent();
    if (lang === 'zh') { assert.match(text, /回购率/); assert.match(text, /与退货无关/); } else { assert.match(text, /Repeat-purchase \(return\) rate/); assert.match(text, /Not about refunds/); }
    await page.keyboard.press('Escape');
    await pop.waitFor({ state: 'hidden', timeout: 5000 });
    // Every segment, tier and chart on the page has its definition.
    for (const sel of ['[data-segment] .gloss-button', '[data-tier] .gloss-button', '[data-nonbuyer-tier] .gloss-button', '[data-lifecycle] .gloss-button', '[data-ten-segment] .gloss-button', '#chart-segments-gloss .gloss-button']) {
      assert.ok(await page.locator(sel).count() > 0, `definitions for ${sel}`);
    }
    assert.ok(await page.locator('#chart-segments-data table').count() === 1, 'the chart as a table');
  }, { lang }));
}

test('an as-of date before the first purchase or years after the last is warned about next to the date', () => withPage(async ({ page }) => {
  await loadDemo(page);
  assert.equal((await page.locator('#as-of-warning').textContent()).trim(), '');
  let seq = await h.reportSeq(page);
  await page.fill('#as-of', '2000-01-01');
  await page.dispatchEvent('#as-of', 'change');
  seq = await h.waitForReport(page, seq).catch(() => seq);
  await page.waitForFunction(() => document.body.dataset.state !== 'busy');
  assert.match(await page.locator('#as-of-warning').textContent(), /第一笔消费/);
  await page.fill('#as-of', '2035-01-01');
  await page.dispatchEvent('#as-of', 'change');
  await h.waitForReport(page, seq);
  assert.match(await page.locator('#as-of-warning').textContent(), /超过一年/);
}));

test('member table: a phone in any format, attribute filters, the column chooser and rows that filter', () => withPage(async ({ page }) => {
  await loadDemo(page);
  const all = await membersTotal(page);
  // The demo's second member: 19626885560.
  for (const q of ['+86 196 2688 5560', '196-2688-5560', '19626885560', '0086 19626885560']) {
    await page.fill('#member-search', q);
    await waitTotal(page, 1);
    assert.ok((await page.locator('#member-rows td').allTextContents()).includes('19626885560'), q);
  }
  await page.fill('#member-search', '');
  await waitTotal(page, all);

  // Money with ¥ and separators.
  const money = await page.locator('#member-rows td.num').allTextContents();
  assert.ok(money.some((c) => /^-?¥[\d,]+\.\d\d$/.test(c)), 'money cells carry ¥');

  // Tier, store, registration channel, gender, tag: each narrows the list.
  for (const id of ['filter-tier', 'filter-store', 'filter-reg-channel', 'filter-gender', 'filter-tag']) {
    const options = await page.locator(`#${id} option`).evaluateAll((os) => os.map((o) => o.value).filter(Boolean));
    assert.ok(options.length > 0, `${id} has choices`);
    await page.selectOption(`#${id}`, options[0]);
    await page.waitForTimeout(100);
    const n = await membersTotal(page);
    assert.ok(n > 0 && n < all, `${id}=${options[0]}: ${n} of ${all}`);
    await page.selectOption(`#${id}`, '');
    await waitTotal(page, all);
  }
  assert.ok(await page.locator('label:has(#filter-tier) .sr-only').count() === 1, 'filters are labelled');

  // The column chooser: hide a column, it stays hidden after another analysis.
  await page.click('#column-chooser summary');
  const before = await page.locator('#member-head th').count();
  await page.locator('#column-list input[data-column="email"]').uncheck();
  await page.waitForFunction((n) => document.querySelectorAll('#member-head th').length === n - 1, before);
  const seq = await h.reportSeq(page);
  await page.click('#reanalyze');
  await h.waitForReport(page, seq);
  assert.equal(await page.locator('#member-head th[data-column="email"]').count(), 0, 'the choice is kept');

  // A segment row filters the member table.
  const seg = page.locator('#rfm-table [data-segment="important_value"]');
  const n = Number(await seg.getAttribute('data-members'));
  await seg.locator('button.link-button').click();
  await waitTotal(page, n);
  assert.equal(await page.locator('#filter-segment').inputValue(), 'important_value');
  // A member tier row (inventory) too.
  await page.selectOption('#filter-segment', '');
  await waitTotal(page, all);
  const tierRow = page.locator('#tier-table [data-member-tier]').first();
  const tn = Number(await tierRow.getAttribute('data-members'));
  await tierRow.locator('button.link-button').click();
  await waitTotal(page, tn);
}));

test('opened from file://, the page says it must be served and how', async () => {
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: h.CHROMIUM, args: h.CHROMIUM_ARGS });
  try {
    const page = await browser.newPage();
    await page.goto(`file://${h.wwwDir}/dist/index.html`);
    await page.waitForSelector('#served-note:not([hidden])', { timeout: 10_000 });
    const text = await page.locator('#served-note').textContent();
    assert.match(text, /node www\/serve\.mjs www\/dist/);
    assert.match(text, /must be served/);
  } finally {
    await browser.close();
  }
});

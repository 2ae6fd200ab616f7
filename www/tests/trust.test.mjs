// Issue 13, "a page a consultant trusts": every file keeps its card (odd headers, headers that say
// nothing, a workbook whose first sheet is notes, an image renamed .csv, orders without a date),
// errors in the page's language next to the file, and cancel as a neutral state.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import path from 'node:path';
import * as h from './helpers.mjs';
import { makeFiles } from './trust-files.mjs';

const ONLINE = path.join(h.fixturesDir, 'online_orders_gbk.csv');
const MEMBERS = path.join(h.fixturesDir, 'members.csv');

let site;
let made;
before(async () => { site = await h.siteUrl(); made = makeFiles(); });
after(async () => { await site?.stop(); if (made) rmSync(made.dir, { recursive: true, force: true }); });

const withPage = (fn, opts) => h.withPage(site.url, fn, opts);

/** Wait until the page is idle again (not busy). */
async function idle(page) {
  await page.waitForFunction(() => document.body.dataset.state !== 'busy' && document.body.dataset.state !== 'loading', null, { timeout: 60_000, polling: 50 });
}

/** Add files through the file input and wait until the page is idle with a card per file. */
async function addFiles(page, paths) {
  await page.setInputFiles('#file-input', paths);
  const names = paths.map((p) => path.basename(p));
  await page.waitForFunction((n) => n.every((x) => document.querySelector(`[data-file="${CSS.escape(x)}"]`)), names, { timeout: 60_000 });
  await idle(page);
}

const card = (page, name) => page.locator(`.file-card[data-file="${name}"]`);

/** No engine code in brackets, no "line —", no text of the other language in the card's error. */
function assertCleanError(text, lang) {
  assert.doesNotMatch(text, /\[[a-z_]+\]/, `no [code] in "${text}"`);
  assert.doesNotMatch(text, /第 — 行|line —/, `no empty line number in "${text}"`);
  if (lang === 'zh') assert.match(text, /[\u4e00-\u9fff]/, `Chinese error: "${text}"`);
  // English may quote the Chinese headers it looks for, in parentheses or quotes: not the rest.
  else assert.doesNotMatch(text.replace(/\([^)]*\)|"[^"]*"|“[^”]*”/g, ''), /[\u4e00-\u9fff]/, `English error: "${text}"`);
}

for (const lang of ['zh', 'en']) {
  test(`${lang}: a file with odd headers keeps its card with the error, a kind picker and its first rows`, () => withPage(async ({ page }) => {
    await addFiles(page, [made.paths.odd, made.paths.cols]);
    for (const name of ['odd_headers.csv', 'cols.csv']) {
      const c = card(page, name);
      assert.equal(await c.count(), 1, `${name} has its card`);
      assert.equal(await c.getAttribute('data-state'), 'error');
      const err = await c.locator('.file-error').textContent();
      assertCleanError(err, lang);
      assert.equal(await c.locator('select.file-kind').count(), 1, 'a kind picker');
      assert.equal(await c.locator('select.file-encoding').count(), 1, 'an encoding picker');
      assert.ok(await c.locator('select.column-role').count() >= 3, 'a role per column');
      const cells = await c.locator('.sample td').allTextContents();
      assert.ok(cells.length >= 3, `first rows shown: ${cells}`);
    }
    assert.ok((await card(page, 'odd_headers.csv').locator('.sample td').allTextContents()).includes('13985418353'));
    assert.equal(await page.locator('#error-panel').isHidden(), true, 'the error is on the card, not in the page-wide panel');

    // Say what the columns are: the file is read and analysed.
    const c = card(page, 'odd_headers.csv');
    await c.locator('select.file-kind').selectOption('orders');
    await idle(page);
    const roles = { 客户手机: 'phone', 消费时间: 'order_time', 金额: 'amount', 门店: 'store' };
    for (const [header, role] of Object.entries(roles)) {
      const sel = card(page, 'odd_headers.csv').locator(`select.column-role[data-header="${header}"]`);
      if (await sel.inputValue() !== role) { await sel.selectOption(role); await idle(page); }
    }
    await page.waitForFunction(() => document.querySelector('.file-card[data-file="odd_headers.csv"]')?.getAttribute('data-state') === 'ok', null, { timeout: 30_000 });
    assert.equal(await page.locator('#results').isVisible(), true, 'results once the file is read');
    assert.equal(await card(page, 'cols.csv').getAttribute('data-state'), 'error', 'the other file still waits on its card');
  }, { lang }));

  test(`${lang}: a workbook whose first sheet is notes opens on the data sheet, with a sheet picker`, () => withPage(async ({ page }) => {
    await addFiles(page, [made.paths.notes]);
    const c = card(page, 'notes_first.xlsx');
    const sheets = await c.locator('select.file-sheet option').allTextContents();
    assert.deepEqual(sheets, ['说明', '订单']);
    assert.equal(await c.locator('select.file-sheet').inputValue(), '订单', 'the first sheet with a header row');
    assert.equal(await c.getAttribute('data-state'), 'ok');
    // Read, the card folds to one line once the results are shown: open it to change the sheet.
    assert.match(await c.getAttribute('class'), /folded/);
    await c.locator('button.file-toggle').click();
    // Choosing the notes sheet keeps the card, with the error; back to the data sheet reads it again.
    await c.locator('select.file-sheet').selectOption('说明');
    await idle(page);
    assert.equal(await card(page, 'notes_first.xlsx').getAttribute('data-state'), 'error');
    assert.equal(await card(page, 'notes_first.xlsx').locator('select.file-sheet').inputValue(), '说明', 'the choice stays');
    await card(page, 'notes_first.xlsx').locator('select.file-sheet').selectOption('订单');
    await idle(page);
    assert.equal(await card(page, 'notes_first.xlsx').getAttribute('data-state'), 'ok');
  }, { lang }));

  test(`${lang}: an image renamed .csv is a card that says it is not a table`, () => withPage(async ({ page }) => {
    await addFiles(page, [made.paths.png]);
    const c = card(page, 'picture.csv');
    assert.equal(await c.locator('.file-error').getAttribute('data-code'), 'not_a_table');
    const text = await c.locator('.file-error').textContent();
    assertCleanError(text, lang);
    assert.match(text, /PNG/);
    assert.doesNotMatch(text, /UTF-8/, 'not an encoding complaint');
  }, { lang }));

  test(`${lang}: orders without a date column switched to orders keep the choice and the error`, () => withPage(async ({ page }) => {
    await addFiles(page, [made.paths.nodate]);
    const c = card(page, 'orders_no_date.csv');
    assert.equal(await c.count(), 1);
    await c.locator('select.file-kind').selectOption('orders');
    await idle(page);
    // Long enough for anything that would overwrite the message to have run.
    await page.waitForTimeout(500);
    const after = card(page, 'orders_no_date.csv');
    assert.equal(await after.locator('select.file-kind').inputValue(), 'orders', 'the kind does not revert');
    assert.equal(await after.getAttribute('data-state'), 'error');
    assertCleanError(await after.locator('.file-error').textContent(), lang);
  }, { lang }));
}

test('cancel is a neutral note, not a red error', () => withPage(async ({ page }) => {
  await page.setInputFiles('#file-input', [ONLINE, MEMBERS]);
  await page.waitForSelector('#progress:not([hidden])', { timeout: 30_000 });
  await page.click('#cancel-button');
  await page.waitForSelector('#status-panel:not([hidden])', { timeout: 30_000 });
  await idle(page);
  assert.equal(await page.locator('#error-panel').isHidden(), true, 'no error panel');
  assert.notEqual(await page.evaluate(() => document.body.dataset.state), 'error');
}));

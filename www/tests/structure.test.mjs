// Issue 17, items 4 and 6 on the page: a title and notes above the header are skipped with a
// notice on the file's card; a file whose dates are all day-first keeps its card with the error
// and the date order to choose, and is read once it is chosen; the header row can be set on the
// card when the line above the header looks like one. Files are made here, nothing leaves localhost.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as h from './helpers.mjs';

/** Orders: [order id, member card, day as [y, m, d], amount as written]. */
const ORDERS = [
  ['A1001', 'VIP10001', [2024, 1, 3], '128.50'],
  ['A1002', 'VIP10002', [2024, 1, 14], '56.00'],
  ['A1003', 'VIP10001', [2024, 2, 21], '210.30'],
  ['A1004', 'VIP10003', [2024, 3, 9], '99.90'],
  ['A1005', 'VIP10004', [2024, 3, 28], '1450.00'],
  ['A1006', 'VIP10002', [2024, 4, 13], '73.25'],
  ['A1007', 'VIP10005', [2024, 5, 30], '310.00'],
  ['A1008', 'VIP10003', [2024, 6, 17], '42.80'],
];
/** The plain sum of the amounts, in yuan (summed in cents). */
const REVENUE = ORDERS.reduce((s, o) => s + Math.round(Number(o[3]) * 100), 0) / 100;

const pad = (n) => String(n).padStart(2, '0');
const ymd = ([y, m, d]) => `${y}-${pad(m)}-${pad(d)} 10:00:00`;
const dmy = ([y, m, d]) => `${pad(d)}/${pad(m)}/${y}`;
const HEADER = '订单号,会员卡号,下单时间,实付金额';
const rows = (date) => ORDERS.map(([id, member, day, amount]) => `${id},${member},${date(day)},${amount}`);

const FILES = {
  // A title and a notes line above the header, as report exports write them.
  'preamble_orders.csv': ['2024年上半年 线上订单明细', '导出时间：2024-07-01 仅含已付款订单', HEADER, ...rows(ymd)],
  // Every date day-first (17/06/2024): not read unless the order is chosen.
  'dmy_orders.csv': [HEADER, ...rows(dmy)],
  // A notes row as wide as the header, which looks like one, above the real header.
  'notes_row_orders.csv': ['品牌,区域,导出人,备注', HEADER, ...rows(ymd)],
};

let site;
let dir;
before(async () => {
  site = await h.siteUrl();
  dir = mkdtempSync(path.join(tmpdir(), 'memberlens-structure-'));
  for (const [name, lines] of Object.entries(FILES)) writeFileSync(path.join(dir, name), `${lines.join('\r\n')}\r\n`);
});
after(async () => { await site?.stop(); if (dir) rmSync(dir, { recursive: true, force: true }); });

/** Opens the page; every request must stay on the served origin (checked on the requests made, which must include the engine). */
const withPage = (fn, opts) => h.withPage(site.url, async (ctx) => {
  await fn(ctx);
  assert.ok(ctx.requests.some((u) => u.endsWith('.wasm')), 'the engine was loaded (requests were recorded)');
  assert.deepEqual(h.foreignRequests(ctx.requests, site.url), [], 'no request leaves localhost');
}, opts);

const file = (name) => path.join(dir, name);
const card = (page, name) => page.locator(`.file-card[data-file="${name}"]`);

async function idle(page) {
  await page.waitForFunction(() => document.body.dataset.state !== 'busy' && document.body.dataset.state !== 'loading', null, { timeout: 60_000, polling: 50 });
}

/** Add a file through the file input and wait until the page is idle with its card. */
async function addFile(page, name) {
  await page.setInputFiles('#file-input', [file(name)]);
  await page.waitForFunction((n) => document.querySelector(`.file-card[data-file="${CSS.escape(n)}"]`), name, { timeout: 60_000 });
  await idle(page);
}

/** Open a folded card (cards fold once there are results). */
async function openCard(page, name) {
  const c = card(page, name);
  if (/\bfolded\b/.test(await c.getAttribute('class') ?? '')) await c.locator('button.file-toggle').click();
}

async function revenue(page) {
  return (await h.readMetrics(page)).revenue;
}

test('zh: a title and notes above the header are skipped, with a notice naming them on the card and in data quality', () => withPage(async ({ page }) => {
  await h.upload(page, [file('preamble_orders.csv')]);
  const c = card(page, 'preamble_orders.csv');
  assert.equal(await c.getAttribute('data-state'), 'ok');
  assert.equal(await c.getAttribute('data-kind'), 'orders');
  assert.equal(await revenue(page), REVENUE, 'every order read, none lost to the preamble');

  // On the card, folded or not: the header's line, how many lines were skipped and the first.
  const notice = c.locator('.file-notices [data-notice="preamble_skipped"]');
  assert.equal(await notice.count(), 1, 'the notice is on the card');
  assert.equal(await notice.isVisible(), true, 'visible on the folded card');
  const text = await notice.textContent();
  assert.match(text, /表头在第 3 行/, text);
  assert.match(text, /跳过了表头上方的 2 行/, text);
  assert.match(text, /2024年上半年 线上订单明细/, text);

  // In the data-quality panel, like the other warnings.
  const row = page.locator('#warnings tr[data-warning-kind="notice"]', { hasText: 'preamble_orders.csv' });
  assert.equal(await row.count(), 1, 'listed in the data-quality panel');
  assert.match(await row.textContent(), /提示.*跳过了表头上方的 2 行/);
  assert.equal(await card(page, 'preamble_orders.csv').locator('input.file-header-row').inputValue(), '', 'the header row left automatic');
}));

for (const lang of ['zh', 'en']) {
  test(`${lang}: day-first dates: the card names the column and offers the date order; day-month-year reads every order`, () => withPage(async ({ page }) => {
    await addFile(page, 'dmy_orders.csv');
    const c = card(page, 'dmy_orders.csv');
    assert.equal(await c.getAttribute('data-state'), 'error');
    const err = c.locator('.file-error');
    assert.equal(await err.getAttribute('data-code'), 'dates_unreadable');
    const msg = await err.textContent();
    assert.match(msg, /下单时间/, `the column is named: ${msg}`);
    assert.match(msg, /17\/06\/2024|\d{2}\/\d{2}\/2024/, `an example is quoted: ${msg}`);
    assert.equal(await page.locator('#results').isHidden(), true, 'nothing analysed yet');

    // The date order, made prominent and focused, with its choices in the page's language.
    const select = c.locator('select.file-date-order');
    assert.equal(await select.count(), 1);
    assert.match(await c.locator('.file-date-order-field').getAttribute('class'), /\bprominent\b/);
    assert.equal(await page.evaluate(() => document.activeElement?.classList.contains('file-date-order')), true, 'the date order has the focus');
    const labels = await select.locator('option').allTextContents();
    assert.deepEqual(labels, lang === 'zh' ? ['自动（年在前）', '日-月-年', '月-日-年'] : ['automatic (year first)', 'day-month-year', 'month-day-year']);
    assert.equal(await select.inputValue(), '', 'automatic until chosen');
    assert.equal(await c.locator('input.file-header-row').count(), 1, 'the header row too, on a failed card');

    const seq = await h.reportSeq(page);
    await select.selectOption('dmy');
    await h.waitForReport(page, seq);
    const read = card(page, 'dmy_orders.csv');
    assert.equal(await read.getAttribute('data-state'), 'ok');
    assert.equal(await read.locator('.file-rows').getAttribute('data-value'), String(ORDERS.length));
    assert.equal(await read.locator('select.file-date-order').inputValue(), 'dmy', 'the choice stays on the card');
    assert.equal(await read.locator('.file-date-order-field.prominent').count(), 0, 'no longer marked');
    assert.equal(await revenue(page), REVENUE, 'revenue is the plain sum of the amounts');
    // Read as day-month-year: the latest order is 17 June 2024 (as month-day it is no date at all).
    assert.equal(await page.inputValue('#as-of'), '2024-06-17');
  }, { lang }));
}

test('zh: a notes row that looks like a header: setting 表头所在行 reads the file from the real header', () => withPage(async ({ page }) => {
  await addFile(page, 'notes_row_orders.csv');
  const before = card(page, 'notes_row_orders.csv');
  // Read automatically, the notes row is taken for the header: not the orders as they are.
  const wrong = await before.getAttribute('data-state') === 'error'
    || await page.locator('#results').isHidden()
    || await revenue(page) !== REVENUE;
  assert.ok(wrong, 'the automatic reading takes the notes row for the header');
  await openCard(page, 'notes_row_orders.csv');

  const input = card(page, 'notes_row_orders.csv').locator('input.file-header-row');
  assert.equal(await input.getAttribute('type'), 'number');
  assert.equal(await input.getAttribute('placeholder'), '自动');
  const seq = await h.reportSeq(page);
  await input.fill('2');
  await input.press('Enter');
  await h.waitForReport(page, seq);
  const c = card(page, 'notes_row_orders.csv');
  assert.equal(await c.getAttribute('data-state'), 'ok');
  assert.equal(await c.getAttribute('data-kind'), 'orders');
  assert.equal(await c.locator('input.file-header-row').inputValue(), '2', 'the header row stays on the card');
  const headers = await c.locator('.col-name').allTextContents();
  assert.deepEqual(headers, HEADER.split(','), 'the columns are the real header');
  assert.equal(await c.locator('.file-rows').getAttribute('data-value'), String(ORDERS.length));
  assert.equal(await revenue(page), REVENUE);

  // Emptied, the header is found automatically again (the notes row, as before).
  await openCard(page, 'notes_row_orders.csv');
  const again = card(page, 'notes_row_orders.csv').locator('input.file-header-row');
  await again.fill('');
  await again.press('Enter');
  await idle(page);
  await page.waitForFunction(() => {
    const cols = [...document.querySelectorAll('.file-card[data-file="notes_row_orders.csv"] .col-name')].map((e) => e.textContent);
    return cols[0] === '品牌';
  }, null, { timeout: 30_000 });
}));

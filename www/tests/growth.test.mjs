// Growth analytics on the page (issue 12), on the demo data: the ladder's first rung is the
// inventory's repurchase rate; a target decomposed into orders (target / AOV), traffic (orders /
// conversion rate) and months that add up to it; a comparison date re-analyses and the movement
// matrices agree with the report JSON and with their own totals; the moved-down list has a row
// per member who moved down; stores sort by a header click; the compounding calculator. Every
// request stays on the local origin (withPage).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import * as h from './helpers.mjs';

let site;
before(async () => { site = await h.siteUrl(); });
after(async () => { await site?.stop(); });

const withPage = (fn, opts) => h.withPage(site.url, fn, opts);

async function demo(page) {
  await page.click('#demo-button');
  await h.waitForReport(page, 0);
}

/** A number as the page shows it (¥1,234.56, 25,175, 87.0%): the digits. */
const shownNumber = (text) => Number(text.replace(/[¥,%\s]/g, ''));

/** Run `fn` (which changes an analysis option) and wait for the new report. */
async function reanalysed(page, fn) {
  const seq = await h.reportSeq(page);
  await fn();
  await h.waitForReport(page, seq);
}

/** The report JSON of the latest analysis, through the page's own download. */
async function reportJson(page) {
  return JSON.parse((await h.download(page, '#report-json')).bytes.toString('utf8'));
}

/** A movement matrix as the page shows it: [from, to, count, revenue] per cell. */
const matrixCells = (page, which) => page.$$eval(`#movement-${which} td[data-from]`, (tds) => tds.map((td) => ({
  from: td.dataset.from, to: td.dataset.to, count: Number(td.dataset.count), revenue: Number(td.dataset.revenue),
})));

test('the ladder, stores, compounding and a target: the figures add up', () => withPage(async ({ page }) => {
  await demo(page);
  assert.ok(await page.locator('#growth-title').isVisible());

  // (c) Rung 1→2 is the repurchase rate the inventory shows (the demo has no summary-only buyers).
  const metric = page.locator('[data-metric="repurchase_rate"]');
  const rung1 = page.locator('#ladder-table tr[data-rung="1"]');
  assert.equal(Number(await rung1.getAttribute('data-rate')), Number(await metric.getAttribute('data-value')));
  assert.equal((await rung1.locator('td').nth(3).textContent()).trim(), (await metric.locator('.card-value').textContent()).trim());
  assert.equal(await page.locator('#ladder-table tr[data-rung]').count(), 10, 'rungs 1→2 … 10→11');
  // Per source: another ladder, its first rung no larger than all buyers'.
  const source = await page.$eval('#ladder-group optgroup option', (o) => o.value);
  await page.selectOption('#ladder-group', source);
  await page.waitForFunction((g) => document.getElementById('ladder-table').dataset.ladderGroup === g, source);
  assert.ok(Number(await rung1.getAttribute('data-reached')) > 0);

  // Stores: a click on a header sorts by it (descending first, again ascending).
  const orders = () => page.$$eval('#stores-table tbody tr', (trs) => trs.map((tr) => Number(tr.dataset.orders)));
  await page.click('#stores-table [data-outlet-sort="orders"]');
  const desc = await orders();
  assert.deepEqual(desc, [...desc].sort((a, b) => b - a));
  assert.equal(await page.getAttribute('#stores-table th[aria-sort="descending"] button', 'data-outlet-sort'), 'orders');
  await page.click('#stores-table [data-outlet-sort="orders"]');
  assert.deepEqual(await orders(), [...desc].reverse());

  // Compounding: +10% on the four stages with a rate is ×1.1⁴; filling the fifth makes it ×1.1⁵.
  const multiplier = () => page.$eval('#compound-figures', (d) => Number(d.dataset.multiplier));
  const k = await page.$eval('#compound-figures', (d) => Number(d.dataset.k));
  assert.ok(Math.abs(await multiplier() - 1.1 ** k) < 1e-9);
  const empty = await page.$$eval('#compound-stages input[data-compound-rate]', (is) => is.filter((i) => i.value === '').map((i) => i.dataset.compoundRate));
  for (const key of empty) await page.fill(`#compound-rate-${key}`, '50');
  assert.ok(Math.abs(await multiplier() - 1.1 ** 5) < 1e-9, 'all five stages');
  await page.fill('#compound-change', '-10');
  assert.ok(Math.abs(await multiplier() - 0.9 ** 5) < 1e-9);
  assert.match(await page.locator('#compound-figures [data-compound="multiplier"] .card-value').textContent(), /0\.59/);

  // (a) A target of 5,000,000 over 12 months at a 3% conversion rate.
  await page.fill('#target-revenue', '5000000');
  await page.fill('#target-months', '12');
  await page.fill('#target-conversion', '3');
  await reanalysed(page, () => page.click('#target-apply'));
  const field = (name) => page.locator(`#target-figures [data-target-field="${name}"]`);
  const aov = shownNumber(await field('aov').locator('.card-value').textContent());
  assert.ok(aov > 0, `AOV shown: ${aov}`);
  const orders1 = 5_000_000 / aov;
  assert.ok(Math.abs(Number(await field('orders_needed').getAttribute('data-value')) - orders1) < 0.01, 'orders needed = target / AOV');
  assert.equal(shownNumber(await field('orders_needed').locator('.card-value').textContent()), Math.ceil(orders1));
  const traffic = orders1 / 0.03;
  assert.ok(Math.abs(Number(await field('traffic_needed').getAttribute('data-value')) - traffic) < 0.5, 'traffic = orders / 0.03');
  assert.ok(Math.abs(shownNumber(await field('traffic_needed').locator('.card-value').textContent()) - Math.ceil(traffic)) <= 1);
  const months = await page.$$eval('#target-months-table tr[data-target-part="month"]', (trs) => trs.map((tr) => Number(tr.dataset.revenue)));
  assert.equal(months.length, 12);
  assert.ok(Math.abs(months.reduce((a, b) => a + b, 0) - 5_000_000) <= 0.01 * months.length, 'the months add up to the target');
  const gap = Number(await field('gap').getAttribute('data-value'));
  const existing = Number(await field('existing_revenue').getAttribute('data-value'));
  assert.ok(Math.abs(gap - Math.max(0, 5_000_000 - existing)) < 0.01, 'gap = target − existing members');
  assert.match(await page.locator('#target-basis').textContent(), /价值预测/, 'the basis in words');

  // A period out of range is refused by the form, the last target kept.
  await page.fill('#target-months', '40');
  await page.click('#target-apply');
  assert.equal(await page.getAttribute('#target-status', 'data-state'), 'error');
  assert.match(await page.locator('#target-status').textContent(), /1 到 36/);
  assert.equal(await page.locator('#target-months-table tr[data-target-part="month"]').count(), 12);

  // The decomposition as XLSX (the engine's exportTarget): its headline rows, in Chinese.
  const file = await h.download(page, '#target-export');
  assert.match(file.name, /^memberlens-target-\d{4}-\d{2}-\d{2}\.xlsx$/);
  const sheet = h.readXlsx(file.bytes);
  assert.deepEqual(sheet[0].slice(0, 2), ['项目', '数值']);
  const row = (label) => sheet.find((r) => r[0] === label);
  assert.equal(Number(row('销售目标')?.[1]), 5_000_000);
  assert.ok(Math.abs(Number(row('所需订单数')?.[1]) - orders1) < 0.01, 'orders needed in the file');

  // Cleared: no decomposition, no export.
  await reanalysed(page, () => page.click('#target-clear'));
  assert.ok(await page.locator('#target-result').isHidden());
  assert.ok(await page.locator('#target-export').isHidden());
}));

test('a comparison date: the movement matrices agree with the report and their totals; the moved-down list', () => withPage(async ({ page }) => {
  await demo(page);
  const asOf = await page.$eval('#movement-body', (b) => b.dataset.asOf);
  assert.equal(await page.inputValue('#movement-date'), await page.$eval('#movement-body', (b) => b.dataset.compareDate), 'the default date is shown');

  // A date on or after as-of is refused by the page, with the reason.
  await page.fill('#movement-date', asOf);
  await page.waitForFunction(() => document.getElementById('movement-status').dataset.state === 'error');
  assert.match(await page.locator('#movement-status').textContent(), /早于基准日/);

  // (b) Another date re-analyses with it.
  const date = `${Number(asOf.slice(0, 4)) - 1}${asOf.slice(4)}`;
  await reanalysed(page, () => page.fill('#movement-date', date));
  assert.equal(await page.$eval('#movement-body', (b) => b.dataset.compareDate), date);
  assert.equal(await page.getAttribute('#movement-status', 'data-state'), '');
  const figure = async (key) => Number(await page.getAttribute(`#movement-figures [data-movement="${key}"]`, 'data-value'));
  const report = await reportJson(page);
  const m = report.growth.movement;
  assert.equal(m.compare_date, date);
  for (const key of ['present_both', 'moved_down', 'moved_up', 'new_buyers']) assert.equal(await figure(key), m[key], key);
  for (const which of ['segments', 'tiers']) {
    const cells = await matrixCells(page, which);
    const tr = m[which];
    assert.equal(cells.length, tr.from.length * tr.to.length, `${which}: a cell per pair`);
    for (const c of cells) {
      const [i, j] = [tr.from.indexOf(c.from), tr.to.indexOf(c.to)];
      assert.equal(c.count, tr.counts[i][j], `${which} ${c.from}→${c.to}`);
      assert.equal(c.revenue, tr.revenue[i][j]);
    }
    const present = cells.filter((c) => c.from !== 'new').reduce((n, c) => n + c.count, 0);
    assert.equal(present, await figure('present_both'), `${which}: the non-new rows add up to the members present at both dates`);
    assert.equal(cells.filter((c) => c.from === 'new').reduce((n, c) => n + c.count, 0), await figure('new_buyers'));
  }
  // Names are the page's segment and tier names; revenue on request.
  assert.match(await page.locator('#movement-segments thead').textContent(), /重要价值客户/);
  assert.match(await page.locator('#movement-tiers thead').textContent(), /活跃会员/);
  await page.selectOption('#movement-value', 'revenue');
  assert.equal(await page.getAttribute('#movement-segments table', 'data-value'), 'revenue');

  // (d) Who moved down, as an operations list: Chinese headers, a row per member who moved down.
  const file = await h.download(page, '#movement-export');
  assert.match(file.name, /\.xlsx$/);
  const rows = h.readXlsx(file.bytes).filter((r) => r.some((c) => c !== ''));
  assert.ok(rows[0].includes('会员ID'), `Chinese headers: ${rows[0].join(',')}`);
  assert.equal(rows.length - 1, m.moved_down, 'a row per member who moved down');
  // Masked for a shared screen: the same rows, no phone in full.
  await page.check('#mask-exports');
  const masked = h.readXlsx((await h.download(page, '#movement-export')).bytes).filter((r) => r.some((c) => c !== ''));
  assert.equal(masked.length, rows.length);
  const phone = masked[0].indexOf('手机号');
  assert.ok(phone >= 0, 'a phone column');
  for (const r of masked.slice(1)) if (r[phone]) assert.match(r[phone], /^\d{3}\*{4}\d{4}$/, `masked ${r[phone]}`);
  await page.uncheck('#mask-exports');

  // Back to the default date: as-of − 90 days.
  await reanalysed(page, () => page.click('#movement-default'));
  const def = new Date(`${asOf}T00:00:00Z`);
  def.setUTCDate(def.getUTCDate() - 90);
  assert.equal(await page.$eval('#movement-body', (b) => b.dataset.compareDate), def.toISOString().slice(0, 10));
}));

test('in English: the growth sections and their definitions', () => withPage(async ({ page }) => {
  await demo(page);
  assert.equal(await page.locator('#growth-title').textContent(), 'Growth analytics');
  assert.match(await page.locator('#ladder-defs').textContent(), /repurchase rate/);
  assert.match(await page.locator('#cohort-table thead').textContent(), /Second purchase within/);
  assert.match(await page.locator('#omni-figures').textContent(), /Omnichannel buyers/);
  assert.match(await page.locator('#movement-segments thead').textContent(), /Important value/i);
}, { lang: 'en' }));

test('without store or channel columns the page says so (no ¥0); a comparison date before every purchase', () => withPage(async ({ page }) => {
  await h.upload(page, [path.join(h.fixturesDir, 'shop_orders_en.csv')]);
  for (const which of ['stores', 'channels']) {
    const empty = page.locator(`#${which}-table [data-empty="${which}"]`);
    assert.ok(await empty.isVisible(), `${which}: an empty state`);
    assert.doesNotMatch(await page.locator(`#${which}-table`).textContent(), /¥/);
  }
  assert.ok(await page.locator('#stores-charts').isHidden(), 'no store charts');
  await reanalysed(page, () => page.fill('#movement-date', '2000-01-01'));
  assert.ok(await page.locator('#movement-body').isHidden());
  assert.match(await page.locator('#movement-empty').textContent(), /对比日之前还没有会员消费过/);
}));

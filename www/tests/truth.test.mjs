// The page, fed the shared fixtures through its file input, shows the figures in truth.json.
// Counts exactly, money within 0.01, rates within 1e-6. Every test also checks that no
// request left the local origin and no CSP violation fired.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as h from './helpers.mjs';

const truth = JSON.parse(readFileSync(path.join(h.fixturesDir, 'truth.json'), 'utf8'));
const fx = (name) => path.join(h.fixturesDir, name);

let site;
before(async () => { site = await h.siteUrl(); });
after(async () => { await site?.stop(); });

const COUNTS = ['buyers', 'members_total', 'non_buyers', 'purchase_orders'];
const MONEY = ['revenue', 'aov'];
const RATES = [['repurchase_rate', 'repurchase_rate'], ['return_rate', 'return_rate_365'], ['median_interpurchase_days', 'median_interpurchase_days']];

function assertClose(actual, expected, tol, what) {
  assert.equal(typeof actual, 'number', `${what}: no number shown (got ${actual})`);
  assert.ok(Math.abs(actual - expected) <= tol + 1e-9, `${what}: shown ${actual}, truth ${expected} (tolerance ${tol})`);
}

async function checkAgainstTruth(page, t) {
  const m = await h.readMetrics(page);
  for (const k of COUNTS) assert.equal(m[k], t[k], `inventory ${k}`);
  for (const k of MONEY) assertClose(m[k], t[k], 0.01, `inventory ${k}`);
  for (const [k, tk] of RATES) assertClose(m[k], t[tk], 1e-6, `inventory ${k}`);
  assert.deepEqual(await h.readSegments(page), t.rfm.segments, 'RFM segments (data-segment/data-members)');
  assert.deepEqual(await h.readTiers(page), t.dormancy, 'dormancy tiers (data-tier/data-members)');
}

async function fileStats(page) {
  return page.evaluate(() => Object.fromEntries([...document.querySelectorAll('[data-file-stats]')].map((e) => [e.dataset.fileStats,
    { rows: Number(e.dataset.rows), duplicate_rows: Number(e.dataset.duplicateRows), rejected_rows: Number(e.dataset.rejectedRows) }])));
}

async function assertPrivate(ctx) {
  assert.deepEqual(h.foreignRequests(ctx.requests, site.url), [], 'every request stays on the local origin');
  assert.deepEqual(await h.cspViolations(ctx.page), [], 'no securitypolicyviolation event');
  assert.deepEqual(ctx.dialogs, [], 'no dialog');
}

async function scenario(files, check) {
  const ctx = await h.openPage(site.url);
  try {
    await h.upload(ctx.page, files.map(fx));
    await check(ctx.page);
    await assertPrivate(ctx);
  } finally {
    await ctx.browser.close();
  }
}

test('online export alone (GBK, item lines, statuses, refunds, guests)', () => scenario(['online_orders_gbk.csv'], async (page) => {
  const t = truth.online;
  await checkAgainstTruth(page, t);
  const m = await h.readMetrics(page);
  assert.equal(m.guest_orders, t.guest_orders, 'guest_orders');
  assertClose(m.guest_revenue, t.guest_revenue, 0.01, 'guest_revenue');
  const stats = (await fileStats(page))['online_orders_gbk.csv'];
  assert.equal(stats.rows, t.rows, 'rows');
  assert.equal(stats.rejected_rows, t.rejected_rows, 'rejected_rows');
  // the detected encoding (GBK, or its superset GB18030) is shown and editable
  assert.match(await page.locator('[data-file="online_orders_gbk.csv"] select.file-encoding').inputValue(), /^gb(k|18030)$/);
  assert.equal(await page.evaluate(() => document.getElementById('as-of').value), t.as_of);
}));

test('POS export alone (BOM, yyyymmdd, returns, duplicates)', () => scenario(['pos_sales.csv'], async (page) => {
  const t = truth.pos;
  await checkAgainstTruth(page, t);
  const stats = (await fileStats(page))['pos_sales.csv'];
  assert.deepEqual(stats, { rows: t.rows, duplicate_rows: t.duplicate_rows, rejected_rows: t.rejected_rows });
  // the warnings panel lists the rejected rows by line
  assert.ok(await page.locator('#warnings [data-line]').count() >= t.rejected_rows, 'warnings listed by line');
}));

test('English shop export alone (e-mail keys, +0800 times)', () => scenario(['shop_orders_en.csv'], async (page) => {
  await checkAgainstTruth(page, truth.shop);
}));

test('omnichannel: members + online + POS linked by card and phone', () => scenario(['members.csv', 'online_orders_gbk.csv', 'pos_sales.csv'], async (page) => {
  const t = truth.omnichannel;
  await checkAgainstTruth(page, t);
  const sources = await page.evaluate(() => Object.fromEntries([...document.querySelectorAll('[data-source]')].map((e) => [e.dataset.source, Number(e.dataset.buyers)])));
  assert.equal(sources['online_orders_gbk.csv'], t.online_buyers, 'online buyers');
  assert.equal(sources['pos_sales.csv'], t.offline_buyers, 'offline buyers');
  const overlap = await page.evaluate(() => [...document.querySelectorAll('[data-overlap]')].map((e) => Number(e.dataset.buyers)));
  assert.deepEqual(overlap, [t.both_channels_buyers], 'buyers in both sources');
}));

// The member table's columns come from the engine's one column table: the page's header is
// that list (labels in the page's language), and the export carries every column, including
// the members-table attributes (gender, birthday, age, guide...) and the preferred labels.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import * as h from './helpers.mjs';

const FILES = ['members.csv', 'online_orders_gbk.csv', 'pos_sales.csv'].map((n) => path.join(h.fixturesDir, n));

let site;
before(async () => { site = await h.siteUrl(); });
after(async () => { await site?.stop(); });

const headers = (page) => page.locator('#member-head th').evaluateAll((ths) => ths.map((th) => [th.dataset.column, th.textContent]));

test('the member header is the engine column list, in both languages', () => h.withPage(site.url, async ({ page }) => {
  await h.upload(page, FILES);
  const zh = await headers(page);
  const keys = zh.map(([k]) => k);
  // Forecasts are on: the shown forecast columns are there, and the key columns lead.
  for (const k of ['member_id', 'phone', 'name', 'segment', 'dormancy', 'lifecycle', 'clv', 'churn_band']) {
    assert.ok(keys.includes(k), `column ${k} shown`);
  }
  assert.deepEqual(zh.find(([k]) => k === 'member_id'), ['member_id', '会员ID']);
  assert.deepEqual(zh.find(([k]) => k === 'segment'), ['segment', 'RFM 分层']);
  // Columns the engine does not mark as shown stay out of the page's table.
  assert.ok(!keys.includes('in_member_file') && !keys.includes('age'), 'hidden-by-default columns are not shown');

  await page.click('#lang-switch');
  await page.waitForFunction(() => document.querySelector('#member-head th[data-column="member_id"]')?.textContent === 'Member id');
  const en = await headers(page);
  assert.deepEqual(en.map(([k]) => k), keys, 'the same columns in English');
  assert.deepEqual(en.find(([k]) => k === 'segment'), ['segment', 'Segment']);
}));

test('the export carries every engine column, with the member attributes', () => h.withPage(site.url, async ({ page }) => {
  await h.upload(page, FILES);
  await page.check('#export-keys');
  const csv = await h.download(page, '#export-csv');
  const rows = h.parseCsv(csv.bytes.subarray(3).toString('utf8')).filter((r) => r.length > 1);
  const head = rows[0];
  for (const k of ['gender', 'birthday', 'age', 'region', 'guide', 'points', 'preferred_store', 'preferred_channel', 'favourite_category', 'in_member_file']) {
    assert.ok(head.includes(k), `export column ${k}`);
  }
  const col = (k) => head.indexOf(k);
  const body = rows.slice(1).filter((r) => r.length === head.length);
  // Members of the members table have their gender; an age is whole years and agrees with
  // the birthday and the report's as-of date.
  const asOf = await page.locator('#as-of').inputValue();
  assert.match(asOf, /^\d{4}-\d{2}-\d{2}$/, 'the report\'s as-of date is shown');
  const withBirthday = body.filter((r) => r[col('birthday')]);
  assert.ok(withBirthday.length > 100, 'birthdays reach the member table');
  assert.ok(body.some((r) => r[col('gender')]), 'genders reach the member table');
  const [y, m, d] = asOf.split('-').map(Number);
  for (const r of withBirthday) {
    const [by, bm, bd] = r[col('birthday')].split('-').map(Number);
    const age = y - by - ((m < bm || (m === bm && d < bd)) ? 1 : 0);
    assert.equal(r[col('age')], age >= 0 ? String(age) : '', `age of ${r[col('birthday')]} on ${asOf}`);
  }
  // Buyers of the POS file have a preferred store (its 门店 column).
  assert.ok(body.some((r) => r[col('preferred_store')]), 'a preferred store for POS buyers');
}));

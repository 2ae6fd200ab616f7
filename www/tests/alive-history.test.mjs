// One member's P(alive) over their history (issue 16 item 8, lifetimes' plot_history_alive): a
// row of the member table opens it under the table, with the member, the purchase model, the
// value on the as-of date and a chart of every day since the first purchase with the purchase
// days marked. Its last value is the member's P(alive) in the table; it has one point a day; it
// speaks the page's language; while the forecasts are computed the rows offer no history and an
// open one says they are pending; a member with no dated purchase gets the reason in words; the
// embedded element shows it inside its shadow root. Nothing leaves localhost.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as h from './helpers.mjs';
import { withAny } from './embed-helpers.mjs';
import { zh } from '../src/i18n/zh.js';
import { en } from '../src/i18n/en.js';

const TRIO = ['members.csv', 'online_orders_gbk.csv', 'pos_sales.csv'];
const FILES = TRIO.map((n) => path.join(h.fixturesDir, n));
const DASH = '—';
const DAY_MS = 86_400_000;
/** Words the page's zh texts may hold (brand and model names), as the language test allows. */
const ALLOWED_WORDS = new Set(['BG', 'NBD', 'MBG', 'alive', 'Poisson', 'Pareto', 'Gamma']);

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** axe-core's critical and serious violations in the member table and the panel (as a11y.test.mjs runs it). */
async function axeViolations(page) {
  await page.evaluate(AXE);
  return page.evaluate(async () => {
    // @ts-ignore axe is the library just evaluated
    const r = await window.axe.run({ include: [['#member-table'], ['#alive-history']] }, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }, resultTypes: ['violations'] });
    return r.violations.filter((v) => v.impact === 'critical' || v.impact === 'serious').map((v) => `${v.id}: ${v.nodes[0]?.target.join(' ')}`);
  });
}

let site;
before(async () => { site = await h.siteUrl(); });
after(async () => { await site?.stop(); });

/** Opens the site; every request must stay on the served origin, the engine among them. */
const withPage = (fn, opts) => h.withPage(site.url, async (ctx) => {
  await fn(ctx);
  assert.ok(ctx.requests.some((u) => u.endsWith('.wasm')), 'the engine was loaded (requests were recorded)');
  assert.deepEqual(h.foreignRequests(ctx.requests, site.url), [], 'no request leaves localhost');
  assert.deepEqual(ctx.errors, [], 'no page error');
}, opts);

const days = (a, b) => Math.round((Date.parse(b) - Date.parse(a)) / DAY_MS);

/** The member rows shown, each as {tableRow, memberId, first, last, pAlive (the text shown)}. */
function readRows(page) {
  return page.evaluate(() => {
    const heads = [...document.querySelectorAll('#member-head th')];
    const at = (key) => heads.findIndex((th) => th.dataset.column === key);
    const [first, last, p] = [at('first_purchase'), at('last_purchase'), at('p_alive')];
    return [...document.querySelectorAll('#member-rows tr[data-table-row]')].map((tr) => ({
      tableRow: tr.dataset.tableRow, memberId: tr.dataset.memberId,
      first: tr.children[first]?.textContent, last: tr.children[last]?.textContent, pAlive: tr.children[p]?.textContent,
      button: Boolean(tr.querySelector('button.alive-open')),
    }));
  });
}

/** Walks the member pages until `pick` finds a row (the first page again afterwards is not needed). */
async function findRow(page, pick, what) {
  for (let i = 0; i < 30; i++) {
    const hit = (await readRows(page)).find(pick);
    if (hit) return hit;
    if (await page.isDisabled('#page-next')) break;
    const seq = await page.evaluate(() => Number(document.body.dataset.membersSeq || 0));
    await page.click('#page-next');
    await page.waitForFunction((n) => Number(document.body.dataset.membersSeq || 0) > n && document.body.dataset.membersState !== 'loading', seq);
  }
  throw new Error(`no ${what} in the member table`);
}

/** Waits until the panel shows the member of `tableRow` in one of `states`; returns its status. */
async function waitPanel(page, tableRow, states = ['ready', 'none', 'error']) {
  const handle = await page.waitForFunction(([row, st]) => {
    const p = document.getElementById('alive-history');
    return p && !p.hidden && p.dataset.tableRow === row && st.includes(p.dataset.status) ? p.dataset.status : null;
  }, [tableRow, states], { timeout: 60_000, polling: 50 });
  return handle.jsonValue();
}

/** What the panel shows: texts, the chart's data attributes, its canvas and its data table. */
function readPanel(page) {
  return page.evaluate(() => {
    const text = (id) => document.getElementById(id)?.textContent ?? '';
    const chart = document.getElementById('chart-alive-history');
    const canvas = chart?.querySelector('canvas');
    const table = [...document.querySelectorAll('#chart-alive-history-data tbody tr')].map((tr) => [...tr.children].map((td) => td.textContent));
    return {
      status: document.getElementById('alive-history').dataset.status,
      reason: document.getElementById('alive-history').dataset.reason,
      title: text('alive-history-title'), model: text('alive-history-model'), now: text('alive-history-now'),
      note: text('alive-history-note'), message: text('alive-history-status'), close: text('alive-history-close'),
      nowValue: document.querySelector('[data-alive-now]')?.textContent ?? '',
      chart: { ...chart.dataset }, canvas: canvas ? [canvas.width, canvas.height] : null,
      tableHead: [...document.querySelectorAll('#chart-alive-history-data thead th')].map((th) => th.textContent), table,
      chartLabel: chart.getAttribute('aria-label'),
    };
  });
}

/** Asserts the panel drawn for `row` against the table and the as-of date; returns what it read. */
async function assertHistory(page, row, asOf, kind) {
  const p = await readPanel(page);
  assert.equal(p.status, 'ready', `${kind}: drawn`);
  assert.ok(p.title.includes(row.memberId), `${kind}: the title names the member (${p.title})`);
  // One point a day from the first purchase to as-of, the line ending on the as-of date.
  const points = Number(p.chart.points);
  assert.equal(points, days(row.first, asOf) + 1, `${kind}: one point a day from ${row.first} to ${asOf}`);
  assert.equal(p.chart.first, row.first, `${kind}: the line starts on the first purchase`);
  assert.equal(p.chart.last, asOf, `${kind}: and ends on the as-of date`);
  // Its last value is the member's P(alive) in the table, to the table's precision.
  const last = Number(p.chart.lastValue);
  assert.ok(Number.isFinite(last) && last >= 0 && last <= 1, `${kind}: a probability (${last})`);
  assert.ok(row.pAlive && row.pAlive !== DASH, `${kind}: the table shows a P(alive)`);
  assert.ok(Math.abs(last - Number(row.pAlive)) <= 0.0005 + 1e-12, `${kind}: the line ends at ${last}, the table shows ${row.pAlive}`);
  assert.equal(p.nowValue, row.pAlive, `${kind}: the panel shows the table's P(alive)`);
  assert.ok(p.now.includes(asOf), `${kind}: on the as-of date`);
  // The purchase days are marked: the first is the first purchase, the last the last purchase.
  const marked = p.chart.purchaseDays.split(' ').filter(Boolean);
  assert.equal(marked[0], row.first, `${kind}: the first purchase is marked`);
  assert.equal(marked.at(-1), row.last, `${kind}: the last purchase is marked`);
  assert.ok(marked.every((d, i) => i === 0 || d > marked[i - 1]), `${kind}: purchase days in order, once each`);
  assert.ok(marked.every((d) => d >= row.first && d <= asOf), `${kind}: within the line`);
  assert.ok(p.canvas && p.canvas[0] > 100 && p.canvas[1] > 100, `${kind}: the chart is drawn (${p.canvas})`);
  // The chart's data table: the purchase days marked in it, the last row the as-of date.
  assert.equal(p.chartLabel !== null, true, `${kind}: the chart is labelled as an image`);
  assert.equal(p.tableHead.length, 3, `${kind}: the data table has day, P(alive), purchase`);
  assert.deepEqual(p.table.filter((r) => r[2]).map((r) => r[0]), marked, `${kind}: the data table marks the purchase days`);
  assert.deepEqual(p.table.at(-1).slice(0, 2), [asOf, row.pAlive], `${kind}: the data table ends on the as-of date, at the table's P(alive)`);
  return { ...p, marked, points };
}

/** English words in a zh text, brand and model names aside. */
const englishWords = (s) => (s.match(/[A-Za-z][A-Za-z']+/g) ?? []).filter((w) => !ALLOWED_WORDS.has(w));

test('zh then en: a repeat buyer\'s and a one-time buyer\'s P(alive) history end at their table P(alive), a point a day, purchases marked', () => withPage(async ({ page }) => {
  await h.upload(page, FILES);
  const asOf = await page.inputValue('#as-of');
  assert.match(asOf, /^\d{4}-\d{2}-\d{2}$/);
  assert.equal(await page.locator('#member-head th[data-history-column]').count(), 1, 'the table has the history column');
  assert.equal(await page.locator('#alive-history').isHidden(), true, 'no panel before a member is chosen');
  const chosen = await page.locator('[data-compare="purchase"]').getAttribute('data-chosen');
  assert.ok(chosen, 'the report chose a purchase model');

  const isDate = (s) => /^\d{4}-\d{2}-\d{2}$/.test(s ?? '');
  const repeat = await findRow(page, (r) => r.button && isDate(r.first) && isDate(r.last) && r.first !== r.last, 'repeat buyer');
  await page.click(`#member-rows tr[data-table-row="${repeat.tableRow}"] button.alive-open`);
  await waitPanel(page, repeat.tableRow);
  const a = await assertHistory(page, repeat, asOf, 'repeat buyer');
  assert.ok(a.marked.length >= 2, 'a repeat buyer has several purchase days marked');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'alive-history-title', 'the focus moves to the panel');
  // zh: the texts are Chinese, the model is the one the report chose.
  assert.ok(a.model.includes(zh[`fc.${chosen}`]), `the model named in zh: ${a.model}`);
  for (const s of [a.title.replace(repeat.memberId, ''), a.model, a.now, a.note, a.close, ...a.tableHead]) {
    assert.match(s, /[\u4e00-\u9fff]/, `zh text: ${s}`);
    assert.deepEqual(englishWords(s), [], `no English in "${s}"`);
  }
  assert.equal(a.note, zh['alive.note']);
  assert.deepEqual(await axeViolations(page), [], 'axe: the table with its buttons and the open panel');

  // The language switch redraws it in English.
  await page.click('#lang-switch');
  await page.waitForFunction(() => document.body.dataset.lang === 'en');
  const e = await readPanel(page);
  assert.equal(e.status, 'ready', 'still drawn after the language switch');
  const label = a.title.slice(zh['alive.title'].indexOf('{member}'));
  assert.equal(e.title, en['alive.title'].replace('{member}', label), 'the title in English');
  assert.equal(e.note, en['alive.note'], 'the explanation in English');
  assert.ok(e.model.includes(en[`fc.${chosen}`]), `the model named in en: ${e.model}`);
  for (const s of [e.model, e.now, e.note, e.close, ...e.tableHead]) assert.doesNotMatch(s, /[\u4e00-\u9fff]/, `no Chinese in "${s}"`);
  assert.equal(e.chart.points, a.chart.points, 'the same line');
  // The table's P(alive) in English is the same number.
  const enRow = (await readRows(page)).find((r) => r.tableRow === repeat.tableRow);
  assert.equal(e.nowValue, enRow.pAlive);
  await page.click('#lang-switch');
  await page.waitForFunction(() => document.body.dataset.lang === 'zh');

  // A one-time buyer, opened from the keyboard: one purchase day marked.
  const once = await findRow(page, (r) => r.button && isDate(r.first) && r.first === r.last, 'one-time buyer');
  await page.focus(`#member-rows tr[data-table-row="${once.tableRow}"] button.alive-open`);
  await page.keyboard.press('Enter');
  await waitPanel(page, once.tableRow);
  const b = await assertHistory(page, once, asOf, 'one-time buyer');
  assert.deepEqual(b.marked, [once.first], 'a one-time buyer has one purchase day marked');

  // Closed with its button: hidden, the focus back on the row's button.
  await page.click('#alive-history-close');
  assert.equal(await page.locator('#alive-history').isHidden(), true, 'closed');
  assert.equal(await page.evaluate(() => document.activeElement?.closest('tr')?.dataset.tableRow), once.tableRow, 'the focus is back on the row');

  // A member with no purchase: the reason in words, no chart.
  // (A quarter of the trio's members bought nothing: members.csv lists them.)
  const none = await findRow(page, (r) => r.button && r.first === DASH, 'member without purchases');
  await page.click(`#member-rows tr[data-table-row="${none.tableRow}"] button.alive-open`);
  assert.equal(await waitPanel(page, none.tableRow), 'none');
  const p = await readPanel(page);
  assert.equal(p.reason, 'no_purchases');
  assert.equal(p.message, zh['alive.no_purchases'], 'the reason, in words');
  assert.equal(await page.locator('#alive-history-body').isHidden(), true, 'no chart');
  await page.click('#lang-switch');
  await page.waitForFunction((text) => document.getElementById('alive-history-status').textContent === text, en['alive.no_purchases']);
}));

test('while the forecasts are computed the rows offer no history and an open one says they are pending; once they are in it is drawn', () => withPage(async ({ page }) => {
  // Hold each forecast run until released (the page's test hook).
  await page.evaluate(() => {
    window.__holds = 0;
    window.memberlensHoldForecasts = () => { window.__holds += 1; return new Promise((resolve) => { window.__release = resolve; }); };
  });
  await page.setInputFiles('#file-input', FILES);
  await page.waitForFunction(() => window.__holds === 1 && document.body.dataset.state === 'ready' && Number(document.body.dataset.resultsSeq || 0) >= 1, null, { timeout: 120_000 });
  assert.equal(await page.evaluate(() => document.body.dataset.forecastState), 'computing');
  assert.ok(await page.locator('#member-rows tr').count() > 0, 'the member table is drawn');
  assert.equal(await page.locator('#member-rows button.alive-open').count(), 0, 'no history button before the forecasts');
  assert.equal(await page.locator('#member-head th[data-history-column]').count(), 0, 'no history column before the forecasts');
  await page.evaluate(() => window.__release());
  await h.waitForReport(page, 0);
  const asOf = await page.inputValue('#as-of');
  const row = (await readRows(page)).find((r) => r.button && /^\d{4}-\d{2}-\d{2}$/.test(r.first ?? ''));
  assert.ok(row, 'the rows offer the history once the forecasts are in');
  await page.click(`#member-rows tr[data-table-row="${row.tableRow}"] button.alive-open`);
  await waitPanel(page, row.tableRow);
  await assertHistory(page, row, asOf, 'after the forecasts');

  // Another purchase model: the forecasts are computed again, the open history says so...
  const seq = await h.reportSeq(page);
  await page.selectOption('#fc-model', 'bgnbd');
  await page.waitForFunction(() => window.__holds === 2);
  assert.equal(await waitPanel(page, row.tableRow, ['pending']), 'pending');
  assert.equal((await readPanel(page)).message, zh['alive.pending']);
  assert.equal(await page.locator('#alive-history-body').isHidden(), true, 'no stale chart while pending');
  // ...and is drawn with the new model once they are in.
  await page.evaluate(() => window.__release());
  await h.waitForReport(page, seq);
  assert.equal(await waitPanel(page, row.tableRow), 'ready');
  const p = await readPanel(page);
  assert.ok(p.model.includes(zh['fc.bgnbd']), `drawn under the model chosen: ${p.model}`);
  const now = (await readRows(page)).find((r) => r.tableRow === row.tableRow);
  if (now) assert.equal(p.nowValue, now.pAlive, 'ending at the table\'s P(alive) under the new model');
}));

test('forecasts off: the rows offer no history', () => h.withPage(`${site.url}?forecast=off`, async ({ page }) => {
  await h.upload(page, FILES);
  assert.equal(await page.evaluate(() => document.body.dataset.forecastState), 'off');
  assert.equal(await page.locator('#member-rows button.alive-open').count(), 0, 'no history button without forecasts');
}));

test('the embedded element: the history opens inside its shadow root, nothing in the portal\'s DOM', () => withAny(`${site.url}examples/portal.html`, async ({ page }) => {
  await page.waitForFunction(() => document.getElementById('lens')?.shadowRoot?.querySelector('.ml-body'));
  await page.evaluate(() => {
    window.__reports = 0;
    document.getElementById('lens').addEventListener('ml-report', () => { window.__reports += 1; });
  });
  await page.setInputFiles('#portal-files', FILES);
  await page.waitForFunction(() => window.__reports >= 1, null, { timeout: 120_000 });
  const button = page.locator('#lens #member-rows button.alive-open').first();
  await button.click();
  await page.waitForFunction(() => {
    const p = document.getElementById('lens').shadowRoot.getElementById('alive-history');
    return p && !p.hidden && ['ready', 'none'].includes(p.dataset.status);
  }, null, { timeout: 60_000 });
  const inside = await page.evaluate(() => {
    const root = document.getElementById('lens').shadowRoot;
    const p = root.getElementById('alive-history');
    const canvas = root.querySelector('#chart-alive-history canvas');
    return { status: p.dataset.status, title: root.getElementById('alive-history-title').textContent, canvas: canvas ? canvas.width : 0, table: root.querySelectorAll('#chart-alive-history-data tbody tr').length };
  });
  assert.ok(inside.title.length > 0, 'the panel has its title');
  if (inside.status === 'ready') {
    assert.ok(inside.canvas > 100, 'the chart is drawn inside the shadow root');
    assert.ok(inside.table > 0, 'with its data table');
  }
  assert.equal(await page.evaluate(() => document.getElementById('alive-history') || document.getElementById('chart-alive-history')), null, 'nothing of the panel is in the portal\'s DOM');
}));

// The page's pipeline (issue 15): the first results (inventory, RFM, tiers, lifecycle) are
// drawn while the same engine call makes tags, actions, growth and the member table, whose
// sections say they are pending until they fill in; the results are drawn before the forecasts, which follow in
// their own engine call with their own progress, then fill in their section and the member
// table's forecast columns; the forecast toggle and `?forecast=off` leave them out without
// running the fit; the reports (before and after the forecasts) are the CLI's without and with
// forecasts; a large generated file, streamed into the worker and not kept there, gives the
// CLI's counts and line numbers, and is read again from the File with other options.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import * as h from './helpers.mjs';

const FILES = ['members.csv', 'online_orders_gbk.csv', 'pos_sales.csv'].map((n) => path.join(h.fixturesDir, n));
const BIN = path.join(h.repoDir, 'target', 'release', 'memberlens');
const FORECAST_COLUMNS = ['p_alive', 'expected_spend', 'clv', 'churn_risk', 'churn_band'];

let site;
let tmp;
before(async () => { site = await h.siteUrl(); tmp = mkdtempSync(path.join(tmpdir(), 'ml-pipeline-')); });
after(async () => { await site?.stop(); if (tmp) rmSync(tmp, { recursive: true, force: true }); });

/** The CLI's report (built when missing, as forecast.test.mjs does). */
function cliReport(files, extra = []) {
  if (!existsSync(BIN)) execFileSync('cargo', ['build', '--release', '--quiet', '--bin', 'memberlens'], { cwd: h.repoDir, stdio: ['ignore', 'ignore', 'inherit'] });
  const out = execFileSync(BIN, ['analyze', ...files, '--format', 'json', ...extra], { maxBuffer: 512 * 1024 * 1024 });
  return JSON.parse(out.toString('utf8'));
}

/**
 * Opens the page with a hold on the forecasts: `window.__holds` counts the forecast runs that
 * started, `window.__release()` lets the one waiting go on.
 */
async function open(query = '') {
  const browser = await chromium.launch({ executablePath: h.CHROMIUM, args: h.CHROMIUM_ARGS });
  const context = await browser.newContext({ serviceWorkers: 'block', acceptDownloads: true, viewport: { width: 1360, height: 900 }, locale: 'zh-CN' });
  const requests = [];
  context.on('request', (req) => requests.push(req.url()));
  await context.addInitScript(() => {
    window.__holds = 0;
    window.memberlensHoldForecasts = () => {
      window.__holds += 1;
      return new Promise((resolve) => { window.__release = resolve; });
    };
  });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(site.url + query);
  await page.waitForFunction(() => document.body.dataset.state === 'empty', null, { timeout: 30_000 });
  return { browser, page, requests, errors };
}

/** Waits for the results (forecasts apart) of analysis number `seq` or later. */
async function waitForResults(page, seq) {
  const r = await (await page.waitForFunction((n) => {
    const b = document.body;
    if (b.dataset.state === 'error') return { ok: false, text: document.getElementById('error-text').textContent };
    return b.dataset.state === 'ready' && Number(b.dataset.resultsSeq || 0) >= n ? { ok: true } : null;
  }, seq, { timeout: 120_000, polling: 50 })).jsonValue();
  if (!r.ok) throw new Error(`page shows an error: ${r.text}`);
}

const shownColumns = (page) => page.$$eval('#member-head th[data-column]', (ths) => ths.map((th) => th.dataset.column));
const visible = (page, sel) => page.$eval(sel, (e) => !e.hidden && !e.closest('[hidden]'));
const reportJson = async (page) => JSON.parse((await h.download(page, '#report-json')).bytes.toString('utf8'));

/**
 * The two reports agree: every key and value, numbers to 1e-9 relative (the page runs the same
 * Rust compiled to Wasm, whose libm may differ in the last bits), the generator line apart.
 */
function assertSameReport(page, cli, where = 'report') {
  const walk = (a, b, at) => {
    if (typeof a === 'number' && typeof b === 'number') {
      assert.ok(Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b)), `${at}: page ${a}, CLI ${b}`);
      return;
    }
    if (a && b && typeof a === 'object' && typeof b === 'object') {
      assert.equal(Array.isArray(a), Array.isArray(b), `${at}: array and object`);
      const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
      for (const k of keys) {
        if (at === where && k === 'generator') continue;
        assert.ok(k in a && k in b, `${at}.${k}: only in the ${k in a ? 'page' : 'CLI'}'s report`);
        walk(a[k], b[k], `${at}.${k}`);
      }
      return;
    }
    assert.deepEqual(a, b, at);
  };
  walk(page, cli, where);
}

test('the results are drawn before the forecasts, which then fill in their section and columns; both reports are the CLI\'s', async () => {
  const { browser, page, requests, errors } = await open();
  try {
    await page.setInputFiles('#file-input', FILES);
    await waitForResults(page, 1);
    // The forecasts are held: everything else is on the page, the forecast section says it is computing.
    await page.waitForFunction(() => window.__holds === 1);
    assert.equal(await page.evaluate(() => document.body.dataset.forecastState), 'computing');
    assert.ok(await visible(page, '#rfm-panel'), 'the RFM section is shown');
    const segments = await h.readSegments(page);
    const tiers = await h.readTiers(page);
    assert.ok(Object.values(segments).reduce((a, b) => a + b, 0) > 0, 'segments are drawn');
    assert.ok(Object.values(tiers).reduce((a, b) => a + b, 0) > 0, 'tiers are drawn');
    assert.ok(await visible(page, '#forecast-panel'), 'the forecast section is there');
    assert.ok(await visible(page, '#forecast-status'), 'and says it is computing');
    assert.ok(await page.$('#forecast-status progress'), 'with its own progress bar');
    assert.equal(await visible(page, '#forecast-body'), false, 'no forecast figure yet');
    assert.match(await page.textContent('#forecast-status'), /预测/);
    const before = await shownColumns(page);
    assert.ok(before.includes('segment') && before.includes('dormancy'), 'the member table is drawn');
    for (const c of FORECAST_COLUMNS) assert.ok(!before.includes(c), `no ${c} column before the forecasts`);
    assert.equal(await page.evaluate(() => document.body.dataset.reportSeq ?? ''), '', 'the report is not complete');
    // What is shown now is the analysis without forecasts.
    const noForecast = cliReport(FILES, ['--no-forecast']);
    assertSameReport(await reportJson(page), noForecast);
    assert.deepEqual(segments, Object.fromEntries(Object.entries(noForecast.rfm.segments).map(([k, v]) => [k, v.members])));

    // Let the forecasts go: they fill in the section and the member table's columns.
    await page.evaluate(() => window.__release());
    await h.waitForReport(page, 0);
    assert.equal(await page.evaluate(() => document.body.dataset.forecastState), 'done');
    assert.ok(await visible(page, '#forecast-body'), 'the forecast figures are shown');
    assert.equal(await visible(page, '#forecast-status'), false);
    const afterCols = await shownColumns(page);
    for (const c of FORECAST_COLUMNS) assert.ok(afterCols.includes(c), `the ${c} column comes with the forecasts`);
    const clvCells = await page.$$eval('#member-table td[data-column="clv"], #member-rows td[data-column="clv"]', (tds) => tds.length);
    assert.ok(clvCells > 0 || (await page.$$('#top-clv [data-top-clv]')).length > 0, 'forecast values are shown');
    // The report is the one analysis with forecasts gives, exactly (the JSON export).
    assertSameReport(await reportJson(page), cliReport(FILES));
    assert.equal(await page.evaluate(() => window.__holds), 1, 'one forecast run');
    // First results came once, from the analysis without forecasts; the forecasts' call sent none.
    assert.equal(await page.evaluate(() => performance.getEntriesByName('ml:main:receive').filter((e) => e.detail?.type === 'results').length), 1);
    assert.deepEqual(h.foreignRequests(requests, site.url), []);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});

/** The charts of the first results' sections (RFM, tiers and lifecycle, sources). */
const FIRST_CHARTS = ['chart-segments', 'chart-revenue', 'chart-heatmap', 'chart-dormancy', 'chart-lifecycle', 'chart-sources'];

test('the first results (inventory, RFM, tiers, lifecycle) are drawn while tags, actions, growth and the member table are made, which then fill in', async () => {
  const { browser, page, errors } = await open('?forecast=off');
  try {
    // What the page shows at the moment it says the first results are drawn (the observer runs
    // before the engine's next message is handled).
    await page.evaluate((FIRST_CHARTS) => {
      new MutationObserver((_, obs) => {
        if (!document.body.dataset.firstSeq) return;
        obs.disconnect();
        const read = (sel, key) => Object.fromEntries([...document.querySelectorAll(sel)].map((tr) => [tr.dataset[key], Number(tr.dataset.members)]));
        window.__first = {
          resultsSeq: document.body.dataset.resultsSeq ?? '',
          pending: [...document.querySelectorAll('[data-pending]')].map((e) => e.id),
          busy: [...document.querySelectorAll('[aria-busy="true"]')].map((e) => e.id),
          pendingText: document.getElementById('growth').dataset.pending,
          lazy: document.getElementById('results').hasAttribute('data-lazy-layout'),
          segments: read('tr[data-segment]', 'segment'),
          tiers: read('tr[data-tier]', 'tier'),
          inventory: document.getElementById('inventory-panel').textContent.length,
          // The first results' charts: drawn (a canvas in) or put off, and where each is.
          charts: FIRST_CHARTS.map((id) => {
            const e = document.getElementById(id);
            return { id, drawn: Boolean(e.querySelector('canvas')), top: e.getBoundingClientRect().top };
          }),
          viewHeight: window.innerHeight,
        };
      }).observe(document.body, { attributes: true, attributeFilter: ['data-first-seq'] });
    }, FIRST_CHARTS);
    await page.setInputFiles('#file-input', FILES);
    await waitForResults(page, 1);
    const first = await page.evaluate(() => window.__first);
    assert.ok(first, 'the first results were signalled');
    assert.equal(first.resultsSeq, '', 'before the rest of the results');
    assert.deepEqual(first.pending.sort(), ['actions-panel', 'growth', 'members-panel', 'tags-panel']);
    assert.deepEqual(first.busy.sort(), first.pending);
    assert.match(first.pendingText, /计算/);
    assert.ok(first.lazy, 'the first results lay out far sections when needed');
    const cli = cliReport(FILES, ['--no-forecast']);
    assert.deepEqual(first.segments, Object.fromEntries(Object.entries(cli.rfm.segments).map(([k, v]) => [k, v.members])));
    assert.deepEqual(first.tiers, cli.dormancy.buyers);
    assert.ok(first.inventory > 0, 'the inventory is drawn');
    // The charts within two screens of the view are drawn with the first results, those further
    // down when the page is idle; every one is drawn at its element's size once the rest is in.
    for (const c of first.charts) {
      if (c.top < 2 * first.viewHeight) assert.ok(c.drawn, `${c.id} (at ${c.top} px) is drawn with the first results`);
    }
    assert.ok(first.charts.some((c) => !c.drawn), 'a chart far below is drawn later');
    const drawn = await page.evaluate((ids) => ids.map((id) => {
      const e = document.getElementById(id);
      const canvas = e.querySelector('canvas');
      return { id, width: e.clientWidth, canvas: canvas ? canvas.getBoundingClientRect().width : 0 };
    }), FIRST_CHARTS);
    for (const c of drawn) {
      assert.ok(c.width > 0 && Math.abs(c.canvas - c.width) <= 1, `${c.id}: canvas ${c.canvas} px in ${c.width} px`);
    }
    // Then everything is in, nothing says it is pending, and the report is the CLI's.
    assert.equal(await page.$$eval('[data-pending], [aria-busy="true"]', (es) => es.length), 0);
    // and the sections are laid out at once again (no section changes size as it is scrolled to).
    assert.equal(await page.$$eval('[data-lazy-layout]', (es) => es.length), 0);
    assert.ok(await visible(page, '#growth'), 'the growth sections are shown');
    assert.ok(await page.locator('#member-rows tr').count() > 0, 'the member table is drawn');
    assertSameReport(await reportJson(page), cli);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});

test('an analysis cancelled after its first results leaves the page as it was, nothing left pending', async () => {
  const { browser, page, errors } = await open('?forecast=off');
  try {
    await page.setInputFiles('#file-input', FILES[1]);
    await waitForResults(page, 1);
    const metrics = await h.readMetrics(page);
    const segments = await h.readSegments(page);
    // The next analysis is cancelled the moment its first results are drawn.
    await page.evaluate(() => {
      new MutationObserver((_, obs) => {
        if (document.body.dataset.firstSeq !== '2') return;
        obs.disconnect();
        window.__pendingAtCancel = document.querySelectorAll('[data-pending]').length;
        document.getElementById('cancel-button').click();
      }).observe(document.body, { attributes: true, attributeFilter: ['data-first-seq'] });
    });
    await page.setInputFiles('#file-input', FILES[2]);
    await page.waitForFunction(() => !document.getElementById('status-panel').hidden && document.body.dataset.state === 'ready', null, { timeout: 120_000 });
    assert.ok(await page.evaluate(() => window.__pendingAtCancel) > 0, 'cancelled while the rest was pending');
    assert.equal(await page.evaluate(() => document.body.dataset.resultsSeq), '1', 'the cancelled analysis drew no whole results');
    assert.match(await page.textContent('#status-text'), /已取消/);
    assert.equal(await page.$$eval('[data-pending], [aria-busy="true"], [data-lazy-layout]', (es) => es.length), 0);
    assert.deepEqual(await h.readMetrics(page), metrics, 'the figures shown before');
    assert.deepEqual(await h.readSegments(page), segments);
    assert.ok(await visible(page, '#growth'), 'the growth sections are back');
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});

test('?forecast=off and the toggle leave the forecasts out without running the fit; on again brings them', async () => {
  const { browser, page, errors } = await open('?forecast=off');
  try {
    assert.equal(await page.isChecked('#forecast-toggle'), false, '?forecast=off unchecks the toggle');
    await h.upload(page, FILES);
    assert.equal(await page.evaluate(() => window.__holds), 0, 'no forecast run started');
    assert.equal(await page.evaluate(() => document.body.dataset.forecastState), 'off');
    assert.equal(await visible(page, '#forecast-panel'), false, 'no forecast section');
    for (const c of FORECAST_COLUMNS) assert.ok(!(await shownColumns(page)).includes(c), `no ${c} column`);
    const off = await reportJson(page);
    assert.equal(off.forecast, null);
    assert.ok(!off.notices.some((n) => n.code === 'forecast_not_computed'), 'not a failed fit: none was asked for');
    assertSameReport(off, cliReport(FILES, ['--no-forecast']));

    // On: the forecasts of the results shown are computed (the hold counts the run).
    const seq = await h.reportSeq(page);
    await page.check('#forecast-toggle');
    await page.waitForFunction(() => window.__holds === 1);
    assert.equal(await page.evaluate(() => document.body.dataset.forecastState), 'computing');
    await page.evaluate(() => window.__release());
    await h.waitForReport(page, seq);
    assert.ok(await visible(page, '#forecast-body'));
    for (const c of FORECAST_COLUMNS) assert.ok((await shownColumns(page)).includes(c), `the ${c} column is back`);
    assert.notEqual((await reportJson(page)).forecast, null);

    // Off again: section and columns go, the report has no forecast, no run starts.
    const seq2 = await h.reportSeq(page);
    await page.uncheck('#forecast-toggle');
    await h.waitForReport(page, seq2);
    assert.equal(await visible(page, '#forecast-panel'), false);
    for (const c of FORECAST_COLUMNS) assert.ok(!(await shownColumns(page)).includes(c), `${c} gone again`);
    assert.equal((await reportJson(page)).forecast, null);
    assert.equal(await page.evaluate(() => window.__holds), 1, 'no further forecast run');
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});

/**
 * A large-ish orders export (about 12 MB): exact duplicate lines far apart, item lines of one
 * order, quoted notes holding delimiters and newlines, unreadable and year-last dates (read
 * only once the date order is chosen), empty keys.
 */
function bigOrders(rows) {
  const lines = ['订单号,下单时间,手机号,实付金额,备注'];
  let s = 12345;
  const rnd = () => { s = (s * 1103515245 + 12345) % 2147483648; return s / 2147483648; };
  const kept = [];
  for (let i = 0; i < rows; i++) {
    const y = 2021 + (i % 3);
    const m = 1 + (i % 12);
    const d = 1 + (i % 28);
    const date = i % 97 === 0 ? 'not-a-date'
      : i % 41 === 0 ? `${String(d).padStart(2, '0')}/${String(m).padStart(2, '0')}/${y}` // year last
        : `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')} 10:${String(i % 60).padStart(2, '0')}:00`;
    const phone = i % 211 === 0 ? '' : `139${String(Math.floor(rnd() * 40_000)).padStart(8, '0')}`;
    const note = i % 17 === 0 ? '"line one\nline two, ""quoted"""' : i % 5 === 0 ? '"a, b"' : '';
    const oid = i % 3 === 2 ? `P${i - 1}` : `P${i}`; // some item lines share an order
    const line = `${oid},${date},${phone},${(10 + (i % 500) + 0.25).toFixed(2)},${note}`;
    lines.push(line);
    if (i % 1000 === 0) kept.push(line);
    if (i % 997 === 0 && kept.length > 3) lines.push(kept[kept.length - 3]); // an exact duplicate, far away
  }
  return `${lines.join('\n')}\n`;
}

test('a large file streamed into the worker gives the CLI\'s counts and line numbers, and is read again from the File with other options', async () => {
  const file = path.join(tmp, 'big_orders.csv');
  writeFileSync(file, bigOrders(220_000));
  const { browser, page, errors } = await open('?forecast=off');
  try {
    await h.upload(page, [file], 300_000);
    const cli = cliReport([file], ['--no-forecast']);
    const shown = await reportJson(page);
    const counts = (r) => r.files.map(({ name, rows, accepted, duplicate_rows, rejected_rows, reject_reasons }) => ({ name, rows, accepted, duplicate_rows, rejected_rows, reject_reasons }));
    assert.deepEqual(counts(shown), counts(cli));
    assert.ok(cli.files[0].duplicate_rows > 100 && cli.files[0].rejected_rows > 1000, 'the file has duplicates and bad rows');
    assert.deepEqual(shown.warnings.map((w) => [w.line, w.code]), cli.warnings.map((w) => [w.line, w.code]), 'the same warnings at the same lines');
    assertSameReport(shown, cli);

    // Another date order: the worker reads the File again (its bytes were not kept).
    const seq = await h.reportSeq(page);
    const card = page.locator('.file-card[data-file="big_orders.csv"]');
    if (/\bfolded\b/.test(await card.getAttribute('class') ?? '')) await card.locator('button.file-toggle').click();
    await page.selectOption('select.file-date-order', 'dmy');
    await h.waitForReport(page, seq, 300_000);
    const dmy = cliReport([file], ['--no-forecast', '--date-order', 'dmy']);
    const reread = await reportJson(page);
    assert.deepEqual(counts(reread), counts(dmy));
    assert.ok(dmy.files[0].accepted > cli.files[0].accepted, 'the year-last dates are read now');
    assertSameReport(reread, dmy);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});

test('a file that cannot be read shows its first rows, read again from the File', async () => {
  const file = path.join(tmp, 'unknown.csv');
  // Nothing tells its kind: the page asks, showing the first rows.
  writeFileSync(file, 'a,b,c\n1,2,3\n4,5,6\n');
  const { browser, page, errors } = await open('?forecast=off');
  try {
    await page.setInputFiles('#file-input', [file]);
    await page.waitForSelector('.file-card.file-failed');
    const text = await page.textContent('.file-card.file-failed');
    assert.ok(text.includes('4') && text.includes('6'), 'the first rows are shown');
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});

test('the first results\' charts put off until the page is idle are drawn even when the results are hidden meanwhile (a portal\'s tab)', async () => {
  const { browser, page, errors } = await open('?forecast=off');
  try {
    // The results are hidden the moment the first results are drawn, and shown again once the
    // rest is in: the charts put off meet an idle page with their elements not shown.
    await page.evaluate(() => {
      new MutationObserver((_, obs) => {
        if (!document.body.dataset.firstSeq) return;
        obs.disconnect();
        document.getElementById('results').style.display = 'none';
      }).observe(document.body, { attributes: true, attributeFilter: ['data-first-seq'] });
    });
    // Large enough that the rest takes a while, and the page is idle meanwhile.
    const file = path.join(tmp, 'idle_orders.csv');
    writeFileSync(file, bigOrders(220_000));
    await page.setInputFiles('#file-input', file);
    await waitForResults(page, 1);
    await page.evaluate(() => {
      document.getElementById('results').style.display = '';
      window.dispatchEvent(new Event('resize'));
    });
    // The page sizes its charts again 150 ms after a resize.
    await page.waitForFunction((ids) => ids.every((id) => {
      const e = document.getElementById(id);
      const canvas = e.querySelector('canvas');
      return canvas && e.clientWidth > 0 && Math.abs(canvas.getBoundingClientRect().width - e.clientWidth) <= 1;
    }), FIRST_CHARTS, { timeout: 10_000 });
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});

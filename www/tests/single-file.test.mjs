// Issue 14, item 5: the single-file build (www/dist-single/memberlens.html, made by
// build-single.mjs) opened from file:// in headless Chromium analyses the demo exports with no
// request at all besides the file itself, no CSP violation and no console error, exports the
// member list, and shows the same figures as the served page on the same demo.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import * as h from './helpers.mjs';

const SINGLE = path.join(h.wwwDir, 'dist-single', 'memberlens.html');
const DEMO = ['members.csv', 'online_orders.csv', 'pos_sales.csv'];

let site;
before(async () => { site = await h.siteUrl(); });
after(async () => { await site?.stop(); });

/** What the page shows after the demo: headline figures, segments, tiers, file rows, member count. */
async function demoFigures(page) {
  const seq = await h.reportSeq(page);
  await page.click('#demo-button');
  await h.waitForReport(page, seq);
  await page.waitForFunction(() => document.body.dataset.membersState !== 'loading' && document.getElementById('page-info')?.dataset.total, null, { timeout: 30_000, polling: 50 });
  return {
    metrics: await h.readMetrics(page),
    segments: await h.readSegments(page),
    tiers: await h.readTiers(page),
    files: await page.evaluate(() => Object.fromEntries([...document.querySelectorAll('.file-card')]
      .map((c) => [/** @type {HTMLElement} */ (c).dataset.file, Number(/** @type {HTMLElement | null} */ (c.querySelector('.file-rows'))?.dataset.value)]))),
    memberRows: Number(await page.locator('#page-info').getAttribute('data-total')),
    asOf: await page.locator('#as-of').inputValue(),
  };
}

test('the single file opens from file://, analyses the demo with zero requests, and matches the served page', async () => {
  assert.ok(existsSync(SINGLE), 'www/dist-single/memberlens.html is not built: run scripts/build_web.sh (or node www/build.mjs)');
  const fileUrl = pathToFileURL(SINGLE).href;
  const html = readFileSync(SINGLE, 'utf8');

  // The policy it carries: nothing may be fetched, only inline code it names by hash runs.
  const csp = html.match(/<meta http-equiv="Content-Security-Policy" content="([^"]*)">/)?.[1] ?? '';
  const directives = Object.fromEntries(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([k, ...v]) => [k, v]));
  assert.deepEqual(directives['default-src'], ["'none'"]);
  assert.deepEqual(directives['connect-src'], ["'none'"]);
  assert.ok(directives['script-src'].every((s) => /^'sha256-[A-Za-z0-9+/=]+'$/.test(s) || s === "'wasm-unsafe-eval'"), `script-src: ${directives['script-src']}`);
  assert.doesNotMatch(html, /<script[^>]*\bsrc=|<link[^>]*\bhref="(?!data:)/, 'no external script or stylesheet');

  const browser = await chromium.launch({ executablePath: h.CHROMIUM, args: h.CHROMIUM_ARGS });
  try {
    const context = await browser.newContext({ serviceWorkers: 'block', acceptDownloads: true, viewport: { width: 1360, height: 900 }, locale: 'zh-CN' });
    /** Every request of any kind, from the page or its worker. */
    const requests = [];
    context.on('request', (r) => requests.push(r.url()));
    context.on('requestfailed', (r) => requests.push(`failed: ${r.url()}`));
    await context.addInitScript(() => {
      const w = /** @type {any} */ (window);
      w.__cspViolations = [];
      document.addEventListener('securitypolicyviolation', (e) => {
        w.__cspViolations.push({ directive: e.violatedDirective, blocked: e.blockedURI });
      });
    });
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('console', (m) => { if (m.type() === 'error' || /Content Security Policy|Refused to/i.test(m.text())) errors.push(m.text()); });
    const workers = [];
    page.on('worker', (w) => workers.push(w.url()));

    await page.goto(fileUrl);
    await page.waitForFunction(() => ['empty', 'error', 'file'].includes(document.body.dataset.state ?? ''), null, { timeout: 60_000 });
    assert.equal(await page.evaluate(() => document.body.dataset.state), 'empty', `engine ready from file:// (${await page.locator('#error-text').textContent()})`);
    assert.ok(await page.locator('#served-note').isHidden(), 'no "serve this page" note in the single file');
    assert.equal(workers.length, 1, 'the engine runs in a worker');
    assert.ok(await page.locator('#engine-version').textContent(), 'the engine reports its version');

    const single = await demoFigures(page);

    // The demo's rows as the files have them (a plain count: one record a line after the header).
    for (const f of DEMO) {
      const lines = readFileSync(path.join(h.wwwDir, 'demo', f), 'utf8').split(/\r?\n/).filter((l) => l !== '');
      assert.equal(single.files[f], lines.length - 1, `${f}: rows read`);
    }
    assert.ok(single.metrics.members_total > 300 && single.metrics.buyers > 100, JSON.stringify(single.metrics));
    assert.equal(Object.values(single.segments).reduce((a, b) => a + b, 0), single.metrics.buyers, 'segments cover every buyer');

    // Exports work offline too: the member list as CSV, one row per member under the header.
    const csv = await h.download(page, '#export-csv');
    const rows = h.parseCsv(csv.bytes.toString('utf8').replace(/^\uFEFF/, '')).filter((r) => r.some((c) => c !== ''));
    assert.equal(rows.length - 1, single.memberRows, `${csv.name}: one row per member`);

    assert.deepEqual(requests, [fileUrl], 'the file itself is the only request');
    assert.deepEqual(await page.evaluate(() => /** @type {any} */ (window).__cspViolations), [], 'no CSP violation');
    assert.deepEqual(errors, [], 'no console error');

    // The policy is in force from file://: a fetch from the page is refused before any request.
    const refused = await page.evaluate(() => fetch('https://example.com/x').then(() => 'sent', (e) => `refused: ${e}`));
    assert.match(refused, /^refused/);
    assert.deepEqual(await page.evaluate(() => /** @type {any} */ (window).__cspViolations.map((v) => v.directive)), ['connect-src']);
    assert.deepEqual(requests, [fileUrl], 'still no request');

    // The served page on the same demo shows the same figures.
    const served = await h.openPage(site.url);
    try {
      const figures = await demoFigures(served.page);
      assert.deepEqual(single, figures);
    } finally {
      await served.browser.close();
    }
  } finally {
    await browser.close();
  }
});

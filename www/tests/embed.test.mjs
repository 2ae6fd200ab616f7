// <member-lens> inside the example admin portal (www/examples/portal.html, built to
// dist/examples/): it analyses the shared fixtures handed over through its JS API, emits
// ml-report with the report truth.json describes, exports through the API (ml-export), is themed
// by the portal's --ml-* properties and ::part(), and leaks no style in either direction. The
// headless createAnalyzer runs in the same page. Nothing leaves localhost, no CSP violation.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as h from './helpers.mjs';
import { withAny, csvObjects, countBy } from './embed-helpers.mjs';
import { en } from '../src/i18n/en.js';
import { zh } from '../src/i18n/zh.js';

const truth = JSON.parse(readFileSync(path.join(h.fixturesDir, 'truth.json'), 'utf8'));
const fx = (name) => path.join(h.fixturesDir, name);
const TRIO = ['members.csv', 'online_orders_gbk.csv', 'pos_sales.csv'];

let site;
before(async () => { site = await h.siteUrl(); });
after(async () => { await site?.stop(); });

/** Records the element's events in window.__events (type and a summary of the detail). */
async function recordEvents(page) {
  await page.evaluate(() => {
    window.__events = [];
    const lens = document.getElementById('lens');
    for (const type of ['ml-progress', 'ml-report', 'ml-error', 'ml-export']) {
      lens.addEventListener(type, (ev) => {
        const d = ev.detail;
        window.__events.push({ type, seq: d?.seq, members: d?.report?.inventory?.members_total, code: d?.code, name: d?.name, size: d?.bytes?.length, done: d?.done, total: d?.total });
      });
    }
  });
}

const events = (page, type) => page.evaluate((t) => window.__events.filter((e) => e.type === t), type);

/** The computed value of `prop` on the first match of `selector` inside the element's shadow root. */
const inner = (page, selector, prop) => page.evaluate(([s, p]) => {
  const node = document.getElementById('lens').shadowRoot.querySelector(s);
  return node ? getComputedStyle(node).getPropertyValue(p) : null;
}, [selector, prop]);
const outer = (page, selector, prop) => page.evaluate(([s, p]) => getComputedStyle(document.querySelector(s)).getPropertyValue(p), [selector, prop]);

function assertInventory(inv, t, what) {
  for (const k of ['members_total', 'buyers', 'non_buyers', 'purchase_orders']) assert.equal(inv[k], t[k], `${what}: ${k}`);
  assert.ok(Math.abs(inv.revenue - t.revenue) <= 0.01, `${what}: revenue ${inv.revenue} vs ${t.revenue}`);
}

test('portal: the element analyses the fixtures, emits ml-report, exports through the API, is themed and leaks no style', () => withAny(`${site.url}examples/portal.html`, async ({ page }) => {
  await page.waitForFunction(() => document.getElementById('lens')?.shadowRoot?.querySelector('.ml-body'));
  await page.evaluate(() => document.getElementById('lens').ready);
  await recordEvents(page);

  // The portal's styles before anything was analysed; they must be the same at the end.
  const portalSelectors = [['.portal-side h2', 'color'], ['.portal-side h2', 'font-size'], ['.portal-side h2', 'text-transform'],
    ['body', 'font-family'], ['body', 'background-color'], ['#portal-export', 'border-radius'], ['#portal-export', 'background-color'],
    ['.portal-card', 'padding-left'], ['.portal-nav a', 'color']];
  const portalBefore = [];
  for (const [s, p] of portalSelectors) portalBefore.push(await outer(page, s, p));

  // The portal hands the files to the element's loadFiles() (its own file input).
  await page.setInputFiles('#portal-files', TRIO.map(fx));
  await page.waitForFunction(() => window.__events.some((e) => e.type === 'ml-report'), null, { timeout: 120_000 });
  const reports = await events(page, 'ml-report');
  assert.equal(reports.length, 1, 'one ml-report for one loadFiles');
  assert.equal(reports[0].seq, 1);
  const t = truth.omnichannel;
  assert.equal(reports[0].members, t.members_total, 'ml-report detail carries the report');
  const progress = await events(page, 'ml-progress');
  assert.ok(progress.length >= TRIO.length, 'ml-progress while reading');
  assert.ok(progress.every((p) => p.total > 0 && p.done <= p.total), 'progress says done of total');
  assert.deepEqual(await events(page, 'ml-error'), [], 'no ml-error');

  // report() is the same report; the element's own UI shows its figures inside the shadow root.
  const inv = await page.evaluate(async () => (await document.getElementById('lens').report()).inventory);
  assertInventory(inv, t, 'report()');
  const shown = await page.evaluate(() => Object.fromEntries([...document.getElementById('lens').shadowRoot.querySelectorAll('[data-metric]')]
    .map((e) => [e.dataset.metric, Number(e.dataset.value)])));
  assert.equal(shown.members_total, t.members_total, 'the shadow UI shows the member count');
  assert.equal(shown.buyers, t.buyers, 'the shadow UI shows the buyers');
  assert.equal(await page.textContent('#kpi-members'), t.members_total.toLocaleString('en-US'), 'the portal listened to ml-report');
  assert.equal(await page.evaluate(() => document.querySelector('[data-metric]')), null, 'nothing of the UI is in the portal\'s DOM');

  // members(): a page of the table; exportMembers(): the whole list, also sent as ml-export.
  const page5 = await page.evaluate(() => document.getElementById('lens').members({ segment: 'important_value', limit: 5 }));
  assert.equal(page5.total, t.rfm.segments.important_value, 'members() filters by segment');
  assert.equal(page5.rows.length, 5);
  assert.ok(page5.rows.every((r) => r.segment === 'important_value'));
  const bytes = await page.evaluate(async () => Array.from(await document.getElementById('lens').exportMembers({}, 'csv')));
  const rows = csvObjects(bytes);
  assert.equal(rows.length, t.members_total, 'the export lists every member');
  assert.deepEqual(countBy(rows, 'segment'), t.rfm.segments, 'the exported segments count as truth.json says');
  const xlsx = await page.evaluate(async () => Array.from(await document.getElementById('lens').exportMembers({ segment: 'general_keep' }, 'xlsx')));
  assert.equal(h.readXlsx(xlsx).length - 1, t.rfm.segments.general_keep, 'an XLSX export of one segment');
  const exports = await events(page, 'ml-export');
  assert.deepEqual(exports.map((e) => [e.name, e.size]), [['members.csv', bytes.length], ['members.xlsx', xlsx.length]], 'ml-export for each export');

  // Themed: the portal's --ml-accent colours the element's buttons, --ml-font its text, ::part() its panels.
  assert.equal(await inner(page, '.dropzone label.btn', 'background-color'), 'rgb(123, 63, 228)', '--ml-accent reaches the primary button');
  assert.equal(await inner(page, '#reanalyze', 'color'), 'rgb(123, 63, 228)', '--ml-accent reaches a secondary button');
  assert.equal(await inner(page, '#section-menu a', 'color'), 'rgb(123, 63, 228)', '--ml-accent reaches the links the page colours with the accent written out');
  assert.match(await inner(page, '.ml-body', 'font-family'), /^"Helvetica Neue"/, '--ml-font is the element\'s font');
  assert.equal(await inner(page, '#inventory-panel', 'border-top-color'), 'rgb(221, 214, 200)', '::part(panel) styles the panels');
  assert.equal(await inner(page, '#inventory-panel', 'border-top-left-radius'), '4px', '--ml-radius');

  // No style leaks in: the portal's h2, button and letter-spacing rules stop at the shadow boundary.
  assert.equal(await inner(page, '#inventory-panel h2', 'color'), 'rgb(29, 36, 48)', 'the element\'s h2 keeps its own colour');
  assert.equal(await inner(page, '#inventory-panel h2', 'text-transform'), 'none');
  assert.equal(await inner(page, '#inventory-panel h2', 'font-size'), '17px');
  assert.equal(await inner(page, '#reanalyze', 'border-top-left-radius'), '8px', 'the portal\'s square buttons stay outside');
  // ... and none leaks out: the portal looks as portal.css says, before and after.
  const portalAfter = [];
  for (const [s, p] of portalSelectors) portalAfter.push(await outer(page, s, p));
  assert.deepEqual(portalAfter, portalBefore, 'the portal\'s computed styles did not change');
  assert.equal(portalAfter[0], 'rgb(180, 35, 42)', 'portal h2 colour as portal.css says');
  assert.equal(portalAfter[1], '15px', 'portal h2 size as portal.css says (styles.css would make it 17px)');
  assert.match(portalAfter[3], /^Georgia/, 'the portal keeps its font');
  assert.equal(portalAfter[5], '0px', 'the portal keeps its square buttons');

  // The element sizes to its panel and scrolls inside it.
  const box = await page.evaluate(() => {
    const lens = document.getElementById('lens');
    const panel = lens.parentElement;
    return { lens: [lens.clientWidth, lens.clientHeight, lens.scrollHeight], panel: [panel.clientWidth, panel.clientHeight] };
  });
  assert.deepEqual(box.lens.slice(0, 2), box.panel, 'the element fills its container');
  assert.ok(box.lens[2] > box.lens[1], 'its content scrolls inside it');

  // lang and sections attributes; the portal's title and language are left alone.
  await page.selectOption('#portal-lang', 'en');
  assert.equal(await page.evaluate(() => document.getElementById('lens').shadowRoot.querySelector('#input-panel h2').textContent), en['input.title']);
  assert.equal(await page.title(), 'Example admin portal · MemberLens embedded');
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'zh-CN');
  await page.selectOption('#portal-sections', 'files,inventory,rfm,members');
  assert.equal(await inner(page, '#forecast-panel', 'display'), 'none', 'a section left out is hidden');
  assert.equal(await inner(page, '#tags-panel', 'display'), 'none');
  assert.notEqual(await inner(page, '#rfm-panel', 'display'), 'none', 'a section named is shown');
  assert.equal(await inner(page, '#section-menu li:has(a[href="#tags-panel"])', 'display'), 'none', 'the menu follows the sections');

  // setOptions through the API: another as-of date gives another report (with its ml-report).
  const before = (await events(page, 'ml-report')).length;
  const asOf = await page.evaluate(async () => (await document.getElementById('lens').setOptions({ as_of: '2024-03-31' })).as_of);
  assert.equal(asOf, '2024-03-31');
  assert.equal((await events(page, 'ml-report')).length, before + 1);
  assert.equal(await page.evaluate(() => document.getElementById('lens').shadowRoot.getElementById('as-of').value), '2024-03-31', 'the UI shows the option the API set');
  const off = await page.evaluate(async () => {
    const lens = document.getElementById('lens');
    const r = await lens.setOptions({ forecast: { enabled: false } });
    return { forecast: r.forecast, toggle: lens.shadowRoot.getElementById('forecast-toggle').checked, asOf: r.as_of };
  });
  assert.deepEqual(off, { forecast: null, toggle: false, asOf: '2024-03-31' }, 'forecasts turned off through the API (the other options kept)');

  // dispose(): the worker goes, calls reject with `disposed`, and another element can mount.
  const after = await page.evaluate(async () => {
    const lens = document.getElementById('lens');
    lens.dispose();
    const code = await lens.report().then(() => 'resolved', (e) => e.code);
    const empty = lens.shadowRoot.childNodes.length;
    const next = document.createElement('member-lens');
    next.setAttribute('lang', 'zh');
    document.querySelector('.portal-panel').append(next);
    await next.ready;
    const errors = [];
    next.addEventListener('ml-error', (ev) => errors.push(ev.detail.code));
    const early = await next.members().then(() => 'resolved', (e) => e.code);
    return { code, empty, mounted: Boolean(next.shadowRoot.querySelector('#input-panel')), title: next.shadowRoot.querySelector('#input-panel h2').textContent, early, errors };
  });
  assert.deepEqual(after, { code: 'disposed', empty: 0, mounted: true, title: zh['input.title'], early: 'no_analysis', errors: ['no_analysis'] },
    'a disposed element rejects; a new one mounts, and asked for members before any file says why (ml-error too)');
}));

test('portal page: the headless createAnalyzer reads bytes (loadBytes) and matches truth.json for each export alone', () => withAny(`${site.url}examples/portal.html`, async ({ page }) => {
  for (const [file, key] of [['pos_sales.csv', 'pos'], ['shop_orders_en.csv', 'shop']]) {
    const bytes = [...readFileSync(fx(file))];
    const got = await page.evaluate(async ([name, data]) => {
      const { createAnalyzer } = await import('../embed/index.js');
      const a = createAnalyzer();
      const seen = [];
      a.addEventListener('ml-report', (ev) => seen.push(ev.detail.seq));
      const report = await a.loadBytes(name, new Uint8Array(data));
      const page1 = await a.members({ limit: 3, sort: 'monetary', desc: true });
      const csv = Array.from(await a.exportMembers({}, 'csv'));
      a.dispose();
      const late = await a.report().then(() => 'resolved', (e) => e.code);
      return { inv: report.inventory, segments: Object.fromEntries(Object.entries(report.rfm.segments).map(([k, v]) => [k, v.members])), seen, page1, csv, late };
    }, [file, bytes]);
    const t = truth[key];
    assertInventory(got.inv, t, `${key} (headless)`);
    assert.deepEqual(got.seen, [1], 'one ml-report');
    assert.equal(got.page1.total, t.members_total);
    const m = got.page1.rows.map((r) => r.monetary);
    assert.deepEqual(m, [...m].sort((x, y) => y - x), 'members() sorts');
    assert.deepEqual(countBy(csvObjects(got.csv), 'segment'), t.rfm.segments, 'exported segments');
    assert.equal(got.late, 'disposed');
  }
}));

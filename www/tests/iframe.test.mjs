// The iframe protocol (dist/embed/frame.html): a portal on another origin (a second local
// server, its own CSP) frames MemberLens twice: frame A lists the portal's origin in `origins`,
// frame B lists another. A's requests round-trip (load, setOptions, report, members, export),
// A reports its content height (resize); B answers nothing and tells the portal nothing.
// Nothing leaves localhost, no CSP violation in any frame.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as h from './helpers.mjs';
import { withAny, csvObjects, countBy } from './embed-helpers.mjs';

const truth = JSON.parse(readFileSync(path.join(h.fixturesDir, 'truth.json'), 'utf8'));
const TRIO = ['members.csv', 'online_orders_gbk.csv', 'pos_sales.csv'];

// The portal: a page that frames MemberLens and keeps every message it gets, by frame.
const HOST_HTML = `<!doctype html><html><head><meta charset="utf-8"><title>portal</title>
<link rel="icon" href="data:,"><script type="module" src="host.js"></script></head><body><h1>Portal</h1></body></html>`;
const HOST_JS = `
const ml = new URLSearchParams(location.search).get('ml');
window.__msgs = [];
const frames = {};
for (const [name, origins] of [['A', location.origin], ['B', 'http://127.0.0.1:1']]) {
  const f = document.createElement('iframe');
  f.title = 'MemberLens ' + name;
  f.src = ml + 'embed/frame.html?lang=en&origins=' + encodeURIComponent(origins);
  f.width = '1000';
  f.style.border = '0';
  document.body.append(f);
  frames[name] = f;
}
window.addEventListener('message', (ev) => {
  const frame = Object.keys(frames).find((k) => frames[k].contentWindow === ev.source) ?? '?';
  const d = ev.data;
  // Bytes stay out of the log (kept apart), so the test can read the log cheaply.
  if (d && d.bytes) { window.__bytes = Array.from(d.bytes); window.__msgs.push({ frame, origin: ev.origin, ...d, bytes: d.bytes.length }); }
  else window.__msgs.push({ frame, origin: ev.origin, data: d });
  if (frame !== '?' && d && d.type === 'resize') frames[frame].style.height = d.height + 'px';
});
window.send = (name, msg) => frames[name].contentWindow.postMessage(msg, new URL(ml).origin);
`;

let site;
let portal;
let portalUrl;
before(async () => {
  site = await h.siteUrl();
  const mlOrigin = new URL(site.url).origin;
  portal = http.createServer((req, res) => {
    const csp = `default-src 'none'; script-src 'self'; frame-src ${mlOrigin}; style-src 'self'; img-src data:`;
    const { pathname } = new URL(req.url, 'http://x');
    if (pathname === '/host.html') { res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Security-Policy': csp }); res.end(HOST_HTML); }
    else if (pathname === '/host.js') { res.writeHead(200, { 'Content-Type': 'text/javascript', 'Content-Security-Policy': csp }); res.end(HOST_JS); }
    else { res.writeHead(404); res.end(); }
  });
  await new Promise((resolve) => portal.listen(0, '127.0.0.1', resolve));
  portalUrl = `http://127.0.0.1:${portal.address().port}/host.html?ml=${encodeURIComponent(site.url)}`;
});
after(async () => { portal?.close(); await site?.stop(); });

/** Waits for a message from `frame` matching `pred` (given the log entry) and returns it. */
async function waitMsg(page, frame, type, id, timeout = 120_000) {
  const handle = await page.waitForFunction(([f, t, i]) => window.__msgs.find((m) => m.frame === f
    && (m.data ? m.data.type === t && (i === null || m.data.id === i) : m.type === t && (i === null || m.id === i))), [frame, type, id], { timeout, polling: 50 });
  return handle.jsonValue();
}

test('iframe protocol: an allowed portal loads files, sets options, asks for the report, members and an export, and gets the height; another origin is ignored', () => withAny(portalUrl, async ({ page }) => {
  await waitMsg(page, 'A', 'ready', null, 60_000);
  const t = truth.omnichannel;
  const files = TRIO.map((name) => ({ name, bytes: [...readFileSync(path.join(h.fixturesDir, name))] }));
  const heightBefore = (await page.evaluate(() => window.__msgs.filter((m) => m.frame === 'A' && m.data?.type === 'resize').at(-1)?.data.height)) ?? 0;

  await page.evaluate((fs) => window.send('A', { type: 'load', id: 1, files: fs.map((f) => ({ name: f.name, bytes: new Uint8Array(f.bytes) })) }), files);
  const loaded = await waitMsg(page, 'A', 'report', 1);
  assert.equal(loaded.origin, new URL(site.url).origin, 'the reply comes from MemberLens\' origin');
  assert.equal(loaded.data.source, 'memberlens');
  const inv = loaded.data.report.inventory;
  for (const k of ['members_total', 'buyers', 'non_buyers', 'purchase_orders']) assert.equal(inv[k], t[k], k);
  assert.ok(Math.abs(inv.revenue - t.revenue) <= 0.01, 'revenue');
  // Each new report is also pushed (without an id).
  assert.ok(await page.evaluate(() => window.__msgs.some((m) => m.frame === 'A' && m.data?.type === 'report' && m.data.id === undefined)), 'a report notice');

  // resize: the content grew; the height said is the frame document's, and the portal sized the iframe to it.
  await page.waitForFunction((h0) => {
    const r = window.__msgs.filter((m) => m.frame === 'A' && m.data?.type === 'resize').at(-1);
    return r && r.data.height > h0 + 1000;
  }, heightBefore, { timeout: 30_000 });
  await page.waitForTimeout(500);
  const said = await page.evaluate(() => window.__msgs.filter((m) => m.frame === 'A' && m.data?.type === 'resize').at(-1).data.height);
  const frameA = page.frames().find((f) => f.url().includes('embed/frame.html') && f.url().includes(encodeURIComponent(new URL(portalUrl).origin)));
  const actual = await frameA.evaluate(() => Math.ceil(document.documentElement.scrollHeight));
  assert.equal(said, actual, 'resize says the frame content\'s height');
  assert.equal(await page.evaluate(() => document.querySelector('iframe').getBoundingClientRect().height), said, 'the portal sized the frame');

  await page.evaluate(() => window.send('A', { type: 'setOptions', id: 2, options: { as_of: '2024-03-31' } }));
  assert.equal((await waitMsg(page, 'A', 'report', 2)).data.report.as_of, '2024-03-31', 'setOptions answers with the new report');
  await page.evaluate(() => window.send('A', { type: 'report', id: 3 }));
  assert.equal((await waitMsg(page, 'A', 'report', 3)).data.report.as_of, '2024-03-31', 'report answers with the latest report');
  await page.evaluate(() => window.send('A', { type: 'setOptions', id: 4, options: { as_of: '' } }));
  assert.equal((await waitMsg(page, 'A', 'report', 4)).data.report.as_of, t.as_of, 'an empty as_of goes back to the default');

  await page.evaluate(() => window.send('A', { type: 'members', id: 5, query: { segment: 'important_value', limit: 2 } }));
  const members = (await waitMsg(page, 'A', 'members', 5)).data.page;
  assert.equal(members.total, t.rfm.segments.important_value);
  assert.equal(members.rows.length, 2);
  await page.evaluate(() => window.send('A', { type: 'export', id: 6, format: 'csv' }));
  const exported = await waitMsg(page, 'A', 'export', 6);
  const rows = csvObjects(await page.evaluate(() => window.__bytes));
  assert.equal(exported.bytes, (await page.evaluate(() => window.__bytes.length)));
  assert.equal(rows.length, t.members_total, 'the export lists every member');
  assert.deepEqual(countBy(rows, 'segment'), t.rfm.segments);
  await page.evaluate(() => window.send('A', { type: 'nonsense', id: 7 }));
  assert.equal((await waitMsg(page, 'A', 'error', 7)).data.error.code, 'unknown_message', 'an unknown message is answered with an error');

  // Frame B does not list the portal's origin: it ignores the portal and never posts to it.
  await page.evaluate(() => window.send('B', { type: 'report', id: 8 }));
  const frameB = page.frames().find((f) => f.url().includes('embed/frame.html') && f.url().includes('127.0.0.1%3A1'));
  assert.ok(frameB, 'frame B is loaded');
  await frameB.waitForFunction(() => document.querySelector('member-lens')?.shadowRoot?.querySelector('.ml-body')?.dataset.state === 'empty', null, { timeout: 60_000 });
  await page.waitForTimeout(1500);
  assert.deepEqual(await page.evaluate(() => window.__msgs.filter((m) => m.frame !== 'A')), [], 'nothing reached the portal from frame B');
}));

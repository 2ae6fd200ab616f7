// Shared helpers for the browser tests: a served www/dist, a headless system Chromium
// (never a downloaded browser), and readers for the page's DOM contract.

import { spawn } from 'node:child_process';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { inflateRawSync } from 'node:zlib';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
export const wwwDir = path.resolve(here, '..');
export const repoDir = path.resolve(wwwDir, '..');
export const fixturesDir = process.env.MEMBERLENS_FIXTURES || path.resolve(repoDir, '../shared/fixtures');
export const localFixtures = path.join(here, 'fixtures');

export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--no-first-run'];

/** The served site: MEMBERLENS_URL (scripts/test.sh starts the server) or a server of our own on a free port. */
export async function siteUrl() {
  if (process.env.MEMBERLENS_URL) return { url: process.env.MEMBERLENS_URL.replace(/\/?$/, '/'), stop: async () => {} };
  if (!existsSync(path.join(wwwDir, 'dist', 'index.html'))) throw new Error('www/dist is not built: run scripts/build_web.sh');
  const child = spawn(process.execPath, [path.join(wwwDir, 'serve.mjs')], { env: { ...process.env, PORT: '0' }, stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/http:\/\/127\.0\.0\.1:\d+\//);
      if (m) resolve(m[0]);
    });
    child.on('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
  return { url, stop: async () => { child.kill('SIGTERM'); } };
}

/**
 * Launch Chromium and open the page. Records every request URL, dialogs, console errors and
 * page-level CSP violations (via an init script) so tests can assert on them.
 */
export async function openPage(url, { lang } = {}) {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  const context = await browser.newContext({ serviceWorkers: 'block', acceptDownloads: true, viewport: { width: 1360, height: 900 }, locale: lang === 'en' ? 'en-US' : 'zh-CN' });
  const requests = [];
  context.on('request', (req) => requests.push(req.url()));
  await context.addInitScript(() => {
    window.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__cspViolations.push({ directive: e.violatedDirective, blocked: e.blockedURI, sample: e.sample });
    });
  });
  const page = await context.newPage();
  const dialogs = [];
  page.on('dialog', (d) => { dialogs.push(d.message()); d.dismiss().catch(() => {}); });
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.goto(url + (lang ? `?lang=${lang}` : ''));
  await page.waitForFunction(() => document.body.dataset.state === 'empty', null, { timeout: 30_000 });
  return { browser, context, page, requests, dialogs, errors };
}

/** Wait until a new report has been rendered (or fail with the page's error text). */
export async function waitForReport(page, previousSeq, timeout = 120_000) {
  const handle = await page.waitForFunction((prev) => {
    const b = document.body;
    const seq = Number(b.dataset.reportSeq || 0);
    if (b.dataset.state === 'ready' && seq > prev) return { ok: true, seq };
    if (b.dataset.state === 'error') return { ok: false, text: document.getElementById('error-text').textContent + ' ' + document.getElementById('error-detail').textContent };
    return null;
  }, previousSeq, { timeout, polling: 50 });
  const r = await handle.jsonValue();
  if (!r.ok) throw new Error(`page shows an error: ${r.text}`);
  return r.seq;
}

export async function reportSeq(page) {
  return page.evaluate(() => Number(document.body.dataset.reportSeq || 0));
}

/** Upload files through the standard file input and wait for the report. */
export async function upload(page, paths, timeout) {
  const seq = await reportSeq(page);
  await page.setInputFiles('#file-input', paths);
  return waitForReport(page, seq, timeout);
}

export async function readMetrics(page) {
  return page.evaluate(() => Object.fromEntries([...document.querySelectorAll('[data-metric]')]
    .map((e) => [e.dataset.metric, e.dataset.value === '' ? null : Number(e.dataset.value)])));
}

export async function readSegments(page) {
  return page.evaluate(() => Object.fromEntries([...document.querySelectorAll('[data-segment]')]
    .map((e) => [e.dataset.segment, Number(e.dataset.members)])));
}

export async function readTiers(page) {
  return page.evaluate(() => Object.fromEntries([...document.querySelectorAll('[data-tier]')]
    .map((e) => [e.dataset.tier, Number(e.dataset.members)])));
}

/** Every recorded request must stay on the served origin (blob: URLs carry their creator's origin). */
export function foreignRequests(requests, url) {
  const origin = new URL(url).origin;
  return requests.filter((u) => {
    try { return new URL(u).origin !== origin; } catch { return true; }
  });
}

export async function cspViolations(page) {
  return page.evaluate(() => window.__cspViolations || []);
}

/** RFC 4180 CSV parse (quoted fields with commas, quotes, newlines). */
export function parseCsv(text) {
  const rows = [];
  let row = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; } else if (c === '"') quoted = false; else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(field); field = ''; } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field); rows.push(row); row = []; field = '';
    } else field += c;
  }
  if (field !== '' || row.length) { row.push(field); rows.push(row); }
  return rows;
}

/** Opens the site, runs fn, then asserts no foreign request, CSP violation or dialog. */
export async function withPage(url, fn, opts) {
  const ctx = await openPage(url, opts);
  try {
    await fn(ctx);
    assert.deepEqual(foreignRequests(ctx.requests, url), [], 'every request stays on the local origin');
    assert.deepEqual(await cspViolations(ctx.page), [], 'no securitypolicyviolation event');
    assert.deepEqual(ctx.dialogs, [], 'no dialog fired');
  } finally {
    await ctx.browser.close();
  }
}

export async function download(page, selector) {
  const [dl] = await Promise.all([page.waitForEvent('download', { timeout: 60_000 }), page.click(selector)]);
  return { name: dl.suggestedFilename(), bytes: readFileSync(await dl.path()) };
}

/**
 * The rows of an XLSX workbook's first sheet as arrays of strings (shared or inline strings,
 * numbers as written): enough of the format to check a list's headers and rows. Reads the zip
 * with node:zlib, no dependency.
 */
export function readXlsx(bytes) {
  const buf = Buffer.from(bytes);
  const files = new Map();
  let eocd = buf.length - 22;
  while (eocd >= 0 && buf.readUInt32LE(eocd) !== 0x06054b50) eocd--;
  if (eocd < 0) throw new Error('not a zip file');
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  for (let i = 0; i < count; i++) {
    const method = buf.readUInt16LE(p + 10);
    const size = buf.readUInt32LE(p + 20);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const local = buf.readUInt32LE(p + 42);
    const name = buf.toString('utf8', p + 46, p + 46 + nameLen);
    const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const data = buf.subarray(start, start + size);
    files.set(name, (method === 8 ? inflateRawSync(data) : data).toString('utf8'));
    p += 46 + nameLen + extraLen + commentLen;
  }
  const unxml = (s) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');
  const text = (xml) => unxml([...xml.matchAll(/<t(?:\s[^>]*)?>([\s\S]*?)<\/t>/g)].map((m) => m[1]).join(''));
  const shared = [...(files.get('xl/sharedStrings.xml') ?? '').matchAll(/<si>([\s\S]*?)<\/si>/g)].map((m) => text(m[1]));
  const sheet = files.get('xl/worksheets/sheet1.xml');
  if (!sheet) throw new Error('no first sheet');
  const column = (ref) => [...ref.replace(/\d+$/, '')].reduce((n, c) => n * 26 + c.charCodeAt(0) - 64, 0) - 1;
  return [...sheet.matchAll(/<row[^>]*>([\s\S]*?)<\/row>/g)].map((row) => {
    const cells = [];
    for (const c of row[1].matchAll(/<c\s([^>]*?)(?:\/>|>([\s\S]*?)<\/c>)/g)) {
      const attrs = c[1];
      const ref = /r="([A-Z]+\d+)"/.exec(attrs)?.[1];
      const type = /t="(\w+)"/.exec(attrs)?.[1];
      const body = c[2] ?? '';
      const v = /<v>([\s\S]*?)<\/v>/.exec(body)?.[1];
      const value = type === 's' ? shared[Number(v)] : type === 'inlineStr' ? text(body) : unxml(v ?? '');
      cells[ref ? column(ref) : cells.length] = value ?? '';
    }
    return Array.from(cells, (x) => x ?? '');
  });
}

/** The member export with field keys as headers (every column), as objects, one per member. */
export async function fullExport(page) {
  await page.check('#export-keys');
  const csv = await download(page, '#export-csv');
  const rows = parseCsv(csv.bytes.subarray(3).toString('utf8')).filter((r) => r.length > 1);
  const [head, ...body] = rows;
  return body.map((r) => Object.fromEntries(head.map((k, i) => [k, r[i]])));
}

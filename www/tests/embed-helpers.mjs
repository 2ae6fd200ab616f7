// Helpers for the embedding tests (embed, iframe, package): a Chromium page that records every
// request, CSP violation and page error, opened on any page (not only the analyzer's own).

import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import * as h from './helpers.mjs';

/**
 * Launches the system Chromium and opens `url`, recording requests (workers' included), CSP
 * violations (from an init script, in every frame) and page errors.
 * @param {string} url
 */
export async function openAny(url, { viewport = { width: 1360, height: 900 } } = {}) {
  const browser = await chromium.launch({ executablePath: h.CHROMIUM, args: h.CHROMIUM_ARGS });
  const context = await browser.newContext({ serviceWorkers: 'block', acceptDownloads: true, viewport, locale: 'zh-CN' });
  const requests = [];
  context.on('request', (req) => requests.push(req.url()));
  await context.addInitScript(() => {
    window.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__cspViolations.push({ directive: e.violatedDirective, blocked: e.blockedURI, sample: e.sample });
    });
  });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  const dialogs = [];
  page.on('dialog', (d) => { dialogs.push(d.message()); d.dismiss().catch(() => {}); });
  await page.goto(url);
  return { browser, context, page, requests, errors, dialogs };
}

/** Requests whose host is not this machine (127.0.0.1 / localhost), blob: and data: aside. @param {string[]} requests */
export function leftLocalhost(requests) {
  return requests.filter((u) => {
    if (u.startsWith('blob:') || u.startsWith('data:')) return false;
    try { return !['127.0.0.1', 'localhost'].includes(new URL(u).hostname); } catch { return true; }
  });
}

/** CSP violations in every frame of the page. @param {import('playwright-core').Page} page */
export async function allCspViolations(page) {
  const out = [];
  for (const f of page.frames()) out.push(...await f.evaluate(() => window.__cspViolations || []).catch(() => []));
  return out;
}

/**
 * Runs `fn` on a fresh browser at `url`, then asserts that nothing left localhost, no CSP
 * violation fired in any frame, and no page error or dialog happened.
 */
export async function withAny(url, fn, opts) {
  const ctx = await openAny(url, opts);
  try {
    await fn(ctx);
    assert.deepEqual(leftLocalhost(ctx.requests), [], 'every request stays on this machine');
    assert.deepEqual(await allCspViolations(ctx.page), [], 'no securitypolicyviolation event');
    assert.deepEqual(ctx.errors, [], 'no page error');
    assert.deepEqual(ctx.dialogs, [], 'no dialog');
  } finally {
    await ctx.browser.close();
  }
}

/** A member export (CSV with BOM, keys as headers) as objects. @param {Uint8Array | number[]} bytes */
export function csvObjects(bytes) {
  const text = Buffer.from(bytes).toString('utf8').replace(/^\uFEFF/, '');
  const [head, ...rows] = h.parseCsv(text).filter((r) => r.length > 1);
  return rows.map((r) => Object.fromEntries(head.map((k, i) => [k, r[i]])));
}

/** How many rows have each value of `key`. @param {Record<string, string>[]} rows @param {string} key */
export function countBy(rows, key) {
  const out = {};
  for (const r of rows) if (r[key]) out[r[key]] = (out[r[key]] ?? 0) + 1;
  return out;
}

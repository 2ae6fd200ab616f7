// Issue 13, layout and access: axe-core (from npm, its source evaluated in the page through the
// DevTools protocol, so the page's CSP stays as strict as ever and its no-violation check still
// holds) finds no critical or serious violation on the results in zh and en; the skip link is
// the first tab stop; at 390 px wide nothing scrolls sideways.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as h from './helpers.mjs';

const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

let site;
before(async () => { site = await h.siteUrl(); });
after(async () => { await site?.stop(); });

async function loadDemo(page) {
  const seq = await h.reportSeq(page);
  await page.click('#demo-button');
  await h.waitForReport(page, seq);
  await page.waitForTimeout(300);
}

/** axe's critical and serious violations on the page, as readable lines. */
async function axeViolations(page) {
  await page.evaluate(AXE);
  const result = await page.evaluate(async () => {
    // @ts-ignore axe is the library just evaluated
    const r = await window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }, resultTypes: ['violations'] });
    return r.violations.filter((v) => v.impact === 'critical' || v.impact === 'serious')
      .map((v) => `${v.id} (${v.impact}): ${v.nodes.length} × e.g. ${v.nodes[0]?.target.join(' ')} — ${v.nodes[0]?.failureSummary?.split('\n')[1] ?? ''}`);
  });
  return result;
}

for (const lang of ['zh', 'en']) {
  test(`${lang}: axe-core finds no critical or serious violation, before and after loading`, () => h.withPage(site.url, async ({ page }) => {
    assert.deepEqual(await axeViolations(page), [], 'the first screen');
    await loadDemo(page);
    assert.deepEqual(await axeViolations(page), [], 'the results');
  }, { lang }));
}

test('the skip link is the first tab stop and leads to the main content', () => h.withPage(site.url, async ({ page }) => {
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.className), 'skip-link');
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => location.hash), '#main');
}));

test('390 px wide: no sideways scroll, with the results loaded', () => h.withPage(site.url, async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await loadDemo(page);
  const width = await page.evaluate(() => document.scrollingElement.scrollWidth);
  const wide = await page.evaluate(() => [...document.querySelectorAll('body *')]
    .filter((e) => { const r = e.getBoundingClientRect(); if (!(r.width > 0 && r.right > 391) || e.closest('[hidden]')) return false; for (let p = e.parentElement; p; p = p.parentElement) { const o = getComputedStyle(p).overflowX; if (o === 'auto' || o === 'scroll' || o === 'hidden') return false; } return true; })
    .slice(0, 8).map((e) => `${e.tagName.toLowerCase()}#${e.id}.${e.className} in #${e.closest('[id]')?.id} → ${Math.round(e.getBoundingClientRect().right)}`));
  await page.screenshot({ path: path.join(tmpdir(), 'memberlens-390.png'), fullPage: false });
  assert.ok(width <= 390, `scrollWidth ${width}: ${wide.join('; ')}`);
}));

#!/usr/bin/env node
// The page's pipeline in headless Chromium: file chosen → results drawn (inventory, RFM, tiers,
// lifecycle), file chosen → forecasts done, and the renderer's peak resident memory (VmHWM of
// the renderer process, where the page and its workers run), for one or more builds side by
// side, run alternately in fresh browsers.
//
//   node scripts/bench_pipeline.mjs [FILE.csv ...] [--dist DIR ...] [--runs N] [--query '?x=y']
//
// FILE defaults to bench-out/orders_1m.csv; DIR to www/dist (scripts/build_web.sh). Give
// --dist twice to compare two builds (say a copy of dist made before a change). A build that
// draws results before forecasts marks `data-results-seq` on <body>; an older one draws
// everything at once, and its "results drawn" is its report.

import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { rendererPeaks, startServer } from './bench-procs.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
/** @param {string} flag */
const takeAll = (flag) => {
  const out = [];
  for (let i = argv.indexOf(flag); i >= 0; i = argv.indexOf(flag)) out.push(argv.splice(i, 2)[1]);
  return out;
};
const runs = Number(takeAll('--runs').pop() ?? 1);
const query = takeAll('--query').pop() ?? '';
const dists = takeAll('--dist').map((d) => path.resolve(d));
if (!dists.length) dists.push(path.join(repo, 'www', 'dist'));
const files = argv.length ? argv.map((f) => path.resolve(f)) : [path.join(repo, 'bench-out', 'orders_1m.csv')];

/** The largest peak resident set (VmHWM, MiB) among the renderer processes this script started (one browser at a time). @param {number} pid */
function rendererPeakMiB(pid) {
  return Math.max(0, ...rendererPeaks(pid).values());
}

/** @param {string} url @param {string} csv */
async function timePage(url, csv) {
  const { chromium } = await import(path.join(repo, 'www', 'node_modules', 'playwright-core', 'index.mjs'));
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
  try {
    const context = await browser.newContext({ serviceWorkers: 'block' });
    const page = await context.newPage();
    await page.goto(url + query);
    await page.waitForFunction(() => document.body.dataset.state === 'empty', null, { timeout: 60_000 });
    const t0 = Date.now();
    await page.setInputFiles('#file-input', csv);
    let resultsMs = 0;
    const done = await (await page.waitForFunction(() => {
      const b = document.body;
      if (b.dataset.state === 'error') return { error: document.getElementById('error-text')?.textContent ?? 'error' };
      const results = Number(b.dataset.resultsSeq || 0) > 0;
      const all = b.dataset.state === 'ready' && Number(b.dataset.reportSeq || 0) > 0;
      if (all) return { results: true, all: true };
      if (results && !(/** @type {any} */ (window)).__benchResults) {
        (/** @type {any} */ (window)).__benchResults = true;
        return { results: true, all: false };
      }
      return null;
    }, null, { timeout: 3_600_000, polling: 20 })).jsonValue();
    if (done.error) throw new Error(`page error: ${done.error}`);
    resultsMs = Date.now() - t0;
    let allMs = resultsMs;
    if (!done.all) {
      await page.waitForFunction(() => document.body.dataset.state === 'ready' && Number(document.body.dataset.reportSeq || 0) > 0,
        null, { timeout: 3_600_000, polling: 20 });
      allMs = Date.now() - t0;
    }
    const members = await page.evaluate(() => document.querySelector('[data-metric=members_total]')?.getAttribute('data-value'));
    const forecast = await page.evaluate(() => !(document.getElementById('forecast-panel')?.hidden ?? true));
    const peak = rendererPeakMiB(process.pid);
    return { resultsMs, allMs, members, forecast, peak };
  } finally {
    await browser.close();
  }
}

async function main() {
  for (const d of dists) if (!existsSync(path.join(d, 'index.html'))) throw new Error(`${d}/index.html missing: run scripts/build_web.sh`);
  const servers = [];
  for (const d of dists) servers.push({ dist: d, ...(await startServer(d)) });
  try {
    for (const f of files) {
      console.log(`file: ${path.relative(repo, f)} (${(statSync(f).size / 1024 / 1024).toFixed(1)} MiB)${query ? ` query ${query}` : ''}`);
      for (let i = 1; i <= runs; i++) {
        for (const s of servers) {
          const r = await timePage(s.url, f);
          console.log(`  run ${i} ${path.relative(repo, s.dist) || s.dist}: results drawn ${(r.resultsMs / 1000).toFixed(2)} s | forecasts done ${(r.allMs / 1000).toFixed(2)} s${r.forecast ? '' : ' (no forecast section)'} | renderer peak ${r.peak.toFixed(0)} MiB | members ${r.members}`);
        }
      }
    }
  } finally {
    for (const s of servers) s.stop();
  }
}

main().catch((e) => { console.error(e); process.exit(1); });

#!/usr/bin/env node
// The page against DuckDB-Wasm in one headless Chromium (issue 15, item 5).
//
//   node scripts/bench_duckdb.mjs [FILE.csv ...] [--10m] [--runs N] [--query '?forecast=off']
//
// FILE defaults to bench-out/orders_1m.csv; --10m adds bench-out/orders_10m.csv. Either is
// made by `examples/gen_orders.rs` when missing (1M ≈ 47 MB, 10M ≈ 470 MB). Needs www/dist
// (scripts/build_web.sh) and www/node_modules (@duckdb/duckdb-wasm, esbuild, playwright-core).
//
// The page (www/dist, served by www/serve.mjs) and a DuckDB-Wasm page (scripts/duckdb/page/, bundled
// here with esbuild; DuckDB's wasm and worker files served from www/node_modules: nothing
// leaves this machine) run in turn in one browser, each in a fresh context, alternating which
// goes first. The DuckDB page runs the project's SQL (docs/warehouse/duckdb/member_summary.sql, then
// rfm_segments.sql) on the same file: per-member recency, frequency, monetary, numpy-style
// quintile breakpoints, scores, the eight segments and the dormancy tiers. Printed per run:
//   page:   file chosen → results drawn (inventory, RFM, tiers, lifecycle, repurchase, sources:
//           the engine's first results), → tags, actions, growth and the member table drawn,
//           and → forecasts done
//   DuckDB: file chosen → query done (staging the CSV into a table, then the query)
//   and each side's renderer peak (VmHWM of the renderer process: the page and its workers).
// The segment and tier counts of both must be equal: the script exits 1 when they differ.

import { spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { flags, rendererPeaks, startServer } from './bench-procs.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const { take } = flags(argv);
const runs = Number(take('--runs') ?? 1);
const query = take('--query') ?? '';
const ten = argv.includes('--10m');
const files = argv.filter((a) => !a.startsWith('--')).map((f) => path.resolve(f));
if (!files.length) files.push(path.join(repo, 'bench-out', 'orders_1m.csv'));
if (ten) files.push(path.join(repo, 'bench-out', 'orders_10m.csv'));

const nodeModules = path.join(repo, 'www', 'node_modules');
const duckdbDist = path.join(nodeModules, '@duckdb', 'duckdb-wasm', 'dist');
const pageOut = path.join(repo, 'bench-out', 'duckdb-page');

/** Makes a missing bench file with examples/gen_orders.rs (1m or 10m by its name). @param {string} f */
function ensureFile(f) {
  if (existsSync(f)) return;
  const m = path.basename(f).match(/orders_(\d+)m\.csv$/);
  if (!m) throw new Error(`${f} missing`);
  const n = String(Number(m[1]) * 1_000_000);
  console.log(`${path.relative(repo, f)} missing: cargo run --release --example gen_orders -- ${n} …`);
  const r = spawnSync('cargo', ['run', '--release', '--example', 'gen_orders', '--', n, f], { cwd: repo, stdio: 'inherit' });
  if (r.status !== 0) throw new Error('gen_orders failed');
}

/** Bundles scripts/duckdb/page/main.js (apache-arrow and duckdb-wasm's JS from node_modules). */
async function buildDuckdbPage() {
  const esbuild = await import(path.join(nodeModules, 'esbuild', 'lib', 'main.js'));
  mkdirSync(pageOut, { recursive: true });
  await esbuild.build({
    entryPoints: [path.join(repo, 'scripts', 'duckdb', 'page', 'main.js')],
    bundle: true,
    format: 'esm',
    outfile: path.join(pageOut, 'main.js'),
    nodePaths: [nodeModules],
    logLevel: 'warning',
  });
}

const TYPES = /** @type {Record<string, string>} */ ({
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.wasm': 'application/wasm', '.sql': 'text/plain; charset=utf-8',
});

/** The DuckDB page, DuckDB's files and the SQL on 127.0.0.1. @returns {Promise<{ url: string, stop: () => void }>} */
function startDuckdbServer() {
  const routes = /** @type {[string, string][]} */ ([
    ['/duckdb/', duckdbDist],
    ['/sql/duckdb/', path.join(repo, 'docs', 'warehouse', 'duckdb')],
  ]);
  const server = createServer((req, res) => {
    const url = new URL(req.url || '/', 'http://x');
    let file = '';
    if (url.pathname === '/') file = path.join(repo, 'scripts', 'duckdb', 'page', 'index.html');
    else if (url.pathname === '/main.js') file = path.join(pageOut, 'main.js');
    else {
      for (const [prefix, dir] of routes) {
        if (url.pathname.startsWith(prefix)) {
          const name = url.pathname.slice(prefix.length);
          if (/^[\w.-]+$/.test(name)) file = path.join(dir, name);
        }
      }
    }
    if (!file || !existsSync(file)) { res.writeHead(404).end(); return; }
    res.writeHead(200, { 'content-type': TYPES[path.extname(file)] || 'application/octet-stream' });
    res.end(readFileSync(file));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => {
    const a = /** @type {import('node:net').AddressInfo} */ (server.address());
    resolve({ url: `http://127.0.0.1:${a.port}/`, stop: () => server.close() });
  }));
}

/** The largest peak among renderers that were not running before. @param {Map<number, number>} before */
function newRendererPeak(before) {
  let peak = 0;
  for (const [pid, mib] of rendererPeaks()) if (!before.has(pid)) peak = Math.max(peak, mib);
  return peak;
}

/** @typedef {{ segments: Record<string, number>, tiers: Record<string, number> }} Counts */

/** @param {any} browser @param {string} url @param {string} csv */
async function runPage(browser, url, csv) {
  const context = await browser.newContext({ serviceWorkers: 'block' });
  try {
    const before = rendererPeaks();
    const page = await context.newPage();
    const tLoad = Date.now();
    await page.goto(url + query);
    await page.waitForFunction(() => document.body.dataset.state === 'empty', null, { timeout: 60_000 });
    const startMs = Date.now() - tLoad;
    const t0 = Date.now();
    await page.setInputFiles('#file-input', csv);
    // Each step's time is when the page says it is drawn (the body's data attributes).
    /** @param {string} key @returns {Promise<number>} */
    const drawn = async (key) => {
      const r = await (await page.waitForFunction((k) => {
        const b = document.body;
        if (b.dataset.state === 'error') return { error: document.getElementById('error-text')?.textContent || 'error' };
        return Number(b.dataset[k] || 0) > 0 ? { ok: true } : null;
      }, key, { timeout: 3_600_000, polling: 20 })).jsonValue();
      if (r.error) throw new Error(`page error: ${r.error}`);
      return Date.now() - t0;
    };
    const firstMs = await drawn('firstSeq');
    /** @type {Counts} */
    const counts = await page.evaluate(() => {
      /** @param {string} sel @param {string} key */
      const read = (sel, key) => Object.fromEntries([...document.querySelectorAll(sel)]
        .map((tr) => [/** @type {HTMLElement} */ (tr).dataset[key], Number(/** @type {HTMLElement} */ (tr).dataset.members)]));
      return { segments: read('tr[data-segment]', 'segment'), tiers: read('tr[data-tier]', 'tier') };
    });
    const resultsMs = await drawn('resultsSeq');
    const allMs = await drawn('reportSeq');
    return { startMs, firstMs, resultsMs, allMs, counts, peak: newRendererPeak(before) };
  } finally {
    await context.close();
  }
}

/** @param {any} browser @param {string} url @param {string} csv */
async function runDuckdb(browser, url, csv) {
  const context = await browser.newContext({ serviceWorkers: 'block' });
  try {
    const before = rendererPeaks();
    const page = await context.newPage();
    await page.goto(url);
    await page.waitForFunction(() => document.body.dataset.state !== 'loading', null, { timeout: 120_000 });
    const ready = await page.evaluate(() => ({ state: document.body.dataset.state, start: Number(document.body.dataset.startMs), bundle: document.body.dataset.bundle, text: document.getElementById('out')?.textContent }));
    if (ready.state !== 'ready') throw new Error(`DuckDB page: ${ready.text}`);
    const t0 = Date.now();
    await page.setInputFiles('#file-input', csv);
    await page.waitForFunction(() => ['done', 'error'].includes(document.body.dataset.state || ''), null, { timeout: 3_600_000, polling: 20 });
    const ms = Date.now() - t0;
    const r = await page.evaluate(() => ({ state: document.body.dataset.state, text: document.getElementById('out')?.textContent || '',
      loadMs: Number(document.body.dataset.loadMs), queryMs: Number(document.body.dataset.queryMs) }));
    if (r.state !== 'done') throw new Error(`DuckDB page: ${r.text}`);
    /** @type {Counts} */
    const counts = { segments: {}, tiers: {} };
    for (const row of JSON.parse(r.text)) (row.kind === 'segment' ? counts.segments : counts.tiers)[row.key] = row.n;
    return { startMs: ready.start, bundle: ready.bundle, ms, loadMs: r.loadMs, queryMs: r.queryMs, counts, peak: newRendererPeak(before) };
  } finally {
    await context.close();
  }
}

/** Differences between two count tables, as text lines. @param {Counts} a @param {Counts} b */
function differences(a, b) {
  const out = [];
  for (const part of /** @type {const} */ (['segments', 'tiers'])) {
    const keys = new Set([...Object.keys(a[part]), ...Object.keys(b[part])]);
    for (const k of keys) if ((a[part][k] ?? 0) !== (b[part][k] ?? 0)) out.push(`${part} ${k}: page ${a[part][k] ?? 0}, DuckDB ${b[part][k] ?? 0}`);
  }
  return out;
}

const s = (/** @type {number} */ ms) => `${(ms / 1000).toFixed(2)} s`;

async function main() {
  for (const f of files) ensureFile(f);
  if (!existsSync(path.join(repo, 'www', 'dist', 'index.html'))) throw new Error('www/dist missing: run scripts/build_web.sh');
  await buildDuckdbPage();
  const { chromium } = await import(path.join(nodeModules, 'playwright-core', 'index.mjs'));
  const pageServer = await startServer(path.join(repo, 'www', 'dist'));
  const duckServer = await startDuckdbServer();
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
  let mismatch = false;
  try {
    for (const f of files) {
      console.log(`file: ${path.relative(repo, f)} (${(statSync(f).size / 1024 / 1024).toFixed(1)} MiB)${query ? `, page query ${query}` : ''}`);
      for (let i = 1; i <= runs; i++) {
        const order = i % 2 ? ['page', 'duckdb'] : ['duckdb', 'page'];
        /** @type {any} */
        const r = {};
        for (const side of order) r[side] = side === 'page' ? await runPage(browser, pageServer.url, f) : await runDuckdb(browser, duckServer.url, f);
        const diff = differences(r.page.counts, r.duckdb.counts);
        const buyers = Object.values(r.duckdb.counts.segments).reduce((a, b) => a + Number(b), 0);
        console.log(`  run ${i} (${order.join(' first, ')} second)`);
        console.log(`    page   : results drawn ${s(r.page.firstMs)}, with tags, actions, growth and members ${s(r.page.resultsMs)}, forecasts done ${s(r.page.allMs)} | renderer peak ${r.page.peak.toFixed(0)} MiB | cold start ${s(r.page.startMs)}`);
        console.log(`    DuckDB : query done ${s(r.duckdb.ms)} (CSV → table ${s(r.duckdb.loadMs)}, summary → segments ${s(r.duckdb.queryMs)}) | renderer peak ${r.duckdb.peak.toFixed(0)} MiB | start ${s(r.duckdb.startMs)} (${r.duckdb.bundle})`);
        console.log(`    results drawn / DuckDB = ${(r.page.firstMs / r.duckdb.ms).toFixed(2)} (with tags … members ${(r.page.resultsMs / r.duckdb.ms).toFixed(2)}) | ${buyers} buyers: ${diff.length ? 'COUNTS DIFFER' : 'segment and tier counts equal'}`);
        for (const d of diff) console.log(`      ${d}`);
        if (diff.length) mismatch = true;
      }
    }
  } finally {
    await browser.close();
    pageServer.stop();
    duckServer.stop();
  }
  if (mismatch) process.exit(1);
}

main().catch((e) => { console.error(e); process.exit(1); });

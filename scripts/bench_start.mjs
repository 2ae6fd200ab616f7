#!/usr/bin/env node
// Start-up benchmark of the page: what the browser downloads and how long it takes from
// navigation to ready, in one headless Chromium, builds side by side.
//
//   node scripts/bench_start.mjs [TARGET...] [--runs N] [--net KBIT/S]
//
// A TARGET is a built site directory (served by www/serve.mjs, CSP headers and all) or a
// single-file build (an .html file, opened from file://). Default: www/dist and, when built,
// www/dist-single/memberlens.html. Give several directories to compare builds (for example a
// copy of www/dist made before a change) in the same browser.
//
// Sizes: every file the page loads at start (html, scripts, styles, worker, wasm; the demo
// exports are left out), raw and gzip (level 9, what a static server or a zip would send).
// Cold start: a fresh browser context per run (empty HTTP and code caches), from navigation
// start to the page's ready signal, `<body data-state="empty">` (set once the worker has loaded
// the engine; the browser tests wait for the same thing), read as performance.now() inside the
// page. Runs alternate between targets so drift hits them alike; the median is printed with
// the range. --net throttles each context's downloads (CDP network emulation, 20 ms latency)
// to show what the sizes cost on a real connection; without it the files come from localhost.

import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
/** @param {string} name @param {number} fallback */
function option(name, fallback) {
  const i = args.indexOf(name);
  if (i < 0) return fallback;
  const v = Number(args.splice(i, 2)[1]);
  if (!Number.isFinite(v) || v <= 0) throw new Error(`${name} needs a positive number`);
  return v;
}
const runs = option('--runs', 9);
const netKbps = option('--net', 0);
let targets = args.map((a) => path.resolve(a));
if (!targets.length) {
  targets = [path.join(repo, 'www', 'dist')];
  const single = path.join(repo, 'www', 'dist-single', 'memberlens.html');
  if (existsSync(single)) targets.push(single);
}

const { chromium } = await import(pathToFileURL(path.join(repo, 'www', 'node_modules', 'playwright-core', 'index.mjs')).href);

/** What the page loads at start: everything but the demo exports (and source maps). @param {string} target */
function startFiles(target) {
  if (!statSync(target).isDirectory()) return [target];
  return readdirSync(target).filter((f) => !f.endsWith('.map')).map((f) => path.join(target, f)).filter((f) => statSync(f).isFile());
}

/** @param {string} target */
function sizes(target) {
  return startFiles(target).map((f) => {
    const bytes = readFileSync(f);
    return { name: path.basename(f), raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
  });
}

/** @param {string} dir */
async function serve(dir) {
  const child = spawn(process.execPath, [path.join(repo, 'www', 'serve.mjs'), dir], { env: { ...process.env, PORT: '0' }, stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => { out += d; const m = out.match(/http:\/\/127\.0\.0\.1:\d+\//); if (m) resolve(m[0]); });
    child.on('exit', (c) => reject(new Error(`server for ${dir} exited ${c}`)));
  });
  return { url: /** @type {string} */ (url), stop: () => child.kill('SIGTERM') };
}

/** One cold start: a fresh context, navigation → ready, in ms. @param {any} browser @param {string} url */
async function coldStart(browser, url) {
  const context = await browser.newContext({ serviceWorkers: 'block' });
  try {
    await context.addInitScript(() => {
      const w = /** @type {any} */ (window);
      new MutationObserver(() => {
        const s = document.body?.dataset.state;
        if (s === 'empty' && w.__readyAt === undefined) w.__readyAt = performance.now();
        if (s === 'error' || s === 'file') w.__failed = s;
      }).observe(document, { subtree: true, attributes: true, attributeFilter: ['data-state'] });
    });
    const page = await context.newPage();
    if (netKbps) {
      const cdp = await context.newCDPSession(page);
      const bytesPerSec = (netKbps * 1000) / 8;
      await cdp.send('Network.enable');
      await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 20, downloadThroughput: bytesPerSec, uploadThroughput: bytesPerSec });
    }
    await page.goto(url);
    const r = await (await page.waitForFunction(() => {
      const w = /** @type {any} */ (window);
      if (w.__failed) return { failed: w.__failed };
      return w.__readyAt === undefined ? null : { ready: w.__readyAt };
    }, null, { timeout: 120_000, polling: 10 })).jsonValue();
    if (r.failed) throw new Error(`${url}: the page ended in state ${r.failed}`);
    const dcl = await page.evaluate(() => {
      const nav = /** @type {PerformanceNavigationTiming | undefined} */ (performance.getEntriesByType('navigation')[0]);
      return nav ? nav.domContentLoadedEventEnd : NaN;
    });
    return { ready: r.ready, dcl };
  } finally {
    await context.close();
  }
}

const median = (/** @type {number[]} */ xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const kb = (/** @type {number} */ n) => `${(n / 1024).toFixed(1)} KB`;

const servers = [];
const sites = [];
for (const target of targets) {
  if (!existsSync(target)) throw new Error(`${target} does not exist (build it first: scripts/build_web.sh)`);
  if (statSync(target).isDirectory()) {
    const s = await serve(target);
    servers.push(s);
    sites.push({ target, url: s.url, times: /** @type {{ready: number, dcl: number}[]} */ ([]) });
  } else {
    sites.push({ target, url: pathToFileURL(target).href, times: [] });
  }
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
});
try {
  // One warm-up per site (the browser's own start-up, disk caches of the files), not counted.
  for (const site of sites) await coldStart(browser, site.url);
  for (let i = 0; i < runs; i++) for (const site of sites) site.times.push(await coldStart(browser, site.url));
} finally {
  await browser.close();
  for (const s of servers) s.stop();
}

console.log(`Chromium ${browser.version()}, ${runs} cold starts per target${netKbps ? `, downloads throttled to ${netKbps} kbit/s (20 ms latency)` : ', files from localhost'}`);
for (const site of sites) {
  const rel = path.relative(repo, site.target);
  console.log(`\n${rel.startsWith('..') ? site.target : rel}`);
  let raw = 0; let gz = 0;
  for (const f of sizes(site.target)) {
    raw += f.raw; gz += f.gzip;
    console.log(`  ${f.name.padEnd(24)} ${kb(f.raw).padStart(11)} raw ${kb(f.gzip).padStart(11)} gzip`);
  }
  console.log(`  ${'total'.padEnd(24)} ${kb(raw).padStart(11)} raw ${kb(gz).padStart(11)} gzip`);
  const ready = site.times.map((t) => t.ready);
  const dcl = site.times.map((t) => t.dcl);
  if (netKbps && !statSync(site.target).isDirectory()) console.log('  (file://: nothing to download, not throttled)');
  console.log(`  navigation → ready (data-state=empty): median ${median(ready).toFixed(0)} ms (min ${Math.min(...ready).toFixed(0)}, max ${Math.max(...ready).toFixed(0)}); DOMContentLoaded median ${median(dcl).toFixed(0)} ms`);
}

#!/usr/bin/env node
// End-to-end benchmark of the page in headless Chromium against the native CLI.
//
//   node scripts/bench_browser.mjs [FILE.csv] [--runs N]
//
// FILE defaults to bench-out/orders_1m.csv (the lead's core benchmark writes it); if it is
// missing, a 1,000,000-order online export (UTF-8; 订单号,订单状态,下单时间,买家手机号,
// 订单实付金额,退款金额,销售渠道) is generated there first. Needs www/dist (scripts/build_web.sh)
// and target/release/memberlens (built here if missing). Prints the browser time (file chosen →
// report shown, reading with File.stream() in the worker included) beside the native CLI time
// (`memberlens analyze FILE --format json > /dev/null`).

import { spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, statSync, openSync, closeSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from './bench-procs.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const runsIdx = args.indexOf('--runs');
const runs = runsIdx >= 0 ? Number(args.splice(runsIdx, 2)[1]) : 1;
const file = path.resolve(args[0] || path.join(repo, 'bench-out', 'orders_1m.csv'));

/** Deterministic 1M-order online export (xorshift PRNG; ~300k buyers, 2021-01-01..2024-06-30). */
async function generate(out, orders = 1_000_000) {
  mkdirSync(path.dirname(out), { recursive: true });
  let s = 0x9e3779b9;
  const rnd = () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s / 4294967296; };
  const statuses = ['交易成功', '交易成功', '交易成功', '交易成功', '交易成功', '交易成功', '交易成功', '交易成功', '部分退款', '已退款', '交易关闭', '待付款'];
  const channels = ['小程序商城', '天猫旗舰店', '抖音小店', '有赞微商城'];
  const start = Date.UTC(2021, 0, 1) / 1000;
  const span = (Date.UTC(2024, 5, 30, 23, 59, 59) / 1000) - start;
  const pad = (n, w = 2) => String(n).padStart(w, '0');
  const ws = createWriteStream(out);
  const write = (chunk) => new Promise((res) => { if (!ws.write(chunk)) ws.once('drain', res); else res(); });
  await write('订单号,订单状态,下单时间,买家手机号,订单实付金额,退款金额,销售渠道\n');
  let buf = '';
  const times = [];
  for (let i = 0; i < orders; i++) times.push(start + Math.floor(rnd() * span));
  times.sort((a, b) => a - b);
  for (let i = 0; i < orders; i++) {
    const d = new Date(times[i] * 1000);
    const when = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
    // Skewed buyer ids: a few heavy buyers, a long tail of one-time buyers.
    const buyer = Math.floor(Math.pow(rnd(), 1.6) * 300_000);
    const phone = rnd() < 0.01 ? '' : `1${3 + (buyer % 7)}${pad(buyer * 7919 % 1_000_000_000, 9)}`;
    const status = statuses[Math.floor(rnd() * statuses.length)];
    const amount = (20 + -Math.log(1 - rnd()) * 180).toFixed(2);
    const refund = status === '已退款' ? amount : status === '部分退款' ? (Number(amount) * 0.3).toFixed(2) : '0.00';
    buf += `E${pad(i + 1, 9)},${status},${when},${phone},${amount},${refund},${channels[buyer % channels.length]}\n`;
    if (buf.length > 1 << 20) { await write(buf); buf = ''; }
  }
  await write(buf);
  await new Promise((res) => ws.end(res));
}

function timeNative(bin, csv) {
  const devnull = openSync('/dev/null', 'w');
  const t0 = process.hrtime.bigint();
  const r = spawnSync(bin, ['analyze', csv, '--format', 'json'], { stdio: ['ignore', devnull, 'pipe'] });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  closeSync(devnull);
  if (r.status !== 0) throw new Error(`native CLI failed (${r.status}): ${r.stderr}`);
  return ms;
}

async function timeBrowser(url, csv) {
  const { chromium } = await import(path.join(repo, 'www', 'node_modules', 'playwright-core', 'index.mjs'));
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
  try {
    const context = await browser.newContext({ serviceWorkers: 'block' });
    const page = await context.newPage();
    await page.goto(url);
    await page.waitForFunction(() => document.body.dataset.state === 'empty', null, { timeout: 60_000 });
    const t0 = Date.now();
    await page.setInputFiles('#file-input', csv);
    const r = await (await page.waitForFunction(() => {
      const b = document.body;
      if (b.dataset.state === 'ready' && Number(b.dataset.reportSeq || 0) > 0) return { ok: true };
      if (b.dataset.state === 'error') return { ok: false, text: document.getElementById('error-text').textContent };
      return null;
    }, null, { timeout: 1_800_000, polling: 20 })).jsonValue();
    const ms = Date.now() - t0;
    if (!r.ok) throw new Error(`page error: ${r.text}`);
    const members = await page.evaluate(() => document.querySelector('[data-metric=members_total]')?.dataset.value);
    // Member table responsiveness: one sorted page, then a search, each a round trip to the worker.
    const seq = () => page.evaluate(() => Number(document.body.dataset.membersSeq || 0));
    const settled = (after) => page.waitForFunction((n) => Number(document.body.dataset.membersSeq || 0) > n, after, { timeout: 600_000, polling: 10 });
    let s0 = await seq();
    let t1 = Date.now();
    await page.click('#member-table th[data-column="monetary"]');
    await settled(s0);
    const sortMs = Date.now() - t1;
    s0 = await seq();
    await page.fill('#member-search', '13800');
    t1 = Date.now();
    await settled(s0);
    const searchMs = Math.max(0, Date.now() - t1 - 250); // minus the search box debounce
    return { ms, members, sortMs, searchMs };
  } finally {
    await browser.close();
  }
}

async function main() {
  if (!existsSync(file)) {
    console.log(`${path.relative(repo, file)} missing: generating 1,000,000 orders…`);
    const t0 = Date.now();
    await generate(file);
    console.log(`  generated in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  }
  const size = statSync(file).size;
  if (!existsSync(path.join(repo, 'www', 'dist', 'index.html'))) throw new Error('www/dist missing: run scripts/build_web.sh');
  const bin = path.join(repo, 'target', 'release', 'memberlens');
  if (!existsSync(bin)) {
    console.log('building the native CLI (cargo build --release --bin memberlens)…');
    const b = spawnSync('cargo', ['build', '--release', '--bin', 'memberlens'], { cwd: repo, stdio: 'inherit' });
    if (b.status !== 0) throw new Error('cargo build failed');
  }
  console.log(`file: ${path.relative(repo, file)} (${(size / 1024 / 1024).toFixed(1)} MiB)`);
  const server = await startServer(path.join(repo, 'www', 'dist'));
  try {
    for (let i = 1; i <= runs; i++) {
      const native = timeNative(bin, file);
      const browser = await timeBrowser(server.url, file);
      const ratio = browser.ms / native;
      console.log(`run ${i}: native CLI ${(native / 1000).toFixed(2)} s | browser (upload → report shown) ${(browser.ms / 1000).toFixed(2)} s | ratio ${ratio.toFixed(2)}× ${ratio <= 2 ? '(within 2× target)' : '(OVER the 2× target)'} | members ${browser.members} | member table: sort ${browser.sortMs} ms, search ${browser.searchMs} ms`);
    }
  } finally {
    server.stop();
  }
}

main().catch((e) => { console.error(e); process.exit(1); });

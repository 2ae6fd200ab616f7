#!/usr/bin/env node
// Tags and audiences (issue 10) in headless Chromium against native: the default tag catalogue
// made and counted, twenty custom rules, one audience recount and four audiences with their
// overlap, over a large member table.
//
//   node scripts/bench_tags_browser.mjs [FILE...] [--runs N] [--pkg DIR]
//
// FILE defaults to bench-out/members_1m/members.csv and orders.csv (1,000,000 members; made
// first with `cargo run --release --example gen_members` when missing). Runs the native side
// first (`cargo run --release --example bench_rules -- FILE... --runs N --json`, or the binary
// named by BENCH_RULES_BIN) and takes its rules and audiences from it, so both sides time the
// same rules. Then serves a temporary directory with `node www/serve.mjs` (the site's CSP and
// headers) holding an empty bench.html, the wasm-bindgen module from www/pkg (or --pkg DIR;
// scripts/build_web.sh makes it, and is run here when it is missing) and the data files, and
// in the page's main thread: imports the module, feeds the files by fetch() in chunks
// (beginFile/pushChunk/finishFile), analyzes without forecasts, then times over N runs (best
// and median): setCatalogue('') + tagSummary() (every tag made and counted), tagSummary() again,
// each rule by countRule, the audience recount by countRule, audiences([...4]), and each group
// of the catalogue alone (medians of 3; native: make + count). Every request must stay
// on the local origin. Prints both sides in one table with their ratio, the renderer's memory
// (CDP JSHeapUsedSize, the Wasm memory, the renderer's peak RSS from /proc) and the targets:
// all tags < 1 s in the page, one audience recount < 100 ms.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, copyFileSync, writeFileSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from './bench-procs.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
function option(name, fallback) {
  const i = args.indexOf(name);
  if (i < 0) return fallback;
  const v = args[i + 1];
  args.splice(i, 2);
  return v;
}
const runs = Number(option('--runs', '7'));
const pkg = path.resolve(option('--pkg', path.join(repo, 'www', 'pkg')));
const defaultFiles = ['members.csv', 'orders.csv'].map((f) => path.join(repo, 'bench-out', 'members_1m', f));
const files = (args.length ? args : defaultFiles).map((f) => path.resolve(f));

const TARGET_TAGS_MS = 1000;
const TARGET_RECOUNT_MS = 100;

function run(cmd, argv, opts = {}) {
  const r = spawnSync(cmd, argv, { cwd: repo, stdio: 'inherit', ...opts });
  if (r.status !== 0) throw new Error(`${cmd} ${argv.join(' ')} failed (${r.status})`);
}

/** The native figures: bench_rules' BENCH_JSON line (its other lines are echoed). */
function native() {
  const bin = process.env.BENCH_RULES_BIN;
  const argv = [...files, '--runs', String(runs), '--json'];
  const [cmd, full] = bin ? [bin, argv] : ['cargo', ['run', '--release', '--quiet', '--example', 'bench_rules', '--', ...argv]];
  console.log(`native: ${[cmd, ...full].map((a) => path.relative(repo, a) || a).join(' ')}`);
  const r = spawnSync(cmd, full, { cwd: repo, encoding: 'utf8', maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'inherit'] });
  if (r.status !== 0) throw new Error(`native bench failed (${r.status})`);
  let out = null;
  for (const line of r.stdout.split('\n')) {
    if (line.startsWith('BENCH_JSON ')) out = JSON.parse(line.slice('BENCH_JSON '.length));
    else if (line) console.log(`  | ${line}`);
  }
  if (!out) throw new Error('native bench printed no BENCH_JSON line');
  return out;
}

/** Peak and current RSS (MB) of the renderer processes under this one (the browser's), from /proc. */
function rendererRss(rootPid) {
  const out = [];
  const children = (pid) => {
    try {
      return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
    } catch { return []; }
  };
  const walk = (pid) => {
    for (const c of children(pid)) {
      try {
        const cmd = readFileSync(`/proc/${c}/cmdline`, 'utf8');
        if (cmd.includes('--type=renderer')) {
          const st = readFileSync(`/proc/${c}/status`, 'utf8');
          const kb = (k) => Number((st.match(new RegExp(`^${k}:\\s+(\\d+)`, 'm')) || [])[1] || 0);
          out.push({ pid: c, hwm: kb('VmHWM') / 1024, rss: kb('VmRSS') / 1024 });
        }
      } catch { /* gone */ }
      walk(c);
    }
  };
  walk(rootPid);
  return out;
}

function stats(times) {
  const t = [...times].sort((a, b) => a - b);
  return { best: t[0], median: t[Math.floor(t.length / 2)] };
}

async function browserBench(url, names, rules, recount, defs) {
  const { chromium } = await import(path.join(repo, 'www', 'node_modules', 'playwright-core', 'index.mjs'));
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
  try {
    const context = await browser.newContext({ serviceWorkers: 'block' });
    const page = await context.newPage();
    const origin = new URL(url).origin;
    const foreign = [];
    page.on('request', (r) => { if (!r.url().startsWith(origin + '/')) foreign.push(r.url()); });
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    const cdp = await context.newCDPSession(page);
    await cdp.send('Performance.enable');
    const heap = async () => {
      const { metrics } = await cdp.send('Performance.getMetrics');
      return (metrics.find((x) => x.name === 'JSHeapUsedSize')?.value ?? 0) / 1048576;
    };
    await page.goto(new URL('bench.html', url).href);

    // Load the module and the files, then analyze without forecasts.
    const loaded = await page.evaluate(async (names) => {
      const m = await import(new URL('memberlens.js', location.href).href);
      const wasm = await m.default({ module_or_path: new URL('memberlens_bg.wasm', location.href) });
      const a = new m.Analyzer();
      window.__bench = { m, a, wasm };
      const t0 = performance.now();
      let bytes = 0;
      for (const name of names) {
        const res = await fetch(`data/${encodeURIComponent(name)}`);
        if (!res.ok) throw new Error(`${name}: HTTP ${res.status}`);
        a.beginFile(name, Number(res.headers.get('content-length')) || undefined);
        const reader = res.body.getReader();
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          bytes += value.length;
          a.pushChunk(name, value);
        }
        a.finishFile(name, {});
      }
      const t1 = performance.now();
      const report = a.analyze({ forecast: { enabled: false } });
      const t2 = performance.now();
      return { bytes, readMs: t1 - t0, analyzeMs: t2 - t1, members: report.inventory?.members_total ?? null };
    }, names);
    console.log(`page: read ${(loaded.bytes / 1e6).toFixed(1)} MB in ${loaded.readMs.toFixed(0)} ms, analysed (no forecast) in ${loaded.analyzeMs.toFixed(0)} ms, ${loaded.members} members; JS heap ${(await heap()).toFixed(0)} MB`);

    // One figure: the page's operation `op` run `runs` times; times and the last result. (The
    // operations are defined once in the page: the CSP allows no eval of strings.)
    const time = (op, arg) => page.evaluate(async ({ op, arg, runs }) => {
      const { a, ops } = window.__bench;
      const times = [];
      let result;
      for (let i = 0; i < runs; i++) {
        await new Promise((r) => setTimeout(r, 0));
        const t = performance.now();
        result = ops[op](a, arg);
        times.push(performance.now() - t);
      }
      return { times, result: ops[`${op}Result`] ? ops[`${op}Result`](result) : result };
    }, { op, arg, runs });

    await page.evaluate(() => {
      window.__bench.ops = {
        // Every tag made and counted, as the page asks for them.
        tags: (a) => { a.setCatalogue(''); return a.tagSummary(); },
        tagsResult: (s) => {
          let tags = 0, groups = 0;
          const unavailable = [];
          for (const c of s) for (const g of c.groups) { groups++; tags += g.tags.length; if (g.unavailable_en) unavailable.push(g.key); }
          return { tags, groups, unavailable };
        },
        again: (a) => a.tagSummary(),
        againResult: () => null,
        count: (a, rule) => a.countRule(rule),
        // Each group of the catalogue alone (setCatalogue + tagSummary), `arg` runs each; the
        // shipped catalogue is put back after.
        groups: (a, runs) => {
          const scheme = JSON.parse(a.catalogueJson());
          const out = [];
          for (const c of scheme.categories) {
            for (const g of c.groups) {
              const one = { ...scheme, categories: [{ ...c, groups: [g] }] };
              if ('audiences' in one) one.audiences = [];
              const text = JSON.stringify(one);
              const times = [];
              for (let i = 0; i < runs; i++) {
                const t = performance.now();
                a.setCatalogue(text);
                a.tagSummary();
                times.push(performance.now() - t);
              }
              times.sort((x, y) => x - y);
              out.push({ group: g.key, median: times[Math.floor(times.length / 2)] });
            }
          }
          a.setCatalogue('');
          a.tagSummary();
          return out;
        },
        audiences: (a, defs) => a.audiences(defs),
        // { audiences, overlap }, or a list of audiences each with its overlap row.
        audiencesResult: (r) => (Array.isArray(r)
          ? { sizes: r.map((x) => x.members), overlap: r.map((x) => x.overlap) }
          : { sizes: r.audiences.map((x) => x.members), overlap: r.overlap }),
      };
    });
    const out = { loaded };
    const tags = await time('tags');
    out.tags = { ...stats(tags.times), ...tags.result };
    out.again = stats((await time('again')).times);
    out.rules = [];
    for (const rule of rules) {
      const r = await time('count', rule);
      out.rules.push({ rule, members: r.result, ...stats(r.times) });
    }
    const rc = await time('count', recount);
    out.recount = { members: rc.result, ...stats(rc.times) };
    const au = await time('audiences', defs);
    out.audiences = { ...stats(au.times), ...au.result };
    out.groups = await page.evaluate((runs) => window.__bench.ops.groups(window.__bench.a, runs), Math.min(runs, 3));
    out.jsHeapMb = await heap();
    out.wasmMb = await page.evaluate(() => window.__bench.wasm.memory.buffer.byteLength / 1048576);
    out.renderers = rendererRss(process.pid);
    out.foreign = foreign;
    out.errors = errors;
    return out;
  } finally {
    await browser.close();
  }
}

const ms = (x) => (x == null ? '—' : x >= 100 ? x.toFixed(0) : x.toFixed(1));
const pair = (f) => `${ms(f.best)} / ${ms(f.median)}`;
const ratio = (b, n) => (n.median >= 0.05 && b.median != null ? `${(b.median / n.median).toFixed(2)}×` : '—');

async function main() {
  if (files.some((f) => !existsSync(f))) {
    if (args.length) throw new Error(`missing: ${files.filter((f) => !existsSync(f)).join(', ')}`);
    console.log('bench-out/members_1m missing: generating 1,000,000 members and their orders…');
    run('cargo', ['run', '--release', '--example', 'gen_members', '--', '1000000', path.join(repo, 'bench-out', 'members_1m')]);
  }
  if (!existsSync(path.join(pkg, 'memberlens.js')) || !existsSync(path.join(pkg, 'memberlens_bg.wasm'))) {
    console.log(`${path.relative(repo, pkg)} has no wasm-bindgen output: scripts/build_web.sh…`);
    run('bash', [path.join(repo, 'scripts', 'build_web.sh')]);
  }
  const dist = path.join(repo, 'www', 'dist', 'memberlens_bg.wasm');
  if (pkg === path.join(repo, 'www', 'pkg') && existsSync(dist)
      && !readFileSync(dist).equals(readFileSync(path.join(pkg, 'memberlens_bg.wasm')))) {
    console.log('note: www/dist/memberlens_bg.wasm differs from www/pkg (dist not rebuilt since); timing www/pkg');
  }
  const wasmAge = statSync(path.join(pkg, 'memberlens_bg.wasm')).mtimeMs;
  const newer = (dir) => readdirSync(dir, { recursive: true }).some((f) => f.endsWith('.rs') && statSync(path.join(dir, f)).mtimeMs > wasmAge);
  if (pkg.startsWith(repo) && newer(path.join(repo, 'src'))) {
    console.log('note: src/ has changes newer than the Wasm module; run scripts/build_web.sh to time them');
  }
  const size = files.reduce((s, f) => s + statSync(f).size, 0);
  console.log(`files: ${files.map((f) => path.relative(repo, f)).join(' ')} (${(size / 1e6).toFixed(1)} MB); ${runs} runs, best / median ms`);

  const nat = native();
  const rules = nat.rules.map((r) => r.rule);
  const defs = nat.audiences.defs;

  const dir = mkdtempSync(path.join(os.tmpdir(), 'memberlens-tags-bench-'));
  const names = files.map((f) => path.basename(f));
  try {
    writeFileSync(path.join(dir, 'bench.html'), '<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><title>MemberLens tags bench</title>\n');
    copyFileSync(path.join(pkg, 'memberlens.js'), path.join(dir, 'memberlens.js'));
    copyFileSync(path.join(pkg, 'memberlens_bg.wasm'), path.join(dir, 'memberlens_bg.wasm'));
    const data = path.join(dir, 'data');
    mkdirSync(data);
    files.forEach((f, i) => symlinkSync(f, path.join(data, names[i])));
    const server = await startServer(dir);
    let page;
    try {
      page = await browserBench(server.url, names, rules, nat.recount.rule, defs);
    } finally {
      server.stop();
    }
    if (page.foreign.length) throw new Error(`requests left the local origin: ${page.foreign.join(', ')}`);
    if (page.errors.length) console.log(`page errors: ${page.errors.join(' | ')}`);

    // The table.
    const rows = [];
    const row = (what, n, b, count) => rows.push([what, pair(n), pair(b), ratio(b, n), count]);
    row(`tags, all (${page.tags.tags} tags, ${page.tags.groups} groups)`, nat.tags.all, page.tags, '');
    row('  tagSummary() again, tags kept', nat.tags.again, page.again, '');
    row('  native: Catalogue::make', nat.tags.make, { best: null, median: null }, '');
    row('  native: Tags::counts', nat.tags.counts, { best: null, median: null }, '');
    for (const g of nat.tags.per_group) {
      const b = page.groups.find((x) => x.group === g.group);
      const n = { median: g.make.median + g.count.median };
      rows.push([`  group ${g.group} (${g.kind}, ${g.tags} tags)`, `make ${ms(g.make.median)} + count ${ms(g.count.median)}`,
        b ? ms(b.median) : '—', b ? ratio(b, n) : '—', '']);
    }
    nat.rules.forEach((r, i) => {
      const b = page.rules[i];
      const same = b.members === r.members ? '' : ` (page: ${b.members})`;
      row(`rule ${String(i + 1).padStart(2)}`, r.time, b, `${String(r.members).padStart(8)}${same}  ${r.rule}`);
    });
    const sum = (xs) => xs.reduce((s, x) => s + x, 0);
    rows.push(['all 20 rules (sum of medians)', ms(sum(nat.rules.map((r) => r.time.median))), ms(sum(page.rules.map((r) => r.median))),
      `${(sum(page.rules.map((r) => r.median)) / sum(nat.rules.map((r) => r.time.median))).toFixed(2)}×`, '']);
    row('audience recount (countRule)', nat.recount.time, page.recount, `${String(nat.recount.members).padStart(8)}${page.recount.members === nat.recount.members ? '' : ` (page: ${page.recount.members})`}  ${nat.recount.rule}`);
    row(`audiences() ×${defs.length} with overlap`, nat.audiences.time, page.audiences, nat.audiences.sizes.join(' / '));
    const w = [0, 1, 2, 3].map((k) => Math.max(...rows.map((r) => String(r[k]).length), ['', 'native', 'Chromium', 'ratio'][k].length));
    const line = (r) => `${String(r[0]).padEnd(w[0])}  ${String(r[1]).padStart(w[1])}  ${String(r[2]).padStart(w[2])}  ${String(r[3]).padStart(w[3])}  ${r[4]}`;
    console.log('');
    console.log(line(['', 'native', 'Chromium', 'ratio', 'members']));
    for (const r of rows) console.log(line(r));
    console.log('');
    console.log(`audiences: ${defs.map((d, i) => `${d.name} ${nat.audiences.sizes[i]}`).join(', ')}; overlap (native${JSON.stringify(page.audiences.overlap) === JSON.stringify(nat.audiences.overlap) ? ' = page' : ', page differs'}): ${JSON.stringify(nat.audiences.overlap)}`);
    const big = page.renderers.sort((x, y) => y.hwm - x.hwm)[0];
    const rss = big && `peak RSS ${big.hwm.toFixed(0)} MB, now ${big.rss.toFixed(0)} MB (the largest of ${page.renderers.length} renderer processes)`;
    console.log(`memory: native peak RSS ${ms(nat.peak_rss_mb)} MB | page: Wasm memory ${page.wasmMb.toFixed(0)} MB, JS heap ${page.jsHeapMb.toFixed(0)} MB, renderer ${rss || 'n/a'}`);
    console.log(`setup: native read ${ms(nat.read_ms)} + analyze ${ms(nat.analyze_ms)} ms | page read ${ms(page.loaded.readMs)} + analyze ${ms(page.loaded.analyzeMs)} ms`);
    const ok = (x, t) => (x <= t ? `met` : `NOT met`);
    console.log(`targets: all tags in the page < ${TARGET_TAGS_MS} ms: ${ok(page.tags.median, TARGET_TAGS_MS)} (median ${ms(page.tags.median)} ms, best ${ms(page.tags.best)}); `
      + `one audience recount < ${TARGET_RECOUNT_MS} ms: ${ok(page.recount.median, TARGET_RECOUNT_MS)} (median ${ms(page.recount.median)} ms, best ${ms(page.recount.best)})`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => { console.error(e); process.exit(1); });

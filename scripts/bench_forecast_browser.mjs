#!/usr/bin/env node
// What the forecast model comparison costs (issue 16, benchmark): natively and in one headless
// Chromium, the engine as it is (six purchase models compared, each with its covariance) beside
// the engine before the comparison existed (the parent of commit 16774c2: BG/NBD and its three
// limits, no MBG/NBD or Pareto/NBD), on the same simulated million customers.
//
//   node scripts/bench_forecast_browser.mjs [--runs N] [--customers N] [--csv FILE]
//        [--current DIR] [--before DIR] [--build-before] [--no-native] [--no-kernel] [--warmup N]
//
// Input: the orders of examples/bench_forecast.rs's simulated customers (BG/NBD-style purchases,
// Gamma-Gamma spend), written by examples/gen_forecast_orders.rs to
// bench-out/forecast_orders_1m.csv (made when missing; --customers N makes another size), as-of
// 2024-12-31.
//
// Builds (wasm-bindgen --target web directories with memberlens.js and memberlens_bg.wasm):
//   current  --current DIR, default www/pkg: run `bash scripts/build_web.sh` first (its Wasm is
//            wasm-opt -O3'd).
//   before   --before DIR, default bench-out/forecast-before/pkg. --build-before makes it: a git
//            worktree of 16774c2^ at ../wt-fc-before (WT_FC_BEFORE overrides), cargo build
//            --release --lib --target wasm32-unknown-unknown --no-default-features with
//            CARGO_TARGET_DIR inside the worktree, wasm-bindgen --target web into DIR, and
//            wasm-opt with build_web.sh's flags (so both builds are optimised alike). ~5 min.
//
// Chromium: a small page (scripts/forecast-bench/, copied with both builds into
// bench-out/forecast-bench/site and served by www/serve.mjs) runs each build in its own module
// worker, as the page runs its engine. Each worker streams the file in once (beginFile /
// pushChunk / finishFile), then each run calls analyze() on the same loaded input without
// forecasts ({forecast: {enabled: false}}), with them (the data's model), and on the current
// build also with {forecast: {model: 'bgnbd'}} ("current bgnbd": the model the engine before
// chooses on this data, so members are scored and the totals' intervals computed under the
// same model and only the comparison differs). A forecast's cost is its analysis minus the
// run's analysis without forecasts; the workers time the engine calls themselves
// (performance.now() around analyze, the report's conversion to JS included). Runs alternate
// which build goes first and turn the order of the calls; each run is printed, then the
// medians and the ratios to before. Wasm runs on one thread, so the comparison's native
// threads do not help there. The first --warmup runs (default 1) in Chromium are printed but
// not counted: V8 first runs Wasm from its baseline compiler and optimises hot functions
// while they run, so a first forecast there took up to 1.7x as long as the next.
//
// The forecast steps alone in Chromium (skipped with --no-kernel): scripts/forecast-bench/kernel,
// a small Wasm crate on the current source (built each time in bench-out/forecast-bench/kernel,
// ~4 min when the source changed), runs bench_forecast's steps on its summary.csv in a third
// worker: the single-model path (BG/NBD fit + score) and the comparison (six models with
// covariances + score under the chosen one), each call timed: the same split as native.
//
// Native (skipped with --no-native): target/release/examples/bench_forecast (built first) on the
// same customers, once with every core and once pinned to one core (taskset -c 0: the six
// candidate fits then run one after another, as in Wasm). It prints the single-model path
// (BG/NBD fit + score) and the comparison (six models with covariances + score). Then the
// engine itself natively, as in the page: the CLI (`memberlens analyze --timings`, analysis =
// its analyze mark minus its ingest mark) with --no-forecast, without it, and (current only)
// with --model bgnbd; current is target/release/memberlens (built first), before the worktree's
// target/release/memberlens (--build-before builds it too; left out when missing); every core.
// Builds in the checkout that fail (the source being edited) leave the last binary in use.
//
// Wall time and CPU time are printed for each: CPU time of the renderer (user + system of every
// thread, from /proc, around each engine call), of the CLI (bash's `times`) and bench_forecast's
// own CPU line. On a shared machine CPU time is the steadier of the two (wall time stretches
// with the other processes' load); the summary's ratios are to `before` (16774c2^).
// The machine's load average is printed at the start, beside each run and at the end.

import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { loadavg } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { flags, rendererPeaks, startServer } from './bench-procs.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const COMPARISON_COMMIT = '16774c253dc3657d18c90d03f25888013242a6d3';
const AS_OF = '2024-12-31';
const argv = process.argv.slice(2);
const { take, has } = flags(argv);
const runs = Number(take('--runs') ?? 3);
const warmups = Number(take('--warmup') ?? 1);
const customers = Number(take('--customers') ?? 1_000_000);
const csv = path.resolve(take('--csv') ?? path.join(repo, 'bench-out',
  customers === 1_000_000 ? 'forecast_orders_1m.csv' : `forecast_orders_${customers}.csv`));
const currentPkg = path.resolve(take('--current') ?? path.join(repo, 'www', 'pkg'));
const beforePkg = path.resolve(take('--before') ?? path.join(repo, 'bench-out', 'forecast-before', 'pkg'));
const buildBefore = has('--build-before');
const native = !has('--no-native');
let kernel = !has('--no-kernel');
if (argv.length) {
  console.error(`unknown arguments: ${argv.join(' ')}`);
  process.exit(2);
}
const site = path.join(repo, 'bench-out', 'forecast-bench', 'site');
const wt = path.resolve(process.env.WT_FC_BEFORE ?? path.join(repo, '..', 'wt-fc-before'));
const beforeCli = path.join(wt, 'target', 'release', 'memberlens');
const currentCli = path.join(repo, 'target', 'release', 'memberlens');
const nodeModules = path.join(repo, 'www', 'node_modules');

const load = () => loadavg().map((x) => x.toFixed(2)).join(' ');
const s = (/** @type {number} */ ms) => `${(ms / 1000).toFixed(2)} s`;
const rel = (/** @type {string} */ p) => path.relative(repo, p) || '.';
/** @param {number[]} xs */
const median = (xs) => {
  const v = [...xs].sort((a, b) => a - b);
  return v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
};

/** @param {string} cmd @param {string[]} args @param {import('node:child_process').SpawnSyncOptions} [opts] */
function run(cmd, args, opts = {}) {
  console.log(`$ ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', ...opts });
  if (r.status !== 0) throw new Error(`${cmd} failed (${r.status ?? r.signal})`);
}

/** `cargo build` in the checkout, which others may be editing: a failure leaves the last binary in use. @param {string[]} args */
function cargoBuild(args) {
  console.log(`$ cargo build ${args.join(' ')}`);
  const r = spawnSync('cargo', ['build', ...args], { cwd: repo, stdio: ['ignore', 'inherit', 'pipe'], encoding: 'utf8' });
  if (r.status !== 0) console.log(`   cargo build failed (the source is being changed?): the binary already built is used\n${r.stderr.split('\n').filter((l) => /^error/.test(l)).slice(0, 5).join('\n')}`);
}

function ensureCsv() {
  if (existsSync(csv)) return;
  console.log(`${rel(csv)} missing: writing it`);
  run('cargo', ['run', '--release', '--example', 'gen_forecast_orders', '--', String(customers), csv], { cwd: repo });
}

/** Whether `dir` holds a wasm-bindgen --target web build of the engine. @param {string} dir */
const isPkg = (dir) => existsSync(path.join(dir, 'memberlens.js')) && existsSync(path.join(dir, 'memberlens_bg.wasm'));

/** The engine at the parent of the comparison commit, built into `beforePkg` (see the top). */
function makeBefore() {
  const parent = execFileSync('git', ['rev-parse', `${COMPARISON_COMMIT}^`], { cwd: repo, encoding: 'utf8' }).trim();
  if (!existsSync(path.join(wt, 'Cargo.toml'))) run('git', ['worktree', 'add', '--detach', wt, parent], { cwd: repo });
  const head = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: wt, encoding: 'utf8' }).trim();
  if (head !== parent) throw new Error(`${wt} is at ${head}, not ${parent} (16774c2^): move it or set WT_FC_BEFORE`);
  const target = path.join(wt, 'target');
  run('cargo', ['build', '--release', '--lib', '--target', 'wasm32-unknown-unknown', '--no-default-features'],
    { cwd: wt, env: { ...process.env, CARGO_TARGET_DIR: target } });
  run('cargo', ['build', '--release', '--bin', 'memberlens'], { cwd: wt, env: { ...process.env, CARGO_TARGET_DIR: target } });
  rmSync(beforePkg, { recursive: true, force: true });
  run('wasm-bindgen', ['--target', 'web', '--out-dir', beforePkg, path.join(target, 'wasm32-unknown-unknown', 'release', 'memberlens.wasm')]);
  wasmOpt(path.join(beforePkg, 'memberlens_bg.wasm'));
}

/** build_web.sh's wasm-opt step with its flags, in place: every build here is optimised alike. @param {string} wasm */
function wasmOpt(wasm) {
  run(path.join(nodeModules, '.bin', 'wasm-opt'), [wasm, '-O3', '--enable-bulk-memory', '--enable-bulk-memory-opt',
    '--enable-nontrapping-float-to-int', '--enable-sign-ext', '--enable-mutable-globals', '--enable-reference-types',
    '--enable-multivalue', '--enable-call-indirect-overlong', '-o', wasm]);
}

/** scripts/forecast-bench/kernel built on the current source into `out` (see the top). @param {string} out */
function makeKernel(out) {
  const dir = path.join(repo, 'bench-out', 'forecast-bench', 'kernel');
  mkdirSync(dir, { recursive: true });
  for (const f of ['Cargo.toml', 'lib.rs']) cpSync(path.join(repo, 'scripts', 'forecast-bench', 'kernel', f), path.join(dir, f));
  // The engine's dependency versions (cargo adds the bench crate's own entry).
  if (!existsSync(path.join(dir, 'Cargo.lock'))) cpSync(path.join(repo, 'Cargo.lock'), path.join(dir, 'Cargo.lock'));
  const target = path.join(dir, 'target');
  run('cargo', ['build', '--release', '--target', 'wasm32-unknown-unknown'], { cwd: dir, env: { ...process.env, CARGO_TARGET_DIR: target } });
  run('wasm-bindgen', ['--target', 'web', '--out-dir', out, path.join(target, 'wasm32-unknown-unknown', 'release', 'forecast_kernel_bench.wasm')]);
  wasmOpt(path.join(out, 'forecast_kernel_bench_bg.wasm'));
}

const nativeOut = path.join(repo, 'bench-out', 'forecast-native');

/** bench_forecast on `customers`, every core or one: its timing lines. @param {boolean} oneCore */
function nativeBench(oneCore) {
  const exe = path.join(repo, 'target', 'release', 'examples', 'bench_forecast');
  const out = nativeOut;
  const args = [String(customers), out];
  const cmd = oneCore ? 'taskset' : exe;
  const r = spawnSync(cmd, oneCore ? ['-c', '0', exe, ...args] : args, { cwd: repo, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`bench_forecast failed: ${r.stderr}`);
  const lines = r.stdout.split('\n');
  const m = r.stdout.match(/SINGLE \(bgnbd fit \+ score\) ([\d.]+) s \| COMPARISON \(compare \+ score\) ([\d.]+) s \| ratio ([\d.]+)x/);
  if (!m) throw new Error(`bench_forecast printed no SINGLE/COMPARISON line:\n${r.stdout}`);
  // its CPU line (since 4b6d627): what one thread spends, as in the page
  const c = r.stdout.match(/CPU: SINGLE ([\d.]+) s \| COMPARISON ([\d.]+) s/);
  return {
    single: Number(m[1]), compared: Number(m[2]), ratio: Number(m[3]),
    cpu: c ? { single: Number(c[1]), compared: Number(c[2]) } : null,
    detail: lines.filter((l) => /^(bgnbd fit|gamma-gamma|score |  \w|compare |CPU:)/.test(l)),
  };
}

/**
 * One CLI analysis of the input: milliseconds of analysis (its analyze mark minus its ingest mark).
 * @param {string} exe @param {Step} step
 */
function cliAnalysis(exe, step) {
  const args = ['analyze', '--as-of', AS_OF, '--timings', ...(step === false ? ['--no-forecast'] : step ? ['--model', step] : []), csv];
  // bash's `times`: the CPU time of the CLI (its second line: children's user and system time)
  const r = spawnSync('bash', ['-c', '"$@" >/dev/null 2>"$TIMINGS"; s=$?; times; exit $s', 'cli', exe, ...args],
    { cwd: repo, encoding: 'utf8', env: { ...process.env, TIMINGS: path.join(repo, 'bench-out', 'forecast-bench', 'cli-timings.txt') } });
  const stderr = existsSync(path.join(repo, 'bench-out', 'forecast-bench', 'cli-timings.txt'))
    ? readFileSync(path.join(repo, 'bench-out', 'forecast-bench', 'cli-timings.txt'), 'utf8') : '';
  const mark = (/** @type {string} */ name) => Number(stderr.match(new RegExp(`\\[timing\\] ${name}: ([\\d.]+)s`))?.[1]);
  if (r.status !== 0 || !(mark('analyze') >= 0)) throw new Error(`${exe} ${args.join(' ')} failed: ${stderr}${r.stderr}`);
  const child = r.stdout.trim().split('\n')[1] ?? '';
  const cpu = [...child.matchAll(/(\d+)m([\d.]+)s/g)].reduce((t, m) => t + Number(m[1]) * 60 + Number(m[2]), 0);
  return { ms: (mark('analyze') - mark('ingest')) * 1000, cpu, forecast: null };
}

/**
 * What one engine analysis is asked for: false, no forecasts; null, forecasts with the data's
 * model; a model key, forecasts with that model (the current engine only: forecast.model).
 * @typedef {false | null | string} Step
 */

/**
 * The forecasts timed per engine build: [label, build, model].
 * `current bgnbd` asks the current engine for BG/NBD, the model the engine before chose on this
 * data: the six fits are still made, but members are scored and the totals' intervals computed
 * under the same model as before, so its difference from `before` is the comparison alone.
 */
const VARIANTS = /** @type {const} */ ([['before', 'before', null], ['current', 'current', null], ['current bgnbd', 'current', 'bgnbd']]);

/**
 * One run of one build: its analysis without forecasts and with each of its variants, in an order
 * that turns with the run; each variant's forecast is its time minus the run's time without.
 * @param {number} run @param {'before' | 'current'} build
 * @param {(step: Step) => Promise<Timed>} analyze
 * @param {Record<string, { ms: number, cpu: number }[]>} into  forecast costs by variant label
 * @param {Record<string, any>} [briefs]  the first report brief by variant label
 * @param {string} [tag]  how the run is printed (default: run N)
 */
async function engineRun(run, build, analyze, into, briefs, tag = `run ${run + 1}`) {
  const variants = VARIANTS.filter(([, b]) => b === build);
  /** @type {[string | null, Step][]} */
  const steps = [[null, false], ...variants.map(([label, , model]) => /** @type {[string, Step]} */ ([label, model]))];
  const turned = steps.map((_, k) => steps[(k + run) % steps.length]);
  /** @type {Map<string | null, Timed>} */
  const got = new Map();
  for (const [label, step] of turned) got.set(label, await analyze(step));
  const without = /** @type {Timed} */ (got.get(null));
  const parts = [`without forecasts ${s(without.ms)} (CPU ${without.cpu.toFixed(2)} s)`];
  for (const [label] of variants) {
    const r = /** @type {Timed} */ (got.get(label));
    const cost = { ms: r.ms - without.ms, cpu: r.cpu - without.cpu };
    into[label].push(cost);
    if (briefs && r.forecast) briefs[label] ??= r.forecast;
    const chosen = r.forecast?.chosen ? ` (${r.forecast.chosen})` : '';
    parts.push(`${label}${chosen} ${s(r.ms)}: forecast ${s(cost.ms)}, CPU ${cost.cpu.toFixed(2)} s`);
  }
  console.log(`   ${tag} ${build.padEnd(7)} ${parts.join(' | ')}  (first: ${turned[0][0] ?? 'without'}; load ${load()})`);
}

/** @typedef {{ ms: number, cpu: number, forecast?: any }} Timed  wall ms and CPU seconds */

/** Forecast costs by variant label, empty. @returns {Record<string, { ms: number, cpu: number }[]>} */
const byVariant = () => Object.fromEntries(VARIANTS.map(([label]) => [label, []]));

/** The summary lines of `times` (forecast costs by variant), ratios to `before`. @param {string} where @param {Record<string, { ms: number, cpu: number }[]>} times */
function summarize(where, times) {
  const m = (/** @type {string} */ label, /** @type {'ms' | 'cpu'} */ k) => median(times[label].map((t) => t[k]));
  const wallBefore = times.before.length ? m('before', 'ms') : NaN;
  const cpuBefore = times.before.length ? m('before', 'cpu') : NaN;
  for (const [label] of VARIANTS) {
    if (!times[label].length) continue;
    const ratio = (/** @type {number} */ x, /** @type {number} */ b) => (label === 'before' ? '     ' : `${(x / b).toFixed(2)}x`);
    const wall = m(label, 'ms');
    const cpu = m(label, 'cpu');
    console.log(`${where} ${label.padEnd(13)} forecast CPU ${cpu.toFixed(2)} s ${ratio(cpu, cpuBefore)} | wall ${s(wall)} ${ratio(wall, wallBefore)}` +
      `   (runs: CPU ${times[label].map((t) => t.cpu.toFixed(2)).join(', ')}; wall ${times[label].map((t) => (t.ms / 1000).toFixed(2)).join(', ')})`);
  }
}

/** CPU seconds (user + system, every thread) of the Chromium renderers this script started. */
function rendererCpu() {
  let ticks = 0;
  for (const pid of rendererPeaks().keys()) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(f[11]) + Number(f[12]);
    } catch { /* gone */ }
  }
  return ticks / 100; // USER_HZ
}

/** Version, wasm size and time of a build directory, for the record. @param {string} dir */
function describePkg(dir) {
  const st = statSync(path.join(dir, 'memberlens_bg.wasm'));
  return `${rel(dir)} (wasm ${(st.size / 1e6).toFixed(2)} MB, built ${st.mtime.toISOString().slice(0, 16)}Z)`;
}

async function main() {
  console.log(`forecast comparison cost: ${customers.toLocaleString('en')} customers, ${runs} runs; load average ${load()} (${(await import('node:os')).cpus().length} cores)`);
  ensureCsv();
  if (!isPkg(currentPkg)) throw new Error(`${rel(currentPkg)} has no engine build: run bash scripts/build_web.sh`);
  if (!isPkg(beforePkg) || buildBefore) {
    if (!buildBefore) throw new Error(`${rel(beforePkg)} has no engine build: add --build-before (see the top of this script)`);
    makeBefore();
  }
  const head = execFileSync('git', ['log', '-1', '--format=%h %s'], { cwd: repo, encoding: 'utf8' }).trim().slice(0, 90);
  const dirty = execFileSync('git', ['status', '--short', '--', 'src'], { cwd: repo, encoding: 'utf8' }).trim();
  console.log(`current: ${describePkg(currentPkg)}; checkout ${head}${dirty ? ` (src changed: ${dirty.split('\n').map((l) => l.trim()).join(', ')})` : ''}`);
  console.log(`before:  ${describePkg(beforePkg)}; 16774c2^ (no model comparison)`);
  console.log(`input:   ${rel(csv)} (${(statSync(csv).size / 1e6).toFixed(0)} MB), as-of ${AS_OF}`);

  /** @type {{ label: string, r: ReturnType<typeof nativeBench> }[]} */
  const natives = [];
  const cliForecast = byVariant();
  if (native || kernel) cargoBuild(['--release', '--example', 'bench_forecast']);
  if (kernel && !native) nativeBench(false); // only for its summary.csv
  if (native) {
    console.log('\n== native (target/release/examples/bench_forecast, the current source)');
    for (const [label, oneCore] of /** @type {const} */ ([['all cores', false], ['one core ', true]])) {
      const r = nativeBench(oneCore);
      natives.push({ label, r });
      console.log(`-- ${label}: load ${load()}`);
      for (const l of r.detail) console.log(`   ${l}`);
      console.log(`   single ${r.single.toFixed(2)} s, comparison ${r.compared.toFixed(2)} s, ratio ${r.ratio.toFixed(2)}x`);
    }
    cargoBuild(['--release', '--bin', 'memberlens']);
    /** @type {[ 'before' | 'current', string ][]} */
    const clis = /** @type {[ 'before' | 'current', string ][]} */ ([['before', beforeCli], ['current', currentCli]]).filter(([, exe]) => existsSync(exe));
    if (clis.length < 2) console.log(`-- ${rel(beforeCli)} missing (--build-before builds it): the native engine before is left out`);
    console.log(`-- the engine natively (memberlens analyze, every core): analysis with forecasts minus without; load ${load()}`);
    for (let i = 0; i < runs; i++) {
      for (const [name, exe] of i % 2 ? [...clis].reverse() : clis) {
        await engineRun(i, name, async (step) => cliAnalysis(exe, step), cliForecast);
      }
    }
  }

  // The bench page with both builds beside it.
  rmSync(site, { recursive: true, force: true });
  mkdirSync(site, { recursive: true });
  for (const f of ['index.html', 'main.js', 'worker.js']) cpSync(path.join(repo, 'scripts', 'forecast-bench', f), path.join(site, f));
  for (const [name, dir] of [['current', currentPkg], ['before', beforePkg]]) {
    mkdirSync(path.join(site, name));
    for (const f of ['memberlens.js', 'memberlens_bg.wasm']) cpSync(path.join(dir, f), path.join(site, name, f));
  }
  if (kernel) {
    console.log('\n== the forecast steps alone as Wasm (scripts/forecast-bench/kernel, the current source)');
    try {
      makeKernel(path.join(site, 'kernel'));
      cpSync(path.join(nativeOut, 'summary.csv'), path.join(site, 'summary.csv'));
    } catch (e) {
      console.log(`   left out: ${e instanceof Error ? e.message : e} (the source is being changed?)`);
      kernel = false;
    }
  }

  console.log('\n== Chromium (Wasm, one thread)');
  const { chromium } = await import(path.join(nodeModules, 'playwright-core', 'index.mjs'));
  const server = await startServer(site);
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
  const builds = /** @type {const} */ (['before', 'current']);
  const forecastMs = byVariant();
  /** @type {Record<string, any>} */
  const firstForecast = {};
  /** @type {{ single: { ms: number, cpu: number }, compared: { ms: number, cpu: number } }[]} */
  const kernelRuns = [];
  let peak = 0;
  try {
    const context = await browser.newContext({ serviceWorkers: 'block' });
    const page = await context.newPage();
    page.on('console', (/** @type {any} */ m) => { if (m.type() === 'error') console.log(`   [page] ${m.text()}`); });
    page.on('pageerror', (/** @type {Error} */ e) => console.log(`   [page error] ${e.message}`));
    await page.goto(server.url);
    await page.waitForFunction(() => document.body.dataset.state === 'ready', null, { timeout: 60_000 });
    await page.setInputFiles('#file-input', csv);
    /** @param {string} pkg @param {Step} step */
    const analyze = (pkg, step) => page.evaluate((/** @type {[string, unknown]} */ [p, o]) => /** @type {any} */ (window).bench.analyze(p, o),
      [pkg, { as_of: AS_OF, forecast: step === false ? { enabled: false } : step ? { enabled: true, model: step } : { enabled: true } }]);
    for (const pkg of builds) {
      const l = await page.evaluate((/** @type {string} */ p) => /** @type {any} */ (window).bench.load(p), pkg);
      if (l.kind !== 'orders') throw new Error(`${pkg}: the file was read as ${l.kind}, not orders`);
      // The first analysis builds what later ones reuse: not counted.
      const warm = await analyze(pkg, false);
      console.log(`   ${pkg.padEnd(7)} engine ${l.version}: file read in ${s(l.ms)} (${l.accepted.toLocaleString('en')} of ${l.rows.toLocaleString('en')} rows), first analysis ${s(warm.ms)} (not counted)`);
    }
    if (kernel) {
      const k = await page.evaluate(() => /** @type {any} */ (window).bench.kernelLoad('summary.csv'));
      console.log(`   kernel  ${k.customers.toLocaleString('en')} customer summaries read in ${s(k.ms)} (bench_forecast's summary.csv)`);
    }
    const warmForecast = byVariant();
    for (let j = 0; j < warmups + runs; j++) {
      const i = j - warmups; // < 0: a warm-up run, not counted
      const tag = i < 0 ? 'warm-up' : `run ${i + 1}`;
      if (kernel) {
        /** @type {Record<string, { ms: number, cpu: number, value: any }>} */
        const k = {};
        for (const step of ['fitBgnbd', 'scoreBgnbd', 'compare', 'scoreChosen']) {
          const cpu0 = rendererCpu();
          const r = await page.evaluate((/** @type {string} */ st) => /** @type {any} */ (window).bench.kernelStep(st), step);
          k[step] = { ...r, cpu: rendererCpu() - cpu0 };
        }
        const single = { ms: k.fitBgnbd.ms + k.scoreBgnbd.ms, cpu: k.fitBgnbd.cpu + k.scoreBgnbd.cpu };
        const compared = { ms: k.compare.ms + k.scoreChosen.ms, cpu: k.compare.cpu + k.scoreChosen.cpu };
        if (i >= 0) kernelRuns.push({ single, compared });
        const t = (/** @type {{ ms: number, cpu: number }} */ x) => `${s(x.ms)}/${x.cpu.toFixed(2)} s`;
        console.log(`   ${tag} kernel  wall/CPU: single ${t(single)} (BG/NBD fit ${t(k.fitBgnbd)}, score ${t(k.scoreBgnbd)}) | comparison ${t(compared)} (compare ${t(k.compare)}, chosen ${k.compare.value}, score ${t(k.scoreChosen)}) | ratio ${(compared.ms / single.ms).toFixed(2)}x wall, ${(compared.cpu / single.cpu).toFixed(2)}x CPU  (load ${load()})`);
        if (j === 0) console.log(`           BG/NBD ${k.fitBgnbd.value}`);
      }
      for (const pkg of j % 2 ? [...builds].reverse() : builds) {
        await engineRun(j, pkg, async (step) => {
          const cpu0 = rendererCpu();
          const r = await analyze(pkg, step);
          const cpu = rendererCpu() - cpu0;
          if (step !== false && !r.forecast) throw new Error(`${pkg}: the report has no forecast section`);
          return { ...r, cpu };
        }, i < 0 ? warmForecast : forecastMs, firstForecast, tag);
      }
    }
    peak = Math.max(0, ...rendererPeaks().values());
    await context.close();
  } finally {
    await browser.close();
    server.stop();
  }

  for (const [label] of VARIANTS) {
    const f = firstForecast[label];
    if (!f) continue;
    const b = f.bgnbd;
    console.log(`   ${label.padEnd(13)} forecast of ${f.customers?.toLocaleString('en')} customers: models ${f.candidates.join(', ')}; chosen ${f.chosen}` +
      (b ? `; BG/NBD r=${b.r.toFixed(4)} alpha=${b.alpha.toFixed(3)} a=${b.a.toFixed(4)} b=${b.b.toFixed(4)}` : '') +
      (f.not_fitted.length ? `; not fitted: ${f.not_fitted.map((/** @type {any} */ n) => n.model).join(', ')}` : ''));
  }
  console.log(`   renderer peak ${peak.toFixed(0)} MiB (both builds and the kernel loaded)`);

  console.log(`\n== summary (${customers.toLocaleString('en')} customers; medians of ${runs} runs, Chromium after ${warmups} warm-up; load average now ${load()})`);
  console.log('the forecast steps alone (bench_forecast\'s split: single-model path = BG/NBD fit + score; comparison = six models with covariances + score):');
  for (const { label, r } of natives) {
    const cpu = r.cpu ? `${r.cpu.single.toFixed(2)} s | comparison ${r.cpu.compared.toFixed(2)} s | ratio ${(r.cpu.compared / r.cpu.single).toFixed(2)}x  CPU; wall ` : '';
    console.log(`native ${label}      single-model path ${cpu}${r.single.toFixed(2)} s | ${r.compared.toFixed(2)} s | ${r.ratio.toFixed(2)}x`);
  }
  if (kernelRuns.length) {
    const med = (/** @type {'single' | 'compared'} */ w, /** @type {'ms' | 'cpu'} */ k) => median(kernelRuns.map((r) => r[w][k]));
    const [sc, cc, sw, cw] = [med('single', 'cpu'), med('compared', 'cpu'), med('single', 'ms'), med('compared', 'ms')];
    console.log(`Chromium (Wasm)      single-model path ${sc.toFixed(2)} s | comparison ${cc.toFixed(2)} s | ratio ${(cc / sc).toFixed(2)}x  CPU; wall ${s(sw)} | ${s(cw)} | ${(cw / sw).toFixed(2)}x`);
  }
  console.log('the engine\'s whole forecast (analysis with forecasts minus without; before = 16774c2^, BG/NBD and its limits):');
  summarize('native  ', cliForecast);
  summarize('Chromium', forecastMs);
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});

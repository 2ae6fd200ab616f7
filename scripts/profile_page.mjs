#!/usr/bin/env node
// Where the page's time goes from "file chosen" to "results drawn" (issue: the page takes
// 0.8-1.2 s more than the engine alone at 1M orders).
//
//   node scripts/profile_page.mjs [FILE.csv] [--query '?forecast=off'] [--runs N]
//        [--interval US] [--no-profile] [--trace] [--forecasts] [--top N] [--out DIR] [--dist DIR ...]
//
// FILE defaults to bench-out/orders_1m.csv. Needs www/dist (scripts/build_web.sh, or
// `cd www && node build.mjs` for the page's JS alone) and www/node_modules (playwright-core).
// Serves www/dist with www/serve.mjs, opens the page in headless Chromium (/usr/bin/chromium, or
// CHROMIUM_PATH), waits for the engine, chooses FILE on #file-input, and waits for
// <body data-results-seq> (what scripts/bench_duckdb.mjs calls "results drawn"). Each run is a
// fresh browser context. Printed per run:
//   - the timeline: every `ml:` User Timing span (www/src/perf.js) of the page and of the
//     engine's worker, in ms from the file chosen: the worker's reading of the chunks
//     (pushChunk's share in it), finishFile, each request (ml:engine:<type> = the Wasm call,
//     ml:worker:plain / ml:worker:post = the Map→object walk and the postMessage of its reply,
//     ml:main:receive = the reply's copy into the page, ml:call:<type> = the round trip), the
//     page's steps (ml:state:*) and each section's rendering (ml:render:*); then the marks
//     results drawn (the data attribute set) and results painted (the next frame after it);
//   - a breakdown: the same time cut into consecutive phases (worker reading, engine analyze,
//     the report's way to the page, the page's drawing, waits between them);
//   - unless --no-profile: the CPU profiles (CDP Profiler, sampling every --interval µs, default
//     250) of the main thread and of the worker, from the file chosen to the results drawn: busy
//     time, time per script (app.js, the ECharts chunk, worker.js, Wasm), the functions with the
//     most self time, and (worker) the time under each engine entry point (beginFile, pushChunk,
//     finishFile, analyze, queryMembers ...), GC included;
//   - with --trace: a Chrome trace of the same window (instead of the CPU profiles, which
//     would skew it): the main thread's and the worker's time in script, style, layout, paint
//     and GC (top-level events of each kind, nested ones not counted twice).
// The profiles are written as DIR/run<N>-{main,worker}.cpuprofile (default bench-out/profile-page),
// to open in Chromium's DevTools (a `node build.mjs --dev` site keeps the JS names; the Wasm has no
// name section, its functions show as wasm-function[N]).
//   --query '?forecast=off'  the page without its forecasts' call (by default the page starts it
//                            once the results are drawn: it is not in their time, but shares the
//                            machine with the drawing's tail)
//   --forecasts              then wait for the report with its forecasts (not profiled) and print
//                            its analyze call and its second drawing
//   --dist DIR               (repeatable) serve that built site instead of www/dist; with several,
//                            the runs take them in turn and the medians are printed per site: a
//                            before/after comparison on a noisy machine (copy www/dist aside
//                            before rebuilding)
//   --no-profile             the timeline alone (no profiler overhead): use it for times
//
// The worker is profiled over a CDP connection of this script's own (Chromium started with a
// --remote-debugging-port besides Playwright's pipe): the page's target is attached to, with
// Target.setAutoAttach (flatten) for its dedicated worker. ws comes from playwright-core's bundle.

import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { mkdirSync, existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { flags, startServer } from './bench-procs.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const nodeModules = path.join(repo, 'www', 'node_modules');
const require = createRequire(path.join(nodeModules, 'x.js'));
const argv = process.argv.slice(2);
const { take, has } = flags(argv);
const query = take('--query') ?? '';
const runs = Number(take('--runs') ?? 1);
const interval = Number(take('--interval') ?? 250);
const top = Number(take('--top') ?? 15);
const outDir = path.resolve(take('--out') ?? path.join(repo, 'bench-out', 'profile-page'));
/** Built sites to serve (default www/dist); several: the runs take them in turn (before/after). @type {string[]} */
const dists = [];
for (let d = take('--dist'); d !== undefined; d = take('--dist')) dists.push(path.resolve(d));
if (!dists.length) dists.push(path.join(repo, 'www', 'dist'));
const trace = has('--trace');
const untilForecasts = has('--forecasts');
const profile = !has('--no-profile') && !trace;
const file = path.resolve(argv.find((a) => !a.startsWith('--')) ?? path.join(repo, 'bench-out', 'orders_1m.csv'));
if (!existsSync(file)) throw new Error(`${file} missing (examples/gen_orders.rs makes it: see scripts/bench_duckdb.mjs)`);

// ------------------------------------------------------------------ a raw CDP connection

/** A free TCP port on 127.0.0.1. @returns {Promise<number>} */
function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = /** @type {import('node:net').AddressInfo} */ (s.address()).port;
      s.close(() => resolve(port));
    });
  });
}

/** CDP over a WebSocket, flattened sessions: send(method, params, sessionId), on(event, fn). */
class Cdp {
  /** @param {string} url */
  static async connect(url) {
    const { ws: WebSocket } = require('playwright-core/lib/utilsBundle');
    const sock = new WebSocket(url, { perMessageDeflate: false, maxPayload: 1 << 30 });
    await new Promise((resolve, reject) => { sock.once('open', resolve); sock.once('error', reject); });
    return new Cdp(sock);
  }

  /** @param {any} sock */
  constructor(sock) {
    this.sock = sock;
    this.id = 0;
    /** @type {Map<number, {resolve: (v: any) => void, reject: (e: Error) => void, method: string}>} */
    this.pending = new Map();
    /** @type {((msg: any) => void)[]} */
    this.listeners = [];
    sock.on('message', (/** @type {Buffer} */ data) => {
      const msg = JSON.parse(data.toString());
      if (msg.id !== undefined) {
        const p = this.pending.get(msg.id);
        if (!p) return;
        this.pending.delete(msg.id);
        if (msg.error) p.reject(new Error(`${p.method}: ${msg.error.message}`));
        else p.resolve(msg.result);
      } else {
        for (const l of this.listeners) l(msg);
      }
    });
  }

  /** @param {string} method @param {object} [params] @param {string} [sessionId] @returns {Promise<any>} */
  send(method, params = {}, sessionId) {
    const id = ++this.id;
    this.sock.send(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }));
    return new Promise((resolve, reject) => this.pending.set(id, { resolve, reject, method }));
  }

  /** @param {(msg: {method: string, params: any, sessionId?: string}) => void} fn */
  on(fn) { this.listeners.push(fn); }

  close() { this.sock.close(); }
}

// ------------------------------------------------------------------ the page's side

/**
 * Marks made in the page before its own scripts run: the file chosen (capture listener on the
 * input), the first results drawn (data-first-seq set: inventory, RFM, tiers …) and painted,
 * the results drawn (data-results-seq set: with tags, actions, growth and the members) and
 * painted (a frame after each).
 */
const INIT_SCRIPT = `(() => {
  addEventListener('change', (e) => { if (e.target && e.target.id === 'file-input') performance.mark('ml:file-chosen'); }, true);
  // <body data-KEY-seq> set: the mark ml:NAME-drawn, and ml:NAME-painted a frame after.
  const markWhenSet = (key, name) => new MutationObserver((_, obs) => {
    if (Number(document.body.dataset[key + 'Seq'] || 0) > 0) {
      obs.disconnect();
      performance.mark('ml:' + name + '-drawn');
      requestAnimationFrame(() => setTimeout(() => performance.mark('ml:' + name + '-painted'), 0));
    }
  }).observe(document.body, { attributes: true, attributeFilter: ['data-' + key + '-seq'] });
  const watch = () => {
    markWhenSet('first', 'first');
    markWhenSet('results', 'results');
  };
  if (document.body) watch(); else addEventListener('DOMContentLoaded', watch);
})();`;

/** The `ml:` marks and measures of a thread, with its time origin. */
const COLLECT = `JSON.stringify({ origin: performance.timeOrigin, entries: performance.getEntries()
  .filter((e) => e.name.startsWith('ml:'))
  .map((e) => ({ name: e.name, type: e.entryType, start: e.startTime, dur: e.duration, detail: e.detail ?? null })) })`;

/** @typedef {{name: string, type: string, start: number, dur: number, detail: any, thread: string}} Entry */

/** @param {Cdp} cdp @param {string} sessionId @param {string} thread @returns {Promise<Entry[]>} */
async function collect(cdp, sessionId, thread) {
  const r = await cdp.send('Runtime.evaluate', { expression: COLLECT, returnByValue: true }, sessionId);
  const { origin, entries } = JSON.parse(r.result.value);
  // Absolute ms (epoch): the page's and the worker's clocks have different origins.
  return entries.map((/** @type {any} */ e) => ({ ...e, start: origin + e.start, thread }));
}

// ------------------------------------------------------------------ CPU profiles

/**
 * Self time per node (µs) of a V8 CPU profile, and each node's parent.
 * @param {any} prof
 */
function selfTimes(prof) {
  /** @type {Map<number, any>} */
  const nodes = new Map(prof.nodes.map((/** @type {any} */ n) => [n.id, n]));
  /** @type {Map<number, number>} */
  const parent = new Map();
  for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  /** @type {Map<number, number>} */
  const self = new Map();
  const { samples, timeDeltas } = prof;
  for (let i = 0; i < samples.length; i++) {
    // A sample's time: the gap to the next sample (the last: the mean gap).
    const dt = i + 1 < timeDeltas.length ? timeDeltas[i + 1] : interval;
    self.set(samples[i], (self.get(samples[i]) ?? 0) + Math.max(0, dt));
  }
  return { nodes, parent, self };
}

/** A frame's script, short. @param {any} cf */
function scriptOf(cf) {
  if (!cf.url) return cf.functionName.startsWith('(') ? cf.functionName : '(native)';
  if (cf.url.startsWith('wasm://')) return 'wasm';
  return path.basename(new URL(cf.url).pathname) || cf.url;
}

/** @param {any} cf */
const frameName = (cf) => `${cf.functionName || '(anonymous)'} ${scriptOf(cf)}:${cf.lineNumber + 1}:${cf.columnNumber + 1}`;

/** The engine's glue (memberlens.js) methods: the Wasm calls the worker makes. */
const ENTRY = new Set(['beginFile', 'pushChunk', 'finishFile', 'analyze', 'memberColumns', 'queryMembers', 'playbookJson',
  'report', 'tagSummary', 'countRule', 'audiences', 'catalogueJson', 'filePreview', 'setKeepBytes', 'exportMembers', 'aliveHistory']);

/**
 * Prints a profile's summary: busy time, per script, top self, and (worker) per engine entry.
 * @param {string} label @param {any} prof
 */
function summarise(label, prof) {
  const { nodes, parent, self } = selfTimes(prof);
  const total = (prof.endTime - prof.startTime) / 1000;
  /** @type {Map<string, number>} */
  const byScript = new Map();
  /** @type {Map<string, number>} */
  const byFn = new Map();
  /** @type {Map<string, number>} */
  const byEntry = new Map();
  let idle = 0;
  for (const [id, us] of self) {
    const cf = nodes.get(id).callFrame;
    const ms = us / 1000;
    if (cf.functionName === '(idle)') { idle += ms; continue; }
    byScript.set(scriptOf(cf), (byScript.get(scriptOf(cf)) ?? 0) + ms);
    byFn.set(frameName(cf), (byFn.get(frameName(cf)) ?? 0) + ms);
    // The nearest engine entry above the sample (else the frame just under the root).
    let entry = '';
    let below = id;
    for (let p = id; p !== undefined; p = /** @type {number} */ (parent.get(p))) {
      const f = nodes.get(p).callFrame;
      if (ENTRY.has(f.functionName) && scriptOf(f) !== 'wasm') { entry = f.functionName; break; }
      if (parent.get(p) !== undefined && nodes.get(/** @type {number} */ (parent.get(p))).callFrame.functionName === '(root)') below = p;
    }
    const key = entry ? `engine ${entry}` : `outside: ${frameName(nodes.get(below).callFrame)}`;
    byEntry.set(key, (byEntry.get(key) ?? 0) + ms);
  }
  const busy = total - idle;
  const sorted = (/** @type {Map<string, number>} */ m) => [...m].sort((a, b) => b[1] - a[1]);
  console.log(`  ${label} profile: ${f0(total)} ms recorded, ${f0(busy)} busy, ${f0(idle)} idle`);
  console.log(`    by script: ${sorted(byScript).filter(([, v]) => v >= 1).map(([k, v]) => `${k} ${f0(v)}`).join(', ')}`);
  console.log('    by entry point (self time below it):');
  for (const [k, v] of sorted(byEntry).slice(0, top)) if (v >= 2) console.log(`      ${f0(v).padStart(6)} ms  ${k}`);
  console.log('    top self time:');
  for (const [k, v] of sorted(byFn).slice(0, top)) console.log(`      ${f0(v).padStart(6)} ms  ${k}`);
}

// ------------------------------------------------------------------ trace

const TRACE_CATEGORIES = ['devtools.timeline', 'blink.user_timing', 'v8', 'v8.execute', 'disabled-by-default-devtools.timeline'];

/** Kinds of top-level work in a trace: name → kind (events not listed count as 'other' when top-level). */
const KIND = /** @type {Record<string, string>} */ ({
  FunctionCall: 'script', EvaluateScript: 'script', HandlePostMessage: 'script', 'v8.run': 'script', 'v8.compile': 'script', 'v8.compileModule': 'script', TimerFire: 'script',
  EventDispatch: 'script', FireAnimationFrame: 'script', RunMicrotasks: 'script', 'v8.evaluateModule': 'script', V8Execute: 'script',
  UpdateLayoutTree: 'style', RecalculateStyles: 'style', ParseAuthorStyleSheet: 'style',
  Layout: 'layout', PrePaint: 'paint', Paint: 'paint', Layerize: 'paint', UpdateLayer: 'paint', UpdateLayerTree: 'paint', CompositeLayers: 'paint', Commit: 'paint',
  MinorGC: 'gc', MajorGC: 'gc', 'BlinkGC.AtomicPhase': 'gc', 'V8.GCScavenger': 'gc', 'V8.GCFinalizeMC': 'gc', 'V8.GC_MC_BACKGROUND_EVACUATE_COPY': 'gc',
});

/**
 * Per thread (main, worker): time by kind within [from, to] (µs), counting an event only when no
 * enclosing event of a known kind on that thread counts already (except style/layout/paint/gc
 * inside script: those count as their own kind and are taken out of the script's).
 * @param {any[]} events @param {number} pid @param {Record<string, number>} tids @param {number} from @param {number} to
 */
function traceKinds(events, pid, tids, from, to) {
  /** @type {Record<string, Record<string, number>>} */
  const out = {};
  for (const [thread, tid] of Object.entries(tids)) {
    const evs = events.filter((e) => e.pid === pid && e.tid === tid && e.ph === 'X' && e.dur !== undefined && e.ts < to && e.ts + e.dur > from)
      .sort((a, b) => a.ts - b.ts || b.dur - a.dur);
    /** @type {Record<string, number>} */
    const kinds = { task: 0, script: 0, style: 0, layout: 0, paint: 0, gc: 0 };
    /** @type {{end: number, kind: string}[]} */
    const stack = [];
    for (const e of evs) {
      while (stack.length && stack[stack.length - 1].end <= e.ts) stack.pop();
      const kind = e.name === 'RunTask' || e.name === 'ThreadControllerImpl::RunTask' ? 'task' : KIND[e.name];
      const dur = Math.min(e.ts + e.dur, to) - Math.max(e.ts, from);
      if (kind === 'task') { if (!stack.some((s) => s.kind === 'task')) kinds.task += dur; }
      else if (kind) {
        const inner = stack.filter((s) => s.kind !== 'task' && s.kind !== 'other');
        if (!inner.length) kinds[kind] += dur;
        else if (kind !== 'script' && !inner.some((s) => s.kind !== 'script')) { kinds[kind] += dur; kinds.script -= dur; }
      }
      stack.push({ end: e.ts + e.dur, kind: kind ?? 'other' });
    }
    out[thread] = kinds;
    // The event names under the tasks, direct children first, by time.
    /** @type {Map<string, number>} */
    const names = new Map();
    /** @type {{end: number, depth: number}[]} */
    const st = [];
    for (const e of evs) {
      while (st.length && st[st.length - 1].end <= e.ts) st.pop();
      if (st.length === 1) names.set(e.name, (names.get(e.name) ?? 0) + Math.min(e.ts + e.dur, to) - Math.max(e.ts, from));
      st.push({ end: e.ts + e.dur, depth: st.length });
    }
    kinds.names = /** @type {any} */ ([...names].sort((a, b) => b[1] - a[1]).slice(0, 8));
  }
  return out;
}

// ------------------------------------------------------------------ one run

const f0 = (/** @type {number} */ v) => v.toFixed(0);

/**
 * @param {any} browser @param {Cdp} cdp @param {string} url @param {number} run
 */
async function runOnce(browser, cdp, url, run) {
  const context = await browser.newContext({ serviceWorkers: 'block' });
  /** @type {string[]} */
  const sessions = [];
  try {
    const page = await context.newPage();
    await page.addInitScript(INIT_SCRIPT);
    const pageUrl = url + query + (query ? '&' : '?') + `profile-run=${run}-${Date.now()}`;
    await page.goto(pageUrl);
    await page.waitForFunction(() => document.body.dataset.state === 'empty', null, { timeout: 60_000 });

    // Attach to the page's target, and through it to its worker.
    const { targetInfos } = await cdp.send('Target.getTargets');
    const target = targetInfos.find((/** @type {any} */ t) => t.type === 'page' && t.url === pageUrl);
    if (!target) throw new Error(`page target ${pageUrl} not found`);
    const { sessionId: pageSession } = await cdp.send('Target.attachToTarget', { targetId: target.targetId, flatten: true });
    sessions.push(pageSession);
    /** @type {Promise<string>} */
    const workerAttached = new Promise((resolve) => cdp.on((m) => {
      if (m.method === 'Target.attachedToTarget' && m.sessionId === pageSession && m.params.targetInfo.type === 'worker') resolve(m.params.sessionId);
    }));
    await cdp.send('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: false, flatten: true }, pageSession);
    const workerSession = await Promise.race([workerAttached, new Promise((_, rej) => setTimeout(() => rej(new Error('no worker target')), 10_000))]);
    sessions.push(/** @type {string} */ (workerSession));
    const threads = /** @type {[string, string][]} */ ([['main', pageSession], ['worker', /** @type {string} */ (workerSession)]]);

    if (profile) {
      for (const [, s] of threads) {
        await cdp.send('Profiler.enable', {}, s);
        await cdp.send('Profiler.setSamplingInterval', { interval }, s);
      }
    }
    /** @type {any[]} */
    const traceEvents = [];
    /** @type {Promise<void> | null} */
    let traceDone = null;
    if (trace) {
      traceDone = new Promise((resolve) => cdp.on((m) => {
        if (m.method === 'Tracing.dataCollected' && !m.sessionId) traceEvents.push(...m.params.value);
        if (m.method === 'Tracing.tracingComplete' && !m.sessionId) resolve();
      }));
      await cdp.send('Tracing.start', { traceConfig: { includedCategories: TRACE_CATEGORIES, recordMode: 'recordContinuously' }, transferMode: 'ReportEvents' });
    }
    if (profile) for (const [, s] of threads) await cdp.send('Profiler.start', {}, s);

    const t0 = Date.now();
    await page.setInputFiles('#file-input', file);
    const state = await (await page.waitForFunction(() => {
      const b = document.body;
      if (b.dataset.state === 'error') return 'error';
      return Number(b.dataset.resultsSeq || 0) > 0 ? 'drawn' : null;
    }, null, { timeout: 600_000, polling: 20 })).jsonValue();
    const nodeMs = Date.now() - t0;
    if (state === 'error') throw new Error(`page error: ${await page.textContent('#error-text')}`);
    // The frame after the results (painted), then stop recording.
    await page.waitForFunction(() => performance.getEntriesByName('ml:results-painted').length > 0, null, { timeout: 30_000, polling: 20 });
    /** @type {Record<string, any>} */
    const profiles = {};
    if (profile) {
      for (const [name, s] of threads) profiles[name] = (await cdp.send('Profiler.stop', {}, s)).profile;
    }
    if (trace) {
      await cdp.send('Tracing.end');
      await traceDone;
    }
    // --forecasts: on to the report with its forecasts (not profiled), for its spans.
    if (untilForecasts) {
      await page.waitForFunction(() => document.body.dataset.state === 'ready' && Number(document.body.dataset.reportSeq || 0) > 0, null, { timeout: 600_000, polling: 50 });
    }
    const entries = [...await collect(cdp, pageSession, 'main'), ...await collect(cdp, /** @type {string} */ (workerSession), 'worker')];
    const forecasts = await page.evaluate(() => document.body.dataset.forecastState ?? '');
    return { nodeMs, entries, profiles, traceEvents, forecasts };
  } finally {
    for (const s of sessions.reverse()) await cdp.send('Target.detachFromTarget', { sessionId: s }).catch(() => {});
    await context.close();
  }
}

// ------------------------------------------------------------------ printing

/** @param {Entry[]} entries @param {number} nodeMs @param {string} forecasts */
function printTimeline(entries, nodeMs, forecasts) {
  const chosen = entries.find((e) => e.name === 'ml:file-chosen');
  const drawn = entries.find((e) => e.name === 'ml:results-drawn');
  const painted = entries.find((e) => e.name === 'ml:results-painted');
  if (!chosen || !drawn) throw new Error('marks ml:file-chosen / ml:results-drawn missing');
  const at = (/** @type {number} */ abs) => abs - chosen.start;
  const inWindow = entries.filter((e) => e.type === 'measure' && e.start >= chosen.start - 1 && e.start <= (painted ?? drawn).start)
    .sort((a, b) => a.start - b.start);
  const firstDrawn = entries.find((e) => e.name === 'ml:first-drawn');
  const firstPainted = entries.find((e) => e.name === 'ml:first-painted');
  console.log(`  file chosen → first results drawn ${firstDrawn ? f0(at(firstDrawn.start)) : '?'} ms, painted ${firstPainted ? f0(at(firstPainted.start)) : '?'} ms; all results drawn ${f0(at(drawn.start))} ms, painted ${painted ? f0(at(painted.start)) : '?'} ms (Playwright saw ${nodeMs} ms; forecasts ${forecasts})`);
  console.log('    start    end    ms  thread  span');
  // Many small spans of one kind (a request's plain/post/receive under 1 ms) are kept: they are few.
  for (const e of inWindow) {
    const d = e.detail && typeof e.detail === 'object' ? ` ${JSON.stringify(e.detail, (k, v) => (typeof v === 'number' && !Number.isInteger(v) ? Number(v.toFixed(1)) : v))}` : '';
    console.log(`    ${f0(at(e.start)).padStart(5)}  ${f0(at(e.start + e.dur)).padStart(5)}  ${e.dur.toFixed(1).padStart(6)}  ${e.thread.padEnd(6)}  ${e.name}${d}`);
  }

  // Consecutive phases.
  const first = (/** @type {string} */ name, /** @type {string} */ thread) => inWindow.find((e) => e.name === name && e.thread === thread);
  const firstOf = (/** @type {(e: Entry) => boolean} */ p) => inWindow.find(p);
  const chunks = first('ml:worker:chunks', 'worker');
  const finish = first('ml:engine:finishFile', 'worker');
  const addFile = first('ml:call:addFile', 'main');
  const analyze = first('ml:engine:analyze', 'worker');
  const analyzeCall = first('ml:call:analyze', 'main');
  const show = first('ml:state:showReport', 'main');
  const renderReport = first('ml:state:renderReport', 'main');
  /** @type {[string, number | undefined, number | undefined][]} */
  const phases = [];
  const end = (/** @type {Entry | undefined} */ e) => (e ? e.start + e.dur : undefined);
  phases.push(['file chosen → worker starts reading', chosen.start, chunks?.start]);
  phases.push([`worker reads the chunks (pushChunk ${chunks ? f0(chunks.detail.pushMs) : '?'} ms of it)`, chunks?.start, end(chunks)]);
  phases.push(['engine finishFile (parse)', finish?.start, end(finish)]);
  phases.push(['finishFile → page has the summary', end(finish), end(addFile)]);
  phases.push(['page: file cards, analyze requested → engine starts', end(addFile), analyze?.start]);
  phases.push(['engine analyze (Wasm, report to JS included)', analyze?.start, end(analyze)]);
  const analyzePlainPost = inWindow.filter((e) => e.thread === 'worker' && e.detail?.type === 'analyze');
  const recv = firstOf((e) => e.name === 'ml:main:receive' && e.detail?.type === 'analyze');
  phases.push([`report to the page (plain ${f0(analyzePlainPost.find((e) => e.name === 'ml:worker:plain')?.dur ?? NaN)} ms, postMessage ${f0(analyzePlainPost.find((e) => e.name === 'ml:worker:post')?.dur ?? NaN)}, copy in ${recv ? f0(recv.dur) : '?'})`, end(analyze), end(analyzeCall)]);
  phases.push(['page: showReport until renderReport', end(analyzeCall), renderReport?.start]);
  phases.push(['page: renderReport (sections)', renderReport?.start, end(renderReport)]);
  phases.push(['page: top CLV, member page, rule/drafts', end(renderReport), end(show)]);
  phases.push(['showReport → results drawn', end(show), drawn.start]);
  phases.push(['results drawn → painted', drawn.start, painted?.start]);
  console.log('  breakdown:');
  for (const [label, a, b] of phases) {
    const v = a !== undefined && b !== undefined ? b - a : NaN;
    console.log(`    ${(Number.isNaN(v) ? '?' : f0(v)).padStart(6)} ms  ${label}`);
  }
  // Engine calls of the window, summed per type.
  /** @type {Map<string, number>} */
  const calls = new Map();
  for (const e of inWindow) if (e.thread === 'worker' && e.name.startsWith('ml:engine:')) calls.set(e.name.slice(10), (calls.get(e.name.slice(10)) ?? 0) + e.dur);
  console.log(`  engine calls: ${[...calls].map(([k, v]) => `${k} ${f0(v)}`).join(', ')}`);
  /** @type {Map<string, number>} */
  const renders = new Map();
  for (const e of inWindow) if (e.name.startsWith('ml:render:')) renders.set(e.name.slice(10), (renders.get(e.name.slice(10)) ?? 0) + e.dur);
  console.log(`  rendering: ${[...renders].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v.toFixed(1)}`).join(', ')}`);
  // After the results: the forecasts' call and the second drawing (--forecasts).
  const after = entries.filter((e) => e.type === 'measure' && e.start > drawn.start && !e.name.startsWith('ml:render:') || e.start > (painted ?? drawn).start)
    .sort((a, b) => a.start - b.start);
  if (after.length) {
    const fc = after.find((e) => e.name === 'ml:engine:analyze');
    const show2 = after.find((e) => e.name === 'ml:state:showReport');
    console.log(`  after the results: forecasts' analyze ${fc ? `${f0(fc.dur)} ms (${f0(at(fc.start))} → ${f0(at(fc.start + fc.dur))})` : '-'}, showReport again ${show2 ? `${f0(show2.dur)} ms, done at ${f0(at(show2.start + show2.dur))}` : '-'}`);
    /** @type {Map<string, number>} */
    const r2 = new Map();
    for (const e of after) if (e.name.startsWith('ml:render:')) r2.set(e.name.slice(10), (r2.get(e.name.slice(10)) ?? 0) + e.dur);
    console.log(`    its rendering: ${[...r2].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v.toFixed(1)}`).join(', ')}`);
  }
  return { first: firstDrawn ? at(firstDrawn.start) : NaN, firstPainted: firstPainted ? at(firstPainted.start) : NaN, drawn: at(drawn.start), painted: painted ? at(painted.start) : NaN, phases: phases.map(([l, a, b]) => [l, a !== undefined && b !== undefined ? b - a : NaN]) };
}

/** @param {any[]} events @param {Entry[]} entries */
function printTrace(events, entries) {
  const names = new Map();
  for (const e of events) if (e.ph === 'M' && e.name === 'thread_name') names.set(`${e.pid}:${e.tid}`, e.args.name);
  const mark = (/** @type {string} */ n) => events.find((e) => e.cat?.includes('blink.user_timing') && e.name === n);
  const chosen = mark('ml:file-chosen');
  const drawn = mark('ml:results-painted') ?? mark('ml:results-drawn');
  if (!chosen || !drawn) { console.log('  trace: marks not found'); return; }
  const pid = chosen.pid;
  const worker = [...names].find(([k, v]) => k.startsWith(`${pid}:`) && /DedicatedWorker/.test(v));
  const tids = { main: chosen.tid, ...(worker ? { worker: Number(worker[0].split(':')[1]) } : {}) };
  const kinds = traceKinds(events, pid, tids, chosen.ts, drawn.ts);
  console.log(`  trace, file chosen → results painted (${f0((drawn.ts - chosen.ts) / 1000)} ms), top-level time by kind:`);
  for (const [thread, k] of Object.entries(kinds)) {
    console.log(`    ${thread.padEnd(6)} busy ${f0(k.task / 1000)} ms: script ${f0(k.script / 1000)}, style ${f0(k.style / 1000)}, layout ${f0(k.layout / 1000)}, paint ${f0(k.paint / 1000)}, gc ${f0(k.gc / 1000)}`);
    console.log(`           under its tasks: ${/** @type {any} */ (k.names).map((/** @type {[string, number]} */ [n, v]) => `${n} ${f0(v / 1000)}`).join(', ')}`);
  }
  // The main thread's tasks after the report arrived: the biggest ones.
  const recv = entries.find((e) => e.name === 'ml:call:analyze');
  const big = events.filter((e) => e.pid === pid && e.tid === chosen.tid && e.ph === 'X' && KIND[e.name] && KIND[e.name] !== 'script' && e.ts >= chosen.ts && e.ts <= drawn.ts && e.dur > 5000)
    .sort((a, b) => b.dur - a.dur).slice(0, 10);
  if (big.length) console.log(`    main thread's largest style/layout/paint/gc events: ${big.map((e) => `${e.name} ${f0(e.dur / 1000)} ms @${f0((e.ts - chosen.ts) / 1000)}`).join(', ')}`);
  void recv;
}

// ------------------------------------------------------------------ main

async function main() {
  for (const d of dists) if (!existsSync(path.join(d, 'index.html'))) throw new Error(`${d}/index.html missing: cd www && node build.mjs`);
  const { chromium } = await import(path.join(nodeModules, 'playwright-core', 'index.mjs'));
  const servers = await Promise.all(dists.map((d) => startServer(d)));
  const port = await freePort();
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run',
      `--remote-debugging-port=${port}`],
  });
  mkdirSync(outDir, { recursive: true });
  try {
    const version = await (await fetch(`http://127.0.0.1:${port}/json/version`)).json();
    const cdp = await Cdp.connect(version.webSocketDebuggerUrl);
    console.log(`file ${path.relative(repo, file)}${query ? `, query ${query}` : ''}; ${profile ? `CPU profiles every ${interval} µs` : trace ? 'Chrome trace' : 'no profile'}`);
    /** Per dist: results drawn, painted, as Playwright saw it, and each phase, per run. @type {{drawn: number[], painted: number[], seen: number[], phases: Map<string, number[]>}[]} */
    const stats = dists.map(() => ({ first: /** @type {number[]} */ ([]), firstPainted: /** @type {number[]} */ ([]), drawn: [], painted: [], seen: [], phases: new Map() }));
    for (let run = 1; run <= runs; run++) {
      const k = (run - 1) % dists.length;
      console.log(`run ${run}${dists.length > 1 ? ` (${path.relative(repo, dists[k]) || dists[k]})` : ''}:`);
      const r = await runOnce(browser, cdp, servers[k].url, run);
      const t = printTimeline(r.entries, r.nodeMs, r.forecasts);
      stats[k].first.push(t.first);
      stats[k].firstPainted.push(t.firstPainted);
      stats[k].drawn.push(t.drawn);
      stats[k].painted.push(t.painted);
      stats[k].seen.push(r.nodeMs);
      for (const [label, v] of t.phases) stats[k].phases.set(label.replace(/ \(.*/, ''), [...(stats[k].phases.get(label.replace(/ \(.*/, '')) ?? []), v]);
      if (profile) {
        for (const [name, prof] of Object.entries(r.profiles)) {
          summarise(name, prof);
          writeFileSync(path.join(outDir, `run${run}-${name}.cpuprofile`), JSON.stringify(prof));
        }
      }
      if (trace) printTrace(r.traceEvents, r.entries);
    }
    if (runs > 1) {
      const median = (/** @type {number[]} */ v) => { const s = [...v].sort((a, b) => a - b); return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };
      dists.forEach((d, k) => {
        const st = stats[k];
        if (!st.drawn.length) return;
        console.log(`${path.relative(repo, d) || d}: medians over ${st.drawn.length} runs: first results drawn ${f0(median(st.first))} ms (${st.first.map(f0).join(', ')}), painted ${f0(median(st.firstPainted))}; all results drawn ${f0(median(st.drawn))} ms (${st.drawn.map(f0).join(', ')}), painted ${f0(median(st.painted))}, Playwright saw ${f0(median(st.seen))}`);
        for (const [label, v] of st.phases) console.log(`    ${f0(median(v)).padStart(6)} ms  ${label}`);
      });
    }
    if (profile) console.log(`profiles in ${path.relative(repo, outDir)}/`);
    cdp.close();
  } finally {
    await browser.close();
    for (const sv of servers) sv.stop();
  }
}

main().catch((e) => { console.error(e); process.exit(1); });

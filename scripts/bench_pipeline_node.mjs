#!/usr/bin/env node
// The page's engine (www/pkg, the Wasm build the worker loads) under Node, without the page:
// where the time and the Wasm memory of one file go, and what a second core could give the
// reading of it.
//
//   node scripts/bench_pipeline_node.mjs [FILE.csv] [--no-forecast] [--whole] [--halves] [--runs N]
//
// The file goes in as the page's worker hands it over: 64 KiB chunks, its options given to
// beginFile so that the engine reads the rows as the chunks arrive and frees each chunk's text
// (--whole: no options, the bytes gathered and read at the end, as before 2026-11-30).
// Phases: chunks in (pushChunk), parse (finishFile), analysis without forecasts, analysis with
// forecasts (what the page's second call does), each with its wall and CPU time, and the Wasm
// memory after each (it only grows: the last figure is the engine's peak).
// --halves: one engine instance reading the whole file against two instances (worker threads)
// each reading one half at once (split at a line start, the header repeated): the most two
// workers could gain on the read, before their parts are joined. Needs www/pkg
// (scripts/build_web.sh).

import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const pkg = process.env.MEMBERLENS_PKG || path.join(repo, 'www', 'pkg');

/** A fresh engine instance. */
async function engine() {
  const { default: init, Analyzer } = await import(path.join(pkg, 'memberlens.js'));
  const wasm = await init({ module_or_path: readFileSync(path.join(pkg, 'memberlens_bg.wasm')) });
  const a = new Analyzer();
  a.setKeepBytes(false);
  return { a, mib: () => wasm.memory.buffer.byteLength / 1048576 };
}

/** @param {any} a @param {Uint8Array} bytes @param {boolean} [whole] */
function ingest(a, bytes, whole) {
  a.beginFile('f.csv', bytes.length, whole ? undefined : {});
  for (let o = 0; o < bytes.length; o += 1 << 16) a.pushChunk('f.csv', bytes.subarray(o, o + (1 << 16)));
  return a.finishFile('f.csv', {});
}

/**
 * One file through a fresh engine: each phase's wall and CPU time and the Wasm memory after it.
 * @param {Uint8Array} text @param {boolean} noForecast @param {boolean} whole
 */
async function phases(text, noForecast, whole) {
  const { a, mib } = await engine();
  let c = process.cpuUsage();
  let t = performance.now();
  const lap = () => {
    const d = process.cpuUsage(c);
    const r = { ms: performance.now() - t, cpu: (d.user + d.system) / 1000, mib: mib() };
    c = process.cpuUsage(); t = performance.now();
    return r;
  };
  a.beginFile('f.csv', text.length, whole ? undefined : {});
  for (let o = 0; o < text.length; o += 1 << 16) a.pushChunk('f.csv', text.subarray(o, o + (1 << 16)));
  const chunks = lap();
  const s = a.finishFile('f.csv', {});
  const parse = lap();
  a.analyze({ forecast: { enabled: false } });
  const results = lap();
  const forecasts = noForecast ? null : (a.analyze({ forecast: { enabled: true, time_unit_days: 1, clv_months: 12, discount: 0.01 } }), lap());
  return { rows: s.rows, chunks, parse, results, forecasts };
}

if (!isMainThread) {
  if (workerData.phases) {
    parentPort?.postMessage(await phases(workerData.bytes, workerData.noForecast, workerData.whole));
  } else {
    const { a } = await engine();
    const t = performance.now();
    const s = ingest(a, workerData.bytes, workerData.whole);
    parentPort?.postMessage({ ms: performance.now() - t, rows: s.rows });
  }
} else {
  const args = process.argv.slice(2);
  const flag = (f) => { const i = args.indexOf(f); if (i >= 0) args.splice(i, 1); return i >= 0; };
  const runsAt = args.indexOf('--runs');
  const runs = runsAt >= 0 ? Number(args.splice(runsAt, 2)[1]) : 1;
  const noForecast = flag('--no-forecast');
  const halves = flag('--halves');
  const whole = flag('--whole');
  const file = path.resolve(args[0] || path.join(repo, 'bench-out', 'orders_1m.csv'));
  const text = readFileSync(file);
  console.log(`file: ${path.relative(repo, file)} (${(text.length / 1048576).toFixed(1)} MiB)`);
  for (let run = 1; run <= runs; run++) {
    if (halves) {
      const header = text.subarray(0, text.indexOf(10) + 1);
      const mid = text.indexOf(10, text.length >> 1) + 1;
      const parts = [text.subarray(0, mid), Buffer.concat([header, text.subarray(mid)])];
      const read = (list) => new Promise((resolve, reject) => {
        const t0 = performance.now();
        const out = [];
        for (const bytes of list) {
          const w = new Worker(new URL(import.meta.url), { workerData: { bytes, whole } });
          w.on('error', reject);
          w.on('message', (m) => { out.push(m); w.terminate(); if (out.length === list.length) resolve({ ms: performance.now() - t0, out }); });
        }
      });
      const one = await read([text]);
      const two = await read(parts);
      console.log(`  run ${run}: one instance, whole file ${one.ms.toFixed(0)} ms (read ${one.out[0].ms.toFixed(0)} ms) | two instances, a half each at once ${two.ms.toFixed(0)} ms (reads ${two.out.map((o) => o.ms.toFixed(0)).join(', ')} ms; rows ${two.out.map((o) => o.rows).join(' + ')} of ${one.out[0].rows})`);
      continue;
    }
    // A fresh worker (and engine) per run: the Wasm memory only grows.
    const { rows, chunks, parse, results, forecasts } = await new Promise((resolve, reject) => {
      const w = new Worker(new URL(import.meta.url), { workerData: { phases: true, bytes: text, noForecast, whole } });
      w.on('error', reject);
      w.on('message', (m) => { w.terminate(); resolve(m); });
    });
    const fmt = (p) => `${p.ms.toFixed(0)} ms (CPU ${p.cpu.toFixed(0)}), Wasm ${p.mib.toFixed(0)} MiB`;
    console.log(`  run ${run}: ${rows} rows | chunks in ${fmt(chunks)} | parse ${fmt(parse)} | analysis without forecasts ${fmt(results)}${forecasts ? ` | with forecasts ${fmt(forecasts)}` : ''}`);
  }
}

// What the browser benchmarks share: www/serve.mjs started on a built site, the peak
// resident memory (VmHWM) of the Chromium renderer processes a script started, from /proc,
// and their flag reading.

import { spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * www/serve.mjs on `dir` (a built site), on a free port of 127.0.0.1.
 * @param {string} dir
 * @returns {Promise<{ url: string, stop: () => void }>}
 */
export async function startServer(dir) {
  const child = spawn(process.execPath, [path.join(repo, 'www', 'serve.mjs'), dir],
    { env: { ...process.env, PORT: '0' }, stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => { out += d; const m = out.match(/http:\/\/127\.0\.0\.1:\d+\//); if (m) resolve(m[0]); });
    child.on('exit', (c) => reject(new Error(`server exited ${c}`)));
  });
  return { url, stop: () => child.kill('SIGTERM') };
}

/**
 * Renderer processes under `root` (default: this script): pid → peak resident MiB (VmHWM).
 * @param {number} [root]
 * @returns {Map<number, number>}
 */
export function rendererPeaks(root = process.pid) {
  /** @type {Map<number, number[]>} */
  const children = new Map();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (!children.has(ppid)) children.set(ppid, []);
      children.get(ppid)?.push(Number(d));
    } catch { /* gone */ }
  }
  /** @type {Map<number, number>} */
  const out = new Map();
  const todo = [root];
  while (todo.length) {
    const p = /** @type {number} */ (todo.pop());
    for (const c of children.get(p) ?? []) {
      todo.push(c);
      try {
        if (!readFileSync(`/proc/${c}/cmdline`, 'utf8').includes('--type=renderer')) continue;
        const m = readFileSync(`/proc/${c}/status`, 'utf8').match(/VmHWM:\s+(\d+) kB/);
        if (m) out.set(c, Number(m[1]) / 1024);
      } catch { /* gone */ }
    }
  }
  return out;
}

/**
 * Flag readers over `argv`, which they consume: what is left are the plain arguments.
 * `take('--runs')` is the value after a flag (undefined when absent), `has('--trace')` whether
 * a flag is there.
 * @param {string[]} argv
 */
export function flags(argv) {
  return {
    /** @param {string} flag */
    take(flag) {
      const i = argv.indexOf(flag);
      return i >= 0 ? argv.splice(i, 2)[1] : undefined;
    },
    /** @param {string} flag */
    has(flag) {
      const i = argv.indexOf(flag);
      if (i >= 0) argv.splice(i, 1);
      return i >= 0;
    },
  };
}

// The single-file build: www/dist-single/memberlens.html, one HTML file with the Wasm engine,
// the worker, the page's script and styles and the demo exports inlined. It opens from file://
// (a USB stick, an e-mail attachment) and makes no request at all.
//   node build-single.mjs [--dev]     (build.mjs runs it after the served site)
// Expects www/pkg/ from wasm-bindgen (scripts/build_web.sh makes it).
//
// How the pieces get in without a request:
//   Wasm    base64, the text of a <script type="application/octet-stream" id="memberlens-wasm">
//           element (never run); the page decodes it once and hands the bytes to the worker in
//           its `init` message (worker.js instantiates bytes when given them instead of a URL).
//   worker  its bundle is the text of a <script type="text/plain" id="memberlens-worker">
//           element; the worker is started from a data: URL of that text. The engine client
//           (engine/client.js) is wrapped so that these are its defaults.
//   demo    the three CSV files (base64: one is GBK) are in the page's bundle; a `fetch` of demo/NAME is
//           answered from them (esbuild's `inject` replaces the global `fetch` in the bundle;
//           any other fetch is refused: nothing leaves the file).
//   script, styles   inline, allowed by their SHA-256 hashes in the Content-Security-Policy.
//
// The policy (a <meta> tag; nothing sends headers to a file:// page):
//   default-src 'none'                       nothing not listed below
//   script-src 'sha256-…' 'wasm-unsafe-eval' the page's one inline script; Wasm compilation
//   worker-src data:                         the engine's worker, from a data: URL of its text
//   connect-src 'none'                       no fetch, XHR, WebSocket or beacon at all
//   style-src 'sha256-…'                     the one inline <style>
//   img-src data: blob:                      charts' print images (canvas → data: URL)
// Why data: for the worker: a file:// page has an opaque origin, and Chromium (156) refuses it a
// worker from a file: URL (SecurityError) and a module worker from a blob: URL it made itself
// (the load fails; a classic blob: worker would start, but the engine's worker is a module and a
// blob: load is a request the browser records); a data: URL module worker starts and is no
// request. A data: URL holds at most 2 MB in Chromium, hence the Wasm travels apart.
// A worker from a data: URL inherits the page's policy (a local scheme), so it too may compile
// Wasm ('wasm-unsafe-eval') and may fetch nothing (connect-src 'none').

import { build } from 'esbuild';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
export const singleDir = path.join(here, 'dist-single');
export const singleFile = path.join(singleDir, 'memberlens.html');
const pkgJs = path.join(here, 'pkg', 'memberlens.js');
const pkgWasm = path.join(here, 'pkg', 'memberlens_bg.wasm');
const clientJs = path.join(here, 'src', 'engine', 'client.js');
const DEMO_FILES = ['members.csv', 'online_orders.csv', 'pos_sales.csv'];
const WORKER_ELEMENT = 'memberlens-worker';
const WASM_ELEMENT = 'memberlens-wasm';

const TARGET = ['chrome100', 'firefox100', 'safari15'];

/** The CSP hash source of an inline element's exact text. @param {string} text */
const hashSource = (text) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

/**
 * Text that goes inside a <script> element must not end it early (`</script`) or switch the
 * HTML parser into its escaped states (`<!--`, `<script`). esbuild escapes these in string
 * literals; anything else (a regular expression, a comment) is refused here rather than shipped
 * as a page that breaks.
 * @param {string} text @param {string} what
 */
function checkInline(text, what) {
  const bad = /<\/script|<!--|<script/i.exec(text);
  if (bad) throw new Error(`${what}: "${bad[0]}" at ${bad.index} would end or confuse its <script> element`);
  return text;
}

/** @param {string} what @param {import('esbuild').BuildOptions} options */
async function bundle(what, options) {
  const r = await build({ bundle: true, format: 'esm', target: TARGET, write: false, legalComments: 'none', logLevel: 'warning', charset: 'utf8', ...options });
  if (r.outputFiles.length !== 1) throw new Error(`${what}: expected one output, got ${r.outputFiles.length}`);
  return r.outputFiles[0].text;
}

/** The worker, as served (it takes the Wasm bytes in its `init` message). @param {boolean} dev */
async function workerBundle(dev) {
  return bundle('worker', { entryPoints: [path.join(here, 'src', 'engine', 'worker.js')], minify: !dev, define: { 'process.env.NODE_ENV': '"production"' } });
}

/** The page's script: the engine client defaults to the inline worker, fetch serves only the demo. @param {boolean} dev */
async function appBundle(dev) {
  const demo = Object.fromEntries(await Promise.all(DEMO_FILES.map(async (f) => [f, await readFile(path.join(here, 'demo', f), 'base64')])));
  /** @type {import('esbuild').Plugin} */
  const single = {
    name: 'single-file',
    setup(b) {
      b.onResolve({ filter: /engine\/client\.js$/ }, (args) => {
        const resolved = path.resolve(args.resolveDir, args.path);
        if (resolved !== clientJs || args.importer === 'single-client') return undefined;
        return { path: 'single-client', namespace: 'single' };
      });
      b.onResolve({ filter: /^single-fetch$/ }, () => ({ path: 'single-fetch', namespace: 'single' }));
      b.onLoad({ filter: /^single-client$/, namespace: 'single' }, () => ({
        resolveDir: path.dirname(clientJs),
        contents: `
          import { Engine as ServedEngine } from './client.js';
          export * from './client.js';
          /** @param {string} id */
          function inlineText(id) {
            const el = document.getElementById(id);
            if (!el) throw new Error('the single-file page has no #' + id);
            return el.textContent ?? '';
          }
          /** @type {string | undefined} */
          let workerUrl;
          /**
           * The worker's bundle is the text of an element of this page: a data: URL of it (from a
           * file:// page Chromium starts a module worker from a data: URL, not from a blob: URL).
           */
          function inlineWorkerUrl() {
            workerUrl ??= 'data:text/javascript;charset=utf-8,' + encodeURIComponent(inlineText(${JSON.stringify(WORKER_ELEMENT)}));
            return workerUrl;
          }
          /** @type {Uint8Array | undefined} */
          let wasm;
          /** The engine's bytes, from the base64 text of an element of this page; decoded once. */
          function wasmBytes() {
            if (!wasm) {
              const b64 = inlineText(${JSON.stringify(WASM_ELEMENT)}).trim();
              const from = /** @type {any} */ (Uint8Array).fromBase64;
              if (typeof from === 'function') wasm = from(b64);
              else {
                const text = atob(b64);
                wasm = new Uint8Array(text.length);
                for (let i = 0; i < text.length; i++) wasm[i] = text.charCodeAt(i);
              }
            }
            return /** @type {Uint8Array} */ (wasm);
          }
          export class Engine extends ServedEngine {
            /** @param {import('./client.js').EngineOptions} [options] */
            constructor(options = {}) {
              // The URL is only a name here: the worker gets the bytes (call below), never a fetch.
              super({ ...options, workerUrl: options.workerUrl ?? inlineWorkerUrl(), wasmUrl: options.wasmUrl ?? 'inline:memberlens_bg.wasm' });
            }
            /** Every (re)started worker is handed the engine's bytes instead of a URL to fetch. @param {string} type @param {object} [payload] */
            call(type, payload = {}) {
              return super.call(type, type === 'init' ? { wasmBytes: wasmBytes() } : payload);
            }
          }
        `,
      }));
      b.onLoad({ filter: /^single-fetch$/, namespace: 'single' }, () => ({
        resolveDir: here,
        contents: `
          /** The demo exports' bytes as base64 (one of them is GBK: kept byte for byte). */
          const DEMO = ${JSON.stringify(demo)};
          /** @param {string} b64 */
          function bytes(b64) {
            const text = atob(b64);
            const out = new Uint8Array(text.length);
            for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
            return out;
          }
          /**
           * The page's only fetches are of its demo exports: answered from the bytes above.
           * Anything else is refused, as connect-src 'none' would refuse it.
           * @param {RequestInfo | URL} input
           */
          export function fetch(input) {
            const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
            const name = url.split(/[?#]/)[0].split('/').pop() ?? '';
            if (Object.hasOwn(DEMO, name)) {
              return Promise.resolve(new Response(bytes(DEMO[name]), { status: 200, headers: { 'Content-Type': 'text/csv' } }));
            }
            return Promise.reject(new TypeError('the single-file MemberLens makes no request: ' + url));
          }
        `,
      }));
    },
  };
  return bundle('app', {
    entryPoints: [path.join(here, 'src', 'main.js')],
    minify: !dev,
    plugins: [single],
    inject: ['single-fetch'],
    define: { 'process.env.NODE_ENV': '"production"' },
  });
}

/**
 * index.html with everything inline and the single file's policy.
 * @param {string} html @param {{css: string, app: string, worker: string, wasm: string}} parts  wasm: base64
 */
export function assemble(html, { css, app, worker, wasm }) {
  /** @param {string} s @param {RegExp} re @param {string | (() => string)} to @param {string} what */
  const replaceOnce = (s, re, to, what) => {
    const matches = s.match(new RegExp(re.source, `${re.flags.replace('g', '')}g`));
    if (!matches || matches.length !== 1) throw new Error(`index.html: expected one ${what}, found ${matches?.length ?? 0}`);
    return s.replace(re, typeof to === 'string' ? () => to : to);
  };
  const csp = [
    "default-src 'none'",
    `script-src ${hashSource(app)} 'wasm-unsafe-eval'`,
    'worker-src data:',
    "connect-src 'none'",
    `style-src ${hashSource(css)}`,
    'img-src data: blob:',
  ].join('; ');
  let out = html;
  out = replaceOnce(out, /<meta http-equiv="Content-Security-Policy" content="[^"]*">/, `<meta http-equiv="Content-Security-Policy" content="${csp}">`, 'Content-Security-Policy <meta>');
  out = replaceOnce(out, /<link rel="stylesheet" href="styles\.css">/, `<style>${css}</style>`, '<link rel="stylesheet" href="styles.css">');
  // The served page's "open me through a server" note: the single file is meant for file://.
  out = replaceOnce(out, /<script src="served-check\.js"[^>]*><\/script>\n?/, '', '<script src="served-check.js">');
  out = replaceOnce(out, /<script type="module" src="app\.js"><\/script>/,
    `<script type="text/plain" id="${WORKER_ELEMENT}">${worker}</script>\n`
    + `<script type="application/octet-stream" id="${WASM_ELEMENT}">${wasm}</script>\n`
    + `<script type="module">${app}</script>`, '<script type="module" src="app.js">');
  return out;
}

/** Build www/dist-single/memberlens.html. @param {{dev?: boolean}} [options] */
export async function buildSingle({ dev = false } = {}) {
  if (!existsSync(pkgJs) || !existsSync(pkgWasm)) throw new Error('www/pkg/memberlens.js or memberlens_bg.wasm missing: run scripts/build_web.sh (it runs wasm-bindgen first)');
  const [worker, app, css, html, wasm] = await Promise.all([
    workerBundle(dev).then((s) => checkInline(s, 'worker bundle')),
    appBundle(dev).then((s) => checkInline(s, 'page bundle')),
    readFile(path.join(here, 'styles.css'), 'utf8').then((s) => checkInline(s.replace(/<\/style/gi, '<\\/style'), 'styles.css')),
    readFile(path.join(here, 'index.html'), 'utf8'),
    readFile(pkgWasm, 'base64'),
  ]);
  const page = assemble(html, { css, app, worker, wasm });
  await mkdir(singleDir, { recursive: true });
  await writeFile(singleFile, page);
  console.log(`  dist-single/memberlens.html    ${(Buffer.byteLength(page) / 1024).toFixed(1).padStart(8)} KB (engine, worker, page, styles and demo inline)`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  buildSingle({ dev: process.argv.includes('--dev') }).catch((e) => { console.error(e.message ?? e); process.exit(1); });
}

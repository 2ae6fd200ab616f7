// Bundle the page into www/dist/: self-contained (html, js, worker, wasm, css, demo), then the
// single-file build www/dist-single/memberlens.html (build-single.mjs).
// Expects www/pkg/ from wasm-bindgen (scripts/build_web.sh makes it, wasm-opt'ed).
//   node build.mjs            production build (minified)
//   node build.mjs --dev      unminified, with source maps

import { build } from 'esbuild';
import { cp, mkdir, rm, readdir, stat, copyFile, readFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { buildSingle } from './build-single.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const dist = path.join(here, 'dist');
const pkg = path.join(here, 'pkg');
const dev = process.argv.includes('--dev');

if (!existsSync(path.join(pkg, 'memberlens.js')) || !existsSync(path.join(pkg, 'memberlens_bg.wasm'))) {
  console.error('www/pkg/memberlens.js or memberlens_bg.wasm missing: run scripts/build_web.sh (it runs wasm-bindgen first)');
  process.exit(1);
}

await rm(dist, { recursive: true, force: true });
await mkdir(dist, { recursive: true });

const common = {
  outdir: dist,
  bundle: true,
  format: /** @type {'esm'} */ ('esm'),
  target: ['chrome100', 'firefox100', 'safari15'],
  minify: !dev,
  sourcemap: dev ? /** @type {'linked'} */ ('linked') : false,
  legalComments: /** @type {'none'} */ ('none'),
  logLevel: /** @type {'warning'} */ ('warning'),
  define: { 'process.env.NODE_ENV': '"production"' },
};
const [appBuild] = await Promise.all([
  // ECharts (src/echarts-setup.js, imported by charts.js on the side) becomes a chunk of its
  // own, so app.js runs, and starts the engine's worker, without waiting for it.
  build({ ...common, entryPoints: { app: path.join(here, 'src/main.js') }, splitting: true, chunkNames: '[name]-[hash]', metafile: true }),
  // The worker on its own: one file, nothing shared with the page to fetch before it can start.
  build({ ...common, entryPoints: { worker: path.join(here, 'src/engine/worker.js') }, splitting: false }),
]);

await copyFile(path.join(pkg, 'memberlens_bg.wasm'), path.join(dist, 'memberlens_bg.wasm'));
// app.js imports a chunk it shares with ECharts' (esbuild's helpers): a modulepreload link
// lets the browser fetch it with app.js instead of after parsing it.
const appOut = Object.entries(appBuild.metafile.outputs).find(([, o]) => o.entryPoint?.endsWith('src/main.js'));
const staticChunks = (appOut?.[1].imports ?? []).filter((i) => i.kind === 'import-statement').map((i) => path.basename(i.path));
const appTag = '<script type="module" src="app.js"></script>';
const html = await readFile(path.join(here, 'index.html'), 'utf8');
if (!html.includes(appTag)) throw new Error(`index.html: ${appTag} not found`);
await writeFile(path.join(dist, 'index.html'), html.replace(appTag, () => [...staticChunks.map((c) => `<link rel="modulepreload" href="${c}">`), appTag].join('\n')));
await copyFile(path.join(here, 'styles.css'), path.join(dist, 'styles.css'));
await copyFile(path.join(here, 'src/served-check.js'), path.join(dist, 'served-check.js'));
await cp(path.join(here, 'demo'), path.join(dist, 'demo'), { recursive: true });

let total = 0;
for (const f of await readdir(dist)) {
  const s = await stat(path.join(dist, f));
  if (s.isFile()) {
    total += s.size;
    console.log(`  dist/${f.padEnd(22)} ${(s.size / 1024).toFixed(1).padStart(8)} KB`);
  }
}
console.log(`built www/dist (${(total / 1024).toFixed(0)} KB without demo)`);

await buildSingle({ dev });
await import('./build-embed.mjs');   // <member-lens>, the headless API, the iframe page and the npm package (dist/embed, dist/npm)

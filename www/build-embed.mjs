// Bundle the embedding entry points into www/dist/embed/ and assemble the npm package:
//   dist/embed/member-lens.js   the <member-lens> custom element (the page's UI in a shadow root)
//   dist/embed/index.js         createAnalyzer: the headless API
//   dist/embed/worker.js, memberlens_bg.wasm   the engine, next to them
//   dist/embed/frame.html, frame.js, frame.css  the iframe protocol's page
//   dist/examples/              the example admin portal
//   www/package/ + dist/npm/memberlens-<version>.tgz   the npm package (npm pack)
// Expects www/pkg/ from wasm-bindgen (scripts/build_web.sh; build.mjs calls this at its end).
//   node build-embed.mjs [--dev] [--no-pack]

import { build } from 'esbuild';
import { cp, mkdir, rm, readFile, writeFile, copyFile, readdir, stat } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
const dist = path.join(here, 'dist');
const out = path.join(dist, 'embed');
const pkgDir = path.join(here, 'package');
const wasm = path.join(here, 'pkg', 'memberlens_bg.wasm');
const dev = process.argv.includes('--dev');

if (!existsSync(wasm)) {
  console.error('www/pkg/memberlens_bg.wasm missing: run scripts/build_web.sh (it runs wasm-bindgen first)');
  process.exit(1);
}

/** The page's markup the element mounts: index.html from the top bar to the end of <main>. */
export function markupOf(html) {
  const start = html.indexOf('<header class="topbar">');
  const end = html.indexOf('</main>');
  if (start < 0 || end < 0) throw new Error('index.html: <header class="topbar"> … </main> not found');
  return html.slice(start, end + '</main>'.length).replace(/\n\s*/g, '\n');
}

/**
 * styles.css for a shadow root: the page's :root is the element (:host), its <body> the
 * wrapper div, width media queries become container queries on the element (it sizes to its
 * container, not the window), and the theme variables read the portal's --ml-* properties.
 */
export function shadowCss(css) {
  // The accent's colour written out after the :root block (links, glossary buttons) follows the theme too.
  const accent = /:root\s*\{[^}]*--accent:\s*([^;]+);/.exec(css)?.[1].trim();
  const rootEnd = css.indexOf('}', css.indexOf(':root')) + 1;
  if (accent) css = css.slice(0, rootEnd) + css.slice(rootEnd).replaceAll(accent, 'var(--accent)');
  let rootDone = false;
  let s = css.replace(/:root\s*\{([^}]*)\}/g, (whole, body) => {
    if (rootDone) return `:host {${body}}`;
    rootDone = true;
    const themed = body
      .replace(/--([a-z-]+):\s*([^;]+);/g, (_, name, value) => `--${name}: var(--ml-${name}, ${value.trim()});`)
      .replace(/(^|\n)(\s*)font-family:\s*([^;]+);/, (_, nl, sp, value) => `${nl}${sp}font-family: var(--ml-font, ${value.trim()});`)
      .replace(/(^|\n)(\s*)font-size:\s*([^;]+);/, (_, nl, sp, value) => `${nl}${sp}font-size: var(--ml-font-size, ${value.trim()});`);
    return `:host {${themed}}`;
  });
  if (!rootDone) throw new Error('styles.css: no :root block to theme');
  s = s.replace(/(^|[\s,}])body(?=[\s{[.:,])/g, '$1.ml-body');
  s = s.replace(/@media\s*\(((?:max|min)-width:[^)]*)\)/g, '@container member-lens ($1)');
  return `${s}
/* <member-lens> itself */
:host { display: block; container: member-lens / inline-size; height: 100%; overflow: auto; text-align: start; }
:host([hidden]) { display: none; }
.ml-body { min-height: 100%; background: var(--bg); }
[data-ml-off] { display: none !important; }
`;
}

const version = /^version\s*=\s*"([^"]+)"/m.exec(await readFile(path.join(here, '..', 'Cargo.toml'), 'utf8'))?.[1] ?? '0.0.0';
const markup = markupOf(await readFile(path.join(here, 'index.html'), 'utf8'));
const styles = shadowCss(await readFile(path.join(here, 'styles.css'), 'utf8'));

await rm(out, { recursive: true, force: true });
await mkdir(out, { recursive: true });

const common = {
  bundle: true,
  format: /** @type {const} */ ('esm'),
  target: ['chrome100', 'firefox110', 'safari16.4'],
  minify: !dev,
  sourcemap: dev ? /** @type {const} */ ('linked') : false,
  legalComments: /** @type {const} */ ('none'),
  logLevel: /** @type {const} */ ('warning'),
};

const define = {
  'process.env.NODE_ENV': '"production"',
  MEMBERLENS_EMBED: 'true',
  MEMBERLENS_MARKUP: JSON.stringify(markup),
  MEMBERLENS_STYLES: JSON.stringify(styles),
};
// The element and the headless API share the engine client; ECharts is a chunk of its own, loaded
// at the first chart as on the page (so the element starts without it).
await build({
  ...common,
  entryPoints: { 'member-lens': path.join(here, 'src/embed/element.js'), index: path.join(here, 'src/embed/analyzer.js') },
  outdir: out,
  splitting: true,
  chunkNames: '[name]-[hash]',
  define,
});
await build({ ...common, entryPoints: { worker: path.join(here, 'src/engine/worker.js') }, outdir: out, splitting: false, define });
// The iframe page's protocol script (frame.html loads the element's bundle beside it).
await build({ ...common, entryPoints: { frame: path.join(here, 'src/embed/frame.js') }, outdir: out });

await copyFile(wasm, path.join(out, 'memberlens_bg.wasm'));
for (const f of ['frame.html', 'frame.css']) await copyFile(path.join(here, 'src/embed', f), path.join(out, f));
await rm(path.join(dist, 'examples'), { recursive: true, force: true });
await cp(path.join(here, 'examples'), path.join(dist, 'examples'), { recursive: true });

// The npm package: its package.json and README are kept in www/package/, the rest is made here.
const pkgDist = path.join(pkgDir, 'dist');
const pkgTypes = path.join(pkgDir, 'types');
await rm(pkgDist, { recursive: true, force: true });
await rm(pkgTypes, { recursive: true, force: true });
await cp(out, pkgDist, { recursive: true });
await mkdir(pkgTypes, { recursive: true });
const retarget = (text) => text.replaceAll("'../types/report'", "'./report'").replaceAll("'../engine/protocol'", "'./protocol'");
await writeFile(path.join(pkgTypes, 'report.d.ts'), await readFile(path.join(here, 'src/types/report.d.ts'), 'utf8'));
await writeFile(path.join(pkgTypes, 'protocol.d.ts'), retarget(await readFile(path.join(here, 'src/engine/protocol.d.ts'), 'utf8')));
await writeFile(path.join(pkgTypes, 'api.d.ts'), retarget(await readFile(path.join(here, 'src/embed/types.d.ts'), 'utf8')));
const manifestPath = path.join(pkgDir, 'package.json');
const manifest = JSON.parse(await readFile(manifestPath, 'utf8'));
if (manifest.version !== version) {
  manifest.version = version;
  await writeFile(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
}

let total = 0;
for (const f of await readdir(out)) {
  const s = await stat(path.join(out, f));
  total += s.size;
  console.log(`  dist/embed/${f.padEnd(20)} ${(s.size / 1024).toFixed(1).padStart(8)} KB`);
}
console.log(`built www/dist/embed (${(total / 1024).toFixed(0)} KB)`);

if (!process.argv.includes('--no-pack')) {
  const npmDir = path.join(dist, 'npm');
  await mkdir(npmDir, { recursive: true });
  const packed = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', npmDir], { cwd: pkgDir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }));
  const tgz = packed[0];
  console.log(`packed www/dist/npm/${tgz.filename} (${(tgz.size / 1024).toFixed(0)} KB, ${tgz.entryCount} files)`);
}

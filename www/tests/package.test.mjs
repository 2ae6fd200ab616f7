// The npm package as a user gets it: the tarball `npm pack` made (www/build-embed.mjs, into
// www/dist/npm/) is installed into a scratch project (offline: a local tarball with no
// dependencies), imported by Node through its `exports`, type-checked by tsc against its
// declarations (no `any` on report or member types), bundled by esbuild from the bare
// specifier, and run in Chromium from the scratch project's own server: the headless analyzer
// and the element each analyse a fixture. Nothing leaves localhost, no CSP violation.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync, copyFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as h from './helpers.mjs';
import { withAny } from './embed-helpers.mjs';

const truth = JSON.parse(readFileSync(path.join(h.fixturesDir, 'truth.json'), 'utf8'));
const npmDir = path.join(h.wwwDir, 'dist', 'npm');
const bin = (name) => path.join(h.wwwDir, 'node_modules', '.bin', name);

let scratch;
let server;
let url;

before(async () => {
  const tgz = existsSync(npmDir) ? readdirSync(npmDir).filter((f) => /^memberlens-.*\.tgz$/.test(f)) : [];
  assert.equal(tgz.length, 1, 'www/dist/npm holds the packed tarball (node www/build-embed.mjs)');
  scratch = mkdtempSync(path.join(tmpdir(), 'memberlens-scratch-'));
  writeFileSync(path.join(scratch, 'package.json'), JSON.stringify({ name: 'scratch', private: true, type: 'module' }));
  execFileSync('npm', ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', path.join(npmDir, tgz[0])], { cwd: scratch, stdio: ['ignore', 'pipe', 'pipe'] });
  copyFileSync(path.join(h.fixturesDir, 'shop_orders_en.csv'), path.join(scratch, 'shop_orders_en.csv'));
});
after(async () => {
  server?.kill('SIGTERM');
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

test('package: the installed tarball has its entry points, engine and declarations; Node imports it by name', () => {
  const root = path.join(scratch, 'node_modules', 'memberlens');
  const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
  assert.equal(manifest.name, 'memberlens');
  assert.equal(manifest.type, 'module');
  const cargoVersion = /^version\s*=\s*"([^"]+)"/m.exec(readFileSync(path.join(h.repoDir, 'Cargo.toml'), 'utf8'))[1];
  assert.equal(manifest.version, cargoVersion, 'the package has the engine\'s version');
  for (const f of ['dist/index.js', 'dist/member-lens.js', 'dist/worker.js', 'dist/memberlens_bg.wasm', 'dist/frame.html', 'dist/frame.js',
    'index.d.ts', 'element.d.ts', 'types/api.d.ts', 'types/report.d.ts', 'types/protocol.d.ts', 'README.md']) {
    assert.ok(existsSync(path.join(root, f)), `${f} is in the package`);
  }
  const wasm = readFileSync(path.join(root, 'dist/memberlens_bg.wasm'));
  assert.deepEqual([...wasm.subarray(0, 4)], [0, 0x61, 0x73, 0x6d], 'the engine is WebAssembly');
  // The README's three ways, each with its code.
  const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
  for (const s of ['<member-lens', "from 'memberlens'", 'frame.html?origins=']) assert.ok(readme.includes(s), `README shows ${s}`);

  const out = execFileSync(process.execPath, ['--input-type=module', '-e', `
    const m = await import('memberlens');
    const el = import.meta.resolve('memberlens/element');
    const worker = import.meta.resolve('memberlens/worker.js');
    const a = m.createAnalyzer === undefined ? null : typeof m.createAnalyzer;
    console.log(JSON.stringify({ keys: Object.keys(m).sort(), a, el, worker }));`], { cwd: scratch, encoding: 'utf8' });
  const r = JSON.parse(out);
  assert.equal(r.a, 'function', 'createAnalyzer is exported');
  assert.ok(r.keys.includes('Analyzer'));
  assert.ok(r.el.endsWith('/node_modules/memberlens/dist/member-lens.js'), 'memberlens/element resolves');
  assert.ok(r.worker.endsWith('/node_modules/memberlens/dist/worker.js'), 'memberlens/worker.js resolves');
});

test('package: the declarations type-check a consumer, and report and member types are not `any`', () => {
  const root = path.join(scratch, 'node_modules', 'memberlens');
  for (const f of ['index.d.ts', 'element.d.ts', 'types/api.d.ts', 'types/report.d.ts']) {
    const code = readFileSync(path.join(root, f), 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
    assert.doesNotMatch(code, /\bany\b/, `${f} has no any`);
  }
  writeFileSync(path.join(scratch, 'consumer.ts'), `
import { createAnalyzer, type Report, type MemberPage, type ReportDetail } from 'memberlens';
import type { MemberLensElement } from 'memberlens/element';

export async function use(bytes: Uint8Array, lens: MemberLensElement): Promise<number> {
  const a = createAnalyzer({ workerUrl: '/worker.js', options: { as_of: '2024-06-30' } });
  a.addEventListener('ml-report', (ev) => { const d: ReportDetail = ev.detail; void d.report.inventory.buyers; });
  const report: Report | null = await a.loadBytes('orders.csv', bytes, { encoding: 'gbk' });
  const page: MemberPage = await a.members({ segment: 'important_value', limit: 10 });
  const id: string | null | undefined = page.rows[0]?.member_id;
  const csv: Uint8Array = await a.exportMembers({}, 'xlsx', { layout: 'touch', lang: 'en' });
  lens.addEventListener('ml-export', (ev) => { const n: number = ev.detail.bytes.length; void n; });
  const el: MemberLensElement = document.createElement('member-lens');
  void el; void id; void csv;
  // Were the types \`any\`, these would compile and the expectations would fail tsc.
  // @ts-expect-error members_total is a number
  const wrong: string = report!.inventory.members_total;
  // @ts-expect-error no such field on a member row
  void page.rows[0]!.no_such_column;
  // @ts-expect-error a format that does not exist
  await a.exportMembers({}, 'pdf');
  void wrong;
  return report ? report.inventory.members_total : 0;
}
`);
  writeFileSync(path.join(scratch, 'tsconfig.json'), JSON.stringify({
    compilerOptions: { target: 'es2022', module: 'esnext', moduleResolution: 'bundler', lib: ['es2022', 'dom', 'dom.iterable'], strict: true, noEmit: true, types: [] },
    files: ['consumer.ts'],
  }));
  try {
    execFileSync(bin('tsc'), ['-p', path.join(scratch, 'tsconfig.json')], { cwd: scratch, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    assert.fail(`tsc on the consumer failed:\n${e.stdout}${e.stderr}`);
  }
});

test('package: a scratch page bundles `memberlens` by name and runs it, and loads <member-lens> from node_modules; both analyse a fixture', async () => {
  writeFileSync(path.join(scratch, 'headless.js'), `
import { createAnalyzer } from 'memberlens';
const a = createAnalyzer({ workerUrl: new URL('./node_modules/memberlens/dist/worker.js', location.href) });
const bytes = new Uint8Array(await (await fetch('shop_orders_en.csv')).arrayBuffer());
const report = await a.loadBytes('shop_orders_en.csv', bytes);
window.__result = { members: report.inventory.members_total, buyers: report.inventory.buyers, revenue: report.inventory.revenue };
`);
  execFileSync(bin('esbuild'), ['headless.js', '--bundle', '--format=esm', '--outfile=headless.bundle.js', '--log-level=warning'], { cwd: scratch });
  writeFileSync(path.join(scratch, 'headless.html'), '<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><title>headless</title><script type="module" src="headless.bundle.js"></script>');
  writeFileSync(path.join(scratch, 'element.js'), `
import './node_modules/memberlens/dist/member-lens.js';
const lens = document.querySelector('member-lens');
lens.addEventListener('ml-report', (ev) => { window.__result = { members: ev.detail.report.inventory.members_total, buyers: ev.detail.report.inventory.buyers, revenue: ev.detail.report.inventory.revenue }; });
const bytes = new Uint8Array(await (await fetch('shop_orders_en.csv')).arrayBuffer());
await lens.loadBytes('shop_orders_en.csv', bytes);
`);
  writeFileSync(path.join(scratch, 'element.html'), '<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><title>element</title><script type="module" src="element.js"></script><member-lens lang="en"></member-lens>');

  server = spawn(process.execPath, [path.join(h.wwwDir, 'serve.mjs'), scratch], { env: { ...process.env, PORT: '0' }, stdio: ['ignore', 'pipe', 'inherit'] });
  url = await new Promise((resolve, reject) => {
    let out = '';
    server.stdout.on('data', (d) => { out += d; const m = out.match(/http:\/\/127\.0\.0\.1:\d+\//); if (m) resolve(m[0]); });
    server.on('exit', (code) => reject(new Error(`scratch server exited with ${code}`)));
  });
  const t = truth.shop;
  for (const pageName of ['headless.html', 'element.html']) {
    await withAny(url + pageName, async ({ page }) => {
      const handle = await page.waitForFunction(() => window.__result, null, { timeout: 120_000 });
      const r = await handle.jsonValue();
      assert.equal(r.members, t.members_total, `${pageName}: members`);
      assert.equal(r.buyers, t.buyers, `${pageName}: buyers`);
      assert.ok(Math.abs(r.revenue - t.revenue) <= 0.01, `${pageName}: revenue`);
    });
  }
});

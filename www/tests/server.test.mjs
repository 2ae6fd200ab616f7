// The static server: CSP header on every response (worker script included), correct MIME
// types, no escape from the served directory; and the built site is self-contained.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import * as h from './helpers.mjs';

const CSP = "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; connect-src 'self'; style-src 'self'; img-src 'self' data: blob:";

let site;
before(async () => { site = await h.siteUrl(); });
after(async () => { await site?.stop(); });

test('every response carries the CSP header and the right MIME type', async () => {
  const cases = [
    ['', 'text/html'], ['index.html', 'text/html'], ['app.js', 'text/javascript'], ['worker.js', 'text/javascript'],
    ['memberlens_bg.wasm', 'application/wasm'], ['styles.css', 'text/css'], ['demo/members.csv', 'text/csv'],
  ];
  for (const [p, mime] of cases) {
    const res = await fetch(site.url + p);
    assert.equal(res.status, 200, p);
    assert.equal(res.headers.get('content-security-policy'), CSP, `CSP on ${p}`);
    assert.ok(res.headers.get('content-type').startsWith(mime), `${p}: ${res.headers.get('content-type')}`);
    await res.arrayBuffer();
  }
  const missing = await fetch(`${site.url}nope.js`);
  assert.equal(missing.status, 404);
  assert.equal(missing.headers.get('content-security-policy'), CSP, 'CSP on a 404 too');
  await missing.arrayBuffer();
});

test('no path escapes the served directory', async () => {
  for (const p of ['..%2f..%2fCargo.toml', '%2e%2e/%2e%2e/Cargo.toml', '..%5c..%5cCargo.toml']) {
    const res = await fetch(site.url + p);
    assert.ok([403, 404].includes(res.status), `${p} -> ${res.status}`);
    await res.arrayBuffer();
  }
});

test('index.html has the CSP meta and loads nothing from elsewhere', () => {
  const html = readFileSync(path.join(h.wwwDir, 'dist', 'index.html'), 'utf8');
  assert.ok(html.includes(`content="${CSP}"`), 'CSP <meta>');
  assert.ok(!/(src|href)="(https?:)?\/\//i.test(html), 'no external src/href');
  const files = readdirSync(path.join(h.wwwDir, 'dist'));
  for (const f of ['index.html', 'app.js', 'worker.js', 'memberlens_bg.wasm', 'styles.css', 'demo']) assert.ok(files.includes(f), `dist/${f}`);
});

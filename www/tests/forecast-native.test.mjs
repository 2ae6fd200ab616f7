// The same forecast numbers natively and in Wasm (issue 16, item 4): the Wasm build the page
// ships (www/pkg, made by scripts/build_web.sh) runs in Node on the fixture trio and on CDNOW,
// and its report's `forecast` section — every candidate model's parameters, log-likelihood,
// AIC/BIC and standard errors, the totals, the CLV distribution, the P(alive) matrix and the
// repeat-purchase counts, all sums over every member's values — must equal the native CLI's
// (target/release/memberlens, built by `cargo test --release`) to the last bit. No browser.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdtempSync, existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const fixtures = path.resolve(root, '../shared/fixtures');
const cli = path.join(root, 'target/release/memberlens');
const { initSync, Analyzer } = await import(path.join(root, 'www/pkg/memberlens.js'));
initSync({ module: readFileSync(path.join(root, 'www/pkg/memberlens_bg.wasm')) });

/** CDNOW_sample.txt (id, id2, yyyymmdd, cds, dollars) as an order CSV the engine reads. */
function cdnowCsv() {
  const lines = readFileSync(path.join(fixtures, 'cdnow/CDNOW_sample.txt'), 'utf8')
    .split('\n').filter((l) => l.trim());
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ml-cdnow-'));
  const file = path.join(dir, 'cdnow_orders.csv');
  writeFileSync(file, 'customer_id,order_id,date,amount\n' + lines.map((l, i) => {
    const f = l.trim().split(/\s+/);
    return `${f[0]},${i + 1},${f[2]},${f[4]}`;
  }).join('\n') + '\n');
  return file;
}

function wasmForecast(files, options) {
  const a = new Analyzer();
  for (const f of files) {
    const name = path.basename(f);
    const bytes = readFileSync(f);
    a.beginFile(name, bytes.length);
    a.pushChunk(name, bytes);
    a.finishFile(name, {});
  }
  const report = a.analyze(options);
  return JSON.parse(JSON.stringify(report.forecast));
}

function nativeForecast(files, args) {
  const out = execFileSync(cli, ['analyze', ...files, '--format', 'json', ...args], { maxBuffer: 1 << 28 });
  return JSON.parse(out.toString('utf8')).forecast;
}

// [name, files, page options, CLI arguments, customers the models see, model used]
const cases = [
  ['fixture trio', () => ['members.csv', 'online_orders_gbk.csv', 'pos_sales.csv'].map((n) => path.join(fixtures, n)), {}, [], null, null],
  ['CDNOW in weeks', () => [cdnowCsv()], { as_of: '1997-09-30', forecast: { time_unit_days: 7 } },
    ['--as-of', '1997-09-30', '--time-unit', 'week'], 2357, 'mbgnbd'],
  ['CDNOW, Pareto/NBD asked for, with a holdout', () => [cdnowCsv()],
    { as_of: '1998-06-30', holdout_from: '1997-10-01', forecast: { time_unit_days: 7, model: 'pareto' } },
    ['--as-of', '1998-06-30', '--holdout-from', '1997-10-01', '--time-unit', 'week', '--model', 'pareto'], 2357, 'pareto_nbd'],
];

for (const [name, files, options, args, customers, model] of cases) {
  test(`forecast section: Wasm equals native, ${name}`, { skip: !existsSync(cli) && 'target/release/memberlens not built' }, () => {
    const fs = files();
    const native = nativeForecast(fs, args);
    const wasm = wasmForecast(fs, options);
    assert.ok(native && native.purchase_model.candidates.length >= 3, 'forecasts ran natively');
    // CDNOW's customers whose first purchase has a positive amount (a $0 order is no purchase)
    if (customers) assert.ok(Math.abs(native.input.customers - customers) <= 10, `${native.input.customers} customers`);
    if (model) assert.equal(native.purchase_model.chosen, model);
    assert.deepStrictEqual(wasm, native);
  });
}

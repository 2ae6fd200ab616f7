// The forecast section: the parameters the page shows are the engine's (checked against the CLI's
// JSON for the same files), churn bands cover every buyer, the CLV histogram and P(alive) heatmap
// render, a holdout date brings up the calibration chart, and a churn-band export has one row per
// member of the band. Every test also checks that no request left the local origin and no CSP
// violation fired.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import * as h from './helpers.mjs';

const FILES = ['members.csv', 'online_orders_gbk.csv', 'pos_sales.csv'].map((n) => path.join(h.fixturesDir, n));
const HOLDOUT = '2024-01-01';
const BIN = path.join(h.repoDir, 'target', 'release', 'memberlens');

let site;
before(async () => { site = await h.siteUrl(); });
after(async () => { await site?.stop(); });

/**
 * The CLI's report for the same files. scripts/test.sh runs `cargo test --release` first, which
 * builds target/release/memberlens; it is built here only when missing (building it on every run
 * would fight `cargo test` over the shared target directory).
 */
function cliReport(extra = []) {
  if (!existsSync(BIN)) execFileSync('cargo', ['build', '--release', '--quiet', '--bin', 'memberlens'], { cwd: h.repoDir, stdio: ['ignore', 'ignore', 'inherit'] });
  const out = execFileSync(BIN, ['analyze', ...FILES, '--format', 'json', ...extra], { maxBuffer: 512 * 1024 * 1024 });
  return JSON.parse(out.toString('utf8'));
}

const withPage = (fn, opts) => h.withPage(site.url, fn, opts);
const { parseCsv, download } = h;

/** {'bgnbd.r': {value, text}, ...}: the raw value the worker returned and the text shown next to it. */
async function readParams(page) {
  return page.evaluate(() => Object.fromEntries([...document.querySelectorAll('#forecast-params [data-param]')]
    .map((tr) => [tr.dataset.param, { value: tr.dataset.value, text: tr.lastElementChild.textContent }])));
}

async function readFigures(page) {
  return page.evaluate(() => Object.fromEntries([...document.querySelectorAll('#forecast-panel [data-forecast]')]
    .map((e) => [e.dataset.forecast, { value: e.dataset.value === '' ? null : Number(e.dataset.value), text: (e.querySelector('.card-value') ?? e).textContent }])));
}

async function readBands(page) {
  return page.evaluate(() => Object.fromEntries([...document.querySelectorAll('[data-churn-band]')]
    .map((e) => [e.dataset.churnBand, Number(e.dataset.members)])));
}

/** A shown number ("-75,003.49", "¥897,776.66", "0.646") back to a number. */
const shownNumber = (text) => Number(String(text).replace(/[^0-9.eE+-]/g, ''));

/** Relative closeness: the page runs the same Rust compiled to Wasm, whose libm may differ from the native one in the last bits. */
function assertClose(actual, expected, what, rel = 1e-6) {
  assert.equal(typeof actual, 'number', `${what}: not a number (${actual})`);
  assert.ok(Number.isFinite(actual), `${what}: not finite (${actual})`);
  assert.ok(Math.abs(actual - expected) <= rel * Math.max(1, Math.abs(expected)), `${what}: page ${actual}, CLI ${expected}`);
}

/** The shown text is the value rounded for display: within half a unit of its last shown decimal (and the Wasm/native slack). */
function assertShown(text, expected, what, rel = 1e-6) {
  const m = String(text).match(/\.(\d+)/);
  const half = 0.5 * 10 ** -(m ? m[1].length : 0);
  const shown = shownNumber(text);
  assert.ok(Math.abs(shown - expected) <= half + rel * Math.max(1, Math.abs(expected)), `${what}: shows "${text}", CLI ${expected}`);
}

async function waitMembersTotal(page, total) {
  await page.waitForFunction((n) => document.body.dataset.membersState !== 'loading'
    && document.getElementById('page-info').dataset.total === String(n), total, { timeout: 30_000, polling: 50 });
}

test('forecast section on the omnichannel trio: parameters, churn bands, CLV, P(alive), holdout, churn-band export', () => withPage(async ({ page, errors }) => {
  const cli = cliReport();
  await h.upload(page, FILES);
  assert.ok(await page.locator('#forecast-panel').isVisible(), 'the forecast section is shown');
  assert.equal(await page.locator('[data-i18n="forecast.title"]').textContent(), '价值预测（BG/NBD · CLV · 流失风险）', 'zh-CN by default');

  // Model parameters: the raw value behind each row and the shown text both match the CLI's report.
  const params = await readParams(page);
  const fc = cli.forecast;
  assert.ok(fc.bgnbd && fc.gamma_gamma, 'the CLI fitted both models on this data');
  for (const [model, keys] of [['bgnbd', ['r', 'alpha', 'a', 'b', 'log_likelihood']], ['gamma_gamma', ['p', 'q', 'gamma', 'log_likelihood']]]) {
    for (const k of keys) {
      const p = params[`${model}.${k}`];
      assert.ok(p, `${model}.${k} is shown`);
      assertClose(Number(p.value), fc[model][k], `${model}.${k}`);
      assertShown(p.text, fc[model][k], `${model}.${k} text`);
    }
    assert.equal(params[`${model}.converged`]?.value, String(fc[model].converged), `${model} converged`);
    const iterations = Number(params[`${model}.iterations`]?.value);
    assert.ok(Number.isInteger(iterations) && iterations > 0, `${model} iterations shown: ${iterations}`);
    assert.equal(shownNumber(params[`${model}.iterations`].text), iterations, `${model} iterations text`);
  }
  assert.equal(Number(params['gamma_gamma.customers'].value), fc.gamma_gamma.customers, 'Gamma-Gamma customers');
  assert.equal(await page.locator('[data-not-fitted]').count(), 0, 'no not-fitted note when both models fitted');

  // Model comparison: every candidate the CLI compared is a row, the chosen one marked, and its
  // AIC is the one the CLI reports; the headline intervals are shown.
  for (const [kind, choice] of [['purchase', fc.purchase_model], ['spend', fc.spend_model]]) {
    const rows = await page.evaluate((k) => [...document.querySelectorAll(`[data-compare="${k}"] tr[data-model]`)]
      .map((tr) => ({ model: tr.dataset.model, chosen: tr.dataset.chosen, aic: tr.children[3].textContent })), kind);
    assert.deepEqual(rows.map((r) => r.model), choice.candidates.map((c) => c.model), `${kind} candidates`);
    assert.deepEqual(rows.filter((r) => r.chosen === 'true').map((r) => r.model), [choice.chosen], `${kind} chosen`);
    choice.candidates.forEach((c, i) => {
      if (typeof c.aic === 'number') assertShown(rows[i].aic, c.aic, `${kind} ${c.model} AIC`, 1e-9);
    });
  }
  const interval = await page.locator('[data-totals-interval]').textContent();
  const [lo, hi] = fc.totals_interval_95.purchases_30d;
  assert.ok(interval.includes(lo.toLocaleString('zh-CN', { minimumFractionDigits: 1, maximumFractionDigits: 1 })), `30-day interval shown: ${interval}`);
  assert.ok(interval.includes(hi.toLocaleString('zh-CN', { minimumFractionDigits: 1, maximumFractionDigits: 1 })), `30-day interval shown: ${interval}`);

  // Churn bands: low/medium/high, the CLI's counts, summing to the buyers figure.
  const bands = await readBands(page);
  assert.deepEqual(Object.keys(bands), ['low', 'medium', 'high']);
  assert.deepEqual(bands, fc.churn_bands, 'churn bands equal the CLI report');
  const buyers = (await h.readMetrics(page)).buyers;
  assert.equal(Object.values(bands).reduce((a, b) => a + b, 0), buyers, 'churn bands cover every buyer');

  // CLV figures and the expected purchases.
  const figs = await readFigures(page);
  assertClose(figs.clv_total.value, fc.clv.total, 'clv_total');
  assertClose(figs.clv_mean.value, fc.clv.mean, 'clv_mean');
  assertClose(figs.clv_median.value, fc.clv.percentiles[2], 'clv_median');
  assertShown(figs.clv_total.text, fc.clv.total, 'clv_total text');
  for (const k of ['30d', '90d', '365d']) assertClose(figs[`expected_${k}`].value, fc.expected_purchases[k], `expected ${k}`);

  // The charts: a histogram and a heatmap drawn on canvases with a size.
  for (const id of ['chart-clv', 'chart-palive']) {
    const size = await page.locator(`#${id} canvas`).first().evaluate((c) => [c.width, c.height]);
    assert.ok(size[0] > 100 && size[1] > 100, `#${id} has a drawn canvas (${size})`);
  }
  assert.ok(await page.locator('#holdout-block').isHidden(), 'no calibration chart without a holdout date');

  // Top 20 by CLV, from the worker: descending, as text.
  const top = await page.evaluate(() => [...document.querySelectorAll('#top-clv [data-top-clv]')].map((tr) => Number(tr.dataset.clv)));
  assert.equal(top.length, 20, 'twenty members listed');
  for (let i = 1; i < top.length; i++) assert.ok(top[i - 1] >= top[i], 'sorted by CLV, descending');
  assert.ok(top[0] > fc.clv.percentiles[4], 'the first is above the 90th percentile');

  // Member table: forecast columns are there.
  for (const c of ['p_alive', 'clv', 'churn_band']) assert.equal(await page.locator(`#member-table th[data-column="${c}"]`).count(), 1, `member column ${c}`);

  // A holdout date re-runs the analysis and brings up the calibration chart with its MAE.
  const withHoldout = cliReport(['--holdout-from', HOLDOUT]).forecast.holdout;
  assert.ok(withHoldout, 'the CLI ran the holdout check');
  let seq = await h.reportSeq(page);
  await page.fill('#fc-holdout', HOLDOUT);
  seq = await h.waitForReport(page, seq);
  await page.waitForSelector('#holdout-block:not([hidden]) #chart-holdout canvas', { timeout: 30_000 });
  const hf = await readFigures(page);
  assertClose(hf.holdout_mae.value, withHoldout.mean_absolute_error, 'holdout MAE', 1e-5);
  assertShown(hf.holdout_mae.text, withHoldout.mean_absolute_error, 'holdout MAE text', 1e-5);
  assertClose(hf.holdout_total_actual.value, withHoldout.total_actual, 'holdout total actual');
  assertClose(hf.holdout_total_predicted.value, withHoldout.total_predicted, 'holdout total predicted', 1e-5);
  assert.equal(hf.holdout_customers.value, withHoldout.customers, 'holdout customers');

  // Export one churn band: a row per member of the band, every row in that band.
  const band = 'medium';
  const members = Number(await page.locator(`#churn-bands [data-churn-band="${band}"]`).getAttribute('data-members'));
  assert.ok(members > 0);
  await page.selectOption('#filter-churn', band);
  await waitMembersTotal(page, members);
  await page.check('#export-keys');
  const csv = await download(page, '#export-csv');
  assert.match(csv.name, /churn-medium.*\.csv$/);
  assert.deepEqual([...csv.bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 BOM');
  const rows = parseCsv(csv.bytes.subarray(3).toString('utf8')).filter((r) => r.some((c) => c !== ''));
  assert.equal(rows.length, members + 1, 'header + one row per member of the band');
  const col = rows[0].indexOf('churn_band');
  assert.ok(col >= 0, `churn_band column in ${rows[0]}`);
  assert.ok(rows.slice(1).every((r) => r[col] === band), 'every exported row is in the band');

  // Clicking a band in the chart filters the table the same way.
  await page.click('#churn-bands [data-churn-band="high"]');
  await waitMembersTotal(page, bands.high);
  assert.equal(await page.locator('#filter-churn').inputValue(), 'high');

  // English labels, same figures.
  await page.click('#lang-switch');
  assert.equal(await page.locator('[data-i18n="forecast.title"]').textContent(), 'Forecasts (BG/NBD · CLV · churn risk)');
  assert.deepEqual(await readBands(page), bands);
  assert.deepEqual(errors, [], 'no console error');
}));

test('a holdout date on or after the as-of date is explained and the rest of the report stays', () => withPage(async ({ page }) => {
  await h.upload(page, FILES);
  const asOf = await page.evaluate(() => document.getElementById('as-of').value);
  const seq = await h.reportSeq(page);
  await page.fill('#fc-holdout', asOf);
  await h.waitForReport(page, seq);
  await page.waitForSelector('#error-panel:not([hidden])');
  assert.match(await page.locator('#error-text').textContent(), /holdout_from/);
  assert.ok(await page.locator('#forecast-panel').isVisible(), 'the forecast section is still shown');
  assert.ok(await page.locator('#holdout-block').isHidden(), 'no calibration chart for an invalid date');
  assert.ok((await h.readMetrics(page)).buyers > 0, 'the report is still there');
}));

test('models that cannot be fitted are named with the reason', () => withPage(async ({ page }) => {
  const csv = '订单号,订单状态,下单时间,买家手机号,订单实付金额,退款金额,销售渠道\n'
    + 'A1,交易成功,2024-01-01 10:00:00,13800000001,100.00,0.00,商城\n'
    + 'A2,交易成功,2024-02-01 10:00:00,13800000002,80.00,0.00,商城\n'
    + 'A3,交易成功,2024-03-01 10:00:00,13800000003,120.00,0.00,商城\n';
  const seq = await h.reportSeq(page);
  await page.setInputFiles('#file-input', { name: 'single_orders.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await h.waitForReport(page, seq);
  const notes = await page.evaluate(() => Object.fromEntries([...document.querySelectorAll('[data-not-fitted]')].map((e) => [e.dataset.notFitted, e.textContent])));
  assert.deepEqual(Object.keys(notes).sort(), ['bgnbd', 'gamma_gamma']);
  assert.match(notes.bgnbd, /BG\/NBD/);
  assert.match(notes.bgnbd, /single day/, 'the engine\'s reason is shown');
  assert.equal(await page.locator('[data-not-fitted-cell]').count(), 2, 'both parameter tables say not fitted');
  assert.equal(Object.values(await readBands(page)).reduce((a, b) => a + b, 0), 3, 'churn bands still cover the buyers');
}));

test('the purchase model chosen on the page is the CLI\'s --model, and the diagnostics show its expected repeat-purchase counts', () => withPage(async ({ page }) => {
  const cli = cliReport(['--model', 'pareto']).forecast;
  assert.equal(cli.purchase_model.chosen, 'pareto_nbd', 'the CLI uses the model asked for');
  await h.upload(page, FILES);
  const auto = await page.locator('[data-compare="purchase"]').getAttribute('data-chosen');
  assert.notEqual(auto, 'pareto_nbd', 'the data\'s own choice differs, so the switch is seen');
  const seq = await h.reportSeq(page);
  await page.selectOption('#fc-model', 'pareto');
  await h.waitForReport(page, seq);
  await page.waitForFunction(() => document.querySelector('[data-compare="purchase"]')?.getAttribute('data-chosen') === 'pareto_nbd');
  // Diagnostics: one row per repeat-purchase count, the actual customers and what the chosen
  // model expects, as the CLI's report has them.
  const rows = await page.evaluate(() => [...document.querySelectorAll('tr[data-repeat]')]
    .map((tr) => ({ repeat: Number(tr.dataset.repeat), actual: tr.children[1].textContent, expected: tr.children[2].textContent })));
  const counts = cli.repeat_purchase_counts;
  assert.ok(counts.length > 3, `repeat counts in the report: ${counts.length}`);
  assert.deepEqual(rows.map((r) => r.repeat), counts.map((c) => c.repeat_purchases), 'a row per repeat count');
  rows.forEach((r, i) => {
    assert.equal(shownNumber(r.actual), counts[i].actual, `actual customers with ${r.repeat} repeats`);
    assert.ok(Math.abs(shownNumber(r.expected) - counts[i].expected) <= 0.051, `expected with ${r.repeat} repeats: ${r.expected} vs ${counts[i].expected}`);
  });
  assert.equal(counts.reduce((s, c) => s + c.actual, 0), cli.input.customers, 'the rows cover every customer');
}));

// The action plan on the page (issue 11): ranked action cards whose figures agree with the
// report and with a tally from the full member export, the WeCom/SMS list of the top action,
// the touch calendar, and the playbook's export and import (an edited gain rate, a broken file).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import * as h from './helpers.mjs';

const FILES = ['members.csv', 'online_orders_gbk.csv', 'pos_sales.csv'].map((n) => path.join(h.fixturesDir, n));

let site;
before(async () => { site = await h.siteUrl(); });
after(async () => { await site?.stop(); });

const withPage = (fn, opts) => h.withPage(site.url, fn, opts);

async function analyse(page) {
  await h.upload(page, FILES);
  await page.waitForSelector('#actions-panel:not([hidden]) .action-card');
}

/**
 * The report JSON for the fixtures, as the engine writes it: the same Wasm, run here in Node on
 * the same files with the options the page sends by default (forecasts on, 12 months, 1%).
 */
async function engineReport() {
  const pkg = await import(pathToFileURL(path.join(h.wwwDir, 'pkg', 'memberlens.js')).href);
  await pkg.default({ module_or_path: readFileSync(path.join(h.wwwDir, 'pkg', 'memberlens_bg.wasm')) });
  const a = new pkg.Analyzer();
  for (const f of FILES) {
    const name = path.basename(f);
    const bytes = readFileSync(f);
    a.beginFile(name, bytes.length);
    a.pushChunk(name, new Uint8Array(bytes));
    a.finishFile(name, {});
  }
  return a.analyze({ forecast: { enabled: true, time_unit_days: 1, clv_months: 12, discount: 0.01 } });
}


/** Whether a member of the full export matches an action's rule, from the action's key. */
function matcher(key) {
  const [group, value] = key.split('.');
  const column = { rfm: 'segment', dormancy: 'dormancy', lifecycle: 'lifecycle' }[group];
  assert.ok(column, `a key this test can tally: ${key}`);
  return (m) => m[column] === value;
}

/** The cards as the page shows them. */
const cards = (page) => page.$$eval('#actions-list .action-card', (cs) => cs.map((c) => ({
  key: c.dataset.action, rank: Number(c.dataset.rank), members: Number(c.dataset.members), value: Number(c.dataset.valueAtStake),
  gain: Number(c.dataset.expectedGain), rate: Number(c.dataset.gainRate), basis: c.dataset.basis, text: c.textContent,
})));

test('the action plan: ranked cards agree with the report and the member export; the top list exports; the calendar', () => withPage(async ({ page }) => {
  await analyse(page);
  assert.ok(await page.locator('#actions-panel h2').isVisible(), 'the section has a heading');
  assert.match(await page.locator('#actions-basis').textContent(), /预测 CLV/);

  const plan = (await engineReport()).action_plan;
  const shown = await cards(page);
  const expected = plan.actions.filter((a) => a.members > 0).slice(0, 8);
  assert.deepEqual(shown.map((c) => [c.key, c.rank, c.members]), expected.map((a) => [a.key, a.rank, a.members]), 'the report\'s top 8, in rank order');
  assert.ok(shown.length > 0 && shown.length <= 8, `top 8 at most: ${shown.length}`);
  for (let i = 1; i < shown.length; i++) assert.ok(shown[i].rank > shown[i - 1].rank, 'in rank order');
  for (const c of shown) assert.ok(c.members > 0, 'only actions with members');

  // The top card: its figures as the report says, and as tallied from the member export.
  const members = await h.fullExport(page);
  const top = shown[0];
  assert.equal(top.members, plan.actions[0].members);
  assert.ok(Math.abs(top.value - plan.actions[0].value_at_stake) < 1e-6, `value at stake as the report says: ${top.value}`);
  assert.ok(Math.abs(top.gain - plan.actions[0].expected_gain) < 1e-6);
  const mine = members.filter(matcher(top.key));
  assert.equal(top.basis, 'clv');
  assert.equal(top.members, mine.length, `${top.key}: members from the export`);
  const value = mine.reduce((s, m) => s + (m.clv === '' ? 0 : Number(m.clv)), 0);
  assert.ok(Math.abs(top.value - value) <= 0.01 * mine.length + 0.01, `${top.key}: value at stake ${top.value} vs tally ${value}`);
  const card = page.locator(`#actions-list .action-card[data-action="${top.key}"]`);
  // Shown with its texts: members, reach (channel names), the play's benefit kind and frequency cap.
  const text = await card.textContent();
  assert.match(text, /尊享权益|营销权益|基础权益/);
  assert.match(text, /每 \d+ 天最多 \d+ 次/);
  assert.ok(await card.locator('.action-reach [data-channel]').count() > 0, 'reach per channel');
  for (const r of await card.locator('.action-reach [data-channel]').evaluateAll((ls) => ls.map((l) => [l.dataset.reachable, l.textContent]))) {
    if (r[0] === '') assert.match(r[1], /未知/, 'unknown reach is not zero');
  }

  // Its WeCom/SMS list: BOM, Chinese headers, one row per member with a phone.
  const file = await h.download(page, `#actions-list [data-action-export="${top.key}"][data-layout="touch"]`);
  assert.deepEqual([...file.bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 BOM');
  const rows = h.parseCsv(file.bytes.subarray(3).toString('utf8')).filter((r) => r.some((c) => c !== ''));
  assert.deepEqual(rows[0], ['手机号', '姓名', '导购', '会员ID']);
  assert.equal(rows.length - 1, mine.filter((m) => m.phone !== '').length, 'members with a phone');
  const xlsx = await h.download(page, `#actions-list [data-action-export="${top.key}"][data-format="xlsx"]`);
  assert.equal(xlsx.bytes.subarray(0, 2).toString('latin1'), 'PK');

  // With masking on (screen sharing at a client's site): the same rows, phones as 138****5678,
  // names as 张**; none of the list's phones or names appear in full.
  await page.check('#mask-exports');
  const masked = await h.download(page, `#actions-list [data-action-export="${top.key}"][data-layout="touch"]`);
  const maskedRows = h.parseCsv(masked.bytes.subarray(3).toString('utf8')).filter((r) => r.some((c) => c !== ''));
  assert.equal(maskedRows.length, rows.length);
  for (const [i, r] of maskedRows.slice(1).entries()) {
    assert.match(r[0], /^\d{3}\*{4}\d{4}$/, `masked phone ${r[0]}`);
    assert.equal(r[0].slice(0, 3) + r[0].slice(7), rows[i + 1][0].slice(0, 3) + rows[i + 1][0].slice(7));
    if (rows[i + 1][1]) assert.match(r[1], /^.\*+$/u, `masked name ${r[1]}`);
  }
  await page.uncheck('#mask-exports');

  // Editing the top play's gain rate on its card makes the plan again with the new rate.
  const card0 = `#actions-list .action-card[data-action="${top.key}"]`;
  const gainBefore = Number(await page.locator(card0).getAttribute('data-expected-gain'));
  const rateBefore = Number(await page.locator(card0).getAttribute('data-gain-rate'));
  const doubled = Math.round(rateBefore * 2 * 1000) / 10;
  await page.locator(`${card0} input[data-gain-rate]`).fill(String(doubled));
  await page.locator(`${card0} input[data-gain-rate]`).dispatchEvent('change');
  await page.waitForFunction(([sel, r]) => Math.abs(Number(document.querySelector(sel)?.getAttribute('data-gain-rate')) - r) < 1e-9, [card0, doubled / 100]);
  const gainAfter = Number(await page.locator(card0).getAttribute('data-expected-gain'));
  assert.ok(Math.abs(gainAfter - 2 * gainBefore) <= 0.02, `expected gain ${gainBefore} → ${gainAfter} with the rate doubled`);

  // The full report as JSON: the versioned contract, with the plan the cards show.
  const reportFile = await h.download(page, '#report-json');
  const downloaded = JSON.parse(reportFile.bytes.toString('utf8'));
  assert.equal(downloaded.report_version, '1.0');
  const first = downloaded.action_plan.actions[0];
  assert.equal(first.key, top.key);
  assert.equal(first.members, top.members);
  assert.ok(Array.isArray(downloaded.tags.catalogue) && downloaded.tags.catalogue.length > 0);

  // "Show all" shows the rest (when there are more than 8).
  const total = Number(await page.locator('#actions-list').getAttribute('data-total'));
  if (total > 8) {
    await page.click('#actions-toggle');
    await page.waitForFunction((n) => document.querySelectorAll('#actions-list .action-card').length === n, total);
  }

  // The touch calendar: 5 weeks with dates, entries with counts; the overdue counts.
  const weeks = await page.$$eval('#actions-calendar tbody tr', (trs) => trs.map((tr) => tr.dataset.week));
  assert.deepEqual(weeks, plan.calendar.weeks.map((w) => w.from));
  assert.equal(weeks.length, 5);
  const entries = await page.$$eval('#actions-calendar [data-moment]', (ls) => ls.map((l) => Number(l.dataset.members)));
  assert.deepEqual(entries.reduce((x, y) => x + y, 0), plan.calendar.weeks.flatMap((w) => w.entries).reduce((x, e) => x + e.members, 0));
  assert.equal(Number(await page.locator('#actions-overdue [data-recently-overdue]').getAttribute('data-recently-overdue')), plan.calendar.recently_overdue);
  assert.equal(Number(await page.locator('#actions-overdue [data-long-lapsed]').getAttribute('data-long-lapsed')), plan.calendar.long_lapsed);
  assert.equal(await page.locator('#actions-calendar th').count(), 3, 'a header per column');
  assert.ok(await page.locator('#actions-overdue [data-recently-overdue]').count() === 1);
  assert.ok(await page.locator('#actions-overdue [data-long-lapsed]').count() === 1);

  // In English: channel names, benefit and cap.
  await page.click('#lang-switch');
  await page.waitForFunction(() => document.getElementById('actions-title').textContent === 'Action plan');
  assert.match(await card.textContent(), /at most \d+ per \d+ days/);
}));

test('the playbook exports as JSON; an edited gain rate changes the expected gain; a broken one is refused with its place', () => withPage(async ({ page }) => {
  await analyse(page);
  const before = (await cards(page))[0];
  const pb = await h.download(page, '#playbook-export');
  assert.match(pb.name, /\.json$/);
  const json = JSON.parse(pb.bytes.toString('utf8'));
  const play = json.plays.find((p) => p.key === before.key);
  assert.ok(play, `the top action's play: ${before.key}`);
  assert.equal(play.gain.rate, before.rate);
  const rate = play.gain.rate * 2 || 0.1;
  play.gain.rate = rate;
  await page.setInputFiles('#playbook-import', { name: 'playbook.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(json)) });
  await page.waitForFunction(([key, r]) => Number(document.querySelector(`.action-card[data-action="${key}"]`)?.dataset.gainRate) === r,
    [before.key, rate], { timeout: 30_000 });
  assert.equal(await page.locator('#playbook-status').getAttribute('data-state'), 'ok');
  const after = Number(await page.locator(`.action-card[data-action="${before.key}"]`).getAttribute('data-expected-gain'));
  assert.notEqual(after, before.gain, 'the expected gain changed');
  if (before.rate > 0) assert.ok(Math.abs(after - before.gain * 2) <= 0.01 + 1e-6 * Math.abs(after), `doubled: ${before.gain} → ${after}`);

  // A fresh worker (cancel replaces it) is given the imported playbook again.
  await page.evaluate(() => document.getElementById('cancel-button').click());
  await page.waitForFunction(() => document.body.dataset.state !== 'busy', null, { timeout: 30_000 });
  // Cancel is a neutral note, not an error to dismiss.
  assert.equal(await page.locator('#error-panel').isHidden(), true);
  const seq = await h.reportSeq(page);
  await page.click('#reanalyze');
  await h.waitForReport(page, seq);
  assert.equal(Number(await page.locator(`.action-card[data-action="${before.key}"]`).getAttribute('data-gain-rate')), rate, 'the edited playbook survives a restart');

  // Broken JSON: refused with its place, in the page's language; the imported playbook stays.
  await page.setInputFiles('#playbook-import', { name: 'broken.json', mimeType: 'application/json', buffer: Buffer.from('{"plays": [\n  {"key": }\n]}') });
  await page.waitForFunction(() => document.getElementById('playbook-status').dataset.state === 'error', null, { timeout: 30_000 });
  assert.equal(await page.locator('#playbook-status').getAttribute('data-code'), 'invalid_playbook');
  assert.match(await page.locator('#playbook-status').textContent(), /策略手册未导入.*第 2 行第 \d+ 列/);
  await page.click('#lang-switch');
  assert.match(await page.locator('#playbook-status').textContent(), /not imported.*line 2, column \d+/);
  assert.equal(Number(await page.locator(`.action-card[data-action="${before.key}"]`).getAttribute('data-gain-rate')), rate);

  // Back to the shipped playbook.
  await page.click('#playbook-reset');
  await page.waitForFunction(([key, r]) => Number(document.querySelector(`.action-card[data-action="${key}"]`)?.dataset.gainRate) === r
    && document.getElementById('playbook-status').dataset.state === 'ok', [before.key, before.rate], { timeout: 30_000 });
}));

// The page as a consultant uses it: edit a column mapping, filter and export members,
// hostile names rendered literally and escaped in exports, the demo button, the member table.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as h from './helpers.mjs';

const truth = JSON.parse(readFileSync(path.join(h.fixturesDir, 'truth.json'), 'utf8'));
const ONLINE = path.join(h.fixturesDir, 'online_orders_gbk.csv');
const HOSTILE = path.join(h.localFixtures, 'hostile_orders.csv');
const IMG_NAME = '<img src=x onerror=alert(1)>';
const FORMULA_NAME = '=HYPERLINK("x")';

let site;
before(async () => { site = await h.siteUrl(); });
after(async () => { await site?.stop(); });

const withPage = (fn, opts) => h.withPage(site.url, fn, opts);
const { parseCsv, download } = h;

/** Wait until the member table settled and predicate(arg) holds (a function: the page's CSP forbids eval of strings). */
async function waitMembers(page, predicate, arg = null) {
  await page.waitForFunction(predicate, arg, { timeout: 30_000, polling: 50 });
}

test('changing a column mapping recomputes the figures', () => withPage(async ({ page }) => {
  await h.upload(page, [ONLINE]);
  const before = await h.readMetrics(page);
  assert.ok(Math.abs(before.revenue - truth.online.revenue) <= 0.01);

  // Treat the refund column as ignored: refunds no longer reduce revenue. (The card is folded
  // to one line once there are results: open it first.)
  await page.click('[data-file="online_orders_gbk.csv"] button.file-toggle');
  const select = page.locator('[data-file="online_orders_gbk.csv"] select.column-role[data-header="退款金额"]');
  assert.equal(await select.inputValue(), 'refund');
  let seq = await h.reportSeq(page);
  await select.selectOption('ignore');
  seq = await h.waitForReport(page, seq);
  const changed = await h.readMetrics(page);
  assert.ok(changed.revenue > before.revenue + 1, `revenue should grow without refunds: ${before.revenue} -> ${changed.revenue}`);
  assert.equal(await page.locator('[data-file="online_orders_gbk.csv"] select.column-role[data-header="退款金额"]').inputValue(), 'ignore');

  // And back: the truth figures return.
  await page.locator('[data-file="online_orders_gbk.csv"] select.column-role[data-header="退款金额"]').selectOption('refund');
  await h.waitForReport(page, seq);
  const restored = await h.readMetrics(page);
  assert.ok(Math.abs(restored.revenue - truth.online.revenue) <= 0.01, `revenue restored: ${restored.revenue}`);
}));

test('export one RFM segment as CSV: BOM, one row per member of the segment, and as XLSX', () => withPage(async ({ page }) => {
  await h.upload(page, [ONLINE]);
  const members = Number(await page.locator('[data-segment="important_value"]').getAttribute('data-members'));
  assert.equal(members, truth.online.rfm.segments.important_value);
  await page.selectOption('#filter-segment', 'important_value');
  await waitMembers(page, (a) => document.body.dataset.membersState !== 'loading' && document.getElementById('page-info').dataset.total === String(a), members);

  const csv = await download(page, '#export-csv');
  assert.match(csv.name, /\.csv$/);
  assert.deepEqual([...csv.bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 BOM');
  const rows = parseCsv(csv.bytes.subarray(3).toString('utf8')).filter((r) => r.some((c) => c !== ''));
  assert.equal(rows.length, members + 1, 'header + one row per member of the segment');
  // Headed and named in the page's language (field keys only on request).
  const seg = rows[0].indexOf('RFM 分层');
  assert.ok(seg >= 0 && rows[0].includes('会员ID'), `Chinese headers: ${rows[0]}`);
  assert.ok(rows.slice(1).every((r) => r[seg] === '重要价值客户'), 'segment named in Chinese');

  const xlsx = await download(page, '#export-xlsx');
  assert.match(xlsx.name, /\.xlsx$/);
  assert.equal(xlsx.bytes.subarray(0, 2).toString('latin1'), 'PK', 'XLSX is a zip');
}));

test('hostile member names render literally and are escaped in the export', () => withPage(async ({ page }) => {
  await h.upload(page, [HOSTILE]);
  // The member table shows the name as text; no element was created from it.
  const cells = await page.locator('#member-table td').allTextContents();
  assert.ok(cells.includes(IMG_NAME), 'the <img> name is shown literally');
  assert.ok(cells.includes(FORMULA_NAME), 'the formula name is shown literally');
  assert.equal(await page.locator('#member-table img, #results img').count(), 0, 'no <img> element injected');
  // Sample rows in the file card are text too.
  assert.ok((await page.locator('.file-card .sample td').allTextContents()).includes(IMG_NAME));

  const csv = await download(page, '#export-csv');
  const text = csv.bytes.subarray(3).toString('utf8');
  const rows = parseCsv(text);
  const flat = rows.flat();
  assert.ok(flat.includes(`'${FORMULA_NAME}`), `formula cell escaped with a leading ': ${flat.filter((c) => c.includes('HYPERLINK'))}`);
  assert.ok(!flat.includes(FORMULA_NAME), 'no unescaped formula cell');
  assert.ok(flat.includes(IMG_NAME), 'the <img> name is exported as plain text');
  for (const c of flat) assert.ok(!/^[=+@\t\r]/.test(c) && !/^-[^0-9.]/.test(c), `cell not escaped: ${c}`);

  // A hostile source label reaches an ECharts tooltip (HTML): it must arrive escaped.
  const seq = await h.reportSeq(page);
  await page.click('[data-file="hostile_orders.csv"] button.file-toggle');
  await page.fill('[data-file="hostile_orders.csv"] input.file-source-label', IMG_NAME);
  await page.press('[data-file="hostile_orders.csv"] input.file-source-label', 'Enter');
  await h.waitForReport(page, seq);
  assert.equal(await page.locator('#sources-table [data-source]').first().getAttribute('data-source'), IMG_NAME);
  const chart = page.locator('#chart-sources');
  await chart.scrollIntoViewIfNeeded();
  const box = await chart.boundingBox();
  let tip = '';
  for (const fx of [0.3, 0.4, 0.5, 0.6]) {
    await page.mouse.move(box.x + box.width * fx, box.y + box.height * 0.5);
    await page.waitForTimeout(200);
    tip = await page.evaluate(() => [...document.querySelectorAll('#chart-sources .ml-tooltip')].map((e) => e.innerHTML).join(''));
    if (tip) break;
  }
  assert.ok(tip.includes('&lt;img'), `tooltip shows the label escaped: ${tip}`);
  assert.equal(await page.locator('.ml-tooltip img').count(), 0, 'no <img> inside a tooltip');
}));

test('the demo button loads the bundled exports and shows a report', () => withPage(async ({ page, requests }) => {
  const seq = await h.reportSeq(page);
  await page.click('#demo-button');
  await h.waitForReport(page, seq);
  assert.equal(await page.locator('.file-card').count(), 3);
  const m = await h.readMetrics(page);
  assert.ok(m.members_total > 300 && m.buyers > 100 && m.revenue > 0, JSON.stringify(m));
  const segTotal = Object.values(await h.readSegments(page)).reduce((a, b) => a + b, 0);
  assert.equal(segTotal, m.buyers, 'segments cover every buyer');
  assert.ok(requests.some((u) => u.endsWith('/demo/online_orders.csv')), 'demo files fetched from the site itself');
  // Switch to English and back: figures stay, labels change.
  await page.click('#lang-switch');
  assert.equal(await page.locator('[data-i18n="rfm.title"]').textContent(), 'RFM segments');
  assert.deepEqual(await h.readMetrics(page), m);
}));

test('member table: search, filter, sort and paginate in the worker', () => withPage(async ({ page }) => {
  await h.upload(page, [ONLINE]);
  const total = Number(await page.locator('#page-info').getAttribute('data-total'));
  assert.equal(total, truth.online.members_total);
  assert.equal(await page.locator('#member-table tbody tr').count(), 50);

  await page.click('#page-next');
  await waitMembers(page, () => document.body.dataset.membersState !== 'loading' && document.getElementById('page-info').textContent.includes(' 2 '));

  await page.click('#member-table th[data-column="monetary"]');
  await waitMembers(page, () => document.body.dataset.membersState !== 'loading' && document.querySelector('#member-table th[data-column=monetary]').getAttribute('aria-sort') === 'descending');
  const monetary = await page.evaluate(() => {
    const idx = [...document.querySelectorAll('#member-table th')].findIndex((th) => th.dataset.column === 'monetary');
    // Money is shown as ¥1,234.50: read it back as a number.
    return [...document.querySelectorAll('#member-table tbody tr')].map((tr) => Number(tr.children[idx].textContent.replace(/[¥,]/g, '')));
  });
  for (let i = 1; i < monetary.length; i++) assert.ok(monetary[i - 1] >= monetary[i], 'sorted by monetary, descending');

  const phone = await page.evaluate(() => {
    const idx = [...document.querySelectorAll('#member-table th')].findIndex((th) => th.dataset.column === 'phone');
    return document.querySelector('#member-table tbody tr').children[idx].textContent;
  });
  await page.fill('#member-search', phone);
  await waitMembers(page, () => document.body.dataset.membersState !== 'loading' && document.getElementById('page-info').dataset.total === '1');

  await page.fill('#member-search', '');
  await page.selectOption('#filter-dormancy', 'lost');
  await waitMembers(page, (a) => document.body.dataset.membersState !== 'loading' && document.getElementById('page-info').dataset.total === String(a), truth.online.dormancy.lost);
}));

test('a file that cannot be analysed shows an explanation, not a blank page', () => withPage(async ({ page }) => {
  await page.setInputFiles('#file-input', { name: 'empty.csv', mimeType: 'text/csv', buffer: Buffer.from('') });
  // The explanation sits on the file's own card (the file is kept, not dropped).
  await page.waitForSelector('.file-card[data-file="empty.csv"] .file-error', { timeout: 30_000 });
  const text = await page.locator('.file-card[data-file="empty.csv"] .file-error').textContent();
  assert.ok(text.trim().length > 0, 'an error message is shown');
}));

test('cancel while reading a large file: the worker is replaced and the files already added come back', () => withPage(async ({ page }) => {
  await h.upload(page, [ONLINE]);
  const revenue = (await h.readMetrics(page)).revenue;
  // ~150 MB of order lines: long enough to read that the cancel button lands mid-stream.
  const big = path.join(mkdtempSync(path.join(tmpdir(), 'memberlens-')), 'big_orders.csv');
  const line = 'E000001,交易成功,2024-01-01 10:00:00,13800000000,100.00,0.00,小程序商城\n';
  writeFileSync(big, '订单号,订单状态,下单时间,买家手机号,订单实付金额,退款金额,销售渠道\n' + line.repeat(Math.ceil(150e6 / Buffer.byteLength(line))));
  try {
    const seq = await h.reportSeq(page);
    await page.setInputFiles('#file-input', big);
    await page.waitForFunction(() => {
      const bar = document.getElementById('progress-bar');
      return !document.getElementById('progress').hidden && bar.value > 0 && bar.value < bar.max;
    }, null, { timeout: 30_000, polling: 10 });
    await page.click('#cancel-button');
    await h.waitForReport(page, seq).catch(() => {});
    await page.waitForFunction(() => document.body.dataset.state === 'ready', null, { timeout: 60_000 });
    assert.deepEqual(await page.locator('.file-card').evaluateAll((els) => els.map((e) => e.dataset.file)), ['online_orders_gbk.csv']);
    assert.ok(Math.abs((await h.readMetrics(page)).revenue - revenue) <= 0.01, 'the earlier file is analysed again');
    assert.ok(!(await page.locator('#status-panel').isHidden()), 'the cancellation is explained');
    assert.ok(await page.locator('#error-panel').isHidden(), 'as a neutral note, not an error');
  } finally {
    rmSync(path.dirname(big), { recursive: true, force: true });
  }
}));

test('files dropped on the drop zone are analysed like chosen ones', () => withPage(async ({ page }) => {
  const text = readFileSync(HOSTILE, 'utf8');
  const seq = await h.reportSeq(page);
  const dt = await page.evaluateHandle((csv) => {
    const d = new DataTransfer();
    d.items.add(new File([csv], 'dropped_orders.csv', { type: 'text/csv' }));
    return d;
  }, text);
  await page.dispatchEvent('#dropzone', 'drop', { dataTransfer: dt });
  await h.waitForReport(page, seq);
  assert.equal(await page.locator('.file-card').getAttribute('data-file'), 'dropped_orders.csv');
  assert.equal((await h.readMetrics(page)).members_total, 10);
}));

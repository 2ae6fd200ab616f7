// The client report (issue 11): the page printed to an A4 PDF holds the results with the print
// header (brand, title, as-of date) and page numbers, and none of the upload or settings
// controls. One page load on the demo data serves every check; the last test asserts that
// nothing left the local origin meanwhile.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import * as h from './helpers.mjs';

const BRAND = '澄湖咖啡 Lakeside';

let site;
/** @type {Awaited<ReturnType<typeof h.openPage>>} */
let ctx;
/** What the page shows once the demo data is analysed: the as-of date and the top action's name. */
let shown;

before(async () => {
  site = await h.siteUrl();
  ctx = await h.openPage(site.url);
  const { page } = ctx;
  await page.click('#demo-button');
  await h.waitForReport(page, 0);
  await page.waitForSelector('#actions-list .action-card');
  await page.fill('#report-brand', BRAND);
  shown = {
    asOf: await page.inputValue('#as-of'),
    topAction: (await page.locator('#actions-list .action-card[data-rank="1"] .action-name').textContent()).trim(),
  };
  assert.match(shown.asOf, /^\d{4}-\d{2}-\d{2}$/);
  assert.ok(shown.topAction, 'a top action');
});
after(async () => {
  await ctx?.browser.close();
  await site?.stop();
});

/**
 * The text of each page of a PDF, as pdf.js reads it, made comparable: compatibility forms folded
 * (the CJK fonts map some ideographs to Kangxi radicals) and whitespace dropped.
 * @param {Uint8Array} bytes
 */
async function pdfPages(bytes) {
  const doc = await getDocument({ data: bytes }).promise;
  const pages = [];
  for (let i = 1; i <= doc.numPages; i++) {
    const content = await (await doc.getPage(i)).getTextContent();
    pages.push(squash(content.items.map((item) => ('str' in item ? item.str : '')).join('')));
  }
  await doc.destroy();
  return pages;
}

/** @param {string} s */
const squash = (s) => s.normalize('NFKC').replace(/\s+/g, '');

/**
 * Whether PDF text holds `needle`. A few ideographs come out as the CJK radical they look like
 * (门 as ⻔), which NFKC does not fold: any radical stands for an ideograph here.
 * @param {string} text @param {string} needle
 */
function pdfHas(text, needle) {
  const pattern = [...squash(needle)]
    .map((c) => (/\p{Script=Han}/u.test(c) ? `(?:${c}|[\\u2E80-\\u2EFF])` : c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(pattern, 'u').test(text);
}

test('printed to an A4 PDF: header with brand, title and as-of date, page numbers, the action plan; no upload or settings controls', async () => {
  const { page } = ctx;
  const pdf = await page.pdf({ format: 'A4', printBackground: true });
  const pages = await pdfPages(new Uint8Array(pdf));
  const text = pages.join('\n');
  assert.ok(pages.length > 1, `more than one page: ${pages.length}`);
  assert.ok(pdfHas(text, '行动建议'), 'Chinese text in the PDF (without a CJK font, such as Debian\'s fonts-noto-cjk, Chromium prints none)');

  // The print header opens the first page.
  const first = pages[0];
  for (const needle of [BRAND, '会员分析报告', `分析基准日：${shown.asOf}`]) assert.ok(pdfHas(first, needle), `page 1 shows ${needle}`);
  assert.ok(first.indexOf(squash(BRAND)) < first.indexOf('数据盘点'), 'the header comes before the results');
  assert.ok(pdfHas(text, shown.topAction), `the top action: ${shown.topAction}`);

  // Every page is numbered "n / N".
  pages.forEach((p, i) => assert.ok(p.includes(`${i + 1}/${pages.length}`), `page ${i + 1} is numbered ${i + 1} / ${pages.length}`));

  // Nothing of the upload, the settings or the report controls.
  for (const absent of ['选择文件', '试用示例数据', '把会员表、订单导出拖到这里（CSV / TSV / XLSX，可多选）', '重新计算', '列映射', '沉睡分层方式',
    '客户/品牌名称', '打印 / 导出 PDF', '下载完整报告 JSON', '导出策略手册', '企微/短信名单', '改比率', '上一页', 'English']) {
    assert.ok(!pdfHas(text, absent), `not printed: ${absent}`);
  }

  // Back on screen: the header is print-only, the controls are there.
  assert.equal(await page.locator('#print-header').isVisible(), false);
  assert.equal(await page.locator('#report-print').isVisible(), true);
  assert.equal(await page.locator('#chart-segments img.chart-print').count(), 0, 'the charts\' print images are gone after printing');
});

test('the print button calls window.print()', async () => {
  const { page } = ctx;
  await page.evaluate(() => { window.__printed = 0; window.print = () => { window.__printed += 1; }; });
  await page.click('#report-print');
  assert.equal(await page.evaluate(() => window.__printed), 1);
});

test('nothing left the local origin; no CSP violation; no dialog', async () => {
  assert.deepEqual(h.foreignRequests(ctx.requests, site.url), [], 'every request stays on the local origin');
  assert.deepEqual(await h.cspViolations(ctx.page), [], 'no securitypolicyviolation event');
  assert.deepEqual(ctx.dialogs, [], 'no dialog fired');
  assert.deepEqual(ctx.errors, [], 'no page error');
});

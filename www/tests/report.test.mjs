// The client report (issue 11): the page printed to an A4 PDF holds the results with the print
// header (brand, title, as-of date) and page numbers, and none of the upload or settings
// controls; the HTML report downloads as one self-contained document that opens with no request
// at all, in Chinese and in English. One page load on the demo data serves every check; the last
// test asserts that nothing left the local origin meanwhile.

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
    '客户/品牌名称', '打印 / 导出 PDF', '下载 HTML 报告', '下载完整报告 JSON', '导出策略手册', '企微/短信名单', '改比率', '上一页', 'English']) {
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

/** Every src/href/url() of a document, and whether each points at the document itself or is data. @param {string} html */
function references(html) {
  const refs = [...html.matchAll(/\b(?:src|href|srcset|action|poster)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/gi)]
    .map((m) => m[1] ?? m[2] ?? m[3]);
  refs.push(...[...html.matchAll(/url\(\s*(?:"([^"]*)"|'([^']*)'|([^)]*))\)/gi)].map((m) => (m[1] ?? m[2] ?? m[3]).trim()));
  return refs.map((ref) => ({ ref, inside: ref.startsWith('#') || /^data:/i.test(ref) }));
}

/**
 * Opens a document in a fresh browser context where every request is recorded and refused,
 * and returns the page with what it asked for and what it logged as an error.
 * @param {string} html
 */
async function openOffline(html) {
  const context = await ctx.browser.newContext({ serviceWorkers: 'block', javaScriptEnabled: true });
  const routed = [];
  await context.route('**/*', (route) => { routed.push(route.request().url()); return route.abort(); });
  const page = await context.newPage();
  const requests = [];
  const errors = [];
  page.on('request', (r) => requests.push(r.url()));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.setContent(html, { waitUntil: 'load' });
  return { context, page, routed, requests, errors };
}

/** Downloads the HTML report and checks it is one document that refers to nothing outside itself. */
async function downloadReport() {
  const file = await h.download(ctx.page, '#report-html');
  assert.equal(file.name, `memberlens-report-${shown.asOf}.html`);
  const html = file.bytes.toString('utf8');
  assert.match(html, /^\s*<!doctype html>/i, 'an HTML document');
  assert.equal(html.match(/<html[\s>]/gi)?.length, 1, 'one document');
  assert.equal(html.match(/<\/html>/gi)?.length, 1, 'one document');
  assert.match(html, /<meta http-equiv="Content-Security-Policy"/i, 'its own CSP');
  const outside = references(html).filter((r) => !r.inside).map((r) => r.ref);
  assert.deepEqual(outside, [], 'no src, href or url() but #fragments and data: URLs');
  assert.doesNotMatch(html, /@import|<link\b|<script\b[^>]*\bsrc|<iframe|<object|<embed/i, 'nothing loaded from elsewhere');
  assert.match(html, /<svg\b/, 'a chart drawn inline as SVG');
  return html;
}

test('the HTML report downloads as one self-contained document with the brand, as-of date and top action, and opens with no request', async () => {
  const html = await downloadReport();
  for (const needle of [BRAND, shown.asOf, shown.topAction, '会员分析报告']) assert.ok(html.includes(needle), `the report holds ${needle}`);

  const offline = await openOffline(html);
  try {
    await offline.page.getByText(shown.topAction).first().waitFor({ state: 'visible', timeout: 10_000 });
    assert.ok(await offline.page.getByText(BRAND).first().isVisible(), 'the brand shows');
    assert.ok(await offline.page.locator('svg').first().isVisible(), 'a chart shows');
    assert.deepEqual(offline.routed, [], 'no request reached the network layer');
    assert.deepEqual(offline.requests, [], 'no request at all');
    assert.deepEqual(offline.errors, [], 'no error (its own CSP lets its inline styles in)');
  } finally {
    await offline.context.close();
  }
});

test('the HTML report in English: English headings and the English default title', async () => {
  const { page } = ctx;
  await page.click('#lang-switch');
  await page.waitForFunction(() => document.getElementById('actions-title')?.textContent === 'Action plan');
  assert.equal(await page.inputValue('#report-title'), 'Member analysis report', 'the default title follows the language');
  const topAction = (await page.locator('#actions-list .action-card[data-rank="1"] .action-name').textContent()).trim();
  const html = await downloadReport();
  assert.match(html, /<html[^>]*\blang="en"/, 'marked as English');
  for (const needle of [BRAND, shown.asOf, topAction, 'Member analysis report', 'Action plan']) assert.ok(html.includes(needle), `the report holds ${needle}`);

  const offline = await openOffline(html);
  try {
    await offline.page.getByText('Action plan').first().waitFor({ state: 'visible', timeout: 10_000 });
    assert.deepEqual([...offline.routed, ...offline.requests], [], 'no request at all');
  } finally {
    await offline.context.close();
  }
  await page.click('#lang-switch');
});

test('nothing left the local origin; no CSP violation; no dialog', async () => {
  assert.deepEqual(h.foreignRequests(ctx.requests, site.url), [], 'every request stays on the local origin');
  assert.deepEqual(await h.cspViolations(ctx.page), [], 'no securitypolicyviolation event');
  assert.deepEqual(ctx.dialogs, [], 'no dialog fired');
  assert.deepEqual(ctx.errors, [], 'no page error');
});

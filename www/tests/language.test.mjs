// Issue 13, "one language at a time": the whole results page on the demo data, walked in zh
// and in en. In zh no English word from the engine and no raw snake_case key may show; in en no
// Chinese, except the data's own values (names, stores, tiers as the client wrote them).
// Brand, format and model names (MemberLens, RFM, CLV, CSV ...) and file names are allowed.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as h from './helpers.mjs';

const DEMO = ['members.csv', 'online_orders.csv', 'pos_sales.csv'];
const ALLOWED_WORDS = new Set(['MemberLens', 'RFM', 'CLV', 'CSV', 'XLSX', 'TSV', 'HTML', 'PDF', 'JSON', 'KPI', 'ID', 'SMS', 'AI', 'BG', 'NBD',
  'Gamma', 'Beta', 'UpSet', 'WeCom', 'utf', 'gbk', 'gb18030', 'UTF', 'GBK', 'KB', 'MB', 'TAB', 'VIP', 'csv', 'xlsx', 'alive', 'engine', 'ROI', 'AOV', 'GMV', 'P10', 'P25', 'P50', 'P75', 'P90', 'NPS', 'POS', 'AIC', 'Poisson']);

let site;
before(async () => { site = await h.siteUrl(); });
after(async () => { await site?.stop(); });

/** Every cell of the demo files: the data's own words, allowed in either language. */
function dataValues() {
  const values = new Set();
  for (const f of DEMO) {
    const bytes = readFileSync(path.join(h.wwwDir, 'demo', f));
    let text;
    try { text = new TextDecoder('utf-8', { fatal: true }).decode(bytes); } catch { text = new TextDecoder('gb18030').decode(bytes); }
    for (const row of h.parseCsv(text)) for (const c of row) if (c.trim()) values.add(c.trim());
  }
  return [...values].sort((a, b) => b.length - a.length);
}

/** The visible text of the files and results, text node by text node, with where it sits; rules (code) left out. */
async function pageTexts(page) {
  return page.evaluate(() => {
    const out = [];
    for (const root of [document.getElementById('files'), document.getElementById('results'), document.querySelector('.topbar'), document.getElementById('input-panel')]) {
      if (!root) continue;
      const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        const s = n.textContent.trim();
        const p = n.parentElement;
        // Rules are code (the rule language's field names); the language switch names the other language.
        if (!s || !p || p.closest('[hidden], code, pre, textarea, script, style, .rule, [data-rule], #lang-switch')) continue;
        out.push({ s, where: `${p.tagName.toLowerCase()}.${p.className}` });
      }
    }
    for (const e of document.querySelectorAll('#results [aria-label], #results [placeholder], #files [aria-label]')) {
      if (e.closest('[hidden]')) continue;
      if (e.closest('textarea, [data-rule]')) continue;
      for (const a of ['aria-label', 'placeholder']) { const v = e.getAttribute(a); if (v) out.push({ s: v, where: `@${a}` }); }
    }
    return out;
  });
}

const FILE_NAME = /[\w.-]+\.(csv|xlsx|tsv|json|html)\b|\b(utf-8|utf-16le|utf-16be|gb18030|gbk)\b/gi;

for (const lang of ['zh', 'en']) {
  test(`${lang}: the results page speaks ${lang} only`, () => h.withPage(site.url, async ({ page }) => {
    const seq = await h.reportSeq(page);
    await page.click('#demo-button');
    await h.waitForReport(page, seq);
    // Open everything that folds, so its text is walked too.
    await page.evaluate(() => { for (const d of document.querySelectorAll('#results details')) d.open = true; });
    const data = dataValues();
    const bad = [];
    for (const { s, where } of await pageTexts(page)) {
      let rest = s.replace(FILE_NAME, ' ');
      if (lang === 'zh') {
        if (/\b[a-z]+(_[a-z0-9]+)+\b/.test(rest)) { bad.push(`raw key: "${s}" in ${where}`); continue; }
        for (const v of data) if (/[A-Za-z]/.test(v) && rest.includes(v)) rest = rest.split(v).join(' ');
        const words = (rest.match(/[A-Za-z][A-Za-z']+/g) ?? []).filter((w) => !ALLOWED_WORDS.has(w) && !/^VIP\d/.test(w));
        if (words.length) bad.push(`English "${words.join(' ')}" in "${s}" (${where})`);
      } else {
        if (!/[\u4e00-\u9fff]/.test(rest)) continue;
        for (const v of data) if (rest.includes(v)) rest = rest.split(v).join(' ');
        if (/[\u4e00-\u9fff]/.test(rest)) bad.push(`Chinese in "${s}" (${where})`);
      }
    }
    assert.deepEqual([...new Set(bad)].slice(0, 30), [], `${lang} page shows the other language`);
  }, { lang }));
}

test('the glossary names and defines every figure, segment, tier, stage and chart in both languages', () => {
  const glossary = JSON.parse(readFileSync(path.join(h.repoDir, 'src/report/glossary.json'), 'utf8'));
  const keys = new Set(glossary.map((e) => e.key));
  assert.equal(keys.size, glossary.length, 'keys are unique');
  for (const e of glossary) {
    for (const f of ['name_zh', 'name_en', 'definition_zh', 'definition_en']) assert.ok(String(e[f] ?? '').trim(), `${e.key}.${f}`);
    assert.match(e.name_zh + e.definition_zh, /[\u4e00-\u9fff]/, `${e.key}: Chinese in Chinese`);
    assert.doesNotMatch(e.name_en + e.definition_en, /[\u4e00-\u9fff]/, `${e.key}: no Chinese in English`);
  }
  const expected = [
    ...['members_total', 'buyers', 'non_buyers', 'purchase_orders', 'revenue', 'aov', 'avg_spend_per_buyer', 'avg_orders_per_buyer', 'repurchase_rate', 'return_rate', 'guest_orders', 'guest_revenue', 'median_interpurchase_days', 'members_in_member_file', 'return_rows', 'returns_amount', 'revenue_per_store'].map((k) => `metric.${k}`),
    ...['important_value', 'important_develop', 'important_keep', 'important_retain', 'general_value', 'general_develop', 'general_keep', 'general_retain'].map((k) => `segment.${k}`),
    ...['champions', 'loyal_customers', 'new_customers', 'promising', 'potential_loyalist', 'need_attention', 'about_to_sleep', 'cant_lose_them', 'at_risk', 'lost', 'others'].map((k) => `ten.${k}`),
    ...['active', 'silent', 'near_sleep', 'dormant', 'lost'].map((k) => `tier.${k}`),
    ...['within_30d', 'days_31_90', 'days_91_365', 'over_365d', 'unknown'].map((k) => `nb.${k}`),
    ...['introduction', 'growth', 'maturity', 'dormancy', 'churn'].map((k) => `life.${k}`),
    ...['overdue', 'due', 'later'].map((k) => `rep.${k}`),
    ...['low', 'medium', 'high'].map((k) => `churn.${k}`),
    'rfm.recency', 'rfm.frequency', 'rfm.monetary', 'rfm.score', 'forecast.p_alive', 'forecast.clv', 'forecast.churn_risk',
    'actions.value_at_stake', 'actions.expected_gain', 'growth.ladder', 'growth.movement', 'growth.target',
  ];
  // Every chart the page draws (chart-x-y → chart.x_y).
  const html = readFileSync(path.join(h.wwwDir, 'index.html'), 'utf8');
  for (const m of html.matchAll(/class="chart[^"]*" id="chart-([a-z-]+)"/g)) expected.push(`chart.${m[1].replace(/-/g, '_')}`);
  assert.deepEqual(expected.filter((k) => !keys.has(k)), [], 'entries missing from src/report/glossary.json');
  // The return rate is not confused with refunds.
  const rr = glossary.find((e) => e.key === 'metric.return_rate');
  assert.equal(rr.name_en, 'Repeat-purchase (return) rate');
  assert.equal(rr.name_zh, '回购率');
});

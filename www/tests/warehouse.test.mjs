// The warehouse hand-off (issue 15, item 6; docs/warehouse.md) on the shared fixtures: the
// DuckDB SQL (docs/warehouse/duckdb/) run in DuckDB-Wasm's Node build (www/node_modules, no download)
// turns the fixtures' staged orders into the member summary (会员汇总); the CLI reads that
// summary with the member master and must give every member the segment, scores, dormancy
// tier and lifecycle stage it gives from the raw exports. docs/warehouse/duckdb/rfm_segments.sql must
// give the same segment and tier too, and the counts must be truth.json's.
// Needs target/release/memberlens (built here when missing). No browser.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openDuckDB, repo, sqlFile } from '../../scripts/duckdb/node.mjs';

const fixtures = path.join(repo, '..', 'shared', 'fixtures');
const bin = path.join(repo, 'target', 'release', 'memberlens');

/** A CSV text (RFC 4180 quotes, optional BOM) as rows of cells. @param {string} text */
function parseCsv(text) {
  /** @type {string[][]} */
  const rows = [];
  let row = [];
  let cell = '';
  let quoted = false;
  const s = text.replace(/^\uFEFF/, '');
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (quoted) {
      if (c === '"' && s[i + 1] === '"') { cell += '"'; i++; } else if (c === '"') quoted = false; else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(cell); cell = ''; } else if (c === '\n' || c === '\r') {
      if (c === '\r' && s[i + 1] === '\n') i++;
      row.push(cell); rows.push(row); row = []; cell = '';
    } else cell += c;
  }
  if (cell || row.length) { row.push(cell); rows.push(row); }
  return rows;
}

/** The CLI's member table for these files, keyed by member id (or phone when there is none). @param {string[]} files @param {string} dir */
function cliMembers(files, dir) {
  const out = path.join(dir, `members-${files.length}-${path.basename(files[files.length - 1])}.csv`);
  const r = spawnSync(bin, ['analyze', ...files, '--no-forecast', '--format', 'json', '--members-out', out],
    { encoding: 'utf8', maxBuffer: 1 << 28 });
  assert.equal(r.status, 0, r.stderr);
  const report = JSON.parse(r.stdout);
  const [header, ...rows] = parseCsv(readFileSync(out, 'utf8')).filter((x) => x.length > 1);
  /** @type {Map<string, Record<string, string>>} */
  const members = new Map();
  for (const cells of rows) {
    /** @type {Record<string, string>} */
    const m = {};
    header.forEach((h, i) => { m[h] = (cells[i] ?? '').replace(/^'/, ''); });
    members.set(m.member_id || m.phone, m);
  }
  return { report, members };
}

test('the DuckDB member summary gives every member the segment and tier of the raw exports', async () => {
  if (!existsSync(bin)) {
    const b = spawnSync('cargo', ['build', '--release', '--bin', 'memberlens'], { cwd: repo, stdio: 'inherit' });
    assert.equal(b.status, 0, 'cargo build --release --bin memberlens');
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'memberlens-warehouse-'));
  try {
    // The warehouse's staging reads UTF-8: the GBK export is converted first.
    const online = path.join(dir, 'online_orders.csv');
    writeFileSync(online, new TextDecoder('gbk').decode(readFileSync(path.join(fixtures, 'online_orders_gbk.csv'))));
    const db = await openDuckDB();
    const staging = sqlFile('duckdb', 'fixtures_orders')
      .replaceAll('{members}', path.join(fixtures, 'members.csv'))
      .replaceAll('{online}', online)
      .replaceAll('{pos}', path.join(fixtures, 'pos_sales.csv'));
    for (const stmt of staging.split(/;\s*\n/)) if (stmt.replace(/--.*$/gm, '').trim()) db.query(stmt);
    db.query(`CREATE TABLE member_summary AS ${sqlFile('duckdb', 'member_summary')}`);
    const summary = db.query(`SELECT member_id, CAST(total_spend AS VARCHAR) AS total_spend, total_orders,
        strftime(first_purchase, '%Y-%m-%d') AS first_purchase, strftime(last_purchase, '%Y-%m-%d') AS last_purchase,
        purchase_days, CAST(repeat_spend AS VARCHAR) AS repeat_spend FROM member_summary ORDER BY member_id`);
    const sqlRfm = new Map(db.query(`SELECT member_id, r_score, f_score, m_score, segment, dormancy FROM (${sqlFile('duckdb', 'rfm_segments')})`)
      .map((r) => [r.member_id, r]));
    // The summary's columns against a plain reckoning of the staged order lines (domain.md §2).
    const lines = db.query(`SELECT member_key, order_id, strftime(order_time, '%Y-%m-%d') AS day,
        CAST(round(amount * 100) AS BIGINT) AS amount, CAST(round(coalesce(refund, 0) * 100) AS BIGINT) AS refund, status
        FROM orders WHERE order_time IS NOT NULL AND amount IS NOT NULL`);
    db.close();
    const closed = new Set(['交易关闭', '待付款', '已取消', '已退款']);
    /** @type {Map<string, { key: string | null, day: string, amount: number, refund: number, closed: boolean }>} */
    const byOrder = new Map();
    for (const l of lines) {
      if (l.amount < 0) continue;
      const o = byOrder.get(l.order_id);
      if (!o) byOrder.set(l.order_id, { key: l.member_key, day: l.day, amount: l.amount, refund: l.refund, closed: closed.has(l.status) });
      else { o.amount = Math.max(o.amount, l.amount); o.refund = Math.max(o.refund, l.refund); }
    }
    /** @type {Map<string, { spend: number, orders: number, days: Map<string, number> }>} */
    const plain = new Map();
    for (const o of byOrder.values()) {
      if (!o.key || o.closed || o.amount - o.refund <= 0) continue;
      const m = plain.get(o.key) ?? { spend: 0, orders: 0, days: new Map() };
      m.spend += o.amount - o.refund;
      m.orders++;
      m.days.set(o.day, (m.days.get(o.day) ?? 0) + o.amount - o.refund);
      plain.set(o.key, m);
    }
    for (const l of lines) if (l.amount < 0 && l.member_key && plain.has(l.member_key)) /** @type {any} */ (plain.get(l.member_key)).spend += l.amount;
    const cents = (/** @type {string} */ v) => Math.round(Number(v) * 100);
    assert.equal(summary.length, plain.size);
    for (const r of summary) {
      const m = plain.get(r.member_id);
      assert.ok(m, r.member_id);
      const days = [...m.days.keys()].sort();
      assert.deepEqual([cents(r.total_spend), r.total_orders, r.first_purchase, r.last_purchase, r.purchase_days, cents(r.repeat_spend)],
        [m.spend, m.orders, days[0], days[days.length - 1], days.length, [...m.days.entries()].filter(([d]) => d !== days[0]).reduce((a, [, v]) => a + v, 0)],
        r.member_id);
    }
    const cols = ['member_id', 'total_spend', 'total_orders', 'first_purchase', 'last_purchase', 'purchase_days', 'repeat_spend'];
    const summaryCsv = path.join(dir, 'member_summary.csv');
    writeFileSync(summaryCsv, [cols.join(','), ...summary.map((r) => cols.map((c) => r[c]).join(','))].join('\n') + '\n');

    const raw = cliMembers(['members.csv', 'online_orders_gbk.csv', 'pos_sales.csv'].map((f) => path.join(fixtures, f)), dir);
    const viaSummary = cliMembers([path.join(fixtures, 'members.csv'), summaryCsv], dir);
    const summaryFile = viaSummary.report.files.find((/** @type {any} */ f) => f.name === 'member_summary.csv');
    assert.equal(summaryFile.kind, 'member_summary');
    assert.equal(summaryFile.rejected_rows, 0);
    assert.equal(viaSummary.report.as_of, raw.report.as_of);

    // The truth's counts (an independent reckoning of the same population).
    const truth = JSON.parse(readFileSync(path.join(fixtures, 'truth.json'), 'utf8')).omnichannel;
    assert.equal(summary.length, truth.buyers);
    /** @param {Iterable<Record<string, any>>} rows @param {string} key */
    const counts = (rows, key) => {
      /** @type {Record<string, number>} */
      const c = {};
      for (const r of rows) if (r[key]) c[r[key]] = (c[r[key]] ?? 0) + 1;
      return c;
    };
    assert.deepEqual(counts(sqlRfm.values(), 'segment'), truth.rfm.segments);
    assert.deepEqual(counts(sqlRfm.values(), 'dormancy'), truth.dormancy);
    assert.deepEqual(counts(viaSummary.members.values(), 'segment'), truth.rfm.segments);

    // Member by member. The summary lists buyers: a person known only from orders that were
    // no purchase (closed, unpaid, refunded, returns) is a non-buyer member of the raw path and
    // absent from the summary path.
    let buyers = 0;
    let orderOnlyNonBuyers = 0;
    for (const [key, m] of raw.members) {
      if (!m.segment && m.in_member_file !== 'true') {
        orderOnlyNonBuyers++;
        assert.equal(viaSummary.members.get(key), undefined, key);
        continue;
      }
      const s = viaSummary.members.get(key);
      assert.ok(s, `${key} is missing from the summary path`);
      for (const col of ['segment', 'dormancy', 'lifecycle', 'r_score', 'f_score', 'm_score', 'recency_days', 'frequency',
        'monetary', 'first_purchase', 'last_purchase', 'segment_ten']) {
        assert.equal(s[col], m[col], `${key}: ${col}`);
      }
      if (!m.segment) continue;
      buyers++;
      const q = sqlRfm.get(key);
      assert.ok(q, `${key} has no row in rfm_segments.sql`);
      assert.deepEqual([q.segment, q.dormancy, String(q.r_score), String(q.f_score), String(q.m_score)],
        [m.segment, m.dormancy, m.r_score, m.f_score, m.m_score], key);
    }
    assert.equal(buyers, truth.buyers);
    assert.equal(viaSummary.members.size, raw.members.size - orderOnlyNonBuyers);
    assert.ok(orderOnlyNonBuyers < 100, `${orderOnlyNonBuyers} order-only non-buyers`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

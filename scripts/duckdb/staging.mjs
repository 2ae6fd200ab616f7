// The order table the DuckDB benchmark reads (docs/warehouse/duckdb/member_summary.sql's `orders`),
// made from a CSV export by its header: shared by the browser page (scripts/duckdb/page/main.js),
// DuckDB-Wasm in Node and native DuckDB (scripts/bench_duckdb_native.py writes the same).

/** Header synonyms per column of the order table, as the benchmark files and fixtures write them. */
const ROLES = /** @type {const} */ ({
  member_key: ['手机号', '买家手机号', '会员卡号', 'member_id', 'phone'],
  order_id: ['订单号', '小票号', 'order_id'],
  order_time: ['下单时间', '销售日期', 'order_time'],
  amount: ['实付金额', '订单实付金额', '销售金额', 'amount'],
  refund: ['退款金额', 'refund'],
  status: ['订单状态', 'status'],
});

/** @param {string} h */
const quote = (h) => `"${h.replaceAll('"', '""')}"`;

/**
 * `CREATE TABLE orders AS …` reading `csvRef` (a path or a registered file name) whose first
 * line is `headerLine`.
 * @param {string} headerLine @param {string} csvRef
 */
export function stagingSql(headerLine, csvRef) {
  const headers = headerLine.replace(/^\uFEFF/, '').split(',').map((h) => h.trim());
  /** @param {keyof typeof ROLES} role */
  const col = (role) => ROLES[role].find((h) => headers.includes(h));
  const need = /** @type {const} */ (['member_key', 'order_id', 'order_time', 'amount']);
  for (const r of need) if (!col(r)) throw new Error(`no ${r} column in ${headerLine}`);
  const refund = col('refund');
  const status = col('status');
  return `CREATE OR REPLACE TABLE orders AS SELECT
  CAST(${quote(/** @type {string} */ (col('member_key')))} AS VARCHAR) AS member_key,
  CAST(${quote(/** @type {string} */ (col('order_id')))} AS VARCHAR) AS order_id,
  CAST(${quote(/** @type {string} */ (col('order_time')))} AS TIMESTAMP) AS order_time,
  CAST(${quote(/** @type {string} */ (col('amount')))} AS DECIMAL(18, 2)) AS amount,
  ${refund ? `CAST(${quote(refund)} AS DECIMAL(18, 2))` : 'CAST(NULL AS DECIMAL(18, 2))'} AS refund,
  ${status ? `CAST(${quote(status)} AS VARCHAR)` : 'CAST(NULL AS VARCHAR)'} AS status
FROM read_csv('${csvRef.replaceAll("'", "''")}', header = true)`;
}

/**
 * The benchmark's whole job after staging: member summary → RFM scores, segments and tiers,
 * counted. `summary` and `rfm` are the texts of docs/warehouse/duckdb/member_summary.sql and
 * rfm_segments.sql.
 * @param {string} summary @param {string} rfm
 */
export function countsSql(summary, rfm) {
  const strip = (/** @type {string} */ s) => s.trim().replace(/;\s*$/, '');
  return `WITH member_summary AS (${strip(summary)}),
scored AS (${strip(rfm)})
SELECT 'segment' AS kind, segment AS key, count(*) AS n FROM scored GROUP BY segment
UNION ALL
SELECT 'tier', dormancy, count(*) FROM scored GROUP BY dormancy`;
}

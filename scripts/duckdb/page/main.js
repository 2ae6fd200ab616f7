// The DuckDB-Wasm side of scripts/bench_duckdb.mjs (bundled by it with esbuild; the wasm
// and worker files are served from www/node_modules/@duckdb/duckdb-wasm/dist at /duckdb/).
// On load: DuckDB is instantiated (one thread: the page is not cross-origin isolated) and the
// SQL fetched; body[data-state] becomes "ready". A file chosen is registered as a File (read
// by DuckDB through FileReader, as the page reads its File), staged into `orders`, and the
// member summary → RFM → segment and tier counts query runs; body[data-state] becomes "done"
// with the counts in #out (JSON) or "error".
import * as duckdb from '@duckdb/duckdb-wasm';
import { countsSql, stagingSql } from '../staging.mjs';

const out = /** @type {HTMLElement} */ (document.getElementById('out'));
const input = /** @type {HTMLInputElement} */ (document.getElementById('file-input'));

/** @param {unknown} e */
function fail(e) {
  out.textContent = String(e instanceof Error ? e.stack || e.message : e);
  document.body.dataset.state = 'error';
}

async function start() {
  const t0 = performance.now();
  const base = new URL('/duckdb/', location.href).href;
  const bundle = await duckdb.selectBundle({
    mvp: { mainModule: `${base}duckdb-mvp.wasm`, mainWorker: `${base}duckdb-browser-mvp.worker.js` },
    eh: { mainModule: `${base}duckdb-eh.wasm`, mainWorker: `${base}duckdb-browser-eh.worker.js` },
  });
  const worker = new Worker(/** @type {string} */ (bundle.mainWorker));
  const db = new duckdb.AsyncDuckDB(new duckdb.VoidLogger(), worker);
  await db.instantiate(bundle.mainModule, bundle.pthreadWorker);
  const [summary, rfm] = await Promise.all(['member_summary', 'rfm_segments']
    .map((n) => fetch(`/sql/duckdb/${n}.sql`).then((r) => r.text())));
  const conn = await db.connect();
  document.body.dataset.startMs = String(Math.round(performance.now() - t0));
  document.body.dataset.bundle = bundle.mainModule.split('/').pop() || '';
  document.body.dataset.state = 'ready';
  input.addEventListener('change', async () => {
    const file = input.files?.[0];
    if (!file) return;
    document.body.dataset.state = 'busy';
    try {
      const t1 = performance.now();
      await db.registerFileHandle('orders.csv', file, duckdb.DuckDBDataProtocol.BROWSER_FILEREADER, true);
      const header = (await file.slice(0, 4096).text()).split(/\r?\n/)[0];
      await conn.query(stagingSql(header, 'orders.csv'));
      const t2 = performance.now();
      const table = await conn.query(countsSql(summary, rfm));
      const rows = table.toArray().map((r) => {
        const o = r.toJSON();
        return { kind: String(o.kind), key: String(o.key), n: Number(o.n) };
      });
      await conn.query('DROP TABLE orders');
      await db.dropFile('orders.csv');
      document.body.dataset.loadMs = String(Math.round(t2 - t1));
      document.body.dataset.queryMs = String(Math.round(performance.now() - t2));
      out.textContent = JSON.stringify(rows);
      document.body.dataset.state = 'done';
    } catch (e) {
      fail(e);
    }
  });
}

start().catch(fail);

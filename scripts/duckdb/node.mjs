// DuckDB-Wasm in Node (the package's blocking Node build, from www/node_modules: nothing is
// downloaded), and the project's SQL files. Used by the warehouse test and the benchmarks.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const dist = path.join(repo, 'www', 'node_modules', '@duckdb', 'duckdb-wasm', 'dist');

/**
 * The text of docs/warehouse/<dialect>/<name>.sql without its comments' trailing semicolon, ready to be
 * wrapped (`CREATE VIEW x AS …`, `COPY (…) TO …`).
 * @param {string} dialect @param {string} name
 */
export function sqlFile(dialect, name) {
  return readFileSync(path.join(repo, 'docs', 'warehouse', dialect, `${name}.sql`), 'utf8').trim().replace(/;\s*$/, '');
}

/** A DuckDB-Wasm connection in this process (blocking API). */
export async function openDuckDB() {
  const require = createRequire(import.meta.url);
  const duckdb = require(path.join(dist, 'duckdb-node-blocking.cjs'));
  const bundles = {
    mvp: { mainModule: path.join(dist, 'duckdb-mvp.wasm'), mainWorker: path.join(dist, 'duckdb-node-mvp.worker.cjs') },
    eh: { mainModule: path.join(dist, 'duckdb-eh.wasm'), mainWorker: path.join(dist, 'duckdb-node-eh.worker.cjs') },
  };
  const db = await duckdb.createDuckDB(bundles, new duckdb.VoidLogger(), duckdb.NODE_RUNTIME);
  await db.instantiate(() => {});
  const conn = db.connect();
  return {
    /** Runs SQL; returns the rows as plain objects (BigInt counts as numbers). @param {string} sql */
    query(sql) {
      const table = conn.query(sql);
      return table.toArray().map((row) => {
        /** @type {Record<string, any>} */
        const o = {};
        for (const [k, v] of Object.entries(row.toJSON())) o[k] = typeof v === 'bigint' ? Number(v) : v;
        return o;
      });
    },
    version() { return db.getVersion(); },
    close() { conn.close(); },
  };
}

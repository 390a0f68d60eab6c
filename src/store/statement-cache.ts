// Prepared statements kept by their SQL text: better-sqlite3's prepare() compiles the SQL each time
// (≈ 0.1 ms), which showed up per request on the swap path and in reset() (issue #16).
// Only for statements used with plain run/get/all — never one switched to raw()/pluck()/expand() or
// read with iterate(), which would change it (or keep it busy) for every other user of the same SQL.
//
// The cache belongs to the connection (a WeakMap keyed by the Database object): a statement is only
// ever run on the connection that compiled it, a closed database takes its statements with it, and a
// new one (restart, another simulator) starts empty. Statements hold no data, so reset() — which only
// deletes rows — leaves them valid; SQLite itself recompiles one whose schema changed (SQLITE_SCHEMA).
import type { Statement } from 'better-sqlite3';
import type { Db } from './db.js';

/**
 * Bound on one connection's entries. The SQL texts are fixed strings or built from column names
 * (never from values), so a few hundred at most; the bound only guards against a caller that would
 * build unbounded variants — past it the map starts over (statements are re-prepared on demand).
 */
const MAX_PER_DB = 2000;

const byDb = new WeakMap<Db, Map<string, Statement>>();

/** The statement for `sql` on `db`, prepared on first use and reused by every caller after. */
export function prepared(db: Db, sql: string): Statement {
  let stmts = byDb.get(db);
  if (!stmts) {
    stmts = new Map();
    byDb.set(db, stmts);
  }
  let s = stmts.get(sql);
  if (!s) {
    s = db.prepare(sql);
    if (stmts.size >= MAX_PER_DB) stmts.clear();
    stmts.set(sql, s);
  }
  return s;
}

/** prepared() bound to one connection, for stores that hold their db. */
export class StatementCache {
  constructor(private readonly db: Db) {}

  /** The statement for `sql`, prepared on first use. */
  get(sql: string): Statement {
    return prepared(this.db, sql);
  }
}

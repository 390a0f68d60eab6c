// Prepared statements kept by their SQL text: better-sqlite3's prepare() compiles the SQL each time
// (≈ 0.1 ms), which showed up per request on the swap path (BENCHMARKS.md, issue #16). Only for
// statements used with plain run/get/all — never one switched to raw()/pluck()/expand(), which would
// change it for every other user of the same SQL.
import type { Statement } from 'better-sqlite3';
import type { Db } from './db.js';

export class StatementCache {
  private readonly stmts = new Map<string, Statement>();

  constructor(private readonly db: Db) {}

  /** The statement for `sql`, prepared on first use. */
  get(sql: string): Statement {
    let s = this.stmts.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.stmts.set(sql, s);
    }
    return s;
  }
}

// `db.transaction(fn)()` without building a new transaction function per call.
//
// better-sqlite3's transaction(fn) creates four wrapper functions (default, deferred, immediate,
// exclusive) and defines five properties on each, every call; code that opens a short transaction per
// write paid that on every request (≈ 2% of the sample scenario's CPU, issue #16). One wrapper per
// connection that takes the work as its argument behaves the same: BEGIN … COMMIT, or a SAVEPOINT when
// a transaction is already open; ROLLBACK (TO) and rethrow on an exception; a TypeError if the work
// returns a promise — all better-sqlite3's own code, on the connection's own BEGIN/COMMIT statements.
import type { Db } from './db.js';

type Runner = (work: () => unknown) => unknown;

const runners = new WeakMap<Db, Runner>();

/** Runs `work` in a transaction on `db` (nested: in a savepoint), as `db.transaction(work)()` does. */
export function transact<T>(db: Db, work: () => T): T {
  let run = runners.get(db);
  if (!run) {
    run = db.transaction((w: () => unknown) => w()) as Runner;
    runners.set(db, run);
  }
  return run(work) as T;
}

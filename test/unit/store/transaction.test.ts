// openDatabase's db.transaction(fn): one better-sqlite3 wrapper per connection (src/store/db.ts) that keeps
// better-sqlite3's behaviour — commit, rollback and rethrow, savepoints when nested, no promises.
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../../src/store/db.js';

const transact = <T>(db: ReturnType<typeof openDatabase>, work: () => T): T => db.transaction(work)();

describe('db.transaction of openDatabase', () => {
  const setup = () => {
    const db = openDatabase(':memory:');
    db.exec('CREATE TABLE t (v INTEGER)');
    const rows = () => (db.prepare('SELECT v FROM t ORDER BY rowid').all() as { v: number }[]).map((r) => r.v);
    return { db, rows };
  };

  it('commits, returns the result, and rolls back and rethrows on an exception', () => {
    const { db, rows } = setup();
    expect(transact(db, () => db.prepare('INSERT INTO t VALUES (1)').run().changes)).toBe(1);
    expect(() => transact(db, () => {
      db.prepare('INSERT INTO t VALUES (2)').run();
      throw new Error('boom');
    })).toThrow('boom');
    expect(rows()).toEqual([1]);
    expect(db.inTransaction).toBe(false);
  });

  it('nested: a failing inner part rolls back to its savepoint only', () => {
    const { db, rows } = setup();
    transact(db, () => {
      db.prepare('INSERT INTO t VALUES (1)').run();
      expect(() => transact(db, () => {
        db.prepare('INSERT INTO t VALUES (2)').run();
        throw new Error('inner');
      })).toThrow('inner');
      transact(db, () => db.prepare('INSERT INTO t VALUES (3)').run());
      expect(db.inTransaction).toBe(true);
    });
    expect(rows()).toEqual([1, 3]);
  });

  it('refuses work that returns a promise, as better-sqlite3 does, and rolls it back', () => {
    const { db, rows } = setup();
    expect(() => transact(db, () => {
      db.prepare('INSERT INTO t VALUES (1)').run();
      return Promise.resolve();
    })).toThrow(TypeError);
    expect(rows()).toEqual([]);
  });

  it('passes the call arguments and this through to fn', () => {
    const { db, rows } = setup();
    const insert = db.transaction(function (this: { k: number }, a: number, b: number) {
      db.prepare('INSERT INTO t VALUES (?)').run(a + b + this.k);
      return a * b;
    });
    expect(insert.call({ k: 100 }, 2, 3)).toBe(6);
    expect(rows()).toEqual([105]);
  });
});

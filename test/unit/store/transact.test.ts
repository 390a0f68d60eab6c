// transact(db, work): db.transaction(work)() with one wrapper per connection (src/store/transact.ts).
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../../src/store/db.js';
import { transact } from '../../../src/store/transact.js';

describe('transact', () => {
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
});

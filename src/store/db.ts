// Opens the SQLite database and applies versioned migrations in one transaction each.
import Database from 'better-sqlite3';
import { MIGRATIONS } from './migrations/index.js';
import { SNAPSHOT } from './migrations/snapshot.js';
import { migrationsDigest } from './schema-snapshot.js';
import { prepared } from './statement-cache.js';

export type Db = Database.Database;

export function openDatabase(path: string): Db {
  const db = new Database(path);
  if (path !== ':memory:' && path !== '') {
    // WAL for files: readers never block the writer, and state survives restart.
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
  }
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  reuseTransactionWrapper(db);
  migrate(db);
  return db;
}

/**
 * The simulator writes through `db.transaction(fn)()` at ~170 sites, once per write. better-sqlite3's
 * `transaction` builds four wrappers (default/deferred/immediate/exclusive) and defines five properties
 * on each at every call — ≈ 3 % of a swap's CPU (BENCHMARKS.md, #16). This instance's `transaction`
 * instead returns a plain function that runs `fn` inside one wrapper made once by better-sqlite3 itself,
 * so BEGIN/COMMIT, SAVEPOINT nesting, rollback on throw and the no-promise rule are its own. Only the
 * default (deferred BEGIN) form exists: no call site uses `.immediate`/`.exclusive`.
 */
function reuseTransactionWrapper(db: Db): void {
  const run = db.transaction(function (this: unknown, fn: (...args: unknown[]) => unknown, args: unknown[]) {
    return fn.apply(this, args);
  });
  db.transaction = function <F extends (...args: never[]) => unknown>(fn: F) {
    if (typeof fn !== 'function') throw new TypeError('Expected first argument to be a function');
    return function (this: unknown, ...args: unknown[]) {
      return run.call(this, fn as unknown as (...a: unknown[]) => unknown, args);
    } as unknown as Database.Transaction<F>;
  } as Db['transaction'];
}

/** `snapshot: false` runs the migrations one by one even on a new database (the snapshot's own test). */
export function migrate(db: Db, opts: { snapshot?: boolean } = {}): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (id INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
  const applied = new Set(db.prepare('SELECT id FROM schema_migrations').all().map((r) => (r as { id: number }).id));
  // A new database gets the schema in one script when the snapshot matches the migrations (src/store/schema-snapshot.ts).
  if (applied.size === 0 && opts.snapshot !== false && SNAPSHOT.digest === migrationsDigest(MIGRATIONS)) {
    db.transaction(() => {
      db.exec(SNAPSHOT.sql);
      const record = db.prepare('INSERT INTO schema_migrations (id, name, applied_at) VALUES (?, ?, ?)');
      const at = new Date().toISOString();
      for (const m of SNAPSHOT.migrations) record.run(m.id, m.name, at);
    })();
    return;
  }
  for (const m of [...MIGRATIONS].sort((a, b) => a.id - b.id)) {
    if (applied.has(m.id)) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_migrations (id, name, applied_at) VALUES (?, ?, ?)').run(m.id, m.name, new Date().toISOString());
    })();
  }
}

/**
 * The data tables (all but SQLite's own and schema_migrations), in sqlite_master order. Kept per connection and read again when the schema changes (PRAGMA schema_version moves with every
 * CREATE/DROP), so reset() does not scan sqlite_master each time.
 */
export function allDataTables(db: Db): readonly string[] {
  const version = (prepared(db, 'PRAGMA schema_version').get() as { schema_version: number }).schema_version;
  const cached = tableLists.get(db);
  if (cached?.version === version) return cached.tables;
  const tables = Object.freeze(
    prepared(db, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name != 'schema_migrations'")
      .all()
      .map((r) => (r as { name: string }).name),
  );
  tableLists.set(db, { version, tables });
  return tables;
}

const tableLists = new WeakMap<Db, { version: number; tables: readonly string[] }>();

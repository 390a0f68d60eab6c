// Opens the SQLite database and applies versioned migrations in one transaction each.
import Database from 'better-sqlite3';
import { MIGRATIONS } from './migrations/index.js';
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
  migrate(db);
  return db;
}

export function migrate(db: Db): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (id INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
  const applied = new Set(db.prepare('SELECT id FROM schema_migrations').all().map((r) => (r as { id: number }).id));
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

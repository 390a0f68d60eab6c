// The schema snapshot (src/store/schema-snapshot.ts) must stand for the migrations exactly: a new
// database built from it and one built by running the migrations are the same database.
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrate, openDatabase } from '../../../src/store/db.js';
import { MIGRATIONS } from '../../../src/store/migrations/index.js';
import { SNAPSHOT } from '../../../src/store/migrations/snapshot.js';
import { dumpSchema, migrationsDigest } from '../../../src/store/schema-snapshot.js';

function fresh(snapshot: boolean) {
  const db = new Database(':memory:');
  db.pragma('foreign_keys = ON');
  migrate(db, { snapshot });
  return db;
}

/** Everything a client of the database can see, in the order it sees it. */
function contents(db: Database.Database) {
  const master = db.prepare('SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY rowid').all() as { type: string; name: string }[];
  const tables = master.filter((o) => o.type === 'table').map((o) => o.name);
  return {
    master,
    columns: Object.fromEntries(tables.map((t) => [t, db.prepare(`SELECT * FROM pragma_table_xinfo('${t}')`).all()])),
    foreignKeys: Object.fromEntries(tables.map((t) => [t, db.prepare(`SELECT * FROM pragma_foreign_key_list('${t}')`).all()])),
    rows: Object.fromEntries(tables.map((t) => [t, db.prepare(t === 'schema_migrations' ? 'SELECT id, name FROM schema_migrations ORDER BY id' : `SELECT * FROM "${t}" ORDER BY rowid`).all()])),
  };
}

describe('schema snapshot', () => {
  it('is current: regenerate it with `npm run schema-snapshot` after changing a migration', () => {
    expect(SNAPSHOT.digest).toBe(migrationsDigest(MIGRATIONS));
    expect(SNAPSHOT.migrations).toEqual([...MIGRATIONS].sort((a, b) => a.id - b.id).map(({ id, name }) => ({ id, name })));
    expect(SNAPSHOT.sql.trim()).toBe(dumpSchema(fresh(false)));
  });

  it('builds the same database as running the migrations one by one', () => {
    const viaMigrations = contents(fresh(false));
    expect(viaMigrations.master.length).toBeGreaterThan(50);
    expect(contents(fresh(true))).toEqual(viaMigrations);
  });

  it('is what a new database gets, and a database with migrations applied is migrated as before', () => {
    const db = openDatabase(':memory:');
    // One transaction: every migration recorded at the same instant.
    expect(new Set(db.prepare('SELECT applied_at FROM schema_migrations').all().map((r) => (r as { applied_at: string }).applied_at)).size).toBe(1);
    expect(contents(db)).toEqual(contents(fresh(false)));

    // A database from an older novasim (here: the first five migrations) gets the others one by one.
    const older = new Database(':memory:');
    older.pragma('foreign_keys = ON');
    older.exec('CREATE TABLE schema_migrations (id INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
    for (const m of [...MIGRATIONS].sort((a, b) => a.id - b.id).slice(0, 5)) {
      older.exec(m.sql);
      older.prepare("INSERT INTO schema_migrations VALUES (?, ?, 'then')").run(m.id, m.name);
    }
    migrate(older);
    expect(older.prepare("SELECT COUNT(*) AS n FROM schema_migrations WHERE applied_at != 'then'").get()).toEqual({ n: MIGRATIONS.length - 5 });
    expect(contents(older)).toEqual(contents(fresh(false)));
  });
});

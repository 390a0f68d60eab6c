// reset()'s emptying of the database: every data table but the ones kept, children before parents.
//
// Why the order matters: reset() used to switch on PRAGMA defer_foreign_keys so the DELETEs could run in
// any order. That pragma is one of SQLite's flag pragmas, and setting any of them expires every prepared
// statement of the connection (pragma.c, PragTyp_FLAG → OP_Expire): after each reset, each statement
// novasim had prepared was compiled again on its next use — most of the SQL time of the next test
// (issue #16). Deleting referencing tables first needs no deferral: every foreign key is
// satisfied at each step, and the seed goes back in parent-first order as on a fresh database.
import { allDataTables, type Db } from './db.js';
import { prepared } from './statement-cache.js';

/**
 * Deletes every row of every data table but `keep`, in one transaction's worth of statements (the caller
 * holds the transaction). One query first names the tables that hold rows and only those get a DELETE:
 * most of the ~50 tables are empty after a test, and a DELETE that finds nothing changes nothing (the
 * schema has no triggers; a DELETE leaves sqlite_sequence alone either way).
 */
export function emptyDataTables(db: Db, keep: readonly string[]): void {
  const plan = planFor(db, keep);
  if (plan.defer) prepared(db, 'PRAGMA defer_foreign_keys = ON').run();
  const holding = new Set<string>();
  for (const probe of plan.probes) for (const r of prepared(db, probe).all() as { name: string }[]) holding.add(r.name);
  for (const t of plan.order) if (holding.has(t)) prepared(db, `DELETE FROM "${t}"`).run();
}

interface Plan {
  /** Tables to empty, each before every table it references. */
  order: readonly string[];
  /** Queries naming the tables of `order` that hold at least one row. */
  probes: readonly string[];
  /**
   * A foreign-key cycle, or a kept table referencing an emptied one: no safe order exists, so the check
   * is deferred to COMMIT (when the seed is back) as before — correct, only slower. Not the case today.
   */
  defer: boolean;
}

/** Per connection and list of kept tables; rebuilt when the table list changes (a schema change). */
const plans = new WeakMap<Db, { tables: readonly string[]; keep: string; plan: Plan }>();

function planFor(db: Db, keep: readonly string[]): Plan {
  const tables = allDataTables(db);
  const keepKey = keep.join('\0');
  const cached = plans.get(db);
  if (cached && cached.tables === tables && cached.keep === keepKey) return cached.plan;
  const emptied = tables.filter((t) => !keep.includes(t));
  const parents = new Map<string, Set<string>>();
  let defer = false;
  for (const t of tables) {
    const refs = new Set((db.prepare(`PRAGMA foreign_key_list("${t}")`).all() as { table: string }[]).map((r) => r.table).filter((p) => p !== t));
    parents.set(t, refs);
    if (keep.includes(t) && [...refs].some((p) => emptied.includes(p))) defer = true;
  }
  // A table goes once no table still to be emptied references it.
  const order: string[] = [];
  const left = new Set(emptied);
  while (left.size) {
    const next = [...left].find((t) => ![...left].some((c) => c !== t && parents.get(c)!.has(t)));
    if (next === undefined) {
      defer = true;
      order.push(...left);
      break;
    }
    order.push(next);
    left.delete(next);
  }
  // Chunks stay well under SQLite's default limit of 500 terms in one compound SELECT.
  const probes: string[] = [];
  for (let i = 0; i < order.length; i += 100) {
    probes.push(order.slice(i, i + 100).map((t) => `SELECT '${t}' AS name WHERE EXISTS (SELECT 1 FROM "${t}")`).join(' UNION ALL '));
  }
  const plan = { order, probes, defer };
  plans.set(db, { tables, keep: keepKey, plan });
  return plan;
}

// Nova's instances table: one row per server, with the flavor snapshot and metadata as JSON.
import type { Instance, VmState } from '../domain.js';
import type { Db } from './db.js';
import { compileRowReader, toIso, type ColumnKind } from './rows.js';
import { prepared } from './statement-cache.js';

type Row = Record<string, unknown>;

const JSON_COLS = ['flavor', 'metadata', 'system_metadata', 'tags', 'network_info', 'trusted_certs', 'old_flavor', 'new_flavor'] as const;
const DATE_COLS = ['created_at', 'updated_at', 'launched_at', 'terminated_at', 'deleted_at'] as const;
const BOOL_COLS = ['locked', 'auto_disk_config', 'deleted'] as const;

/** How a column's stored value becomes the domain value. */
const kindOf = (c: string): ColumnKind =>
  (JSON_COLS as readonly string[]).includes(c) ? 'json'
    : (DATE_COLS as readonly string[]).includes(c) ? 'date'
    : (BOOL_COLS as readonly string[]).includes(c) ? 'bool'
    : 'plain';

/** A row read with `.raw(true)` (values in column order) → the domain Instance (rows.ts compileRowReader). */
type RowReader = (a: unknown[]) => Instance;

function toRow(i: Partial<Instance>): Row {
  const out: Row = {};
  for (const [k, v] of Object.entries(i)) {
    if ((JSON_COLS as readonly string[]).includes(k)) out[k] = JSON.stringify(v);
    else if ((DATE_COLS as readonly string[]).includes(k)) out[k] = toIso(v as Date | null);
    else if ((BOOL_COLS as readonly string[]).includes(k)) out[k] = v ? 1 : 0;
    else out[k] = v;
  }
  return out;
}

export interface InstanceListFilter {
  projectId?: string | null;
  name?: RegExp | null;
  vmStates?: VmState[] | null;
  deleted?: boolean;
  limit?: number;
  /** uuid of the last item of the previous page. */
  marker?: { created_at: string; id: number } | null;
  reservationId?: string;
  changesSince?: Date;
}

export class InstanceStore {
  private byUuid;
  private byUuidAny;
  private cols: string[];
  private read: RowReader;
  /** Prepared list statements by SQL text (a handful of filter combinations). */
  private listStmts = new Map<string, ReturnType<Db['prepare']>>();

  constructor(private db: Db) {
    this.cols = (prepared(db, 'PRAGMA table_info(instances)').all() as { name: string }[]).map((c) => c.name);
    this.read = compileRowReader<Instance>(this.cols, kindOf);
    // raw(): rows as arrays in `cols` order (SELECT * lists the columns as table_info does) — so
    // statements of this store's own, never the shared cache's.
    this.byUuid = db.prepare('SELECT * FROM instances WHERE uuid = ? AND deleted = 0').raw(true);
    this.byUuidAny = db.prepare('SELECT * FROM instances WHERE uuid = ?').raw(true);
  }

  get(uuid: string, opts: { readDeleted?: boolean } = {}): Instance | null {
    const a = (opts.readDeleted ? this.byUuidAny : this.byUuid).get(uuid) as unknown[] | undefined;
    return a ? this.read(a) : null;
  }

  insert(i: Omit<Instance, 'id'>): Instance {
    const row = toRow(i);
    const keys = Object.keys(row).filter((k) => this.cols.includes(k));
    const info = prepared(this.db, `INSERT INTO instances (${keys.join(', ')}) VALUES (${keys.map((k) => `@${k}`).join(', ')})`)
      .run(Object.fromEntries(keys.map((k) => [k, row[k]])));
    return { ...(i as Instance), id: Number(info.lastInsertRowid) };
  }

  update(uuid: string, patch: Partial<Instance>): void {
    const row = toRow(patch);
    const keys = Object.keys(row).filter((k) => this.cols.includes(k) && k !== 'id' && k !== 'uuid');
    if (keys.length === 0) return;
    prepared(this.db, `UPDATE instances SET ${keys.map((k) => `${k} = @${k}`).join(', ')} WHERE uuid = @__uuid`).run({ ...Object.fromEntries(keys.map((k) => [k, row[k]])), __uuid: uuid });
  }

  /** Servers newest first (Nova's default sort: created_at desc, id desc). */
  list(f: InstanceListFilter): Instance[] {
    const where: string[] = [];
    const args: Record<string, unknown> = {};
    if (!f.deleted) where.push('deleted = 0');
    if (f.projectId) {
      where.push('project_id = @project');
      args.project = f.projectId;
    }
    if (f.vmStates && f.vmStates.length) {
      where.push(`vm_state IN (${f.vmStates.map((_, i) => `@vs${i}`).join(', ')})`);
      f.vmStates.forEach((s, i) => (args[`vs${i}`] = s));
    }
    if (f.reservationId) {
      where.push('reservation_id = @rid');
      args.rid = f.reservationId;
    }
    if (f.changesSince) {
      where.push('COALESCE(updated_at, created_at) >= @since');
      args.since = f.changesSince.toISOString();
    }
    if (f.marker) {
      where.push('(created_at < @mc OR (created_at = @mc AND id < @mid))');
      args.mc = f.marker.created_at;
      args.mid = f.marker.id;
    }
    // Without the regex filter the limit can go into SQL (≥ 1: the loop below always returns a first row).
    const sqlLimit = !f.name && f.limit !== undefined ? ' LIMIT @lim' : '';
    if (sqlLimit) args.lim = Math.max(1, Math.floor(f.limit as number));
    const sql = `SELECT * FROM instances ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at DESC, id DESC${sqlLimit}`;
    let stmt = this.listStmts.get(sql);
    if (!stmt) {
      stmt = this.db.prepare(sql).raw(true);
      if (this.listStmts.size < 64) this.listStmts.set(sql, stmt);
    }
    const out: Instance[] = [];
    const nameAt = this.cols.indexOf('display_name');
    // The name filter is a regex (Nova uses REGEXP); apply it while streaming so limit stays cheap.
    // Without it the limit is in the SQL and one all() is quicker than stepping the rows one by one.
    const rows = sqlLimit ? (stmt.all(args) as unknown[][]) : (stmt.iterate(args) as IterableIterator<unknown[]>);
    for (const a of rows) {
      if (f.name && !f.name.test(String(a[nameAt]))) continue;
      out.push(this.read(a));
      if (f.limit !== undefined && out.length >= f.limit) break;
    }
    return out;
  }

  markerFor(uuid: string): { created_at: string; id: number } | null {
    const r = prepared(this.db, 'SELECT created_at, id FROM instances WHERE uuid = ?').get(uuid) as { created_at: string; id: number } | undefined;
    return r ?? null;
  }
}

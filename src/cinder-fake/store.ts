// The fake Cinder's rows: volume types, volumes and attachments in SQLite (better-sqlite3,
// statements prepared once). Knows SQL and row shapes, nothing of HTTP or policy.
import type { Db } from '../store/db.js';
import { VOLUME_TYPES } from './seed.js';
import { compileRowReader, type ColumnKind } from '../store/rows.js';
import { prepared } from '../store/statement-cache.js';

export interface VolumeType {
  id: string;
  name: string;
  description: string | null;
  is_public: boolean;
  qos_specs_id: string | null;
  extra_specs: Record<string, string>;
  is_default: boolean;
}

export interface Volume {
  id: string;
  /** _name_id: the backend object's id when it differs from `id` (after a migration). */
  name_id: string | null;
  project_id: string;
  user_id: string;
  display_name: string | null;
  display_description: string | null;
  size: number;
  availability_zone: string | null;
  status: string;
  attach_status: string;
  migration_status: string | null;
  previous_status: string | null;
  host: string | null;
  cluster_name: string | null;
  volume_type_id: string | null;
  multiattach: boolean;
  bootable: boolean;
  encryption_key_id: string | null;
  provider_id: string | null;
  provider_location: string | null;
  provider_auth: string | null;
  replication_status: string | null;
  service_uuid: string | null;
  shared_targets: boolean | null;
  use_quota: boolean;
  group_id: string | null;
  consistencygroup_id: string | null;
  snapshot_id: string | null;
  source_volid: string | null;
  metadata: Record<string, string>;
  admin_metadata: Record<string, string>;
  glance_metadata: Record<string, string> | null;
  created_at: string;
  updated_at: string | null;
  launched_at: string | null;
  terminated_at: string | null;
}

export interface Attachment {
  id: string;
  volume_id: string;
  instance_uuid: string | null;
  attached_host: string | null;
  mountpoint: string | null;
  attach_time: string | null;
  detach_time: string | null;
  attach_status: string;
  /** The string "null" when unset (attachment_create's default), "rw" or "ro". */
  attach_mode: string | null;
  connection_info: Record<string, unknown> | null;
  connector: Record<string, unknown> | null;
  volume_host: string | null;
  created_at: string;
  updated_at: string | null;
}

const BOOL_COLS = new Set(['multiattach', 'bootable', 'use_quota', 'shared_targets', 'is_public', 'is_default']);
const JSON_COLS = new Set(['metadata', 'admin_metadata', 'glance_metadata', 'extra_specs', 'connection_info', 'connector']);
/** Column → 1 (boolean) or 2 (JSON): one lookup per column when rows are read (fromDb runs ~20 times a swap). */
const COL_KIND = new Map<string, 1 | 2>([...[...BOOL_COLS].map((c) => [c, 1] as const), ...[...JSON_COLS].map((c) => [c, 2] as const)]);

function toDb(value: unknown, col: string): unknown {
  if (value === null || value === undefined) return null;
  if (BOOL_COLS.has(col)) return value ? 1 : 0;
  if (JSON_COLS.has(col)) return JSON.stringify(value);
  return value;
}

function deepFreezeType(t: VolumeType): VolumeType {
  Object.freeze(t.extra_specs);
  return Object.freeze(t);
}

function fromDb<T>(row: Record<string, unknown> | undefined): T | undefined {
  if (!row) return undefined;
  // better-sqlite3 builds a fresh plain object per row: convert its few typed columns in place.
  for (const k in row) {
    const v = row[k];
    if (v === null) continue;
    const kind = COL_KIND.get(k);
    if (kind === 1) row[k] = v === 1;
    else if (kind === 2) row[k] = JSON.parse(v as string);
  }
  return row as T;
}

type RowDecoder = (a: unknown[]) => Record<string, unknown>;

/** The typed columns as compileRowReader (src/store/rows.ts) converts them: booleans keep NULL, as fromDb does. */
const columnKind = (c: string): ColumnKind => (COL_KIND.get(c) === 1 ? 'nullableBool' : COL_KIND.get(c) === 2 ? 'json' : 'plain');

interface RawStatement {
  get(...args: unknown[]): unknown[] | undefined;
  all(...args: unknown[]): unknown[][];
  columns(): { name: string }[];
}

export interface VolumeFilter {
  projectId?: string;
  /** Non-admin lists hide migration targets (API.get_all no_migration_targets). */
  noMigrationTargets?: boolean;
  exact?: Record<string, string | number | boolean | null>;
  metadata?: Record<string, string>;
}

/** better-sqlite3's Statement with positional parameters. */
interface Statement {
  run(...args: unknown[]): unknown;
  get(...args: unknown[]): unknown;
  all(...args: unknown[]): unknown[];
}

export class CinderStore {
  constructor(private readonly db: Db) {}

  /** The connection's shared statement cache (src/store/statement-cache.ts); never raw()/iterate() on these. */
  private stmt(sql: string): Statement {
    return prepared(this.db, sql) as unknown as Statement;
  }

  private readonly rawStmts = new Map<string, { stmt: RawStatement; decode: RowDecoder }>();

  /** A `SELECT` read as arrays and decoded by a reader compiled from its columns (rows.ts compileRowReader). */
  private raw(sql: string): { stmt: RawStatement; decode: RowDecoder } {
    let r = this.rawStmts.get(sql);
    if (!r) {
      const stmt = (this.db.prepare(sql) as unknown as { raw(on: boolean): RawStatement }).raw(true);
      r = { stmt, decode: compileRowReader<Record<string, unknown>>(stmt.columns().map((c) => c.name), columnKind) };
      this.rawStmts.set(sql, r);
    }
    return r;
  }

  private rawGet<T>(sql: string, ...args: unknown[]): T | undefined {
    const r = this.raw(sql);
    const a = r.stmt.get(...args);
    return a === undefined ? undefined : (r.decode(a) as T);
  }

  private rawAll<T>(sql: string, ...args: unknown[]): T[] {
    const r = this.raw(sql);
    return r.stmt.all(...args).map((a) => r.decode(a) as T);
  }

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  // ---- volume types ----

  /**
   * The volume_types rows, read once: the table is written only by ensureTypes (the seed) and emptied only by
   * a reset (wipe(), which the simulator's reset always calls after its own table wipe), and both drop this.
   * A volume view reads its type, so this saves two statements per volume read (10 a swap).
   */
  private types: { list: VolumeType[]; byId: Map<string, VolumeType>; byName: Map<string, VolumeType>; defaultType: VolumeType | undefined } | null = null;

  private loadTypes(): NonNullable<CinderStore['types']> {
    if (this.types) return this.types;
    // In rowid order, the order `WHERE name = ?` / `WHERE is_default = 1` with .get() would find first.
    const rows = this.stmt('SELECT id, name, description, is_public, qos_specs_id, extra_specs, is_default, created_at FROM volume_types ORDER BY rowid').all() as Record<string, unknown>[];
    const created = new Map<string, string>();
    const inRowid = rows.map((r) => {
      created.set(r.id as string, r.created_at as string);
      delete r.created_at;
      return deepFreezeType(fromDb<VolumeType>(r)!);
    });
    const byName = new Map<string, VolumeType>();
    for (const t of inRowid) if (!byName.has(t.name)) byName.set(t.name, t);
    // The list's order: ORDER BY created_at DESC, id DESC (SQLite compares TEXT bytewise, as < does here).
    const cmp = (a: string, b: string) => (a < b ? 1 : a > b ? -1 : 0);
    const list = [...inRowid].sort((a, b) => cmp(created.get(a.id)!, created.get(b.id)!) || cmp(a.id, b.id));
    this.types = { list, byId: new Map(inRowid.map((t) => [t.id, t])), byName, defaultType: inRowid.find((t) => t.is_default) };
    return this.types;
  }

  /** Seed the fixed types when the table is empty (after a reset that wiped it). */
  ensureTypes(now: () => string): void {
    if (this.loadTypes().list.length > 0) return;
    const nowIso = now();
    const ins = this.stmt('INSERT OR IGNORE INTO volume_types (id, name, description, is_public, extra_specs, is_default, created_at) VALUES (?, ?, ?, 1, ?, ?, ?)');
    for (const t of VOLUME_TYPES) ins.run(t.id, t.name, t.description, JSON.stringify(t.extra_specs), t.is_default ? 1 : 0, nowIso);
    this.types = null;
  }

  /** The cached rows are shared: frozen, so no caller can change another's copy. */
  typeById(id: string): VolumeType | undefined {
    return this.loadTypes().byId.get(id);
  }

  typeByName(name: string): VolumeType | undefined {
    return this.loadTypes().byName.get(name);
  }

  defaultType(): VolumeType | undefined {
    return this.loadTypes().defaultType;
  }

  listTypes(): VolumeType[] {
    return [...this.loadTypes().list];
  }

  // ---- volumes ----

  getVolume(id: string): Volume | undefined {
    return this.rawGet<Volume>('SELECT * FROM volumes WHERE id = ?', id);
  }

  insertVolume(v: Volume): void {
    const cols = Object.keys(v);
    this.stmt(`INSERT INTO volumes (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`).run(...cols.map((c) => toDb((v as unknown as Record<string, unknown>)[c], c)));
  }

  updateVolume(id: string, patch: Partial<Volume>): void {
    const cols = Object.keys(patch).filter((c) => c !== 'id');
    if (cols.length === 0) return;
    this.stmt(`UPDATE volumes SET ${cols.map((c) => `${c} = ?`).join(', ')} WHERE id = ?`).run(...cols.map((c) => toDb((patch as Record<string, unknown>)[c], c)), id);
  }

  deleteVolume(id: string): void {
    this.stmt('DELETE FROM volumes WHERE id = ?').run(id);
  }

  /** Volumes matching the filter, Cinder's default order (created_at desc, id desc). */
  listVolumes(f: VolumeFilter): Volume[] {
    const where: string[] = [];
    const args: unknown[] = [];
    if (f.projectId !== undefined) {
      where.push('project_id = ?');
      args.push(f.projectId);
    }
    if (f.noMigrationTargets) where.push("(migration_status IS NULL OR migration_status NOT LIKE 'target:%')");
    for (const [col, val] of Object.entries(f.exact ?? {})) {
      if (val === null) where.push(`${col} IS NULL`);
      else {
        where.push(`${col} = ?`);
        args.push(toDb(val, col));
      }
    }
    const sql = `SELECT * FROM volumes${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at DESC, id DESC`;
    let rows = this.rawAll<Volume>(sql, ...args);
    if (f.metadata) rows = rows.filter((v) => Object.entries(f.metadata!).every(([k, x]) => v.metadata[k] === x));
    return rows;
  }

  /** Quota usage of a project: volumes and gigabytes that consume quota. */
  usage(projectId: string): { volumes: number; gigabytes: number } {
    const r = this.stmt('SELECT COUNT(*) AS n, COALESCE(SUM(size), 0) AS gb FROM volumes WHERE project_id = ? AND use_quota = 1').get(projectId) as { n: number; gb: number };
    return { volumes: r.n, gigabytes: r.gb };
  }

  // ---- attachments ----

  getAttachment(id: string): Attachment | undefined {
    return this.rawGet<Attachment>('SELECT * FROM volume_attachments WHERE id = ?', id);
  }

  /** A volume's attachments in creation order (the volume_attachment relationship). */
  attachmentsOf(volumeId: string): Attachment[] {
    return this.rawAll<Attachment>('SELECT * FROM volume_attachments WHERE volume_id = ? ORDER BY created_at, rowid', volumeId);
  }

  attachmentsOfInstance(instanceUuid: string): Attachment[] {
    return this.rawAll<Attachment>('SELECT * FROM volume_attachments WHERE instance_uuid = ? ORDER BY created_at, rowid', instanceUuid);
  }

  /** Attachments joined to their volume, optionally limited to one project; newest first. */
  listAttachments(projectId: string | null, exact: Record<string, string>): Attachment[] {
    const where: string[] = [];
    const args: unknown[] = [];
    if (projectId !== null) {
      where.push('v.project_id = ?');
      args.push(projectId);
    }
    for (const [col, val] of Object.entries(exact)) {
      where.push(`a.${col} = ?`);
      args.push(val);
    }
    const sql = `SELECT a.* FROM volume_attachments a JOIN volumes v ON v.id = a.volume_id${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY a.created_at DESC, a.id DESC`;
    return this.rawAll<Attachment>(sql, ...args);
  }

  insertAttachment(a: Attachment): void {
    const cols = Object.keys(a);
    this.stmt(`INSERT INTO volume_attachments (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`).run(...cols.map((c) => toDb((a as unknown as Record<string, unknown>)[c], c)));
  }

  updateAttachment(id: string, patch: Partial<Attachment>): void {
    const cols = Object.keys(patch).filter((c) => c !== 'id');
    if (cols.length === 0) return;
    this.stmt(`UPDATE volume_attachments SET ${cols.map((c) => `${c} = ?`).join(', ')} WHERE id = ?`).run(...cols.map((c) => toDb((patch as Record<string, unknown>)[c], c)), id);
  }

  deleteAttachment(id: string): void {
    this.stmt('DELETE FROM volume_attachments WHERE id = ?').run(id);
  }

  /** Everything the fake owns, for reset. */
  wipe(): void {
    this.db.exec('DELETE FROM volume_attachments; DELETE FROM volumes; DELETE FROM volume_types;');
    this.types = null;
  }
}

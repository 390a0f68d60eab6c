// Writes of nova.objects.Migration rows (the `migrations` table of 006-hosts), as the conductor
// and the computes make them during a move. Reads for the API stay in hosts.ts.
import type { Db } from './db.js';
import type { MigrationRow } from './hosts.js';

export type MigrationPatch = Partial<Pick<MigrationRow,
  'status' | 'source_compute' | 'dest_compute' | 'source_node' | 'dest_node' | 'dest_host' | 'memory_total' | 'memory_processed' |
  'memory_remaining' | 'disk_total' | 'disk_processed' | 'disk_remaining'>>;

export interface NewMigration {
  uuid: string;
  instance_uuid: string;
  source_compute: string | null;
  dest_compute: string | null;
  source_node?: string | null;
  dest_node?: string | null;
  old_instance_type_id: number | null;
  new_instance_type_id: number | null;
  status: string;
  migration_type: string;
  user_id: string | null;
  project_id: string | null;
}

export class MigrationRecords {
  constructor(private db: Db) {}

  /** Migration.create(). */
  create(m: NewMigration, nowIso: string): number {
    return Number(this.db.prepare(
      `INSERT INTO migrations (uuid, instance_uuid, source_compute, dest_compute, source_node, dest_node, old_instance_type_id, new_instance_type_id,
         status, migration_type, user_id, project_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(m.uuid, m.instance_uuid, m.source_compute, m.dest_compute, m.source_node ?? null, m.dest_node ?? null, m.old_instance_type_id,
      m.new_instance_type_id, m.status, m.migration_type, m.user_id, m.project_id, nowIso).lastInsertRowid);
  }

  /** Migration.save(): only changed fields, updated_at stamped. */
  update(id: number, patch: MigrationPatch, nowIso: string): void {
    const cols = Object.keys(patch);
    const vals = cols.map((c) => (patch as Record<string, unknown>)[c]);
    this.db.prepare(`UPDATE migrations SET ${[...cols.map((c) => `${c} = ?`), 'updated_at = ?'].join(', ')} WHERE id = ?`).run(...vals, nowIso, id);
  }

  get(id: number): MigrationRow | null {
    const r = this.db.prepare('SELECT * FROM migrations WHERE id = ? AND deleted = 0').get(id) as (Omit<MigrationRow, "hidden"> & { hidden: number }) | undefined;
    return r ? { ...r, hidden: !!r.hidden } : null;
  }

  /** Migration.get_by_id_and_instance: MigrationNotFoundForInstance when it is another instance's. */
  getForInstance(id: number, instanceUuid: string): MigrationRow | null {
    const m = this.get(id);
    return m && m.instance_uuid === instanceUuid ? m : null;
  }

  /** The instance's migrations of one type in these statuses, newest first. */
  forInstance(instanceUuid: string, type: string, statuses: readonly string[]): MigrationRow[] {
    const rows = this.db.prepare('SELECT * FROM migrations WHERE instance_uuid = ? AND migration_type = ? AND deleted = 0 ORDER BY created_at DESC, id DESC').all(instanceUuid, type) as (Omit<MigrationRow, "hidden"> & { hidden: number })[];
    return rows.filter((r) => statuses.includes(r.status)).map((r) => ({ ...r, hidden: !!r.hidden }));
  }
}

// Writes to Nova's migrations table (nova/objects/migration.py Migration.create/save,
// get_by_instance_and_status, get_by_id_and_instance) for every kind of move — resize and cold
// migration, live migration, evacuation — as the conductor and the computes make them. Reads for
// the API stay in hosts.ts.
import type { Db } from './db.js';
import type { MigrationRow } from './hosts.js';
import { prepared } from './statement-cache.js';

/** A resize or cold migration as compute_api.resize/_cold_migrate starts it. */
export interface NewMigration {
  uuid: string;
  instanceUuid: string;
  sourceCompute: string | null;
  sourceNode: string | null;
  destCompute: string | null;
  destNode: string | null;
  destHost: string | null;
  oldInstanceTypeId: number;
  newInstanceTypeId: number;
  status: string;
  migrationType: 'resize' | 'migration';
  userId: string;
  projectId: string;
  at: Date;
}

/** A migration row as the live-migration conductor task creates it (column names). */
export interface NewMigrationRow {
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

export type MigrationPatch = Partial<Pick<MigrationRow,
  'status' | 'source_compute' | 'dest_compute' | 'source_node' | 'dest_node' | 'dest_host' | 'memory_total' | 'memory_processed' |
  'memory_remaining' | 'disk_total' | 'disk_processed' | 'disk_remaining'>>;

type StoredRow = Omit<MigrationRow, 'hidden'> & { hidden: number };
const fromDb = (r: StoredRow): MigrationRow => ({ ...r, hidden: !!r.hidden });

export class MigrationRecords {
  constructor(private db: Db) {}

  /** Migration.create() of a resize/cold migration. */
  create(m: NewMigration): MigrationRow {
    const info = prepared(
      this.db,
      `INSERT INTO migrations (uuid, instance_uuid, source_compute, dest_compute, source_node, dest_node, dest_host, old_instance_type_id,
         new_instance_type_id, status, migration_type, hidden, user_id, project_id, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, NULL)`,
    ).run(m.uuid, m.instanceUuid, m.sourceCompute, m.destCompute, m.sourceNode, m.destNode, m.destHost, m.oldInstanceTypeId, m.newInstanceTypeId,
        m.status, m.migrationType, m.userId, m.projectId, m.at.toISOString());
    return this.get(Number(info.lastInsertRowid))!;
  }

  /** Migration.create() from column values (live migration, evacuation); returns the id. */
  createRow(m: NewMigrationRow, nowIso: string): number {
    return Number(prepared(this.db,
      `INSERT INTO migrations (uuid, instance_uuid, source_compute, dest_compute, source_node, dest_node, old_instance_type_id, new_instance_type_id,
         status, migration_type, user_id, project_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(m.uuid, m.instance_uuid, m.source_compute, m.dest_compute, m.source_node ?? null, m.dest_node ?? null, m.old_instance_type_id,
      m.new_instance_type_id, m.status, m.migration_type, m.user_id, m.project_id, nowIso).lastInsertRowid);
  }

  get(id: number): MigrationRow | null {
    const r = prepared(this.db, 'SELECT * FROM migrations WHERE id = ? AND deleted = 0').get(id) as StoredRow | undefined;
    return r ? fromDb(r) : null;
  }

  /** Migration.save(): the changed fields and updated_at. */
  update(id: number, patch: MigrationPatch, at: Date | string): void {
    const keys = Object.keys(patch);
    const sets = [...keys.map((k) => `${k} = @${k}`), 'updated_at = @updated_at'];
    prepared(this.db, `UPDATE migrations SET ${sets.join(', ')} WHERE id = @id`).run({ ...patch, updated_at: typeof at === 'string' ? at : at.toISOString(), id });
  }

  /** Migration.get_by_instance_and_status: the newest resize/cold migration of the instance in `status`. */
  byInstanceAndStatus(instanceUuid: string, status: string): MigrationRow | null {
    const r = prepared(this.db, "SELECT * FROM migrations WHERE instance_uuid = ? AND status = ? AND deleted = 0 AND migration_type IN ('resize', 'migration') ORDER BY id DESC LIMIT 1")
      .get(instanceUuid, status) as StoredRow | undefined;
    return r ? fromDb(r) : null;
  }

  /** The instance's newest resize/cold migration, whatever its status. */
  latestFor(instanceUuid: string): MigrationRow | null {
    const r = prepared(this.db, "SELECT * FROM migrations WHERE instance_uuid = ? AND deleted = 0 AND migration_type IN ('resize', 'migration') ORDER BY id DESC LIMIT 1")
      .get(instanceUuid) as StoredRow | undefined;
    return r ? fromDb(r) : null;
  }

  /** _poll_unconfirmed_resizes: migrations 'finished' and last updated before `before`. */
  unconfirmedBefore(before: Date): MigrationRow[] {
    return (prepared(this.db, "SELECT * FROM migrations WHERE status = 'finished' AND deleted = 0 AND migration_type IN ('resize', 'migration') AND COALESCE(updated_at, created_at) <= ? ORDER BY id")
      .all(before.toISOString()) as StoredRow[]).map(fromDb);
  }

  /** Migration.get_by_id_and_instance: MigrationNotFoundForInstance when it is another instance's. */
  getForInstance(id: number, instanceUuid: string): MigrationRow | null {
    const m = this.get(id);
    return m && m.instance_uuid === instanceUuid ? m : null;
  }

  /** The instance's migrations of one type in these statuses, newest first. */
  forInstance(instanceUuid: string, type: string, statuses: readonly string[]): MigrationRow[] {
    const rows = prepared(this.db, 'SELECT * FROM migrations WHERE instance_uuid = ? AND migration_type = ? AND deleted = 0 ORDER BY created_at DESC, id DESC').all(instanceUuid, type) as StoredRow[];
    return rows.filter((r) => statuses.includes(r.status)).map(fromDb);
  }
}

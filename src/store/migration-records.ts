// Writes to Nova's migrations table (nova/objects/migration.py Migration.create/save and
// get_by_instance_and_status) for resize and cold migration; reads for the API are in hosts.ts.
import type { Db } from './db.js';
import type { MigrationRow } from './hosts.js';

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

type Patch = Partial<Pick<MigrationRow, 'status' | 'dest_compute' | 'dest_node' | 'dest_host' | 'source_compute' | 'source_node'>>;

export class MigrationRecords {
  constructor(private db: Db) {}

  create(m: NewMigration): MigrationRow {
    const info = this.db
      .prepare(
        `INSERT INTO migrations (uuid, instance_uuid, source_compute, dest_compute, source_node, dest_node, dest_host, old_instance_type_id,
           new_instance_type_id, status, migration_type, hidden, user_id, project_id, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, NULL)`,
      )
      .run(m.uuid, m.instanceUuid, m.sourceCompute, m.destCompute, m.sourceNode, m.destNode, m.destHost, m.oldInstanceTypeId, m.newInstanceTypeId,
        m.status, m.migrationType, m.userId, m.projectId, m.at.toISOString());
    return this.get(Number(info.lastInsertRowid))!;
  }

  get(id: number): MigrationRow | null {
    const r = this.db.prepare('SELECT * FROM migrations WHERE id = ? AND deleted = 0').get(id) as (Omit<MigrationRow, 'hidden'> & { hidden: number }) | undefined;
    return r ? { ...r, hidden: !!r.hidden } : null;
  }

  /** Migration.save(): the changed fields and updated_at. */
  update(id: number, patch: Patch, at: Date): void {
    const keys = Object.keys(patch) as (keyof Patch)[];
    const sets = [...keys.map((k) => `${k} = @${k}`), 'updated_at = @updated_at'];
    this.db.prepare(`UPDATE migrations SET ${sets.join(', ')} WHERE id = @id`).run({ ...patch, updated_at: at.toISOString(), id });
  }

  /** Migration.get_by_instance_and_status: the newest resize/cold migration of the instance in `status`. */
  byInstanceAndStatus(instanceUuid: string, status: string): MigrationRow | null {
    const r = this.db
      .prepare("SELECT * FROM migrations WHERE instance_uuid = ? AND status = ? AND deleted = 0 AND migration_type IN ('resize', 'migration') ORDER BY id DESC LIMIT 1")
      .get(instanceUuid, status) as (Omit<MigrationRow, 'hidden'> & { hidden: number }) | undefined;
    return r ? { ...r, hidden: !!r.hidden } : null;
  }

  /** The instance's newest resize/cold migration, whatever its status. */
  latestFor(instanceUuid: string): MigrationRow | null {
    const r = this.db
      .prepare("SELECT * FROM migrations WHERE instance_uuid = ? AND deleted = 0 AND migration_type IN ('resize', 'migration') ORDER BY id DESC LIMIT 1")
      .get(instanceUuid) as (Omit<MigrationRow, 'hidden'> & { hidden: number }) | undefined;
    return r ? { ...r, hidden: !!r.hidden } : null;
  }

  /** _poll_unconfirmed_resizes: migrations 'finished' and last updated before `before`. */
  unconfirmedBefore(before: Date): MigrationRow[] {
    return (this.db
      .prepare("SELECT * FROM migrations WHERE status = 'finished' AND deleted = 0 AND migration_type IN ('resize', 'migration') AND COALESCE(updated_at, created_at) <= ? ORDER BY id")
      .all(before.toISOString()) as (Omit<MigrationRow, 'hidden'> & { hidden: number })[]).map((r) => ({ ...r, hidden: !!r.hidden }));
  }
}

// The Migration record of an evacuation (compute/api.py API.evacuate: migration_type 'evacuation',
// status 'accepted'; the manager moves it to 'done' or 'failed'), written to the shared migrations table.
import type { Services } from '../services.js';
import { prepared } from '../store/statement-cache.js';

export function createEvacuationMigration(
  s: Services,
  m: { instanceUuid: string; sourceCompute: string | null; sourceNode: string | null; destHost: string | null; flavorId: number | null; userId: string; projectId: string },
): number {
  const now = s.runtime.now().toISOString();
  const r = prepared(s.db, `INSERT INTO migrations (uuid, instance_uuid, source_compute, dest_compute, source_node, dest_node, dest_host, old_instance_type_id, new_instance_type_id,
      status, migration_type, hidden, user_id, project_id, created_at, updated_at) VALUES (?, ?, ?, NULL, ?, NULL, ?, ?, ?, 'accepted', 'evacuation', 0, ?, ?, ?, NULL)`)
    .run(s.runtime.uuid(), m.instanceUuid, m.sourceCompute, m.sourceNode, m.destHost, m.flavorId, m.flavorId, m.userId, m.projectId, now);
  return Number(r.lastInsertRowid);
}

export function updateMigration(s: Services, id: number, patch: { status?: string; dest_compute?: string | null; dest_node?: string | null }): void {
  const cols = Object.keys(patch) as (keyof typeof patch)[];
  if (!cols.length) return;
  prepared(s.db, `UPDATE migrations SET ${cols.map((c) => `${c} = ?`).join(', ')}, updated_at = ? WHERE id = ?`).run(...cols.map((c) => patch[c] ?? null), s.runtime.now().toISOString(), id);
}

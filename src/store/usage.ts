// instance_get_active_by_window_joined (nova/db/main/api.py): servers alive at some point of a
// period, deleted ones included, oldest first, with the (created_at, id) marker of paginate_query.
import type { Instance } from '../domain.js';
import type { Db } from './db.js';
import type { InstanceStore } from './instances.js';
import { prepared } from './statement-cache.js';

export class UsageStore {
  constructor(
    private db: Db,
    private instances: InstanceStore,
  ) {}

  /** null when the marker names no instance (MarkerNotFound). */
  activeByWindow(begin: Date, end: Date, projectId: string | null, limit: number, marker: string | null): Instance[] | null {
    const args: Record<string, unknown> = { begin: begin.toISOString(), end: end.toISOString(), limit };
    const where = ['(terminated_at IS NULL OR terminated_at > @begin)', '(launched_at IS NULL OR launched_at < @end)'];
    if (projectId !== null) {
      where.push('project_id = @project');
      args.project = projectId;
    }
    if (marker !== null) {
      const m = prepared(this.db, 'SELECT created_at, id FROM instances WHERE uuid = ?').get(marker) as { created_at: string; id: number } | undefined;
      if (!m) return null;
      where.push('(created_at > @mc OR (created_at = @mc AND id > @mid))');
      args.mc = m.created_at;
      args.mid = m.id;
    }
    const rows = prepared(this.db, `SELECT uuid FROM instances WHERE ${where.join(' AND ')} ORDER BY created_at, id LIMIT @limit`).all(args) as { uuid: string }[];
    return rows.map((r) => this.instances.get(r.uuid, { readDeleted: true })).filter((i): i is Instance => i !== null);
  }
}

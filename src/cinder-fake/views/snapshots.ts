// cinder/api/views/snapshots.py + api/v3/views/snapshots.py, with the extended_snapshot_attributes
// extension on show and detail lists.
import { MV } from '../microversion.js';
import type { Snapshot } from '../snapshot-ops.js';
import type { ViewRequest } from './volumes.js';

export function snapshotSummary(s: Snapshot) {
  return {
    id: s.id, created_at: s.created_at, updated_at: s.updated_at, name: s.display_name, description: s.display_description, volume_id: s.volume_id,
    status: s.status, size: s.volume_size, metadata: s.metadata,
  };
}

export function snapshotDetail(s: Snapshot, req: ViewRequest, extended: boolean) {
  const out: Record<string, unknown> = snapshotSummary(s);
  if (req.version.matches('3.14')) out.group_snapshot_id = s.group_snapshot_id;
  if (req.version.matches('3.41')) out.user_id = s.user_id;
  if (req.version.matches(MV.USE_QUOTA)) out.consumes_quota = s.use_quota;
  if (extended) {
    out['os-extended-snapshot-attributes:progress'] = s.progress;
    out['os-extended-snapshot-attributes:project_id'] = s.project_id;
  }
  return out;
}

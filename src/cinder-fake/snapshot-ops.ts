// Volume snapshots (cinder/volume/api.py create_snapshot/_create_snapshot_in_db_validate/delete_snapshot/
// update_snapshot, api/v3/snapshots.py): creating → available, deleting → gone, as the manager's casts.
import type { CinderCtx } from './context.js';
import { isMigrating, type CinderCore } from './core.js';
import { CinderError, invalidVolume, policyDenied } from './errors.js';
import { checkSnapshotQuota } from './quota-ops.js';
import type { Volume } from './store.js';
import { prepared } from '../store/statement-cache.js';

export interface Snapshot {
  id: string; volume_id: string; project_id: string; user_id: string; display_name: string | null; display_description: string | null;
  status: string; progress: string; volume_size: number; volume_type_id: string | null; metadata: Record<string, string>;
  use_quota: boolean; group_snapshot_id: string | null; created_at: string; updated_at: string | null;
}

export const snapshotNotFound = (id: string) => new CinderError(404, `Snapshot ${id} could not be found.`);
export const invalidSnapshot = (reason: string) => new CinderError(400, `Invalid snapshot: ${reason}`);

/** Snapshot rules (cinder/policies/snapshots.py): get/get_all readers, create/update/delete members of the project. */
const RULE_KIND: Record<string, string> = {
  'volume:get_snapshot': 'volume:get',
  'volume:get_all_snapshots': 'volume:get_all',
  'volume:create_snapshot': 'volume:update',
  'volume:update_snapshot': 'volume:update',
  'volume:delete_snapshot': 'volume:delete',
  'volume_extension:snapshot_admin_actions:reset_status': 'volume_extension:volume_admin_actions:reset_status',
  'volume_extension:snapshot_admin_actions:force_delete': 'volume_extension:volume_admin_actions:force_delete',
  'volume:get_snapshot_metadata': 'volume:get',
  'volume:update_snapshot_metadata': 'volume:update',
  'volume:delete_snapshot_metadata': 'volume:update',
};

export function authorizeSnapshot(core: CinderCore, rule: string, ctx: CinderCtx, projectId: string): void {
  if (!core.policy.check(RULE_KIND[rule] ?? rule, ctx, projectId)) throw policyDenied(rule);
}

function fromRow(r: Record<string, unknown> | undefined): Snapshot | undefined {
  if (!r) return undefined;
  return { ...(r as unknown as Snapshot), metadata: JSON.parse(r.metadata as string), use_quota: !!r.use_quota };
}

export function getSnapshotRow(core: CinderCore, id: string): Snapshot | undefined {
  return fromRow(prepared(core.services.db, 'SELECT * FROM snapshots WHERE id = ?').get(id) as Record<string, unknown> | undefined);
}

export function snapshotsOfVolume(core: CinderCore, volumeId: string): Snapshot[] {
  return (prepared(core.services.db, 'SELECT * FROM snapshots WHERE volume_id = ? ORDER BY created_at').all(volumeId) as Record<string, unknown>[]).map((r) => fromRow(r)!);
}

function save(core: CinderCore, id: string, patch: Partial<Snapshot>): void {
  const row: Record<string, unknown> = { ...patch, updated_at: core.now() };
  if (patch.metadata) row.metadata = JSON.stringify(patch.metadata);
  const cols = Object.keys(row);
  prepared(core.services.db, `UPDATE snapshots SET ${cols.map((c) => `${c} = @${c}`).join(', ')} WHERE id = @__id`).run({ ...row, __id: id });
}

/** API.get_snapshot: project_only for non-admins (404), then volume:get_snapshot (403). */
export function getSnapshot(core: CinderCore, ctx: CinderCtx, id: string): Snapshot {
  const s = getSnapshotRow(core, id);
  if (!s || (!ctx.isAdmin && s.project_id !== ctx.projectId)) throw snapshotNotFound(id);
  authorizeSnapshot(core, 'volume:get_snapshot', ctx, s.project_id);
  return s;
}

export function listSnapshots(core: CinderCore, ctx: CinderCtx, q: Record<string, string>): Snapshot[] {
  authorizeSnapshot(core, 'volume:get_all_snapshots', ctx, ctx.projectId);
  const allTenants = ctx.isAdmin && q.all_tenants !== undefined && ['1', 'true', 'True', 'yes', 't', 'on'].includes(q.all_tenants);
  let rows = (prepared(core.services.db, 'SELECT * FROM snapshots ORDER BY created_at DESC, id DESC').all() as Record<string, unknown>[]).map((r) => fromRow(r)!);
  if (!allTenants) rows = rows.filter((s) => s.project_id === (ctx.isAdmin && q.project_id ? q.project_id : ctx.projectId));
  if (q.name !== undefined) rows = rows.filter((s) => s.display_name === q.name);
  if (q.status !== undefined) rows = rows.filter((s) => s.status === q.status);
  if (q.volume_id !== undefined) rows = rows.filter((s) => s.volume_id === q.volume_id);
  return rows;
}

export interface CreateSnapshotRequest {
  volume: Volume;
  name: string | null;
  description: string | null;
  metadata: Record<string, string> | null;
  /** force, or allow_in_use from 3.66: in-use volumes may be snapshotted. */
  allowInUse: boolean;
}

export async function createSnapshot(core: CinderCore, ctx: CinderCtx, r: CreateSnapshotRequest): Promise<Snapshot> {
  await core.faults.check('create_snapshot', { volume_id: r.volume.id });
  const v = r.volume;
  authorizeSnapshot(core, 'volume:create_snapshot', ctx, v.project_id);
  if (!v.host) throw invalidVolume('The snapshot cannot be created because volume has not been scheduled to any host.');
  if (v.status === 'maintenance') throw invalidVolume('The snapshot cannot be created when the volume is in maintenance mode.');
  if (isMigrating(v)) throw invalidVolume('Snapshot cannot be created while volume is migrating.');
  if (v.status === 'error') throw invalidVolume('The snapshot cannot be created when the volume is in error status.');
  const valid = r.allowInUse ? ['available', 'in-use'] : ['available'];
  if (!valid.includes(v.status)) {
    throw invalidVolume(`Volume ${v.id} status must be ${valid.join(', ')}, but current status is: ${v.status}.`);
  }
  const now = core.now();
  const snap: Snapshot = {
    id: core.uuid(), volume_id: v.id, project_id: ctx.projectId, user_id: ctx.userId, display_name: r.name, display_description: r.description,
    status: 'creating', progress: '0%', volume_size: v.size, volume_type_id: v.volume_type_id, metadata: r.metadata ?? {}, use_quota: true,
    group_snapshot_id: null, created_at: now, updated_at: null,
  };
  core.services.db.transaction(() => {
    checkSnapshotQuota(core, ctx.projectId, v.size);
    prepared(
      core.services.db,
      `INSERT INTO snapshots (id, volume_id, project_id, user_id, display_name, display_description, status, progress, volume_size, volume_type_id, metadata, use_quota, created_at)
       VALUES (@id, @volume_id, @project_id, @user_id, @display_name, @display_description, @status, @progress, @volume_size, @volume_type_id, @metadata, 1, @created_at)`,
    ).run({ ...snap, metadata: JSON.stringify(snap.metadata), use_quota: undefined, group_snapshot_id: undefined, updated_at: undefined });
  })();
  // volume manager create_snapshot: the driver finishes, progress 100%.
  core.tasks.schedule(core.config.volumeCreateDelayMs, async () => {
    const cur = getSnapshotRow(core, snap.id);
    if (!cur || cur.status !== 'creating') return;
    const failed = await core.faults.take('snapshot_create_task', { volume_id: v.id });
    save(core, snap.id, failed ? { status: 'error' } : { status: 'available', progress: '100%' });
  });
  return snap;
}

export function updateSnapshot(core: CinderCore, ctx: CinderCtx, id: string, fields: { display_name?: string | null; display_description?: string | null }): Snapshot {
  const s = getSnapshot(core, ctx, id);
  authorizeSnapshot(core, 'volume:update_snapshot', ctx, s.project_id);
  save(core, id, fields);
  return getSnapshotRow(core, id)!;
}

/** API.delete_snapshot: available or error (any status with force), then deleting → gone. */
export async function deleteSnapshot(core: CinderCore, ctx: CinderCtx, id: string, force: boolean): Promise<void> {
  await core.faults.check('delete_snapshot', { volume_id: getSnapshotRow(core, id)?.volume_id ?? null });
  const s = getSnapshot(core, ctx, id);
  authorizeSnapshot(core, force ? 'volume_extension:snapshot_admin_actions:force_delete' : 'volume:delete_snapshot', ctx, s.project_id);
  if (!force && !['available', 'error'].includes(s.status)) {
    throw invalidSnapshot('Snapshot status must be available or error and must not be part of a group.');
  }
  if (s.group_snapshot_id) throw invalidSnapshot(`Snapshot ${force ? '' : 'status must be available or error and '}must not be part of a group.`);
  save(core, id, { status: 'deleting' });
  scheduleSnapshotDelete(core, id);
}

function scheduleSnapshotDelete(core: CinderCore, id: string): void {
  core.tasks.schedule(core.config.volumeDeleteDelayMs, async () => {
    if (!getSnapshotRow(core, id)) return;
    const failed = await core.faults.take('snapshot_delete_task', {});
    if (failed) return save(core, id, { status: 'error_deleting' });
    prepared(core.services.db, 'DELETE FROM snapshots WHERE id = ?').run(id);
  });
}

/** os-reset_status on a snapshot (admin): any of Cinder's snapshot statuses. */
export function resetSnapshotStatus(core: CinderCore, ctx: CinderCtx, id: string, status: unknown): void {
  const s = getSnapshot(core, ctx, id);
  authorizeSnapshot(core, 'volume_extension:snapshot_admin_actions:reset_status', ctx, s.project_id);
  const statuses = ['error', 'available', 'creating', 'deleting', 'deleted', 'updating', 'error_deleting', 'unmanaging', 'backing-up', 'restoring'];
  if (typeof status !== 'string' || !statuses.includes(status.toLowerCase())) throw new CinderError(400, `Invalid input received: Must specify a valid status`);
  save(core, id, { status: status.toLowerCase() });
}

export function setSnapshotMetadata(core: CinderCore, ctx: CinderCtx, id: string, metadata: Record<string, string>, replace: boolean): Record<string, string> {
  const s = getSnapshot(core, ctx, id);
  authorizeSnapshot(core, 'volume:update_snapshot_metadata', ctx, s.project_id);
  const next = replace ? { ...metadata } : { ...s.metadata, ...metadata };
  save(core, id, { metadata: next });
  return next;
}

export function deleteSnapshotMetadata(core: CinderCore, ctx: CinderCtx, id: string, key: string): void {
  const s = getSnapshot(core, ctx, id);
  authorizeSnapshot(core, 'volume:delete_snapshot_metadata', ctx, s.project_id);
  if (!(key in s.metadata)) throw new CinderError(404, `Metadata item was not found`);
  const next = { ...s.metadata };
  delete next[key];
  save(core, id, { metadata: next });
}

/**
 * API.delete's volume_has_snapshots_filter: a volume with snapshots is refused unless `cascade`, in which
 * case its snapshots (available or error, any status with force) are deleted with it.
 */
export function snapshotsBlockDelete(core: CinderCore, v: Volume, o: { cascade: boolean; force: boolean }): void {
  const snaps = snapshotsOfVolume(core, v.id);
  if (!snaps.length) return;
  const undeletable = snaps.some((s) => !['available', 'error', 'deleting'].includes(s.status));
  if (!o.cascade || (!o.force && undeletable)) {
    const status = o.force ? '' : 'status must be available or error or error_restoring or error_extending or error_managing and';
    throw invalidVolume(`Volume ${status} must not be migrating, attached, belong to a group, have snapshots, awaiting a transfer, or be disassociated from snapshots after volume transfer.`);
  }
  // Runs once the volume's own delete was accepted (the caller may still refuse it: attached, migrating…).
  core.tasks.schedule(0, () => {
    const cur = core.store.getVolume(v.id);
    if (cur && !['deleting', 'error_deleting'].includes(cur.status)) return;
    for (const s of snaps) {
      save(core, s.id, { status: 'deleting' });
      scheduleSnapshotDelete(core, s.id);
    }
  });
}

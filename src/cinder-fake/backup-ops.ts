// Volume backups, minimal (cinder/backup/api.py create/delete/restore, api/contrib/backups.py): the backup
// driver is instantaneous after the manager's delay; data is not copied (the fake keeps no volume data).
import type { CinderCtx } from './context.js';
import type { CinderCore } from './core.js';
import { CinderError, invalidVolume, policyDenied } from './errors.js';
import { checkBackupQuota } from './quota-ops.js';
import { prepared } from '../store/statement-cache.js';

export interface Backup {
  id: string; volume_id: string; snapshot_id: string | null; project_id: string; user_id: string; display_name: string | null;
  display_description: string | null; status: string; size: number; object_count: number; container: string | null;
  availability_zone: string | null; is_incremental: boolean; fail_reason: string | null; restore_volume_id: string | null;
  metadata: Record<string, string>; data_timestamp: string; created_at: string; updated_at: string | null;
}

export const backupNotFound = (id: string) => new CinderError(404, `Backup ${id} could not be found.`);
const invalidBackup = (reason: string) => new CinderError(400, `Invalid backup: ${reason}`);

/** cinder/policies/backups.py: get/get_all readers, create/delete/restore members of the project. */
const RULE_KIND: Record<string, string> = {
  'backup:get': 'volume:get', 'backup:get_all': 'volume:get_all', 'backup:create': 'volume:update', 'backup:delete': 'volume:delete', 'backup:restore': 'volume:update',
};
function authorize(core: CinderCore, rule: string, ctx: CinderCtx, projectId: string): void {
  if (!core.policy.check(RULE_KIND[rule], ctx, projectId)) throw policyDenied(rule);
}

const fromRow = (r: Record<string, unknown> | undefined): Backup | undefined =>
  r ? { ...(r as unknown as Backup), metadata: JSON.parse(r.metadata as string), is_incremental: !!r.is_incremental } : undefined;

function row(core: CinderCore, id: string): Backup | undefined {
  return fromRow(prepared(core.services.db, 'SELECT * FROM backups WHERE id = ?').get(id) as Record<string, unknown> | undefined);
}

function save(core: CinderCore, id: string, patch: Partial<Backup>): void {
  const r: Record<string, unknown> = { ...patch, updated_at: core.now() };
  const cols = Object.keys(r);
  prepared(core.services.db, `UPDATE backups SET ${cols.map((c) => `${c} = @${c}`).join(', ')} WHERE id = @__id`).run({ ...r, __id: id });
}

export function getBackup(core: CinderCore, ctx: CinderCtx, id: string): Backup {
  const b = row(core, id);
  if (!b || (!ctx.isAdmin && b.project_id !== ctx.projectId)) throw backupNotFound(id);
  authorize(core, 'backup:get', ctx, b.project_id);
  return b;
}

export function listBackups(core: CinderCore, ctx: CinderCtx, q: Record<string, string>): Backup[] {
  authorize(core, 'backup:get_all', ctx, ctx.projectId);
  const all = ctx.isAdmin && q.all_tenants !== undefined && ['1', 'true', 'True'].includes(q.all_tenants);
  let rows = (prepared(core.services.db, 'SELECT * FROM backups ORDER BY created_at DESC, id DESC').all() as Record<string, unknown>[]).map((r) => fromRow(r)!);
  if (!all) rows = rows.filter((b) => b.project_id === ctx.projectId);
  if (q.name !== undefined) rows = rows.filter((b) => b.display_name === q.name);
  if (q.status !== undefined) rows = rows.filter((b) => b.status === q.status);
  if (q.volume_id !== undefined) rows = rows.filter((b) => b.volume_id === q.volume_id);
  return rows;
}

export interface CreateBackupRequest {
  volumeId: string; name: string | null; description: string | null; container: string | null; force: boolean; incremental: boolean;
  metadata: Record<string, string>;
}

/** API.create: the volume goes backing-up (from available, or in-use with force) and comes back when done. */
export async function createBackup(core: CinderCore, ctx: CinderCtx, r: CreateBackupRequest): Promise<Backup> {
  await core.faults.check('create_backup', { volume_id: r.volumeId });
  const v = core.getVolume(ctx, r.volumeId);
  authorize(core, 'backup:create', ctx, v.project_id);
  if (!['available', 'in-use'].includes(v.status)) throw invalidVolume(`Volume to be backed up must be available or in-use, but the current status is "${v.status}".`);
  if (v.status === 'in-use' && !r.force) throw invalidVolume('Backing up an in-use volume must use the force flag.');
  const parent = r.incremental
    ? (prepared(core.services.db, "SELECT id FROM backups WHERE volume_id = ? AND status = 'available' LIMIT 1").get(v.id) as { id: string } | undefined)
    : undefined;
  if (r.incremental && !parent) throw invalidBackup('No backups available to do an incremental backup.');
  const now = core.now();
  const b: Backup = {
    id: core.uuid(), volume_id: v.id, snapshot_id: null, project_id: ctx.projectId, user_id: ctx.userId, display_name: r.name,
    display_description: r.description, status: 'creating', size: v.size, object_count: 0, container: r.container ?? 'volumebackups',
    availability_zone: v.availability_zone, is_incremental: r.incremental, fail_reason: null, restore_volume_id: null, metadata: r.metadata,
    data_timestamp: now, created_at: now, updated_at: null,
  };
  core.services.db.transaction(() => {
    checkBackupQuota(core, ctx.projectId, v.size);
    prepared(
      core.services.db,
      `INSERT INTO backups (id, volume_id, project_id, user_id, display_name, display_description, status, size, object_count, container, availability_zone,
         is_incremental, metadata, data_timestamp, created_at)
       VALUES (@id, @volume_id, @project_id, @user_id, @display_name, @display_description, @status, @size, @object_count, @container, @availability_zone,
         @is_incremental, @metadata, @data_timestamp, @created_at)`,
    ).run({ ...b, is_incremental: b.is_incremental ? 1 : 0, metadata: JSON.stringify(b.metadata), snapshot_id: undefined, fail_reason: undefined, restore_volume_id: undefined, updated_at: undefined });
    core.saveVolume(v.id, { status: 'backing-up', previous_status: v.status });
  })();
  core.tasks.schedule(core.config.volumeCreateDelayMs, async () => {
    const failed = await core.faults.take('backup_create_task', { volume_id: v.id });
    const cur = core.store.getVolume(v.id);
    if (cur && cur.status === 'backing-up') core.saveVolume(v.id, { status: cur.previous_status ?? 'available' });
    if (!row(core, b.id)) return;
    save(core, b.id, failed ? { status: 'error', fail_reason: failed.message } : { status: 'available', object_count: Math.max(1, v.size) });
  });
  return b;
}

export async function deleteBackup(core: CinderCore, ctx: CinderCtx, id: string): Promise<void> {
  const b = getBackup(core, ctx, id);
  authorize(core, 'backup:delete', ctx, b.project_id);
  if (!['available', 'error'].includes(b.status)) throw invalidBackup('Backup status must be available or error');
  const children = prepared(core.services.db, "SELECT COUNT(*) AS n FROM backups WHERE volume_id = ? AND is_incremental = 1 AND id != ? AND created_at >= ?").get(b.volume_id, b.id, b.created_at) as { n: number };
  if (!b.is_incremental && children.n > 0) throw invalidBackup('Incremental backups exist for this backup.');
  save(core, id, { status: 'deleting' });
  core.tasks.schedule(core.config.volumeDeleteDelayMs, () => {
    prepared(core.services.db, 'DELETE FROM backups WHERE id = ?').run(id);
  });
}

/** API.restore: into a new volume (restore_backup_<id>) or an available one at least as large. */
export async function restoreBackup(
  core: CinderCore,
  ctx: CinderCtx,
  id: string,
  r: { volumeId: string | null; name: string | null },
  createVolume: (size: number, name: string) => Promise<string>,
): Promise<{ backup_id: string; volume_id: string; volume_name: string | null }> {
  const b = getBackup(core, ctx, id);
  authorize(core, 'backup:restore', ctx, b.project_id);
  if (b.status !== 'available') throw invalidBackup('Backup status must be available');
  if (b.size <= 0) throw invalidBackup('Backup to be restored has invalid size');
  let volumeId = r.volumeId;
  if (!volumeId) {
    volumeId = await createVolume(b.size, r.name ?? `restore_backup_${b.id}`);
  } else {
    const v = core.getVolume(ctx, volumeId);
    if (v.status !== 'available') throw invalidVolume('Volume to be restored to must be available');
    if (v.size < b.size) throw new CinderError(400, `Invalid input received: volume size ${v.size} is too small to restore backup of size ${b.size}.`);
    core.saveVolume(volumeId, { status: 'restoring-backup' });
  }
  save(core, id, { status: 'restoring', restore_volume_id: volumeId });
  const target = volumeId;
  // After the new volume's own creation step: restoring-backup → available, the backup available again.
  core.tasks.schedule(core.config.volumeCreateDelayMs + 1, () => {
    const v = core.store.getVolume(target);
    if (v && ['restoring-backup', 'creating'].includes(v.status)) core.saveVolume(target, { status: 'available' });
    if (row(core, id)) save(core, id, { status: 'available', restore_volume_id: null });
  });
  return { backup_id: b.id, volume_id: volumeId, volume_name: core.store.getVolume(volumeId)?.display_name ?? null };
}

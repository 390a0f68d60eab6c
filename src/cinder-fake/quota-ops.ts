// Cinder's quotas (cinder/quota.py DbQuotaDriver, api/contrib/quotas.py, api/v3/limits.py): defaults from
// the configuration (quota_volumes = volumeQuota, quota_gigabytes = gigabytesQuota, the rest upstream's),
// per-project overrides in `volume_quotas`, usage counted from the rows (snapshots consume gigabytes).
import type { CinderCtx } from './context.js';
import type { CinderCore } from './core.js';
import { CinderError, invalidInput, policyDenied, quotaError } from './errors.js';
import { prepared } from '../store/statement-cache.js';

export const NON_QUOTA_KEYS = ['tenant_id', 'id'];

/** QUOTAS resources (plus per-volume-type ones) with their configured defaults. */
export function quotaDefaults(core: CinderCore): Record<string, number> {
  const d: Record<string, number> = {
    volumes: core.config.volumeQuota, snapshots: 10, gigabytes: core.config.gigabytesQuota, backups: 10, backup_gigabytes: 1000,
    per_volume_gigabytes: -1, groups: 10,
  };
  core.ensureTypes();
  for (const t of core.store.listTypes()) for (const r of ['volumes', 'gigabytes', 'snapshots']) d[`${r}_${t.name}`] = -1;
  return d;
}

export function quotaLimits(core: CinderCore, projectId: string): Record<string, number> {
  const out = quotaDefaults(core);
  const rows = prepared(core.services.db, 'SELECT resource, hard_limit FROM volume_quotas WHERE project_id = ?').all(projectId) as { resource: string; hard_limit: number }[];
  for (const r of rows) if (r.resource in out) out[r.resource] = r.hard_limit;
  return out;
}

/** in_use per resource, as QUOTAS.get_project_quotas(usages=True) reports it. */
export function quotaUsage(core: CinderCore, projectId: string): Record<string, number> {
  const db = core.services.db;
  const vol = prepared(db, 'SELECT COUNT(*) AS n, COALESCE(SUM(size), 0) AS gb FROM volumes WHERE project_id = ? AND use_quota = 1').get(projectId) as { n: number; gb: number };
  const snap = prepared(db, 'SELECT COUNT(*) AS n, COALESCE(SUM(volume_size), 0) AS gb FROM snapshots WHERE project_id = ? AND use_quota = 1').get(projectId) as { n: number; gb: number };
  const bak = prepared(db, 'SELECT COUNT(*) AS n, COALESCE(SUM(size), 0) AS gb FROM backups WHERE project_id = ?').get(projectId) as { n: number; gb: number };
  const out: Record<string, number> = { volumes: vol.n, gigabytes: vol.gb + snap.gb, snapshots: snap.n, backups: bak.n, backup_gigabytes: bak.gb, per_volume_gigabytes: 0, groups: 0 };
  core.ensureTypes();
  for (const t of core.store.listTypes()) {
    const v = prepared(db, 'SELECT COUNT(*) AS n, COALESCE(SUM(size), 0) AS gb FROM volumes WHERE project_id = ? AND use_quota = 1 AND volume_type_id = ?').get(projectId, t.id) as { n: number; gb: number };
    const s = prepared(db, 'SELECT COUNT(*) AS n, COALESCE(SUM(volume_size), 0) AS gb FROM snapshots WHERE project_id = ? AND use_quota = 1 AND volume_type_id = ?').get(projectId, t.id) as { n: number; gb: number };
    out[`volumes_${t.name}`] = v.n;
    out[`gigabytes_${t.name}`] = v.gb + s.gb;
    out[`snapshots_${t.name}`] = s.n;
  }
  return out;
}

/** QUOTAS.reserve for a snapshot: snapshots + 1, gigabytes + volume size (process_reserve_over_quota texts). */
export function checkSnapshotQuota(core: CinderCore, projectId: string, size: number): void {
  const limits = quotaLimits(core, projectId);
  const used = quotaUsage(core, projectId);
  if (limits.gigabytes >= 0 && used.gigabytes + size > limits.gigabytes) {
    throw quotaError('VolumeSizeExceedsAvailableQuota', `Requested volume or snapshot exceeds allowed gigabytes quota. Requested ${size}G, quota is ${limits.gigabytes}G and ${used.gigabytes}G has been consumed.`);
  }
  if (limits.snapshots >= 0 && used.snapshots + 1 > limits.snapshots) {
    throw quotaError('SnapshotLimitExceeded', `Maximum number of snapshots allowed (${limits.snapshots}) exceeded`);
  }
}

/** Backups: backups + 1, backup_gigabytes + size. */
export function checkBackupQuota(core: CinderCore, projectId: string, size: number): void {
  const limits = quotaLimits(core, projectId);
  const used = quotaUsage(core, projectId);
  if (limits.backup_gigabytes >= 0 && used.backup_gigabytes + size > limits.backup_gigabytes) {
    throw quotaError('VolumeBackupSizeExceedsAvailableQuota', `Requested backup exceeds allowed Backup gigabytes quota. Requested ${size}G, quota is ${limits.backup_gigabytes}G and ${used.backup_gigabytes}G has been consumed.`);
  }
  if (limits.backups >= 0 && used.backups + 1 > limits.backups) {
    throw quotaError('BackupLimitExceeded', `Maximum number of backups allowed (${limits.backups}) exceeded`);
  }
}

/** volume_extension:quotas:show — a reader of that project, or an admin; update/delete are admin only. */
export function authorizeQuota(core: CinderCore, action: 'show' | 'update' | 'delete', ctx: CinderCtx, projectId: string): void {
  const ok = action === 'show' ? core.policy.check('volume:get', ctx, projectId) : ctx.isAdmin;
  if (!ok) throw policyDenied(`volume_extension:quotas:${action}`);
}

/** _validate_quota_set and the update's "not below current usage" check (api/contrib/quotas.py). */
export function updateQuotas(core: CinderCore, projectId: string, set: Record<string, unknown>): void {
  const limits = quotaLimits(core, projectId);
  const bad = Object.keys(set).filter((k) => !(k in limits) && !NON_QUOTA_KEYS.includes(k));
  const values: Record<string, number> = {};
  for (const [k, v] of Object.entries(set)) {
    if (NON_QUOTA_KEYS.includes(k) || !(k in limits)) continue;
    const n = typeof v === 'number' ? v : typeof v === 'string' && /^\s*[-+]?\d+\s*$/.test(v) ? Number(v) : NaN;
    if (!Number.isInteger(n)) throw invalidInput(`${k} must be an integer.`);
    if (n < -1) throw invalidInput(`${k} must be >= -1`);
    if (n > 2147483647) throw invalidInput(`${k} must be <= 2147483647`);
    values[k] = n;
  }
  if (bad.length) throw invalidInput(`Bad key(s) in quota set: ${bad.join(', ')}`);
  const used = quotaUsage(core, projectId);
  for (const [k, n] of Object.entries(values)) {
    if (k === 'per_volume_gigabytes' || n === -1) continue;
    if (n < (used[k] ?? 0)) {
      throw new CinderError(400, `Quota ${k} limit must be equal or greater than existing resources. Current usage is ${used[k]} and the requested limit is ${n}.`);
    }
  }
  const upsert = prepared(core.services.db, 'INSERT OR REPLACE INTO volume_quotas (project_id, resource, hard_limit) VALUES (?, ?, ?)');
  core.services.db.transaction(() => {
    for (const [k, n] of Object.entries(values)) upsert.run(projectId, k, n);
  })();
}

export function deleteQuotas(core: CinderCore, projectId: string): void {
  prepared(core.services.db, 'DELETE FROM volume_quotas WHERE project_id = ?').run(projectId);
}

/** GET /limits (cinder/api/views/limits.py): absolute limits and usage, no rate limits. */
export function absoluteLimits(core: CinderCore, projectId: string) {
  const l = quotaLimits(core, projectId);
  const u = quotaUsage(core, projectId);
  return {
    limits: {
      rate: [],
      absolute: {
        totalSnapshotsUsed: u.snapshots, maxTotalBackups: l.backups, maxTotalVolumeGigabytes: l.gigabytes, maxTotalSnapshots: l.snapshots,
        maxTotalBackupGigabytes: l.backup_gigabytes, totalBackupGigabytesUsed: u.backup_gigabytes, maxTotalVolumes: l.volumes,
        totalVolumesUsed: u.volumes, totalBackupsUsed: u.backups, totalGigabytesUsed: u.gigabytes,
      },
    },
  };
}

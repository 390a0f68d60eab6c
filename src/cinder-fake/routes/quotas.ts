// Read-only Cinder quotas and limits: GET /os-quota-sets/{id}[?usage=True], /os-quota-sets/{id}/defaults
// (cinder/api/contrib/quotas.py) and GET /limits (cinder/api/v3/limits.py, views/limits.py), answered
// from the fake Cinder's configured quotas (volumeQuota, gigabytesQuota) and counted usage. The
// OpenStack CLI's `limits show` and `quota show` read both Nova's and Cinder's.
import type { FastifyInstance } from 'fastify';
import { ctxOf, json, queryOf, type RouteDeps } from '../request.js';

/** cinder.conf [DEFAULT] quota_* defaults besides volumes/gigabytes (from novasim's config). */
const FIXED = { snapshots: 10, backups: 10, backup_gigabytes: 1000, groups: 10, per_volume_gigabytes: -1 };

export async function quotaRoutes(app: FastifyInstance, opts: { deps: RouteDeps }) {
  const { backend: b } = opts.deps;
  const core = b.core;

  /** QUOTAS.get_project_quotas: limits (and usage) of every resource, with per-volume-type entries (-1). */
  function quotaSet(projectId: string, usage: boolean) {
    const counted = core.store.usage(projectId);
    const volumes = core.store.listVolumes({ projectId }).filter((v) => v.use_quota);
    const limits: Record<string, { limit: number; in_use: number }> = {
      volumes: { limit: core.config.volumeQuota, in_use: counted.volumes },
      gigabytes: { limit: core.config.gigabytesQuota, in_use: counted.gigabytes },
      snapshots: { limit: FIXED.snapshots, in_use: 0 },
      backups: { limit: FIXED.backups, in_use: 0 },
      backup_gigabytes: { limit: FIXED.backup_gigabytes, in_use: 0 },
      groups: { limit: FIXED.groups, in_use: 0 },
      per_volume_gigabytes: { limit: FIXED.per_volume_gigabytes, in_use: 0 },
    };
    for (const t of b.listTypes()) {
      const mine = volumes.filter((v) => v.volume_type_id === t.id);
      limits[`volumes_${t.name}`] = { limit: -1, in_use: mine.length };
      limits[`gigabytes_${t.name}`] = { limit: -1, in_use: mine.reduce((n, v) => n + v.size, 0) };
      limits[`snapshots_${t.name}`] = { limit: -1, in_use: 0 };
    }
    const out: Record<string, unknown> = { id: projectId };
    for (const [k, v] of Object.entries(limits)) out[k] = usage ? { limit: v.limit, in_use: v.in_use, reserved: 0 } : v.limit;
    return out;
  }

  app.get<{ Params: { id: string } }>('/os-quota-sets/:id', async (req, reply) => {
    const ctx = ctxOf(req);
    core.policy.authorize('volume_extension:quotas:show', ctx, req.params.id);
    const usage = ['true', 't', '1', 'yes', 'y', 'on'].includes((queryOf(req).usage ?? 'false').toLowerCase());
    return json(reply, 200, { quota_set: quotaSet(req.params.id, usage) });
  });

  app.get<{ Params: { id: string } }>('/os-quota-sets/:id/defaults', async (req, reply) => {
    const ctx = ctxOf(req);
    core.policy.authorize('volume_extension:quotas:show', ctx, req.params.id);
    const set = quotaSet(req.params.id, false);
    return json(reply, 200, { quota_set: set });
  });

  app.get('/limits', async (req, reply) => {
    const ctx = ctxOf(req);
    const q = quotaSet(ctx.projectId, true) as Record<string, { limit: number; in_use: number }>;
    // views/limits.py _build_absolute_limits + used_limits extension (reader or admin).
    const absolute: Record<string, number> = {
      maxTotalVolumes: q.volumes.limit, maxTotalSnapshots: q.snapshots.limit, maxTotalVolumeGigabytes: q.gigabytes.limit,
      maxTotalBackups: q.backups.limit, maxTotalBackupGigabytes: q.backup_gigabytes.limit,
    };
    if (core.policy.check('limits_extension:used_limits', ctx)) {
      Object.assign(absolute, {
        totalVolumesUsed: q.volumes.in_use, totalGigabytesUsed: q.gigabytes.in_use, totalSnapshotsUsed: 0, totalBackupsUsed: 0, totalBackupGigabytesUsed: 0,
      });
    }
    return json(reply, 200, { limits: { rate: [], absolute } });
  });
}

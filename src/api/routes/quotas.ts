// /os-quota-sets, /os-quota-class-sets (nova/api/openstack/compute/quota_sets.py, quota_classes.py)
// and /limits (limits.py).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { NovaError } from '../errors.js';
import { type Query, lastValue } from '../query.js';
import { type ApiDeps, parseBody, parseQuery } from '../plugin.js';
import { limitsQuery, quotaClassQuery, quotaClassUpdate, quotaQuery, quotaSetUpdate } from '../schemas/quotas.js';
import { formatQuotaClassSet, formatQuotaSet, limitsView, quotaSetFiltered } from '../views/quotas.js';

const QS = 'os_compute_api:os-quota-sets';
const QCS = 'os_compute_api:os-quota-class-sets';

export async function quotaRoutes(app: FastifyInstance, opts: { deps: ApiDeps }) {
  const { policy, compute, services: s } = opts.deps;
  const q = compute.quotas;

  /** identity.verify_project_id: Keystone's 404 becomes a 400. */
  const verifyProject = (id: string) => {
    if (!s.identity.project({ id })) throw new NovaError(400, `Project ID ${id} is not a valid project.`);
  };
  /** parse_qs(...)['user_id'][0]: the first value. */
  const userIdOf = (req: FastifyRequest) => {
    const raw = (req.query as Query).user_id;
    const first = Array.isArray(raw) ? raw[0] : raw;
    return first || undefined;
  };
  const limitsOnly = (values: Record<string, { limit: number }>) => Object.fromEntries(Object.entries(values).map(([k, v]) => [k, v.limit]));

  app.get('/os-quota-sets/:id', async (req) => {
    const { id } = req.params as { id: string };
    parseQuery(quotaQuery(req.apiVersion), req.query);
    policy.authorize(`${QS}:show`, req.ctx, { project_id: id });
    verifyProject(id);
    const user = userIdOf(req);
    const values = user ? q.userQuotas(id, user) : q.projectQuotas(id);
    return formatQuotaSet(id, limitsOnly(values), quotaSetFiltered(req.apiVersion));
  });

  app.get('/os-quota-sets/:id/detail', async (req) => {
    const { id } = req.params as { id: string };
    parseQuery(quotaQuery(req.apiVersion), req.query);
    policy.authorize(`${QS}:detail`, req.ctx, { project_id: id });
    verifyProject(id);
    const user = lastValue(req.query as Query, 'user_id') || undefined;
    const values = user ? q.userQuotas(id, user, { usages: true }) : q.projectQuotas(id, { usages: true });
    // get_reserved(): always 0 since Nova stopped reserving.
    const detail = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, { in_use: v.in_use ?? 0, limit: v.limit, reserved: 0 }]));
    return formatQuotaSet(id, detail, quotaSetFiltered(req.apiVersion));
  });

  app.get('/os-quota-sets/:id/defaults', async (req) => {
    const { id } = req.params as { id: string };
    policy.authorize(`${QS}:defaults`, req.ctx, { project_id: id });
    verifyProject(id);
    return formatQuotaSet(id, q.defaults(), quotaSetFiltered(req.apiVersion));
  });

  app.put('/os-quota-sets/:id', async (req) => {
    const { id } = req.params as { id: string };
    const v = req.apiVersion;
    const body = parseBody(quotaSetUpdate(v), req.body).quota_set as Record<string, number | boolean | undefined>;
    parseQuery(quotaQuery(v), req.query);
    policy.authorize(`${QS}:update`, req.ctx, { project_id: id });
    verifyProject(id);
    const user = userIdOf(req);
    const force = body.force === true;
    const settable = q.settable(id, user);
    const inf = (x: number) => (x === -1 ? Infinity : x);
    const valid: [string, number][] = [];
    for (const [key, value] of Object.entries(body)) {
      if (key === 'force' || value === undefined) continue;
      const limit = value as number;
      if (!force) {
        const { minimum, maximum } = settable[key];
        if (inf(limit) < inf(minimum)) throw new NovaError(400, `Quota limit ${limit} for ${key} must be greater than or equal to already used and reserved ${minimum}.`);
        if (inf(limit) > inf(maximum)) throw new NovaError(400, `Quota limit ${limit} for ${key} must be less than or equal to ${maximum}.`);
      }
      valid.push([key, limit]);
    }
    s.db.transaction(() => {
      for (const [key, limit] of valid) {
        if (user) q.store.setUser(id, user, key, limit);
        else q.store.setProject(id, key, limit);
      }
    })();
    const values = user ? q.userQuotas(id, user) : q.projectQuotas(id);
    return formatQuotaSet(null, limitsOnly(values), quotaSetFiltered(v));
  });

  app.delete('/os-quota-sets/:id', async (req, reply) => {
    const { id } = req.params as { id: string };
    parseQuery(quotaQuery(req.apiVersion), req.query);
    policy.authorize(`${QS}:delete`, req.ctx, { project_id: id });
    const user = userIdOf(req);
    s.db.transaction(() => q.store.destroy(id, user))();
    return reply.code(202).send();
  });

  app.get('/os-quota-class-sets/:id', async (req) => {
    const { id } = req.params as { id: string };
    parseQuery(quotaClassQuery(req.apiVersion), req.query);
    policy.authorize(`${QCS}:show`, req.ctx, {});
    return formatQuotaClassSet(req.apiVersion, id, q.classQuotas(id));
  });

  app.put('/os-quota-class-sets/:id', async (req) => {
    const { id } = req.params as { id: string };
    const body = parseBody(quotaClassUpdate(req.apiVersion), req.body).quota_class_set as Record<string, number | undefined>;
    policy.authorize(`${QCS}:update`, req.ctx, {});
    if (id.length > 255) throw new NovaError(400, `Invalid input received: quota_class_name has ${id.length} characters, more than 255.`);
    s.db.transaction(() => {
      for (const [key, limit] of Object.entries(body)) if (limit !== undefined) q.store.setClass(id, key, limit);
    })();
    return formatQuotaClassSet(req.apiVersion, null, q.classQuotas(id));
  });

  app.get('/limits', async (req) => {
    parseQuery(limitsQuery(req.apiVersion), req.query);
    policy.authorize('os_compute_api:limits', req.ctx, {});
    let projectId = req.ctx.projectId;
    const tenant = lastValue(req.query as Query, 'tenant_id');
    if (tenant !== undefined) {
      projectId = tenant;
      policy.authorize('os_compute_api:limits:other_project', req.ctx, {});
    }
    return limitsView(req.apiVersion, q.projectQuotas(projectId, { usages: true }));
  });
}

// /os-quota-sets/{project} (cinder/api/contrib/quotas.py) and /limits (cinder/api/v3/limits.py).
import type { FastifyInstance } from 'fastify';
import { CinderError } from '../errors.js';
import type { Schema } from '../json-schema.js';
import { absoluteLimits, authorizeQuota, deleteQuotas, quotaDefaults, quotaLimits, quotaUsage, updateQuotas } from '../quota-ops.js';
import { ctxOf, json, queryOf, validBody, type RouteDeps } from '../request.js';
import { boolFromString } from '../schemas.js';

const updateSchema: Schema = {
  type: 'object',
  properties: { quota_set: { type: 'object', minProperties: 1 } },
  required: ['quota_set'],
  additionalProperties: false,
};

export async function quotaRoutes(app: FastifyInstance, opts: { deps: RouteDeps }) {
  const { deps } = opts;
  const core = deps.backend.core;

  app.get<{ Params: { target: string } }>('/os-quota-sets/:target', async (req, reply) => {
    const ctx = ctxOf(req);
    const target = req.params.target;
    authorizeQuota(core, 'show', ctx, target);
    const q = queryOf(req);
    const usage = q.usage !== undefined && boolFromString(q.usage);
    const limits = quotaLimits(core, target);
    if (!usage) return json(reply, 200, { quota_set: { id: target, ...limits } });
    const used = quotaUsage(core, target);
    const set: Record<string, unknown> = { id: target };
    for (const [k, limit] of Object.entries(limits)) set[k] = { limit, in_use: used[k] ?? 0, reserved: 0 };
    return json(reply, 200, { quota_set: set });
  });
  app.get<{ Params: { target: string } }>('/os-quota-sets/:target/defaults', async (req, reply) => {
    authorizeQuota(core, 'show', ctxOf(req), req.params.target);
    return json(reply, 200, { quota_set: { id: req.params.target, ...quotaDefaults(core) } });
  });
  app.put<{ Params: { target: string } }>('/os-quota-sets/:target', { config: { cinderBody: 'json' } }, async (req, reply) => {
    const body = validBody<{ quota_set: Record<string, unknown> }>(req, deps, updateSchema);
    const target = req.params.target;
    authorizeQuota(core, 'update', ctxOf(req), target);
    if (target.length > 255) throw new CinderError(400, 'Invalid input received: quota_set_name has more than 255 characters.');
    updateQuotas(core, target, body.quota_set);
    return json(reply, 200, { quota_set: quotaLimits(core, target) });
  });
  app.delete<{ Params: { target: string } }>('/os-quota-sets/:target', async (req, reply) => {
    authorizeQuota(core, 'delete', ctxOf(req), req.params.target);
    deleteQuotas(core, req.params.target);
    return reply.code(200).send();
  });

  app.get('/limits', async (req, reply) => json(reply, 200, absoluteLimits(core, ctxOf(req).projectId)));
}

// POST /servers/{id}/action: lock and unlock (nova/api/openstack/compute/lock_server.py).
import type { FastifyInstance } from 'fastify';
import { mapErrors } from '../compute-errors.js';
import { NovaError } from '../errors.js';
import { type ApiDeps, parseBody } from '../plugin.js';
import { lockV273 } from '../schemas/servers.js';

export async function serverActionRoutes(app: FastifyInstance, opts: { deps: ApiDeps }) {
  const { policy, compute } = opts.deps;

  app.post('/servers/:id/action', async (req, reply) => {
    const body = req.body as Record<string, unknown> | null;
    if (!body || typeof body !== 'object' || Object.keys(body).length !== 1) throw new NovaError(400, 'Malformed request body');
    const [action] = Object.keys(body);
    const instance = await mapErrors(() => compute.get(req.ctx, (req.params as { id: string }).id), { InstanceNotFound: 404 });
    const target = { project_id: instance.project_id, user_id: instance.user_id };
    switch (action) {
      case 'lock': {
        let reason: string | null = null;
        if (req.apiVersion.matches('2.73')) {
          const b = parseBody(lockV273, body);
          reason = b.lock?.locked_reason ?? null;
        }
        policy.authorize('os_compute_api:os-lock-server:lock', req.ctx, target);
        compute.lock(req.ctx, instance, reason);
        return reply.code(202).send();
      }
      case 'unlock': {
        policy.authorize('os_compute_api:os-lock-server:unlock', req.ctx, target);
        // Only an admin may lift an admin's lock (is_expected_to_be_unlocked_by_owner).
        if (instance.locked_by === 'admin' && !req.ctx.isAdmin) policy.authorize('os_compute_api:os-lock-server:unlock:unlock_override', req.ctx, target);
        compute.unlock(req.ctx, instance);
        return reply.code(202).send();
      }
      default:
        throw new NovaError(400, `There is no such action: ${action}`);
    }
  });
}

// /servers/{id}/os-instance-actions[/{request_id}] (nova/api/openstack/compute/instance_actions.py).
import type { FastifyInstance } from 'fastify';
import { mapErrors } from '../compute-errors.js';
import { NovaError } from '../errors.js';
import { type Query, lastValue, queryDateTime, queryNonNegativeInt } from '../query.js';
import type { ApiDeps } from '../plugin.js';
import { actionView, eventView } from '../views/instance-actions.js';

const RULE = 'os_compute_api:os-instance-actions';

export async function instanceActionRoutes(app: FastifyInstance, opts: { deps: ApiDeps }) {
  const { services: s, policy, compute } = opts.deps;

  app.get('/servers/:server_id/os-instance-actions', async (req) => {
    const { server_id } = req.params as { server_id: string };
    // From 2.21 the actions of deleted servers stay readable.
    const instance = await mapErrors(() => compute.get(req.ctx, server_id, { readDeleted: req.apiVersion.matches('2.21') }), { InstanceNotFound: 404 });
    policy.authorize(`${RULE}:list`, req.ctx, { project_id: instance.project_id });
    const q = req.query as Query;
    let actions = s.actions.list(instance.uuid);
    if (req.apiVersion.matches('2.58')) {
      const since = queryDateTime(q, 'changes-since');
      const before = req.apiVersion.matches('2.66') ? queryDateTime(q, 'changes-before') : undefined;
      const limit = queryNonNegativeInt(q, 'limit');
      const marker = lastValue(q, 'marker');
      if (since) actions = actions.filter((a) => (a.updated_at ?? a.start_time) >= since.toISOString());
      if (before) actions = actions.filter((a) => (a.updated_at ?? a.start_time) <= before.toISOString());
      if (marker !== undefined) {
        const at = actions.findIndex((a) => a.request_id === marker);
        if (at < 0) throw new NovaError(400, `Marker ${marker} could not be found.`);
        actions = actions.slice(at + 1);
      }
      if (limit !== undefined) actions = actions.slice(0, Math.min(limit, 1000));
    }
    return { instanceActions: actions.map((a) => actionView(a, req.apiVersion)) };
  });

  app.get('/servers/:server_id/os-instance-actions/:request_id', async (req) => {
    const { server_id, request_id } = req.params as { server_id: string; request_id: string };
    const instance = await mapErrors(() => compute.get(req.ctx, server_id, { readDeleted: req.apiVersion.matches('2.21') }), { InstanceNotFound: 404 });
    policy.authorize(`${RULE}:show`, req.ctx, { project_id: instance.project_id });
    const action = s.actions.get(instance.uuid, request_id);
    if (!action) throw new NovaError(404, `Action ${request_id} not found`);
    const out = actionView(action, req.apiVersion);
    const target = { project_id: instance.project_id };
    const canEvents = policy.allowed(`${RULE}:events`, req.ctx, target);
    // Events: admins at every version (with traceback), everyone from 2.51 (without traceback).
    if (canEvents || req.apiVersion.matches('2.51')) {
      const show = { traceback: canEvents, host: canEvents, details: policy.allowed(`${RULE}:events:details`, req.ctx, target) };
      out.events = s.actions.events(action.id).map((e) => eventView(e, instance.project_id, req.apiVersion, show));
    }
    return { instanceAction: out };
  });
}

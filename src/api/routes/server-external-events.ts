// POST /os-server-external-events (nova/api/openstack/compute/server_external_events.py): how Neutron
// (and Cinder) tell Nova something changed. 200 when every event was accepted, 207 with per-event
// codes otherwise (404 unknown instance, 422 no host yet). network-changed refreshes the network
// info cache from Neutron; the other names are accepted as Nova's virt driver would wait for them.
import type { FastifyInstance } from 'fastify';
import { type ApiDeps, parseBody } from '../plugin.js';
import * as schema from '../schemas/server-external-events.js';

export async function serverExternalEventRoutes(app: FastifyInstance, opts: { deps: ApiDeps }) {
  const { services: s, policy, compute } = opts.deps;
  app.post('/os-server-external-events', async (req, reply) => {
    const body = parseBody(schema.create(schema.namesFor((v) => req.apiVersion.matches(v))), req.body);
    policy.authorize('os_compute_api:os-server-external-events:create', req.ctx, {});
    let result = 200;
    const out = body.events.map((e) => {
      const ev: Record<string, unknown> = { ...e };
      const instance = s.instances.get(e.server_uuid);
      if (!instance) {
        result = 207;
        return { ...ev, status: 'failed', code: 404 };
      }
      if (!instance.host) {
        result = 207;
        return { ...ev, status: 'failed', code: 422 };
      }
      if (e.name === 'network-changed') compute.interfaces?.networkChanged(req.ctx, instance);
      return { ...ev, status: 'completed', code: 200 };
    });
    return reply.code(result).send({ events: out });
  });
}

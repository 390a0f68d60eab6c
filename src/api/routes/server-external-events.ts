// POST /os-server-external-events (nova/api/openstack/compute/server_external_events.py): events
// from Neutron and Cinder. Each event answers its own code (200 accepted, 400 tag missing, 404 no
// such instance, 422 instance without a host); any failure makes the whole answer a 207.
// network-changed refreshes the instance's network info cache from Neutron (the fake Neutron sends
// it when a floating IP moves, as neutron/notifiers/nova.py does).
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { externalEvents } from '../../compute/external-events.js';
import { type ApiDeps, parseBody } from '../plugin.js';
import { uuid } from '../schemas/common.js';

const RULE = 'os_compute_api:os-server-external-events:create';
const BASE_NAMES = ['network-changed', 'network-vif-plugged', 'network-vif-unplugged', 'network-vif-deleted'];
/** Names added by microversion (schemas/server_external_events.py). */
const NAMES_BY_VERSION: [string, string][] = [['2.51', 'volume-extended'], ['2.76', 'power-update'], ['2.82', 'accelerator-request-bound'], ['2.93', 'volume-reimaged']];
const TAG_REQUIRED = ['volume-extended', 'power-update', 'accelerator-request-bound'];

const build = (names: string[]) =>
  z
    .object({
      events: z
        .array(
          z
            .object({
              name: z.enum(names as [string, ...string[]]),
              server_uuid: uuid,
              status: z.enum(['failed', 'completed', 'in-progress']).optional(),
              tag: z.string().max(255).optional(),
            })
            .strict(),
        )
        .min(1),
    })
    .strict();

/**
 * The body schema for a microversion's event names, built once per name list (a handful of
 * microversion steps): zod schemas are immutable, and building one per request cost more than the parse.
 */
const schemas = new Map<string, ReturnType<typeof build>>();
function schemaFor(names: string[]): ReturnType<typeof build> {
  const key = names.join(',');
  let schema = schemas.get(key);
  if (!schema) {
    schema = build(names);
    schemas.set(key, schema);
  }
  return schema;
}

export async function serverExternalEventRoutes(app: FastifyInstance, opts: { deps: ApiDeps }) {
  const { services: s, policy, compute } = opts.deps;
  const events = externalEvents(s);

  app.post('/os-server-external-events', async (req, reply) => {
    const names = [...BASE_NAMES, ...NAMES_BY_VERSION.filter(([v]) => req.apiVersion.matches(v)).map(([, n]) => n)];
    const body = parseBody(schemaFor(names), req.body);
    policy.authorize(RULE, req.ctx, {});
    let result = 200;
    const response = body.events.map((e) => {
      const out: Record<string, unknown> = { ...e };
      const instance = s.instances.get(e.server_uuid);
      const tag = e.tag ?? null;
      if (!instance) {
        Object.assign(out, { status: 'failed', code: 404 });
        result = 207;
      } else if (TAG_REQUIRED.includes(e.name) && tag === null) {
        Object.assign(out, { status: 'failed', code: 400 });
        result = 207;
      } else if (instance.host) {
        events.deliver({ instanceUuid: instance.uuid, instanceId: instance.id, name: e.name, status: e.status ?? 'completed', tag });
        // network-changed refreshes the cache; network-vif-deleted (_process_instance_vif_deleted_event)
        // drops the deleted port's VIF, which a refresh from Neutron's ports does too.
        if (e.name === 'network-changed' || e.name === 'network-vif-deleted') compute.interfaces?.networkChanged(req.ctx, instance);
        Object.assign(out, { status: 'completed', code: 200 });
      } else {
        Object.assign(out, { status: 'failed', code: 422 });
        result = 207;
      }
      return out;
    });
    reply.code(result);
    return { events: response };
  });
}

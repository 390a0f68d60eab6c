// /os-aggregates (nova/api/openstack/compute/aggregates.py): CRUD, add_host/remove_host/set_metadata
// actions, and the 2.81 image cache request.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { mapErrors } from '../compute-errors.js';
import { NovaError } from '../errors.js';
import { type ApiDeps, parseBody } from '../plugin.js';
import * as schema from '../schemas/hosts.js';
import { aggregateView } from '../views/hosts.js';

const RULE = 'os_compute_api:os-aggregates';
const EXPECTED = {
  AggregateNotFound: 404, AggregateNameExists: 409, ComputeHostNotFound: 404, AggregateHostExists: 409, AggregateHostNotFound: 404,
  InvalidAggregateActionAdd: 409, InvalidAggregateActionDelete: 400, InvalidAggregateActionUpdate: 400, InvalidAggregateActionUpdateMeta: 400,
};

/** utils.validate_integer(id, 'id'). */
function intId(id: string): number {
  if (!/^\s*-?\d+\s*$/.test(id)) throw new NovaError(400, 'Invalid input received: id must be an integer');
  return Number(id);
}

export async function osAggregateRoutes(app: FastifyInstance, opts: { deps: ApiDeps }) {
  const { services: s, policy, hosts } = opts.deps;
  const view = (req: FastifyRequest, a: Parameters<typeof aggregateView>[1]) => ({ aggregate: aggregateView(req, a) });

  app.get('/os-aggregates', async (req) => {
    policy.authorize(`${RULE}:index`, req.ctx, {});
    return { aggregates: s.hosts.aggregates().map((a) => aggregateView(req, a)) };
  });

  app.post('/os-aggregates', async (req) => {
    policy.authorize(`${RULE}:create`, req.ctx, {});
    const body = parseBody(schema.aggregateCreate, req.body).aggregate;
    const agg = await mapErrors(() => hosts.create(req.ctx, body.name.trim(), body.availability_zone ? body.availability_zone.trim() : null), EXPECTED);
    const out = aggregateView(req, agg);
    delete out.hosts;
    delete out.metadata;
    return { aggregate: out };
  });

  app.get('/os-aggregates/:id', async (req) => {
    policy.authorize(`${RULE}:show`, req.ctx, {});
    const id = intId((req.params as { id: string }).id);
    return view(req, await mapErrors(() => hosts.get(id), EXPECTED));
  });

  app.put('/os-aggregates/:id', async (req) => {
    policy.authorize(`${RULE}:update`, req.ctx, {});
    const body = parseBody(schema.aggregateUpdate, req.body).aggregate;
    const id = intId((req.params as { id: string }).id);
    const values: { name?: string; availability_zone?: string | null } = {};
    if (body.name !== undefined) values.name = body.name.trim();
    if (body.availability_zone !== undefined) values.availability_zone = body.availability_zone;
    return view(req, await mapErrors(() => hosts.update(req.ctx, id, values), EXPECTED));
  });

  app.delete('/os-aggregates/:id', async (req, reply) => {
    policy.authorize(`${RULE}:delete`, req.ctx, {});
    const id = intId((req.params as { id: string }).id);
    await mapErrors(() => hosts.delete(req.ctx, id), EXPECTED);
    return reply.code(200).send();
  });

  app.post('/os-aggregates/:id/action', async (req) => {
    const raw = (req.body ?? {}) as Record<string, unknown>;
    const id = (req.params as { id: string }).id;
    if ('add_host' in raw) {
      policy.authorize(`${RULE}:add_host`, req.ctx, {});
      const body = parseBody(schema.aggregateAddHost, raw);
      const agg = await mapErrors(() => hosts.addHost(req.ctx, intId(id), body.add_host.host), EXPECTED);
      return view(req, agg);
    }
    if ('remove_host' in raw) {
      policy.authorize(`${RULE}:remove_host`, req.ctx, {});
      const body = parseBody(schema.aggregateRemoveHost, raw);
      const host = body.remove_host.host;
      try {
        return view(req, await mapErrors(() => hosts.removeHost(req.ctx, intId(id), host), EXPECTED));
      } catch (e) {
        // Nova: AggregateNotFound / AggregateHostNotFound / ComputeHostNotFound all become this 404.
        if (e instanceof NovaError && e.status === 404) throw new NovaError(404, `Cannot remove host ${host} in aggregate ${id}`);
        if (e instanceof NovaError && e.status === 400 && e.message.startsWith('Cannot remove host from aggregate')) throw new NovaError(409, e.message);
        throw e;
      }
    }
    if ('set_metadata' in raw) {
      policy.authorize(`${RULE}:set_metadata`, req.ctx, {});
      const body = parseBody(schema.aggregateSetMetadata, raw);
      return view(req, await mapErrors(() => hosts.setMetadata(req.ctx, intId(id), body.set_metadata.metadata), EXPECTED));
    }
    throw new NovaError(400, 'There is no such action: ' + (Object.keys(raw)[0] ?? 'None'));
  });

  app.post('/os-aggregates/:id/images', async (req, reply) => {
    if (!req.apiVersion.matches('2.81')) throw new NovaError(404, 'The resource could not be found.');
    policy.authorize('compute:aggregates:images', req.ctx, {});
    const body = parseBody(schema.aggregateImages, req.body);
    const id = intId((req.params as { id: string }).id);
    const ids = body.cache.map((c) => c.id);
    if (new Set(ids).size !== ids.length) throw new NovaError(400, 'Duplicate images in request');
    await mapErrors(() => hosts.cacheImages(req.ctx, id, ids), EXPECTED);
    return reply.code(202).send();
  });
}

// /servers/{id}/metadata[/{key}] (nova/api/openstack/compute/server_metadata.py).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Instance } from '../../domain.js';
import { mapErrors } from '../compute-errors.js';
import { NovaError } from '../errors.js';
import { type ApiDeps, parseBody } from '../plugin.js';
import * as schema from '../schemas/server-metadata.js';

const RULE = 'os_compute_api:server-metadata';
const EXPECTED = { InstanceIsLocked: 409, MetadataLimitExceeded: 403 };

export async function serverMetadataRoutes(app: FastifyInstance, opts: { deps: ApiDeps }) {
  const { policy, compute } = opts.deps;
  const api = compute.metadata;

  const instanceFor = async (req: FastifyRequest, rule: string): Promise<Instance> => {
    const i = await mapErrors(() => compute.get(req.ctx, (req.params as { id: string }).id), { InstanceNotFound: 404 });
    policy.authorize(`${RULE}:${rule}`, req.ctx, { project_id: i.project_id });
    return i;
  };
  const noQueryAt2102 = (req: FastifyRequest) => {
    const extra = Object.keys(req.query as object);
    if (req.apiVersion.matches('2.102') && extra.length) {
      throw new NovaError(400, `Additional properties are not allowed (${extra.map((k) => `'${k}'`).join(', ')} ${extra.length > 1 ? 'were' : 'was'} unexpected)`);
    }
  };
  const write = (i: Instance, metadata: Record<string, string>, replace: boolean, req: FastifyRequest) =>
    mapErrors(() => api.update(req.ctx, i, metadata, replace), EXPECTED, { action: 'update metadata', uuid: i.uuid });

  app.get('/servers/:id/metadata', async (req) => {
    noQueryAt2102(req);
    const i = await instanceFor(req, 'index');
    return { metadata: i.metadata };
  });

  app.post('/servers/:id/metadata', async (req) => {
    const body = parseBody(schema.create, req.body);
    const i = await instanceFor(req, 'create');
    return { metadata: await write(i, body.metadata, false, req) };
  });

  app.put('/servers/:id/metadata', async (req) => {
    const body = parseBody(schema.updateAll, req.body);
    const i = await instanceFor(req, 'update_all');
    return { metadata: await write(i, body.metadata, true, req) };
  });

  app.get('/servers/:id/metadata/:key', async (req) => {
    noQueryAt2102(req);
    const i = await instanceFor(req, 'show');
    const { key } = req.params as { key: string };
    if (!Object.hasOwn(i.metadata, key)) throw new NovaError(404, 'Metadata item was not found');
    return { meta: { [key]: i.metadata[key] } };
  });

  app.put('/servers/:id/metadata/:key', async (req) => {
    const body = parseBody(schema.update, req.body);
    const i = await instanceFor(req, 'update');
    const { key } = req.params as { key: string };
    if (!Object.hasOwn(body.meta, key)) throw new NovaError(400, 'Request body and URI mismatch');
    await write(i, body.meta, false, req);
    return { meta: body.meta };
  });

  app.delete('/servers/:id/metadata/:key', async (req, reply) => {
    const i = await instanceFor(req, 'delete');
    const { key } = req.params as { key: string };
    if (!Object.hasOwn(i.metadata, key)) throw new NovaError(404, 'Metadata item was not found');
    await mapErrors(() => api.delete(req.ctx, i, key), EXPECTED, { action: 'delete metadata', uuid: i.uuid });
    return reply.code(204).send();
  });
}

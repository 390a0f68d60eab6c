// PUT /servers/{id}/tags (2.26, nova/api/openstack/compute/server_tags.py): replaces the tag list
// and, like Nova's API, sends instance.update from nova-api.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { mapErrors } from '../compute-errors.js';
import { NovaError } from '../errors.js';
import { type ApiDeps, parseBody } from '../plugin.js';
import { tag } from '../schemas/common.js';

const UpdateAll = z.object({ tags: z.array(tag).max(50) }).strict();

export async function serverTagRoutes(app: FastifyInstance, opts: { deps: ApiDeps }) {
  const { policy, compute } = opts.deps;
  const requires226 = (v: { lt(x: string): boolean }) => {
    if (v.lt('2.26')) throw new NovaError(404, 'The resource could not be found.');
  };

  app.get('/servers/:id/tags', async (req) => {
    requires226(req.apiVersion);
    const i = await mapErrors(() => compute.get(req.ctx, (req.params as { id: string }).id), { InstanceNotFound: 404 });
    policy.authorize('os_compute_api:os-server-tags:index', req.ctx, { project_id: i.project_id });
    return { tags: i.tags };
  });

  app.put('/servers/:id/tags', async (req) => {
    requires226(req.apiVersion);
    const body = parseBody(UpdateAll, req.body);
    const i = await mapErrors(() => compute.get(req.ctx, (req.params as { id: string }).id), { InstanceNotFound: 404 });
    policy.authorize('os_compute_api:os-server-tags:update_all', req.ctx, { project_id: i.project_id });
    if (i.vm_state !== 'active' && i.vm_state !== 'stopped' && i.vm_state !== 'paused' && i.vm_state !== 'suspended' && i.vm_state !== 'shelved' && i.vm_state !== 'shelved_offloaded' && i.vm_state !== 'building') {
      throw new NovaError(409, `Cannot 'update tags' instance ${i.uuid} while it is in vm_state ${i.vm_state}`);
    }
    return { tags: compute.replaceTags(req.ctx, i, [...new Set(body.tags)]) };
  });
}

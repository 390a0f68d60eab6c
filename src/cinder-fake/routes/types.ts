// /types, /types/default, /types/{id} (cinder/api/v3/types.py): read only.
import type { FastifyInstance } from 'fastify';
import { CinderError, volumeTypeNotFound } from '../errors.js';
import { ctxOf, json, type RouteDeps } from '../request.js';
import { volumeTypeView } from '../views/types.js';

export async function typeRoutes(app: FastifyInstance, opts: { deps: RouteDeps }) {
  const { backend: b } = opts.deps;
  const policy = b.core.policy;

  app.get('/types', async (req, reply) => {
    const ctx = ctxOf(req);
    policy.authorize('volume_extension:type_get_all', ctx);
    // Non-admins only see public types; every seeded type is public.
    const types = b.listTypes().filter((t) => ctx.isAdmin || t.is_public);
    return json(reply, 200, { volume_types: types.map((t) => volumeTypeView(t, ctx, policy)) });
  });

  app.get<{ Params: { id: string } }>('/types/:id', async (req, reply) => {
    const ctx = ctxOf(req);
    const id = req.params.id;
    // Only ids (and "default") are looked up here: a type name is a 404.
    const t = id === 'default' ? b.defaultType() : b.getType(id);
    if (!t) throw id === 'default' ? new CinderError(404, 'Default volume type can not be found.') : volumeTypeNotFound(id);
    policy.authorize('volume_extension:type_get', ctx);
    return json(reply, 200, { volume_type: volumeTypeView(t, ctx, policy) });
  });
}

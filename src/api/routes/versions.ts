// GET /compute and /compute/v2.1: Nova's version documents (nova/api/openstack/compute/versions*.py).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { requestBase } from '../../identity/catalog.js';
import type { ApiDeps } from '../plugin.js';

export async function versionRoutes(app: FastifyInstance, opts: { deps: ApiDeps }) {
  const p = opts.deps.services.profile.compute;
  const v21 = (req: FastifyRequest) => ({
    id: 'v2.1',
    status: 'CURRENT',
    version: p.maxVersion,
    min_version: p.minVersion,
    updated: p.updated,
    links: [
      { rel: 'self', href: `${requestBase(req)}/compute/v2.1/` },
      { rel: 'describedby', type: 'text/html', href: 'http://docs.openstack.org/' },
    ],
    'media-types': [{ base: 'application/json', type: 'application/vnd.openstack.compute+json;version=2.1' }],
  });
  const v20 = (req: FastifyRequest) => ({
    id: 'v2.0',
    status: 'SUPPORTED',
    version: '',
    min_version: '',
    updated: '2011-01-21T11:33:21Z',
    links: [{ rel: 'self', href: `${requestBase(req)}/compute/v2/` }],
  });
  app.get('/', async (req) => ({ versions: [v20(req), v21(req)] }));
  app.get('/v2.1', async (req) => ({ version: v21(req) }));
  app.get('/v2.1/', async (req) => ({ version: v21(req) }));
}

// GET /extensions[/{alias}] (nova/api/openstack/compute/extension_info.py): the frozen legacy list.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { NovaError } from '../errors.js';
import type { ApiDeps } from '../plugin.js';
import { EXTENSION_LIST } from '../views/extension-list.js';

const RULE = 'os_compute_api:extensions';

export async function extensionRoutes(app: FastifyInstance, opts: { deps: ApiDeps }) {
  const { policy } = opts.deps;
  const noQueryAt2102 = (req: FastifyRequest) => {
    const extra = Object.keys(req.query as object);
    if (req.apiVersion.matches('2.102') && extra.length) {
      throw new NovaError(400, `Additional properties are not allowed (${extra.map((k) => `'${k}'`).join(', ')} ${extra.length > 1 ? 'were' : 'was'} unexpected)`);
    }
  };

  app.get('/extensions', async (req) => {
    noQueryAt2102(req);
    policy.authorize(RULE, req.ctx, {});
    return { extensions: EXTENSION_LIST };
  });

  app.get('/extensions/:alias', async (req) => {
    noQueryAt2102(req);
    policy.authorize(RULE, req.ctx, {});
    const ext = EXTENSION_LIST.find((e) => e.alias === (req.params as { alias: string }).alias);
    if (!ext) throw new NovaError(404, 'The resource could not be found.');
    return { extension: ext };
  });
}

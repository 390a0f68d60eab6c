// GET /os-console-auth-tokens/{token} (nova/api/openstack/compute/console_auth_tokens.py): the
// connection info of a token the remote-console APIs issued (src/compute/consoles.ts), or Nova's
// "Token not found"; before 2.31 master answers a bare 400 (rdp-html5 was removed) and Zed looks the
// token up for rdp-html5 only (which novasim never issues). tls_port from 2.99, spice-direct only.
import type { FastifyInstance } from 'fastify';
import { NovaError } from '../errors.js';
import type { ApiDeps } from '../plugin.js';

export async function consoleAuthTokenRoutes(app: FastifyInstance, opts: { deps: ApiDeps }) {
  const { services: s, policy, compute } = opts.deps;
  app.get('/os-console-auth-tokens/:token', async (req) => {
    if (s.profile.name !== 'zed' && !req.apiVersion.matches('2.31')) {
      throw new NovaError(400, 'The server could not comply with the request since it is either malformed or otherwise incorrect.');
    }
    if (req.apiVersion.matches('2.99') && Object.keys(req.query as object).length) {
      const extra = Object.keys(req.query as object);
      throw new NovaError(400, `Additional properties are not allowed (${extra.map((k) => `'${k}'`).join(', ')} ${extra.length > 1 ? 'were' : 'was'} unexpected)`);
    }
    policy.authorize('os_compute_api:os-console-auth-tokens', req.ctx, {});
    const { token } = req.params as { token: string };
    const info = compute.consoles.validate(token);
    if (!info || (!req.apiVersion.matches('2.31') && info.console_type !== 'rdp-html5')) throw new NovaError(404, 'Token not found');
    const console: Record<string, unknown> = { instance_uuid: info.instance_uuid, host: info.host, port: info.port, internal_access_path: info.internal_access_path };
    if (info.console_type === 'spice-direct' && req.apiVersion.matches('2.99')) console.tls_port = info.tls_port;
    return { console };
  });
}

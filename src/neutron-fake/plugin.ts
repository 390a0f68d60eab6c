// The fake Neutron (network v2.0) as a fastify plugin mounted at /networking (devstack's path).
// Request processing as neutron-server's paste pipeline: keystonemiddleware (401) → JSON body
// (400 MalformedRequestBody) → controller (errors in {"NeutronError": {type, message, detail}}).
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { requestBase } from '../identity/catalog.js';
import { authenticate } from '../identity/authenticate.js';
import { sleep } from '../faults/registry.js';
import type { Services } from '../services.js';
import { NeutronBackend, type NeutronCtx } from './backend.js';
import { NeutronError, webobError } from './errors.js';
import { resourceRoutes, type RouteDeps } from './routes/resources.js';
import { headOnGetRoutes } from '../head-routes.js';
import { rawStringBodies } from '../raw-body.js';

const backends = new WeakMap<Services, NeutronBackend>();

/** The simulator's single NeutronBackend for these services (created on first use). */
export function neutronBackend(services: Services): NeutronBackend {
  let b = backends.get(services);
  if (!b) {
    b = new NeutronBackend(services);
    backends.set(services, b);
  }
  return b;
}

declare module 'fastify' {
  interface FastifyRequest {
    neutronBody: unknown;
  }
}

const send = (reply: FastifyReply, err: NeutronError) => {
  for (const [k, v] of Object.entries(err.headers)) reply.header(k, v);
  return reply.code(err.status).type('application/json').send(err.body());
};

const versionsDoc = (base: string) => ({
  versions: [{ id: 'v2.0', status: 'CURRENT', links: [{ href: `${base}/v2.0/`, rel: 'self' }] }],
});

export async function neutronFake(app: FastifyInstance, opts: { services: Services }) {
  const services = opts.services;
  headOnGetRoutes(app); // pecan serves HEAD with the GET controller
  const backend = neutronBackend(services);
  const mount = app.prefix;

  rawStringBodies(app);
  app.decorateRequest('neutronBody', undefined);

  app.setErrorHandler((err: FastifyError | Error, req, reply) => {
    if (err instanceof NeutronError) return send(reply, err);
    const status = (err as FastifyError).statusCode;
    if (status && status >= 400 && status < 500) return send(reply, webobError(status));
    req.log.error({ err }, 'fake neutron: unexpected error');
    return send(reply, webobError(500));
  });
  app.setNotFoundHandler((_req, reply) => send(reply, webobError(404)));

  const base = (req: FastifyRequest) => `${requestBase(req)}${mount}`;
  app.get('/', async (req) => versionsDoc(base(req)));

  await app.register(
    async (api) => {
      api.addHook('onRequest', authenticate(services));
      api.addHook('preHandler', async (req) => {
        const raw = typeof req.body === 'string' ? req.body : '';
        if (!raw.trim()) {
          req.neutronBody = undefined;
          return;
        }
        if (req.method === 'DELETE') throw new NeutronError(400, 'HTTPBadRequest', 'Request body is not supported in DELETE.');
        try {
          req.neutronBody = JSON.parse(raw);
        } catch {
          throw new NeutronError(400, 'MalformedRequestBody', 'Malformed request body: Cannot understand JSON.');
        }
      });
      const deps: RouteDeps = {
        backend,
        ctx: (req): NeutronCtx => ({ projectId: req.ctx.projectId, userId: req.ctx.userId, isAdmin: req.ctx.isAdmin }),
        body: (req) => req.neutronBody,
        base: (req) => `${base(req)}/v2.0`,
        // Named operation faults ("create_port", "update_port", "list_ports", …), matched on the port's device_id as instance_uuid.
        fault: async (_req, operation, deviceId) => {
          const f = services.faults.take('neutron', operation, { instance_uuid: deviceId ?? null });
          if (!f) return;
          if ('delay_ms' in f.error) return sleep(f.error.delay_ms);
          if ('status' in f.error) {
            const w = webobError(f.error.status);
            throw new NeutronError(f.error.status, w.type, f.error.message);
          }
        },
      };
      api.get('/', async (req) => ({
        resources: ['networks', 'subnets', 'ports', 'security-groups', 'security-group-rules', 'floatingips', 'routers'].map((c) => ({
          name: c.replace(/s$/, '').replaceAll('-', '_'),
          collection: c.replaceAll('-', '_'),
          links: [{ href: `${base(req)}/v2.0/${c}`, rel: 'self' }],
        })),
      }));
      await api.register(resourceRoutes, { deps });
    },
    { prefix: '/v2.0' },
  );
}

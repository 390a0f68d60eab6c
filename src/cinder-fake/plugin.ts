// The fake Cinder v3 as a fastify plugin (mounted at /volume). Request processing follows
// keystonemiddleware + cinder/api/openstack/wsgi.py Resource: token (401) → microversion
// (400/406) → Content-Type (415) → action lookup and body decoding (400) → URL project
// check (400 "Malformed request url") → controller (microversion gating 404, schema 400, logic).
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { authenticate } from '../identity/authenticate.js';
import { AUTH_REQUIRED, KeystoneError } from '../identity/errors.js';
import { requestBase } from '../identity/catalog.js';
import type { Services } from '../services.js';
import { CinderBackend } from './backend.js';
import { cinderContext } from './context.js';
import { CinderError, webobError } from './errors.js';
import { negotiateVolumeVersion, VersionError, type VolumeVersion } from './microversion.js';
import type { RouteDeps } from './request.js';
import { attachmentRoutes } from './routes/attachments.js';
import { backupRoutes } from './routes/backups.js';
import { quotaRoutes } from './routes/quotas.js';
import { snapshotRoutes } from './routes/snapshots.js';
import { typeRoutes } from './routes/types.js';
import { volumeActionRoutes } from './routes/volume-actions.js';
import { volumeRoutes } from './routes/volumes.js';
import { versionsDoc } from './views/versions.js';
import { syncHook, syncSendHook } from '../sync-hooks.js';
import { rawStringBodies } from '../raw-body.js';

export interface CinderFakeOptions {
  services: Services;
  /** The backend to serve; default: the one `cinderBackend(services)` returns. */
  backend?: CinderBackend;
}

const backends = new WeakMap<Services, CinderBackend>();

/** The simulator's single CinderBackend for these services (created on first use). */
export function cinderBackend(services: Services): CinderBackend {
  let b = backends.get(services);
  if (!b) {
    b = new CinderBackend(services);
    backends.set(services, b);
  }
  return b;
}

const SUPPORTED_CONTENT_TYPES = ['application/json', 'application/vnd.openstack.volume+json'];

function versionHeaders(reply: FastifyReply, v: VolumeVersion | null) {
  if (!v) return;
  reply.header('openstack-api-version', `volume ${v.toString()}`);
  reply.header('vary', 'OpenStack-API-Version');
}

function sendFault(req: FastifyRequest, reply: FastifyReply, err: CinderError) {
  versionHeaders(reply, req.cinderReq?.version ?? null);
  for (const [k, v] of Object.entries(err.headers)) reply.header(k, v);
  if (req.cinderReq?.ctx) reply.header('x-compute-request-id', req.requestId);
  return reply.code(err.status).type('application/json').send(err.body());
}

export async function cinderFake(app: FastifyInstance, opts: CinderFakeOptions) {
  const services = opts.services;
  const backend = opts.backend ?? cinderBackend(services);
  const deps: RouteDeps = { services, backend, mount: app.prefix };

  // Bodies are decoded by the hooks below (Cinder's rules, not fastify's).
  rawStringBodies(app);

  app.decorateRequest('cinderReq', null as never);
  // Synchronous hooks (src/sync-hooks.ts): they run on every Cinder request.
  app.addHook('onRequest', syncHook((req, reply) => {
    if (!req.requestId) req.requestId = services.runtime.requestId();
    req.cinderReq = { version: null, ctx: null, body: undefined, action: null };
    reply.header('x-openstack-request-id', req.requestId);
  }));

  app.setErrorHandler((err: FastifyError | Error, req, reply) => {
    if (err instanceof CinderError) return sendFault(req, reply, err);
    const status = (err as FastifyError).statusCode;
    if (status === 413) return sendFault(req, reply, new CinderError(413, 'Request is too large.'));
    if (status && status >= 400 && status < 500) return sendFault(req, reply, webobError(status));
    req.log.error({ err }, 'fake cinder: unexpected error');
    return sendFault(req, reply, webobError(500));
  });
  // Real Cinder answers unknown routes with webob's plain 404; the JSON envelope is friendlier.
  app.setNotFoundHandler((req, reply) => sendFault(req, reply, webobError(404)));

  // Version discovery (no token): 300 at the root, 200 at /v3/ (SDK discovery uses the latter).
  const docBase = (req: FastifyRequest) => `${requestBase(req)}${deps.mount}`;
  app.get('/', async (req, reply) => reply.code(300).type('application/json').send(versionsDoc(services.profile, docBase(req))));
  app.get('/v3', async (_req, reply) => reply.redirect(`${deps.mount}/v3/`, 302));
  app.get('/v3/', async (req, reply) => reply.type('application/json').send(versionsDoc(services.profile, docBase(req))));

  await app.register(async (api) => {
    api.addHook('onRequest', authenticate(services));
    api.addHook('onRequest', syncHook((req, reply) => {
      const serviceToken = req.headers['x-service-token'];
      const svc = services.tokens.validate(Array.isArray(serviceToken) ? serviceToken[0] : serviceToken);
      // keystonemiddleware rejects a request whose X-Service-Token does not validate.
      if (serviceToken !== undefined && !svc) {
        return reply.code(401).type('application/json').send(new KeystoneError(401, AUTH_REQUIRED).body());
      }
      req.cinderReq.ctx = cinderContext(req.ctx, svc ? { roles: svc.roles.map((r) => r.name), token: svc.id } : null);
      const { minVersion, maxVersion } = services.profile.volume;
      try {
        req.cinderReq.version = negotiateVolumeVersion(req.headers['openstack-api-version'], minVersion, maxVersion);
      } catch (e) {
        // The 406 still names the requested version in its headers.
        if (e instanceof VersionError) req.cinderReq.version = e.requested;
        throw e;
      }
      versionHeaders(reply, req.cinderReq.version);
      return undefined;
    }));
    api.addHook('onSend', syncSendHook((req, reply, payload) => {
      reply.header('x-compute-request-id', req.requestId);
      return payload;
    }));
    api.addHook('preHandler', syncHook((req) => decodeBody(req)));
    api.addHook('preHandler', syncHook((req) => {
      const urlProject = (req.params as { project_id?: string }).project_id;
      if (urlProject && urlProject !== req.cinderReq.ctx!.projectId) throw new CinderError(400, 'Malformed request url');
    }));
    // ProjectMapper: every route exists with and without /{project_id}.
    for (const prefix of ['/:project_id', '']) {
      await api.register(async (r) => {
        await r.register(volumeRoutes, { deps });
        await r.register(volumeActionRoutes, { deps });
        await r.register(attachmentRoutes, { deps });
        await r.register(typeRoutes, { deps });
        await r.register(snapshotRoutes, { deps });
        await r.register(quotaRoutes, { deps });
        await r.register(backupRoutes, { deps });
      }, { prefix });
    }
  }, { prefix: '/v3' });
}

/** wsgi.Resource: Content-Type (415), action peek and JSON decoding (400) before the controller runs. */
function decodeBody(req: FastifyRequest): void {
  const raw = typeof req.body === 'string' ? req.body : '';
  // routeOptions is a getter that builds a new object on every read: read it once.
  const config = req.routeOptions.config;
  const kind = config.cinderBody ?? 'none';
  // get_body: an empty body, or one without Content-Type, counts as no body at all.
  const contentType = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  const hasBody = raw.length > 0 && contentType !== '';
  if (hasBody && !SUPPORTED_CONTENT_TYPES.includes(contentType)) throw new CinderError(415, 'Unsupported Content-Type');
  if (kind === 'action') {
    const actions = config.cinderActions ?? [];
    // action_peek on no content type: _MEDIA_TYPE_MAP[None] is a KeyError(None).
    if (!hasBody) throw new CinderError(400, 'There is no such action: None. Verify the request body and Content-Type header and try again.');
    let decoded: unknown;
    try {
      decoded = JSON.parse(raw);
    } catch {
      throw new CinderError(400, 'Malformed request body');
    }
    if (typeof decoded !== 'object' || decoded === null || Array.isArray(decoded)) throw webobError(404);
    const keys = Object.keys(decoded);
    if (keys.length !== 1) throw new CinderError(400, 'Malformed request body');
    if (!actions.includes(keys[0])) {
      throw new CinderError(400, `There is no such action: ${keys[0]}. Verify the request body and Content-Type header and try again.`);
    }
    req.cinderReq.action = keys[0];
    req.cinderReq.body = decoded;
    return;
  }
  if (kind === 'json' && hasBody) {
    try {
      req.cinderReq.body = JSON.parse(raw);
    } catch {
      throw new CinderError(400, 'Malformed request body');
    }
  }
}

// The Nova REST API under /compute: version documents, microversions, auth, policy and Nova's error envelope.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { authenticate } from '../identity/authenticate.js';
import { syncHook, syncSendHook } from '../sync-hooks.js';
import type { Services } from '../services.js';
import { formatValidationError } from '../validation.js';
import type { ComputeApi } from '../compute/api.js';
import type { Notifier } from '../notifier/notifier.js';
import { interfaceRoutes } from './routes/interfaces.js';
import { serverShareRoutes } from './routes/server-shares.js';
import type { HostApi } from '../compute/host-api.js';
import { hostRoutes } from './routes/host-routes.js';
import { NovaError, UNEXPECTED_API_ERROR } from './errors.js';
import { ApiVersion, negotiate } from './microversion.js';
import { Policy } from './policy.js';
import { flavorRoutes } from './routes/flavors.js';
import { serverRoutes } from './routes/servers.js';
import { versionRoutes } from './routes/versions.js';
import { volumeAttachmentRoutes } from './routes/volume-attachments.js';
import { instanceActionRoutes } from './routes/instance-actions.js';
import { serverActionRoutes } from './routes/server-actions.js';
import { serverTagRoutes } from './routes/server-tags.js';
import { keypairRoutes } from './routes/keypairs.js';
import { quotaRoutes } from './routes/quotas.js';
import { serverGroupRoutes } from './routes/server-groups.js';
import { serverMetadataRoutes } from './routes/server-metadata.js';
import { extensionRoutes } from './routes/extensions.js';
import { imageProxyRoutes } from './routes/images.js';
import { serverExternalEventRoutes } from './routes/server-external-events.js';
import { simpleTenantUsageRoutes } from './routes/simple-tenant-usage.js';
import { serverDiagnosticsRoutes } from './routes/server-diagnostics.js';
import { serverPasswordRoutes } from './routes/server-password.js';
import { consoleAuthTokenRoutes } from './routes/console-auth-tokens.js';
import { remoteConsoleRoutes } from './routes/remote-consoles.js';
import { instanceUsageAuditLogRoutes } from './routes/instance-usage-audit-log.js';

declare module 'fastify' {
  interface FastifyRequest {
    apiVersion: ApiVersion;
  }
}

export interface ApiDeps {
  services: Services;
  policy: Policy;
  compute: ComputeApi;
  notifier: Notifier;
  /** Services, aggregates (src/compute/host-api.ts). */
  hosts: HostApi;
}

/** A body or query that failed its zod schema, reported with Nova's jsonschema wording. */
export class ValidationFailure extends Error {
  constructor(readonly zodError: z.ZodError, readonly input: unknown, readonly query = false) {
    super('validation');
  }
}

export function parseBody<T extends z.ZodType>(schema: T, body: unknown): z.output<T> {
  const r = schema.safeParse(body);
  if (!r.success) throw new ValidationFailure(r.error, body);
  return r.data;
}

export function parseQuery<T extends z.ZodType>(schema: T, query: unknown): z.output<T> {
  const r = schema.safeParse(query);
  if (!r.success) throw new ValidationFailure(r.error, query, true);
  return r.data;
}

function versionHeaders(reply: FastifyReply, v: string) {
  reply.header('openstack-api-version', `compute ${v}`);
  reply.header('x-openstack-nova-api-version', v);
  reply.header('vary', 'OpenStack-API-Version, X-OpenStack-Nova-API-Version');
}

function sendFault(reply: FastifyReply, err: NovaError) {
  reply.code(err.status).type('application/json; charset=UTF-8').send(err.body());
}

export async function computeApi(app: FastifyInstance, opts: { services: Services; compute: ComputeApi; notifier: Notifier; hosts: HostApi }) {
  const s = opts.services;
  const deps: ApiDeps = { services: s, policy: new Policy({ ...s.profile.policy, ...s.config.policyOverrides }), compute: opts.compute, notifier: opts.notifier, hosts: opts.hosts };
  const { minVersion, maxVersion } = s.profile.compute;

  // Nova reads JSON only: any other body type is a 415 (wsgi.Request.get_content_type).
  app.removeContentTypeParser('text/plain');

  app.setErrorHandler((err: FastifyError | Error, req: FastifyRequest, reply: FastifyReply) => {
    if (err instanceof NovaError) return sendFault(reply, err);
    if (err instanceof ValidationFailure) return sendFault(reply, new NovaError(400, formatValidationError(err.zodError, err.input, err.query)));
    const status = (err as FastifyError).statusCode;
    if (status === 413) return sendFault(reply, new NovaError(413, 'Request is too large.'));
    if (status === 415) return sendFault(reply, new NovaError(415, 'Unsupported Content-Type'));
    if (status === 400) return sendFault(reply, new NovaError(400, 'Malformed request body'));
    if (status && status < 500) return sendFault(reply, new NovaError(status, err.message));
    req.log.error({ err }, 'unexpected error');
    sendFault(reply, new NovaError(500, `${UNEXPECTED_API_ERROR}\n<class '${err.name}'>`));
  });

  app.setNotFoundHandler((req, reply) => {
    if (req.apiVersion) versionHeaders(reply, req.apiVersion.toString());
    sendFault(reply, new NovaError(404, 'The resource could not be found.'));
  });

  // Version discovery needs no token (keystonemiddleware lets / and /v2.1 through in devstack).
  await app.register(versionRoutes, { deps });

  await app.register(async (v21) => {
    // Synchronous hooks (src/sync-hooks.ts): they run on every Nova API request.
    v21.addHook('onRequest', syncHook((req, reply) => {
      try {
        req.apiVersion = negotiate(req.headers, 'compute', 'x-openstack-nova-api-version', minVersion, maxVersion);
      } catch (e) {
        const requested = (e as { requested?: string }).requested;
        if (requested) versionHeaders(reply, requested);
        throw e;
      }
      versionHeaders(reply, req.apiVersion.toString());
    }));
    v21.addHook('onRequest', authenticate(s));
    v21.addHook('onSend', syncSendHook((req, reply, payload) => {
      reply.header('x-compute-request-id', req.requestId);
      return payload;
    }));
    v21.setNotFoundHandler((req, reply) => sendFault(reply, new NovaError(404, 'The resource could not be found.')));
    await v21.register(serverRoutes, { deps });
    await v21.register(flavorRoutes, { deps });
    await v21.register(volumeAttachmentRoutes, { deps });
    await v21.register(instanceActionRoutes, { deps });
    await v21.register(serverActionRoutes, { deps });
    await v21.register(serverTagRoutes, { deps });
    await v21.register(keypairRoutes, { deps });
    await v21.register(quotaRoutes, { deps });
    await v21.register(serverGroupRoutes, { deps });
    await v21.register(serverMetadataRoutes, { deps });
    await v21.register(extensionRoutes, { deps });
    await v21.register(imageProxyRoutes, { deps });
    await v21.register(serverExternalEventRoutes, { deps });
    await v21.register(simpleTenantUsageRoutes, { deps });
    await v21.register(serverDiagnosticsRoutes, { deps });
    await v21.register(serverPasswordRoutes, { deps });
    await v21.register(consoleAuthTokenRoutes, { deps });
    await v21.register(remoteConsoleRoutes, { deps });
    await v21.register(instanceUsageAuditLogRoutes, { deps });
    await v21.register(interfaceRoutes, { deps });
    await v21.register(serverShareRoutes, { deps });
    await v21.register(hostRoutes, { deps });
  }, { prefix: '/v2.1' });
}

// Keystone v3 subset: version discovery, password/token auth with project scope, token validation.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../services.js';
import { isoMicro } from '../time-format.js';
import { identityAdminRoutes } from './admin-routes.js';
import { contextFromToken } from './authenticate.js';
import { buildCatalog, requestBase } from './catalog.js';
import { AUTH_REQUIRED, KeystoneError } from './errors.js';
import { enforce } from './policy.js';
import { AuthRequestSchema } from './schemas.js';
import type { TokenInfo } from './tokens.js';
import { headOnGetRoutes } from '../head-routes.js';
import { prepared } from '../store/statement-cache.js';

const DOMAIN = { id: 'default', name: 'Default' };

function versionDoc(base: string) {
  return {
    id: 'v3.14',
    status: 'stable',
    updated: '2020-04-07T00:00:00Z',
    links: [{ rel: 'self', href: `${base}/identity/v3/` }],
    'media-types': [{ base: 'application/json', type: 'application/vnd.openstack.identity-v3+json' }],
  };
}

/** The domain a user or project belongs to (admin-routes can create others than `default`). */
function domainOf(s: Services, table: 'users' | 'projects', id: string): { id: string; name: string } {
  const row = prepared(s.db, `SELECT d.id, d.name FROM ${table} x JOIN domains d ON d.id = x.domain_id WHERE x.id = ?`).get(id) as { id: string; name: string } | undefined;
  return row ?? DOMAIN;
}

function tokenBody(t: TokenInfo, base: string, s: Services) {
  return {
    token: {
      methods: t.methods,
      user: { domain: domainOf(s, 'users', t.userId), id: t.userId, name: t.userName, password_expires_at: null },
      audit_ids: [t.auditId],
      expires_at: `${isoMicro(t.expiresAt)}Z`,
      issued_at: `${isoMicro(t.issuedAt)}Z`,
      project: { domain: domainOf(s, 'projects', t.projectId), id: t.projectId, name: t.projectName },
      is_domain: false,
      roles: t.roles,
      catalog: buildCatalog(base, t.projectId),
    },
  };
}

export async function identityRoutes(app: FastifyInstance, opts: { services: Services }) {
  const s = opts.services;
  headOnGetRoutes(app); // Flask: HEAD /v3/auth/tokens is check_token, and every GET also answers HEAD

  app.setErrorHandler((err: Error & { statusCode?: number }, _req, reply) => {
    const status = err.statusCode && err.statusCode < 500 ? err.statusCode : 400;
    const text = status === 413 ? 'Request is too large.' : status === 415 ? 'Unsupported Media Type' : 'The request you have made is malformed.';
    const e = err instanceof KeystoneError ? err : new KeystoneError(status, text);
    return reply.code(e.status).type('application/json').send(e.body());
  });

  app.setNotFoundHandler((_req, reply) => {
    const e = new KeystoneError(404, 'The resource could not be found.');
    return reply.code(404).type('application/json').send(e.body());
  });

  app.get('/', async (req, reply) => {
    return reply.code(300).send({ versions: { values: [versionDoc(requestBase(req))] } });
  });
  app.get('/v3', async (req) => ({ version: versionDoc(requestBase(req)) }));
  app.get('/v3/', async (req) => ({ version: versionDoc(requestBase(req)) }));

  app.post('/v3/auth/tokens', async (req, reply) => {
    const parsed = AuthRequestSchema.safeParse(req.body);
    if (!parsed.success) throw new KeystoneError(400, `Invalid input for field '${parsed.error.issues[0].path.join('.')}': ${parsed.error.issues[0].message}`);
    const { identity, scope } = parsed.data.auth;
    let userId: string;
    let methods: string[];
    let expiresAt: Date | undefined;
    if (identity.methods.includes('password') && identity.password) {
      const u = identity.password.user;
      const user = s.identity.user({ id: u.id, name: u.name });
      if (!user || !user.password || user.password !== u.password) throw new KeystoneError(401, AUTH_REQUIRED);
      userId = user.id;
      methods = ['password'];
    } else if (identity.methods.includes('token') && identity.token) {
      const t = s.tokens.validate(identity.token.id);
      if (!t) throw new KeystoneError(401, AUTH_REQUIRED);
      userId = t.userId;
      methods = [...new Set([...t.methods, 'token'])];
      expiresAt = t.expiresAt; // a rescoped token never outlives the original
    } else {
      throw new KeystoneError(400, 'Expecting to find identity in auth. The server could not comply with the request since it is either malformed or otherwise incorrect. The client is assumed to be in error.');
    }
    const user = s.identity.user({ id: userId });
    // A deleted or disabled user (keystone: UserDisabled) or project (ProjectNotFound / disabled) cannot authenticate.
    if (!user || (user as { enabled?: number }).enabled === 0) throw new KeystoneError(401, AUTH_REQUIRED);
    const projectRef = scope && scope !== 'unscoped' ? scope.project : { id: user.default_project_id ?? undefined };
    const project = s.identity.project({ id: projectRef.id, name: projectRef.id ? undefined : projectRef.name });
    if (!project || (project as { enabled?: number }).enabled === 0) throw new KeystoneError(401, AUTH_REQUIRED);
    const roles = s.identity.roles(user.id, project.id);
    if (roles.length === 0) throw new KeystoneError(401, AUTH_REQUIRED);
    const token = s.tokens.issue(user, project, roles, methods, expiresAt);
    return reply.code(201).header('x-subject-token', token.id).send(tokenBody(token, requestBase(req), s));
  });

  // keystone/api/auth.py AuthTokenResource: the subject token is resolved (404 when unknown) to build the
  // policy target, then identity:check_token (HEAD), validate_token (GET) or revoke_token (DELETE) is enforced:
  // only the token's own user, an admin, or (to validate) a service may look at or revoke someone's token.
  const subject = (req: FastifyRequest, action: 'identity:check_token' | 'identity:validate_token' | 'identity:revoke_token') => {
    const caller = contextFromToken(s, req.headers['x-auth-token'] as string | undefined, req.requestId);
    if (!caller) throw new KeystoneError(401, AUTH_REQUIRED);
    const subjectId = req.headers['x-subject-token'] as string | undefined;
    const t = s.tokens.validate(subjectId);
    if (!t) throw new KeystoneError(404, `Could not find token: ${subjectId ?? ''}.`);
    enforce(action, caller, { userId: t.userId });
    return t;
  };

  app.get('/v3/auth/tokens', async (req, reply: FastifyReply) => {
    const t = subject(req, req.method === 'HEAD' ? 'identity:check_token' : 'identity:validate_token');
    return reply.header('x-subject-token', t.id).send(tokenBody(t, requestBase(req), s));
  });
  app.delete('/v3/auth/tokens', async (req, reply) => {
    s.tokens.revoke(subject(req, 'identity:revoke_token').id);
    return reply.code(204).send();
  });

  await app.register(identityAdminRoutes, { services: s });
}

// keystonemiddleware's job in front of Nova, Cinder and Glance: a valid X-Auth-Token or 401.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RequestContext } from '../domain.js';
import type { Services } from '../services.js';
import { requestBase } from './catalog.js';
import { AUTH_REQUIRED, KeystoneError } from './errors.js';
import { syncHook } from '../sync-hooks.js';

declare module 'fastify' {
  interface FastifyRequest {
    ctx: RequestContext;
    requestId: string;
  }
}

export function contextFromToken(s: Services, tokenId: string | undefined, requestId: string): RequestContext | null {
  const t = s.tokens.validate(tokenId);
  if (!t) return null;
  const roles = t.roles.map((r) => r.name);
  return {
    requestId,
    userId: t.userId,
    projectId: t.projectId,
    roles,
    isAdmin: roles.includes('admin'),
    authToken: t.id,
    userName: t.userName,
    projectName: t.projectName,
  };
}

/** onRequest hook: sets request.ctx or answers 401 as keystonemiddleware does. */
export function authenticate(s: Services) {
  return syncHook((req: FastifyRequest, reply: FastifyReply) => {
    const token = req.headers['x-auth-token'];
    const ctx = contextFromToken(s, Array.isArray(token) ? token[0] : token, req.requestId);
    if (!ctx) {
      const err = new KeystoneError(401, AUTH_REQUIRED);
      return reply
        .code(401)
        .header('www-authenticate', `Keystone uri="${requestBase(req)}/identity"`)
        .type('application/json')
        .send(err.body());
    }
    req.ctx = ctx;
    return undefined;
  });
}

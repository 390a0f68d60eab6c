// Per-request plumbing shared by the routes: the Cinder request state set by the plugin's hooks,
// body handling as wsgi.Resource does it, and the view context.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { requestBase } from '../identity/catalog.js';
import type { Services } from '../services.js';
import type { CinderBackend } from './backend.js';
import type { CinderCtx } from './context.js';
import { CinderError, webobError } from './errors.js';
import { validate, type Schema } from './json-schema.js';
import type { VolumeVersion } from './microversion.js';
import type { ViewRequest } from './views/volumes.js';

export interface CinderRequestState {
  version: VolumeVersion | null;
  ctx: CinderCtx | null;
  /** The decoded JSON body, undefined when the request had none. */
  body: unknown;
  /** For `…/action` routes: the single top-level key. */
  action: string | null;
}

declare module 'fastify' {
  interface FastifyRequest {
    cinderReq: CinderRequestState;
  }
  interface FastifyContextConfig {
    /** How the route reads its body: none, a JSON document, or a one-key action document. */
    cinderBody?: 'none' | 'json' | 'action';
    /** Action names this `…/action` route knows. */
    cinderActions?: readonly string[];
  }
}

/** What route modules get from the plugin. */
export interface RouteDeps {
  services: Services;
  backend: CinderBackend;
  /** The plugin's mount prefix, e.g. "/volume". */
  mount: string;
}

export const state = (req: FastifyRequest) => req.cinderReq;
export const ctxOf = (req: FastifyRequest) => req.cinderReq.ctx!;
export const versionOf = (req: FastifyRequest) => req.cinderReq.version!;

/** Versioned controller methods answer 404 outside their range (VersionNotFoundForAPIMethod). */
export function requireVersion(req: FastifyRequest, min: string): void {
  if (!versionOf(req).matches(min)) throw webobError(404);
}

/** validation.schema: the body against Cinder's schema. A missing body is a KeyError upstream: 500. */
export function validBody<T>(req: FastifyRequest, deps: RouteDeps, schema: Schema): T {
  const body = state(req).body;
  if (body === undefined) throw webobError(500);
  const msg = validate(schema, body, { nonEmpty: deps.services.profile.cinder.jsonschemaNonEmptyWording });
  if (msg) throw new CinderError(400, msg);
  return body as T;
}

export function viewRequest(req: FastifyRequest, deps: RouteDeps): ViewRequest {
  return {
    ctx: ctxOf(req),
    version: versionOf(req),
    policy: deps.backend.core.policy,
    base: `${requestBase(req)}${deps.mount}`,
    projectInUrl: Boolean((req.params as { project_id?: string }).project_id),
    hostNameForServiceRole: deps.services.profile.cinder.hostNameForServiceRole,
    migrationStatusForAll: deps.services.config.cinderCompat === 'nova-fixture',
  };
}

/** Query string as flat strings (first value wins), the way Cinder reads req.params. */
export function queryOf(req: FastifyRequest): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.query as Record<string, unknown>)) out[k] = Array.isArray(v) ? String(v[0]) : String(v);
  return out;
}

export const json = (reply: FastifyReply, status: number, body: unknown) => reply.code(status).type('application/json').send(body);

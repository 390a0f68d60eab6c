// The one root onRequest hook applying route faults (./route-faults.ts) before any service sees the request,
// answering in the faulted service's own error envelope.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { syncHook } from '../sync-hooks.js';
import type { Services } from '../services.js';
import { sleep } from './registry.js';
import type { RouteFault, RouteRequest } from './route-faults.js';

/** Service mounts on the one port (devstack paths). */
const MOUNTS: [string, RouteRequest['service']][] = [
  ['/compute', 'compute'],
  ['/volume', 'volume'],
  ['/identity', 'identity'],
  ['/image', 'image'],
  ['/networking', 'network'],
  ['/share', 'share'],
];

const REASONS: Record<number, string> = {
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed', 408: 'Request Timeout', 409: 'Conflict',
  413: 'Request Entity Too Large', 429: 'Too Many Requests', 500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable',
  504: 'Gateway Timeout',
};
/** webob's default explanations: what an API behind a proxy or rate limiter answers. */
const EXPLANATIONS: Record<number, string> = {
  429: 'Too many requests. Please try again later.',
  500: 'The server has either erred or is incapable of performing the requested operation.',
  502: 'Bad gateway.',
  503: 'The server is currently unavailable. Please try again at a later time.',
  504: 'The gateway has timed out.',
};
/** Nova's and Cinder's wsgi.Fault names. */
const FAULT_NAMES: Record<number, string> = {
  400: 'badRequest', 401: 'unauthorized', 403: 'forbidden', 404: 'itemNotFound', 405: 'badMethod', 409: 'conflictingRequest', 413: 'overLimit',
  415: 'badMediaType', 429: 'overLimit', 501: 'notImplemented', 503: 'serviceUnavailable',
};

/** The body a service answers a given status with (Nova/Cinder fault, Keystone error, Glance text, Neutron error). */
export function serviceEnvelope(service: RouteRequest['service'], status: number, message: string): { type: string; body: string } {
  switch (service) {
    case 'compute':
    case 'volume':
    case 'share':
      return { type: 'application/json', body: JSON.stringify({ [FAULT_NAMES[status] ?? 'computeFault']: { code: status, message } }) };
    case 'identity':
      return { type: 'application/json', body: JSON.stringify({ error: { code: status, message, title: REASONS[status] ?? 'Error' } }) };
    case 'image':
      return { type: 'text/plain; charset=UTF-8', body: `${status} ${REASONS[status] ?? 'Error'}\n\n${message}\n\n   ` };
    case 'network':
      return { type: 'application/json', body: JSON.stringify({ NeutronError: { type: `HTTP${(REASONS[status] ?? 'Error').replace(/ /g, '')}`, message, detail: '' } }) };
  }
}

function classify(url: string): { service: RouteRequest['service']; path: string; servicePath: string } | null {
  const path = url.split('?')[0];
  for (const [mount, service] of MOUNTS) {
    if (path === mount || path.startsWith(`${mount}/`)) return { service, path, servicePath: path.slice(mount.length) || '/' };
  }
  return null;
}

export function routeFaultHook(s: Services) {
  // Synchronous while no route fault is registered, the usual case (src/sync-hooks.ts).
  return syncHook((req, reply) => (s.faults.routes.size === 0 ? undefined : applyRouteFault(s, req, reply)));
}

async function applyRouteFault(s: Services, req: FastifyRequest, reply: FastifyReply) {
  const where = classify(req.url);
  if (!where) return; // never /_novasim
  const f: RouteFault | null = s.faults.routes.take(
    {
      ...where,
      method: req.method,
      caller: () => {
        const t = s.tokens.validate(req.headers['x-auth-token'] as string | undefined);
        return t ? { projectId: t.projectId, userId: t.userId } : null;
      },
    },
    s.runtime.now(),
  );
  if (!f) return;
  const r = f.response;
  if (r.delay_ms) await sleep(r.delay_ms);
  if (r.drop) {
    reply.hijack();
    reply.raw.destroy();
    return reply;
  }
  if (r.status === undefined) return; // latency only: the request proceeds
  const env = serviceEnvelope(where.service, r.status, r.message ?? EXPLANATIONS[r.status] ?? REASONS[r.status] ?? 'Error');
  if (r.status === 429 || r.retry_after !== undefined) reply.header('retry-after', String(r.retry_after ?? 1));
  for (const [k, v] of Object.entries(r.headers ?? {})) reply.header(k, v);
  return reply.code(r.status).type(env.type).send(env.body);
}

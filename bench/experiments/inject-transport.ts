// EXPERIMENT (not used by `npm run bench`): route the simulator's own compute→Cinder (and
// Cinder→Nova, Keystone) calls through fastify inject instead of loopback sockets, to measure
// the upper bound of an in-process transport. Installs a global fetch wrapper for URLs under
// the simulator's base URL.
import type { FastifyInstance } from 'fastify';

export function installInjectTransport(app: FastifyInstance, baseUrl: string): () => void {
  const real = globalThis.fetch;
  globalThis.fetch = (async (input: string | URL | Request, init: RequestInit = {}) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (!url.startsWith(baseUrl)) return real(input, init);
    const res = await app.inject({
      method: (init.method ?? 'GET') as 'GET',
      url: url.slice(baseUrl.length) || '/',
      headers: init.headers as Record<string, string>,
      ...(init.body == null ? {} : { payload: init.body as string }),
    });
    const headers = res.headers;
    return {
      status: res.statusCode,
      statusText: res.statusMessage,
      ok: res.statusCode >= 200 && res.statusCode < 300,
      headers: { get: (n: string) => { const v = headers[n.toLowerCase()]; return v === undefined ? null : String(v); } },
      text: async () => res.body,
      json: async () => JSON.parse(res.body),
    } as unknown as Response;
  }) as typeof fetch;
  return () => {
    globalThis.fetch = real;
  };
}

// One request shape for both transports: fastify inject (in-process) and HTTP/1.1 keep-alive over
// loopback (node:http with a pooled agent — lighter than fetch, so the client costs less of the
// 2 shared cores). The setup helpers below work with either.
import http from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { Simulator } from '../../src/index.js';

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | number | undefined>;
  body: string;
}

export type Requester = (method: string, path: string, body?: unknown, headers?: Record<string, string>) => Promise<Answer>;

export function injectRequester(app: FastifyInstance): Requester {
  return async (method, path, body, headers = {}) => {
    const res = await app.inject({
      method: method as 'GET',
      url: path,
      headers,
      ...(body === undefined ? {} : { payload: body as Record<string, unknown> }),
    });
    return { status: res.statusCode, headers: res.headers, body: res.body };
  };
}

/** The library's own in-process client, `sim.request()` (src/inprocess-client.ts): what section 1 measures with. */
export function simRequester(sim: Simulator): Requester {
  return async (method, path, body, headers = {}) => {
    const res = await sim.request({ method, url: path, headers, body });
    return { status: res.status, headers: res.headers, body: res.body };
  };
}

export function httpRequester(baseUrl: string, maxSockets = 64): Requester & { agent: http.Agent } {
  const u = new URL(baseUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets });
  const fn = ((method, path, body, headers = {}) =>
    new Promise<Answer>((resolve, reject) => {
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const req = http.request(
        {
          host: u.hostname, port: u.port, path, method, agent,
          headers: { ...(payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }), ...headers },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(payload);
    })) as Requester & { agent: http.Agent };
  fn.agent = agent;
  return fn;
}

export function expectStatus(a: Answer, want: number | number[], what: string): Answer {
  const ok = Array.isArray(want) ? want.includes(a.status) : a.status === want;
  if (!ok) throw new Error(`${what}: HTTP ${a.status} ${a.body.slice(0, 500)}`);
  return a;
}

export const json = <T = any>(a: Answer): T => JSON.parse(a.body) as T; // eslint-disable-line @typescript-eslint/no-explicit-any

// The one transport of every service-to-service call (compute → Cinder/Neutron/Glance/Keystone, Cinder →
// Nova, Neutron → Nova): `exchange()`. It goes over node:http/node:https with keep-alive agents — the same
// wire as before (method, path, the headers given, content-length, JSON body) at a fraction of undici
// fetch's CPU cost (BENCHMARKS.md, F1) — unless the URL's origin is a simulator registered in this process
// (`registerInProcess`, chosen once in createSimulator by `transport: 'inject'`): then the request goes
// through that simulator's fastify `inject` (same routes, status codes, envelopes, route faults, request
// ids) and no socket is opened to talk to itself (BENCHMARKS.md, F2).
import http from 'node:http';
import type https from 'node:https';
import { createRequire } from 'node:module';
import { INTERNAL_HEADER, INTERNAL_SECRET } from './reset-barrier.js';

// node:https (with node:tls) is loaded by the first https:// exchange, not by every start (`novasim serve`
// talks to itself over http; loading them is ≈ 4 ms of a ≈ 300 ms start, issue #16).
const load = createRequire(import.meta.url);
let httpsModule: typeof https | undefined;
const secureTransport = (): typeof https => (httpsModule ??= load('node:https') as typeof https);

export interface HttpAgents {
  http: http.Agent;
  /** Created on first use. */
  readonly https: https.Agent;
}

/**
 * Keep-alive agents. maxSockets is per host:port; it is generous because calls nest (Cinder → Nova →
 * Cinder during a swap): a small pool could queue an inner call behind the outer calls waiting for it.
 */
export function keepAliveAgents(maxSockets = 256): HttpAgents {
  const options = { keepAlive: true, maxSockets, maxFreeSockets: 64, scheduling: 'lifo' } as const;
  let secure: https.Agent | undefined;
  return {
    http: new http.Agent(options),
    get https() {
      return (secure ??= new (secureTransport().Agent)(options));
    },
  };
}

export interface HttpAnswer {
  status: number;
  statusText: string;
  headers: http.IncomingHttpHeaders;
  text: string;
}

/** Why an exchange failed: no answer in time, or a socket-level error (refused, reset, …). */
export class HttpExchangeError extends Error {
  constructor(
    readonly reason: 'timeout' | 'connection',
    /** True when the response head had arrived (the failure hit the body). */
    readonly afterHead: boolean,
    readonly socketError: (Error & { code?: string }) | undefined,
    message: string,
  ) {
    super(message);
    this.name = 'HttpExchangeError';
  }
}

export interface HttpExchange {
  method: string;
  url: string;
  headers: Record<string, string>;
  /** Already serialised; content-length is added. */
  body?: string;
  /** Whole exchange (head and body), like AbortSignal.timeout on fetch; none when undefined. */
  timeoutMs?: number;
  agents: HttpAgents;
}

/** First value of a response header (fetch's headers.get joins duplicates; our peers never send any). */
export function header(h: http.IncomingHttpHeaders, name: string): string | null {
  const v = h[name];
  if (v === undefined) return null;
  return Array.isArray(v) ? v.join(', ') : v;
}

/** An in-process request: what `exchange` hands to a registered simulator (its fastify `inject`). */
export interface InProcessRequest {
  method: string;
  /** Path and query string. */
  path: string;
  headers: Record<string, string>;
  body?: string;
}

/** Answers like a response, or rejects with an error carrying `code` (a dropped connection: ECONNRESET). */
export type InProcessHandler = (req: InProcessRequest) => Promise<HttpAnswer>;

/** origin (`http://novasim-1.internal`) → the simulator that answers it in this process. */
const inProcess = new Map<string, InProcessHandler>();

/** Route calls to `origin` through `handler` instead of a socket; returns the unregister function. */
export function registerInProcess(origin: string, handler: InProcessHandler): () => void {
  const key = new URL(origin).origin;
  inProcess.set(key, handler);
  return () => {
    if (inProcess.get(key) === handler) inProcess.delete(key);
  };
}

/** The in-process leg: the same timeout and failure kinds as the socket leg. */
function exchangeInProcess(handler: InProcessHandler, u: URL, x: HttpExchange, headers: Record<string, string>): Promise<HttpAnswer> {
  return new Promise<HttpAnswer>((resolve, reject) => {
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    if (x.timeoutMs !== undefined) {
      timer = setTimeout(() => {
        settled = true;
        // The handler goes on, as a server does after its client gave up.
        reject(new HttpExchangeError('timeout', false, undefined, 'The operation was aborted due to timeout'));
      }, x.timeoutMs);
    }
    headers.host = u.host;
    handler({ method: x.method, path: `${u.pathname}${u.search}`, headers, body: x.body }).then(
      (res) => {
        if (settled) return;
        settled = true;
        if (timer) clearTimeout(timer);
        resolve(res);
      },
      (err: Error & { code?: string }) => {
        if (settled) return;
        settled = true;
        if (timer) clearTimeout(timer);
        // A route fault's dropped connection (src/inprocess-dispatch.ts; light-my-request's LIGHT_ECONNRESET
        // for a handler built on inject): Node's ECONNRESET, as the socket leg reports it.
        const socketError = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
        const reset = err.code === 'ECONNRESET' || err.code === 'LIGHT_ECONNRESET';
        reject(new HttpExchangeError('connection', false, reset ? socketError : err, socketError.message));
      },
    );
  });
}

let exchanges = 0;

/** Service-to-service exchanges started by this process so far (both legs; the benchmark counts hops with it). */
export function exchangeCount(): number {
  return exchanges;
}

export function exchange(x: HttpExchange): Promise<HttpAnswer> {
  exchanges++;
  let u: URL;
  try {
    u = new URL(x.url);
  } catch (err) {
    return Promise.reject(new HttpExchangeError('connection', false, err as Error, (err as Error).message));
  }
  // Marks the simulator's own service-to-service calls for the reset barrier (src/reset-barrier.ts).
  const headers: Record<string, string> = { ...x.headers, [INTERNAL_HEADER]: INTERNAL_SECRET };
  const local = inProcess.size > 0 ? inProcess.get(u.origin) : undefined;
  if (local) return exchangeInProcess(local, u, x, headers);
  return new Promise<HttpAnswer>((resolve, reject) => {
    const secure = u.protocol === 'https:';
    if (x.body !== undefined) headers['content-length'] = String(Buffer.byteLength(x.body));
    let settled = false;
    let head = false;
    let timer: NodeJS.Timeout | undefined;
    const fail = (e: HttpExchangeError) => {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      reject(e);
    };
    const req = (secure ? secureTransport() : http).request(
      {
        protocol: u.protocol,
        hostname: u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname,
        port: u.port || undefined,
        path: `${u.pathname}${u.search}`,
        method: x.method,
        headers,
        agent: secure ? x.agents.https : x.agents.http,
      },
      (res) => {
        head = true;
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          if (settled) return;
          settled = true;
          if (timer) clearTimeout(timer);
          resolve({ status: res.statusCode ?? 0, statusText: res.statusMessage ?? '', headers: res.headers, text: Buffer.concat(chunks).toString('utf8') });
        });
        res.on('error', (err: Error & { code?: string }) => fail(new HttpExchangeError('connection', true, err, err.message)));
        res.on('aborted', () => fail(new HttpExchangeError('connection', true, undefined, 'terminated')));
      },
    );
    req.on('error', (err: Error & { code?: string }) => fail(new HttpExchangeError('connection', head, err, err.message || err.code || 'socket error')));
    if (x.timeoutMs !== undefined) {
      timer = setTimeout(() => {
        fail(new HttpExchangeError('timeout', head, undefined, 'The operation was aborted due to timeout'));
        req.destroy();
      }, x.timeoutMs);
    }
    if (x.body !== undefined) req.end(x.body);
    else req.end();
  });
}

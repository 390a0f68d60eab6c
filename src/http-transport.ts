// One HTTP exchange over node:http/node:https with module-level keep-alive agents: the compute side's
// calls to Cinder and the fake Cinder's calls to Nova. Same wire as before (method, path, the headers
// given, content-length, JSON body) at a fraction of undici fetch's CPU cost (BENCHMARKS.md, F1).
import http from 'node:http';
import https from 'node:https';
import { INTERNAL_HEADER, INTERNAL_SECRET } from './reset-barrier.js';

export interface HttpAgents {
  http: http.Agent;
  https: https.Agent;
}

/**
 * Keep-alive agents. maxSockets is per host:port; it is generous because calls nest (Cinder → Nova →
 * Cinder during a swap): a small pool could queue an inner call behind the outer calls waiting for it.
 */
export function keepAliveAgents(maxSockets = 256): HttpAgents {
  return {
    http: new http.Agent({ keepAlive: true, maxSockets, maxFreeSockets: 64, scheduling: 'lifo' }),
    https: new https.Agent({ keepAlive: true, maxSockets, maxFreeSockets: 64, scheduling: 'lifo' }),
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

export function exchange(x: HttpExchange): Promise<HttpAnswer> {
  return new Promise<HttpAnswer>((resolve, reject) => {
    let u: URL;
    try {
      u = new URL(x.url);
    } catch (err) {
      reject(new HttpExchangeError('connection', false, err as Error, (err as Error).message));
      return;
    }
    const secure = u.protocol === 'https:';
    // Marks the simulator's own service-to-service calls for the reset barrier (src/reset-barrier.ts).
    const headers: Record<string, string> = { ...x.headers, [INTERNAL_HEADER]: INTERNAL_SECRET };
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
    const req = (secure ? https : http).request(
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

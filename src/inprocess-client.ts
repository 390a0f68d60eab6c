// `sim.request()`: a client for tests that run the simulator in-process. It hands the request to the same
// dispatcher the simulator's own service-to-service calls use (src/inprocess-dispatch.ts): the same routes,
// hooks, envelopes, request ids and route faults as `sim.app.inject()` or a socket, for about half of
// inject's CPU per request (no option validation, no http.ServerResponse over a null socket).
import type { IncomingHttpHeaders } from 'node:http';
import type { InProcessHandler } from './http-transport.js';

export interface SimRequest {
  /** GET when absent. */
  method?: string;
  /** Path and query string, e.g. `/compute/v2.1/servers?limit=10`. */
  url: string;
  headers?: Record<string, string>;
  /** A string is sent as is; anything else as JSON (with `content-type: application/json` unless given). */
  body?: unknown;
}

export interface SimResponse {
  status: number;
  statusText: string;
  /** Lower-case names, string values, as node:http's IncomingMessage has them. */
  headers: IncomingHttpHeaders;
  body: string;
  json<T = unknown>(): T;
}

/**
 * One request through `dispatch`. Rejects like a socket would when a route fault drops the connection
 * (an Error with code ECONNRESET).
 */
export async function clientRequest(dispatch: InProcessHandler, r: SimRequest): Promise<SimResponse> {
  const headers: Record<string, string> = {};
  for (const name in r.headers ?? {}) headers[name.toLowerCase()] = r.headers![name];
  // light-my-request's default authority: links in answers read the same as with app.inject.
  headers.host ??= 'localhost:80';
  let body: string | undefined;
  if (typeof r.body === 'string') body = r.body;
  else if (r.body !== undefined) {
    body = JSON.stringify(r.body);
    headers['content-type'] ??= 'application/json';
  }
  const a = await dispatch({ method: (r.method ?? 'GET').toUpperCase(), path: r.url, headers, body });
  return { status: a.status, statusText: a.statusText, headers: a.headers, body: a.text, json: <T>() => JSON.parse(a.text) as T };
}

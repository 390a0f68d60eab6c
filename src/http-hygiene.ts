// HTTP details real clients rely on, applied to every service:
// - a body-less request (DELETE, GET, HEAD, OPTIONS) that still says `Content-Type: application/json`
//   with an empty body is accepted, as Nova, Cinder and Keystone (webob) accept it — python clients
//   (keystoneauth, novaclient) send exactly that on DELETE;
// - malformed HTTP framing (a bad request line, header or chunk) is answered in the envelope of the
//   service the request line names, where Node still lets us write an answer (clientError).
import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { isInProcessRequest } from './inprocess-dispatch.js';
import { syncHook } from './sync-hooks.js';

const BODYLESS = new Set(['DELETE', 'GET', 'HEAD', 'OPTIONS']);

export function acceptEmptyBodies(app: FastifyInstance): void {
  // Deferred (a promise, as an `async` hook) while the other root hooks are synchronous (src/sync-hooks.ts):
  // this one deferral lets Node's HTTP parser finish the packet the request arrived in before any route
  // answers, so malformed framing after the headers (a bad chunk) still gets the clientError envelope below
  // instead of racing a route's own answer (a 415 for the missing Content-Type) onto the socket. A request
  // handed over in-process (src/inprocess-dispatch.ts) has no framing to wait for: it goes on at once.
  app.addHook('onRequest', syncHook((req) => {
    const h = req.raw.headers;
    if (BODYLESS.has(req.method) && h['content-type'] !== undefined) {
      const empty = h['transfer-encoding'] === undefined && (h['content-length'] === undefined || h['content-length'] === '0');
      if (empty) delete h['content-type'];
    }
    return isInProcessRequest(req.raw) ? undefined : DEFER;
  }));
}

/** Any value but undefined makes syncHook hand fastify a resolved promise: one microtask, as `async`. */
const DEFER = true;

/** fastify's clientErrorHandler: the service envelope for what Node's parser refused. */
export function clientErrorHandler(envelopeFor: (url: string, status: number, message: string) => { type: string; body: string }) {
  return (error: Error, socket: Socket): void => {
    const err = error as Error & { code?: string; rawPacket?: Buffer };
    if (!socket.writable || socket.destroyed) return;
    if (err.code === 'ECONNRESET') {
      socket.destroy();
      return;
    }
    const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
    // The path as far as the parser got: chooses the service's envelope.
    const line = err.rawPacket?.toString('latin1').split('\r\n', 1)[0] ?? '';
    const url = /^[A-Z]+ (\S+)/.exec(line)?.[1] ?? '/';
    const message = status === 431 ? 'Request Header Fields Too Large' : status === 408 ? 'Request Timeout' : 'Malformed HTTP request';
    const b = envelopeFor(url, status, message);
    socket.end(
      `HTTP/1.1 ${status} ${status === 431 ? 'Request Header Fields Too Large' : status === 408 ? 'Request Timeout' : 'Bad Request'}\r\n` +
        `Content-Type: ${b.type}\r\nContent-Length: ${Buffer.byteLength(b.body)}\r\nConnection: close\r\n\r\n${b.body}`,
    );
  };
}

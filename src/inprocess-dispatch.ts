// The in-process leg of `exchange()` (src/http-transport.ts): a service-to-service request handed straight
// to fastify's request handler (`app.routing`, what the HTTP server calls for each request), with a
// request and a response object that carry what fastify and our hooks read of `IncomingMessage` and
// `ServerResponse` and nothing else.
//
// Why not `app.inject`: light-my-request validates its options with ajv, builds a real
// `http.ServerResponse` over a null socket (Node serialises the head, then writes and discards every
// chunk), compiles three RegExps per response to read back `Date`/`Connection`, and answers through a
// thenable chain — about a third of an in-process exchange's CPU on the swap path (BENCHMARKS.md, #16
// third round). The same routes, hooks, envelopes, status codes, request ids and route faults apply,
// because the request goes through the same `app.routing` as a socket's.
import { EventEmitter } from 'node:events';
import { STATUS_CODES } from 'node:http';
import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { HttpAnswer, InProcessHandler, InProcessRequest } from './http-transport.js';

/** What a dropped connection looks like to the caller: the socket leg's error. */
function connectionReset(): Error & { code: string } {
  return Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
}

/** The socket fastify reads the peer address from; never emits (as light-my-request's MockSocket). */
class LoopbackSocket extends EventEmitter {
  readonly remoteAddress = '127.0.0.1';
  readonly remoteFamily = 'IPv4';
  readonly encrypted = false;
  destroyed = false;
}

/** IncomingMessage as fastify sees it: url, method, lower-case headers, and the body as a stream. */
class InProcessIncoming extends Readable {
  readonly httpVersion = '1.1';
  readonly httpVersionMajor = 1;
  readonly httpVersionMinor = 1;
  aborted = false;
  complete = true;
  readonly rawHeaders: string[] = [];
  readonly headers: Record<string, string> = {};

  constructor(
    readonly method: string,
    readonly url: string,
    headers: Record<string, string>,
    private body: Buffer | undefined,
    readonly socket: LoopbackSocket,
  ) {
    super({ autoDestroy: false });
    for (const name in headers) {
      const value = headers[name];
      if (value === undefined) continue;
      const lower = name.toLowerCase();
      this.headers[lower] = String(value);
      this.rawHeaders.push(name, String(value));
    }
  }

  /** Deprecated alias Node still offers. */
  get connection(): LoopbackSocket {
    return this.socket;
  }

  override _read(): void {
    if (this.body !== undefined) {
      const b = this.body;
      this.body = undefined;
      this.push(b);
    }
    this.push(null);
  }
}

/** Whether a request came in through this dispatcher (no socket, no HTTP framing). */
export function isInProcessRequest(raw: unknown): boolean {
  return raw instanceof InProcessIncoming;
}

type HeaderValue = string | number | string[];

/** ServerResponse as fastify and our hooks use it: head, body chunks, finish/close, destroy. */
class InProcessResponse extends EventEmitter {
  statusCode = 200;
  statusMessage = '';
  headersSent = false;
  writableEnded = false;
  writableFinished = false;
  destroyed = false;
  private readonly head: Record<string, HeaderValue> = Object.create(null) as Record<string, HeaderValue>;
  private chunks: (string | Buffer)[] = [];

  constructor(
    readonly req: InProcessIncoming,
    private readonly settle: (answer: HttpAnswer | null, err?: Error) => void,
  ) {
    super();
  }

  get socket(): LoopbackSocket {
    return this.req.socket;
  }

  setHeader(name: string, value: HeaderValue): this {
    this.head[name.toLowerCase()] = value;
    return this;
  }

  getHeader(name: string): HeaderValue | undefined {
    return this.head[name.toLowerCase()];
  }

  getHeaders(): Record<string, HeaderValue> {
    return { ...this.head };
  }

  getHeaderNames(): string[] {
    return Object.keys(this.head);
  }

  hasHeader(name: string): boolean {
    return this.head[name.toLowerCase()] !== undefined;
  }

  removeHeader(name: string): void {
    delete this.head[name.toLowerCase()];
  }

  writeHead(statusCode: number, reason?: string | Record<string, HeaderValue>, headers?: Record<string, HeaderValue>): this {
    if (typeof reason !== 'string') {
      headers = reason;
      reason = undefined;
    }
    this.statusCode = statusCode;
    this.statusMessage = reason ?? (this.statusMessage || STATUS_CODES[statusCode] || 'unknown');
    if (headers) for (const name in headers) if (headers[name] !== undefined) this.head[name.toLowerCase()] = headers[name];
    this.headersSent = true;
    return this;
  }

  write(chunk: string | Buffer | Uint8Array, encoding?: BufferEncoding | (() => void), cb?: () => void): boolean {
    if (!this.headersSent) this.writeHead(this.statusCode);
    if (chunk !== null && chunk !== undefined && chunk.length > 0) {
      this.chunks.push(typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
    }
    const done = typeof encoding === 'function' ? encoding : cb;
    if (done) process.nextTick(done);
    return true;
  }

  end(chunk?: string | Buffer | Uint8Array | (() => void) | null, encoding?: BufferEncoding | (() => void) | null, cb?: () => void): this {
    if (this.writableEnded || this.destroyed) return this;
    if (typeof chunk === 'function') {
      cb = chunk;
      chunk = undefined;
    }
    if (chunk !== null && chunk !== undefined) this.write(chunk);
    else if (!this.headersSent) this.writeHead(this.statusCode);
    this.writableEnded = true;
    this.writableFinished = true;
    const done = typeof encoding === 'function' ? encoding : cb;
    if (done) process.nextTick(done);
    // As light-my-request: 'finish' at once (fastify's onResponse hooks), 'close' on the next tick.
    this.emit('finish');
    this.settle({ status: this.statusCode, statusText: this.statusMessage, headers: this.answerHeaders(), text: this.bodyText() });
    this.destroy();
    return this;
  }

  /** A route fault's dropped connection (reply.raw.destroy()) before the response ended: ECONNRESET. */
  destroy(err?: Error): this {
    if (this.destroyed) return this;
    this.destroyed = true;
    if (!this.writableEnded) this.settle(null, connectionReset());
    if (err) process.nextTick(() => this.emit('error', err));
    process.nextTick(() => {
      this.emit('close');
      this.req.emit('close');
    });
    return this;
  }

  /** The head as a client reads it (node:http's IncomingMessage: lower-case names, string values). */
  private answerHeaders(): HttpAnswer['headers'] {
    const out: HttpAnswer['headers'] = {};
    for (const name in this.head) {
      const v = this.head[name];
      out[name] = Array.isArray(v) ? v.map(String) : String(v);
    }
    return out;
  }

  private bodyText(): string {
    const c = this.chunks;
    if (c.length === 0) return '';
    if (c.length === 1) return typeof c[0] === 'string' ? c[0] : c[0].toString('utf8');
    return Buffer.concat(c.map((x) => (typeof x === 'string' ? Buffer.from(x) : x))).toString('utf8');
  }

  // Timers and trailers fastify may touch on other paths; kept as ServerResponse's no-op shapes.
  setTimeout(): this {
    return this;
  }

  addTrailers(): void {}

  flushHeaders(): void {
    if (!this.headersSent) this.writeHead(this.statusCode);
  }
}

/**
 * A handler for `registerInProcess` that answers through `app.routing`, once the app is ready (the same
 * wait as fastify's inject before its first request).
 */
export function inProcessDispatcher(app: FastifyInstance): InProcessHandler {
  let ready: Promise<void> | undefined;
  let isReady = false;
  const dispatch = (r: InProcessRequest): Promise<HttpAnswer> =>
    new Promise<HttpAnswer>((resolve, reject) => {
      let body: Buffer | undefined;
      const headers = r.headers;
      if (r.body !== undefined) {
        body = Buffer.from(r.body, 'utf8');
        headers['content-length'] = String(body.length);
      }
      const req = new InProcessIncoming(r.method, r.path, headers, body, new LoopbackSocket());
      let settled = false;
      const res = new InProcessResponse(req, (answer, err) => {
        if (settled) return;
        settled = true;
        // Answered on the next tick, as a socket's response cannot arrive in the same tick.
        process.nextTick(() => (answer ? resolve(answer) : reject(err)));
      });
      app.routing(req as never, res as never);
    });
  return (r) => {
    if (isReady) return dispatch(r);
    ready ??= Promise.resolve(app.ready()).then(() => {
      isReady = true;
    });
    return ready.then(() => dispatch(r));
  };
}

// /_novasim notification routes: read, clear, wait for and stream what the simulator emitted.
// Registered by the app under the /_novasim prefix:
//   app.register(notificationRoutes, { prefix: '/_novasim', capture })
// Every JSON body goes through the notifier's float-preserving serializer, so HTTP clients see
// `"rxtx_factor":1.0` exactly as Nova sends it.
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ServerResponse } from 'node:http';
import { z } from 'zod';
import { toJson } from '../notifier/json.js';
import { NotificationTimeoutError, type CaptureSink, type NotificationFilter } from '../notifier/sinks/capture.js';
import type { CapturedNotification } from '../notifier/types.js';

export interface NotificationRoutesOptions {
  capture: CaptureSink;
  /** SSE comment heartbeat, keeps proxies from closing idle streams (default 15000 ms). */
  heartbeatMs?: number;
  /** Longest allowed /wait timeout_ms (default 300000). */
  maxWaitMs?: number;
  /**
   * SSE slow-client rule: a stream whose client stops reading keeps only the socket's own buffer
   * (the ring is the backlog); once more than this many newer notifications were captured while
   * it was blocked (default: the ring's cap, i.e. it fell out of the ring), it is disconnected.
   * It may reconnect with Last-Event-ID and resume from what the ring still holds.
   */
  sseMaxLag?: number;
}

/** Default and maximum `limit` of GET /_novasim/notifications. */
export const LIST_DEFAULT_LIMIT = 1000;
export const LIST_MAX_LIMIT = 10_000;

const seqText = z.string().regex(/^\d+$/, 'must be a non-negative integer').transform(Number);
const nonEmpty = z.string().min(1);
const filterShape = {
  event_type: nonEmpty.optional(),
  instance_uuid: nonEmpty.optional(),
  project_id: nonEmpty.optional(),
  since: seqText.optional(),
};
const ListQuery = z.strictObject({
  ...filterShape,
  limit: seqText.pipe(z.number().int().min(1).max(LIST_MAX_LIMIT)).optional(),
  /** The seq of the last notification of the previous page (like `since`). */
  marker: seqText.optional(),
});
const StreamQuery = z.strictObject(filterShape);
const waitQuery = (maxWaitMs: number) =>
  z.strictObject({
    ...filterShape,
    event_type: nonEmpty,
    count: seqText.pipe(z.number().int().min(1).max(100_000)).optional(),
    timeout_ms: seqText.pipe(z.number().int().max(maxWaitMs)).optional(),
  });

/** The wire item: seq first, then the oslo envelope. */
export function notificationItem(n: CapturedNotification) {
  return { seq: n.seq, ...n.envelope };
}

function sendJson(reply: FastifyReply, status: number, body: unknown) {
  return reply.code(status).type('application/json; charset=utf-8').send(toJson(body));
}

function badRequest(reply: FastifyReply, error: z.ZodError) {
  const message = error.issues
    .map((i) => (i.code === 'unrecognized_keys' ? `unknown query parameter(s): ${i.keys.join(', ')}` : `${i.path.join('.') || 'query'}: ${i.message}`))
    .join('; ');
  return sendJson(reply, 400, { error: { code: 400, message } });
}

function toFilter(q: { event_type?: string; instance_uuid?: string; project_id?: string; since?: number }): NotificationFilter {
  return { eventType: q.event_type, instanceUuid: q.instance_uuid, projectId: q.project_id, since: q.since };
}

export function sseFrame(n: CapturedNotification): string {
  return `id: ${n.seq}\nevent: ${n.envelope.event_type}\ndata: ${toJson(notificationItem(n))}\n\n`;
}

export async function notificationRoutes(app: FastifyInstance, opts: NotificationRoutesOptions): Promise<void> {
  const { capture } = opts;
  const heartbeatMs = opts.heartbeatMs ?? 15_000;
  const WaitQuery = waitQuery(opts.maxWaitMs ?? 300_000);
  const streams = new Set<ServerResponse>();

  const listing = (items: CapturedNotification[]) => ({
    notifications: items.map(notificationItem),
    dropped: capture.dropped,
    last_seq: capture.lastSeq,
  });

  // Paged: at most `limit` (default 1000, max 10000) per answer; `next_marker` when more remain.
  app.get('/notifications', async (request, reply) => {
    const q = ListQuery.safeParse(request.query ?? {});
    if (!q.success) return badRequest(reply, q.error);
    const limit = q.data.limit ?? LIST_DEFAULT_LIMIT;
    const filter = toFilter(q.data);
    if (q.data.marker !== undefined) filter.since = Math.max(filter.since ?? 0, q.data.marker);
    const items = capture.list(filter, limit + 1);
    const page = items.slice(0, limit);
    const body: Record<string, unknown> = listing(page);
    if (items.length > limit) body.next_marker = page[page.length - 1].seq;
    return sendJson(reply, 200, body);
  });

  app.delete('/notifications', async (_request, reply) => {
    capture.clear();
    return reply.code(204).send();
  });

  // Long-poll: Nova's wait_for_versioned_notifications over HTTP.
  app.get('/notifications/wait', async (request, reply) => {
    const q = WaitQuery.safeParse(request.query ?? {});
    if (!q.success) return badRequest(reply, q.error);
    const { count = 1, timeout_ms: timeoutMs = 10_000 } = q.data;
    const abort = new AbortController();
    const onClose = () => abort.abort();
    reply.raw.once('close', onClose);
    try {
      const found = await capture.waitFor(q.data.event_type, { ...toFilter(q.data), count, timeoutMs, signal: abort.signal });
      return sendJson(reply, 200, listing(found));
    } catch (err) {
      if (err instanceof NotificationTimeoutError) {
        return sendJson(reply, 408, {
          error: {
            code: 408,
            message: err.message,
            // Only the notifications that matched the wait (fewer than `count`); the rest is a count.
            received: err.matched.map((n) => ({
              seq: n.seq,
              event_type: n.envelope.event_type,
              priority: n.envelope.priority,
              publisher_id: n.envelope.publisher_id,
              instance_uuid: n.instanceUuid,
            })),
            others: err.others,
          },
        });
      }
      if (abort.signal.aborted) {
        // The client went away: there is no one to answer, and a half-closed socket left
        // behind would hold up app.close().
        reply.hijack();
        reply.raw.destroy();
        return;
      }
      throw err;
    } finally {
      reply.raw.off('close', onClose);
    }
  });

  // Server-Sent Events. Without `since`/Last-Event-ID only new notifications are streamed;
  // with them, retained ones after that seq are replayed first (since=0 replays everything).
  app.get('/notifications/stream', async (request, reply) => {
    const q = StreamQuery.safeParse(request.query ?? {});
    if (!q.success) return badRequest(reply, q.error);
    const lastEventId = request.headers['last-event-id'];
    let since = q.data.since;
    if (typeof lastEventId === 'string' && lastEventId !== '') {
      const parsed = seqText.safeParse(lastEventId.trim());
      if (!parsed.success) return sendJson(reply, 400, { error: { code: 400, message: 'Last-Event-ID must be a non-negative integer' } });
      since = parsed.data;
    }
    const filter: NotificationFilter = { ...toFilter(q.data), since: undefined };

    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.write(': novasim notifications\n\n');

    // Pull from the ring while the socket takes data; when write() says the socket's buffer is
    // full, stop until 'drain'. Per-client memory is the socket's buffer, nothing more.
    let lastSent = since ?? capture.lastSeq;
    let blocked = false;
    let lagFrom = 0;
    const maxLag = opts.sseMaxLag ?? capture.cap;
    const pump = () => {
      while (!blocked && !res.writableEnded && !res.destroyed) {
        const batch = capture.list({ ...filter, since: lastSent }, 64);
        if (batch.length === 0) {
          lastSent = Math.max(lastSent, capture.lastSeq);
          return;
        }
        for (const n of batch) {
          lastSent = n.seq;
          if (!res.write(sseFrame(n))) {
            blocked = true;
            lagFrom = capture.lastSeq;
            res.once('drain', () => {
              blocked = false;
              pump();
            });
            return;
          }
        }
      }
    };
    const live = () => {
      if (!blocked) return pump();
      // The slow-client rule (see sseMaxLag).
      if (capture.lastSeq - lagFrom > maxLag) {
        res.destroy();
      }
    };
    // Replay and subscribe in one synchronous step, so nothing can slip in between.
    pump();
    const unsubscribe = capture.subscribe(live);
    const heartbeat = setInterval(() => {
      if (!blocked && !res.writableEnded && !res.destroyed) res.write(': ping\n\n');
    }, heartbeatMs);
    heartbeat.unref();
    streams.add(res);
    const cleanup = () => {
      clearInterval(heartbeat);
      unsubscribe();
      streams.delete(res);
    };
    res.once('close', cleanup);
    res.on('error', cleanup); // a write racing a dropped socket must not become an unhandled 'error'
  });

  // Open streams would keep app.close() waiting forever (server.close() waits for every
  // connection), so end them in preClose, which runs before the server stops listening.
  app.addHook('preClose', async () => {
    for (const res of streams) res.end();
    streams.clear();
  });
}

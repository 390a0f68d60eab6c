// WebhookSink against real local HTTP receivers (fastify on a free port).
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { WebhookSink } from '../../../src/notifier/sinks/webhook.js';
import { toJson, type CapturedNotification } from '../../../src/notifier/index.js';
import { fakeNotification } from '../notifier/helpers.js';
import { closedPort } from './tcp-proxy.js';

interface Received {
  body: string;
  headers: Record<string, string | string[] | undefined>;
}

const apps: FastifyInstance[] = [];
afterEach(async () => {
  for (const a of apps.splice(0)) await a.close();
});

/** A receiver that answers `status(n)` to its n-th request (1-based) and records every request. */
async function receiver(status: (n: number) => number = () => 204) {
  const app = Fastify();
  apps.push(app);
  const received: Received[] = [];
  // Keep the raw text: the test checks the exact bytes (rxtx_factor 1.0).
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => done(null, body));
  app.post('/hook', async (req, reply) => {
    received.push({ body: req.body as string, headers: req.headers });
    const code = status(received.length);
    return reply.code(code).send(code >= 300 ? { error: 'nope' } : undefined);
  });
  const url = `${await app.listen({ port: 0, host: '127.0.0.1' })}/hook`;
  return { url, received };
}

const waitUntil = async (cond: () => boolean, ms = 5000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
};

const n = (seq: number, eventType?: string): CapturedNotification => fakeNotification(seq, eventType);

describe('WebhookSink', () => {
  it('POSTs each envelope as Nova-exact JSON, in order, with informational headers', async () => {
    const { url, received } = await receiver();
    const sink = new WebhookSink({ url, headers: { authorization: 'Bearer x' } });
    sink.publish(n(1, 'instance.volume_swap.start'));
    sink.publish(n(2, 'instance.volume_swap.end'));
    await sink.close();
    expect(received.map((r) => r.body)).toEqual([toJson(n(1, 'instance.volume_swap.start').envelope), toJson(n(2, 'instance.volume_swap.end').envelope)]);
    expect(received[0].body).toContain('"rxtx_factor":1.0');
    expect(received[0].headers).toMatchObject({
      'content-type': 'application/json', authorization: 'Bearer x',
      'x-novasim-seq': '1', 'x-novasim-event-type': 'instance.volume_swap.start', 'x-novasim-attempt': '1',
    });
    expect(sink.stats()).toMatchObject({ delivered: 2, failed: 0, retries: 0, queued: 0, dropped: 0, lastError: null });
  });

  it('retries 5xx/429 with exponential backoff, then delivers; order is kept', async () => {
    const { url, received } = await receiver((i) => (i <= 3 ? (i === 2 ? 429 : 503) : 200));
    const sink = new WebhookSink({ url, backoffMs: 20 });
    const t0 = Date.now();
    sink.publish(n(1));
    sink.publish(n(2));
    await waitUntil(() => sink.stats().delivered === 2);
    // 20 + 40 + 80 ms of backoff before the 4th attempt succeeded.
    expect(Date.now() - t0).toBeGreaterThanOrEqual(130);
    expect(received.map((r) => [r.headers['x-novasim-seq'], r.headers['x-novasim-attempt']])).toEqual([
      ['1', '1'], ['1', '2'], ['1', '3'], ['1', '4'], ['2', '1'],
    ]);
    expect(sink.stats()).toMatchObject({ delivered: 2, failed: 0, retries: 3 });
    expect(sink.stats().lastError).toMatch(/attempt 3: HTTP 503/);
    await sink.close();
  });

  it('gives up after `retries` and moves on; a 4xx other than 408/429 is not retried', async () => {
    const { url, received } = await receiver((i) => (i <= 3 ? 500 : i === 4 ? 400 : 200));
    const sink = new WebhookSink({ url, retries: 2, backoffMs: 5 });
    sink.publish(n(1)); // 500, 500, 500 → failed after 1 + 2 attempts
    sink.publish(n(2)); // 400 → failed at once
    sink.publish(n(3)); // 200
    await sink.close();
    expect(received.map((r) => r.headers['x-novasim-seq'])).toEqual(['1', '1', '1', '2', '3']);
    expect(sink.stats()).toMatchObject({ delivered: 1, failed: 2, retries: 2, queued: 0 });
    expect(sink.stats().lastError).toMatch(/#2 attempt 1: HTTP 400/);
  });

  it('retries connection errors, bounds its queue and counts drops; publish never throws', async () => {
    const port = await closedPort();
    const sink = new WebhookSink({ url: `http://127.0.0.1:${port}/hook`, queueLimit: 3, retries: 100, backoffMs: 10, closeTimeoutMs: 100 });
    for (let i = 1; i <= 5; i++) expect(() => sink.publish(n(i))).not.toThrow();
    await waitUntil(() => sink.stats().retries >= 2);
    expect(sink.stats()).toMatchObject({ delivered: 0, queued: 3, dropped: 2 });
    expect(sink.stats().lastError).toMatch(/ECONNREFUSED/);
    const t0 = Date.now();
    await sink.close();
    expect(Date.now() - t0).toBeLessThan(1000);
    // The first one failed when close() aborted it; the 2 still queued are counted as dropped.
    expect(sink.stats()).toMatchObject({ delivered: 0, failed: 1, queued: 0, dropped: 4 });
    sink.publish(n(9));
    expect(sink.stats().dropped).toBe(5);
  });

  it('times out a receiver that hangs and retries', async () => {
    let calls = 0;
    const slow = Fastify();
    apps.push(slow);
    slow.post('/hook', async (_req, reply) => {
      calls++;
      if (calls === 1) {
        // Hang until the client gives up (or 5 s).
        await new Promise<void>((r) => {
          const t = setTimeout(r, 5000);
          reply.raw.once('close', () => (clearTimeout(t), r()));
        });
      }
      return reply.code(204).send();
    });
    const slowUrl = `${await slow.listen({ port: 0, host: '127.0.0.1' })}/hook`;
    const sink = new WebhookSink({ url: slowUrl, timeoutMs: 300, backoffMs: 5 });
    sink.publish(n(1));
    await waitUntil(() => sink.stats().delivered === 1);
    expect(calls).toBeGreaterThanOrEqual(2);
    expect(sink.stats().retries).toBe(calls - 1);
    expect(sink.stats().lastError).toMatch(/attempt 1: .*(timeout|abort)/i);
    await sink.close();
  });
});

import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { notificationRoutes } from '../../../src/control/notifications.js';
import { CaptureSink } from '../../../src/notifier/index.js';
import { fakeNotification as fake } from './helpers.js';

const apps: FastifyInstance[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((a) => a.close()));
});

async function setup(cap?: number, forceCloseConnections = true) {
  const capture = new CaptureSink({ cap });
  // undici may open a spare keep-alive connection after an aborted fetch; don't wait for it on close.
  const app = Fastify({ forceCloseConnections });
  apps.push(app);
  await app.register(notificationRoutes, { prefix: '/_novasim', capture, heartbeatMs: 50 });
  return { app, capture };
}

describe('/_novasim/notifications', () => {
  it('lists with seq, envelope, dropped and last_seq; floats stay 1.0 on the wire', async () => {
    const { app, capture } = await setup(2);
    for (let seq = 1; seq <= 3; seq++) capture.publish(fake(seq, seq === 2 ? 'b' : 'a'));
    const res = await app.inject({ method: 'GET', url: '/_novasim/notifications' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.body).toContain('"rxtx_factor":1.0');
    const body = res.json();
    expect(body.dropped).toBe(1);
    expect(body.last_seq).toBe(3);
    expect(body.notifications.map((n: any) => n.seq)).toEqual([2, 3]);
    expect(Object.keys(body.notifications[0])).toEqual([
      'seq', 'message_id', 'publisher_id', 'event_type', 'priority', 'payload', 'timestamp',
    ]);
  });

  it('filters by event_type, instance_uuid and since', async () => {
    const { app, capture } = await setup();
    capture.publish(fake(1, 'a', 'i-1'));
    capture.publish(fake(2, 'b', 'i-2'));
    capture.publish(fake(3, 'a', 'i-2'));
    const seqs = async (qs: string) =>
      (await app.inject({ url: `/_novasim/notifications?${qs}` })).json().notifications.map((n: any) => n.seq);
    expect(await seqs('event_type=a')).toEqual([1, 3]);
    expect(await seqs('instance_uuid=i-2')).toEqual([2, 3]);
    expect(await seqs('event_type=a&since=1')).toEqual([3]);
  });

  it('answers 400 with a JSON error on bad query parameters', async () => {
    const { app } = await setup();
    for (const qs of ['since=-1', 'since=abc', 'eventType=a', 'event_type=']) {
      const res = await app.inject({ url: `/_novasim/notifications?${qs}` });
      expect(res.statusCode, qs).toBe(400);
      expect(res.json()).toEqual({ error: { code: 400, message: expect.any(String) } });
    }
    const wait = await app.inject({ url: '/_novasim/notifications/wait?count=2' });
    expect(wait.statusCode).toBe(400);
    expect(wait.json().error.message).toMatch(/event_type/);
  });

  it('DELETE clears and answers 204', async () => {
    const { app, capture } = await setup();
    capture.publish(fake(1));
    const res = await app.inject({ method: 'DELETE', url: '/_novasim/notifications' });
    expect(res.statusCode).toBe(204);
    expect(res.body).toBe('');
    expect(capture.list()).toEqual([]);
    expect((await app.inject({ url: '/_novasim/notifications' })).json()).toEqual({ notifications: [], dropped: 0, last_seq: 1 });
  });

  it('wait resolves when the notifications arrive', async () => {
    const { app, capture } = await setup();
    capture.publish(fake(1, 'x'));
    const pending = app.inject({ url: '/_novasim/notifications/wait?event_type=x&count=2&timeout_ms=2000' });
    setTimeout(() => capture.publish(fake(2, 'x')), 20);
    const res = await pending;
    expect(res.statusCode).toBe(200);
    expect(res.json().notifications.map((n: any) => n.seq)).toEqual([1, 2]);
  });

  it('wait answers 408 with the matching notifications that did arrive and a count of the others', async () => {
    const { app, capture } = await setup();
    capture.publish(fake(1, 'instance.create.start'));
    const res = await app.inject({ url: '/_novasim/notifications/wait?event_type=instance.volume_swap.end&timeout_ms=30' });
    expect(res.statusCode).toBe(408);
    const { error } = res.json();
    expect(error.code).toBe(408);
    expect(error.message).toMatch(/instance\.volume_swap\.end hasn't been received/);
    expect(error.received).toEqual([]);
    expect(error.others).toBe(1);
  });

  it('wait stops waiting when the client goes away', async () => {
    const { app, capture } = await setup();
    const address = await app.listen({ port: 0, host: '127.0.0.1' });
    const ac = new AbortController();
    const pending = fetch(`${address}/_novasim/notifications/wait?event_type=x&timeout_ms=5000`, { signal: ac.signal }).catch((e) => e);
    for (let i = 0; i < 50 && capture.stats().waiters === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(capture.stats().waiters).toBe(1);
    ac.abort();
    await pending;
    for (let i = 0; i < 50 && capture.stats().waiters > 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(capture.stats().waiters).toBe(0);
  });

  it('streams Server-Sent Events, replaying from since / Last-Event-ID, and cleans up on close', async () => {
    const { app, capture } = await setup();
    capture.publish(fake(1, 'a'));
    capture.publish(fake(2, 'b'));
    const address = await app.listen({ port: 0, host: '127.0.0.1' });

    const ac = new AbortController();
    const res = await fetch(`${address}/_novasim/notifications/stream?since=1`, { signal: ac.signal });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    const readUntil = async (needle: string) => {
      while (!text.includes(needle)) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`stream ended before ${needle}: ${text}`);
        text += decoder.decode(value, { stream: true });
      }
    };
    await readUntil('\n\n');
    await readUntil('id: 2\n');
    expect(text).not.toContain('id: 1\n');
    capture.publish(fake(3, 'instance.volume_swap.end'));
    await readUntil('"seq":3');
    const frame = text.slice(text.indexOf('id: 3\n'));
    expect(frame).toMatch(/^id: 3\nevent: instance\.volume_swap\.end\ndata: \{"seq":3,"message_id":"m-3",.*"rxtx_factor":1\.0/);
    expect(capture.stats().subscribers).toBe(1);
    ac.abort();
    await reader.cancel().catch(() => {});
    for (let i = 0; i < 50 && capture.stats().subscribers > 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(capture.stats().subscribers).toBe(0);

    const resumed = await fetch(`${address}/_novasim/notifications/stream?event_type=a`, { headers: { 'Last-Event-ID': '0' } });
    const r2 = resumed.body!.getReader();
    let t2 = '';
    while (!t2.includes('id: 1\n')) t2 += decoder.decode((await r2.read()).value);
    expect(t2).not.toContain('id: 2\n');
    await r2.cancel();
  });

  it('app.close() ends open streams instead of hanging', async () => {
    const { app } = await setup(undefined, false); // Fastify's default: only idle connections are closed
    const address = await app.listen({ port: 0, host: '127.0.0.1' });
    const res = await fetch(`${address}/_novasim/notifications/stream`);
    const reader = res.body!.getReader();
    await reader.read();
    await app.close();
    let done = false;
    while (!done) done = (await reader.read()).done;
    expect(done).toBe(true);
  });
});

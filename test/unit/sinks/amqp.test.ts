// AmqpSink against the real RabbitMQ on 127.0.0.1:5672: what a consumer sees (exchange, routing
// keys, default queues, properties, body bytes), buffering while the broker is away, reconnection.
import { randomUUID } from 'node:crypto';
import amqp from 'amqplib';
import type { Channel, ChannelModel, GetMessage } from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AmqpSink, novaContextDict, osloMessageBody, pythonJson } from '../../../src/notifier/sinks/amqp.js';
import type { CapturedNotification } from '../../../src/notifier/index.js';
import { BrokerJanitor } from '../../interop/helpers/broker.js';
import { BROKER_URL, brokerProblem, describeIf } from '../../interop/helpers/prereq.js';
import { fakeNotification } from '../notifier/helpers.js';
import { closedPort, TcpProxy } from './tcp-proxy.js';

const waitUntil = async (cond: () => boolean | Promise<boolean>, ms = 5000, what = 'condition') => {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
};

const notification = (seq: number, eventType?: string): CapturedNotification => fakeNotification(seq, eventType);

describe('pythonJson (json.dumps default formatting)', () => {
  it('re-spaces separators outside strings only', () => {
    expect(pythonJson('{"a":[1,2,{"b":"x,y:z"}],"c":{},"d":[]}')).toBe('{"a": [1, 2, {"b": "x,y:z"}], "c": {}, "d": []}');
  });

  it('escapes like ensure_ascii=True (non-ASCII, DEL, astral as surrogate pairs), keeps JSON escapes', () => {
    const text = JSON.stringify({ s: 'h\u00e9llo \u2028 \x7f \u{1F600} "q" \\ \n\t\u0001' });
    // What Python prints for json.dumps({"s": "h\u00e9llo \u2028 \x7f \U0001F600 \"q\" \\ \n\t\x01"}).
    expect(pythonJson(text)).toBe('{"s": "h\\u00e9llo \\u2028 \\u007f \\ud83d\\ude00 \\"q\\" \\\\ \\n\\t\\u0001"}');
  });

  it('does not mistake an escaped quote for the end of a string', () => {
    expect(pythonJson(JSON.stringify({ k: 'a\\",b:"c' }))).toBe('{"k": "a\\\\\\",b:\\"c"}');
  });
});

describe('osloMessageBody', () => {
  it('wraps envelope + _unique_id + _context_* as messagingv2 does, floats preserved', () => {
    const n = notification(1);
    const ctx = { requestId: 'req-1', userId: 'u', projectId: 'p', roles: ['admin'], isAdmin: true, authToken: 't' };
    const body = osloMessageBody(n, '0123456789abcdef0123456789abcdef', novaContextDict(ctx));
    const outer = JSON.parse(body);
    expect(Object.keys(outer)).toEqual(['oslo.version', 'oslo.message']);
    expect(outer['oslo.version']).toBe('2.0');
    expect(body.startsWith('{"oslo.version": "2.0", "oslo.message": "{\\"message_id\\": \\"m-1\\", ')).toBe(true);
    expect(outer['oslo.message']).toContain('"rxtx_factor": 1.0}');
    const inner = JSON.parse(outer['oslo.message']);
    expect(Object.keys(inner).slice(0, 7)).toEqual([
      'message_id', 'publisher_id', 'event_type', 'priority', 'payload', 'timestamp', '_unique_id',
    ]);
    expect(inner._unique_id).toBe('0123456789abcdef0123456789abcdef');
    expect(inner).toMatchObject({ _context_request_id: 'req-1', _context_project_id: 'p', _context_user_id: 'u', _context_is_admin: true });
  });

  it('has no _context_ keys without a context', () => {
    const inner = JSON.parse(JSON.parse(osloMessageBody(notification(1), 'u', null))['oslo.message']);
    expect(Object.keys(inner).filter((k) => k.startsWith('_context_'))).toEqual([]);
  });
});

const problem = await brokerProblem();

describeIf('amqp sink', [problem], 'apt-get install rabbitmq-server')('AmqpSink with RabbitMQ', () => {
  let conn: ChannelModel;
  let ch: Channel;
  const janitor = new BrokerJanitor();

  beforeAll(async () => {
    conn = await amqp.connect(BROKER_URL);
    ch = await conn.createChannel();
  });

  afterAll(async () => {
    await janitor.clean();
    await conn?.close();
  });

  /** A fresh exchange and topic so runs and tests never see each other's queues. */
  const isolated = () => {
    const id = randomUUID().slice(0, 8);
    const exchange = `novasim-test-${id}`;
    const topic = `vn-${id}`;
    janitor.exchange(exchange);
    for (const p of ['info', 'error', 'warn']) janitor.queue(`${topic}.${p}`);
    return { exchange, topic };
  };

  const drain = async (queue: string, count: number, ms = 5000): Promise<GetMessage[]> => {
    const got: GetMessage[] = [];
    await waitUntil(async () => {
      for (let m = await ch.get(queue, { noAck: true }); m; m = await ch.get(queue, { noAck: true })) got.push(m);
      return got.length >= count;
    }, ms, `${count} messages on ${queue}`);
    return got;
  };

  it('publishes what oslo.messaging messagingv2 publishes: exchange, keys, default queues, properties, body', async () => {
    const { exchange, topic } = isolated();
    const other = `${topic}-b`;
    for (const p of ['info', 'error']) janitor.queue(`${other}.${p}`);
    const ids = ['11111111111111111111111111111111', '22222222222222222222222222222222', '33333333333333333333333333333333'];
    const sink = new AmqpSink({ url: BROKER_URL, exchange, topics: [topic, other], uniqueId: () => ids.shift()! });
    try {
      sink.publish(notification(1, 'instance.volume_swap.start'));
      sink.publish(notification(2, 'instance.volume_swap.error'));
      await waitUntil(() => sink.stats().published === 4, 5000, 'published');

      // The sink declared queues named like the routing keys (oslo's _publish_and_creates_default_queue),
      // non-durable, not auto-delete, no arguments: re-asserting them with those flags must succeed.
      for (const q of [`${topic}.info`, `${topic}.error`, `${other}.info`]) {
        expect(await ch.checkQueue(q)).toMatchObject({ messageCount: 1 });
        await ch.assertQueue(q, { durable: false, autoDelete: false });
      }
      await ch.assertExchange(exchange, 'topic', { durable: false, autoDelete: false });

      const [info] = await drain(`${topic}.info`, 1);
      const [error] = await drain(`${topic}.error`, 1);
      const [info2] = await drain(`${other}.info`, 1);
      expect(info.fields).toMatchObject({ exchange, routingKey: `${topic}.info`, redelivered: false });
      expect(error.fields).toMatchObject({ exchange, routingKey: `${topic}.error` });
      expect(info2.fields).toMatchObject({ exchange, routingKey: `${other}.info` });
      // kombu's JSON serializer properties; delivery_mode 2 (kombu default), nothing else set.
      const props = Object.fromEntries(Object.entries(info.properties).filter(([, v]) => v !== undefined));
      expect(props).toEqual({ contentType: 'application/json', contentEncoding: 'utf-8', headers: {}, deliveryMode: 2, priority: 0 });

      expect(info.content.toString('utf8')).toBe(osloMessageBody(notification(1, 'instance.volume_swap.start'), '11111111111111111111111111111111', null));
      // One _unique_id per topic publish, like oslo's one _send per topic.
      expect(JSON.parse(JSON.parse(info2.content.toString())['oslo.message'])._unique_id).toBe('22222222222222222222222222222222');
      const inner = JSON.parse(JSON.parse(error.content.toString())['oslo.message']);
      expect(inner).toMatchObject({ event_type: 'instance.volume_swap.error', priority: 'ERROR', _unique_id: '33333333333333333333333333333333' });
      expect(sink.stats()).toMatchObject({ connected: true, published: 4, buffered: 0, dropped: 0, exchange });
    } finally {
      await sink.close();
    }
    expect(sink.stats().connected).toBe(false);
  });

  it('reaches a consumer that bound its own queue (pool) to the exchange, in order', async () => {
    const { exchange, topic } = isolated();
    const pool = `novasim-pool-${randomUUID().slice(0, 8)}`;
    await ch.assertExchange(exchange, 'topic', { durable: false, autoDelete: false });
    await ch.assertQueue(pool, { durable: false, autoDelete: false });
    janitor.queue(pool);
    await ch.bindQueue(pool, exchange, `${topic}.info`);
    const sink = new AmqpSink({ url: BROKER_URL, exchange, topics: [topic] });
    for (let i = 1; i <= 300; i++) sink.publish(notification(i));
    await sink.close(); // flushes
    const got = await drain(pool, 300);
    expect(got.map((m) => JSON.parse(JSON.parse(m.content.toString())['oslo.message']).message_id)).toEqual(
      Array.from({ length: 300 }, (_, i) => `m-${i + 1}`),
    );
    expect(sink.stats()).toMatchObject({ published: 300, buffered: 0, dropped: 0 });
  });

  it('buffers up to the bound and counts drops while the broker is unreachable; never throws', async () => {
    const port = await closedPort();
    const sink = new AmqpSink({ url: `amqp://guest:secret@127.0.0.1:${port}/`, bufferLimit: 5, reconnectMs: 20, closeTimeoutMs: 50 });
    for (let i = 1; i <= 8; i++) expect(() => sink.publish(notification(i))).not.toThrow();
    await waitUntil(() => sink.stats().lastError !== null, 3000, 'a connection error');
    expect(sink.stats()).toMatchObject({ connected: false, published: 0, buffered: 5, dropped: 3 });
    expect(sink.stats().lastError).toMatch(/ECONNREFUSED/);
    expect(sink.stats().url).toBe(`amqp://guest:***@127.0.0.1:${port}/`);
    const t0 = Date.now();
    await sink.close();
    expect(Date.now() - t0).toBeLessThan(1000);
    sink.publish(notification(9)); // after close: dropped, not thrown
    expect(sink.stats().dropped).toBe(4);
  });

  it('close() returns within its timeout when the broker stops answering', async () => {
    const { exchange, topic } = isolated();
    const broker = new URL(BROKER_URL);
    const proxy = new TcpProxy({ host: broker.hostname, port: Number(broker.port || 5672) });
    const port = await proxy.start();
    const sink = new AmqpSink({
      url: `amqp://${broker.username}:${broker.password}@127.0.0.1:${port}${broker.pathname}`,
      exchange, topics: [topic], closeTimeoutMs: 200,
    });
    try {
      sink.publish(notification(1));
      await waitUntil(() => sink.stats().published === 1, 5000, 'first publish');
      proxy.freeze();
      sink.publish(notification(2)); // never confirmed
      const t0 = Date.now();
      await sink.close();
      expect(Date.now() - t0).toBeLessThan(1500);
      expect(sink.stats()).toMatchObject({ connected: false, published: 1, buffered: 1 });
    } finally {
      await proxy.stop();
    }
  });

  it('reconnects after a broker outage and delivers what it buffered meanwhile', async () => {
    const { exchange, topic } = isolated();
    const broker = new URL(BROKER_URL);
    const proxy = new TcpProxy({ host: broker.hostname, port: Number(broker.port || 5672) });
    const port = await proxy.start();
    const sink = new AmqpSink({
      url: `amqp://${broker.username}:${broker.password}@127.0.0.1:${port}${broker.pathname}`,
      exchange, topics: [topic], reconnectMs: 25, reconnectMaxMs: 100,
    });
    try {
      sink.publish(notification(1));
      await waitUntil(() => sink.stats().published === 1, 5000, 'first publish');
      expect(sink.stats()).toMatchObject({ connected: true, connects: 1 });

      await proxy.stop();
      await waitUntil(() => !sink.stats().connected, 5000, 'disconnect');
      for (let i = 2; i <= 4; i++) sink.publish(notification(i));
      await new Promise((r) => setTimeout(r, 150)); // a few failed reconnects
      expect(sink.stats()).toMatchObject({ connected: false, published: 1, buffered: 3, dropped: 0 });

      await proxy.start(port);
      await waitUntil(() => sink.stats().published === 4, 5000, 'buffered messages after reconnect');
      expect(sink.stats()).toMatchObject({ connected: true, connects: 2, buffered: 0, dropped: 0 });
      const got = await drain(`${topic}.info`, 4);
      expect(got.map((m) => JSON.parse(JSON.parse(m.content.toString())['oslo.message']).message_id)).toEqual(['m-1', 'm-2', 'm-3', 'm-4']);
    } finally {
      await sink.close();
      await proxy.stop();
    }
  });
});

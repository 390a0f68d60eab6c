// The AMQP notification sink against the real oslo.messaging (Debian's python3-oslo.messaging):
// 1. byte-for-byte what oslo's own Notifier (messagingv2, rabbit) puts on the bus;
// 2. an oslo NotificationListener decodes the sink's messages (ctxt, publisher, event, payload, metadata);
// 3. end to end: novasim started with `--notify-amqp`, a swap through the API, the listener sees it.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import amqp from 'amqplib';
import type { Channel, ChannelModel, GetMessage } from 'amqplib';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { AmqpSink, novaContextDict } from '../../src/notifier/sinks/amqp.js';
import { toJson, type CapturedNotification } from '../../src/notifier/index.js';
import { context, instance, sampleNotifier, SWAP_NEW_VOL, SWAP_OLD_VOL, volumeBdm } from '../unit/notifier/fixtures.js';
import { api, distProblem, login, REPO, Setup, startNovasim, waitFor, type Novasim } from './helpers/novasim.js';
import { BrokerJanitor } from './helpers/broker.js';
import { BROKER_URL, brokerProblem, describeIf, PYTHON, pythonProblem } from './helpers/prereq.js';

// Python start-up (oslo imports take ~1 s) and broker round trips; a loaded CI machine needs headroom.
vi.setConfig({ testTimeout: 60_000 });

const PY = join(REPO, 'test', 'interop', 'py');

const problems = [await brokerProblem(), await pythonProblem(['oslo_messaging', 'oslo_config'])];

interface ListenerLine {
  priority: string;
  ctxt: Record<string, unknown>;
  publisher_id: string;
  event_type: string;
  payload: any;
  metadata: { message_id: string; timestamp: string };
}

/** Starts test/interop/py/listen.py and resolves once its queue is bound ({"ready": true}). */
async function startListener(args: { exchange: string; topic?: string; pool?: string; count?: number; until?: string; timeoutS?: number }) {
  const proc: ChildProcess = spawn(PYTHON, [
    join(PY, 'listen.py'), '--url', BROKER_URL, '--exchange', args.exchange, '--topic', args.topic ?? 'versioned_notifications',
    ...(args.pool ? ['--pool', args.pool] : []), ...(args.until ? ['--until', args.until] : []),
    '--count', String(args.count ?? 0), '--timeout', String(args.timeoutS ?? 30),
  ], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PYTHONPATH: '', PYTHONHOME: '' } });
  let stderr = '';
  proc.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const lines: ListenerLine[] = [];
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  const ready = new Promise<void>((resolve, reject) => {
    createInterface({ input: proc.stdout! }).on('line', (line) => {
      const obj = JSON.parse(line);
      if (obj.ready) resolve();
      else lines.push(obj);
    });
    void exited.then((code) => reject(new Error(`listen.py exited ${code} before it was ready: ${stderr}`)));
  });
  await Promise.race([ready, new Promise((_, rej) => setTimeout(() => rej(new Error(`listen.py not ready after 20 s: ${stderr}`)), 20_000))]);
  return {
    lines,
    /** Resolves with the exit code once the listener got what it waited for (0) or timed out (3). */
    done: async () => {
      const code = await exited;
      return { code, lines, stderr };
    },
    kill: () => proc.kill('SIGKILL'),
  };
}

function runPython(script: string, args: string[], stdin: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = spawn(PYTHON, [join(PY, script), ...args], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, PYTHONPATH: '', PYTHONHOME: '' } });
    let err = '';
    p.stderr.on('data', (d) => (err += d));
    const timer = setTimeout(() => p.kill('SIGKILL'), 30_000);
    p.on('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`${script} exited ${code}: ${err}`));
    });
    p.stdin.end(stdin);
  });
}

/** A swap notification with the float field and non-ASCII text that make serialisers differ. */
function swapNotification(phase: 'start' | 'end'): CapturedNotification {
  const { notifier } = sampleNotifier('master');
  const n = notifier.notifyAboutVolumeSwap(
    context(), instance({ display_name: 'vm-\u00e9\u2603-\u{1F600}' }), [volumeBdm(SWAP_OLD_VOL)], 'compute', phase, SWAP_OLD_VOL, SWAP_NEW_VOL,
  )!;
  return { ...n, context: context() } as CapturedNotification;
}

describeIf('oslo.messaging interop', problems)('oslo.messaging interop (RabbitMQ + python3-oslo.messaging)', () => {
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

  const fresh = () => {
    const id = randomUUID().slice(0, 8);
    const exchange = `novasim-interop-${id}`;
    janitor.exchange(exchange);
    return { id, exchange };
  };

  const getAll = async (queue: string, count: number): Promise<GetMessage[]> => {
    const got: GetMessage[] = [];
    await waitFor(`${count} messages on ${queue}`, async () => {
      for (let m = await ch.get(queue, { noAck: true }); m; m = await ch.get(queue, { noAck: true })) got.push(m);
      return got.length >= count;
    }, 10_000, 20);
    return got;
  };

  it('puts the same bytes, properties and routing on the bus as oslo.messaging’s own Notifier', async () => {
    const { id, exchange } = fresh();
    const osloTopic = `oslo-${id}`;
    const simTopic = `sim-${id}`;
    for (const t of [osloTopic, simTopic]) for (const p of ['info', 'error']) janitor.queue(`${t}.${p}`);
    const start = swapNotification('start');
    const error = { ...swapNotification('end'), envelope: { ...swapNotification('end').envelope, event_type: 'instance.volume_swap.error', priority: 'ERROR' } } as CapturedNotification;
    // An empty context: what oslo does with a dict context differs between releases (kept,
    // filtered to "safe" keys, or dropped); the context novasim sends is checked by the listener test.
    const items = [start, error].map((n) => ({
      ctxt: {}, publisher_id: n.envelope.publisher_id, event_type: n.envelope.event_type,
      priority: n.envelope.priority, payload: n.envelope.payload,
    }));

    await runPython('publish.py', ['--url', BROKER_URL, '--exchange', exchange, '--topic', osloTopic], toJson(items));
    const sink = new AmqpSink({ url: BROKER_URL, exchange, topics: [simTopic], contextOf: () => null });
    sink.publish(start);
    sink.publish(error);
    await sink.close();
    expect(sink.stats()).toMatchObject({ published: 2, dropped: 0 });

    for (const priority of ['info', 'error']) {
      const [oslo] = await getAll(`${osloTopic}.${priority}`, 1);
      const [sim] = await getAll(`${simTopic}.${priority}`, 1);
      expect(sim.fields.exchange).toBe(oslo.fields.exchange);
      expect(sim.fields.routingKey.replace(simTopic, 'T')).toBe(oslo.fields.routingKey.replace(osloTopic, 'T'));
      expect(sim.properties).toEqual(oslo.properties);

      // Outer wrapper: byte-identical formatting; inner text identical once the three values oslo
      // generates itself (message_id, timestamp, _unique_id) are replaced.
      const normalise = (m: GetMessage) => {
        const raw = m.content.toString('utf8');
        const inner: string = JSON.parse(raw)['oslo.message'];
        expect(raw).toBe(`{"oslo.version": "2.0", "oslo.message": ${JSON.stringify(inner)}}`);
        const parsed = JSON.parse(inner);
        let text = inner;
        for (const k of ['message_id', 'timestamp', '_unique_id']) text = text.replace(`"${k}": "${parsed[k]}"`, `"${k}": "<${k}>"`);
        return { text, parsed };
      };
      const a = normalise(oslo);
      const b = normalise(sim);
      expect(b.text).toBe(a.text);
      expect(b.text).toContain('"rxtx_factor": 1.0');
      expect(b.text).toContain('vm-\\u00e9\\u2603-\\ud83d\\ude00');
      expect(b.parsed._unique_id).toMatch(/^[0-9a-f]{32}$/);
    }
  });

  it('is decoded by an oslo NotificationListener (pool, threading executor)', async () => {
    const { id, exchange } = fresh();
    const topic = `vn-${id}`;
    for (const p of ['info', 'error']) janitor.queue(`${topic}.${p}`);
    const pool = `novasim-interop-pool-${id}`;
    janitor.queue(pool);
    const listener = await startListener({ exchange, topic, pool, count: 2 });
    const sink = new AmqpSink({ url: BROKER_URL, exchange, topics: [topic] });
    const start = swapNotification('start');
    const end = swapNotification('end');
    sink.publish(start);
    sink.publish(end);
    const { code, lines, stderr } = await listener.done();
    await sink.close();
    expect(code, stderr).toBe(0);
    expect(lines.map((l) => [l.priority, l.event_type, l.publisher_id])).toEqual([
      ['info', 'instance.volume_swap.start', 'nova-compute:compute'],
      ['info', 'instance.volume_swap.end', 'nova-compute:compute'],
    ]);
    expect(lines[0].payload).toEqual(JSON.parse(JSON.stringify(start.envelope.payload)));
    expect(lines[0].metadata).toEqual({ message_id: start.envelope.message_id, timestamp: start.envelope.timestamp });
    // The context arrives as Nova's (redacted) RequestContext dict (plus oslo's RPC bookkeeping keys).
    expect(lines[0].ctxt).toMatchObject(novaContextDict(context(), start.envelope.timestamp));
    expect(lines[0].ctxt).toMatchObject({ request_id: context().requestId, project_id: context().projectId, user_id: 'fake', auth_token: null });
  });

  it('is started by `novasim serve --notify-amqp`: a swap reaches an oslo listener on versioned_notifications', async () => {
    const dist = distProblem();
    if (dist) throw new Error(dist);
    const { id, exchange } = fresh();
    const pool = `novasim-interop-pool-${id}`;
    janitor.queue(pool);
    // The sink declares oslo's default queues (versioned_notifications.info …); remove them afterwards
    // unless they existed before this test (someone else's).
    for (const q of ['versioned_notifications.info', 'versioned_notifications.error']) {
      const probe = await conn.createChannel();
      probe.on('error', () => undefined); // a missing queue closes the channel with a 404
      const existed = await probe.checkQueue(q).then(() => true, () => false);
      if (!existed) janitor.queue(q);
      await probe.close().catch(() => undefined);
    }
    const listener = await startListener({ exchange, pool, until: 'instance.volume_swap.end', timeoutS: 60 });
    let sim: Novasim | null = null;
    try {
      sim = await startNovasim({
        profile: 'zed',
        args: ['--notify-amqp', BROKER_URL],
        env: { NOVASIM_CONTROL_EXCHANGE: exchange },
      });
      const admin = await login(sim.url, 'admin');
      const setup = new Setup(sim.url, admin);
      const [server, oldVol, newVol] = await Promise.all([setup.server('oslo-vm'), setup.volume('oslo-a'), setup.volume('oslo-b')]);
      await setup.attach(server, oldVol);
      const r = await api(sim.url, admin, 'PUT', `/compute/v2.1/servers/${server}/os-volume_attachments/${oldVol}`, { volumeAttachment: { volumeId: newVol } }, '2.1');
      expect(r.status, r.text).toBe(202);

      const { code, lines, stderr } = await listener.done();
      expect(code, `${stderr}\nlistener got: ${JSON.stringify(lines.map((l) => l.event_type))}\nnovasim: ${sim.output()}`).toBe(0);
      const swaps = lines.filter((l) => l.event_type.startsWith('instance.volume_swap.'));
      expect(swaps.map((l) => [l.event_type, l.priority, l.publisher_id])).toEqual([
        ['instance.volume_swap.start', 'info', 'nova-compute:compute'],
        ['instance.volume_swap.end', 'info', 'nova-compute:compute'],
      ]);
      for (const l of swaps) {
        expect(l.payload['nova_object.name']).toBe('InstanceActionVolumeSwapPayload');
        expect(l.payload['nova_object.data']).toMatchObject({ uuid: server, old_volume_id: oldVol, new_volume_id: newVol });
        expect(l.metadata.timestamp).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{6})?$/);
      }
      // The same notifications novasim captured (same message_id).
      const captured = await setup.notifications({ event_type: 'instance.volume_swap.end' });
      expect(captured.map((n) => n.message_id)).toContain(swaps[1].metadata.message_id);
      // And /_novasim/health shows the sink.
      const health = await api(sim.url, null, 'GET', '/_novasim/health');
      expect(JSON.stringify(health.body)).toMatch(/"connected":true/);
    } finally {
      listener.kill();
      await sim?.stop();
    }
  }, 90_000);

  it("`--notification-format both`: Nova's legacy compute.instance.create.* reach an oslo listener on the notifications topic", async () => {
    const dist = distProblem();
    if (dist) throw new Error(dist);
    const { id, exchange } = fresh();
    const pool = `novasim-interop-legacy-${id}`;
    janitor.queue(pool);
    for (const q of ['notifications.info', 'notifications.error', 'versioned_notifications.info', 'versioned_notifications.error']) {
      const probe = await conn.createChannel();
      probe.on('error', () => undefined);
      const existed = await probe.checkQueue(q).then(() => true, () => false);
      if (!existed) janitor.queue(q);
      await probe.close().catch(() => undefined);
    }
    const listener = await startListener({ exchange, topic: 'notifications', pool, until: 'compute.instance.create.end', timeoutS: 60 });
    let sim: Novasim | null = null;
    try {
      sim = await startNovasim({ profile: 'master', args: ['--notify-amqp', BROKER_URL, '--notification-format', 'both'], env: { NOVASIM_CONTROL_EXCHANGE: exchange } });
      const admin = await login(sim.url, 'admin');
      const server = await new Setup(sim.url, admin).server('oslo-legacy');
      const { code, lines, stderr } = await listener.done();
      expect(code, `${stderr}\nlistener got: ${JSON.stringify(lines.map((l) => l.event_type))}\nnovasim: ${sim.output()}`).toBe(0);
      // Only legacy ones on this topic, in Nova's order.
      expect(lines.map((l) => l.event_type)).toEqual([
        'scheduler.select_destinations.start', 'scheduler.select_destinations.end', 'compute.instance.create.start', 'compute.instance.create.end',
      ]);
      const end = lines[3];
      expect([end.priority, end.publisher_id]).toEqual(['info', 'compute.compute']);
      expect(end.payload).toMatchObject({ instance_id: server, state: 'active', message: 'Success' });
      // create.start's extra_usage_info, and glance's generate_image_url from the catalog.
      expect(lines[2].payload).toMatchObject({ instance_id: server, state: 'building', image_name: 'cirros' });
      expect(lines[2].payload.image_ref_url).toMatch(new RegExp(`^${sim.url}/image/images/[0-9a-f-]{36}$`));
    } finally {
      listener.kill();
      await sim?.stop();
    }
  }, 90_000);
});

// 5. Notification path.
//    (a) emit → visible to a client blocked in GET /_novasim/notifications/wait (and to an SSE
//        subscriber), over loopback HTTP against an in-process simulator. Baseline in the same run:
//        a GET /_novasim/health round trip on the same server with the same client.
//    (b) JSONL sink throughput (notifications/s written and flushed) vs capture-only emit rate,
//        and swap latency with the JSONL sink on vs off.
//    (c) AMQP sink (`notifyAmqp`, src/notifier/sinks/amqp.ts) against the local RabbitMQ: publish
//        throughput until the broker confirmed every message, and swap latency with it on. Uses its
//        own exchange and topic (controlExchange / versionedNotificationsTopics = novasim_bench) and
//        deletes them afterwards, so other users of the broker see nothing.
import { existsSync, rmSync, statSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RequestContext } from '../../src/domain.js';
import { httpRequester } from '../lib/client.js';
import { now, sleep, summarize, type Summary } from '../lib/stats.js';
import { alternateSwaps, measureSwaps, swapRig, type SwapRig } from './inprocess.js';

const AMQP_URL = process.env.BENCH_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const BENCH_EXCHANGE = 'novasim_bench';
const BENCH_TOPIC = 'novasim_bench';

function benchCtx(rig: SwapRig): RequestContext {
  return { requestId: 'req-bench', userId: 'fake', projectId: rig.s.projectId, roles: ['admin'], isAdmin: true, authToken: 't' };
}

/** Emit one real volume_swap notification (the payload the swap flow builds). */
function emitter(rig: SwapRig) {
  const ctx = benchCtx(rig);
  const instance = rig.sim.services.instances.get(rig.server)!;
  const bdms = rig.sim.services.bdms.listForInstance(rig.server);
  return (phase: 'start' | 'end' = 'end') => rig.sim.notifier.notifyAboutVolumeSwap(ctx, instance, bdms, 'compute', phase, rig.vols[0], rig.vols[1]);
}

async function waitLatency(rig: SwapRig, iterations: number): Promise<{ wait: Summary; sse: Summary; health: Summary }> {
  const url = await rig.sim.listen();
  const r = httpRequester(url, 4);
  const emit = emitter(rig);
  const capture = rig.sim.notifications.capture;
  const health: number[] = [];
  for (let i = 0; i < iterations + 20; i++) {
    const t0 = now();
    await r('GET', '/_novasim/health');
    if (i >= 20) health.push(now() - t0);
  }
  const wait: number[] = [];
  for (let i = 0; i < iterations + 20; i++) {
    const since = capture.lastSeq;
    const waiters = capture.stats().waiters;
    const pending = r('GET', `/_novasim/notifications/wait?event_type=instance.volume_swap.end&since=${since}&timeout_ms=5000`);
    while (capture.stats().waiters === waiters) await new Promise((res) => setImmediate(res)); // the server is waiting now
    const t0 = now();
    emit('end');
    const res = await pending;
    if (res.status !== 200) throw new Error(`wait: HTTP ${res.status} ${res.body.slice(0, 200)}`);
    if (i >= 20) wait.push(now() - t0);
  }
  // SSE: one subscription, emit one at a time and time frame arrival.
  const sse: number[] = [];
  await new Promise<void>((resolve, reject) => {
    let t0 = 0;
    let n = 0;
    let buf = '';
    const req = http.get(`${url}/_novasim/notifications/stream?event_type=instance.volume_swap.end`, (res) => {
      res.setEncoding('utf8');
      const next = () => {
        t0 = now();
        emit('end');
      };
      res.on('data', (chunk: string) => {
        buf += chunk;
        let i: number;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const frame = buf.slice(0, i);
          buf = buf.slice(i + 2);
          if (frame.startsWith(':')) {
            setImmediate(next); // the stream's opening comment: subscribed
            continue;
          }
          if (n++ >= 20) sse.push(now() - t0);
          if (n >= iterations + 20) {
            req.destroy();
            return resolve();
          }
          setImmediate(next);
        }
      });
    });
    req.on('error', (e) => (n >= iterations + 20 ? resolve() : reject(e)));
  });
  r.agent.destroy();
  return { wait: summarize(wait), sse: summarize(sse), health: summarize(health) };
}

/** Emit `count` notifications and return notifications/s (until `drained` resolves). */
async function emitRate(rig: SwapRig, count: number, drained: () => Promise<void>): Promise<number> {
  const emit = emitter(rig);
  const t0 = now();
  for (let i = 0; i < count; i++) {
    emit(i % 2 ? 'end' : 'start');
    if (i % 500 === 499) await new Promise((res) => setImmediate(res)); // let I/O sinks drain as a server would
  }
  await drained();
  return (count / (now() - t0)) * 1000;
}

export interface SinkResult {
  /** notifications/s emitted with only the capture sink (baseline) */
  captureOnlyPerSec: number;
  /** notifications/s emitted and written/confirmed by the sink */
  sinkPerSec: number;
  swapOff: Summary;
  swapOn: Summary;
  /** process CPU ms per swap with the sink on / off */
  cpuOn: number;
  cpuOff: number;
  detail: Record<string, unknown>;
}

async function jsonlSink(quick: boolean, base: SwapRig, swaps: number): Promise<SinkResult> {
  const count = quick ? 1000 : 3000;
  const captureOnlyPerSec = await emitRate(base, count, async () => {});
  const path = join(tmpdir(), `novasim-bench-${process.pid}.jsonl`);
  rmSync(path, { force: true });
  const rig = await swapRig({ notifyJsonl: path });
  const sinkPerSec = await emitRate(rig, count, async () => {
    // The sink is a write stream: wait until everything emitted reached the file.
    const stats = () => (rig.sim.notifier.stats().sinks as Record<string, { written?: number }>).jsonl;
    while ((stats()?.written ?? 0) < count) await sleep(1);
    await new Promise<void>((res) => setImmediate(res));
  });
  const alt = await alternateSwaps(rig, base, swaps, 5);
  const [swapOn, swapOff, cpuOn, cpuOff] = [alt.a, alt.b, alt.cpuA, alt.cpuB];
  await rig.sim.close(); // flushes the file
  const bytes = existsSync(path) ? statSync(path).size : 0;
  rmSync(path, { force: true });
  return { captureOnlyPerSec, sinkPerSec, swapOff, swapOn, cpuOn, cpuOff, detail: { path, bytesWritten: bytes } };
}

async function amqpSink(quick: boolean, base: SwapRig, swaps: number): Promise<SinkResult | { skipped: string }> {
  const amqp = (await import('amqplib')).default;
  let conn;
  try {
    conn = await amqp.connect(AMQP_URL, { timeout: 2000 });
  } catch (e) {
    return { skipped: `no RabbitMQ at ${AMQP_URL.replace(/\/\/.*@/, '//***@')}: ${(e as Error).message}` };
  }
  const count = quick ? 1000 : 3000;
  const cleanup = async () => {
    const ch = await conn.createChannel();
    ch.on('error', () => {});
    await ch.deleteQueue(`${BENCH_TOPIC}.info`).catch(() => {});
    await ch.deleteQueue(`${BENCH_TOPIC}.error`).catch(() => {});
    await ch.deleteExchange(BENCH_EXCHANGE).catch(() => {});
    await ch.close().catch(() => {});
  };
  try {
    await cleanup();
    const captureOnlyPerSec = await emitRate(base, count, async () => {});
    // The sink as `notifyAmqp` wires it (createSimulator), on our own exchange and topic.
    const rig = await swapRig({ notifyAmqp: AMQP_URL, controlExchange: BENCH_EXCHANGE, versionedNotificationsTopics: [BENCH_TOPIC] });
    const sink = rig.sim.notifier.sinks.find((x) => x.name === 'amqp') as unknown as { stats(): AmqpStats } | undefined;
    if (!sink) {
      await rig.sim.close();
      return { skipped: 'createSimulator({ notifyAmqp }) did not add an "amqp" sink' };
    }
    const published = () => sink.stats().published;
    // Connected, exchange and queue declared, before timing.
    const t = Date.now();
    emitter(rig)('end');
    while (published() < 1) {
      if (Date.now() - t > 5000) throw new Error(`AMQP sink did not publish: ${sink.stats().lastError}`);
      await sleep(5);
    }
    const before = published();
    const sinkPerSec = await emitRate(rig, count, async () => {
      const deadline = Date.now() + 30_000;
      while (published() < before + count) {
        if (Date.now() > deadline) throw new Error(`AMQP sink stuck at ${published() - before}/${count}`);
        await sleep(1);
      }
    });
    const alt = await alternateSwaps(rig, base, swaps, 5);
    const [swapOn, swapOff, cpuOn, cpuOff] = [alt.a, alt.b, alt.cpuA, alt.cpuB];
    const ch = await conn.createChannel();
    const q = await ch.checkQueue(`${BENCH_TOPIC}.info`);
    await ch.close();
    const stats = sink.stats();
    await rig.sim.close();
    return { captureOnlyPerSec, sinkPerSec, swapOff, swapOn, cpuOn, cpuOff, detail: { queued: q.messageCount, published: stats.published, dropped: stats.dropped } };
  } finally {
    await cleanup().catch(() => {});
    await conn.close().catch(() => {});
  }
}

interface AmqpStats {
  published: number;
  connected: boolean;
  lastError: string | null;
  dropped: number;
}

export interface NotifyResult {
  wait: Summary;
  sse: Summary;
  health: Summary;
  jsonl: SinkResult;
  amqp: SinkResult | { skipped: string };
}

export async function runNotify(quick: boolean): Promise<NotifyResult> {
  const base = await swapRig();
  try {
    const swaps = quick ? 10 : 40;
    await measureSwaps(base, swaps, quick ? 5 : 10); // warm the code paths once
    const { wait, sse, health } = await waitLatency(base, quick ? 20 : 100);
    const jsonl = await jsonlSink(quick, base, swaps);
    const amqp = await amqpSink(quick, base, swaps);
    return { wait, sse, health, jsonl, amqp };
  } finally {
    await base.sim.close();
  }
}

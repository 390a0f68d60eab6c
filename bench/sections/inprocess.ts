// 1. The scenario in-process: library + fastify inject, in-memory DB.
//    (a) Nova's test_volume_swap_server end to end: reset → boot → 2 volumes → attach → swap →
//        wait .end → assert both swap notifications against the golden samples; N times.
//    (b) A single swap (PUT → 202, PUT → .end) on a warm simulator, alternating two volumes.
//    Baseline in the same run: a bare fastify inject round trip.
import Fastify from 'fastify';
import { createSimulator, type ConfigInput, type Simulator } from '../../src/index.js';
import { exchangeCount } from '../../src/http-transport.js';
import { injectRequester, simRequester, type Requester } from '../lib/client.js';
import {
  PORT_1, SAMPLE_CONFIG, assertSwapSamples, attach, boot, createVolume, login, serverStatus, swap, type Session,
} from '../lib/sample-env.js';
import { now, summarize, timeEach, type Summary } from '../lib/stats.js';

export async function bareInjectRoundTrip(iterations: number): Promise<Summary> {
  const app = Fastify({ logger: false });
  app.put('/echo', async (req) => ({ ok: true, got: req.body }));
  await app.ready();
  const run = () => app.inject({ method: 'PUT', url: '/echo', payload: { volumeAttachment: { volumeId: 'x' } } });
  for (let i = 0; i < 500; i++) await run(); // warm-up
  // Batches of 100 round trips: per-call timer resolution would dominate single calls.
  const batches = await timeEach(Math.max(5, Math.round(iterations / 100)), async () => {
    for (let i = 0; i < 100; i++) await run();
  });
  await app.close();
  return summarize(batches.map((ms) => ms / 100));
}

/** One run of Nova's test_volume_swap_server against the simulator. */
export async function sampleScenario(sim: Simulator, r: Requester, s: Session): Promise<void> {
  await sim.reset();
  const { id } = await boot(r, s, { keyName: 'my-key', port: PORT_1 });
  const oldVol = await createVolume(r, s, 1);
  const newVol = await createVolume(r, s, 1);
  await sim.idle(); // server ACTIVE, volumes available
  await attach(r, s, id, oldVol);
  await sim.idle();
  const since = sim.notifications.capture.lastSeq;
  await swap(r, s, id, oldVol, newVol);
  await sim.notifications.waitFor('instance.volume_swap.end', { since, timeoutMs: 5000 });
  const { reservation_id } = await serverStatus(r, s, id);
  const [start] = sim.notifications.list({ eventType: 'instance.volume_swap.start', since });
  const [end] = sim.notifications.list({ eventType: 'instance.volume_swap.end', since });
  assertSwapSamples(start, end, { uuid: id, reservation_id, oldVolumeId: oldVol, newVolumeId: newVol });
  const types = sim.notifications.list().map((n) => n.envelope.event_type);
  const want = ['scheduler.select_destinations.start', 'scheduler.select_destinations.end', 'instance.create.start', 'instance.create.end', 'instance.volume_attach.start', 'instance.volume_attach.end', 'instance.volume_swap.start', 'instance.volume_swap.end'];
  if (types.join() !== want.join()) throw new Error(`unexpected notifications: ${types.join(', ')}`);
}

export interface SwapRig {
  sim: Simulator;
  r: Requester;
  s: Session;
  server: string;
  vols: [string, string];
  /** Which of vols is attached now. */
  cur: number;
}

/**
 * A simulator with one ACTIVE server and two same-size volumes, the first attached. The client is the
 * library's `sim.request()` unless `client` asks for fastify's `app.inject` (light-my-request).
 */
export async function swapRig(extra: ConfigInput = {}, client: 'request' | 'inject' = 'request'): Promise<SwapRig> {
  const sim = await createSimulator({ ...SAMPLE_CONFIG, deterministic: false, frozenTime: undefined, fixedRequestId: undefined, ...extra });
  const r = client === 'inject' ? injectRequester(sim.app) : simRequester(sim);
  const s = await login(r);
  const { id } = await boot(r, s, { port: PORT_1 });
  const vols: [string, string] = [await createVolume(r, s, 1), await createVolume(r, s, 1)];
  await sim.idle();
  await attach(r, s, id, vols[0]);
  await sim.idle();
  return { sim, r, s, server: id, vols, cur: 0 };
}

/** One swap of the rig's attached volume to the other one: [PUT→202 ms, PUT→.end ms]. */
export async function rigSwap(rig: SwapRig): Promise<[number, number]> {
  const since = rig.sim.notifications.capture.lastSeq;
  const t0 = now();
  await swap(rig.r, rig.s, rig.server, rig.vols[rig.cur], rig.vols[1 - rig.cur]);
  const t202 = now();
  await rig.sim.notifications.waitFor('instance.volume_swap.end', { since, instanceUuid: rig.server, timeoutMs: 5000 });
  const tEnd = now();
  rig.cur = 1 - rig.cur;
  await rig.sim.idle(); // let the flow's trailing bookkeeping finish outside the measured window
  return [t202 - t0, tEnd - t0];
}

export async function measureSwaps(rig: SwapRig, count: number, warmup: number): Promise<{ put202: Summary; putEnd: Summary }> {
  for (let i = 0; i < warmup; i++) await rigSwap(rig);
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < count; i++) {
    const [x, y] = await rigSwap(rig);
    a.push(x);
    b.push(y);
  }
  return { put202: summarize(a), putEnd: summarize(b) };
}

/**
 * PUT → .end on two rigs in alternating batches (same JIT state and machine load for both);
 * also the process CPU time per swap of each (steadier than wall time on a busy machine).
 */
export async function alternateSwaps(a: SwapRig, b: SwapRig, count: number, warmup: number, batch = 10): Promise<{ a: Summary; b: Summary; cpuA: number; cpuB: number }> {
  for (let i = 0; i < warmup; i++) {
    await rigSwap(a);
    await rigSwap(b);
  }
  const ta: number[] = [];
  const tb: number[] = [];
  let cpuA = 0;
  let cpuB = 0;
  const cpu = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  for (let done = 0; done < count; done += batch) {
    let c = cpu();
    for (let i = 0; i < batch; i++) ta.push((await rigSwap(a))[1]);
    cpuA += cpu() - c;
    c = cpu();
    for (let i = 0; i < batch; i++) tb.push((await rigSwap(b))[1]);
    cpuB += cpu() - c;
  }
  return { a: summarize(ta), b: summarize(tb), cpuA: cpuA / ta.length, cpuB: cpuB / tb.length };
}

/**
 * Requests one swap makes end to end: the client's PUT plus every service-to-service exchange the
 * simulator starts meanwhile (compute→Cinder calls, Cinder→Nova, Keystone if a service token expired) —
 * counted in the one transport (src/http-transport.ts), whichever leg (inject or socket) carries them.
 */
export async function countHttpPerSwap(rig: SwapRig, swaps = 4): Promise<number> {
  const before = exchangeCount();
  for (let i = 0; i < swaps; i++) await rigSwap(rig);
  return 1 + (exchangeCount() - before) / swaps;
}

export interface InProcessResult {
  injectRoundTrip: Summary;
  scenario: Summary;
  scenarioIterations: number;
  /** Scenario runs per second over the whole measured loop. */
  scenariosPerSec: number;
  single: { put202: Summary; putEnd: Summary };
  /** The single swap with `app.inject` as the client instead of `sim.request()`. */
  viaInject: { put202: Summary; putEnd: Summary };
  /** Swaps per second, sequential, PUT → .end. */
  swapsPerSec: number;
  /** HTTP requests one swap causes: the client PUT + compute→Cinder/Keystone calls the server saw. */
  httpPerSwap: number;
  /** Process CPU time (user+system) per scenario / per swap: steadier than wall time on a busy machine. */
  scenarioCpuMs: number;
  swapCpuMs: number;
}

export async function runInProcess(quick: boolean): Promise<InProcessResult> {
  const injectRoundTrip = await bareInjectRoundTrip(quick ? 1000 : 5000);

  const sim = await createSimulator(SAMPLE_CONFIG);
  const r = simRequester(sim);
  const s = await login(r);
  // Warm-ups bring V8's JIT to its steady state (TurboFan compiles a function after some hundreds of calls);
  // a test suite runs hundreds of operations, so the steady state is what a user's run sees.
  const warm = quick ? 3 : 30;
  const iterations = quick ? 8 : 40;
  for (let i = 0; i < warm; i++) await sampleScenario(sim, r, s);
  const t0 = now();
  const c0 = process.cpuUsage();
  const scenarioTimes = await timeEach(iterations, () => sampleScenario(sim, r, s));
  const c1 = process.cpuUsage(c0);
  const elapsed = now() - t0;
  await sim.close();

  const rig = await swapRig();
  await measureSwaps(rig, 0, quick ? 10 : 300); // warm-up (see above)
  const c2 = process.cpuUsage();
  const t2 = now();
  const swapCount = quick ? 30 : 300;
  const single = await measureSwaps(rig, swapCount, 0);
  const c3 = process.cpuUsage(c2);
  const sequentialMs = (now() - t2) / swapCount;
  const httpPerSwap = await countHttpPerSwap(rig);
  await rig.sim.close();

  // The same swaps with fastify's app.inject as the client (light-my-request), for comparison.
  const injectRig = await swapRig({}, 'inject');
  const viaInject = await measureSwaps(injectRig, swapCount, quick ? 10 : 300);
  await injectRig.sim.close();

  return {
    injectRoundTrip,
    scenario: summarize(scenarioTimes),
    scenarioIterations: iterations,
    scenariosPerSec: (iterations / elapsed) * 1000,
    single,
    viaInject,
    swapsPerSec: 1000 / sequentialMs,
    httpPerSwap,
    scenarioCpuMs: (c1.user + c1.system) / 1000 / iterations,
    swapCpuMs: (c3.user + c3.system) / 1000 / swapCount,
  };
}

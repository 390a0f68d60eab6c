// novasim benchmarks (issue #8). `npm run bench` (build + this), or directly:
//   node --import tsx bench/run.ts [--quick] [--only inprocess,actions,http,coldstart,scale,notify] [--json FILE]
// BENCH_QUICK=1 is the same as --quick (a few iterations of each, for CI: test/bench/smoke.test.ts).
// Prints the machine, then one Markdown table: every figure as median (min–max) over repeated runs,
// next to a baseline measured in the same run and the target from issue #8.
// `novasim serve` children run the built CLI (dist/bundle/novasim.mjs), the scale child dist/, so
// `npm run bench` builds first; the in-process sections import src/ through tsx.
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { ROOT } from './lib/procs.js';
import { fmt, summarize, type Summary } from './lib/stats.js';
import { med, ratio, renderTable, type Row } from './lib/table.js';
import { runColdStart, type ColdStartResult } from './sections/coldstart.js';
import { runHttp, type HttpResult } from './sections/http.js';
import { countHttpPerSwap, runInProcess, swapRig, type InProcessResult } from './sections/inprocess.js';
import { runActions, type ActionTiming } from './sections/actions.js';
import { runNotify, type NotifyResult } from './sections/notify.js';

/** Debian's Nova 26.2.2, test_volume_swap_server on a 2-core machine like this one (issue #8). */
const NOVA = {
  pythonImportS: 5.8,
  processS: 10.6,
  testS: 4.0,
  put202Ms: 49,
  putEndMs: 106,
  peakRssMb: 220,
};

const SECTIONS = ['inprocess', 'actions', 'http', 'coldstart', 'scale', 'notify'] as const;
type Section = (typeof SECTIONS)[number];

const { values } = parseArgs({
  options: { quick: { type: 'boolean' }, only: { type: 'string' }, json: { type: 'string' } },
  strict: true,
});
const quick = values.quick === true || ['1', 'true'].includes(process.env.BENCH_QUICK ?? '');
const only = new Set<Section>((values.only ? values.only.split(',') : SECTIONS) as Section[]);
for (const s of only) if (!SECTIONS.includes(s)) throw new Error(`unknown section ${s}; one of ${SECTIONS.join(', ')}`);

function machine() {
  const cpuinfo = (() => {
    try {
      return readFileSync('/proc/cpuinfo', 'utf8');
    } catch {
      return '';
    }
  })();
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1] ?? os.cpus()[0]?.model ?? 'unknown';
  return {
    nproc: os.availableParallelism(),
    memoryGiB: Number((os.totalmem() / 1024 ** 3).toFixed(1)),
    node: process.version,
    cpu: model.trim(),
    kernel: `${os.type()} ${os.release()}`,
    loadavgStart: os.loadavg().map((l) => Number(l.toFixed(2))),
  };
}

interface ScaleResult {
  servers: number;
  notifications: number;
  notificationCap: number;
  rssBeforeSim: number;
  rssEmpty: number;
  rssFull: number;
  seedMs: number;
  counts: Record<string, number>;
  emptyList: Summary & { listed: number };
  fullList: Summary & { listed: number };
  emptySwap: Summary;
  fullSwap: Summary;
  swapAfterNotes: Summary;
  emitPerSec: number;
  series: { emitted: number; rssMb: number; heapMb: number; captured: number; dropped: number }[];
  payloadBytes: number;
}

function runScaleChild(): Promise<ScaleResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', 'bench/children/scale.mjs', ...(quick ? ['--quick'] : [])], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d));
    child.stderr.on('data', (d: Buffer) => (err += d));
    child.on('exit', (code) => {
      const last = out.trim().split('\n').pop() ?? '';
      if (code !== 0 || !last.startsWith('{')) return reject(new Error(`scale child exited ${code}\n${err}${out}`));
      resolve(JSON.parse(last) as ScaleResult);
    });
  });
}

const log = (s: string) => process.stderr.write(`${s}\n`);
const started = performance.now();
const timings: Record<string, number> = {};
async function section<T>(name: Section, fn: () => Promise<T>): Promise<T | undefined> {
  if (!only.has(name)) return undefined;
  const t0 = performance.now();
  log(`[bench] ${name}…`);
  try {
    return await fn();
  } finally {
    timings[name] = (performance.now() - t0) / 1000;
    log(`[bench] ${name} done in ${timings[name].toFixed(1)} s`);
  }
}

const m = machine();
log(`[bench] ${quick ? 'quick' : 'full'} run on ${m.cpu}, ${m.nproc} CPUs, ${m.memoryGiB} GiB, node ${m.node}, load ${m.loadavgStart.join(' ')}`);

const inproc: InProcessResult | undefined = await section('inprocess', () => runInProcess(quick));
const httpPerSwap = inproc?.httpPerSwap ?? (only.has('http') ? await (async () => {
  const rig = await swapRig();
  try {
    return await countHttpPerSwap(rig);
  } finally {
    await rig.sim.close();
  }
})() : Number.NaN);
const actions: ActionTiming[] | undefined = await section('actions', () => runActions(quick));
const http: HttpResult | undefined = await section('http', () => runHttp(quick));
const cold: ColdStartResult | undefined = await section('coldstart', () => runColdStart(quick));
const scale: ScaleResult | undefined = await section('scale', runScaleChild);
const notify: NotifyResult | undefined = await section('notify', () => runNotify(quick));

const rows: Row[] = [];
if (inproc) {
  const S = '1 in-process';
  rows.push({ section: S, metric: 'bare fastify inject round trip (PUT, small JSON)', value: med(inproc.injectRoundTrip, 'µs', 1000), baseline: 'baseline' });
  rows.push({
    section: S, metric: `Nova's test_volume_swap_server as a scenario: reset → boot → 2 volumes → attach → swap → .end → both samples asserted (${inproc.scenarioIterations} runs; client sim.request())`,
    value: med(inproc.scenario, 'ms'), baseline: `Nova test alone ${NOVA.testS} s`,
    ratio: `${fmt((NOVA.testS * 1000) / inproc.scenario.median)}× faster than Nova; ${fmt(inproc.scenario.median / inproc.injectRoundTrip.median)} inject round trips`,
    target: '≤ 20 ms (≥ 200×)', met: inproc.scenario.median <= 20,
  });
  rows.push({ section: S, metric: 'scenario CPU time (process user+sys per run)', value: `${fmt(inproc.scenarioCpuMs)} ms`, ratio: `${fmt(inproc.scenariosPerSec)} scenarios/s` });
  rows.push({
    section: S, metric: 'single swap PUT → 202', value: med(inproc.single.put202, 'ms'), baseline: `Nova ≈ ${NOVA.put202Ms} ms`,
    ratio: `${fmt(NOVA.put202Ms / inproc.single.put202.median)}× faster than Nova`,
  });
  rows.push({
    section: S, metric: 'single swap PUT → instance.volume_swap.end (client sim.request())', value: med(inproc.single.putEnd, 'ms'), baseline: `Nova ≈ ${NOVA.putEndMs} ms`,
    ratio: `${fmt(NOVA.putEndMs / inproc.single.putEnd.median)}× faster than Nova; ${fmt(inproc.single.putEnd.median / inproc.injectRoundTrip.median)} inject round trips`,
    target: '≤ 2 ms', met: inproc.single.putEnd.median <= 2,
  });
  rows.push({
    section: S, metric: 'single swap PUT → .end with app.inject (light-my-request) as the client instead of sim.request()', value: med(inproc.viaInject.putEnd, 'ms'),
    baseline: `${fmt(inproc.single.putEnd.median)} ms with sim.request()`, ratio: `${fmt(inproc.viaInject.putEnd.median / inproc.single.putEnd.median)}×`,
  });
  rows.push({ section: S, metric: 'sequential swaps/s (one at a time, PUT → .end); CPU per swap', value: `${fmt(inproc.swapsPerSec)} swaps/s`, ratio: `${fmt(inproc.swapCpuMs)} ms CPU/swap` });
  rows.push({ section: S, metric: 'requests per swap (client PUT + service-to-service exchanges counted in the transport)', value: fmt(httpPerSwap) });
}
if (actions) {
  const S = '1b actions in-process';
  const swapMs = inproc?.single.putEnd.median;
  for (const a of actions) {
    rows.push({
      section: S, metric: a.label, value: med(a.summary, 'ms'),
      ...(swapMs ? { baseline: `swap PUT → .end ${fmt(swapMs)} ms`, ratio: `${fmt(a.summary.median / swapMs)}× a swap` } : {}),
    });
  }
}
if (http) {
  const S = `2 HTTP, ${http.connections} in flight`;
  const bareRps = http.bare.rps.summary.median;
  const limit = bareRps / httpPerSwap;
  rows.push({ section: S, metric: `bare fastify small JSON req/s (autocannon, ${http.connections} connections)`, value: med(http.bare.rps.summary, 'req/s'), baseline: 'baseline' });
  rows.push({
    section: S, metric: `swaps/s against novasim serve (${http.swap.swaps} swaps timed)`, value: med(http.swap.swapsPerSec.summary, 'swaps/s'),
    baseline: `stack limit ${fmt(limit)} swaps/s = ${fmt(bareRps)} ÷ ${fmt(httpPerSwap)} requests`,
    ratio: `${fmt((http.swap.swapsPerSec.summary.median / limit) * 100)}% of the limit`, target: '≥ 25%',
    met: http.swap.swapsPerSec.summary.median / limit >= 0.25,
  });
  rows.push({
    section: S, metric: 'PUT → 202 latency p50 / p99 (closed loop: saturation)', value: `p50 ${fmt(http.swap.put202.median)} ms, p99 ${fmt(http.swap.put202.p99)} ms (max ${fmt(http.swap.put202.max)})`,
    baseline: `bare fastify p99 ${fmt(http.bare.p99.summary.median)} ms; Nova ≈ ${NOVA.put202Ms} ms`, target: 'p99 ≤ 10 ms', met: http.swap.put202.p99 <= 10,
  });
  rows.push({
    section: S, metric: 'PUT → .end latency p50 / p99 (SSE)', value: `p50 ${fmt(http.swap.putEnd.median)} ms, p99 ${fmt(http.swap.putEnd.p99)} ms (max ${fmt(http.swap.putEnd.max)})`,
    baseline: `Nova ≈ ${NOVA.putEndMs} ms (one at a time)`,
  });
  rows.push({
    section: S, metric: `open loop at ${fmt(http.paced.ratePerSec)} swaps/s (half the closed-loop rate): PUT → 202 p50 / p99`,
    value: `p50 ${fmt(http.paced.put202.median)} ms, p99 ${fmt(http.paced.put202.p99)} ms`, baseline: `PUT → .end p50 ${fmt(http.paced.putEnd.median)} ms, p99 ${fmt(http.paced.putEnd.p99)} ms`,
  });
  rows.push({ section: S, metric: 'novasim serve RSS after the load', value: `${fmt(http.serveRssAfterMb)} MB` });
}
if (cold) {
  const S = '3 cold start';
  rows.push({ section: S, metric: `bare fastify: spawn → listening (${cold.runs} runs)`, value: med(cold.bare, 'ms'), baseline: 'baseline' });
  rows.push({
    section: S, metric: 'novasim serve --db :memory: spawn → ready line', value: med(cold.memory, 'ms'), baseline: `${fmt(cold.bare.median)} ms bare; Nova import ${NOVA.pythonImportS} s`,
    ratio: `${ratio(cold.memory.median, cold.bare.median)} bare; ${fmt((NOVA.pythonImportS * 1000) / cold.memory.median)}× faster than Nova's import`,
    target: '≤ 1.5× bare', met: cold.memory.median <= 1.5 * cold.bare.median,
  });
  rows.push({
    section: S, metric: 'novasim serve --db FILE (new file: migrate + seed)', value: med(cold.fileFresh, 'ms'),
    ratio: `${ratio(cold.fileFresh.median, cold.bare.median)} bare`, target: '≤ 1.5× bare', met: cold.fileFresh.median <= 1.5 * cold.bare.median,
  });
  rows.push({ section: S, metric: 'novasim serve --db FILE (existing file)', value: med(cold.fileExisting, 'ms'), ratio: `${ratio(cold.fileExisting.median, cold.bare.median)} bare` });
  rows.push({
    section: S, metric: 'idle RSS, :memory: / file', value: `${med(cold.idleRss.memory, 'MB')} / ${fmt(cold.idleRss.file.median)} MB`,
    baseline: `bare fastify ${fmt(cold.idleRss.bare.median)} MB; Nova peak ${NOVA.peakRssMb} MB`, target: '≤ 100 MB',
    met: Math.max(cold.idleRss.memory.median, cold.idleRss.file.median) <= 100,
  });
}
if (scale) {
  const S = `4 scale (${scale.servers.toLocaleString('en-US')} servers)`;
  rows.push({ section: S, metric: `seed ${scale.servers} servers + volumes + attachments through the stores`, value: `${fmt(scale.seedMs)} ms`, baseline: `rows: ${Object.entries(scale.counts).map(([k, v]) => `${k} ${v}`).join(', ')}` });
  rows.push({
    section: S, metric: `GET /servers/detail?limit=1000 (inject; ${scale.fullList.listed} returned)`, value: med(scale.fullList, 'ms'),
    baseline: `${fmt(scale.emptyList.median)} ms with ${scale.emptyList.listed} server`, target: '≤ 50 ms', met: scale.fullList.median <= 50,
  });
  rows.push({
    section: S, metric: `swap PUT → .end at ${scale.servers.toLocaleString('en-US')} servers vs an empty DB (alternating batches, same process)`, value: med(scale.fullSwap, 'ms'), baseline: `${med(scale.emptySwap, 'ms')} empty`,
    ratio: ratio(scale.fullSwap.median, scale.emptySwap.median), target: '≤ 1.5×', met: scale.fullSwap.median <= 1.5 * scale.emptySwap.median,
  });
  const maxRss = Math.max(scale.rssFull, ...scale.series.map((p) => p.rssMb));
  const at = (f: number) => scale.series[Math.round(scale.series.length * f) - 1];
  rows.push({
    section: S, metric: `RSS with ${scale.servers} servers + ${scale.notifications.toLocaleString('en-US')} notifications (cap ${scale.notificationCap}), max of samples`,
    value: `${fmt(maxRss)} MB`, baseline: `${fmt(scale.rssEmpty)} MB empty DB; ${fmt(scale.rssBeforeSim)} MB node + imports`, target: '≤ 250 MB', met: maxRss <= 250,
  });
  rows.push({
    section: S, metric: 'RSS / heap while notifications go from 20% to 100% (capped)',
    value: `RSS ${fmt(at(0.2).rssMb)} → ${fmt(at(1).rssMb)} MB, heap ${fmt(at(0.2).heapMb)} → ${fmt(at(1).heapMb)} MB`,
    ratio: `${fmt(at(1).rssMb - at(0.2).rssMb)} MB`, target: 'flat', met: at(1).rssMb - at(0.2).rssMb <= 25,
  });
  rows.push({ section: S, metric: 'capture emit rate (clone + envelope + freeze + ring)', value: `${fmt(scale.emitPerSec)} notifications/s`, baseline: `${scale.payloadBytes} B payload` });
}
if (notify) {
  const S = '5 notifications';
  rows.push({
    section: S, metric: 'emit → visible to a blocked GET /_novasim/notifications/wait', value: med(notify.wait, 'ms'),
    baseline: `${med(notify.health, 'ms')} GET /_novasim/health round trip`, ratio: ratio(notify.wait.median, notify.health.median),
  });
  rows.push({ section: S, metric: 'emit → SSE frame received (/_novasim/notifications/stream)', value: med(notify.sse, 'ms'), ratio: ratio(notify.sse.median, notify.health.median) });
  const sink = (name: string, r: NotifyResult['jsonl'] | NotifyResult['amqp']) => {
    if ('skipped' in r) {
      rows.push({ section: S, metric: `${name} sink`, value: `not measured: ${r.skipped}` });
      return;
    }
    rows.push({
      section: S, metric: `${name} sink throughput (emitted and ${name === 'JSONL' ? 'written' : 'broker-confirmed'})`, value: `${fmt(r.sinkPerSec)} notifications/s`,
      baseline: `${fmt(r.captureOnlyPerSec)}/s capture only`, ratio: ratio(r.sinkPerSec, r.captureOnlyPerSec),
    });
    rows.push({
      section: S, metric: `swap PUT → .end with the ${name} sink on vs off (alternating batches)`, value: med(r.swapOn, 'ms'), baseline: `${med(r.swapOff, 'ms')} off`,
      ratio: `${ratio(r.swapOn.median, r.swapOff.median)} wall; CPU ${fmt(r.cpuOn)} vs ${fmt(r.cpuOff)} ms/swap (${ratio(r.cpuOn, r.cpuOff)})`,
      target: 'no slowdown (≤ 1.1×)', met: r.swapOn.median <= 1.1 * r.swapOff.median,
    });
  };
  sink('JSONL', notify.jsonl);
  sink('AMQP', notify.amqp);
}

const total = (performance.now() - started) / 1000;
const loadEnd = os.loadavg().map((l) => Number(l.toFixed(2)));
const header = [
  `novasim bench (${quick ? 'quick' : 'full'}) — ${new Date().toISOString()}`,
  `machine: ${m.cpu}; nproc ${m.nproc}; ${m.memoryGiB} GiB RAM; node ${m.node}; ${m.kernel}`,
  `load average (1/5/15 min) at start ${m.loadavgStart.join(' / ')}, at end ${loadEnd.join(' / ')}`,
  `sections: ${Object.entries(timings).map(([k, v]) => `${k} ${v.toFixed(1)} s`).join(', ')}; total ${total.toFixed(1)} s (excluding the build)`,
];
const table = renderTable(rows);
process.stdout.write(`\n${header.join('\n')}\n\n${table}\n`);
const met = rows.filter((r) => r.met === true).length;
const missed = rows.filter((r) => r.met === false).length;
process.stdout.write(`\ntargets: ${met} met, ${missed} missed\n`);
if (values.json) {
  writeFileSync(values.json, `${JSON.stringify({ machine: { ...m, loadavgEnd: loadEnd }, quick, timings, total, rows, raw: { inproc, httpPerSwap, http, cold, scale, notify } }, null, 2)}\n`);
}
// Timers of closed simulators must not keep us alive; sockets are closed by now.
process.exit(0);

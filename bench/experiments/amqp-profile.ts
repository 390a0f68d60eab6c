// EXPERIMENT (not part of `npm run bench`): CPU cost of the AMQP sink per notification, against the
// local RabbitMQ (own exchange/topic, deleted afterwards). Run under `node --cpu-prof` to see where
// it goes. Usage: node --import tsx bench/experiments/amqp-profile.ts [count]
import amqp from 'amqplib';
import { AmqpSink } from '../../src/notifier/sinks/amqp.js';
import { swapRig } from '../sections/inprocess.js';

const COUNT = Number(process.argv[2] ?? 3000);
const URL = process.env.BENCH_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const rig = await swapRig();
const ctx = { requestId: 'req-bench', userId: 'fake', projectId: rig.s.projectId, roles: ['admin'], isAdmin: true, authToken: 't' };
const instance = rig.sim.services.instances.get(rig.server)!;
const bdms = rig.sim.services.bdms.listForInstance(rig.server);
const emit = () => rig.sim.notifier.notifyAboutVolumeSwap(ctx, instance, bdms, 'compute', 'end', rig.vols[0], rig.vols[1]);
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
// capture only
let c = cpu();
for (let i = 0; i < COUNT; i++) emit();
const captureOnly = (cpu() - c) / COUNT;
const sink = new AmqpSink({ url: URL, exchange: 'novasim_bench', topics: ['novasim_bench'], bufferLimit: 100_000 });
rig.sim.notifier.addSink(sink);
emit();
while (sink.stats().published < 1) await new Promise((r) => setTimeout(r, 5));
c = cpu();
const t0 = performance.now();
for (let i = 0; i < COUNT; i++) emit();
const publishCpu = (cpu() - c) / COUNT;
while (sink.stats().published < COUNT + 1) await new Promise((r) => setTimeout(r, 1));
const total = (cpu() - c) / COUNT;
console.log(`per notification: capture only ${(captureOnly * 1000).toFixed(0)} µs CPU; with AMQP: ${(publishCpu * 1000).toFixed(0)} µs CPU in emit(), ${(total * 1000).toFixed(0)} µs CPU until broker-confirmed; ${(COUNT / (performance.now() - t0) * 1000).toFixed(0)}/s`);
await sink.close();
await rig.sim.close();
const conn = await amqp.connect(URL);
const ch = await conn.createChannel();
await ch.deleteQueue('novasim_bench.info').catch(() => {});
await ch.deleteExchange('novasim_bench').catch(() => {});
await conn.close();

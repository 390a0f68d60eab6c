// 4. Scale, in a fresh process so RSS means something (run by bench/run.ts; prints one JSON line).
//    - swap latency and RSS on an (almost) empty DB;
//    - 10,000 more servers, each with an attached volume, inserted through the stores
//      (sim.services.instances/bdms and the fake Cinder's store) by cloning the rows one real
//      boot + attach produced — seeding 10k through the API would take longer than the whole
//      bench budget on 2 cores (each attach is 7 HTTP calls);
//    - GET /compute/v2.1/servers/detail?limit=1000 latency, swap latency again, RSS;
//    - 100,000 captured notifications (real InstanceActionVolumeSwapPayload builds) with the
//      default cap of 10,000: RSS sampled every 10,000.
// Usage: node --expose-gc --import tsx bench/children/scale.ts [--quick]
import { cinderBackend } from '../../src/cinder-fake/plugin.js';
import type { RequestContext } from '../../src/domain.js';
import { measureSwaps, swapRig } from '../sections/inprocess.js';
import { expectStatus } from '../lib/client.js';
import { attach, boot, createVolume } from '../lib/sample-env.js';
import { rssMb, summarize, timeEach } from '../lib/stats.js';

const quick = process.argv.includes('--quick');
const SERVERS = quick ? 2_000 : 10_000;
const NOTIFICATIONS = quick ? 20_000 : 100_000;
const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
const settledRss = () => {
  gc();
  gc();
  return rssMb();
};

const rssAtStart = settledRss(); // node + tsx, before the simulator is imported
const rig = await swapRig();
const { sim, r, s } = rig;
const swapCount = quick ? 30 : 200;
const emptySwap = await measureSwaps(rig, swapCount, quick ? 10 : 50);
const listOnce = async () => expectStatus(await r('GET', '/compute/v2.1/servers/detail?limit=1000', undefined, s.headers), 200, 'list');
const emptyList = summarize(await timeEach(5, listOnce));
const rssEmpty = settledRss();

// Template rows from one real boot + attach.
const { id: tplServer } = await boot(r, s, { name: 'template' });
const tplVol = await createVolume(r, s, 1);
await sim.idle();
await attach(r, s, tplServer, tplVol);
await sim.idle();
const store = cinderBackend(sim.services).core.store;
const inst = sim.services.instances.get(tplServer)!;
const [bdm] = sim.services.bdms.listForInstance(tplServer).filter((b) => b.volume_id === tplVol);
const vol = store.getVolume(tplVol)!;
const att = store.attachmentsOf(tplVol)[0];
const uuid = () => sim.services.runtime.uuid();

const seedStart = performance.now();
sim.services.db.transaction(() => {
  const base = inst.created_at.getTime() - SERVERS * 1000;
  for (let i = 0; i < SERVERS; i++) {
    const server = uuid();
    const volumeId = uuid();
    const attachmentId = uuid();
    const created = new Date(base + i * 1000);
    const { id: _id, ...rest } = inst;
    sim.services.instances.insert({
      ...rest, uuid: server, display_name: `scale-${i}`, hostname: `scale-${i}`, reservation_id: `r-${String(i).padStart(8, '0')}`,
      created_at: created, updated_at: created, launched_at: created,
    });
    const { id: _b, ...bdmRest } = bdm;
    sim.services.bdms.insert({
      ...bdmRest, uuid: uuid(), instance_uuid: server, volume_id: volumeId, attachment_id: attachmentId,
      connection_info: bdm.connection_info?.replaceAll(tplVol, volumeId) ?? null, created_at: created, updated_at: created,
    });
    const iso = created.toISOString();
    store.insertVolume({ ...vol, id: volumeId, created_at: iso, updated_at: iso, launched_at: iso });
    store.insertAttachment({ ...att, id: attachmentId, volume_id: volumeId, instance_uuid: server, created_at: iso, updated_at: iso });
  }
})();
const seedMs = performance.now() - seedStart;
const counts = sim.services.db.prepare('SELECT (SELECT COUNT(*) FROM instances) AS servers, (SELECT COUNT(*) FROM block_device_mappings) AS bdms, (SELECT COUNT(*) FROM volumes) AS volumes').get();

for (let i = 0; i < 2; i++) await listOnce(); // warm
const listRes = await listOnce();
const listed = JSON.parse(listRes.body).servers.length as number;
const fullList = summarize(await timeEach(quick ? 5 : 15, listOnce));
const fullSwap = await measureSwaps(rig, swapCount, quick ? 10 : 30);
const rssFull = settledRss();

// 100k notifications through the notifier (same payload builder the swap flow uses).
const ctx: RequestContext = { requestId: 'req-bench', userId: 'fake', projectId: s.projectId, roles: ['admin'], isAdmin: true, authToken: 't' };
const instance = sim.services.instances.get(rig.server)!;
const bdms = sim.services.bdms.listForInstance(rig.server);
const rssSeries: { emitted: number; rssMb: number; heapMb: number; captured: number }[] = [];
const emitStart = performance.now();
for (let i = 1; i <= NOTIFICATIONS; i++) {
  sim.notifier.notifyAboutVolumeSwap(ctx, instance, bdms, 'compute', i % 2 ? 'start' : 'end', rig.vols[0], rig.vols[1]);
  if (i % (NOTIFICATIONS / 10) === 0) {
    const rss = settledRss();
    rssSeries.push({ emitted: i, rssMb: rss, heapMb: process.memoryUsage().heapUsed / 1048576, captured: sim.notifications.capture.length });
  }
}
const emitMs = performance.now() - emitStart;
const afterNotes = summarize(await timeEach(quick ? 3 : 5, listOnce));
const swapAfterNotes = await measureSwaps(rig, quick ? 20 : 100, 5);
await sim.close();

process.stdout.write(`${JSON.stringify({
  servers: SERVERS, notifications: NOTIFICATIONS, rssAtStart, rssEmpty, rssFull, seedMs, counts, listed,
  emptyList, fullList, afterNotes, emptySwap, fullSwap, swapAfterNotes,
  notificationCap: sim.notifications.capture.cap, emitPerSec: (NOTIFICATIONS / emitMs) * 1000, rssSeries,
})}\n`);

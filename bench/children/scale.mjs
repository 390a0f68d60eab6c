// 4. Scale, in a fresh process running the compiled package (dist/), so RSS is what a user's
//    process would see (no tsx loader, no earlier bench sections). Run by bench/run.ts with
//    `node --expose-gc bench/children/scale.mjs [--quick]`; prints one JSON line.
//    - swap latency, list latency and RSS with an (almost) empty DB;
//    - 10,000 more servers, each with an attached volume, inserted through the stores
//      (sim.services.instances / sim.services.bdms and the fake Cinder's CinderStore), cloning the
//      rows one real boot + attach produced. Seeding 10k through the API would take minutes here
//      (each attach is 7 HTTP calls), longer than the whole bench budget;
//    - GET /compute/v2.1/servers/detail?limit=1000 latency (inject), swap latency again, RSS;
//    - 100,000 captured notifications with the default cap (10,000): real volume_swap payloads
//      (one built by the notifier, structured-cloned per emit so each is its own object) through
//      notifier.emit(), RSS and heap sampled every 10%.
import { createSimulator } from '../../dist/index.js';
import { cinderBackend } from '../../dist/cinder-fake/plugin.js';

const quick = process.argv.includes('--quick');
const SERVERS = quick ? 1_000 : 10_000;
const NOTIFICATIONS = quick ? 10_000 : 100_000;
const gc = globalThis.gc ?? (() => {});
const mb = (b) => b / 1048576;
const settledRss = () => {
  gc();
  gc();
  return mb(process.memoryUsage.rss());
};
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const summary = (xs) => ({ n: xs.length, median: median(xs), min: Math.min(...xs), max: Math.max(...xs) });

const rssBeforeSim = settledRss();

/** A simulator with one server and two volumes, the first attached, and swap/list helpers. */
async function rig() {
  const sim = await createSimulator({
    profile: 'zed', logLevel: 'silent', buildDelayMs: 0, volumeCreateDelayMs: 0, volumeQuota: -1, gigabytesQuota: -1,
  });
  const req = async (method, url, payload, headers = {}, want = [200, 202]) => {
    const r = await sim.app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload }) });
    if (!want.includes(r.statusCode)) throw new Error(`${method} ${url}: ${r.statusCode} ${r.body.slice(0, 300)}`);
    return r;
  };
  const login = await req('POST', '/identity/v3/auth/tokens', {
    auth: {
      identity: { methods: ['password'], password: { user: { name: 'admin', password: 'secret', domain: { name: 'Default' } } } },
      scope: { project: { name: 'admin', domain: { name: 'Default' } } },
    },
  }, {}, [201]);
  const token = login.headers['x-subject-token'];
  const projectId = login.json().token.project.id;
  const H = { 'x-auth-token': token, 'openstack-api-version': 'compute 2.92' };
  const boot = async (name) => (await req('POST', '/compute/v2.1/servers', { server: { name, imageRef: '155d900f-4e14-4e4c-a73d-069cbf4541e6', flavorRef: '1', networks: 'none' } }, H)).json().server.id;
  const volume = async () => (await req('POST', `/volume/v3/${projectId}/volumes`, { volume: { size: 1 } }, { 'x-auth-token': token })).json().volume.id;
  const attach = (server, volumeId) => req('POST', `/compute/v2.1/servers/${server}/os-volume_attachments`, { volumeAttachment: { volumeId } }, H);
  const server = await boot('rig');
  const vols = [await volume(), await volume()];
  await sim.idle();
  await attach(server, vols[0]);
  await sim.idle();
  let cur = 0;
  /** Swap PUT → .end times (ms), pushed to `out`. */
  async function swaps(count, out = []) {
    for (let i = 0; i < count; i++) {
      const since = sim.notifications.capture.lastSeq;
      const t0 = performance.now();
      await req('PUT', `/compute/v2.1/servers/${server}/os-volume_attachments/${vols[cur]}`, { volumeAttachment: { volumeId: vols[1 - cur] } }, H, [202]);
      await sim.notifications.waitFor('instance.volume_swap.end', { since, instanceUuid: server, timeoutMs: 5000 });
      out.push(performance.now() - t0);
      cur = 1 - cur;
      await sim.idle();
    }
    return out;
  }
  async function lists(count) {
    const out = [];
    let listed = 0;
    for (let i = 0; i < count; i++) {
      const t0 = performance.now();
      const r = await req('GET', '/compute/v2.1/servers/detail?limit=1000', undefined, H, [200]);
      out.push(performance.now() - t0);
      listed = JSON.parse(r.body).servers.length;
    }
    return { ...summary(out), listed };
  }
  return { sim, projectId, server, vols, boot, volume, attach, swaps, lists };
}

const big = await rig();
const { sim, server, vols, projectId } = big;
const emptyList = await big.lists(5);
const rssEmpty = settledRss();

// Template rows from one real boot + attach.
const tplServer = await big.boot('template');
const tplVol = await big.volume();
await sim.idle();
await big.attach(tplServer, tplVol);
await sim.idle();
const store = cinderBackend(sim.services).core.store;
const inst = sim.services.instances.get(tplServer);
const bdm = sim.services.bdms.listForInstance(tplServer).find((b) => b.volume_id === tplVol);
const vol = store.getVolume(tplVol);
const att = store.attachmentsOf(tplVol)[0];
const uuid = () => sim.services.runtime.uuid();

const seedStart = performance.now();
sim.services.db.transaction(() => {
  const base = inst.created_at.getTime() - SERVERS * 1000;
  const { id: _i, ...instRest } = inst;
  const { id: _b, ...bdmRest } = bdm;
  for (let i = 0; i < SERVERS; i++) {
    const uuidS = uuid();
    const volumeId = uuid();
    const attachmentId = uuid();
    const created = new Date(base + i * 1000);
    const iso = created.toISOString();
    sim.services.instances.insert({
      ...instRest, uuid: uuidS, display_name: `scale-${i}`, hostname: `scale-${i}`, reservation_id: `r-${String(i).padStart(8, '0')}`,
      created_at: created, updated_at: created, launched_at: created,
    });
    sim.services.bdms.insert({
      ...bdmRest, uuid: uuid(), instance_uuid: uuidS, volume_id: volumeId, attachment_id: attachmentId,
      connection_info: bdm.connection_info ? bdm.connection_info.replaceAll(tplVol, volumeId) : null, created_at: created, updated_at: created,
    });
    store.insertVolume({ ...vol, id: volumeId, created_at: iso, updated_at: iso, launched_at: iso });
    store.insertAttachment({ ...att, id: attachmentId, volume_id: volumeId, instance_uuid: uuidS, created_at: iso, updated_at: iso });
  }
})();
const seedMs = performance.now() - seedStart;
const counts = sim.services.db
  .prepare('SELECT (SELECT COUNT(*) FROM instances) AS servers, (SELECT COUNT(*) FROM block_device_mappings WHERE deleted = 0) AS bdms, (SELECT COUNT(*) FROM volumes) AS volumes, (SELECT COUNT(*) FROM volume_attachments) AS attachments')
  .get();

await big.lists(2); // warm
const fullList = await big.lists(quick ? 3 : 8);
const rssFull = settledRss();

// Swap latency at SERVERS vs an empty DB: a second, empty simulator in the same process, measured
// in alternating batches so JIT state and machine load hit both alike.
const empty = await rig();
const SWAPS = quick ? 20 : 60;
const BATCH = 10;
await empty.swaps(quick ? 10 : 20);
await big.swaps(quick ? 10 : 20);
const emptyTimes = [];
const fullTimes = [];
for (let i = 0; i < SWAPS / BATCH; i++) {
  await empty.swaps(BATCH, emptyTimes);
  await big.swaps(BATCH, fullTimes);
}
const emptySwap = summary(emptyTimes);
const fullSwap = summary(fullTimes);
await empty.sim.close();

// 100k notifications, capped capture.
const ctx = { requestId: 'req-bench', userId: 'fake', projectId, roles: ['admin'], isAdmin: true, authToken: 't' };
const built = sim.notifier.notifyAboutVolumeSwap(ctx, sim.services.instances.get(server), sim.services.bdms.listForInstance(server), 'compute', 'end', vols[0], vols[1]);
const payloadJson = JSON.stringify(built.envelope.payload);
const series = [];
const t0 = performance.now();
for (let i = 1; i <= NOTIFICATIONS; i++) {
  sim.notifier.emit({
    context: ctx, eventType: 'instance.volume_swap.end', priority: 'INFO', source: 'nova-compute', host: 'compute',
    payload: JSON.parse(payloadJson), instanceUuid: server, projectId,
  });
  if (i % (NOTIFICATIONS / 10) === 0) {
    series.push({ emitted: i, rssMb: settledRss(), heapMb: mb(process.memoryUsage().heapUsed), captured: sim.notifications.capture.length, dropped: sim.notifications.capture.dropped });
  }
}
const emitMs = performance.now() - t0;
const swapAfterNotes = summary(await big.swaps(quick ? 10 : 20));
const cap = sim.notifications.capture.cap;
await sim.close();

process.stdout.write(`${JSON.stringify({
  servers: SERVERS, notifications: NOTIFICATIONS, notificationCap: cap, rssBeforeSim, rssEmpty, rssFull, seedMs, counts,
  emptyList, fullList, emptySwap, fullSwap, swapAfterNotes, emitPerSec: (NOTIFICATIONS / emitMs) * 1000, series,
  payloadBytes: payloadJson.length,
})}\n`);

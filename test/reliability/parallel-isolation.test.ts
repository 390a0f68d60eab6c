// Parallel test isolation: POST /_novasim/reset is fast and atomic (readers see all or nothing; no
// state, fault, notification or in-flight operation survives it), and many simulators in one process
// are fully independent (each its own database, port, notifications).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Simulator } from '../../src/index.js';
import { IMAGE_ID, http, pool, report, sleep } from '../helpers/reliability.js';
import { bootServer, client, startSim, type Client } from '../helpers/sim.js';
import { attach, createVolume } from '../helpers/volumes.js';

/** Rows in every table that reset must empty (the seed tables are checked separately). */
function dataCounts(sim: Simulator): Record<string, number> {
  const out: Record<string, number> = {};
  for (const t of ['instances', 'block_device_mappings', 'instance_actions', 'instance_actions_events', 'instance_faults', 'compute_tasks', 'volumes', 'volume_attachments']) {
    out[t] = (sim.services.db.prepare(`SELECT COUNT(*) AS n FROM ${t}`).get() as { n: number }).n;
  }
  return out;
}

const seedCounts = (sim: Simulator) => ({
  users: (sim.services.db.prepare('SELECT COUNT(*) AS n FROM users').get() as { n: number }).n,
  flavors: (sim.services.db.prepare('SELECT COUNT(*) AS n FROM flavors').get() as { n: number }).n,
  images: (sim.services.db.prepare('SELECT COUNT(*) AS n FROM images').get() as { n: number }).n,
});

describe('POST /_novasim/reset', () => {
  let sim: Simulator;
  let admin: Client;
  let demo: Client;
  let base: string;

  beforeAll(async () => {
    sim = await startSim({ profile: 'zed', volumeQuota: -1, gigabytesQuota: -1, volumeCreateDelayMs: 0, volumeDeleteDelayMs: 0 });
    admin = await client(sim, 'admin', null);
    demo = await client(sim, 'demo', null);
    base = await sim.listen();
  });
  afterAll(() => sim?.close());

  /** 100 servers, 100 volumes, 10 attachments, a locked server, faults, a notification backlog. */
  async function populate(): Promise<string[]> {
    const res = await demo.req('POST', '/compute/v2.1/servers', { server: { name: 'many', imageRef: IMAGE_ID, flavorRef: '1', networks: 'none', min_count: 100, max_count: 100 } });
    expect(res.statusCode).toBe(202);
    await Promise.all(Array.from({ length: 100 }, () => sim.app.inject({ method: 'POST', url: `/volume/v3/${demo.projectId}/volumes`, headers: { 'x-auth-token': demo.token }, payload: { volume: { size: 1 } } })));
    await sim.idle();
    const servers = (await demo.req('GET', '/compute/v2.1/servers')).json().servers.map((s: { id: string }) => s.id) as string[];
    const vols = (await sim.app.inject({ url: `/volume/v3/${demo.projectId}/volumes`, headers: { 'x-auth-token': demo.token } })).json().volumes.map((v: { id: string }) => v.id) as string[];
    await Promise.all(servers.slice(0, 10).map((s, i) => attach(sim, demo, s, vols[i])));
    await demo.req('POST', `/compute/v2.1/servers/${servers[10]}/action`, { lock: null });
    sim.faults.add({ service: 'cinder', operation: 'attachment_update', error: { status: 500, message: 'boom' }, times: 5 });
    await sim.idle();
    return servers;
  }

  it('empties 100 servers + 100 volumes + attachments quickly, keeps the seed and the logins', async () => {
    await populate();
    const before = dataCounts(sim);
    expect(before.instances).toBe(100);
    expect(before.volumes).toBe(100);
    expect(before.volume_attachments).toBe(10);
    const t0 = performance.now();
    const res = await sim.app.inject({ method: 'POST', url: '/_novasim/reset' });
    const ms = performance.now() - t0;
    expect(res.statusCode).toBe(204);
    report(`reset: ${JSON.stringify(before)} emptied in ${ms.toFixed(1)} ms`);
    expect(ms).toBeLessThan(500);
    expect(Object.values(dataCounts(sim)).every((n) => n === 0)).toBe(true);
    expect(seedCounts(sim)).toEqual({ users: 4, flavors: 5, images: 1 });
    expect(sim.notifications.list()).toEqual([]);
    expect(sim.faults.list()).toEqual([]);
    // Through the APIs: nothing left, and the same tokens still work (users and projects keep their ids).
    expect((await admin.req('GET', '/compute/v2.1/servers/detail?all_tenants=1')).json().servers).toEqual([]);
    expect((await sim.app.inject({ url: `/volume/v3/${admin.projectId}/volumes/detail?all_tenants=1`, headers: { 'x-auth-token': admin.token } })).json().volumes).toEqual([]);
    expect((await sim.app.inject({ url: `/volume/v3/${admin.projectId}/attachments?all_tenants=1`, headers: { 'x-auth-token': admin.token, 'openstack-api-version': 'volume 3.44' } })).json().attachments).toEqual([]);
    // And the next test can work at once: the volume types are back, a boot + attach succeeds.
    const server = await bootServer(sim, demo, 'after-reset');
    const vol = await createVolume(sim, demo, 1, 'after-reset');
    await attach(sim, demo, server, vol);
    expect(sim.notifications.list({ eventType: 'instance.volume_attach.end' })).toHaveLength(1);
  });

  it('is atomic for readers: 40 concurrent list calls during a reset see all 100 servers or none', async () => {
    await sim.reset();
    await populate();
    const reads = Array.from({ length: 40 }, (_, i) => async () => {
      await sleep(i % 8);
      const r = await http(base, 'GET', '/compute/v2.1/servers?limit=1000', { token: demo.token });
      return r.json().servers.length as number;
    });
    const [counts] = await Promise.all([
      pool(reads, 40).then((p) => p.results),
      (async () => {
        await sleep(2);
        expect((await http(base, 'POST', '/_novasim/reset')).status).toBe(204);
      })(),
    ]);
    const seen = new Set(counts);
    report(`reset atomicity: reader counts seen ${[...seen].sort((a, b) => a - b).join(', ')}`);
    expect([...seen].every((n) => n === 100 || n === 0)).toBe(true);
  });

  it('waits for in-flight operations: nothing they do lands after the reset', async () => {
    await sim.reset();
    const servers = await Promise.all([1, 2, 3, 4, 5].map((i) => bootServer(sim, demo, `inflight-${i}`)));
    const pairs = await Promise.all(servers.map(async (s) => {
      const a = await createVolume(sim, demo, 1, 'a');
      const b = await createVolume(sim, demo, 1, 'b');
      await attach(sim, demo, s, a);
      return { s, a, b };
    }));
    sim.faults.add({ service: 'compute', operation: 'driver.swap_volume', error: { delay_ms: 150 }, times: 5 });
    const swaps = await Promise.all(pairs.map((p) => admin.req('PUT', `/compute/v2.1/servers/${p.s}/os-volume_attachments/${p.a}`, { volumeAttachment: { volumeId: p.b } })));
    expect(swaps.map((r) => r.statusCode)).toEqual([202, 202, 202, 202, 202]);
    const t0 = performance.now();
    await sim.reset();
    const ms = performance.now() - t0;
    await sleep(300); // anything still running would write or notify now
    expect(dataCounts(sim)).toEqual({ instances: 0, block_device_mappings: 0, instance_actions: 0, instance_actions_events: 0, instance_faults: 0, compute_tasks: 0, volumes: 0, volume_attachments: 0 });
    expect(sim.notifications.list()).toEqual([]);
    report(`reset with 5 swaps in flight (150 ms driver delay): ${ms.toFixed(0)} ms, nothing survived`);
  });
});

describe('many simulators in one process', () => {
  it('10 createSimulator() in parallel, each doing a swap: no cross-talk in data, notifications or ports', async () => {
    const t0 = performance.now();
    const sims = await Promise.all(Array.from({ length: 10 }, async (_, i) => {
      const sim = await startSim({ profile: 'zed', volumeCreateDelayMs: 0 });
      const admin = await client(sim, 'admin', null);
      const demo = await client(sim, 'demo', null);
      const server = await bootServer(sim, demo, `sim-${i}`);
      const oldVol = await createVolume(sim, demo, 1, `old-${i}`);
      const newVol = await createVolume(sim, demo, 1, `new-${i}`);
      await attach(sim, demo, server, oldVol);
      const r = await admin.req('PUT', `/compute/v2.1/servers/${server}/os-volume_attachments/${oldVol}`, { volumeAttachment: { volumeId: newVol } });
      expect(r.statusCode).toBe(202);
      await sim.notifications.waitFor('instance.volume_swap.end', { timeoutMs: 5000 });
      await sim.idle();
      return { sim, admin, server, oldVol, newVol };
    }));
    const elapsed = performance.now() - t0;
    try {
      const urls = new Set(sims.map((x) => x.sim.url));
      expect(urls.size).toBe(10);
      for (const [i, x] of sims.entries()) {
        const others = sims.filter((_, j) => j !== i);
        // Notifications: only about this simulator's server and volumes.
        const notes = x.sim.notifications.list();
        expect(notes.map((n) => n.envelope.event_type).filter((e) => e.startsWith('instance.volume_swap'))).toEqual(['instance.volume_swap.start', 'instance.volume_swap.end']);
        for (const n of notes) if (n.instanceUuid) expect(n.instanceUuid).toBe(x.server);
        const text = JSON.stringify(notes);
        for (const o of others) {
          expect(text.includes(o.server) || text.includes(o.oldVol) || text.includes(o.newVol)).toBe(false);
        }
        // Data: exactly its own server and volumes; the others' ids are unknown here.
        expect(x.sim.services.db.prepare('SELECT uuid FROM instances').all()).toEqual([{ uuid: x.server }]);
        expect((x.sim.services.db.prepare('SELECT id FROM volumes ORDER BY id').all() as { id: string }[]).map((v) => v.id)).toEqual([x.oldVol, x.newVol].sort());
        expect(x.sim.services.bdms.getByVolumeAndInstance(x.newVol, x.server)).not.toBeNull();
        const foreign = others[0];
        expect((await x.admin.req('GET', `/compute/v2.1/servers/${foreign.server}`)).statusCode).toBe(404);
      }
      report(`10 parallel simulators: setup + boot + attach + swap in ${elapsed.toFixed(0)} ms, 10 distinct ports, no cross-talk`);
    } finally {
      await Promise.all(sims.map((x) => x.sim.close()));
    }
  }, 30_000);
});

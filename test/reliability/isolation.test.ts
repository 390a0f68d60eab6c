// Isolation: between projects (and roles, tokens, the control plane) inside one simulator, and
// between tests: reset and many simulators in one process.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diffSnapshots, envelopeProblem, http, IMAGE_ID, report, serviceOf, sleep, snapshotDb, toAnswer, until } from '../helpers/reliability.js';
import { bootServer, type Client, client, login, startSim } from '../helpers/sim.js';
import { attach, createVolume } from '../helpers/volumes.js';
import type { Simulator } from '../../src/index.js';

// Isolation and security: a project never sees another project's servers, attachments, actions,
// volumes or Cinder attachments (404, as Nova and Cinder answer, and nothing changes); policy refuses
// non-admin swaps with Nova's text and hides admin-only fields; expired and revoked tokens are 401
// everywhere; --control-token / createSimulator({ controlToken }) guards /_novasim.
const SWAP_DENIED = "Policy doesn't allow os_compute_api:os-volumes-attachments:swap to be performed.";

describe('project isolation: demo cannot see or touch admin\'s resources', () => {
  let sim: Simulator;
  let admin: Client;
  let demo: Client;
  let a: { server: string; vol: string; free: string; att: string; req: string };
  let d: { server: string; vol: string };

  beforeAll(async () => {
    sim = await startSim({ profile: 'zed', volumeCreateDelayMs: 0 });
    admin = await client(sim, 'admin', null);
    demo = await client(sim, 'demo', null);
    const server = await bootServer(sim, admin, 'admin-vm');
    const vol = await createVolume(sim, admin, 1, 'admin-vol');
    const free = await createVolume(sim, admin, 1, 'admin-free');
    await attach(sim, admin, server, vol);
    const att = sim.services.bdms.getByVolumeAndInstance(vol, server)!.attachment_id!;
    a = { server, vol, free, att, req: sim.services.actions.list(server)[0].request_id };
    d = { server: await bootServer(sim, demo, 'demo-vm'), vol: await createVolume(sim, demo, 1, 'demo-vol') };
  });
  afterAll(() => sim?.close());

  it('every compute route answers 404 for another project\'s server, and changes nothing', async () => {
    const s = `/compute/v2.1/servers/${a.server}`;
    const cases: [string, string, unknown?, string?][] = [
      ['GET', s], ['PUT', s, { server: { name: 'stolen' } }], ['DELETE', s],
      ['GET', `${s}/os-volume_attachments`], ['GET', `${s}/os-volume_attachments/${a.vol}`],
      ['POST', `${s}/os-volume_attachments`, { volumeAttachment: { volumeId: a.free } }],
      ['DELETE', `${s}/os-volume_attachments/${a.vol}`],
      ['PUT', `${s}/os-volume_attachments/${a.vol}`, { volumeAttachment: { volumeId: a.vol, delete_on_termination: true } }, '2.85'],
      ['GET', `${s}/os-instance-actions`], ['GET', `${s}/os-instance-actions/${a.req}`],
      ['POST', `${s}/action`, { lock: null }], ['POST', `${s}/action`, { unlock: null }],
      ['GET', `${s}/tags`, undefined, '2.26'], ['PUT', `${s}/tags`, { tags: ['x'] }, '2.26'],
    ];
    const before = snapshotDb(sim);
    const wrong: string[] = [];
    for (const [method, url, body, v] of cases) {
      const res = await demo.req(method as 'GET', url, body, v ? { 'openstack-api-version': `compute ${v}` } : {});
      const ok = res.statusCode === 404 && res.json().itemNotFound?.message === `Instance ${a.server} could not be found.`;
      if (!ok) wrong.push(`${method} ${url} → ${res.statusCode} ${res.body.slice(0, 160)}`);
    }
    await sim.idle();
    expect(wrong).toEqual([]);
    expect(diffSnapshots(before, snapshotDb(sim))).toEqual([]);
    report(`project isolation (compute): ${cases.length} routes → 404, no state change`);
  });

  it('lists never leak another project\'s servers (all_tenants is an admin-only filter)', async () => {
    for (const url of ['/compute/v2.1/servers', '/compute/v2.1/servers/detail', '/compute/v2.1/servers/detail?all_tenants=1', `/compute/v2.1/servers?project_id=${admin.projectId}`, `/compute/v2.1/servers/detail?all_tenants=1&tenant_id=${admin.projectId}`]) {
      const res = await demo.req('GET', url);
      if (res.statusCode === 200) expect(res.json().servers.map((x: { id: string }) => x.id), url).not.toContain(a.server);
      else expect([403], url).toContain(res.statusCode);
    }
  });

  it('the volume API answers 404 for another project\'s volume and attachment, 400 for its URL, and changes nothing', async () => {
    const mine = `/volume/v3/${demo.projectId}`;
    const h = { 'x-auth-token': demo.token, 'openstack-api-version': 'volume 3.44' };
    const cases: [string, string, unknown?, RegExp?][] = [
      ['GET', `${mine}/volumes/${a.vol}`], ['PUT', `${mine}/volumes/${a.vol}`, { volume: { name: 'x' } }], ['DELETE', `${mine}/volumes/${a.free}`],
      ['POST', `${mine}/volumes/${a.free}/action`, { 'os-reserve': null }], ['POST', `${mine}/volumes/${a.vol}/action`, { 'os-begin_detaching': null }],
      ['POST', `${mine}/volumes/${a.free}/action`, { 'os-extend': { new_size: 5 } }],
      ['GET', `${mine}/attachments/${a.att}`, undefined, /^Volume attachment could not be found with filter: attachment_id = /],
      ['PUT', `${mine}/attachments/${a.att}`, { attachment: { connector: { host: 'h', initiator: 'i' } } }, /^Volume attachment could not be found/],
      ['DELETE', `${mine}/attachments/${a.att}`, undefined, /^Volume attachment could not be found/],
      ['POST', `${mine}/attachments/${a.att}/action`, { 'os-complete': null }, /^Volume attachment could not be found/],
      ['POST', `${mine}/attachments`, { attachment: { volume_uuid: a.free, instance_uuid: d.server } }],
    ];
    const before = snapshotDb(sim);
    const wrong: string[] = [];
    for (const [method, url, body, msg] of cases) {
      const res = await sim.app.inject({ method: method as 'GET', url, headers: h, payload: body as object | undefined });
      const m = res.statusCode === 404 ? res.json().itemNotFound?.message : null;
      const ok = res.statusCode === 404 && (msg ? msg.test(m) : /^Volume [0-9a-f-]{36} could not be found\.$/.test(m));
      if (!ok) wrong.push(`${method} ${url} → ${res.statusCode} ${res.body.slice(0, 160)}`);
    }
    // Cinder's ProjectMapper: a URL naming another project is malformed, whatever it asks for.
    for (const url of [`/volume/v3/${admin.projectId}/volumes`, `/volume/v3/${admin.projectId}/volumes/${a.vol}`, `/volume/v3/${admin.projectId}/attachments/${a.att}`]) {
      const res = await sim.app.inject({ url, headers: h });
      if (res.statusCode !== 400 || res.json().badRequest?.message !== 'Malformed request url') wrong.push(`GET ${url} → ${res.statusCode} ${res.body.slice(0, 120)}`);
    }
    await sim.idle();
    expect(wrong).toEqual([]);
    expect(diffSnapshots(before, snapshotDb(sim))).toEqual([]);
    for (const url of [`${mine}/volumes/detail?all_tenants=1`, `${mine}/volumes?all_tenants=1`]) {
      expect((await sim.app.inject({ url, headers: h })).json().volumes.map((v: { id: string }) => v.id)).not.toContain(a.vol);
    }
    for (const url of [`${mine}/attachments?all_tenants=1`, `${mine}/attachments/detail?all_tenants=1&volume_id=${a.vol}`]) {
      expect((await sim.app.inject({ url, headers: h })).json().attachments).toEqual([]);
    }
    report(`project isolation (volume): ${cases.length} routes → 404, 3 foreign-project URLs → 400, no state change`);
  });

  it('Nova, acting with demo\'s token, cannot reach admin\'s volume either', async () => {
    const attachRes = await demo.req('POST', `/compute/v2.1/servers/${d.server}/os-volume_attachments`, { volumeAttachment: { volumeId: a.free } });
    expect(attachRes.statusCode).toBe(404);
    expect(attachRes.json().itemNotFound.message).toBe(`Volume ${a.free} could not be found.`);
  });
});

describe('policy: swaps, admin-only fields', () => {
  for (const profile of ['zed', 'master'] as const) {
    it(`${profile}: a member's swap is a 403 with Nova's text, before anything happens`, async () => {
      const sim = await startSim({ profile, volumeCreateDelayMs: 0 });
      try {
        const demo = await client(sim, 'demo', null);
        const server = await bootServer(sim, demo);
        const v1 = await createVolume(sim, demo, 1, 'a');
        const v2 = await createVolume(sim, demo, 1, 'b');
        await attach(sim, demo, server, v1);
        const before = snapshotDb(sim);
        for (const v of ['2.1', '2.85', profile === 'zed' ? '2.93' : '2.104']) {
          const res = await demo.req('PUT', `/compute/v2.1/servers/${server}/os-volume_attachments/${v1}`, { volumeAttachment: { volumeId: v2 } }, { 'openstack-api-version': `compute ${v}` });
          expect(res.statusCode, v).toBe(403);
          expect(res.json()).toEqual({ forbidden: { code: 403, message: SWAP_DENIED } });
        }
        await sim.idle();
        expect(diffSnapshots(before, snapshotDb(sim))).toEqual([]);
        expect(sim.notifications.list({ eventType: 'instance.volume_swap.start' })).toEqual([]);
      } finally {
        await sim.close();
      }
    });
  }

  it('OS-EXT-SRV-ATTR:* are admin-only; Cinder\'s migration_status and os-vol-host-attr:host too', async () => {
    const sim = await startSim({ profile: 'zed', volumeCreateDelayMs: 0 });
    try {
      const demo = await client(sim, 'demo', 'latest');
      const admin = await client(sim, 'admin', 'latest');
      const server = await bootServer(sim, demo);
      const vol = await createVolume(sim, demo, 1, 'v');
      await attach(sim, demo, server, vol);
      const srvKeys = async (c: Client) => [
        ...Object.keys((await c.req('GET', `/compute/v2.1/servers/${server}`)).json().server),
        ...Object.keys((await c.req('GET', `/compute/v2.1/servers/detail${c === admin ? '?all_tenants=1' : ''}`)).json().servers[0]),
      ];
      // Nova 2.90 made OS-EXT-SRV-ATTR:hostname visible to everyone (it is settable at create/rebuild); the rest stay admin-only.
      expect([...new Set((await srvKeys(demo)).filter((k) => k.startsWith('OS-EXT-SRV-ATTR:')))]).toEqual(['OS-EXT-SRV-ATTR:hostname']);
      const at289 = (await demo.req('GET', `/compute/v2.1/servers/${server}`, undefined, { 'openstack-api-version': 'compute 2.89' })).json().server;
      expect(Object.keys(at289).filter((k) => k.startsWith('OS-EXT-SRV-ATTR:'))).toEqual([]);
      expect(await srvKeys(admin)).toEqual(expect.arrayContaining(['OS-EXT-SRV-ATTR:host', 'OS-EXT-SRV-ATTR:instance_name', 'OS-EXT-SRV-ATTR:hypervisor_hostname']));
      const volKeys = async (c: Client) => {
        const h = { 'x-auth-token': c.token };
        const show = (await sim.app.inject({ url: `/volume/v3/${demo.projectId}/volumes/${vol}`, headers: h })).json().volume;
        const list = (await sim.app.inject({ url: `/volume/v3/${c.projectId}/volumes/detail${c === admin ? '?all_tenants=1' : ''}`, headers: h })).json().volumes[0];
        return { keys: [...Object.keys(show), ...Object.keys(list)], hostName: show.attachments[0].host_name };
      };
      const asDemo = await volKeys(demo);
      expect(asDemo.keys.filter((k) => k === 'migration_status' || k.startsWith('os-vol-host-attr') || k.startsWith('os-vol-mig-status-attr'))).toEqual([]);
      expect(asDemo.hostName).toBeNull();
      const adminView = await sim.app.inject({ url: `/volume/v3/${admin.projectId}/volumes/${vol}`, headers: { 'x-auth-token': admin.token } });
      expect(Object.keys(adminView.json().volume)).toEqual(expect.arrayContaining(['migration_status', 'os-vol-host-attr:host', 'os-vol-mig-status-attr:migstat']));
    } finally {
      await sim.close();
    }
  });
});

describe('tokens: expired and revoked are 401 everywhere', () => {
  let sim: Simulator;
  let probes: { url: string; method: 'GET' | 'POST' }[];

  beforeAll(async () => {
    sim = await startSim({ profile: 'zed', tokenTtlSeconds: 600, volumeCreateDelayMs: 0 });
    const demo = await client(sim, 'demo', null);
    const server = await bootServer(sim, demo);
    probes = [
      { method: 'GET', url: `/compute/v2.1/servers/${server}` },
      { method: 'GET', url: '/compute/v2.1/flavors' },
      { method: 'GET', url: `/volume/v3/${demo.projectId}/volumes` },
      { method: 'POST', url: `/volume/v3/${demo.projectId}/volumes` },
      { method: 'GET', url: '/image/v2/images' },
      { method: 'GET', url: `/image/v2/images/${IMAGE_ID}` },
    ];
  });
  afterAll(() => sim?.close());

  const refusedEverywhere = async (token: string) => {
    const wrong: string[] = [];
    for (const p of probes) {
      const res = await sim.app.inject({ method: p.method, url: p.url, headers: { 'x-auth-token': token }, payload: p.method === 'POST' ? { volume: { size: 1 } } : undefined });
      const env = envelopeProblem(serviceOf(p.url), toAnswer(res));
      if (res.statusCode !== 401 || env) wrong.push(`${p.method} ${p.url} → ${res.statusCode} ${env ?? ''}`);
    }
    return wrong;
  };

  it('a token past its expiry (simulator clock advanced) is refused by Nova, Cinder and Glance', async () => {
    const { token } = await login(sim, 'demo');
    expect((await sim.app.inject({ url: probes[0].url, headers: { 'x-auth-token': token } })).statusCode).toBe(200);
    sim.services.runtime.advance(599_000);
    expect((await sim.app.inject({ url: probes[0].url, headers: { 'x-auth-token': token } })).statusCode).toBe(200);
    sim.services.runtime.advance(2_000);
    expect(await refusedEverywhere(token)).toEqual([]);
    // A fresh login works again.
    const fresh = await login(sim, 'demo');
    expect((await sim.app.inject({ url: probes[0].url, headers: { 'x-auth-token': fresh.token } })).statusCode).toBe(200);
  });

  it('a revoked token (DELETE /identity/v3/auth/tokens) is refused at once; revoking twice is a 404', async () => {
    const admin = await login(sim, 'admin');
    const { token } = await login(sim, 'demo');
    const del = await sim.app.inject({ method: 'DELETE', url: '/identity/v3/auth/tokens', headers: { 'x-auth-token': admin.token, 'x-subject-token': token } });
    expect(del.statusCode).toBe(204);
    expect(await refusedEverywhere(token)).toEqual([]);
    const again = await sim.app.inject({ method: 'DELETE', url: '/identity/v3/auth/tokens', headers: { 'x-auth-token': admin.token, 'x-subject-token': token } });
    expect(again.statusCode).toBe(404);
    // A token may revoke itself (logout); then it is gone too.
    const self = await login(sim, 'demo');
    expect((await sim.app.inject({ method: 'DELETE', url: '/identity/v3/auth/tokens', headers: { 'x-auth-token': self.token, 'x-subject-token': self.token } })).statusCode).toBe(204);
    expect(await refusedEverywhere(self.token)).toEqual([]);
  });
});

describe('control token: /_novasim needs X-Novasim-Control-Token when one is configured', () => {
  let sim: Simulator;
  const TOKEN = 'c0ntr0l-s3cret';

  beforeAll(async () => {
    sim = await startSim({ profile: 'zed', controlToken: TOKEN });
  });
  afterAll(() => sim?.close());

  it('every control route is 401 without (or with a wrong) header, changes nothing, and works with it', async () => {
    const demo = await client(sim, 'demo', null);
    const server = await bootServer(sim, demo);
    const routes: [string, string, unknown?][] = [
      ['GET', '/_novasim/health'], ['POST', '/_novasim/reset'], ['GET', '/_novasim/faults'],
      ['POST', '/_novasim/faults', { service: 'cinder', operation: 'attachment_complete', error: { status: 500, message: 'x' } }], ['DELETE', '/_novasim/faults'],
      ['GET', '/_novasim/clock'], ['POST', '/_novasim/clock', { advance_ms: 86_400_000 }], ['GET', '/_novasim/notifications'],
      ['GET', '/_novasim/notifications/wait?event_type=x&timeout_ms=5000'], ['DELETE', '/_novasim/notifications'], ['GET', '/_novasim/notifications/stream'],
      ['GET', '/_novasim/unknown'],
    ];
    const before = snapshotDb(sim);
    const seq = sim.notifications.capture.lastSeq;
    const clock = sim.services.runtime.now().getTime();
    const wrong: string[] = [];
    for (const headers of [{}, { 'x-novasim-control-token': 'wrong' }, { 'x-novasim-control-token': '' }, { 'X-Novasim-Control-Token': `${TOKEN} ` }]) {
      for (const [method, url, body] of routes) {
        const res = await sim.app.inject({ method: method as 'GET', url, headers, payload: body as object | undefined });
        const ok = res.statusCode === 401 && res.json().error?.code === 401 && res.json().error.message === 'A valid X-Novasim-Control-Token header is required.';
        if (!ok) wrong.push(`${method} ${url} ${JSON.stringify(headers)} → ${res.statusCode} ${res.body.slice(0, 100)}`);
      }
    }
    expect(wrong).toEqual([]);
    expect(diffSnapshots(before, snapshotDb(sim))).toEqual([]);
    expect(sim.notifications.capture.lastSeq).toBe(seq);
    expect(sim.notifications.list().length).toBeGreaterThan(0);
    expect(sim.faults.list()).toEqual([]);
    expect(Math.abs(sim.services.runtime.now().getTime() - clock)).toBeLessThan(60_000);
    expect((await demo.req('GET', `/compute/v2.1/servers/${server}`)).statusCode).toBe(200);
    const ok = await sim.app.inject({ url: '/_novasim/health', headers: { 'x-novasim-control-token': TOKEN } });
    expect(ok.statusCode).toBe(200);
    // Over a real port too, and the OpenStack APIs themselves do not need the control token.
    const base = await sim.listen();
    expect((await http(base, 'POST', '/_novasim/reset')).status).toBe(401);
    expect((await http(base, 'GET', `/compute/v2.1/servers/${server}`, { token: demo.token })).status).toBe(200);
    expect((await http(base, 'POST', '/_novasim/reset', { headers: { 'x-novasim-control-token': TOKEN } })).status).toBe(204);
    expect((await http(base, 'GET', `/compute/v2.1/servers/${server}`, { token: demo.token })).status).toBe(404);
    report(`control token: ${routes.length} routes × 4 bad headers → 401, nothing changed; right header → 200/204`);
  });
});

// Parallel test isolation: POST /_novasim/reset is fast and atomic (readers see all or nothing; no
// state, fault, notification or in-flight operation survives it), and many simulators in one process
// are fully independent (each its own database, port, notifications).
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
    sim = await startSim({ profile: 'zed', volumeQuota: -1, gigabytesQuota: -1, instanceQuota: -1, coresQuota: -1, ramQuota: -1, volumeCreateDelayMs: 0, volumeDeleteDelayMs: 0 });
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

  it('empties 100 servers + 100 volumes + attachments quickly and atomically, keeps the seed and the logins', async () => {
    await populate();
    const before = dataCounts(sim);
    expect(before.instances).toBe(100);
    expect(before.volumes).toBe(100);
    expect(before.volume_attachments).toBe(10);
    // 20 readers over HTTP, 4 reads each, race the reset (started once a reader saw the full state):
    // every read must see all 100 servers or none — one transaction, no half-emptied state.
    let sawFull = false;
    const readers = Array.from({ length: 20 }, async () => {
      const counts: number[] = [];
      for (let j = 0; j < 4; j++) {
        const n = (await http(base, 'GET', '/compute/v2.1/servers?limit=1000', { token: demo.token })).json().servers.length as number;
        if (n === 100) sawFull = true;
        counts.push(n);
      }
      return counts;
    });
    let ms = 0;
    const resetting = (async () => {
      await until('a reader to see the full state', async () => sawFull, 5_000, 1);
      const t0 = performance.now();
      const res = await sim.app.inject({ method: 'POST', url: '/_novasim/reset' });
      ms = performance.now() - t0;
      expect(res.statusCode).toBe(204);
    })();
    const counts = (await Promise.all(readers)).flat();
    await resetting;
    const seen = [...new Set(counts)].sort((x, y) => x - y);
    report(`reset: ${JSON.stringify(before)} emptied in ${ms.toFixed(1)} ms; ${counts.length} concurrent reads saw ${seen.map((n) => `${n} (${counts.filter((c) => c === n).length}×)`).join(' or ')} servers`);
    expect(seen.every((n) => n === 100 || n === 0)).toBe(true);
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
  it('10 createSimulator() in parallel, each doing a swap: no cross-talk in data or notifications, and no port opened', async () => {
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
      // Each simulator's own Nova ↔ Cinder calls went through its fastify inject (src/http-transport.ts):
      // none of them opened a port to talk to itself.
      for (const x of sims) expect(x.sim.url).toBeNull();
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
      report(`10 parallel simulators: setup + boot + attach + swap in ${elapsed.toFixed(0)} ms, no port opened, no cross-talk`);
    } finally {
      await Promise.all(sims.map((x) => x.sim.close()));
    }
  }, 30_000);
});

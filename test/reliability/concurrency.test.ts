// Concurrency over real HTTP (127.0.0.1): hundreds of attaches, detaches and swaps, 50 in flight, across
// many servers and piled onto the same server and volume; then, once everything settled, the cloud
// must be consistent: one attachment per volume, every BDM backed by an `attached` Cinder attachment
// for that server, volumes in stable states, one .start and one .end/.error per accepted operation,
// refusals only with Nova's 400/404/409, never a 5xx.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Simulator } from '../../src/index.js';
import { IMAGE_ID, type HttpAnswer, http, loginHttp, pool, prng, report, until } from '../helpers/reliability.js';
import { startSim } from '../helpers/sim.js';

type Who = { token: string; projectId: string };
type Op =
  | { kind: 'attach'; server: string; volume: string; as: Who }
  | { kind: 'detach'; server: string; volume: string; as: Who }
  | { kind: 'swap'; server: string; volume: string; to: string; as: Who };

interface Done {
  op: Op;
  status: number;
  body: string;
  requestId: string | null;
}

const CV = { 'openstack-api-version': 'compute 2.79' };

/** The consistency checks, read through the public APIs (Nova as admin, Cinder at 3.44 with all_tenants). */
async function checkCloud(sim: Simulator, base: string, admin: Who, servers: string[]): Promise<string[]> {
  const problems: string[] = [];
  const atts = (await http(base, 'GET', `/volume/v3/${admin.projectId}/attachments/detail?all_tenants=1`, { token: admin.token, headers: { 'openstack-api-version': 'volume 3.44' } })).json().attachments as {
    id: string; status: string; instance: string; volume_id: string;
  }[];
  const vols = (await http(base, 'GET', `/volume/v3/${admin.projectId}/volumes/detail?all_tenants=1`, { token: admin.token })).json().volumes as {
    id: string; status: string; multiattach: boolean; attachments: { server_id: string; attachment_id: string }[]; migration_status?: string | null;
  }[];
  const attById = new Map(atts.map((a) => [a.id, a]));
  const bdmAttIds = new Set<string>();
  for (const server of servers) {
    const srv = (await http(base, 'GET', `/compute/v2.1/servers/${server}`, { token: admin.token })).json().server;
    if (srv.status !== 'ACTIVE' || srv['OS-EXT-STS:task_state'] !== null) problems.push(`server ${server} left ${srv.status}/${srv['OS-EXT-STS:task_state']}`);
    const bdms = (await http(base, 'GET', `/compute/v2.1/servers/${server}/os-volume_attachments`, { token: admin.token, headers: { 'openstack-api-version': 'compute 2.89' } })).json().volumeAttachments as {
      volumeId: string; attachment_id: string | null; device: string;
    }[];
    const devices = new Set<string>();
    const volsHere = new Set<string>();
    for (const b of bdms) {
      if (devices.has(b.device)) problems.push(`server ${server}: two BDMs on device ${b.device}`);
      devices.add(b.device);
      if (volsHere.has(b.volumeId)) problems.push(`server ${server}: volume ${b.volumeId} has two BDMs`);
      volsHere.add(b.volumeId);
      const a = b.attachment_id ? attById.get(b.attachment_id) : undefined;
      if (!a) problems.push(`BDM ${server}/${b.volumeId} points at attachment ${b.attachment_id} that Cinder does not have`);
      else {
        bdmAttIds.add(a.id);
        if (a.status !== 'attached' || a.instance !== server || a.volume_id !== b.volumeId) {
          problems.push(`BDM ${server}/${b.volumeId}: Cinder attachment ${a.id} is ${a.status} for ${a.instance}/${a.volume_id}`);
        }
      }
    }
  }
  for (const a of atts) if (!bdmAttIds.has(a.id)) problems.push(`Cinder attachment ${a.id} (${a.status}, ${a.instance}/${a.volume_id}) has no BDM (leaked)`);
  for (const v of vols) {
    if (v.migration_status && v.migration_status !== 'success') problems.push(`volume ${v.id} migration_status ${v.migration_status}`);
    const mine = atts.filter((a) => a.volume_id === v.id);
    if (!v.multiattach && mine.length > 1) problems.push(`volume ${v.id} has ${mine.length} attachments (${mine.map((a) => `${a.instance}:${a.status}`).join(', ')})`);
    const want = mine.length ? 'in-use' : 'available';
    if (v.status !== want) problems.push(`volume ${v.id} is ${v.status} with ${mine.length} attachment(s)`);
  }
  // Cross-check the rows themselves (the API could hide a leaked row).
  const rowAtts = sim.services.db.prepare("SELECT attach_status, COUNT(*) AS n FROM volume_attachments GROUP BY attach_status").all() as { attach_status: string; n: number }[];
  for (const r of rowAtts) if (r.attach_status !== 'attached') problems.push(`${r.n} attachment row(s) left ${r.attach_status}`);
  const tasks = sim.services.db.prepare('SELECT COUNT(*) AS n FROM compute_tasks').get() as { n: number };
  if (tasks.n) problems.push(`${tasks.n} compute task(s) still recorded after idle()`);
  return problems;
}

type Payload = { 'nova_object.data': Record<string, unknown> };
const dataOf = (n: { envelope: { payload: unknown } }) => (n.envelope.payload as Payload)['nova_object.data'];

/** One .start and one .end/.error per accepted operation (matched by server and volume ids). */
function checkNotifications(sim: Simulator, done: Done[]): string[] {
  const problems: string[] = [];
  const count = (event: string, match: (d: Record<string, unknown>) => boolean) => sim.notifications.list({ eventType: event }).filter((n) => match(dataOf(n))).length;
  const pairs = new Map<string, { op: Op; accepted: number }>();
  for (const d of done) {
    const ok = (d.op.kind === 'attach' && d.status === 200) || (d.op.kind !== 'attach' && d.status === 202);
    const key = d.op.kind === 'swap' ? `swap ${d.op.server} ${d.op.volume} ${d.op.to}` : `${d.op.kind} ${d.op.server} ${d.op.volume}`;
    const e = pairs.get(key) ?? { op: d.op, accepted: 0 };
    if (ok) e.accepted += 1;
    pairs.set(key, e);
  }
  for (const [key, { op, accepted }] of pairs) {
    if (op.kind === 'swap') {
      const m = (d: Record<string, unknown>) => d.uuid === op.server && d.old_volume_id === op.volume && d.new_volume_id === op.to;
      const starts = count('instance.volume_swap.start', m);
      const ends = count('instance.volume_swap.end', m) + count('instance.volume_swap.error', m);
      if (starts !== accepted || ends !== accepted) problems.push(`${key}: ${accepted} accepted, ${starts} .start, ${ends} .end/.error`);
    } else {
      const action = op.kind === 'attach' ? 'volume_attach' : 'volume_detach';
      const m = (d: Record<string, unknown>) => d.uuid === op.server && d.volume_id === op.volume;
      const starts = count(`instance.${action}.start`, m);
      const ends = count(`instance.${action}.end`, m) + count(`instance.${action}.error`, m);
      if (starts !== accepted || ends !== accepted) problems.push(`${key}: ${accepted} accepted, ${starts} .start, ${ends} .end/.error`);
    }
  }
  return problems;
}

/** Every accepted operation left an instance action whose events all finished. */
async function checkActions(base: string, admin: Who, done: Done[]): Promise<string[]> {
  const problems: string[] = [];
  const accepted = done.filter((d) => (d.op.kind === 'attach' ? d.status === 200 : d.status === 202) && d.requestId);
  await pool(accepted.map((d) => async () => {
    const r = await http(base, 'GET', `/compute/v2.1/servers/${d.op.server}/os-instance-actions/${d.requestId}`, { token: admin.token, headers: { 'openstack-api-version': 'compute 2.51' } });
    if (r.status !== 200) return problems.push(`${d.op.kind} ${d.requestId}: action ${r.status}`);
    const events = r.json().instanceAction.events as { finish_time: string | null; result: string | null }[];
    if (!events.length || events.some((e) => !e.finish_time || !e.result)) problems.push(`${d.op.kind} ${d.requestId}: unfinished events ${JSON.stringify(events)}`);
    return 0;
  }), 20);
  return problems;
}

async function run(base: string, op: Op): Promise<Done> {
  let res: HttpAnswer;
  const srv = `/compute/v2.1/servers/${op.server}/os-volume_attachments`;
  if (op.kind === 'attach') res = await http(base, 'POST', srv, { token: op.as.token, headers: CV, body: { volumeAttachment: { volumeId: op.volume } } });
  else if (op.kind === 'detach') res = await http(base, 'DELETE', `${srv}/${op.volume}`, { token: op.as.token, headers: CV });
  else res = await http(base, 'PUT', `${srv}/${op.volume}`, { token: op.as.token, headers: CV, body: { volumeAttachment: { volumeId: op.to } } });
  return { op, status: res.status, body: res.text, requestId: res.headers.get('x-openstack-request-id') };
}

const ALLOWED: Record<Op['kind'], number[]> = { attach: [200, 400, 404, 409], detach: [202, 400, 404, 409], swap: [202, 400, 404, 409] };

describe('concurrency over real HTTP (zed profile: admin swaps directly)', () => {
  let sim: Simulator;
  let base: string;
  let admin: Who;
  let demo: Who;
  const servers: { id: string; owner: Who }[] = [];
  const volumes: { id: string; owner: Who }[] = [];

  async function boot(owner: Who, name: string) {
    const r = await http(base, 'POST', '/compute/v2.1/servers', { token: owner.token, body: { server: { name, imageRef: IMAGE_ID, flavorRef: '1', networks: 'none' } } });
    if (r.status !== 202) throw new Error(r.text);
    return r.json().server.id as string;
  }
  async function volume(owner: Who, size: number) {
    const r = await http(base, 'POST', `/volume/v3/${owner.projectId}/volumes`, { token: owner.token, body: { volume: { size, name: 'c' } } });
    if (r.status !== 202) throw new Error(r.text);
    return r.json().volume.id as string;
  }

  beforeAll(async () => {
    // The fake Cinder enforces Cinder's default quota (10 volumes / 1000 GB per project): lifted here.
    sim = await startSim({ profile: 'zed', volumeQuota: -1, gigabytesQuota: -1, volumeCreateDelayMs: 1, volumeDeleteDelayMs: 1, logLevel: 'error' });
    base = await sim.listen();
    admin = await loginHttp(base, 'admin');
    demo = await loginHttp(base, 'demo');
    const owners = [admin, demo];
    const made = await Promise.all([
      ...Array.from({ length: 16 }, (_, i) => boot(owners[i % 2], `c-${i}`).then((id) => servers.push({ id, owner: owners[i % 2] }))),
      ...Array.from({ length: 40 }, (_, i) => volume(owners[i % 2], 1 + (i % 3)).then((id) => volumes.push({ id, owner: owners[i % 2] }))),
    ]);
    expect(made).toHaveLength(56);
    await sim.idle();
    // One volume attached per server to start with, so swaps and detaches have material.
    const firsts = await Promise.all(servers.map((s, i) => run(base, { kind: 'attach', server: s.id, volume: volumes.filter((v) => v.owner === s.owner)[Math.floor(i / 2)].id, as: s.owner })));
    expect(firsts.map((d) => d.status)).toEqual(servers.map(() => 200));
    await sim.idle();
    sim.notifications.clear();
  });
  afterAll(() => sim?.close());

  it('250 mixed operations, 50 in flight, on many and on the same server/volume: consistent afterwards', async () => {
    const r = prng(7);
    const ops: Op[] = [];
    for (let i = 0; i < 250; i++) {
      const hot = r.next() < 0.25;
      const s = hot ? servers[r.int(2)] : r.pick(servers);
      const mine = volumes.filter((v) => v.owner === s.owner);
      const vol = hot ? mine[r.int(3)] : r.pick(mine);
      const p = r.next();
      if (p < 0.38) ops.push({ kind: 'attach', server: s.id, volume: vol.id, as: s.owner });
      else if (p < 0.62) ops.push({ kind: 'detach', server: s.id, volume: vol.id, as: s.owner });
      else ops.push({ kind: 'swap', server: s.id, volume: vol.id, to: (hot ? mine[r.int(3)] : r.pick(mine)).id, as: admin });
    }
    const t0 = performance.now();
    const { results, maxInFlight } = await pool(ops.map((op) => () => run(base, op)), 50);
    const elapsed = performance.now() - t0;
    await sim.idle();

    const byKind = (k: Op['kind']) => results.filter((d) => d.op.kind === k);
    const summary = (['attach', 'detach', 'swap'] as const).map((k) => {
      const st = new Map<number, number>();
      for (const d of byKind(k)) st.set(d.status, (st.get(d.status) ?? 0) + 1);
      return `${k} {${[...st].sort((a, b) => a[0] - b[0]).map(([c, n]) => `${c}:${n}`).join(' ')}}`;
    });
    report(`concurrency (zed): ${results.length} ops, max ${maxInFlight} in flight, ${elapsed.toFixed(0)} ms → ${summary.join(', ')}`);

    const refused = results.filter((d) => !ALLOWED[d.op.kind].includes(d.status));
    expect(refused.map((d) => `${d.op.kind} → ${d.status} ${d.body.slice(0, 200)}`)).toEqual([]);
    const problems = [
      ...(await checkCloud(sim, base, admin, servers.map((s) => s.id))),
      ...checkNotifications(sim, results),
      ...(await checkActions(base, admin, results)),
    ];
    expect(problems).toEqual([]);
    expect(results.filter((d) => d.op.kind === 'swap' && d.status === 202).length).toBeGreaterThan(0);
  }, 60_000);

  it('swap against detach of the same volume on one server, 20 rounds at once: exactly one proceeds each time', async () => {
    // Fresh pairs: server s has volume a attached; swap a→b and detach a race.
    const rounds: { server: string; a: string; b: string; owner: Who }[] = [];
    for (const s of servers) {
      const bdms = (await http(base, 'GET', `/compute/v2.1/servers/${s.id}/os-volume_attachments`, { token: admin.token })).json().volumeAttachments as { volumeId: string }[];
      const attachedIds = new Set((await http(base, 'GET', `/volume/v3/${admin.projectId}/volumes/detail?all_tenants=1&status=in-use`, { token: admin.token })).json().volumes.map((v: { id: string }) => v.id));
      const free = volumes.find((v) => v.owner === s.owner && !attachedIds.has(v.id) && !rounds.some((r) => r.b === v.id));
      if (bdms.length && free) rounds.push({ server: s.id, a: bdms[0].volumeId, b: free.id, owner: s.owner });
    }
    expect(rounds.length).toBeGreaterThan(5);
    sim.notifications.clear();
    const tasks = rounds.flatMap((r) => [
      () => run(base, { kind: 'swap', server: r.server, volume: r.a, to: r.b, as: admin }),
      () => run(base, { kind: 'detach', server: r.server, volume: r.a, as: r.owner }),
    ]);
    const { results } = await pool(tasks, 50);
    await sim.idle();
    const problems: string[] = [];
    rounds.forEach((r, i) => {
      const [swap, detach] = [results[2 * i], results[2 * i + 1]];
      const winners = [swap.status === 202, detach.status === 202].filter(Boolean).length;
      if (winners !== 1) problems.push(`round ${i}: swap ${swap.status} ${swap.body.slice(0, 120)} / detach ${detach.status} ${detach.body.slice(0, 120)}`);
      for (const d of [swap, detach]) if (![202, 400, 409].includes(d.status)) problems.push(`round ${i}: ${d.op.kind} → ${d.status} ${d.body.slice(0, 160)}`);
    });
    problems.push(...(await checkCloud(sim, base, admin, servers.map((s) => s.id))), ...checkNotifications(sim, results));
    report(`swap-vs-detach: ${rounds.length} rounds → swap wins ${results.filter((d, i) => i % 2 === 0 && d.status === 202).length}, detach wins ${results.filter((d, i) => i % 2 === 1 && d.status === 202).length}`);
    expect(problems).toEqual([]);
  }, 60_000);

  it('the same volume attached to two servers at once, and two volumes to one server at once: one wins, devices stay unique', async () => {
    const [s1, s2] = servers.filter((s) => s.owner === demo);
    const attachedIds = new Set((await http(base, 'GET', `/volume/v3/${admin.projectId}/volumes/detail?all_tenants=1&status=in-use`, { token: admin.token })).json().volumes.map((v: { id: string }) => v.id));
    const free = volumes.filter((v) => v.owner === demo && !attachedIds.has(v.id));
    expect(free.length).toBeGreaterThanOrEqual(4);
    sim.notifications.clear();
    const ops: Op[] = [
      // One volume, two servers.
      { kind: 'attach', server: s1.id, volume: free[0].id, as: demo },
      { kind: 'attach', server: s2.id, volume: free[0].id, as: demo },
      // One volume, the same server twice.
      { kind: 'attach', server: s1.id, volume: free[1].id, as: demo },
      { kind: 'attach', server: s1.id, volume: free[1].id, as: demo },
      // Two volumes, one server, at the same time (device names are handed out under the instance lock in Nova).
      { kind: 'attach', server: s2.id, volume: free[2].id, as: demo },
      { kind: 'attach', server: s2.id, volume: free[3].id, as: demo },
    ];
    const results = await Promise.all(ops.map((op) => run(base, op)));
    await sim.idle();
    const statuses = results.map((d) => d.status);
    report(`attach races: ${statuses.join(' ')}`);
    const problems: string[] = [];
    if ([statuses[0], statuses[1]].filter((s) => s === 200).length !== 1) problems.push(`same volume, two servers: ${statuses[0]} / ${statuses[1]}`);
    if ([statuses[2], statuses[3]].filter((s) => s === 200).length !== 1) problems.push(`same volume, same server twice: ${statuses[2]} / ${statuses[3]} ${results[3].body.slice(0, 160)}`);
    for (const d of results) if (![200, 400, 409].includes(d.status)) problems.push(`attach → ${d.status} ${d.body.slice(0, 160)}`);
    const devs = [results[4], results[5]].filter((d) => d.status === 200).map((d) => JSON.parse(d.body).volumeAttachment.device);
    if (new Set(devs).size !== devs.length) problems.push(`two volumes got the same device on one server: ${devs.join(', ')}`);
    problems.push(...(await checkCloud(sim, base, admin, servers.map((s) => s.id))), ...checkNotifications(sim, results));
    expect(problems).toEqual([]);
  }, 30_000);
});

describe('concurrency over real HTTP (master profile: only Cinder swaps)', () => {
  let sim: Simulator;
  let base: string;
  let admin: Who;
  let demo: Who;
  const pairs: { server: string; vol: string; spare: string }[] = [];

  beforeAll(async () => {
    sim = await startSim({ profile: 'master', volumeQuota: -1, gigabytesQuota: -1, volumeCreateDelayMs: 1, volumeDeleteDelayMs: 1 });
    base = await sim.listen();
    admin = await loginHttp(base, 'admin');
    demo = await loginHttp(base, 'demo');
    await Promise.all(Array.from({ length: 8 }, async (_, i) => {
      const s = (await http(base, 'POST', '/compute/v2.1/servers', { token: demo.token, body: { server: { name: `m-${i}`, imageRef: IMAGE_ID, flavorRef: '1', networks: 'none' } } })).json().server.id as string;
      const v = (await http(base, 'POST', `/volume/v3/${demo.projectId}/volumes`, { token: demo.token, body: { volume: { size: 1 } } })).json().volume.id as string;
      const spare = (await http(base, 'POST', `/volume/v3/${demo.projectId}/volumes`, { token: demo.token, body: { volume: { size: 1 } } })).json().volume.id as string;
      pairs.push({ server: s, vol: v, spare });
    }));
    await sim.idle();
    for (const p of pairs) {
      const r = await http(base, 'POST', `/compute/v2.1/servers/${p.server}/os-volume_attachments`, { token: demo.token, body: { volumeAttachment: { volumeId: p.vol } } });
      expect(r.status).toBe(200);
    }
    await sim.idle();
    sim.notifications.clear();
  });
  afterAll(() => sim?.close());

  it('direct swaps are refused with 409 (bug 2112187) even 40 at once, and change nothing', async () => {
    const before = sim.services.db.prepare('SELECT * FROM block_device_mappings ORDER BY id').all();
    const tasks = pairs.flatMap((p) => Array.from({ length: 5 }, () => () => http(base, 'PUT', `/compute/v2.1/servers/${p.server}/os-volume_attachments/${p.vol}`, { token: admin.token, body: { volumeAttachment: { volumeId: p.spare } } })));
    const { results } = await pool(tasks, 50);
    await sim.idle();
    expect(new Set(results.map((r) => r.status))).toEqual(new Set([409]));
    expect(results[0].json().conflictingRequest.message).toMatch(/^volume [0-9a-f-]{36} is not migrating; this API should only be called by Cinder$/);
    expect(sim.services.db.prepare('SELECT * FROM block_device_mappings ORDER BY id').all()).toEqual(before);
    expect(sim.notifications.list({ eventType: 'instance.volume_swap.start' })).toHaveLength(0);
  });

  it('concurrent Cinder-driven migrations (os-retype on-demand) of attached volumes, with duplicates: consistent afterwards', async () => {
    sim.notifications.clear();
    const tasks = pairs.flatMap((p, i) => Array.from({ length: i < 2 ? 3 : 1 }, () => () =>
      http(base, 'POST', `/volume/v3/${demo.projectId}/volumes/${p.vol}/action`, { token: demo.token, body: { 'os-retype': { new_type: 'lvmdriver-2', migration_policy: 'on-demand' } } })));
    const { results } = await pool(tasks, 50);
    expect(results.filter((r) => r.status >= 500).map((r) => r.text)).toEqual([]);
    expect(results.filter((r) => r.status === 202).length).toBeGreaterThanOrEqual(pairs.length);
    await until('migrations to settle', async () => {
      await sim.idle();
      const vols = (await http(base, 'GET', `/volume/v3/${admin.projectId}/volumes/detail?all_tenants=1`, { token: admin.token })).json().volumes as { migration_status: string | null; status: string }[];
      return vols.every((v) => !v.migration_status || v.migration_status === 'success' || v.migration_status === 'error') && vols.every((v) => ['available', 'in-use'].includes(v.status));
    }, 15_000, 50);
    const problems = await checkCloud(sim, base, admin, pairs.map((p) => p.server));
    const starts = sim.notifications.list({ eventType: 'instance.volume_swap.start' }).length;
    const ends = sim.notifications.list({ eventType: 'instance.volume_swap.end' }).length + sim.notifications.list({ eventType: 'instance.volume_swap.error' }).length;
    report(`master migrations: ${results.length} retypes (${results.filter((r) => r.status === 202).length} accepted) → ${starts} swap .start, ${ends} .end/.error`);
    if (starts !== ends) problems.push(`${starts} .start but ${ends} .end/.error`);
    expect(problems).toEqual([]);
  }, 30_000);
});

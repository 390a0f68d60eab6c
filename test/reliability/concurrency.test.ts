// Concurrency over real HTTP (127.0.0.1): two hundred attaches, detaches and swaps, 50 in flight, across
// many servers and piled onto the same server and volume; then, once everything settled, the cloud
// must be consistent: one attachment per volume, every BDM backed by an `attached` Cinder attachment
// for that server, volumes in stable states, one .start and one .end/.error per accepted operation,
// refusals only with Nova's 400/404/409, never a 5xx.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Simulator } from '../../src/index.js';
import { IMAGE_ID, type HttpAnswer, checkConsistency, http, loginHttp, pool, prng, report, sleep, until } from '../helpers/reliability.js';
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

/** The shared consistency checks, plus the rows themselves (the API could hide a leaked row). */
async function checkCloud(sim: Simulator, base: string, admin: Who, servers: string[], volumeIds?: Set<string>, allowDetaching?: Set<string>): Promise<string[]> {
  return checkConsistency(base, admin, servers, { volumeIds, db: sim.services.db, allowDetaching });
}

/**
 * Nova §7 row 19: a swap whose attachment_create (new volume) Cinder refuses answers 500 with
 * InvalidInput, and its old volume stays `detaching`. That is upstream behaviour, not a novasim bug.
 */
const isRow19 = (d: Done) => d.op.kind === 'swap' && d.status === 500 && d.body.includes("<class 'nova.exception.InvalidInput'>");

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

/** Each problem, followed by what happened to the volumes it names (in completion order), for diagnosis. */
function withHistory(problems: string[], done: Done[]): string[] {
  return problems.map((p) => {
    const ids = [...new Set(p.match(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g) ?? [])];
    const hist = done
      .filter((d) => ids.includes(d.op.volume) || (d.op.kind === 'swap' && ids.includes(d.op.to)))
      .map((d) => `${d.op.kind}${d.op.kind === 'swap' ? ` ${d.op.volume.slice(0, 8)}→${d.op.to.slice(0, 8)}` : ` ${d.op.volume.slice(0, 8)}`} on ${d.op.server.slice(0, 8)}: ${d.status}${d.status >= 400 ? ` ${(/"message":"([^"]{0,90})/.exec(d.body) ?? [])[1] ?? ''}` : ''}`);
    return hist.length ? `${p}\n      history: ${hist.join('\n               ')}` : p;
  });
}

const ALLOWED: Record<Op['kind'], number[]> = { attach: [200, 400, 404, 409], detach: [202, 400, 404, 409], swap: [202, 400, 404, 409] };

describe('concurrency over real HTTP (zed profile: admin swaps directly)', () => {
  let sim: Simulator;
  let base: string;
  let admin: Who;
  let demo: Who;

  interface Cloud {
    servers: { id: string; owner: Who }[];
    volumes: { id: string; owner: Who; size: number }[];
    /** volume id → server id, as arranged */
    attached: Map<string, string>;
  }

  async function boot(owner: Who, name: string) {
    const r = await http(base, 'POST', '/compute/v2.1/servers', { token: owner.token, body: { server: { name, imageRef: IMAGE_ID, flavorRef: '1', networks: 'none' } } });
    if (r.status !== 202) throw new Error(`boot: ${r.status} ${r.text}`);
    return r.json().server.id as string;
  }
  async function volume(owner: Who, size: number) {
    const r = await http(base, 'POST', `/volume/v3/${owner.projectId}/volumes`, { token: owner.token, body: { volume: { size, name: 'c' } } });
    if (r.status !== 202) throw new Error(`volume: ${r.status} ${r.text}`);
    return r.json().volume.id as string;
  }

  /** Servers and volumes in both projects (admin, demo), the first `attachFirst` volumes of each owner attached one per server. */
  async function makeCloud(nServers: number, nVolumes: number): Promise<Cloud> {
    const owners = [admin, demo];
    const servers: Cloud['servers'] = [];
    const volumes: Cloud['volumes'] = [];
    await Promise.all([
      ...Array.from({ length: nServers }, (_, i) => boot(owners[i % 2], `c-${i}`).then((id) => servers.push({ id, owner: owners[i % 2] }))),
      ...Array.from({ length: nVolumes }, (_, i) => volume(owners[i % 2], 1 + (i % 3)).then((id) => volumes.push({ id, owner: owners[i % 2], size: 1 + (i % 3) }))),
    ]);
    await sim.idle();
    const attached = new Map<string, string>();
    const firsts = await Promise.all(servers.map((s) => {
      const v = volumes.find((x) => x.owner === s.owner && !attached.has(x.id))!;
      attached.set(v.id, s.id);
      return run(base, { kind: 'attach', server: s.id, volume: v.id, as: s.owner });
    }));
    expect(firsts.map((d) => d.status)).toEqual(servers.map(() => 200));
    await sim.idle();
    sim.notifications.clear();
    return { servers, volumes, attached };
  }

  const check = async (cloud: Cloud, results: Done[]) => withHistory([
    ...results.filter((d) => !ALLOWED[d.op.kind].includes(d.status) && !isRow19(d)).map((d) => `${d.op.kind} → ${d.status} ${d.body.slice(0, 200)}`),
    ...(await checkCloud(sim, base, admin, cloud.servers.map((s) => s.id), new Set(cloud.volumes.map((v) => v.id)), new Set(results.filter(isRow19).map((d) => d.op.volume)))),
    ...checkNotifications(sim, results),
    ...(await checkActions(base, admin, results)),
  ], results);

  beforeAll(async () => {
    // The fake Cinder enforces Cinder's default quota (10 volumes / 1000 GB per project): lifted here.
    sim = await startSim({ profile: 'zed', volumeQuota: -1, gigabytesQuota: -1, instanceQuota: -1, coresQuota: -1, ramQuota: -1, volumeCreateDelayMs: 1, volumeDeleteDelayMs: 1 });
    base = await sim.listen();
    admin = await loginHttp(base, 'admin');
    demo = await loginHttp(base, 'demo');
  });
  afterAll(() => sim?.close());

  it('200 mixed operations, 50 in flight, on many and on the same server/volume: consistent afterwards', async () => {
    const cloud = await makeCloud(16, 40);
    const { servers, volumes } = cloud;
    // Late-bound workload: each operation picks its volumes when it starts, from a model of who has
    // what that is updated as answers come back — close enough to succeed often, racy enough to collide.
    const r = prng(Number(process.env.NOVASIM_CONC_SEED ?? 7)); // other seeds: NOVASIM_CONC_SEED=n
    const attachedTo = new Map(cloud.attached);
    const pickOp = (): Op => {
      const hot = r.next() < 0.25;
      const s = hot ? servers[r.int(2)] : r.pick(servers);
      const mine = volumes.filter((v) => v.owner === s.owner);
      const pool3 = hot ? mine.slice(0, 4) : mine;
      const onS = pool3.filter((v) => attachedTo.get(v.id) === s.id);
      const free = pool3.filter((v) => !attachedTo.has(v.id));
      const any = r.pick(pool3);
      const p = r.next();
      // Mostly plausible operations, some deliberately wrong (the volume elsewhere, not attached, too small…).
      const plausible = r.next() < 0.8;
      if (p < 0.35) return { kind: 'attach', server: s.id, volume: (plausible && free.length ? r.pick(free) : any).id, as: s.owner };
      if (p < 0.6) return { kind: 'detach', server: s.id, volume: (plausible && onS.length ? r.pick(onS) : any).id, as: s.owner };
      const old = plausible && onS.length ? r.pick(onS) : any;
      const bigEnough = free.filter((v) => v.size >= old.size);
      return { kind: 'swap', server: s.id, volume: old.id, to: (plausible && bigEnough.length ? r.pick(bigEnough) : r.pick(pool3)).id, as: admin };
    };
    const learn = (d: Done) => {
      if (d.op.kind === 'attach' && d.status === 200) attachedTo.set(d.op.volume, d.op.server);
      if (d.op.kind === 'detach' && d.status === 202) attachedTo.delete(d.op.volume);
      if (d.op.kind === 'swap' && d.status === 202) {
        attachedTo.delete(d.op.volume);
        attachedTo.set(d.op.to, d.op.server);
      }
      return d;
    };
    const ops: (() => Promise<Done>)[] = Array.from({ length: 200 }, () => async () => learn(await run(base, pickOp())));
    const t0 = performance.now();
    const { results, maxInFlight } = await pool(ops, 50);
    const elapsed = performance.now() - t0;
    await sim.idle();

    const summary = (['attach', 'detach', 'swap'] as const).map((k) => {
      const st = new Map<number, number>();
      for (const d of results.filter((x) => x.op.kind === k)) st.set(d.status, (st.get(d.status) ?? 0) + 1);
      return `${k} {${[...st].sort((a, b) => a[0] - b[0]).map(([c, n]) => `${c}:${n}`).join(' ')}}`;
    });
    report(`concurrency (zed): ${results.length} ops on ${servers.length} servers / ${volumes.length} volumes, max ${maxInFlight} in flight, ${elapsed.toFixed(0)} ms → ${summary.join(', ')}`);
    expect(await check(cloud, results)).toEqual([]);
    expect(results.filter((d) => d.op.kind === 'swap' && d.status === 202).length).toBeGreaterThan(5);
  }, 60_000);

  it('swap against detach of the same volume on one server, 12 rounds at once: exactly one proceeds each time', async () => {
    const cloud = await makeCloud(12, 36);
    const rounds = cloud.servers.map((s) => {
      const a = [...cloud.attached].find(([, srv]) => srv === s.id)![0];
      const size = cloud.volumes.find((v) => v.id === a)!.size;
      const b = cloud.volumes.find((v) => v.owner === s.owner && !cloud.attached.has(v.id) && v.size >= size && !used.has(v.id))!;
      used.add(b.id);
      return { server: s.id, a, b: b.id, owner: s.owner };
    });
    // Odd rounds give the swap a head start (it makes two Cinder GETs before its begin_detaching).
    const tasks = rounds.flatMap((r, i) => [
      () => run(base, { kind: 'swap', server: r.server, volume: r.a, to: r.b, as: admin }),
      async () => {
        if (i % 2) await sleep(40);
        return run(base, { kind: 'detach', server: r.server, volume: r.a, as: r.owner });
      },
    ]);
    const { results } = await pool(tasks, 50);
    await sim.idle();
    const problems: string[] = [];
    rounds.forEach((r, i) => {
      const [swap, detach] = [results[2 * i], results[2 * i + 1]];
      const winners = [swap.status === 202, detach.status === 202].filter(Boolean).length;
      if (winners !== 1) problems.push(`round ${i}: swap ${swap.status} ${swap.body.slice(0, 120)} / detach ${detach.status} ${detach.body.slice(0, 120)}`);
    });
    report(`swap-vs-detach: ${rounds.length} rounds → swap won ${results.filter((d, i) => i % 2 === 0 && d.status === 202).length}, detach won ${results.filter((d, i) => i % 2 === 1 && d.status === 202).length}`);
    expect([...problems, ...(await check(cloud, results))]).toEqual([]);
  }, 30_000);
  const used = new Set<string>();

  it('the same volume attached to two servers at once, twice to one server, and two volumes to one server at once: one wins, devices stay unique', async () => {
    const cloud = await makeCloud(4, 12);
    const [s1, s2] = cloud.servers.filter((s) => s.owner === demo);
    const free = cloud.volumes.filter((v) => v.owner === demo && !cloud.attached.has(v.id));
    const ops: Op[] = [
      // One volume, two servers.
      { kind: 'attach', server: s1.id, volume: free[0].id, as: demo },
      { kind: 'attach', server: s2.id, volume: free[0].id, as: demo },
      // One volume, the same server twice.
      { kind: 'attach', server: s1.id, volume: free[1].id, as: demo },
      { kind: 'attach', server: s1.id, volume: free[1].id, as: demo },
      // Two volumes, one server, at the same time (Nova hands out device names under the instance lock).
      { kind: 'attach', server: s2.id, volume: free[2].id, as: demo },
      { kind: 'attach', server: s2.id, volume: free[3].id, as: demo },
    ];
    const results = await Promise.all(ops.map((op) => run(base, op)));
    await sim.idle();
    const statuses = results.map((d) => d.status);
    report(`attach races: one volume/two servers ${statuses[0]}+${statuses[1]}, one volume twice on one server ${statuses[2]}+${statuses[3]}, two volumes on one server ${statuses[4]}+${statuses[5]}`);
    const problems: string[] = [];
    if ([statuses[0], statuses[1]].filter((x) => x === 200).length !== 1) problems.push(`same volume, two servers: ${statuses[0]} / ${statuses[1]}`);
    if ([statuses[2], statuses[3]].filter((x) => x === 200).length !== 1) problems.push(`same volume, same server twice: ${statuses[2]} / ${statuses[3]}`);
    const devs = [results[4], results[5]].filter((d) => d.status === 200).map((d) => JSON.parse(d.body).volumeAttachment.device);
    if (new Set(devs).size !== devs.length) problems.push(`two volumes got the same device on one server: ${devs.join(', ')}`);
    expect([...problems, ...(await check(cloud, results))]).toEqual([]);
  }, 30_000);
});

describe('a detach accepted late (slow Cinder) while the volume was detached and re-attached', () => {
  it('detaches what the BDM holds now (DriverVolumeBlockDevice uses bdm.attachment_id), leaving nothing behind', async () => {
    const sim = await startSim({ profile: 'zed', volumeCreateDelayMs: 0 });
    try {
      const base = await sim.listen();
      const demo = await loginHttp(base, 'demo');
      const admin = await loginHttp(base, 'admin');
      const server = (await http(base, 'POST', '/compute/v2.1/servers', { token: demo.token, body: { server: { name: 'late', imageRef: IMAGE_ID, flavorRef: '1', networks: 'none' } } })).json().server.id as string;
      const vol = (await http(base, 'POST', `/volume/v3/${demo.projectId}/volumes`, { token: demo.token, body: { volume: { size: 1 } } })).json().volume.id as string;
      await sim.idle();
      const att = (): Promise<Done> => run(base, { kind: 'attach', server, volume: vol, as: demo });
      const det = (): Promise<Done> => run(base, { kind: 'detach', server, volume: vol, as: demo });
      expect((await att()).status).toBe(200);
      await sim.idle();
      // Detach A reads the volume (attachment #1) and is then held 600 ms inside Cinder's begin_detaching;
      // meanwhile detach B runs to the end and the volume is attached again (attachment #2).
      sim.faults.add({ service: 'cinder', operation: 'begin_detaching', match: { volume_id: vol }, error: { delay_ms: 600 }, times: 1 });
      const a = det();
      await until('detach A to be held in Cinder', async () => sim.faults.list()[0]?.hits === 1, 5_000, 5);
      // novasim serialises the API steps per volume (src/compute/volume-locks.ts): B waits for A, then
      // finds the volume detaching or already detached, and is refused with Nova's code.
      const b = await det();
      expect([202, 400, 404]).toContain(b.status);
      await sim.idle();
      expect((await att()).status).toBe(200);
      await sim.idle();
      const second = sim.services.bdms.getByVolumeAndInstance(vol, server)!.attachment_id;
      const late = await a;
      await sim.idle();
      // Nova accepts A too (Cinder now shows the volume in-use): then it must detach attachment #2, as
      // nova-compute does — not the stale #1 it saw at the API — and leave a consistent cloud.
      report(`late detach: A ${late.status}, B ${b.status}; attachment #2 ${second?.slice(0, 8)}`);
      const problems = await checkConsistency(base, admin, [server], { volumeIds: new Set([vol]), db: sim.services.db });
      expect(problems).toEqual([]);
    } finally {
      await sim.close();
    }
  }, 20_000);
});

describe('a detach accepted late (slow Cinder) while the volume moved to another server', () => {
  // Nova checks the attachment on the volume it read at the start of the request (check_detach), then
  // calls begin_detaching; if the volume moved to another server in between, Cinder still says
  // "in-use" and the detach is accepted for a BDM that no longer exists. Upstream the window is
  // milliseconds against seconds-long operations; in novasim whole operations fit in it.
  it('leaves the volume attached to its new server, in-use, and the cloud consistent', async () => {
    const sim = await startSim({ profile: 'zed', volumeCreateDelayMs: 0 });
    try {
      const base = await sim.listen();
      const demo = await loginHttp(base, 'demo');
      const admin = await loginHttp(base, 'admin');
      const boot = async (name: string) => (await http(base, 'POST', '/compute/v2.1/servers', { token: demo.token, body: { server: { name, imageRef: IMAGE_ID, flavorRef: '1', networks: 'none' } } })).json().server.id as string;
      const [s1, s2] = [await boot('s1'), await boot('s2')];
      const vol = (await http(base, 'POST', `/volume/v3/${demo.projectId}/volumes`, { token: demo.token, body: { volume: { size: 1 } } })).json().volume.id as string;
      await sim.idle();
      expect((await run(base, { kind: 'attach', server: s1, volume: vol, as: demo })).status).toBe(200);
      await sim.idle();
      sim.faults.add({ service: 'cinder', operation: 'begin_detaching', match: { volume_id: vol }, error: { delay_ms: 600 }, times: 1 });
      const a = run(base, { kind: 'detach', server: s1, volume: vol, as: demo });
      await until('detach A to be held in Cinder', async () => sim.faults.list()[0]?.hits === 1, 5_000, 5);
      // With the per-volume serialisation the second detach waits for A and is refused or accepted cleanly.
      expect([202, 400, 404]).toContain((await run(base, { kind: 'detach', server: s1, volume: vol, as: demo })).status);
      await sim.idle();
      expect((await run(base, { kind: 'attach', server: s2, volume: vol, as: demo })).status).toBe(200);
      await sim.idle();
      const late = await a;
      await sim.idle();
      report(`late detach, volume moved: A → ${late.status} ${late.body.slice(0, 120)}`);
      expect([202, 400, 404, 409]).toContain(late.status);
      const problems = await checkConsistency(base, admin, [s1, s2], { volumeIds: new Set([vol]), db: sim.services.db });
      const bdms = (await http(base, 'GET', `/compute/v2.1/servers/${s2}/os-volume_attachments`, { token: demo.token })).json().volumeAttachments as { volumeId: string }[];
      expect({ problems, onS2: bdms.map((b) => b.volumeId) }).toEqual({ problems: [], onS2: [vol] });
    } finally {
      await sim.close();
    }
  }, 20_000);
});

describe('two swaps to the same new volume from two servers', () => {
  // Nova (nova-swap-volume.md §7 row 19, §10 pitfall 10): attachment_create failing in the compute API
  // is not translated, so the client gets 500 computeFault, and the old volume stays `detaching`
  // (begin_detaching is not rolled back). novasim keeps that behaviour; everything else stays consistent.
  it('the loser gets Nova\'s 500 (InvalidInput from attachment_create) and its old volume stays detaching; nothing else leaks', async () => {
    const sim = await startSim({ profile: 'zed', volumeCreateDelayMs: 0 });
    try {
      const base = await sim.listen();
      const demo = await loginHttp(base, 'demo');
      const admin = await loginHttp(base, 'admin');
      const boot = async (name: string) => (await http(base, 'POST', '/compute/v2.1/servers', { token: demo.token, body: { server: { name, imageRef: IMAGE_ID, flavorRef: '1', networks: 'none' } } })).json().server.id as string;
      const vol = async () => (await http(base, 'POST', `/volume/v3/${demo.projectId}/volumes`, { token: demo.token, body: { volume: { size: 1 } } })).json().volume.id as string;
      const [s1, s2, old1, old2, newVol] = [await boot('s1'), await boot('s2'), await vol(), await vol(), await vol()];
      await sim.idle();
      for (const [s, v] of [[s1, old1], [s2, old2]]) expect((await run(base, { kind: 'attach', server: s, volume: v, as: demo })).status).toBe(200);
      await sim.idle();
      // The race this test is about: both API requests pass their checks (new volume detached) before either
      // reserves it. Each attachment_create is held a moment, so that interleaving does not depend on how fast
      // the simulator's own calls are (with fast enough calls the second request would see the volume
      // attached and get the API's 400 "New volume must be detached in order to swap." — also Nova's answer
      // for that order, but not the path under test).
      sim.faults.addRoute({ service: 'volume', route: { method: 'POST', path: '/v3/*/attachments' }, response: { delay_ms: 300 }, times: 2 });
      const [a, b] = await Promise.all([
        run(base, { kind: 'swap', server: s1, volume: old1, to: newVol, as: admin }),
        run(base, { kind: 'swap', server: s2, volume: old2, to: newVol, as: admin }),
      ]);
      await sim.idle();
      report(`two swaps to one new volume: ${a.status} / ${b.status}`);
      const [win, lose] = a.status === 202 ? [a, b] : [b, a];
      expect(win.status).toBe(202);
      expect(lose.status, lose.body).toBe(500);
      expect(JSON.parse(lose.body).computeFault.message).toContain("<class 'nova.exception.InvalidInput'>");
      const loserOld = lose === a ? old1 : old2;
      const winnerOld = lose === a ? old2 : old1;
      const show = async (id: string) => (await http(base, 'GET', `/volume/v3/${demo.projectId}/volumes/${id}`, { token: demo.token })).json().volume;
      expect((await show(loserOld)).status).toBe('detaching');
      expect((await show(winnerOld)).status).toBe('available');
      expect((await show(newVol)).status).toBe('in-use');
      const winnerServer = lose === a ? s2 : s1;
      const problems = await checkConsistency(base, admin, [winnerServer], { volumeIds: new Set([winnerOld, newVol]), db: sim.services.db });
      expect(problems).toEqual([]);
    } finally {
      await sim.close();
    }
  }, 20_000);
});

describe('concurrency over real HTTP (master profile: only Cinder swaps)', () => {
  let sim: Simulator;
  let base: string;
  let admin: Who;
  let demo: Who;
  const pairs: { server: string; vol: string; spare: string }[] = [];

  beforeAll(async () => {
    sim = await startSim({ profile: 'master', volumeQuota: -1, gigabytesQuota: -1, instanceQuota: -1, coresQuota: -1, ramQuota: -1, volumeCreateDelayMs: 1, volumeDeleteDelayMs: 1 });
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

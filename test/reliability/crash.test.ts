// Crash safety: novasim as a child process on a file database; a fault holds a swap / attach / detach
// in the middle of its Cinder or driver step, the process is SIGKILLed there, and a restart on the
// same file (nova-compute-like recovery, src/compute/recovery.ts) must leave a consistent cloud:
// no BDM without an `attached` Cinder attachment for that server, volumes in stable states, the
// operation's instance-action event finished (Success when completed, Error + a fault when rolled
// back), and everything acknowledged before the kill still there.
import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CLI, type Child, IMAGE_ID, checkConsistency, http, loginHttp, removeDb, report, startChild, tempDbPath, until,
} from '../helpers/reliability.js';

type Who = { token: string; projectId: string };

/** One server of the crash world: its attached volume (and attachment), a bigger free volume and a spare. */
interface Rig {
  server: string;
  oldVol: string;
  newVol: string;
  spareVol: string;
  oldAttachment: string;
}

interface World {
  db: string;
  profile: 'zed' | 'master';
  child: Child;
  admin: Who;
  demo: Who;
  bystander: string;
  bystanderVol: string;
  rigs: Record<string, Rig>;
}

const INTERRUPTED = 'Operation interrupted by a restart of nova-compute';
// Cinder's default quota (10 volumes per project) is lifted: the zed world needs 19 volumes.
const env = { NOVASIM_VOLUME_CREATE_DELAY_MS: '0', NOVASIM_VOLUME_DELETE_DELAY_MS: '0', NOVASIM_BUILD_DELAY_MS: '0', NOVASIM_VOLUME_QUOTA: '-1', NOVASIM_INSTANCE_QUOTA: '-1', NOVASIM_CORES_QUOTA: '-1', NOVASIM_RAM_QUOTA: '-1' };

async function boot(base: string, who: Who, name: string): Promise<string> {
  const r = await http(base, 'POST', '/compute/v2.1/servers', { token: who.token, body: { server: { name, imageRef: IMAGE_ID, flavorRef: '1', networks: 'none' } } });
  expect(r.status, r.text).toBe(202);
  const id = r.json().server.id as string;
  await until(`server ${name} ACTIVE`, async () => (await http(base, 'GET', `/compute/v2.1/servers/${id}`, { token: who.token })).json().server.status === 'ACTIVE');
  return id;
}

async function volume(base: string, who: Who, size: number): Promise<string> {
  const r = await http(base, 'POST', `/volume/v3/${who.projectId}/volumes`, { token: who.token, body: { volume: { size, name: `v${size}` } } });
  expect(r.status, r.text).toBe(202);
  const id = r.json().volume.id as string;
  await until(`volume ${id} available`, async () => (await http(base, 'GET', `/volume/v3/${who.projectId}/volumes/${id}`, { token: who.token })).json().volume.status === 'available');
  return id;
}

async function attachmentsOf(base: string, admin: Who, volumeId: string) {
  const r = await http(base, 'GET', `/volume/v3/${admin.projectId}/attachments/detail?all_tenants=1&volume_id=${volumeId}`, { token: admin.token, headers: { 'openstack-api-version': 'volume 3.44' } });
  return r.json().attachments as { id: string; status: string; instance: string }[];
}

async function rig(base: string, admin: Who, demo: Who, name: string): Promise<Rig> {
  const [server, oldVol, newVol, spareVol] = await Promise.all([boot(base, demo, name), volume(base, demo, 1), volume(base, demo, 2), volume(base, demo, 1)]);
  const r = await http(base, 'POST', `/compute/v2.1/servers/${server}/os-volume_attachments`, { token: demo.token, body: { volumeAttachment: { volumeId: oldVol } } });
  expect(r.status, r.text).toBe(200);
  const att = await until('attachment attached', async () => (await attachmentsOf(base, admin, oldVol)).find((a) => a.status === 'attached'));
  return { server, oldVol, newVol, spareVol, oldAttachment: att.id };
}

/** A fresh novasim on a fresh file, with one rig per scenario and a bystander server + volume. */
async function world(tag: string, profile: 'zed' | 'master', scenarios: string[]): Promise<World> {
  const db = tempDbPath(tag);
  const child = await startChild(['--db', db, '--profile', profile], env);
  const base = child.url;
  const admin = await loginHttp(base, 'admin');
  const demo = await loginHttp(base, 'demo');
  const [bystander, bystanderVol, ...rigs] = await Promise.all([boot(base, demo, 'bystander'), volume(base, demo, 1), ...scenarios.map((s) => rig(base, admin, demo, s))]);
  return { db, profile, child, admin, demo, bystander: bystander as string, bystanderVol: bystanderVol as string, rigs: Object.fromEntries(scenarios.map((s, i) => [s, rigs[i] as Rig])) };
}

async function addFault(w: World, spec: Record<string, unknown>): Promise<string> {
  const r = await http(w.child.url, 'POST', '/_novasim/faults', { body: spec });
  expect(r.status, r.text).toBe(201);
  return r.json().fault.id as string;
}

/** Wait until every fault was consumed (their delays are running: the operations are mid-flight), then SIGKILL. */
async function killMidFlight(w: World, faultIds: string[]): Promise<void> {
  await until(`faults ${faultIds.join(', ')} to be hit`, async () => {
    const faults = (await http(w.child.url, 'GET', '/_novasim/faults')).json().faults as { id: string; hits: number }[];
    return faultIds.every((id) => faults.find((f) => f.id === id)?.hits);
  }, 10_000, 10);
  await w.child.kill('SIGKILL');
}

async function restart(w: World): Promise<World> {
  const child = await startChild(['--db', w.db, '--profile', w.profile], env);
  return { ...w, child };
}

/** The latest instance action `action` of a server, with its events. */
async function latestAction(w: World, server: string, action: string) {
  const base = w.child.url;
  const list = (await http(base, 'GET', `/compute/v2.1/servers/${server}/os-instance-actions`, { token: w.admin.token })).json().instanceActions as { action: string; request_id: string; message: string | null }[];
  const a = list.find((x) => x.action === action);
  if (!a) return null;
  const detail = (await http(base, 'GET', `/compute/v2.1/servers/${server}/os-instance-actions/${a.request_id}`, { token: w.admin.token, headers: { 'openstack-api-version': 'compute 2.51' } })).json().instanceAction;
  return { message: a.message, events: detail.events as { event: string; result: string | null; finish_time: string | null }[] };
}

function faultsFor(w: World, server: string): string[] {
  const db = new Database(w.db, { readonly: true, fileMustExist: true });
  try {
    return (db.prepare('SELECT message FROM instance_faults WHERE instance_uuid = ?').all(server) as { message: string }[]).map((r) => r.message);
  } finally {
    db.close();
  }
}

async function volumeStatus(w: World, id: string): Promise<string> {
  return (await http(w.child.url, 'GET', `/volume/v3/${w.admin.projectId}/volumes/${id}`, { token: w.admin.token })).json().volume.status;
}

async function bdmVolumes(w: World, server: string): Promise<string[]> {
  return ((await http(w.child.url, 'GET', `/compute/v2.1/servers/${server}/os-volume_attachments`, { token: w.admin.token })).json().volumeAttachments as { volumeId: string }[]).map((b) => b.volumeId);
}

/** What every restart must satisfy, whatever was in flight. */
async function worldChecks(w: World): Promise<string[]> {
  const servers = [w.bystander, ...Object.values(w.rigs).map((r) => r.server)];
  const problems = await checkConsistency(w.child.url, w.admin, servers);
  const vols = [w.bystanderVol, ...Object.values(w.rigs).flatMap((r) => [r.oldVol, r.newVol, r.spareVol])];
  for (const v of vols) {
    const r = await http(w.child.url, 'GET', `/volume/v3/${w.admin.projectId}/volumes/${v}`, { token: w.admin.token });
    if (r.status !== 200) problems.push(`volume ${v} lost (${r.status})`);
    else if (!['available', 'in-use'].includes(r.json().volume.status)) problems.push(`volume ${v} left ${r.json().volume.status}`);
  }
  // Acknowledged before the kill: every server and the logins themselves (tokens live in the file).
  for (const s of servers) {
    const r = await http(w.child.url, 'GET', `/compute/v2.1/servers/${s}`, { token: w.demo.token });
    if (r.status !== 200) problems.push(`server ${s} lost (${r.status}) — or the demo token was`);
  }
  const db = new Database(w.db, { readonly: true, fileMustExist: true });
  try {
    const left = db.prepare('SELECT COUNT(*) AS n FROM compute_tasks').get() as { n: number };
    if (left.n) problems.push(`${left.n} compute task(s) still recorded after recovery`);
    const rows = db.prepare("SELECT volume_id, attach_status FROM volume_attachments WHERE attach_status != 'attached'").all() as { volume_id: string; attach_status: string }[];
    for (const r of rows) problems.push(`attachment row of ${r.volume_id} left ${r.attach_status}`);
  } finally {
    db.close();
  }
  return problems;
}

/** The scenario's instance action must be finished; returns the result of its compute event. */
async function finishedResult(w: World, server: string, action: string): Promise<string | null> {
  const ev = await latestAction(w, server, action);
  expect(ev, `${action} action`).not.toBeNull();
  expect(ev!.events.length, `${action} events`).toBeGreaterThan(0);
  for (const e of ev!.events) expect(e.finish_time && e.result, `${action} event ${e.event} finished`).toBeTruthy();
  return ev!.events.find((e) => e.event === `compute_${action}`)?.result ?? null;
}

const ZED = ['swap-complete', 'swap-driver', 'swap-olddelete', 'detach', 'attach-complete', 'attach-driver'];

/** Both crash worlds are set up, crashed and restarted in parallel (each is a child process). */
let zedW: World;
let zedBefore: World;
let masterW: World;
let masterBefore: World;

async function crashZed(): Promise<void> {
  const t0 = performance.now();
  const before = await world('zed', 'zed', ZED);
  zedBefore = before;
  const t1 = performance.now();
  const base = before.child.url;
  const r = before.rigs;
  const put = (g: Rig) => http(base, 'PUT', `/compute/v2.1/servers/${g.server}/os-volume_attachments/${g.oldVol}`, { token: before.admin.token, body: { volumeAttachment: { volumeId: g.newVol } } });
  const faults = await Promise.all([
    addFault(before, { service: 'cinder', operation: 'attachment_complete', match: { volume_id: r['swap-complete'].newVol }, error: { delay_ms: 30_000 } }),
    addFault(before, { service: 'compute', operation: 'driver.swap_volume', match: { instance_uuid: r['swap-driver'].server }, error: { delay_ms: 30_000 } }),
    addFault(before, { service: 'cinder', operation: 'attachment_delete', match: { attachment_id: r['swap-olddelete'].oldAttachment }, error: { delay_ms: 30_000 } }),
    addFault(before, { service: 'cinder', operation: 'attachment_delete', match: { attachment_id: r.detach.oldAttachment }, error: { delay_ms: 30_000 } }),
    addFault(before, { service: 'cinder', operation: 'attachment_complete', match: { volume_id: r['attach-complete'].spareVol }, error: { delay_ms: 30_000 } }),
    addFault(before, { service: 'compute', operation: 'driver.attach_volume', match: { volume_id: r['attach-driver'].spareVol }, error: { delay_ms: 30_000 } }),
  ]);
  const answers = await Promise.all([
    put(r['swap-complete']),
    put(r['swap-driver']),
    put(r['swap-olddelete']),
    http(base, 'DELETE', `/compute/v2.1/servers/${r.detach.server}/os-volume_attachments/${r.detach.oldVol}`, { token: before.demo.token }),
    http(base, 'POST', `/compute/v2.1/servers/${r['attach-complete'].server}/os-volume_attachments`, { token: before.demo.token, body: { volumeAttachment: { volumeId: r['attach-complete'].spareVol } } }),
    http(base, 'POST', `/compute/v2.1/servers/${r['attach-driver'].server}/os-volume_attachments`, { token: before.demo.token, body: { volumeAttachment: { volumeId: r['attach-driver'].spareVol } } }),
  ]);
  expect(answers.map((x) => x.status)).toEqual([202, 202, 202, 202, 200, 200]);
  const t2 = performance.now();
  await killMidFlight(before, faults);
  const t3 = performance.now();
  zedW = await restart(before);
  report(`crash (zed, 6 operations in flight): restart printed ${JSON.stringify(zedW.child.recovered)} (setup ${(t1 - t0).toFixed(0)} ms, ops ${(t2 - t1).toFixed(0)} ms, to mid-flight ${(t3 - t2).toFixed(0)} ms, restart+recovery ${(performance.now() - t3).toFixed(0)} ms)`);
}

async function crashMaster(): Promise<void> {
  const before = await world('master', 'master', ['migration']);
  masterBefore = before;
  const g = before.rigs.migration;
  const f = await addFault(before, { service: 'cinder', operation: 'migrate_volume_completion', match: { volume_id: g.oldVol }, error: { delay_ms: 30_000 } });
  const r = await http(before.child.url, 'POST', `/volume/v3/${before.demo.projectId}/volumes/${g.oldVol}/action`, { token: before.demo.token, body: { 'os-retype': { new_type: 'lvmdriver-2', migration_policy: 'on-demand' } } });
  expect(r.status, r.text).toBe(202);
  await killMidFlight(before, [f]);
  masterW = await restart(before);
  report(`crash (master migration held in os-migrate_volume_completion): restart printed ${JSON.stringify(masterW.child.recovered)}`);
}

beforeAll(async () => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first (npm test does)`);
  await Promise.all([crashZed(), crashMaster()]);
}, 40_000);

afterAll(async () => {
  for (const x of [zedW, zedBefore, masterW, masterBefore]) await x?.child.kill('SIGKILL');
  for (const x of [zedBefore, masterBefore]) if (x) removeDb(x.db);
});

describe('crash safety: SIGKILL with six operations mid-flight (zed), restart on the same file', () => {
  let w: World;
  beforeAll(() => {
    w = zedW;
  });

  it('the restart reports what it recovered, and the whole cloud is consistent, nothing acknowledged lost', async () => {
    expect(w.child.recovered).toEqual({ completed: 1, rolledBack: 5 });
    expect(await worldChecks(w)).toEqual([]);
  });

  it('swap held in Cinder attachment_complete: rolled back (old volume kept, new released, Error + fault)', async () => {
    const g = w.rigs['swap-complete'];
    expect(await bdmVolumes(w, g.server)).toEqual([g.oldVol]);
    expect([await volumeStatus(w, g.oldVol), await volumeStatus(w, g.newVol)]).toEqual(['in-use', 'available']);
    expect(await finishedResult(w, g.server, 'swap_volume')).toBe('Error');
    expect(faultsFor(w, g.server)).toContain(INTERRUPTED);
  });

  it('swap held in the driver (driver.swap_volume): rolled back', async () => {
    const g = w.rigs['swap-driver'];
    expect(await bdmVolumes(w, g.server)).toEqual([g.oldVol]);
    expect([await volumeStatus(w, g.oldVol), await volumeStatus(w, g.newVol)]).toEqual(['in-use', 'available']);
    expect(await finishedResult(w, g.server, 'swap_volume')).toBe('Error');
    expect(faultsFor(w, g.server)).toContain(INTERRUPTED);
  });

  it('swap held deleting the old attachment (the new one already complete): one volume attached, result matches', async () => {
    const g = w.rigs['swap-olddelete'];
    const bdms = await bdmVolumes(w, g.server);
    expect(bdms).toHaveLength(1);
    const kept = bdms[0];
    expect(await volumeStatus(w, kept)).toBe('in-use');
    expect(await volumeStatus(w, kept === g.oldVol ? g.newVol : g.oldVol)).toBe('available');
    expect(await finishedResult(w, g.server, 'swap_volume')).toBe(kept === g.newVol ? 'Success' : 'Error');
  });

  it('detach held deleting the attachment: completed (the user was told 202)', async () => {
    const g = w.rigs.detach;
    expect(await bdmVolumes(w, g.server)).toEqual([]);
    expect(await volumeStatus(w, g.oldVol)).toBe('available');
    expect(await attachmentsOf(w.child.url, w.admin, g.oldVol)).toEqual([]);
    expect(await finishedResult(w, g.server, 'detach_volume')).toBe('Success');
  });

  it('attach held in Cinder attachment_complete: rolled back (no BDM, volume available, Error + fault)', async () => {
    const g = w.rigs['attach-complete'];
    expect(await bdmVolumes(w, g.server)).toEqual([g.oldVol]);
    expect(await volumeStatus(w, g.spareVol)).toBe('available');
    expect(await attachmentsOf(w.child.url, w.admin, g.spareVol)).toEqual([]);
    expect(await finishedResult(w, g.server, 'attach_volume')).toBe('Error');
    expect(faultsFor(w, g.server)).toContain(INTERRUPTED);
  });

  it('attach held in the driver (driver.attach_volume): rolled back', async () => {
    const g = w.rigs['attach-driver'];
    expect(await bdmVolumes(w, g.server)).toEqual([g.oldVol]);
    expect(await volumeStatus(w, g.spareVol)).toBe('available');
    expect(await finishedResult(w, g.server, 'attach_volume')).toBe('Error');
    expect(faultsFor(w, g.server)).toContain(INTERRUPTED);
  });

  it('a second kill right after recovery (nothing in flight) recovers nothing and loses nothing', async () => {
    await w.child.kill('SIGKILL');
    w = await restart(w);
    zedW = w;
    expect(w.child.recovered).toBeNull();
    expect(await worldChecks(w)).toEqual([]);
  });
});

describe('crash safety: SIGKILL in a Cinder-driven migration (master retype), restart on the same file', () => {
  let w: World;
  beforeAll(() => {
    w = masterW;
  });

  it('completes the swap: the volume keeps its id, is in-use on the new backend, migration success, consistent', async () => {
    const g = w.rigs.migration;
    expect(w.child.recovered).toEqual({ completed: 1, rolledBack: 0 });
    expect(await worldChecks(w)).toEqual([]);
    expect(await bdmVolumes(w, g.server)).toEqual([g.oldVol]); // Cinder keeps the volume id (save_volume_id = V)
    const v = (await http(w.child.url, 'GET', `/volume/v3/${w.admin.projectId}/volumes/${g.oldVol}`, { token: w.admin.token })).json().volume;
    expect({ status: v.status, migration_status: v.migration_status, type: v.volume_type }).toEqual({ status: 'in-use', migration_status: 'success', type: 'lvmdriver-2' });
    expect(await finishedResult(w, g.server, 'swap_volume')).toBe('Success');
  });
});

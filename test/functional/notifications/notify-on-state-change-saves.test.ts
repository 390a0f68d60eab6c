// [notifications]notify_on_state_change beyond the build/delete/declared-action saves: every other
// Instance.save Nova makes sends instance.update too (nova/objects/instance.py Instance.save →
// nova/notifications/base.py send_update, publisher nova-compute:<CONF.host> wherever it runs):
// compute_api.lock/unlock (inside the api event, before instance.lock/unlock), the conductor's
// _bury_in_cell0 → set_vm_state_and_notify (before compute_task.build_instances.error), the resize
// path (_prep_resize, _resize_instance ×2, _finish_resize ×2, _confirm_resize, _finish_revert_resize ×2),
// the live migration (API MIGRATING, post_live_migration_at_destination), soft delete / restore,
// os-resetState and os-server-password clear. Writes that are not Instance.saves (the network info
// cache, tags, instance.destroy) send none.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Simulator } from '../../../src/index.js';
import { bootServer, client, startSim, type Client } from '../../helpers/sim.js';

const S = '/compute/v2.1/servers';
type Row = [string, ...unknown[]];

/** The stream as [event_type] or, for instance.update, [event_type, old_state, state, old_task_state, new_task_state]. */
function stream(sim: Simulator): Row[] {
  return sim.notifications.list().map((n) => {
    if (n.envelope.event_type !== 'instance.update') return [n.envelope.event_type];
    const su = (n.envelope.payload as { 'nova_object.data': Record<string, any> })['nova_object.data'].state_update['nova_object.data'];
    return ['instance.update', su.old_state, su.state, su.old_task_state, su.new_task_state];
  });
}
const updatePublishers = (sim: Simulator) =>
  [...new Set(sim.notifications.list().filter((n) => n.envelope.event_type === 'instance.update').map((n) => n.envelope.publisher_id))];

async function post(sim: Simulator, c: Client, id: string, body: unknown, code = 202): Promise<void> {
  const res = await c.req('POST', `${S}/${id}/action`, body);
  expect(res.statusCode, res.body).toBe(code);
  await sim.idle();
}

async function bootNoValidHost(sim: Simulator, admin: Client): Promise<string> {
  const f = await admin.req('POST', '/compute/v2.1/flavors', { flavor: { name: `huge-${Math.random()}`, ram: 512, vcpus: 1, disk: 100_000 } });
  sim.notifications.clear();
  const res = await admin.req('POST', S, { server: { name: 'nohost', imageRef: '155d900f-4e14-4e4c-a73d-069cbf4541e6', flavorRef: f.json().flavor.id, networks: 'none' } });
  expect(res.statusCode).toBe(202);
  await sim.idle();
  return res.json().server.id as string;
}

describe("notify_on_state_change 'vm_state': the other Instance.saves", () => {
  let sim: Simulator;
  let admin: Client;
  let demo: Client;
  beforeAll(async () => {
    sim = await startSim({ notifyOnStateChange: 'vm_state', reclaimInstanceInterval: 30, liveMigrationMs: 0, instanceQuota: -1, coresQuota: -1, ramQuota: -1 });
    admin = await client(sim, 'admin');
    demo = await client(sim, 'demo');
  });
  afterAll(() => sim.close());
  beforeEach(() => sim.notifications.clear());

  it('lock / unlock: the save inside the api event comes before instance.lock / instance.unlock', async () => {
    const id = await bootServer(sim, demo, 'lk');
    sim.notifications.clear();
    await post(sim, demo, id, { lock: null });
    expect(stream(sim)).toEqual([['instance.update', 'active', 'active', null, null], ['instance.lock']]);
    const [update, lock] = sim.notifications.list();
    expect(update.envelope.publisher_id).toBe('nova-compute:novasim');
    expect(lock.envelope.publisher_id).toBe('nova-api:novasim');
    expect((update.envelope.payload as { 'nova_object.data': Record<string, unknown> })['nova_object.data'].locked).toBe(true);
    sim.notifications.clear();
    await post(sim, demo, id, { unlock: null });
    expect(stream(sim)).toEqual([['instance.update', 'active', 'active', null, null], ['instance.unlock']]);
    // The owner re-locking a locked server is a no-op in compute_api.lock: no save, nothing sent.
    await post(sim, demo, id, { lock: null });
    sim.notifications.clear();
    await post(sim, demo, id, { lock: null });
    expect(stream(sim)).toEqual([]);
  });

  it('NoValidHost at build: set_vm_state_and_notify saves BUILDING/scheduling → ERROR before compute_task.build_instances.error', async () => {
    const id = await bootNoValidHost(sim, admin);
    const rows = stream(sim).filter((r) => r[0] === 'instance.update' || r[0].startsWith('compute_task.'));
    expect(rows).toEqual([['instance.update', 'building', 'error', 'scheduling', null], ['compute_task.build_instances.error']]);
    expect(updatePublishers(sim)).toEqual(['nova-compute:novasim']);
    const shown = (await admin.req('GET', `${S}/${id}`)).json().server;
    expect(shown.status).toBe('ERROR');
  });

  it('resize → confirm: one update per Nova save, each in its place among the action notifications', async () => {
    const id = await bootServer(sim, demo, 'rz');
    sim.notifications.clear();
    await post(sim, demo, id, { resize: { flavorRef: '2' } });
    const plain = (t: string, vm = 'active') => ['instance.update', vm, vm, t, t];
    expect(stream(sim)).toEqual([
      plain('resize_prep'), // compute_api.resize: save(expected_task_state=[None])
      ['scheduler.select_destinations.start'], ['scheduler.select_destinations.end'],
      ['instance.exists'], ['instance.resize_prep.start'],
      plain('resize_prep'), // _prep_resize: new_flavor, old_vm_state (the claim's migration_context save has no column change)
      ['instance.resize_prep.end'],
      plain('resize_migrating'), ['instance.resize.start'],
      plain('resize_migrated'), ['instance.resize.end'], // host/node/old_flavor saved with RESIZE_MIGRATED
      plain('resize_finish'), ['instance.resize_finish.start'], // the new flavor saved with RESIZE_FINISH
      ['instance.update', 'active', 'resized', 'resize_finish', null], ['instance.resize_finish.end'],
    ]);
    sim.notifications.clear();
    expect((await demo.req('POST', `${S}/${id}/action`, { confirmResize: null })).statusCode).toBe(204);
    await sim.idle();
    // compute_api.confirm_resize saves only the migration; _confirm_resize saves RESIZED → ACTIVE.
    expect(stream(sim)).toEqual([['instance.resize_confirm.start'], ['instance.update', 'resized', 'active', null, null], ['instance.resize_confirm.end']]);
  });

  it('resize → revert: the API save, then _finish_revert_resize saves twice (RESIZE_REVERTING, then ACTIVE)', async () => {
    const id = await bootServer(sim, demo, 'rv');
    await post(sim, demo, id, { resize: { flavorRef: '2' } });
    sim.notifications.clear();
    await post(sim, demo, id, { revertResize: null });
    expect(stream(sim)).toEqual([
      ['instance.update', 'resized', 'resized', 'resize_reverting', 'resize_reverting'],
      ['instance.exists'], ['instance.resize_revert.start'],
      ['instance.update', 'resized', 'resized', 'resize_reverting', 'resize_reverting'],
      ['instance.update', 'resized', 'active', 'resize_reverting', null],
      ['instance.resize_revert.end'],
    ]);
  });

  it('live migration: the API save (MIGRATING), then post_live_migration_at_destination saves inside post_dest.start/.end', async () => {
    const id = await bootServer(sim, demo, 'lm');
    sim.notifications.clear();
    await post(sim, admin, id, { 'os-migrateLive': { host: null, block_migration: 'auto' } });
    expect(stream(sim)).toEqual([
      ['instance.update', 'active', 'active', 'migrating', 'migrating'],
      ['scheduler.select_destinations.start'], ['scheduler.select_destinations.end'],
      ['instance.live_migration_pre.start'], ['instance.live_migration_pre.end'],
      ['instance.live_migration_post.start'], ['instance.live_migration_post_dest.start'],
      ['instance.update', 'active', 'active', null, null],
      ['instance.live_migration_post_dest.end'], ['instance.live_migration_post.end'],
    ]);
    expect(updatePublishers(sim)).toEqual(['nova-compute:novasim']);
  });

  it('live migration pre-check failure: _live_migrate → set_vm_state_and_notify saves task_state None before compute_task.migrate_server.error', async () => {
    const id = await bootServer(sim, demo, 'lmf');
    const source = (await admin.req('GET', `${S}/${id}`)).json().server['OS-EXT-SRV-ATTR:host'] as string;
    sim.notifications.clear();
    // Forced to its own host (2.34+: the conductor's failure never reaches the API): UnableToMigrateToSelf.
    const res = await admin.req('POST', `${S}/${id}/action`, { 'os-migrateLive': { host: source, block_migration: 'auto', force: true } }, { 'openstack-api-version': 'compute 2.67' });
    expect(res.statusCode).toBe(202);
    await sim.idle();
    expect(stream(sim).filter((r) => r[0] === 'instance.update' || r[0].startsWith('compute_task.'))).toEqual([
      ['instance.update', 'active', 'active', 'migrating', 'migrating'],
      ['instance.update', 'active', 'active', null, null],
      ['compute_task.migrate_server.error'],
    ]);
  });

  it('soft delete and restore: the API save, then the compute save inside .start/.end', async () => {
    const id = await bootServer(sim, demo, 'sd');
    sim.notifications.clear();
    expect((await demo.req('DELETE', `${S}/${id}`)).statusCode).toBe(204);
    await sim.idle();
    expect(stream(sim)).toEqual([
      ['instance.update', 'active', 'active', 'soft-deleting', 'soft-deleting'],
      ['instance.soft_delete.start'],
      ['instance.update', 'active', 'soft-delete', 'soft-deleting', null],
      ['instance.soft_delete.end'],
    ]);
    sim.notifications.clear();
    await post(sim, demo, id, { restore: null });
    expect(stream(sim)).toEqual([
      ['instance.update', 'soft-delete', 'soft-delete', 'restoring', 'restoring'],
      ['instance.restore.start'],
      ['instance.update', 'soft-delete', 'active', 'restoring', null],
      ['instance.restore.end'],
    ]);
  });

  it('os-resetState and os-server-password clear are API saves; a clear that changes nothing saves nothing', async () => {
    const id = await bootServer(sim, demo, 'rs');
    sim.notifications.clear();
    await post(sim, admin, id, { 'os-resetState': { state: 'error' } });
    expect(stream(sim)).toEqual([['instance.update', 'active', 'error', null, null]]);
    sim.notifications.clear();
    expect((await admin.req('DELETE', `${S}/${id}/os-server-password`)).statusCode).toBe(204);
    expect(stream(sim)).toEqual([['instance.update', 'error', 'error', null, null]]);
    sim.notifications.clear();
    expect((await admin.req('DELETE', `${S}/${id}/os-server-password`)).statusCode).toBe(204);
    expect(stream(sim)).toEqual([]);
  });

  it('tags are not an Instance.save: the one instance.update is nova-api\'s own', async () => {
    const id = await bootServer(sim, demo, 'tg');
    sim.notifications.clear();
    expect((await demo.req('PUT', `${S}/${id}/tags`, { tags: ['a'] })).statusCode).toBe(200);
    expect(sim.notifications.list().map((n) => [n.envelope.event_type, n.envelope.publisher_id])).toEqual([['instance.update', 'nova-api:novasim']]);
  });
});

describe("notify_on_state_change 'vm_state': a live migration rolled back", () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSim({ notifyOnStateChange: 'vm_state', liveMigrationMs: 30_000 });
  });
  afterAll(() => sim.close());

  it('abort while running: _rollback_live_migration saves task_state None inside live_migration_rollback.start/.end', async () => {
    const admin = await client(sim, 'admin');
    const demo = await client(sim, 'demo');
    const id = await bootServer(sim, demo, 'lmr');
    sim.notifications.clear();
    expect((await admin.req('POST', `${S}/${id}/action`, { 'os-migrateLive': { host: null, block_migration: 'auto' } })).statusCode).toBe(202);
    let mid: number | undefined;
    for (let i = 0; i < 2000 && mid === undefined; i++) {
      const l = (await admin.req('GET', `${S}/${id}/migrations`)).json().migrations as { id: number; status: string }[];
      if (l[0]?.status === 'running') mid = l[0].id;
      else await new Promise((r) => setTimeout(r, 2));
    }
    expect(mid).toBeDefined();
    expect((await admin.req('DELETE', `${S}/${id}/migrations/${mid}`)).statusCode).toBe(202);
    await sim.idle();
    const rows = stream(sim).filter((r) => r[0] === 'instance.update' || r[0].startsWith('instance.live_migration_rollback'));
    expect(rows).toEqual([
      ['instance.update', 'active', 'active', 'migrating', 'migrating'],
      ['instance.live_migration_rollback.start'],
      ['instance.update', 'active', 'active', null, null],
      ['instance.live_migration_rollback.end'],
    ]);
  });
});

describe.each(['master', 'zed'] as const)("notify_on_state_change 'vm_state': a build failing in its claim (%s)", (profile) => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSim({ profile, notifyOnStateChange: 'vm_state' });
  });
  afterAll(() => sim.close());

  it('the aborted claim saves host/node None (of the instance on master, of its copy on Zed) before create.error', async () => {
    const demo = await client(sim, 'demo');
    sim.faults.add({ service: 'compute', operation: 'manager._build_resources', error: { exception: 'FlavorDiskTooSmall', message: 'too small' } });
    sim.notifications.clear();
    const res = await demo.req('POST', S, { server: { name: 'cf', imageRef: '155d900f-4e14-4e4c-a73d-069cbf4541e6', flavorRef: '1', networks: 'none' } });
    expect(res.statusCode).toBe(202);
    await sim.idle();
    const host = (n: { envelope: { payload: unknown } }) => (n.envelope.payload as { 'nova_object.data': Record<string, unknown> })['nova_object.data'].host;
    const ns = sim.notifications.list().filter((n) => n.envelope.event_type.startsWith('instance.'));
    expect(ns.map((n) => [n.envelope.event_type, host(n)])).toEqual([
      ['instance.update', null], // the conductor: non-existent → BUILDING
      ['instance.update', null], // BUILDING, task_state None
      ['instance.create.start', null],
      ['instance.update', 'compute'], // the claim: host/node
      ['instance.update', null], // the claim's abort: _unset_instance_host_and_node
      ['instance.create.error', profile === 'master' ? null : 'compute'],
      ['instance.update', null], // _set_instance_obj_error_state
    ]);
    expect(stream(sim).filter((r) => r[0] === 'instance.update').at(-1)).toEqual(['instance.update', 'building', 'error', null, null]);
  });
});

describe("notify_on_state_change 'vm_state': the periodic shelve offload", () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSim({ notifyOnStateChange: 'vm_state', shelvedOffloadTime: 100, shelvedPollInterval: 60, deterministic: true });
  });
  afterAll(() => sim.close());

  it('_poll_shelved_instances saves SHELVING_OFFLOADING before shelve_offload_instance runs', async () => {
    const demo = await client(sim, 'demo');
    const id = await bootServer(sim, demo, 'pso');
    await post(sim, demo, id, { shelve: null });
    sim.services.runtime.advance(120_000);
    sim.notifications.clear();
    expect((await sim.periodic.tick()).offloaded).toEqual([id]);
    await sim.idle();
    const rows = stream(sim);
    expect(rows[0]).toEqual(['instance.update', 'shelved', 'shelved', 'shelving_offloading', 'shelving_offloading']);
    expect(rows[1]).toEqual(['instance.shelve_offload.start']);
    expect(rows.at(-1)).toEqual(['instance.shelve_offload.end']);
  });
});

describe("notify_on_state_change 'vm_and_task_state': task-only saves are transitions", () => {
  let sim: Simulator;
  let admin: Client;
  let demo: Client;
  beforeAll(async () => {
    sim = await startSim({ notifyOnStateChange: 'vm_and_task_state', liveMigrationMs: 0 });
    admin = await client(sim, 'admin');
    demo = await client(sim, 'demo');
  });
  afterAll(() => sim.close());

  it('live migration: None → migrating, then migrating → None at the destination', async () => {
    const id = await bootServer(sim, demo, 'lm2');
    sim.notifications.clear();
    await post(sim, admin, id, { 'os-migrateLive': { host: null, block_migration: 'auto' } });
    expect(stream(sim).filter((r) => r[0] === 'instance.update')).toEqual([
      ['instance.update', 'active', 'active', 'migrating', 'migrating'], // None reads as the current state
      ['instance.update', 'active', 'active', 'migrating', null],
    ]);
  });
});

describe('notify_on_state_change unset: none of these saves sends instance.update', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSim({ reclaimInstanceInterval: 30, liveMigrationMs: 0 });
  });
  afterAll(() => sim.close());

  it('lock, resize + confirm, live migration, soft delete + restore, resetState, NoValidHost', async () => {
    const admin = await client(sim, 'admin');
    const demo = await client(sim, 'demo');
    const id = await bootServer(sim, demo, 'off');
    sim.notifications.clear();
    await post(sim, demo, id, { lock: null });
    await post(sim, demo, id, { unlock: null });
    await post(sim, demo, id, { resize: { flavorRef: '2' } });
    expect((await demo.req('POST', `${S}/${id}/action`, { confirmResize: null })).statusCode).toBe(204);
    await sim.idle();
    await post(sim, admin, id, { 'os-migrateLive': { host: null, block_migration: 'auto' } });
    expect((await demo.req('DELETE', `${S}/${id}`)).statusCode).toBe(204);
    await sim.idle();
    await post(sim, demo, id, { restore: null });
    await post(sim, admin, id, { 'os-resetState': { state: 'error' } });
    const types = sim.notifications.list().map((n) => n.envelope.event_type);
    expect(types).toContain('instance.lock');
    expect(types).toContain('instance.resize_confirm.end');
    expect(types).toContain('instance.live_migration_post.end');
    expect(types).toContain('instance.restore.end');
    expect(types).not.toContain('instance.update');
    await bootNoValidHost(sim, admin);
    expect(sim.notifications.list().map((n) => n.envelope.event_type)).toContain('compute_task.build_instances.error');
    expect(sim.notifications.list().map((n) => n.envelope.event_type)).not.toContain('instance.update');
  });
});

// rebuild, evacuate, createImage, createBackup over HTTP: responses, states, 409/400/403/404 texts,
// notifications in order, instance actions, injected failures and a crash mid-rebuild.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Simulator } from '../../../src/index.js';
import { bootServer, client, startSim, type Client } from '../../helpers/sim.js';
import { act, action, eventTypes, lastAction, server } from './helpers.js';
import { attach, createVolume } from '../../helpers/volumes.js';

let sim: Simulator;
let admin: Client;
let demo: Client;
const CIRROS = '155d900f-4e14-4e4c-a73d-069cbf4541e6';
let other: string;

/** A second public image, made through Glance's API the way an operator would. */
async function makeImage(c: Client, name: string): Promise<string> {
  const res = await c.req('POST', '/image/v2/images', { name, disk_format: 'qcow2', container_format: 'bare', visibility: 'public' });
  expect(res.statusCode, res.body).toBe(201);
  const id = res.json().id as string;
  const up = await c.req('PUT', `/image/v2/images/${id}/file`, 'data', { 'content-type': 'application/octet-stream' });
  expect(up.statusCode, up.body).toBe(204);
  return id;
}

const glanceImage = async (c: Client, id: string) => c.req('GET', `/image/v2/images/${id}`);

beforeAll(async () => {
  sim = await startSim({ instanceQuota: -1, coresQuota: -1, ramQuota: -1 });
  admin = await client(sim, 'admin');
  demo = await client(sim, 'demo');
  other = await makeImage(admin, 'other-image');
});
afterAll(() => sim.close());
beforeEach(() => sim.notifications.clear());

describe('rebuild', () => {
  it('answers 202 with the server and adminPass; REBUILD → ACTIVE on the new image; conductor schedules, then exists/start/end', async () => {
    const id = await bootServer(sim, demo, 'rb1');
    sim.notifications.clear();
    const res = await action(demo, id, { rebuild: { imageRef: other, name: 'rb1-new', metadata: { a: 'b' }, adminPass: 'n3w' } });
    expect(res.statusCode, res.body).toBe(202);
    const body = res.json().server;
    expect(body).toMatchObject({ id, name: 'rb1-new', status: 'REBUILD', adminPass: 'n3w', metadata: { a: 'b' }, image: { id: other } });
    await sim.idle();
    expect(await server(demo, id)).toMatchObject({ status: 'ACTIVE', 'OS-EXT-STS:task_state': null, 'OS-EXT-STS:power_state': 1, image: { id: other } });
    expect(eventTypes(sim)).toEqual([
      'scheduler.select_destinations.start', 'scheduler.select_destinations.end',
      'instance.rebuild_scheduled', 'instance.exists', 'instance.rebuild.start', 'instance.rebuild.end',
    ]);
    const scheduled = sim.notifications.list()[2];
    expect(scheduled.envelope.publisher_id).toMatch(/^nova-conductor:/);
    const start = sim.notifications.list()[4].envelope.payload as { 'nova_object.name': string; 'nova_object.data': Record<string, unknown> };
    expect(start['nova_object.name']).toBe('InstanceActionRebuildPayload');
    expect(start['nova_object.data']).toMatchObject({ image_uuid: other, task_state: 'rebuilding', display_name: 'rb1-new' });
    const a = await lastAction(admin, id);
    expect(a.action).toBe('rebuild');
    expect(a.events.map((e) => [e.event, e.result])).toEqual(expect.arrayContaining([['rebuild_server', 'Success'], ['compute_rebuild_instance', 'Success']]));

    // The same image again: no scheduling (host passed straight through).
    sim.notifications.clear();
    await act(sim, demo, id, { rebuild: { imageRef: other } });
    expect(eventTypes(sim)).toEqual(['instance.rebuild_scheduled', 'instance.exists', 'instance.rebuild.start', 'instance.rebuild.end']);
  });

  it('keeps a stopped server stopped (stop_instance after the spawn), and is refused in other states and when locked', async () => {
    const id = await bootServer(sim, demo, 'rb2');
    await act(sim, demo, id, { 'os-stop': null });
    sim.notifications.clear();
    await act(sim, demo, id, { rebuild: { imageRef: CIRROS } });
    expect(await server(demo, id)).toMatchObject({ status: 'SHUTOFF', 'OS-EXT-STS:power_state': 4 });
    expect(eventTypes(sim)).toEqual(['instance.rebuild_scheduled', 'instance.exists', 'instance.rebuild.start', 'instance.power_off.start', 'instance.power_off.end', 'instance.rebuild.end']);

    await act(sim, demo, id, { 'os-start': null });
    await act(sim, demo, id, { pause: null });
    const paused = await action(demo, id, { rebuild: { imageRef: CIRROS } });
    expect(paused.statusCode).toBe(409);
    expect(paused.json().conflictingRequest.message).toBe(`Cannot 'rebuild' instance ${id} while it is in vm_state paused`);
    await act(sim, demo, id, { unpause: null });
    await action(admin, id, { lock: null });
    const locked = await action(demo, id, { rebuild: { imageRef: CIRROS } });
    expect(locked.statusCode).toBe(409);
    expect(locked.json().conflictingRequest.message).toBe(`Instance ${id} is locked`);
    await action(admin, id, { unlock: null });
  });

  it('400s: unknown image, bad key_name (2.54), the body schema per microversion; evacuate is admin-only (403)', async () => {
    const id = await bootServer(sim, demo, 'rb3');
    const missing = await action(demo, id, { rebuild: { imageRef: '0b1f7a2e-5d0c-4c52-9d2d-0e6f5f5e0a11' } });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().badRequest.message).toBe('Cannot find image for rebuild');
    const key = await action(demo, id, { rebuild: { imageRef: CIRROS, key_name: 'nope' } }, '2.54');
    expect(key.json()).toEqual({ badRequest: { code: 400, message: 'Invalid key_name provided.' } });
    // key_name is not in the 2.53 schema.
    expect((await action(demo, id, { rebuild: { imageRef: CIRROS, key_name: 'nope' } }, '2.53')).statusCode).toBe(400);
    // personality went away at 2.57.
    expect((await action(demo, id, { rebuild: { imageRef: CIRROS, personality: [] } }, '2.57')).statusCode).toBe(400);
    expect((await action(demo, id, { rebuild: { imageRef: CIRROS, personality: [] } }, '2.56')).statusCode).toBe(202);
    await sim.idle();
    expect((await action(demo, id, { rebuild: {} })).statusCode).toBe(400);
    // evacuate is admin-only; demo is refused with Nova's policy text.
    const evac = await action(demo, id, { evacuate: {} });
    expect(evac.json()).toEqual({ forbidden: { code: 403, message: "Policy doesn't allow os_compute_api:os-evacuate to be performed." } });
  });

  it('an injected spawn failure: instance.rebuild.error with the fault, vm_state ERROR, a fault and an Error event', async () => {
    const id = await bootServer(sim, demo, 'rb4');
    sim.faults.add({ service: 'compute', operation: 'driver.rebuild', match: { instance_uuid: id }, error: { exception: 'VirtualInterfaceCreateException', message: 'Virtual Interface creation failed' } });
    sim.notifications.clear();
    await act(sim, demo, id, { rebuild: { imageRef: CIRROS } });
    const shown = await server(admin, id);
    expect(shown).toMatchObject({ status: 'ERROR', 'OS-EXT-STS:task_state': null });
    expect(eventTypes(sim)).toEqual(['instance.rebuild_scheduled', 'instance.exists', 'instance.rebuild.start', 'instance.rebuild.error', 'compute.exception']);
    const err = sim.notifications.list()[3].envelope;
    expect(err.priority).toBe('ERROR');
    expect((err.payload as { 'nova_object.data': { fault: { 'nova_object.data': Record<string, unknown> } } })['nova_object.data'].fault['nova_object.data']).toMatchObject({
      exception: 'VirtualInterfaceCreateException', exception_message: 'Virtual Interface creation failed',
    });
    expect(shown.fault).toMatchObject({ code: 500, message: 'VirtualInterfaceCreateException' });
    expect((await lastAction(admin, id)).events.find((e) => e.event === 'compute_rebuild_instance')).toMatchObject({ result: 'Error' });
    // preserve_ephemeral: the default rebuild path cannot (PreserveEphemeralNotSupported) → rebuild.error, ERROR.
    sim.notifications.clear();
    await act(sim, demo, id, { rebuild: { imageRef: CIRROS, preserve_ephemeral: true } });
    expect(eventTypes(sim)).toContain('instance.rebuild.error');
    expect(((await server(admin, id)).fault as { message: string }).message).toBe('The current driver does not support preserving ephemeral partitions.');
    // ERROR servers may be rebuilt: that is how one recovers them.
    sim.notifications.clear();
    await act(sim, demo, id, { rebuild: { imageRef: CIRROS } });
    expect(await server(demo, id)).toMatchObject({ status: 'ACTIVE' });
  });
});

describe('createImage / createBackup', () => {
  it('createImage: 2.45 answers {image_id}; the snapshot is in Glance with Nova\'s properties; snapshot.start/.end', async () => {
    const id = await bootServer(sim, demo, 'snap1');
    sim.notifications.clear();
    const res = await action(demo, id, { createImage: { name: 'snap-1', metadata: { purpose: 'test' } } });
    expect(res.statusCode, res.body).toBe(202);
    const imageId = res.json().image_id as string;
    await sim.idle();
    expect(await server(demo, id)).toMatchObject({ status: 'ACTIVE', 'OS-EXT-STS:task_state': null });
    expect(eventTypes(sim)).toEqual(['instance.snapshot.start', 'instance.snapshot.end']);
    const payload = sim.notifications.list()[0].envelope.payload as { 'nova_object.name': string; 'nova_object.data': Record<string, unknown> };
    expect(payload['nova_object.name']).toBe('InstanceActionSnapshotPayload');
    expect(payload['nova_object.data']).toMatchObject({ snapshot_image_id: imageId, task_state: 'image_snapshot' });
    const img = (await glanceImage(demo, imageId)).json();
    expect(img).toMatchObject({
      name: 'snap-1', status: 'active', visibility: 'private', image_type: 'snapshot', instance_uuid: id, base_image_ref: CIRROS, purpose: 'test', container_format: 'bare',
    });
    expect(img.owner).toBe(demo.projectId);
    expect((await lastAction(admin, id))).toMatchObject({ action: 'createImage' });
    expect((await lastAction(admin, id)).events[0]).toMatchObject({ event: 'compute_snapshot_instance', result: 'Success' });
  });

  it('createImage before 2.45: no body, Location of the image; allowed while locked or paused, refused while rescued', async () => {
    const id = await bootServer(sim, demo, 'snap2');
    await action(admin, id, { lock: null });
    const res = await action(demo, id, { createImage: { name: 'old-style' } }, '2.44');
    expect(res.statusCode).toBe(202);
    expect(res.body).toBe('');
    expect(res.headers.location).toMatch(/\/image\/images\/[0-9a-f-]{36}$/);
    await sim.idle();
    const imageId = String(res.headers.location).split('/').pop()!;
    expect((await glanceImage(demo, imageId)).json()).toMatchObject({ status: 'active', instance_uuid: id });
    await action(admin, id, { unlock: null });
    await act(sim, demo, id, { pause: null });
    expect((await action(demo, id, { createImage: { name: 'paused' } })).statusCode).toBe(202);
    await sim.idle();
    await act(sim, demo, id, { unpause: null });
    expect((await action(demo, id, { rescue: null })).statusCode).toBe(200);
    await sim.idle();
    const r = await action(demo, id, { createImage: { name: 'rescued' } });
    expect(r.json().conflictingRequest.message).toBe(`Cannot 'createImage' instance ${id} while it is in vm_state rescued`);
    expect((await action(demo, id, { createImage: { name: ' lead' } })).statusCode).toBe(400);
  });

  it('a failed upload deletes the image (delete_image_on_error) and leaves the server ACTIVE', async () => {
    const id = await bootServer(sim, demo, 'snap3');
    sim.faults.add({ service: 'compute', operation: 'driver.snapshot', match: { instance_uuid: id }, error: { exception: 'ImageUnacceptable', message: 'Image x is unacceptable: disk full' } });
    const res = await action(demo, id, { createImage: { name: 'doomed' } });
    const imageId = res.json().image_id as string;
    await sim.idle();
    expect((await glanceImage(admin, imageId)).statusCode).toBe(404);
    expect(await server(demo, id)).toMatchObject({ status: 'ACTIVE', 'OS-EXT-STS:task_state': null });
    expect((await lastAction(admin, id)).events[0]).toMatchObject({ event: 'compute_snapshot_instance', result: 'Error' });
  });

  it('createBackup keeps the newest `rotation` backups of its type; Location only before 2.45 with rotation > 0', async () => {
    const id = await bootServer(sim, demo, 'bk1');
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await action(demo, id, { createBackup: { name: `daily-${i}`, backup_type: 'daily', rotation: 2 } });
      expect(r.statusCode, r.body).toBe(202);
      ids.push(r.json().image_id);
      await sim.idle();
      // Glance orders by created_at (ms here, µs in Glance): keep the three creations apart.
      await new Promise((res) => setTimeout(res, 5));
    }
    expect((await glanceImage(demo, ids[0])).statusCode).toBe(404);
    expect((await glanceImage(demo, ids[1])).json()).toMatchObject({ image_type: 'backup', backup_type: 'daily', status: 'active' });
    expect((await glanceImage(demo, ids[2])).statusCode).toBe(200);
    expect((await lastAction(admin, id))).toMatchObject({ action: 'createBackup' });
    const old = await action(demo, id, { createBackup: { name: 'w', backup_type: 'weekly', rotation: '1' } }, '2.44');
    expect(old.statusCode).toBe(202);
    expect(old.headers.location).toMatch(/\/compute\/v2\.1\/images\/[0-9a-f-]{36}$/);
    await sim.idle();
    const zero = await action(demo, id, { createBackup: { name: 'w', backup_type: 'weekly', rotation: 0 } }, '2.44');
    expect(zero.headers.location).toBeUndefined();
    await sim.idle();
    expect((await action(demo, id, { createBackup: { name: 'x', backup_type: 'daily', rotation: -1 } })).statusCode).toBe(400);
    expect((await action(demo, id, { createBackup: { name: 'x', backup_type: 'daily' } })).statusCode).toBe(400);
  });
});

describe('evacuate', () => {
  async function serviceOf(host: string) {
    return ((await admin.req('GET', `/compute/v2.1/os-services?binary=nova-compute&host=${host}`)).json().services as { id: string }[])[0].id;
  }
  const forceDown = (sid: string, down: boolean) => admin.req('PUT', `/compute/v2.1/os-services/${sid}`, { forced_down: down }, { 'openstack-api-version': 'compute 2.53' });

  it('is refused while the source compute is up, to an unknown or the same host; then moves the server and records the migration', async () => {
    const id = await bootServer(sim, demo, 'ev1');
    const src = (await server(admin, id))['OS-EXT-SRV-ATTR:host'] as string;
    const dest = src === 'compute' ? 'compute-2' : 'compute';
    const up = await action(admin, id, { evacuate: {} });
    expect(up.json()).toEqual({ badRequest: { code: 400, message: `Compute service of ${src} is still in use.` } });
    const sid = await serviceOf(src);
    expect((await forceDown(sid, true)).statusCode).toBe(200);
    try {
      expect((await action(admin, id, { evacuate: { host: 'nowhere' } })).json()).toEqual({ itemNotFound: { code: 404, message: 'Compute host nowhere not found.' } });
      expect((await action(admin, id, { evacuate: { host: src } })).json()).toEqual({ badRequest: { code: 400, message: "The target host can't be the same one." } });
      sim.notifications.clear();
      expect((await action(admin, id, { evacuate: { host: dest, force: true } }, '2.29')).statusCode).toBe(200);
      await sim.idle();
      expect(await server(admin, id)).toMatchObject({ status: 'ACTIVE', 'OS-EXT-SRV-ATTR:host': dest });
      const types = eventTypes(sim);
      // Forced: no scheduler; the conductor casts straight to the destination.
      expect(types).toEqual(['instance.evacuate', 'instance.rebuild_scheduled', 'instance.exists', 'instance.rebuild.start', 'instance.rebuild.end']);
      expect(types).toContain('instance.rebuild.end');
      const migs = (await admin.req('GET', `/compute/v2.1/os-migrations?instance_uuid=${id}`)).json().migrations as Record<string, unknown>[];
      expect(migs[0]).toMatchObject({ migration_type: 'evacuation', status: 'done', source_compute: src, dest_compute: dest });
      expect((await lastAction(admin, id)).action).toBe('evacuate');
    } finally {
      await forceDown(sid, false);
    }
  });

  it('no other host: NoValidHost in the conductor → ERROR, a fault, compute_task.rebuild_server.error, migration error', async () => {
    const id = await bootServer(sim, demo, 'ev-novalid');
    const src = (await server(admin, id))['OS-EXT-SRV-ATTR:host'] as string;
    const other = src === 'compute' ? 'compute-2' : 'compute';
    const sid = await serviceOf(src);
    const oid = await serviceOf(other);
    await forceDown(sid, true);
    await admin.req('PUT', `/compute/v2.1/os-services/${oid}`, { status: 'disabled' }, { 'openstack-api-version': 'compute 2.53' });
    try {
      sim.notifications.clear();
      expect((await action(admin, id, { evacuate: {} })).statusCode).toBe(200);
      await sim.idle();
      const shown = await server(admin, id);
      expect(shown).toMatchObject({ status: 'ERROR', 'OS-EXT-STS:task_state': null, 'OS-EXT-SRV-ATTR:host': src });
      expect((shown.fault as { message: string }).message).toMatch(/^No valid host was found/);
      // As test_compute_task.py test_rebuild_fault counts them: the forced-down source is still a placement
      // candidate (so the scheduler starts), then ignore_hosts leaves nothing.
      expect(eventTypes(sim)).toEqual(['instance.evacuate', 'scheduler.select_destinations.start', 'compute_task.rebuild_server.error']);
      const err = sim.notifications.list()[2].envelope;
      expect(err).toMatchObject({ priority: 'ERROR', publisher_id: expect.stringMatching(/^nova-conductor:/) });
      expect((err.payload as { 'nova_object.name': string })['nova_object.name']).toBe('ComputeTaskPayload');
      const migs = (await admin.req('GET', `/compute/v2.1/os-migrations?instance_uuid=${id}`)).json().migrations as Record<string, unknown>[];
      expect(migs[0]).toMatchObject({ migration_type: 'evacuation', status: 'error' });
      expect((await lastAction(admin, id)).events).toEqual([expect.objectContaining({ event: 'rebuild_server', result: 'Error' })]);
    } finally {
      await forceDown(sid, false);
      await admin.req('PUT', `/compute/v2.1/os-services/${oid}`, { status: 'enabled' }, { 'openstack-api-version': 'compute 2.53' });
    }
  });

  it('2.95 leaves the evacuated server stopped; before 2.14 answers the adminPass', async () => {
    const id = await bootServer(sim, demo, 'ev2');
    const src = (await server(admin, id))['OS-EXT-SRV-ATTR:host'] as string;
    const sid = await serviceOf(src);
    await forceDown(sid, true);
    try {
      const res = await action(admin, id, { evacuate: {} }, '2.95');
      expect(res.statusCode).toBe(200);
      expect(res.body).toBe('');
      await sim.idle();
      expect(await server(admin, id)).toMatchObject({ status: 'SHUTOFF', 'OS-EXT-STS:power_state': 4 });
      const back = (await server(admin, id))['OS-EXT-SRV-ATTR:host'] as string;
      await forceDown(sid, false);
      const sid2 = await serviceOf(back);
      await forceDown(sid2, true);
      const old = await action(admin, id, { evacuate: { onSharedStorage: false, adminPass: 'pw' } }, '2.13');
      expect(old.json()).toEqual({ adminPass: 'pw' });
      await sim.idle();
      expect(await server(admin, id)).toMatchObject({ 'OS-EXT-SRV-ATTR:host': src });
      await forceDown(sid2, false);
      expect((await action(admin, id, { evacuate: { onSharedStorage: true, adminPass: 'pw' } }, '2.13')).json()).toEqual({ badRequest: { code: 400, message: "admin password can't be changed on existing disk" } });
    } finally {
      await forceDown(sid, false);
    }
  });
});

describe('a crash mid-rebuild', () => {
  const dir = mkdtempSync(join(tmpdir(), 'novasim-rebuild-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('leaves the server in ERROR after restart (_init_instance: "failed to rebuild correctly")', async () => {
    const db = join(dir, 'crash.db');
    let s2 = await startSim({ db });
    const d2 = await client(s2, 'demo');
    const id = await bootServer(s2, d2, 'rb-crash');
    await s2.close();
    const d = new Database(db);
    const row = d.prepare('SELECT user_id, project_id FROM instances WHERE uuid = ?').get(id) as { user_id: string; project_id: string };
    const now = new Date().toISOString();
    const requestId = 'req-00000000-0000-0000-0000-0000000000aa';
    d.prepare('UPDATE instances SET task_state = ? WHERE uuid = ?').run('rebuild_spawning', id);
    d.prepare('INSERT INTO instance_actions (action, instance_uuid, request_id, user_id, project_id, start_time, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)').run('rebuild', id, requestId, row.user_id, row.project_id, now, now);
    const context = { requestId, userId: row.user_id, projectId: row.project_id, roles: ['member'], isAdmin: false, authToken: 'gone' };
    d.prepare('INSERT INTO compute_tasks (instance_uuid, kind, args, context, created_at) VALUES (?, ?, ?, ?, ?)')
      .run(id, 'server_action', JSON.stringify({ kind: 'server_action', uuid: id, action: 'rebuild', args: { imageRef: CIRROS, password: 'x', preserveEphemeral: false, reimageBootVolume: false } }), JSON.stringify(context), now);
    d.close();
    s2 = await startSim({ db });
    try {
      const report = await s2.recovery;
      expect(report.rolledBack).toEqual([{ kind: 'server_action', instance: id }]);
      const a2 = await client(s2, 'admin');
      expect(await server(a2, id)).toMatchObject({ status: 'ERROR', 'OS-EXT-STS:task_state': null });
      expect(s2.services.db.prepare('SELECT COUNT(*) AS n FROM compute_tasks').get()).toEqual({ n: 0 });
    } finally {
      await s2.close();
    }
  });
});

describe('a crash mid-snapshot', () => {
  const dir = mkdtempSync(join(tmpdir(), 'novasim-snapshot-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('clears task_state and deletes the half-made image after restart (_post_interrupted_snapshot_cleanup)', async () => {
    const db = join(dir, 'crash.db');
    let s2 = await startSim({ db });
    const d2 = await client(s2, 'demo');
    const id = await bootServer(s2, d2, 'snap-crash');
    // A queued image as nova-api leaves it before the cast runs.
    const img = await d2.req('POST', '/image/v2/images', { name: 'half', visibility: 'private' });
    const imageId = img.json().id as string;
    await s2.close();
    const d = new Database(db);
    const row = d.prepare('SELECT user_id, project_id FROM instances WHERE uuid = ?').get(id) as { user_id: string; project_id: string };
    const now = new Date().toISOString();
    const requestId = 'req-00000000-0000-0000-0000-0000000000bb';
    d.prepare('UPDATE instances SET task_state = ? WHERE uuid = ?').run('image_uploading', id);
    d.prepare('INSERT INTO instance_actions (action, instance_uuid, request_id, user_id, project_id, start_time, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)').run('createImage', id, requestId, row.user_id, row.project_id, now, now);
    const context = { requestId, userId: row.user_id, projectId: row.project_id, roles: ['member'], isAdmin: false, authToken: 'gone' };
    d.prepare('INSERT INTO compute_tasks (instance_uuid, kind, args, context, created_at) VALUES (?, ?, ?, ?, ?)')
      .run(id, 'server_action', JSON.stringify({ kind: 'server_action', uuid: id, action: 'createImage', args: { name: 'half', metadata: {}, imageId } }), JSON.stringify(context), now);
    d.close();
    s2 = await startSim({ db });
    try {
      const report = await s2.recovery;
      expect(report.rolledBack).toEqual([{ kind: 'server_action', instance: id }]);
      const a2 = await client(s2, 'admin');
      expect(await server(a2, id)).toMatchObject({ status: 'ACTIVE', 'OS-EXT-STS:task_state': null });
      expect((await a2.req('GET', `/image/v2/images/${imageId}`)).statusCode).toBe(404);
    } finally {
      await s2.close();
    }
  });
});

describe('a volume-backed server', () => {
  /** Boot, attach a volume, then make it the root disk (novasim boots from images only; this is the BDM shape a BFV server has). */
  async function volumeBacked(name: string): Promise<{ id: string; vol: string }> {
    const id = await bootServer(sim, demo, name);
    const vol = await createVolume(sim, demo, 1, `${name}-root`);
    await attach(sim, demo, id, vol);
    await sim.idle();
    const s = sim.services;
    const now = s.runtime.now();
    for (const b of s.bdms.listForInstance(id)) {
      if (b.volume_id === vol) s.bdms.update(b.id, { boot_index: 0, device_name: '/dev/vda', updated_at: now });
      else s.bdms.destroy(b.id, now);
    }
    return { id, vol };
  }

  it('createImage is Cinder snapshots plus an image with block_device_mapping (snapshot_volume_backed); no backup, no rebuild to another image before 2.93', async () => {
    const { id, vol } = await volumeBacked('vb1');
    sim.notifications.clear();
    const res = await action(demo, id, { createImage: { name: 'vb-snap' } });
    expect(res.statusCode, res.body).toBe(202);
    const imageId = res.json().image_id as string;
    await sim.idle();
    // All in nova-api: no task_state change, no cast, no instance.snapshot.* notifications.
    expect(eventTypes(sim)).toEqual([]);
    const img = (await glanceImage(demo, imageId)).json();
    expect(img).toMatchObject({ name: 'vb-snap', bdm_v2: 'True', root_device_name: '/dev/vda' });
    // initialize_instance_snapshot_metadata only: no image_type/instance_uuid (create_image adds those).
    expect(img).not.toHaveProperty('image_type');
    const mapping = JSON.parse(img.block_device_mapping) as Record<string, unknown>[];
    expect(mapping).toEqual([expect.objectContaining({ source_type: 'snapshot', destination_type: 'volume', boot_index: 0, device_name: '/dev/vda', volume_size: 1 })]);
    const snap = await sim.app.inject({ url: `/volume/v3/${demo.projectId}/snapshots/${String(mapping[0].snapshot_id)}`, headers: { 'x-auth-token': demo.token } });
    expect(snap.statusCode, snap.body).toBe(200);
    expect(snap.json().snapshot).toMatchObject({ volume_id: vol, name: 'snapshot for vb-snap' });
    const a = await lastAction(admin, id);
    expect(a.action).toBe('createImage');
    expect(a.events).toEqual([expect.objectContaining({ event: 'api_snapshot_instance', result: 'Success' })]);
    expect((await action(demo, id, { createBackup: { name: 'b', backup_type: 'daily', rotation: 1 } })).json()).toEqual({ badRequest: { code: 400, message: 'Backup is not supported for volume-backed instances.' } });
    expect((await action(demo, id, { rebuild: { imageRef: CIRROS } }, '2.92')).json()).toEqual({
      badRequest: { code: 400, message: `Image ${CIRROS} is unacceptable: Unable to rebuild with a different image for a volume-backed server.` },
    });
  });
});

describe('metadata quota', () => {
  it('rebuild: 403 MetadataLimitExceeded; createImage before 2.39: 403 "Image metadata limit exceeded", none from 2.39', async () => {
    const id = await bootServer(sim, demo, 'mdq');
    const setQuota = (n: number) => admin.req('PUT', `/compute/v2.1/os-quota-sets/${demo.projectId}`, { quota_set: { metadata_items: n } });
    expect((await setQuota(1)).statusCode).toBe(200);
    try {
      const md = { a: '1', b: '2' };
      const rb = await action(demo, id, { rebuild: { imageRef: CIRROS, metadata: md } });
      expect(rb.json()).toEqual({ forbidden: { code: 403, message: 'Maximum number of metadata items exceeds 1' } });
      expect((await server(demo, id))['OS-EXT-STS:task_state']).toBeNull();
      const ci = await action(demo, id, { createImage: { name: 'q', metadata: md } }, '2.38');
      expect(ci.json()).toEqual({ forbidden: { code: 403, message: 'Image metadata limit exceeded' } });
      const later = await action(demo, id, { createImage: { name: 'q', metadata: md } }, '2.39');
      expect(later.statusCode).toBe(202);
      await sim.idle();
    } finally {
      await setQuota(128);
    }
  });
});

describe('rebuild response view', () => {
  it('shows the api-sample keys at 2.1 and every GET attribute from 2.75', async () => {
    const id = await bootServer(sim, demo, 'rbv');
    const old = await action(demo, id, { rebuild: { imageRef: CIRROS, adminPass: 'x' } }, '2.1');
    expect(Object.keys(old.json().server).sort()).toEqual([
      'OS-DCF:diskConfig', 'accessIPv4', 'accessIPv6', 'addresses', 'adminPass', 'created', 'flavor', 'hostId', 'id', 'image', 'links', 'metadata', 'name', 'progress', 'status', 'tenant_id', 'updated', 'user_id',
    ]);
    await sim.idle();
    const now = (await action(demo, id, { rebuild: { imageRef: CIRROS } }, '2.75')).json().server;
    expect(now).toHaveProperty('OS-EXT-STS:vm_state');
    expect(now).toHaveProperty('user_data', null);
    await sim.idle();
  });
});

describe('zed profile (API 2.93, deprecated rules OR-ed in)', () => {
  it('members rebuild, snapshot and back up their servers; evacuate stays admin-only; 2.95 does not exist', async () => {
    const z = await startSim({ profile: 'zed' });
    try {
      const zd = await client(z, 'demo');
      const za = await client(z, 'admin');
      const id = await bootServer(z, zd, 'zed-rb');
      z.notifications.clear();
      await act(z, zd, id, { rebuild: { imageRef: CIRROS } });
      expect(await server(zd, id)).toMatchObject({ status: 'ACTIVE' });
      const start = z.notifications.list().find((n) => n.envelope.event_type === 'instance.rebuild.start')!;
      expect((start.envelope.payload as { 'nova_object.version': string })['nova_object.version']).toBe('1.9');
      expect((await action(zd, id, { createImage: { name: 'zsnap' } })).statusCode).toBe(202);
      await z.idle();
      expect((await action(zd, id, { createBackup: { name: 'zbk', backup_type: 'daily', rotation: 1 } })).statusCode).toBe(202);
      await z.idle();
      expect((await action(zd, id, { evacuate: {} })).json()).toEqual({ forbidden: { code: 403, message: "Policy doesn't allow os_compute_api:os-evacuate to be performed." } });
      const bad = await za.req('POST', `/compute/v2.1/servers/${id}/action`, { evacuate: {} }, { 'openstack-api-version': 'compute 2.95' });
      expect(bad.statusCode).toBe(406);
    } finally {
      await z.close();
    }
  });
});

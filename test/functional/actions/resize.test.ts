// resize / confirmResize / revertResize / migrate over HTTP: Nova's checks and texts, the move across
// the two simulated hosts (allow_resize_to_same_host off), migration records, instance actions and
// events, notifications in order, volumes and ports following the instance, injected failures.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Simulator } from '../../../src/index.js';
import { bootServer, client, startSim, type Client } from '../../helpers/sim.js';
import { act, action, eventTypes, lastAction, server } from './helpers.js';

let sim: Simulator;
let admin: Client;
let demo: Client;

beforeAll(async () => {
  // Many servers in one project: Nova's default instance/cores/ram quotas lifted (the quota test sets its own).
  sim = await startSim({ instanceQuota: -1, coresQuota: -1, ramQuota: -1 });
  admin = await client(sim, 'admin');
  demo = await client(sim, 'demo');
});
afterAll(() => sim.close());
beforeEach(() => {
  sim.notifications.clear();
  sim.services.config.allowResizeToSameHost = false;
});

const host = (s: Record<string, unknown>) => s['OS-EXT-SRV-ATTR:host'];
const migrations = async (id: string) =>
  ((await admin.req('GET', `/compute/v2.1/os-migrations?instance_uuid=${id}`)).json().migrations as Record<string, unknown>[]);

async function privateNet(): Promise<string> {
  const r = await demo.req('GET', '/networking/v2.0/networks?name=private');
  return r.json().networks[0].id as string;
}

async function bootOnNet(name: string): Promise<string> {
  const res = await demo.req('POST', '/compute/v2.1/servers', { server: { name, imageRef: '155d900f-4e14-4e4c-a73d-069cbf4541e6', flavorRef: '1', networks: [{ uuid: await privateNet() }] } });
  expect(res.statusCode, res.body).toBe(202);
  await sim.idle();
  return res.json().server.id as string;
}

async function attachVolume(id: string): Promise<string> {
  const v = await demo.req('POST', `/volume/v3/${demo.projectId}/volumes`, { volume: { size: 1, name: 'rz' } }, { 'openstack-api-version': 'volume 3.0' });
  expect(v.statusCode, v.body).toBe(202);
  const volumeId = v.json().volume.id as string;
  await sim.idle();
  const a = await demo.req('POST', `/compute/v2.1/servers/${id}/os-volume_attachments`, { volumeAttachment: { volumeId } });
  expect([200, 202]).toContain(a.statusCode);
  await sim.idle();
  return volumeId;
}

async function cinderAttachments(volumeId: string) {
  const r = await admin.req('GET', `/volume/v3/${admin.projectId}/attachments/detail?all_tenants=1&volume_id=${volumeId}`, undefined, { 'openstack-api-version': 'volume 3.44' });
  expect(r.statusCode, r.body).toBe(200);
  return r.json().attachments as { id: string; status: string; instance: string }[];
}

describe('resize → confirm', () => {
  let id: string;
  let vol: string;
  beforeAll(async () => {
    id = await bootOnNet('rz-confirm');
    vol = await attachVolume(id);
  });

  it('resizes to the other host (allow_resize_to_same_host off): VERIFY_RESIZE, new flavor, migration finished', async () => {
    expect(host(await server(admin, id))).toBe('compute');
    const before = (await admin.req('GET', `/compute/v2.1/servers/${id}/os-volume_attachments`, undefined, { 'openstack-api-version': 'compute 2.89' })).json().volumeAttachments[0];
    await act(sim, demo, id, { resize: { flavorRef: '2', 'OS-DCF:diskConfig': 'AUTO' } });
    const s = await server(admin, id);
    expect(s).toMatchObject({ status: 'VERIFY_RESIZE', 'OS-EXT-STS:vm_state': 'resized', 'OS-EXT-STS:task_state': null, 'OS-DCF:diskConfig': 'AUTO' });
    expect(host(s)).toBe('compute-2');
    expect((s.flavor as { original_name: string }).original_name).toBe('m1.small');
    expect(eventTypes(sim)).toEqual([
      'scheduler.select_destinations.start', 'scheduler.select_destinations.end', 'instance.exists',
      'instance.resize_prep.start', 'instance.resize_prep.end', 'instance.resize.start', 'instance.resize.end',
      'instance.resize_finish.start', 'instance.resize_finish.end',
    ]);
    const [m] = await migrations(id);
    expect(m).toMatchObject({ status: 'finished', migration_type: 'resize', source_compute: 'compute', dest_compute: 'compute-2', old_instance_type_id: 1, new_instance_type_id: 2 });
    // servers/{id}/migrations lists in-progress live migrations only.
    expect((await admin.req('GET', `/compute/v2.1/servers/${id}/migrations`)).json().migrations).toEqual([]);
    const a = await lastAction(admin, id);
    expect(a).toMatchObject({ action: 'resize', message: null });
    expect([...a.events].reverse().map((e) => [e.event, e.result])).toEqual([
      ['conductor_migrate_server', 'Success'], ['compute_prep_resize', 'Success'], ['compute_resize_instance', 'Success'], ['compute_finish_resize', 'Success'],
    ]);
    // The BDM got a new Cinder attachment (created without a connector, updated for compute-2, completed).
    const after = (await admin.req('GET', `/compute/v2.1/servers/${id}/os-volume_attachments`, undefined, { 'openstack-api-version': 'compute 2.89' })).json().volumeAttachments[0];
    expect(after.attachment_id).not.toBe(before.attachment_id);
    expect(await cinderAttachments(vol)).toEqual([expect.objectContaining({ id: after.attachment_id, status: 'attached', instance: id })]);
    // Neutron: the port is bound to the destination.
    const ports = (await admin.req('GET', `/networking/v2.0/ports?device_id=${id}`)).json().ports as Record<string, unknown>[];
    expect(ports.map((p) => p['binding:host_id'])).toEqual(['compute-2']);
  });

  it('refuses a second resize, a migrate and a revert-less confirm path with Nova 409s while VERIFY_RESIZE', async () => {
    const r = await action(demo, id, { resize: { flavorRef: '3' } });
    expect(r.statusCode).toBe(409);
    expect(r.json().conflictingRequest.message).toBe(`Cannot 'resize' instance ${id} while it is in vm_state resized`);
    const m = await action(admin, id, { migrate: null });
    expect(m.json().conflictingRequest.message).toBe(`Cannot 'migrate' instance ${id} while it is in vm_state resized`);
  });

  it('confirmResize answers 204 and leaves the server ACTIVE on compute-2 with the migration confirmed', async () => {
    sim.notifications.clear();
    const r = await action(demo, id, { confirmResize: null });
    expect(r.statusCode).toBe(204);
    expect(r.body).toBe('');
    await sim.idle();
    const s = await server(admin, id);
    expect(s).toMatchObject({ status: 'ACTIVE', 'OS-EXT-STS:task_state': null });
    expect(host(s)).toBe('compute-2');
    expect(eventTypes(sim)).toEqual(['instance.resize_confirm.start', 'instance.resize_confirm.end']);
    expect((await migrations(id))[0].status).toBe('confirmed');
    const a = await lastAction(admin, id);
    expect(a.action).toBe('confirmResize');
    expect(a.events).toEqual([expect.objectContaining({ event: 'compute_confirm_resize', result: 'Success' })]);
    expect(await cinderAttachments(vol)).toEqual([expect.objectContaining({ status: 'attached', instance: id })]);
  });

  it('confirmResize / revertResize of a server that was not resized: 409 for its vm_state', async () => {
    for (const body of [{ confirmResize: null }, { revertResize: null }]) {
      const r = await action(demo, id, body);
      expect(r.statusCode).toBe(409);
      expect(r.json().conflictingRequest.message).toBe(`Cannot '${Object.keys(body)[0]}' instance ${id} while it is in vm_state active`);
    }
  });
});

describe('resize → revert', () => {
  it('goes back to the source host with the old flavor; quota counts the new flavor while VERIFY_RESIZE', async () => {
    const id = await bootOnNet('rz-revert');
    const vol = await attachVolume(id);
    const usage = async () => (await demo.req('GET', `/compute/v2.1/os-quota-sets/${demo.projectId}/detail`)).json().quota_set.cores.in_use as number;
    const coresBefore = await usage();
    await act(sim, demo, id, { resize: { flavorRef: '3' } });
    expect((await server(demo, id)).status).toBe('VERIFY_RESIZE');
    // m1.medium has 2 vCPUs, m1.tiny 1: Nova counts instances.vcpus, which finish_resize set to the new flavor.
    expect(await usage()).toBe(coresBefore + 1);
    sim.notifications.clear();
    await act(sim, demo, id, { revertResize: null });
    const s = await server(admin, id);
    expect(s).toMatchObject({ status: 'ACTIVE', 'OS-EXT-STS:task_state': null });
    expect(host(s)).toBe('compute');
    expect((s.flavor as { original_name: string }).original_name).toBe('m1.tiny');
    expect(await usage()).toBe(coresBefore);
    expect(eventTypes(sim)).toEqual(['instance.exists', 'instance.resize_revert.start', 'instance.resize_revert.end']);
    expect((await migrations(id))[0].status).toBe('reverted');
    const a = await lastAction(admin, id);
    expect(a.action).toBe('revertResize');
    expect([...a.events].reverse().map((e) => e.event)).toEqual(['compute_revert_resize', 'compute_finish_revert_resize']);
    expect(await cinderAttachments(vol)).toEqual([expect.objectContaining({ status: 'attached', instance: id })]);
    const ports = (await admin.req('GET', `/networking/v2.0/ports?device_id=${id}`)).json().ports as Record<string, unknown>[];
    expect(ports.map((p) => p['binding:host_id'])).toEqual(['compute']);
  });

  it('allow_resize_to_same_host lets the scheduler keep the instance where it is', async () => {
    sim.services.config.allowResizeToSameHost = true;
    // A filler on compute-2 leaves compute the host with more free RAM.
    await admin.req('POST', '/compute/v2.1/flavors', { flavor: { name: 'rz-big', ram: 8192, vcpus: 1, disk: 1, id: 'rz-big' } });
    const f = await admin.req('POST', '/compute/v2.1/servers', { server: { name: 'filler', imageRef: '155d900f-4e14-4e4c-a73d-069cbf4541e6', flavorRef: 'rz-big', networks: 'none', availability_zone: 'nova:compute-2' } });
    expect(f.statusCode, f.body).toBe(202);
    await sim.idle();
    const id = await bootServer(sim, demo, 'rz-same');
    expect(host(await server(admin, id))).toBe('compute');
    await act(sim, demo, id, { resize: { flavorRef: '2' } });
    const s = await server(admin, id);
    expect(s.status).toBe('VERIFY_RESIZE');
    expect(host(s)).toBe('compute');
    await act(sim, demo, id, { revertResize: null });
    await act(sim, admin, f.json().server.id, { migrate: null });
    // A cold migration never stays on its host.
    expect(host(await server(admin, f.json().server.id))).toBe('compute');
  });
});

describe('resource tracking of a move', () => {
  it('the source keeps the old flavor claimed until confirm; running_vms counts the instance once', async () => {
    const hv = async () => {
      const list = (await admin.req('GET', '/compute/v2.1/os-hypervisors/detail', undefined, { 'openstack-api-version': 'compute 2.87' })).json().hypervisors as Record<string, number | string>[];
      return Object.fromEntries(list.map((h) => [h.service ? (h.service as unknown as { host: string }).host : h.hypervisor_hostname, h]));
    };
    const id = await bootServer(sim, demo, 'rz-rt');
    const src = host(await server(admin, id)) as string;
    const dst = src === 'compute' ? 'compute-2' : 'compute';
    const before = await hv();
    await act(sim, demo, id, { resize: { flavorRef: '2' } });
    const during = await hv();
    // m1.tiny (1 vCPU, 512 MB) stays claimed on the source, m1.small (1 vCPU, 2048 MB) is on the destination.
    expect(during[src].memory_mb_used).toBe(before[src].memory_mb_used);
    expect(during[dst].memory_mb_used).toBe((before[dst].memory_mb_used as number) + 2048);
    expect(during[src].running_vms).toBe((before[src].running_vms as number) - 1);
    expect((await action(demo, id, { confirmResize: null })).statusCode).toBe(204);
    await sim.idle();
    const after = await hv();
    expect(after[src].memory_mb_used).toBe((before[src].memory_mb_used as number) - 512);
  });
});

describe('delete while VERIFY_RESIZE', () => {
  it('confirms the move first (_confirm_resize_on_deleting), then deletes', async () => {
    const id = await bootServer(sim, demo, 'rz-delete');
    await act(sim, demo, id, { resize: { flavorRef: '2' } });
    sim.notifications.clear();
    const r = await demo.req('DELETE', `/compute/v2.1/servers/${id}`);
    expect(r.statusCode).toBe(204);
    await sim.idle();
    const types = eventTypes(sim);
    expect(types.slice(0, 3)).toEqual(['instance.resize_confirm.start', 'instance.resize_confirm.end', 'instance.delete.start']);
    expect((await migrations(id))[0].status).toBe('confirmed');
    expect((await demo.req('GET', `/compute/v2.1/servers/${id}`)).statusCode).toBe(404);
    const actions = (await admin.req('GET', `/compute/v2.1/servers/${id}/os-instance-actions`)).json().instanceActions as { action: string }[];
    expect(actions.map((a) => a.action).slice(0, 2)).toEqual(['delete', 'confirmResize']);
  });
});

describe('resize of a stopped or locked server', () => {
  it('a SHUTOFF server stays powered off through resize (VERIFY_RESIZE) and confirm (SHUTOFF)', async () => {
    const id = await bootServer(sim, demo, 'rz-stopped');
    await act(sim, demo, id, { 'os-stop': null });
    await act(sim, demo, id, { resize: { flavorRef: '2' } });
    expect(await server(demo, id)).toMatchObject({ status: 'VERIFY_RESIZE', 'OS-EXT-STS:power_state': 4 });
    const r = await action(demo, id, { confirmResize: null });
    expect(r.statusCode).toBe(204);
    await sim.idle();
    expect(await server(demo, id)).toMatchObject({ status: 'SHUTOFF', 'OS-EXT-STS:power_state': 4, 'OS-EXT-STS:task_state': null });
  });

  it('a locked server: 409 for its owner, an admin may resize it', async () => {
    const id = await bootServer(sim, demo, 'rz-locked');
    await act(sim, demo, id, { lock: null });
    const r = await action(demo, id, { resize: { flavorRef: '2' } });
    expect(r.statusCode).toBe(409);
    expect(r.json().conflictingRequest.message).toBe(`Instance ${id} is locked`);
    await act(sim, admin, id, { resize: { flavorRef: '2' } });
    expect((await server(admin, id)).status).toBe('VERIFY_RESIZE');
  });

  it('a paused server cannot be resized: 409 with its vm_state', async () => {
    const id = await bootServer(sim, demo, 'rz-paused');
    await act(sim, demo, id, { pause: null });
    const r = await action(demo, id, { resize: { flavorRef: '2' } });
    expect(r.statusCode).toBe(409);
    expect(r.json().conflictingRequest.message).toBe(`Cannot 'resize' instance ${id} while it is in vm_state paused`);
  });
});

describe("resize: Nova's API checks", () => {
  let id: string;
  beforeAll(async () => {
    id = await bootServer(sim, demo, 'rz-checks');
  });

  it('400 for the same flavor, an unknown flavor, a bad body; 403 over quota', async () => {
    const same = await action(demo, id, { resize: { flavorRef: '1' } });
    expect(same.statusCode).toBe(400);
    expect(same.json().badRequest.message).toBe('When resizing, instances must change flavor!');
    const unknown = await action(demo, id, { resize: { flavorRef: '999' } });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().badRequest.message).toBe('Flavor 999 could not be found.');
    const bad = await action(demo, id, { resize: { flavorRef: '2', extra: 1 } });
    expect(bad.statusCode).toBe(400);
    const used = (await demo.req('GET', `/compute/v2.1/os-quota-sets/${demo.projectId}/detail`)).json().quota_set.cores.in_use as number;
    const put = await admin.req('PUT', `/compute/v2.1/os-quota-sets/${demo.projectId}`, { quota_set: { cores: used + 1 } });
    expect(put.statusCode, put.body).toBe(200);
    try {
      // m1.large: 4 vCPUs for m1.tiny's 1, an upsize of 3.
      const over = await action(demo, id, { resize: { flavorRef: '4' } });
      expect(over.statusCode).toBe(403);
      expect(over.json().forbidden.message).toBe(`Quota exceeded for cores: Requested 3, but already used ${used} of ${used + 1} cores`);
    } finally {
      await admin.req('DELETE', `/compute/v2.1/os-quota-sets/${demo.projectId}`);
    }
    expect((await server(demo, id))).toMatchObject({ status: 'ACTIVE', 'OS-EXT-STS:task_state': null });
  });

  it('disk too small for the image (min_disk) is a 400 with Nova\'s text', async () => {
    await admin.req('POST', '/compute/v2.1/flavors', { flavor: { name: 'rz-small-disk', ram: 512, vcpus: 1, disk: 1, id: 'rz-small-disk' } });
    const img = sim.services.db.prepare("SELECT min_disk FROM images WHERE id = '155d900f-4e14-4e4c-a73d-069cbf4541e6'").get() as { min_disk: number };
    sim.services.db.prepare("UPDATE images SET min_disk = 5 WHERE id = '155d900f-4e14-4e4c-a73d-069cbf4541e6'").run();
    try {
      const r = await action(demo, id, { resize: { flavorRef: 'rz-small-disk' } });
      expect(r.statusCode).toBe(400);
      expect(r.json().badRequest.message).toBe(`Flavor's disk is too small for requested image. Flavor disk is ${1024 ** 3} bytes, minimum requested disk is ${5 * 1024 ** 3} bytes.`);
    } finally {
      sim.services.db.prepare("UPDATE images SET min_disk = ? WHERE id = '155d900f-4e14-4e4c-a73d-069cbf4541e6'").run(img.min_disk);
    }
  });

  it('migrate: admin only (policy), host at 2.56: same host and unknown host are 400s; host ignored before 2.56', async () => {
    const here = host(await server(admin, id)) as string;
    const other = here === 'compute' ? 'compute-2' : 'compute';
    const byMember = await action(demo, id, { migrate: null });
    expect(byMember.statusCode).toBe(403);
    const same = await action(admin, id, { migrate: { host: here } }, '2.56');
    expect(same.statusCode).toBe(400);
    expect(same.json().badRequest.message).toBe('Cannot migrate to the host where the server exists.');
    const unknown = await action(admin, id, { migrate: { host: 'nope' } }, '2.56');
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().badRequest.message).toBe('Compute host nope could not be found.');
    const badHost = await action(admin, id, { migrate: { host: 'a b' } }, '2.56');
    expect(badHost.statusCode).toBe(400);
    // Before 2.56 the body is not validated and `host` is not read: the scheduler picks the other host.
    const old = await action(admin, id, { migrate: { host: here } }, '2.55');
    expect(old.statusCode).toBe(202);
    await sim.idle();
    expect(host(await server(admin, id))).toBe(other);
    expect((await migrations(id))[0]).toMatchObject({ migration_type: 'migration', status: 'finished', old_instance_type_id: 1, new_instance_type_id: 1 });
    expect((await lastAction(admin, id)).action).toBe('migrate');
    expect((await action(admin, id, { confirmResize: null })).statusCode).toBe(204);
    await sim.idle();
    // migrate with a host (2.56): back where it was.
    const r = await action(admin, id, { migrate: { host: here } }, '2.56');
    expect(r.statusCode, r.body).toBe(202);
    await sim.idle();
    expect(host(await server(admin, id))).toBe(here);
    expect((await action(admin, id, { confirmResize: null })).statusCode).toBe(204);
    await sim.idle();
    expect((await server(admin, id)).status).toBe('ACTIVE');
  });
});

describe('resize: failures', () => {
  it('NoValidHost in conductor: the server stays ACTIVE, migration error, fault, compute_task.migrate_server.error', async () => {
    const id = await bootServer(sim, demo, 'rz-novalid');
    const here = host(await server(admin, id)) as string;
    const other = here === 'compute' ? 'compute-2' : 'compute';
    const svc = (await admin.req('GET', `/compute/v2.1/os-services?host=${other}&binary=nova-compute`)).json().services[0];
    await admin.req('PUT', `/compute/v2.1/os-services/${svc.id}`, { status: 'disabled' }, { 'openstack-api-version': 'compute 2.53' });
    try {
      sim.notifications.clear();
      await act(sim, admin, id, { migrate: null });
      const s = await server(admin, id);
      expect(s).toMatchObject({ status: 'ACTIVE', 'OS-EXT-STS:task_state': null });
      expect(host(s)).toBe(here);
      // Placement still offers the source (ignore_hosts is a scheduler filter step), so select_destinations starts.
      expect(eventTypes(sim)).toEqual(['scheduler.select_destinations.start', 'compute_task.migrate_server.error']);
      const n = sim.notifications.list()[1].envelope;
      expect(n.publisher_id).toBe(`nova-conductor:${sim.services.config.confHost}`);
      expect((n.payload as { 'nova_object.data': { state: string } })['nova_object.data'].state).toBe('active');
      expect((await migrations(id))[0].status).toBe('error');
      const a = await lastAction(admin, id);
      expect(a).toMatchObject({ action: 'migrate', message: 'Error' });
      expect(a.events).toEqual([expect.objectContaining({ event: 'conductor_migrate_server', result: 'Error' })]);
      const fault = (await admin.req('GET', `/compute/v2.1/servers/${id}`)).json().server.fault;
      expect(fault).toBeUndefined(); // ACTIVE servers show no fault
    } finally {
      await admin.req('PUT', `/compute/v2.1/os-services/${svc.id}`, { status: 'enabled' }, { 'openstack-api-version': 'compute 2.53' });
    }
  });

  it('a driver failure in finish_resize: ERROR with a fault, migration error, compute.exception', async () => {
    const id = await bootServer(sim, demo, 'rz-fail');
    sim.faults.add({ service: 'compute', operation: 'driver.finish_migration', match: { instance_uuid: id }, error: { exception: 'ResizeError', message: 'Resize error: disk gone' } });
    sim.notifications.clear();
    await act(sim, demo, id, { resize: { flavorRef: '2' } });
    const s = await server(admin, id);
    expect(s).toMatchObject({ status: 'ERROR', 'OS-EXT-STS:task_state': null });
    expect((s.fault as { message: string }).message).toBe('ResizeError');
    expect((s.flavor as { original_name: string }).original_name).toBe('m1.tiny');
    expect(eventTypes(sim).slice(-2)).toEqual(['instance.resize_finish.start', 'compute.exception']);
    expect((await migrations(id))[0].status).toBe('error');
    const a = await lastAction(admin, id);
    expect([...a.events].reverse().map((e) => [e.event, e.result])).toEqual([
      ['conductor_migrate_server', 'Success'], ['compute_prep_resize', 'Success'], ['compute_resize_instance', 'Success'], ['compute_finish_resize', 'Error'],
    ]);
  });

  it('a claim failure with an alternate host reschedules: instance.resize.error, then the move completes there', async () => {
    const id = await bootServer(sim, demo, 'rz-resched');
    sim.services.config.allowResizeToSameHost = true;
    // Whichever host the scheduler tries first refuses the claim once.
    sim.faults.add({ service: 'compute', operation: 'compute.prep_resize', match: { instance_uuid: id }, error: { exception: 'FlavorDiskTooSmall', message: "The created instance's disk would be too small." } });
    sim.notifications.clear();
    await act(sim, demo, id, { resize: { flavorRef: '2' } });
    expect((await server(admin, id)).status).toBe('VERIFY_RESIZE');
    const types = eventTypes(sim);
    expect(types.slice(0, 6)).toEqual(['scheduler.select_destinations.start', 'scheduler.select_destinations.end', 'instance.exists', 'instance.resize_prep.start', 'instance.resize.error', 'instance.resize_prep.end']);
    // errors_out_migration_ctxt only errors a migration whose prep_resize raised: the rescheduled attempt's stays
    // pre-migrating, conductor's second one finished.
    const ms = await migrations(id);
    expect(ms.map((m) => m.status)).toEqual(['finished', 'pre-migrating']);
  });
});

describe('resize_confirm_window', () => {
  it('confirms a VERIFY_RESIZE server once the window has passed (0 = never, the default)', async () => {
    const timed = await startSim({ resizeConfirmWindow: 1 });
    try {
      const tAdmin = await client(timed, 'admin');
      const tDemo = await client(timed, 'demo');
      const id = await bootServer(timed, tDemo, 'rz-window');
      await act(timed, tDemo, id, { resize: { flavorRef: '2' } });
      expect((await server(tDemo, id)).status).toBe('VERIFY_RESIZE');
      const deadline = Date.now() + 8000;
      while ((await server(tDemo, id)).status !== 'ACTIVE' && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
        await timed.idle();
      }
      expect((await server(tDemo, id)).status).toBe('ACTIVE');
      const a = await lastAction(tAdmin, id);
      expect(a).toMatchObject({ action: 'confirmResize', message: null });
      expect(a.events).toEqual([expect.objectContaining({ event: 'compute_confirm_resize', result: 'Success' })]);
    } finally {
      await timed.close();
    }
    // The shared simulator (window 0) left its resized servers alone: nothing was confirmed behind the tests' back.
    expect(sim.services.config.resizeConfirmWindow).toBe(0);
  });
});

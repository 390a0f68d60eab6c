// shelve / shelveOffload / unshelve over HTTP: states and 409s, the snapshot image in Glance, the
// offload freeing the host, unshelve through the scheduler (2.77 zone, 2.91 host), policy, the
// periodic offload on the simulator's clock, and an injected failure.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Simulator } from '../../../src/index.js';
import { bootServer, client, startSim, type Client } from '../../helpers/sim.js';
import { act, action, eventTypes, lastAction, server } from './helpers.js';

let sim: Simulator;
let admin: Client;
let demo: Client;

beforeAll(async () => {
  sim = await startSim({ shelvedOffloadTime: -1 });
  admin = await client(sim, 'admin');
  demo = await client(sim, 'demo');
});
afterAll(() => sim.close());
beforeEach(() => sim.notifications.clear());

async function images(c: Client, name: string): Promise<{ id: string; status: string; visibility: string; image_type?: string; instance_uuid?: string; base_image_ref?: string }[]> {
  return (await c.req('GET', `/image/v2/images?name=${encodeURIComponent(name)}`)).json().images;
}

describe('shelve (shelved_offload_time -1)', () => {
  it('SHELVED with a private snapshot image `<name>-shelved`; offload frees the host; unshelve schedules, spawns and deletes the image', async () => {
    const id = await bootServer(sim, demo, 'shv1');
    const host = (await server(admin, id))['OS-EXT-SRV-ATTR:host'];
    sim.notifications.clear();
    await act(sim, demo, id, { shelve: null });
    expect(await server(admin, id)).toMatchObject({ status: 'SHELVED', 'OS-EXT-STS:power_state': 4, 'OS-EXT-STS:task_state': null, 'OS-EXT-SRV-ATTR:host': host });
    expect(eventTypes(sim)).toEqual(['instance.exists', 'instance.shelve.start', 'instance.shelve.end']);
    const [img] = await images(demo, 'shv1-shelved');
    expect(img).toMatchObject({ status: 'active', visibility: 'private', image_type: 'snapshot', instance_uuid: id, base_image_ref: '155d900f-4e14-4e4c-a73d-069cbf4541e6' });
    expect((await lastAction(admin, id))).toMatchObject({ action: 'shelve', events: [{ event: 'compute_shelve_instance', result: 'Success' }] });

    // Shelving again, unshelving to a zone before 2.77 ignores it; offload is admin-only by default.
    expect((await action(demo, id, { shelve: {} })).json().conflictingRequest.message).toBe(`Cannot 'shelve' instance ${id} while it is in vm_state shelved`);
    expect((await action(demo, id, { shelveOffload: null })).json()).toEqual({ forbidden: { code: 403, message: "Policy doesn't allow os_compute_api:os-shelve:shelve_offload to be performed." } });
    sim.notifications.clear();
    await act(sim, admin, id, { shelveOffload: null });
    expect(await server(admin, id)).toMatchObject({ status: 'SHELVED_OFFLOADED', 'OS-EXT-SRV-ATTR:host': null, 'OS-EXT-SRV-ATTR:hypervisor_hostname': null, 'OS-EXT-AZ:availability_zone': '' });
    expect(eventTypes(sim)).toEqual(['instance.shelve_offload.start', 'instance.shelve_offload.end']);
    const usage = (await admin.req('GET', '/compute/v2.1/os-hypervisors/detail', undefined, { 'openstack-api-version': 'compute 2.87' })).json().hypervisors as { running_vms: number }[];
    expect(usage.reduce((n, h) => n + h.running_vms, 0)).toBe(0);

    sim.notifications.clear();
    await act(sim, demo, id, { unshelve: null });
    expect(await server(admin, id)).toMatchObject({ status: 'ACTIVE', 'OS-EXT-STS:power_state': 1, 'OS-EXT-AZ:availability_zone': 'nova' });
    expect((await server(admin, id))['OS-EXT-SRV-ATTR:host']).not.toBeNull();
    expect(eventTypes(sim)).toEqual(['scheduler.select_destinations.start', 'scheduler.select_destinations.end', 'instance.unshelve.start', 'instance.unshelve.end']);
    expect(await images(demo, 'shv1-shelved')).toEqual([]);
    // The conductor's events (on CONF.host), then nova-compute's on the host the scheduler chose.
    const un = await lastAction(admin, id);
    expect(un.action).toBe('unshelve');
    expect(un.events.map((e) => [e.event, e.result]).sort()).toEqual([['compute_unshelve_instance', 'Success'], ['get_image_info', 'Success'], ['schedule_instances', 'Success']]);
    expect(un.events.find((e) => e.event === 'compute_unshelve_instance')!.host).toBe((await server(admin, id))['OS-EXT-SRV-ATTR:host']);
  });

  it('unshelve of a SHELVED (not offloaded) server starts it: power_on notifications, compute_start_instance', async () => {
    const id = await bootServer(sim, demo, 'shv2');
    await act(sim, demo, id, { shelve: {} });
    sim.notifications.clear();
    await act(sim, demo, id, { unshelve: {} });
    expect(await server(admin, id)).toMatchObject({ status: 'ACTIVE', 'OS-EXT-STS:power_state': 1 });
    expect(eventTypes(sim)).toEqual(['instance.power_on.start', 'instance.power_on.end']);
    expect((await lastAction(admin, id)).events[0]).toMatchObject({ event: 'compute_start_instance', result: 'Success' });
  });

  it('2.77 / 2.91: a zone or host only for SHELVED_OFFLOADED, unknown zone 400, unknown host 400, host admin-only', async () => {
    const id = await bootServer(sim, demo, 'shv3');
    const st = await server(admin, id);
    await act(sim, demo, id, { shelve: {} });
    const az = await action(demo, id, { unshelve: { availability_zone: 'nova' } }, '2.77');
    expect(az.statusCode).toBe(409);
    expect(az.json().conflictingRequest.message).toBe(`Specifying an availability zone or a host when unshelving server "${id}" with status "shelved" is not supported. The server status must be SHELVED_OFFLOADED.`);
    // {'unshelve': {}} is not allowed at 2.77 (availability_zone required); {} is at 2.91.
    expect((await action(demo, id, { unshelve: {} }, '2.77')).statusCode).toBe(400);
    await act(sim, admin, id, { shelveOffload: {} });
    const bad = await action(demo, id, { unshelve: { availability_zone: 'nowhere' } }, '2.77');
    expect(bad.json()).toEqual({ badRequest: { code: 400, message: 'The requested availability zone is not available' } });
    const asUser = await action(demo, id, { unshelve: { host: String(st['OS-EXT-SRV-ATTR:host']) } }, '2.91');
    expect(asUser.json()).toEqual({ forbidden: { code: 403, message: "Policy doesn't allow os_compute_api:os-shelve:unshelve_to_host to be performed." } });
    const noHost = await action(admin, id, { unshelve: { host: 'no-such-host' } }, '2.91');
    expect(noHost.json()).toEqual({ badRequest: { code: 400, message: 'Compute host no-such-host could not be found.' } });
    // The host argument is only known from 2.91: below, the body is refused.
    expect((await action(admin, id, { unshelve: { host: 'compute-2' } }, '2.90')).statusCode).toBe(400);
    sim.notifications.clear();
    expect((await action(admin, id, { unshelve: { host: 'compute-2', availability_zone: null } }, '2.91')).statusCode).toBe(202);
    await sim.idle();
    expect(await server(admin, id)).toMatchObject({ status: 'ACTIVE', 'OS-EXT-SRV-ATTR:host': 'compute-2' });
  });

  it('2.91: a host outside the zone the server is pinned to is refused (409); az null unpins it', async () => {
    const s3 = await startSim({ shelvedOffloadTime: 0 });
    try {
      const a = await client(s3, 'admin');
      // compute-2 alone in zone az2, before any server lands on it.
      const agg = (await a.req('POST', '/compute/v2.1/os-aggregates', { aggregate: { name: 'agg-az2', availability_zone: 'az2' } })).json().aggregate;
      expect((await a.req('POST', `/compute/v2.1/os-aggregates/${agg.id}/action`, { add_host: { host: 'compute-2' } })).statusCode).toBe(200);
      const boot = await a.req('POST', '/compute/v2.1/servers', { server: { name: 'pinned', imageRef: '155d900f-4e14-4e4c-a73d-069cbf4541e6', flavorRef: '1', networks: 'none', availability_zone: 'nova' } });
      const id = boot.json().server.id as string;
      await s3.idle();
      await act(s3, a, id, { shelve: null });
      expect((await server(a, id)).status).toBe('SHELVED_OFFLOADED');
      const outside = await action(a, id, { unshelve: { host: 'compute-2' } }, '2.91');
      expect(outside.json()).toEqual({ conflictingRequest: { code: 409, message: 'Host "compute-2" is not in the availability zone "nova".' } });
      expect((await action(a, id, { unshelve: { host: 'compute-2', availability_zone: null } }, '2.91')).statusCode).toBe(202);
      await s3.idle();
      expect(await server(a, id)).toMatchObject({ status: 'ACTIVE', 'OS-EXT-SRV-ATTR:host': 'compute-2', 'OS-EXT-AZ:availability_zone': 'az2' });
    } finally {
      await s3.close();
    }
  });

  it('unshelve when the snapshot image is gone: ERROR with the conductor\'s fault; no room anywhere: back to SHELVED_OFFLOADED', async () => {
    const id = await bootServer(sim, demo, 'shv6');
    await act(sim, demo, id, { shelve: null });
    await act(sim, admin, id, { shelveOffload: null });
    const [img] = await images(demo, 'shv6-shelved');
    expect((await demo.req('DELETE', `/image/v2/images/${img.id}`)).statusCode).toBe(204);
    await act(sim, demo, id, { unshelve: null });
    const s1 = await server(admin, id);
    expect(s1).toMatchObject({ status: 'ERROR', 'OS-EXT-STS:task_state': null });
    expect((s1.fault as { message: string }).message).toBe(`Unshelve attempted but the image ${img.id} cannot be found.`);
    const ev = await lastAction(admin, id);
    expect(ev.events).toEqual([expect.objectContaining({ event: 'get_image_info', result: 'Error' })]);

    // NoValidHost: both hosts disabled.
    const other = await bootServer(sim, demo, 'shv7');
    await act(sim, demo, other, { shelve: null });
    await act(sim, admin, other, { shelveOffload: null });
    const svcs = (await admin.req('GET', '/compute/v2.1/os-services?binary=nova-compute')).json().services as { id: string }[];
    for (const svc of svcs) await admin.req('PUT', `/compute/v2.1/os-services/${svc.id}`, { status: 'disabled' });
    try {
      await act(sim, demo, other, { unshelve: null });
      expect(await server(admin, other)).toMatchObject({ status: 'SHELVED_OFFLOADED', 'OS-EXT-STS:task_state': null, 'OS-EXT-SRV-ATTR:host': null });
    } finally {
      for (const svc of svcs) await admin.req('PUT', `/compute/v2.1/os-services/${svc.id}`, { status: 'enabled' });
    }
  });

  it('offload unbinds the ports (kept by the server: device_id stays), unshelve binds them on the new host', async () => {
    const boot = await demo.req('POST', '/compute/v2.1/servers', { server: { name: 'shv-net', imageRef: '155d900f-4e14-4e4c-a73d-069cbf4541e6', flavorRef: '1', networks: 'auto' } });
    const id = boot.json().server.id as string;
    await sim.idle();
    const ports = async () => (await admin.req('GET', `/networking/v2.0/ports?device_id=${id}`)).json().ports as { id: string; status: string; 'binding:host_id': string; device_id: string }[];
    const before = await ports();
    expect(before).toHaveLength(1);
    expect(before[0]).toMatchObject({ status: 'ACTIVE', 'binding:host_id': (await server(admin, id))['OS-EXT-SRV-ATTR:host'] });
    await act(sim, demo, id, { shelve: null });
    await act(sim, admin, id, { shelveOffload: null });
    const offloaded = await ports();
    expect(offloaded).toEqual([expect.objectContaining({ id: before[0].id, device_id: id, status: 'DOWN', 'binding:host_id': '' })]);
    // The addresses stay in the server's network info while it is offloaded.
    expect(Object.keys((await server(demo, id)).addresses as object)).toHaveLength(1);
    await act(sim, demo, id, { unshelve: null });
    const host = (await server(admin, id))['OS-EXT-SRV-ATTR:host'];
    expect(await ports()).toEqual([expect.objectContaining({ id: before[0].id, status: 'ACTIVE', 'binding:host_id': host })]);
  });

  it('refuses shelve of a locked server (409) and of a server in a task; unshelve of an ACTIVE one', async () => {
    const id = await bootServer(sim, demo, 'shv4');
    expect((await action(demo, id, { unshelve: null })).json().conflictingRequest.message).toBe(`Cannot 'unshelve' instance ${id} while it is in vm_state active`);
    await act(sim, admin, id, { lock: null });
    expect((await action(demo, id, { shelve: null })).json().conflictingRequest.message).toBe(`Instance ${id} is locked`);
  });

  it('driver.snapshot failing: compute.exception, fault, task_state reverted, the server stays ACTIVE, powered off', async () => {
    const id = await bootServer(sim, demo, 'shv5');
    sim.faults.add({ service: 'compute', operation: 'driver.snapshot', match: { instance_uuid: id }, error: { exception: 'InternalError', message: 'snapshot backend down' } });
    sim.notifications.clear();
    expect((await action(demo, id, { shelve: null })).statusCode).toBe(202);
    await sim.idle();
    expect(await server(admin, id)).toMatchObject({ status: 'ACTIVE', 'OS-EXT-STS:power_state': 4, 'OS-EXT-STS:task_state': null });
    expect(eventTypes(sim)).toEqual(['instance.exists', 'instance.shelve.start', 'compute.exception']);
    expect((await lastAction(admin, id)).events[0]).toMatchObject({ event: 'compute_shelve_instance', result: 'Error' });
  });
});

describe('shelved_offload_time > 0: the periodic offload on the simulator clock', () => {
  let s2: Simulator;
  afterAll(() => s2?.close());
  it('offloads a SHELVED server once it has been shelved longer than shelved_offload_time', async () => {
    s2 = await startSim({ shelvedOffloadTime: 100, shelvedPollInterval: 60, deterministic: true });
    const user = await client(s2, 'demo');
    const id = await bootServer(s2, user, 'per1');
    await act(s2, user, id, { shelve: null });
    expect((await server(user, id)).status).toBe('SHELVED');
    s2.services.runtime.advance(60_000);
    expect((await s2.periodic.tick()).offloaded).toEqual([]);
    s2.services.runtime.advance(60_000);
    expect((await s2.periodic.tick()).offloaded).toEqual([id]);
    await s2.idle();
    expect((await server(user, id)).status).toBe('SHELVED_OFFLOADED');
  });
});

describe('zed profile policy defaults', () => {
  let z: Simulator;
  afterAll(() => z?.close());
  it('a member shelves, unshelves and changes the password; offload and unshelve to a host stay admin-only', async () => {
    z = await startSim({ profile: 'zed', shelvedOffloadTime: -1 });
    const member = await client(z, 'demo');
    const zadmin = await client(z, 'admin');
    const id = await bootServer(z, member, 'zed1');
    expect((await action(member, id, { changePassword: { adminPass: 'x' } })).statusCode).toBe(202);
    await act(z, member, id, { shelve: null });
    expect((await action(member, id, { shelveOffload: null })).json()).toEqual({ forbidden: { code: 403, message: "Policy doesn't allow os_compute_api:os-shelve:shelve_offload to be performed." } });
    await act(z, zadmin, id, { shelveOffload: null });
    expect((await action(member, id, { unshelve: { host: 'compute' } }, '2.91')).statusCode).toBe(403);
    await act(z, member, id, { unshelve: null });
    expect((await server(member, id)).status).toBe('ACTIVE');
  });
});

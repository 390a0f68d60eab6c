// Several compute hosts, the scheduler and the admin host APIs, as an operator drives them.
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { type Client, bootServer, client, startSim } from '../helpers/sim.js';
import type { Simulator } from '../../src/index.js';

const C = '/compute/v2.1';
const IMAGE = '155d900f-4e14-4e4c-a73d-069cbf4541e6';

describe.each(['master', 'zed'] as const)('hosts, scheduler and host APIs (%s)', (profile) => {
  let sim: Simulator;
  let admin: Client;
  let demo: Client;

  beforeEach(async () => {
    if (!sim) {
      sim = await startSim({ profile });
      admin = await client(sim, 'admin');
      demo = await client(sim, 'demo');
    } else await sim.reset();
  });
  afterAll(async () => sim?.close());

  const computes = async (c = admin) => (await c.req('GET', `${C}/os-services?binary=nova-compute`)).json().services as { id: string; host: string; status: string; state: string }[];

  it('two nova-compute services with one hypervisor each; a member gets Nova 403s', async () => {
    const svcs = await computes();
    expect(svcs.map((x) => x.host)).toEqual(['compute', 'compute-2']);
    expect(svcs.every((x) => x.status === 'enabled' && x.state === 'up')).toBe(true);
    const all = (await admin.req('GET', `${C}/os-services`)).json().services as { binary: string; zone: string }[];
    expect(all.find((x) => x.binary === 'nova-scheduler')!.zone).toBe('internal');
    const hv = (await admin.req('GET', `${C}/os-hypervisors/detail`)).json().hypervisors;
    expect(hv.map((h: { hypervisor_hostname: string }) => h.hypervisor_hostname)).toEqual(['novasim-node', 'novasim-node-2']);
    expect(hv[0].service.host).toBe('compute');
    for (const url of ['/os-services', '/os-hypervisors', '/os-aggregates', '/os-availability-zone/detail']) {
      const r = await demo.req('GET', `${C}${url}`);
      expect(r.statusCode).toBe(403);
      expect(r.json().forbidden.message).toMatch(/^Policy doesn't allow os_compute_api:os-[a-z-]+:(list|index|detail) to be performed\.$/);
    }
    const az = (await demo.req('GET', `${C}/os-availability-zone`)).json();
    expect(az).toEqual({ availabilityZoneInfo: [{ zoneName: 'nova', zoneState: { available: true }, hosts: null }] });
  });

  it('a disabled host gets no servers; with both disabled the boot ends in NoValidHost', async () => {
    const [first] = await computes();
    let r = await admin.req('PUT', `${C}/os-services/${first.id}`, { status: 'disabled', disabled_reason: 'maintenance' });
    expect(r.statusCode).toBe(200);
    expect(r.json().service).toMatchObject({ host: 'compute', status: 'disabled', disabled_reason: 'maintenance', forced_down: false });
    const update = sim.notifications.list({ eventType: 'service.update' }).at(-1)!;
    expect(update.envelope.publisher_id).toBe('nova-compute:compute');
    expect((update.envelope.payload as { 'nova_object.data': { disabled: boolean } })['nova_object.data'].disabled).toBe(true);
    for (const name of ['a', 'b']) {
      const id = await bootServer(sim, demo, name);
      const srv = (await admin.req('GET', `${C}/servers/${id}`)).json().server;
      expect(srv['OS-EXT-SRV-ATTR:host']).toBe('compute-2');
      expect(srv['OS-EXT-SRV-ATTR:hypervisor_hostname']).toBe('novasim-node-2');
    }
    const start = sim.notifications.list({ eventType: 'scheduler.select_destinations.start' });
    expect(start.length).toBe(2);
    expect(start[0].envelope.publisher_id).toBe(`nova-scheduler:${sim.config.confHost}`);
    const hv2 = (await admin.req('GET', `${C}/os-hypervisors/detail`, undefined, { 'openstack-api-version': 'compute 2.87' })).json().hypervisors[1];
    expect(hv2).toMatchObject({ running_vms: 2, vcpus_used: 2, memory_mb_used: 512 + 1024, status: 'enabled' });
    r = await admin.req('PUT', `${C}/os-services/disable`, { host: 'compute-2', binary: 'nova-compute' }, { 'openstack-api-version': 'compute 2.52' });
    expect(r.json()).toEqual({ service: { host: 'compute-2', binary: 'nova-compute', status: 'disabled' } });
    const id = (await demo.req('POST', `${C}/servers`, { server: { name: 'c', imageRef: IMAGE, flavorRef: '1', networks: 'none' } })).json().server.id;
    await sim.idle();
    const srv = (await admin.req('GET', `${C}/servers/${id}`)).json().server;
    expect(srv.status).toBe('ERROR');
    expect(srv.fault).toMatchObject({ code: 500, message: 'No valid host was found. ' });
    expect(sim.notifications.list({ eventType: 'compute_task.build_instances.error' })).toHaveLength(1);
    // A compute hosting instances cannot be deleted.
    const svc2 = (await computes()).find((x) => x.host === 'compute-2')!;
    r = await admin.req('DELETE', `${C}/os-services/${svc2.id}`);
    expect(r.statusCode).toBe(409);
  });

  it('aggregates: AZ aggregate, add host, metadata, forced host, notifications and Nova texts', async () => {
    let r = await admin.req('POST', `${C}/os-aggregates`, { aggregate: { name: 'agg1', availability_zone: 'az1' } });
    expect(r.statusCode).toBe(200);
    const agg = r.json().aggregate;
    expect(Object.keys(agg).sort()).toEqual(['availability_zone', 'created_at', 'deleted', 'deleted_at', 'id', 'name', 'updated_at', 'uuid']);
    r = await admin.req('POST', `${C}/os-aggregates`, { aggregate: { name: 'agg1' } });
    expect(r.statusCode).toBe(409);
    expect(r.json().conflictingRequest.message).toBe('Aggregate agg1 already exists.');
    const exc = sim.notifications.list({ eventType: 'compute.exception' }).at(-1)!;
    expect(exc.envelope.publisher_id).toBe(`nova-api:${sim.config.confHost}`);
    expect((exc.envelope.payload as { 'nova_object.data': Record<string, string> })['nova_object.data']).toMatchObject({ exception: 'AggregateNameExists', module_name: 'nova.objects.aggregate', function_name: '_aggregate_create_in_db' });
    r = await admin.req('POST', `${C}/os-aggregates/${agg.id}/action`, { add_host: { host: 'nowhere' } });
    expect(r.statusCode).toBe(404);
    expect(r.json().itemNotFound.message).toBe('Compute host nowhere could not be found.');
    r = await admin.req('POST', `${C}/os-aggregates/${agg.id}/action`, { add_host: { host: 'compute-2' } });
    expect(r.json().aggregate.hosts).toEqual(['compute-2']);
    r = await admin.req('POST', `${C}/os-aggregates/${agg.id}/action`, { set_metadata: { metadata: { ssd: 'true', availability_zone: '' } } });
    expect(r.statusCode).toBe(400);
    expect(r.json().badRequest.message).toBe(`Cannot update metadata of aggregate ${agg.id}. Reason: Aggregate agg1 does not support empty named availability zone.`);
    r = await admin.req('POST', `${C}/os-aggregates/${agg.id}/action`, { set_metadata: { metadata: { ssd: 'true' } } });
    expect(r.json().aggregate.metadata).toEqual({ availability_zone: 'az1', ssd: 'true' });
    const zones = (await admin.req('GET', `${C}/os-availability-zone/detail`)).json().availabilityZoneInfo;
    expect(zones.map((z: { zoneName: string }) => z.zoneName).sort()).toEqual(['az1', 'internal', 'nova']);
    expect(Object.keys(zones.find((z: { zoneName: string }) => z.zoneName === 'az1').hosts)).toEqual(['compute-2']);
    // A boot into az1 lands on compute-2; a member may not force a host.
    r = await demo.req('POST', `${C}/servers`, { server: { name: 'z', imageRef: IMAGE, flavorRef: '1', networks: 'none', availability_zone: 'az1' } });
    expect(r.statusCode).toBe(202);
    await sim.idle();
    let srv = (await admin.req('GET', `${C}/servers/${r.json().server.id}`)).json().server;
    expect(srv['OS-EXT-SRV-ATTR:host']).toBe('compute-2');
    expect(srv['OS-EXT-AZ:availability_zone']).toBe('az1');
    r = await demo.req('POST', `${C}/servers`, { server: { name: 'f', imageRef: IMAGE, flavorRef: '1', networks: 'none', availability_zone: 'nova:compute' } });
    expect(r.statusCode).toBe(403);
    expect(r.json().forbidden.message).toBe("Policy doesn't allow os_compute_api:servers:create:forced_host to be performed.");
    r = await admin.req('POST', `${C}/servers`, { server: { name: 'f', imageRef: IMAGE, flavorRef: '1', networks: 'none', availability_zone: 'nope' } });
    expect(r.json().badRequest.message).toBe('The requested availability zone is not available');
    r = await admin.req('POST', `${C}/servers`, { server: { name: 'f', imageRef: IMAGE, flavorRef: '1', networks: 'none', availability_zone: 'nova:compute' } });
    await sim.idle();
    srv = (await admin.req('GET', `${C}/servers/${r.json().server.id}`)).json().server;
    expect(srv['OS-EXT-SRV-ATTR:host']).toBe('compute');
    // Removing a host with instances would move them out of az1.
    r = await admin.req('POST', `${C}/os-aggregates/${agg.id}/action`, { remove_host: { host: 'compute-2' } });
    expect(r.statusCode).toBe(409);
    r = await admin.req('DELETE', `${C}/os-aggregates/${agg.id}`);
    expect(r.statusCode).toBe(400);
    expect(r.json().badRequest.message).toBe(`Cannot remove host from aggregate ${agg.id}. Reason: Host aggregate is not empty.`);
    const types = sim.notifications.list().map((n) => n.envelope.event_type).filter((t) => t.startsWith('aggregate.'));
    expect(types.slice(0, 7)).toEqual(['aggregate.create.start', 'aggregate.create.end', 'aggregate.create.start', 'aggregate.add_host.start', 'aggregate.add_host.end', 'aggregate.update_metadata.start', 'aggregate.update_metadata.end']);
    r = await admin.req('POST', `${C}/os-aggregates/${agg.id}/images`, { cache: [{ id: IMAGE }] }, { 'openstack-api-version': 'compute 2.81' });
    expect(r.statusCode).toBe(202);
    const progress = sim.notifications.list({ eventType: 'aggregate.cache_images.progress' });
    expect((progress[0].envelope.payload as { 'nova_object.data': Record<string, unknown> })['nova_object.data']).toMatchObject({ host: 'compute-2', index: 1, total: 1, images_cached: [IMAGE], images_failed: [] });
  });

  it('os-migrations is empty until moves exist; server migrations are 404 for unknown ids', async () => {
    const r = await admin.req('GET', `${C}/os-migrations`);
    expect(r.json()).toEqual({ migrations: [] });
    const id = await bootServer(sim, demo, 'm');
    expect((await admin.req('GET', `${C}/servers/${id}/migrations`)).json()).toEqual({ migrations: [] });
    const show = await admin.req('GET', `${C}/servers/${id}/migrations/1`);
    expect(show.statusCode).toBe(404);
    expect((await demo.req('GET', `${C}/os-migrations`)).statusCode).toBe(403);
  });
});

// Starting a nova-compute while the simulator runs (POST /_novasim/compute-services, or
// sim.computeServices.start), as Nova's functional tests do with start_service('compute', host=…).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Simulator } from '../../src/index.js';
import { client, startSim, type Client } from '../helpers/sim.js';

describe('compute services started at run time', () => {
  let sim: Simulator;
  let admin: Client;

  beforeAll(async () => {
    sim = await startSim({ notificationFormat: 'both' });
    admin = await client(sim, 'admin');
  });
  afterAll(() => sim.close());
  beforeEach(() => sim.reset());

  it('POST /_novasim/compute-services: 201, service.create, listed by os-services and os-hypervisors, schedulable', async () => {
    const res = await sim.app.inject({ method: 'POST', url: '/_novasim/compute-services', payload: { host: 'host3', vcpus: 8 } });
    expect(res.statusCode).toBe(201);
    const svc = res.json().service;
    expect(svc).toMatchObject({ host: 'host3', binary: 'nova-compute', node: 'host3' });
    const [n] = sim.notifications.list();
    expect(n.envelope).toMatchObject({ event_type: 'service.create', publisher_id: 'nova-compute:host3', priority: 'INFO' });
    expect((n.envelope.payload as any)['nova_object.data']).toMatchObject({ host: 'host3', uuid: svc.id, last_seen_up: null, report_count: 0, disabled: false });
    // Service.create has no legacy twin.
    expect(sim.legacyNotifications.list()).toEqual([]);

    const services = (await admin.req('GET', '/compute/v2.1/os-services?binary=nova-compute')).json().services;
    expect(services.map((s: { host: string }) => s.host)).toContain('host3');
    const hv = (await admin.req('GET', '/compute/v2.1/os-hypervisors/detail')).json().hypervisors;
    expect(hv.find((h: { hypervisor_hostname: string }) => h.hypervisor_hostname === 'host3')).toMatchObject({ state: 'up', status: 'enabled' });
    expect(sim.services.hosts.nodesByHost('host3')[0].vcpus).toBe(8);

    // An admin can target it (availability_zone nova:host3).
    const boot = await admin.req('POST', '/compute/v2.1/servers', {
      server: { name: 'on3', imageRef: '155d900f-4e14-4e4c-a73d-069cbf4541e6', flavorRef: '1', networks: 'none', availability_zone: 'nova:host3' },
    });
    expect(boot.statusCode).toBe(202);
    await sim.idle();
    const shown = (await admin.req('GET', `/compute/v2.1/servers/${boot.json().server.id}`)).json().server;
    expect(shown).toMatchObject({ status: 'ACTIVE', 'OS-EXT-SRV-ATTR:host': 'host3' });
  });

  it('a host that already runs nova-compute is 409 ServiceBinaryExists; a bad body is 400; nothing is written', async () => {
    const dup = await sim.app.inject({ method: 'POST', url: '/_novasim/compute-services', payload: { host: 'compute' } });
    expect(dup.statusCode).toBe(409);
    expect(dup.json().error.message).toBe('Service with host compute binary nova-compute exists.');
    const bad = await sim.app.inject({ method: 'POST', url: '/_novasim/compute-services', payload: { host: '', color: 'red' } });
    expect(bad.statusCode).toBe(400);
    expect(sim.notifications.list()).toEqual([]);
    expect(sim.services.hosts.services().filter((s) => s.binary === 'nova-compute')).toHaveLength(2);
  });

  it('removed as an operator does: DELETE os-services/{id} sends service.delete and drops its node', async () => {
    const svc = sim.computeServices.start({ host: 'host4' });
    const del = await admin.req('DELETE', `/compute/v2.1/os-services/${svc.uuid}`);
    expect(del.statusCode).toBe(204);
    expect(sim.notifications.list().map((n) => [n.envelope.event_type, n.envelope.publisher_id])).toEqual([
      ['service.create', 'nova-compute:host4'],
      ['service.delete', 'nova-compute:host4'],
    ]);
    expect(sim.services.hosts.nodesByHost('host4')).toEqual([]);
    // …and it can be started again.
    expect(sim.computeServices.start({ host: 'host4' }).host).toBe('host4');
  });
});

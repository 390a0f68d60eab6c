// network-vif-plugged: the fake Neutron tells Nova over HTTP (POST /os-server-external-events, as its
// nova user) when a server's port goes ACTIVE; the spawn waits for it as libvirt's
// _create_guest_with_network does, with vif_plugging_timeout / vif_plugging_is_fatal semantics.
import { afterEach, describe, expect, it } from 'vitest';
import type { Simulator } from '../../../src/index.js';
import { externalEvents } from '../../../src/compute/external-events.js';
import { client, startSim } from '../../helpers/sim.js';

const IMAGE = '155d900f-4e14-4e4c-a73d-069cbf4541e6';
let sim: Simulator | null = null;
afterEach(async () => {
  await sim?.close();
  sim = null;
});

async function bootOnPrivate(s: Simulator) {
  const demo = await client(s, 'demo');
  const net = (await demo.req('GET', '/networking/v2.0/networks?name=private')).json().networks[0].id as string;
  const res = await demo.req('POST', '/compute/v2.1/servers', { server: { name: 'vif', imageRef: IMAGE, flavorRef: '1', networks: [{ uuid: net }] } });
  expect(res.statusCode).toBe(202);
  const id = res.json().server.id as string;
  await s.idle();
  const server = (await demo.req('GET', `/compute/v2.1/servers/${id}`)).json().server;
  const ports = (await demo.req('GET', `/networking/v2.0/ports?device_id=${id}`)).json().ports as { id: string; status: string }[];
  return { demo, id, server, ports };
}

describe('network-vif-plugged', () => {
  it('Neutron sends it when the bound port goes ACTIVE; the build waits for it and reaches ACTIVE', async () => {
    sim = await startSim({ vifPluggingTimeout: 5 });
    const { id, server, ports } = await bootOnPrivate(sim);
    expect(server.status).toBe('ACTIVE');
    expect(ports).toHaveLength(1);
    const events = externalEvents(sim.services).list(id);
    expect(events.filter((e) => e.name === 'network-vif-plugged')).toEqual([expect.objectContaining({ tag: ports[0].id, status: 'completed' })]);
  });

  it('a suppressed event with vif_plugging_is_fatal aborts the build: VirtualInterfaceCreateException, ports given back', async () => {
    sim = await startSim({ vifPluggingTimeout: 0.2 });
    sim.faults.add({ service: 'neutron', operation: 'network-vif-plugged' });
    const { id, server, ports } = await bootOnPrivate(sim);
    expect(server.status).toBe('ERROR');
    expect(server.fault.message).toBe(`Build of instance ${id} aborted: Failed to allocate the network(s), not rescheduling.`);
    expect(ports).toEqual([]);
    const error = sim.notifications.list().find((n) => n.envelope.event_type === 'instance.create.error')!;
    const fault = (error.envelope.payload as { 'nova_object.data': { fault: { 'nova_object.data': Record<string, unknown> } } })['nova_object.data'].fault['nova_object.data'];
    expect(fault).toMatchObject({ exception: 'VirtualInterfaceCreateException', exception_message: 'Virtual Interface creation failed' });
  });

  it('without vif_plugging_is_fatal the build goes on after the timeout', async () => {
    sim = await startSim({ vifPluggingTimeout: 0.1, vifPluggingIsFatal: false });
    sim.faults.add({ service: 'neutron', operation: 'network-vif-plugged' });
    const { id, server, ports } = await bootOnPrivate(sim);
    expect(server.status).toBe('ACTIVE');
    expect(ports.map((p) => p.status)).toEqual(['ACTIVE']);
    expect(externalEvents(sim.services).list(id).some((e) => e.name === 'network-vif-plugged')).toBe(false);
  });

  it('a delayed event (fault delay_ms) inside the timeout still lets the build finish', async () => {
    sim = await startSim({ vifPluggingTimeout: 5 });
    sim.faults.add({ service: 'neutron', operation: 'network-vif-plugged', error: { delay_ms: 150 } });
    const { server } = await bootOnPrivate(sim);
    expect(server.status).toBe('ACTIVE');
  });
});

describe('network-vif-deleted', () => {
  it('deleting a server port in Neutron drops it from the server (addresses, os-interface)', async () => {
    sim = await startSim();
    const { demo, id, ports } = await bootOnPrivate(sim);
    const admin = await client(sim, 'admin');
    const del = await admin.req('DELETE', `/networking/v2.0/ports/${ports[0].id}`);
    expect(del.statusCode).toBe(204);
    await sim.idle();
    expect(externalEvents(sim.services).list(id).map((e) => [e.name, e.tag])).toContainEqual(['network-vif-deleted', ports[0].id]);
    expect((await demo.req('GET', `/compute/v2.1/servers/${id}`)).json().server.addresses).toEqual({});
    expect((await demo.req('GET', `/compute/v2.1/servers/${id}/os-interface`)).json().interfaceAttachments).toEqual([]);
  });
});

describe('network-vif-plugged for a port that was already ACTIVE', () => {
  it('binding it to the server rewires it: the event comes and the build does not wait out the timeout', async () => {
    sim = await startSim({ vifPluggingTimeout: 3 });
    const admin = await client(sim, 'admin');
    const demo = await client(sim, 'demo');
    const net = (await demo.req('GET', '/networking/v2.0/networks?name=private')).json().networks[0].id as string;
    const port = (await admin.req('POST', '/networking/v2.0/ports', { port: { network_id: net, project_id: demo.projectId, 'binding:host_id': 'compute' } })).json().port;
    expect(port.status).toBe('ACTIVE');
    const started = Date.now();
    const res = await demo.req('POST', '/compute/v2.1/servers', { server: { name: 'prebound', imageRef: IMAGE, flavorRef: '1', networks: [{ port: port.id }] } });
    expect(res.statusCode).toBe(202);
    await sim.idle();
    expect((await demo.req('GET', `/compute/v2.1/servers/${res.json().server.id}`)).json().server.status).toBe('ACTIVE');
    expect(Date.now() - started).toBeLessThan(2500);
  });
});

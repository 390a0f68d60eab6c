// Nova's network side over HTTP: boot on a network / a port / a fixed IP, Nova's refusals, the ports
// bound to the host, addresses from the real ports, delete releasing what Nova created, os-interface.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Simulator } from '../../../src/index.js';
import { type Client, client, startSim } from '../../helpers/sim.js';

const N = '/networking/v2.0';
const C = '/compute/v2.1';
const IMAGE = '155d900f-4e14-4e4c-a73d-069cbf4541e6';
let sim: Simulator;
let admin: Client;
let demo: Client;
let privId: string;
let pubId: string;

const boot = (c: Client, networks: unknown, name = 'vm') => c.req('POST', `${C}/servers`, { server: { name, imageRef: IMAGE, flavorRef: '1', networks } });
const portsOf = async (serverId: string) => (await admin.req('GET', `${N}/ports?device_id=${serverId}`)).json().ports;

beforeAll(async () => {
  sim = await startSim();
  admin = await client(sim, 'admin');
  demo = await client(sim, 'demo');
  privId = (await demo.req('GET', `${N}/networks?name=private`)).json().networks[0].id;
  pubId = (await demo.req('GET', `${N}/networks?name=public`)).json().networks[0].id;
});
afterAll(() => sim.close());

describe('Nova networking through the fake Neutron', () => {
  it('boots on a network uuid: a port created, bound to the host, ACTIVE; addresses list IPv4 and SLAAC IPv6; delete removes the port', async () => {
    const res = await boot(demo, [{ uuid: privId }]);
    expect(res.statusCode).toBe(202);
    const id = res.json().server.id;
    await sim.idle();
    const [port] = await portsOf(id);
    expect(port).toMatchObject({ network_id: privId, device_owner: 'compute:nova', 'binding:host_id': 'compute', 'binding:vif_type': 'ovs', status: 'ACTIVE', project_id: demo.projectId });
    const server = (await demo.req('GET', `${C}/servers/${id}`)).json().server;
    expect(server.addresses.private).toEqual([
      { version: 4, addr: port.fixed_ips[0].ip_address, 'OS-EXT-IPS:type': 'fixed', 'OS-EXT-IPS-MAC:mac_addr': port.mac_address },
      { version: 6, addr: port.fixed_ips[1].ip_address, 'OS-EXT-IPS:type': 'fixed', 'OS-EXT-IPS-MAC:mac_addr': port.mac_address },
    ]);
    const [create] = sim.notifications.list({ eventType: 'instance.create.end', instanceUuid: id });
    const ips = (create.envelope.payload as { 'nova_object.data': { ip_addresses: { 'nova_object.data': Record<string, unknown> }[] } })['nova_object.data'].ip_addresses;
    expect(ips[0]['nova_object.data']).toMatchObject({ port_uuid: port.id, address: port.fixed_ips[0].ip_address, label: 'private', device_name: `tap${port.id}`.slice(0, 14), mac: port.mac_address });
    expect((await demo.req('DELETE', `${C}/servers/${id}`)).statusCode).toBe(204);
    await sim.idle();
    expect(await portsOf(id)).toEqual([]);
    expect((await admin.req('GET', `${N}/ports/${port.id}`)).statusCode).toBe(404);
  });

  it('boots on a user port and keeps it (unbound) on delete; the port in use is refused for a second server', async () => {
    const port = (await demo.req('POST', `${N}/ports`, { port: { network_id: privId, name: 'mine' } })).json().port;
    const id = (await boot(demo, [{ port: port.id }])).json().server.id;
    await sim.idle();
    expect((await admin.req('GET', `${N}/ports/${port.id}`)).json().port).toMatchObject({ device_id: id, status: 'ACTIVE' });
    const again = await boot(demo, [{ port: port.id }], 'vm2');
    expect(again.statusCode).toBe(409);
    expect(again.json().conflictingRequest.message).toBe(`Port ${port.id} is still in use.`);
    await demo.req('DELETE', `${C}/servers/${id}`);
    await sim.idle();
    expect((await admin.req('GET', `${N}/ports/${port.id}`)).json().port).toMatchObject({ device_id: '', device_owner: '', 'binding:host_id': '', status: 'DOWN' });
  });

  it('boots with a fixed IP; refuses one in use, an unknown network or port, an ambiguous auto', async () => {
    const id = (await boot(demo, [{ uuid: privId, fixed_ip: '10.0.0.40' }])).json().server.id;
    await sim.idle();
    expect((await portsOf(id))[0].fixed_ips[0].ip_address).toBe('10.0.0.40');
    const inUse = await boot(demo, [{ uuid: privId, fixed_ip: '10.0.0.40' }], 'vm3');
    expect(inUse.statusCode).toBe(400);
    expect(inUse.json().badRequest.message).toBe(`Fixed IP address 10.0.0.40 is already in use on instance ${id}.`);
    const missing = '6b2e2c8e-1111-4d1e-9a51-000000000000';
    const noNet = await boot(demo, [{ uuid: missing }]);
    expect(noNet.json()).toEqual({ badRequest: { code: 400, message: `Network ${missing} could not be found.` } });
    const noPort = await boot(demo, [{ port: missing }]);
    expect(noPort.json().badRequest.message).toBe(`Port id ${missing} could not be found.`);
    const badUuid = await boot(demo, [{ uuid: 'private' }]);
    expect(badUuid.json().badRequest.message).toBe('Bad networks format: network uuid is not in proper format (private)');
    // A second tenant network makes 'auto' ambiguous for demo.
    const extra = (await demo.req('POST', `${N}/networks`, { network: { name: 'second' } })).json().network;
    const ambiguous = await boot(demo, 'auto');
    expect(ambiguous.statusCode).toBe(409);
    expect(ambiguous.json().conflictingRequest.message).toBe('Multiple possible networks found, use a Network ID to be more specific.');
    await demo.req('DELETE', `${N}/networks/${extra.id}`);
    // A member may not plug into the external network.
    const ext = await boot(demo, [{ uuid: pubId }]);
    expect(ext.statusCode).toBe(403);
    expect(ext.json().forbidden.message).toBe(`It is not allowed to create an interface on external network ${pubId}`);
  });

  it('os-interface: attach by network and by port, list, show, detach (Nova-created port deleted), refusals', async () => {
    const id = (await boot(demo, 'none')).json().server.id;
    await sim.idle();
    const byNet = await demo.req('POST', `${C}/servers/${id}/os-interface`, { interfaceAttachment: { net_id: privId, fixed_ips: [{ ip_address: '10.0.0.50' }] } });
    expect(byNet.statusCode).toBe(200);
    const a = byNet.json().interfaceAttachment;
    expect(a).toMatchObject({ net_id: privId, port_state: 'ACTIVE', fixed_ips: [expect.objectContaining({ ip_address: '10.0.0.50' })] });
    const port = (await demo.req('POST', `${N}/ports`, { port: { network_id: privId } })).json().port;
    expect((await demo.req('POST', `${C}/servers/${id}/os-interface`, { interfaceAttachment: { port_id: port.id } })).statusCode).toBe(200);
    const list = (await demo.req('GET', `${C}/servers/${id}/os-interface`)).json().interfaceAttachments;
    expect(list.map((x: { port_id: string }) => x.port_id).sort()).toEqual([a.port_id, port.id].sort());
    expect((await demo.req('GET', `${C}/servers/${id}/os-interface/${port.id}`)).json().interfaceAttachment.mac_addr).toBe(port.mac_address);
    const server = (await demo.req('GET', `${C}/servers/${id}`)).json().server;
    expect(server.addresses.private.map((x: { addr: string }) => x.addr)).toContain('10.0.0.50');
    const both = await demo.req('POST', `${C}/servers/${id}/os-interface`, { interfaceAttachment: { net_id: privId, port_id: port.id } });
    expect(both.json().badRequest.message).toBe('Must not input both network_id and port_id');
    const inUse = await demo.req('POST', `${C}/servers/${id}/os-interface`, { interfaceAttachment: { port_id: port.id } });
    expect(inUse.statusCode).toBe(409);
    const unknown = await demo.req('GET', `${C}/servers/${id}/os-interface/${'0'.repeat(8)}-0000-4000-8000-000000000000`);
    expect(unknown.statusCode).toBe(404);
    expect((await demo.req('DELETE', `${C}/servers/${id}/os-interface/${a.port_id}`)).statusCode).toBe(202);
    await sim.idle();
    expect((await admin.req('GET', `${N}/ports/${a.port_id}`)).statusCode).toBe(404);
    expect((await demo.req('GET', `${C}/servers/${id}/os-interface`)).json().interfaceAttachments.map((x: { port_id: string }) => x.port_id)).toEqual([port.id]);
    const actions = (await demo.req('GET', `${C}/servers/${id}/os-instance-actions`)).json().instanceActions.map((x: { action: string }) => x.action);
    expect(actions).toEqual(expect.arrayContaining(['attach_interface', 'detach_interface']));
  });
});

describe('floating IPs reach Nova through network-changed', () => {
  it('associating a floating IP shows it in the server addresses (Neutron → os-server-external-events → cache refresh); disassociating removes it', async () => {
    const id = (await boot(demo, [{ uuid: privId }], 'fipvm')).json().server.id;
    await sim.idle();
    const [port] = await portsOf(id);
    const fip = (await demo.req('POST', `${N}/floatingips`, { floatingip: { floating_network_id: pubId, port_id: port.id } })).json().floatingip;
    await sim.idle();
    const addrs = (await demo.req('GET', `${C}/servers/${id}`)).json().server.addresses.private;
    expect(addrs).toContainEqual({ version: 4, addr: fip.floating_ip_address, 'OS-EXT-IPS:type': 'floating', 'OS-EXT-IPS-MAC:mac_addr': port.mac_address });
    await demo.req('PUT', `${N}/floatingips/${fip.id}`, { floatingip: { port_id: null } });
    await sim.idle();
    const after = (await demo.req('GET', `${C}/servers/${id}`)).json().server.addresses.private;
    expect(after.filter((a: { 'OS-EXT-IPS:type': string }) => a['OS-EXT-IPS:type'] === 'floating')).toEqual([]);
    // The API itself: a member may not send events (service role), unknown servers are per-event 404s.
    const denied = await demo.req('POST', `${C}/os-server-external-events`, { events: [{ name: 'network-changed', server_uuid: id }] });
    expect(denied.statusCode).toBe(403);
    const nova = await client(sim, 'nova');
    const mixed = await nova.req('POST', `${C}/os-server-external-events`, { events: [{ name: 'network-changed', server_uuid: id, tag: port.id }, { name: 'network-vif-plugged', server_uuid: '00000000-0000-4000-8000-000000000000' }] });
    expect(mixed.statusCode).toBe(207);
    expect(mixed.json().events.map((e: { code: number }) => e.code)).toEqual([200, 404]);
  });
});

describe('Neutron faults on the build path', () => {
  it("a fault on Neutron's create_port fails the build: ERROR with the fault, no port left behind", async () => {
    // Armed before the boot (the build starts right after the 202); nothing else creates ports meanwhile.
    sim.faults.add({ service: 'neutron', operation: 'create_port', error: { status: 503, message: 'neutron is down' } });
    const id = (await boot(demo, [{ uuid: privId }], 'faulty')).json().server.id;
    await sim.idle();
    const server = (await demo.req('GET', `${C}/servers/${id}`)).json().server;
    expect(server.status).toBe('ERROR');
    expect(server.fault.message).toContain('neutron is down');
    expect(await portsOf(id)).toEqual([]);
    expect(sim.faults.list()[0]).toMatchObject({ hits: 1, remaining: 0 });
  });
});

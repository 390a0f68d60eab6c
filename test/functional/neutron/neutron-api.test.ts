// The fake Neutron over HTTP (/networking/v2.0): the devstack seed, CRUD, filters and paging, IPAM,
// security groups, routers and floating IPs, and Neutron's error envelope.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Simulator } from '../../../src/index.js';
import { type Client, client, startSim } from '../../helpers/sim.js';

const N = '/networking/v2.0';
let sim: Simulator;
let admin: Client;
let demo: Client;
const byName = async (c: Client, coll: string, name: string) => (await c.req('GET', `${N}/${coll}?name=${name}`)).json()[coll.replaceAll('-', '_')][0];

beforeAll(async () => {
  sim = await startSim();
  admin = await client(sim, 'admin');
  demo = await client(sim, 'demo');
});
afterAll(() => sim.close());

describe('fake Neutron', () => {
  it('is in the catalog as "network" and answers version discovery', async () => {
    const tok = await sim.app.inject({ method: 'GET', url: '/identity/v3/auth/tokens', headers: { 'x-auth-token': admin.token, 'x-subject-token': admin.token } });
    const net = tok.json().token.catalog.find((e: { type: string }) => e.type === 'network');
    expect(net.endpoints[0].url).toMatch(/\/networking$/);
    const root = await sim.app.inject({ method: 'GET', url: '/networking/' });
    expect(root.json().versions[0]).toMatchObject({ id: 'v2.0', status: 'CURRENT' });
    const ext = (await demo.req('GET', `${N}/extensions`)).json().extensions.map((e: { alias: string }) => e.alias);
    expect(ext).toEqual(expect.arrayContaining(['binding', 'security-group', 'router', 'external-net', 'standard-attr-tag', 'port-security']));
    expect((await sim.app.inject({ method: 'GET', url: `${N}/networks` })).statusCode).toBe(401);
  });

  it('seeds devstack: private (demo, IPv4 /26 + SLAAC IPv6), public (external), router1 joining them', async () => {
    const priv = await byName(demo, 'networks', 'private');
    expect(priv).toMatchObject({ project_id: demo.projectId, shared: false, 'router:external': false, status: 'ACTIVE', mtu: 1442 });
    expect(priv.subnets).toHaveLength(2);
    expect(priv['provider:network_type']).toBeUndefined(); // admin-only attribute
    const pub = await byName(demo, 'networks', 'public');
    expect(pub).toMatchObject({ 'router:external': true });
    const sub = await byName(demo, 'subnets', 'private-subnet');
    expect(sub).toMatchObject({ cidr: '10.0.0.0/26', gateway_ip: '10.0.0.1', allocation_pools: [{ start: '10.0.0.2', end: '10.0.0.62' }], enable_dhcp: true, ip_version: 4 });
    const v6 = await byName(demo, 'subnets', 'ipv6-private-subnet');
    expect(v6).toMatchObject({ ip_version: 6, ipv6_address_mode: 'slaac' });
    const router = await byName(demo, 'routers', 'router1');
    expect(router.external_gateway_info).toMatchObject({ network_id: pub.id, enable_snat: true });
    expect(router.external_gateway_info.external_fixed_ips[0].ip_address).toMatch(/^172\.24\.4\./);
    // The admin sees demo's network too; demo does not see admin-only networks of other projects.
    expect((await admin.req('GET', `${N}/networks?name=private`)).json().networks[0]['provider:network_type']).toBe('geneve');
  });

  it('creates a network and subnet, allocates fixed IPs from the pool (lowest free), refuses taken and foreign addresses', async () => {
    const net = (await demo.req('POST', `${N}/networks`, { network: { name: 'n1' } })).json().network;
    expect(net).toMatchObject({ name: 'n1', admin_state_up: true, shared: false, status: 'ACTIVE', subnets: [] });
    const sub = await demo.req('POST', `${N}/subnets`, { subnet: { network_id: net.id, cidr: '192.168.50.0/29', ip_version: 4, name: 's1' } });
    expect(sub.statusCode).toBe(201);
    expect(sub.json().subnet).toMatchObject({ gateway_ip: '192.168.50.1', allocation_pools: [{ start: '192.168.50.2', end: '192.168.50.6' }] });
    const p1 = (await demo.req('POST', `${N}/ports`, { port: { network_id: net.id } })).json().port;
    expect(p1.fixed_ips).toEqual([{ subnet_id: sub.json().subnet.id, ip_address: '192.168.50.2' }]);
    expect(p1).toMatchObject({ status: 'DOWN', device_id: '', mac_address: expect.stringMatching(/^fa:16:3e(:[0-9a-f]{2}){3}$/) });
    expect(p1.security_groups).toHaveLength(1); // the project's default group, created on first use
    const taken = await demo.req('POST', `${N}/ports`, { port: { network_id: net.id, fixed_ips: [{ ip_address: '192.168.50.2' }] } });
    expect(taken.statusCode).toBe(409);
    expect(taken.json()).toEqual({ NeutronError: { type: 'IpAddressInUse', message: `Unable to complete operation for network ${net.id}. The IP address 192.168.50.2 is in use.`, detail: '' } });
    const foreign = await demo.req('POST', `${N}/ports`, { port: { network_id: net.id, fixed_ips: [{ ip_address: '10.9.9.9' }] } });
    expect(foreign.json().NeutronError).toMatchObject({ type: 'InvalidIpForNetwork', message: 'IP address 10.9.9.9 is not a valid IP for any of the subnets on the specified network.' });
    // Four more addresses fit (.3–.6), the fifth does not.
    for (let i = 0; i < 4; i++) expect((await demo.req('POST', `${N}/ports`, { port: { network_id: net.id } })).statusCode).toBe(201);
    const full = await demo.req('POST', `${N}/ports`, { port: { network_id: net.id } });
    expect(full.statusCode).toBe(409);
    expect(full.json().NeutronError).toMatchObject({ type: 'IpAddressGenerationFailure', message: `No more IP addresses available on network ${net.id}.` });
    // Deleting a port frees its address; the network cannot go while ports remain.
    expect((await demo.req('DELETE', `${N}/ports/${p1.id}`)).statusCode).toBe(204);
    expect((await demo.req('POST', `${N}/ports`, { port: { network_id: net.id } })).json().port.fixed_ips[0].ip_address).toBe('192.168.50.2');
    const inUse = await demo.req('DELETE', `${N}/networks/${net.id}`);
    expect(inUse.statusCode).toBe(409);
    expect(inUse.json().NeutronError.type).toBe('NetworkInUse');
  });

  it('validates subnets as Neutron does (cidr form, overlap, version)', async () => {
    const net = (await demo.req('POST', `${N}/networks`, { network: { name: 'n2' } })).json().network;
    const bad = await demo.req('POST', `${N}/subnets`, { subnet: { network_id: net.id, cidr: '10.1.0.1/24', ip_version: 4 } });
    expect(bad.json()).toEqual({ NeutronError: { type: 'HTTPBadRequest', message: "Invalid input for cidr. Reason: '10.1.0.1/24' isn't a recognized IP subnet cidr, '10.1.0.0/24' is recommended.", detail: '' } });
    expect((await demo.req('POST', `${N}/subnets`, { subnet: { network_id: net.id, cidr: '10.1.0.0/24', ip_version: 4 } })).statusCode).toBe(201);
    const overlap = await demo.req('POST', `${N}/subnets`, { subnet: { network_id: net.id, cidr: '10.1.0.128/25', ip_version: 4 } });
    expect(overlap.json().NeutronError.message).toBe(`Invalid input for operation: Requested subnet with cidr: 10.1.0.128/25 for network: ${net.id} overlaps with another subnet.`);
    const missing = await demo.req('POST', `${N}/subnets`, { subnet: { network_id: net.id, cidr: '10.2.0.0/24' } });
    expect(missing.json().NeutronError.message).toBe("Failed to parse request. Required attribute 'ip_version' not specified");
    const unknown = await demo.req('POST', `${N}/networks`, { network: { name: 'x', color: 'red' } });
    expect(unknown.json().NeutronError.message).toBe("Unrecognized attribute(s) 'color'");
    const v6 = await demo.req('POST', `${N}/subnets`, { subnet: { network_id: net.id, cidr: 'fd00:1::/64', ip_version: 6, ipv6_address_mode: 'slaac', ipv6_ra_mode: 'slaac' } });
    expect(v6.json().subnet).toMatchObject({ gateway_ip: 'fd00:1::1', allocation_pools: [{ start: 'fd00:1::2', end: 'fd00:1::ffff:ffff:ffff:ffff' }] });
    const port = (await demo.req('POST', `${N}/ports`, { port: { network_id: net.id, mac_address: 'fa:16:3e:00:00:01' } }));
    expect(port.statusCode).toBe(403); // mac_address is admin-only by policy
    const p = (await admin.req('POST', `${N}/ports`, { port: { network_id: net.id, mac_address: 'fa:16:3e:00:00:01', project_id: demo.projectId } })).json().port;
    expect(p.fixed_ips.map((f: { ip_address: string }) => f.ip_address)).toEqual(['10.1.0.2', 'fd00:1::f816:3eff:fe00:1']);
  });

  it('filters (any attribute, fixed_ips, several values), fields, paging with next links; 404s in the envelope', async () => {
    const priv = await byName(demo, 'networks', 'private');
    const onPriv = (await demo.req('GET', `${N}/ports?network_id=${priv.id}&fields=id&fields=device_owner`)).json().ports;
    expect(onPriv.length).toBeGreaterThanOrEqual(2);
    expect(Object.keys(onPriv[0]).sort()).toEqual(['device_owner', 'id']);
    const gw = (await demo.req('GET', `${N}/ports?fixed_ips=ip_address%3D10.0.0.1`)).json().ports;
    expect(gw).toHaveLength(1);
    expect(gw[0].device_owner).toBe('network:router_interface');
    const two = (await demo.req('GET', `${N}/networks?name=private&name=public`)).json().networks;
    expect(two.map((n: { name: string }) => n.name).sort()).toEqual(['private', 'public']);
    const page1 = (await demo.req('GET', `${N}/networks?limit=1`)).json();
    expect(page1.networks).toHaveLength(1);
    expect(page1.networks_links[0].href).toContain(`marker=${page1.networks[0].id}`);
    expect((await demo.req('GET', `${N}/networks?bogus=1`)).json().NeutronError.message).toBe("['bogus'] is invalid attribute for filtering");
    expect((await demo.req('GET', `${N}/ports/nope`)).json()).toEqual({ NeutronError: { type: 'PortNotFound', message: 'Port nope could not be found.', detail: '' } });
    expect((await demo.req('GET', `${N}/nothing-here`)).json().NeutronError.type).toBe('HTTPNotFound');
    const malformed = await demo.req('POST', `${N}/networks`, '{"network":', { 'content-type': 'application/json' });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().NeutronError.type).toBe('MalformedRequestBody');
  });

  it('security groups: default per project with four rules, create/delete rules, duplicate refused, default not deletable', async () => {
    const groups = (await demo.req('GET', `${N}/security-groups`)).json().security_groups;
    const dflt = groups.find((g: { name: string }) => g.name === 'default');
    expect(dflt.security_group_rules.map((r: { direction: string; ethertype: string }) => `${r.direction}/${r.ethertype}`).sort()).toEqual(['egress/IPv4', 'egress/IPv6', 'ingress/IPv4', 'ingress/IPv6']);
    const web = (await demo.req('POST', `${N}/security-groups`, { security_group: { name: 'web', description: 'w' } })).json().security_group;
    expect(web.security_group_rules).toHaveLength(2); // egress only
    const rule = { security_group_rule: { security_group_id: web.id, direction: 'ingress', protocol: 'tcp', port_range_min: 22, port_range_max: 22, remote_ip_prefix: '0.0.0.0/0' } };
    const r1 = await demo.req('POST', `${N}/security-group-rules`, rule);
    expect(r1.statusCode).toBe(201);
    const dup = await demo.req('POST', `${N}/security-group-rules`, rule);
    expect(dup.json().NeutronError).toMatchObject({ type: 'SecurityGroupRuleExists', message: `Security group rule already exists. Rule id is ${r1.json().security_group_rule.id}.` });
    expect((await demo.req('DELETE', `${N}/security-groups/${dflt.id}`)).json().NeutronError.type).toBe('SecurityGroupCannotRemoveDefault');
    expect((await demo.req('DELETE', `${N}/security-group-rules/${r1.json().security_group_rule.id}`)).statusCode).toBe(204);
    expect((await demo.req('DELETE', `${N}/security-groups/${web.id}`)).statusCode).toBe(204);
  });

  it('floating IPs: allocated from public, associated to a port behind router1, disassociated; tags', async () => {
    const pub = await byName(demo, 'networks', 'public');
    const priv = await byName(demo, 'networks', 'private');
    const port = (await demo.req('POST', `${N}/ports`, { port: { network_id: priv.id } })).json().port;
    const fip = (await demo.req('POST', `${N}/floatingips`, { floatingip: { floating_network_id: pub.id } })).json().floatingip;
    expect(fip).toMatchObject({ status: 'DOWN', port_id: null, floating_ip_address: expect.stringMatching(/^172\.24\.4\./) });
    const assoc = (await demo.req('PUT', `${N}/floatingips/${fip.id}`, { floatingip: { port_id: port.id } })).json().floatingip;
    expect(assoc).toMatchObject({ port_id: port.id, fixed_ip_address: port.fixed_ips[0].ip_address, status: 'ACTIVE', router_id: (await byName(demo, 'routers', 'router1')).id });
    // A network with no router to public cannot reach it.
    const lonely = (await demo.req('POST', `${N}/networks`, { network: { name: 'lonely' } })).json().network;
    await demo.req('POST', `${N}/subnets`, { subnet: { network_id: lonely.id, cidr: '10.77.0.0/24', ip_version: 4 } });
    const lp = (await demo.req('POST', `${N}/ports`, { port: { network_id: lonely.id } })).json().port;
    const unreachable = await demo.req('PUT', `${N}/floatingips/${fip.id}`, { floatingip: { port_id: lp.id } });
    expect(unreachable.statusCode).toBe(404);
    expect(unreachable.json().NeutronError.type).toBe('ExternalGatewayForFloatingIPNotFound');
    // Deleting the port disassociates the floating IP.
    await demo.req('DELETE', `${N}/ports/${port.id}`);
    expect((await demo.req('GET', `${N}/floatingips/${fip.id}`)).json().floatingip).toMatchObject({ port_id: null, status: 'DOWN' });
    expect((await demo.req('PUT', `${N}/floatingips/${fip.id}/tags/blue`)).statusCode).toBe(201);
    expect((await demo.req('GET', `${N}/floatingips?tags=blue`)).json().floatingips.map((f: { id: string }) => f.id)).toEqual([fip.id]);
  });

  it('another project\'s port is a 404; reset brings the seed back', async () => {
    const priv = await byName(demo, 'networks', 'private');
    const pub = await byName(admin, 'networks', 'public');
    const mine = (await demo.req('POST', `${N}/ports`, { port: { network_id: priv.id, name: 'mine' } })).json().port;
    const adminPort = (await admin.req('POST', `${N}/ports`, { port: { network_id: pub.id } })).json().port;
    expect((await demo.req('GET', `${N}/ports/${adminPort.id}`)).statusCode).toBe(404);
    expect((await demo.req('DELETE', `${N}/ports/${adminPort.id}`)).json().NeutronError.type).toBe('PortNotFound');
    expect((await admin.req('GET', `${N}/ports/${mine.id}`)).statusCode).toBe(200);
    await sim.reset();
    expect((await demo.req('GET', `${N}/ports/${mine.id}`)).statusCode).toBe(404);
    expect((await byName(demo, 'networks', 'private')).id).toBe(priv.id);
  });
});

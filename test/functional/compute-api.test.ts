import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Simulator } from '../../src/index.js';
import { bootServer, client, startSim, type Client } from '../helpers/sim.js';

describe('compute API: discovery, microversions, errors', () => {
  let sim: Simulator;
  let admin: Client;
  beforeAll(async () => {
    sim = await startSim();
    admin = await client(sim, 'admin', null);
  });
  afterAll(() => sim.close());

  it('serves the v2.1 version document without a token', async () => {
    for (const url of ['/compute/v2.1', '/compute/v2.1/']) {
      const res = await sim.app.inject({ url, headers: { host: 'h:1' } });
      expect(res.statusCode).toBe(200);
      expect(res.json().version).toMatchObject({ id: 'v2.1', status: 'CURRENT', version: '2.104', min_version: '2.1' });
      expect(res.json().version.links[0]).toEqual({ rel: 'self', href: 'http://h:1/compute/v2.1/' });
    }
    const root = await sim.app.inject({ url: '/compute/' });
    expect(root.json().versions.map((v: { id: string }) => v.id)).toEqual(['v2.0', 'v2.1']);
  });

  it('zed profile advertises 2.93', async () => {
    const zed = await startSim({ profile: 'zed' });
    const res = await zed.app.inject({ url: '/compute/v2.1' });
    expect(res.json().version.version).toBe('2.93');
    await zed.close();
  });

  it('defaults to 2.1 without a header and echoes the version headers', async () => {
    const res = await admin.req('GET', '/compute/v2.1/servers');
    expect(res.statusCode).toBe(200);
    expect(res.headers['openstack-api-version']).toBe('compute 2.1');
    expect(res.headers['x-openstack-nova-api-version']).toBe('2.1');
    expect(res.headers.vary).toContain('OpenStack-API-Version');
    expect(res.headers['x-compute-request-id']).toMatch(/^req-[0-9a-f-]{36}$/);
    expect(res.headers['x-openstack-request-id']).toBe(res.headers['x-compute-request-id']);
  });

  it('negotiates from either header; the new one wins; latest is the maximum', async () => {
    const legacy = await admin.req('GET', '/compute/v2.1/servers', undefined, { 'x-openstack-nova-api-version': '2.60' });
    expect(legacy.headers['x-openstack-nova-api-version']).toBe('2.60');
    const both = await admin.req('GET', '/compute/v2.1/servers', undefined, { 'x-openstack-nova-api-version': '2.60', 'openstack-api-version': 'compute 2.79' });
    expect(both.headers['x-openstack-nova-api-version']).toBe('2.79');
    const latest = await admin.req('GET', '/compute/v2.1/servers', undefined, { 'openstack-api-version': 'compute latest' });
    expect(latest.headers['openstack-api-version']).toBe('compute 2.104');
  });

  it('answers 406 for a version out of range and 400 for a malformed one', async () => {
    const high = await admin.req('GET', '/compute/v2.1/servers', undefined, { 'openstack-api-version': 'compute 2.105' });
    expect(high.statusCode).toBe(406);
    expect(high.json()).toEqual({ computeFault: { code: 406, message: 'Version 2.105 is not supported by the API. Minimum is 2.1 and maximum is 2.104.' } });
    const bad = await admin.req('GET', '/compute/v2.1/servers', undefined, { 'openstack-api-version': 'compute 2.01' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().badRequest.message).toBe('API Version String 2.01 is of invalid format. Must be of format MajorNum.MinorNum.');
  });

  it('requires a token (401) and puts unknown routes in the Nova envelope (404)', async () => {
    const res = await sim.app.inject({ url: '/compute/v2.1/servers' });
    expect(res.statusCode).toBe(401);
    const nf = await admin.req('GET', '/compute/v2.1/nothing-here');
    expect(nf.statusCode).toBe(404);
    expect(nf.json()).toEqual({ itemNotFound: { code: 404, message: 'The resource could not be found.' } });
  });

  it('rejects malformed JSON, wrong content types and oversized bodies without a 500', async () => {
    const bad = await admin.req('POST', '/compute/v2.1/servers', '{"server": ', { 'content-type': 'application/json' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toEqual({ badRequest: { code: 400, message: 'Malformed request body' } });
    const ct = await admin.req('POST', '/compute/v2.1/servers', '<xml/>', { 'content-type': 'application/xml' });
    expect(ct.statusCode).toBe(415);
    expect(ct.json().badMediaType.code).toBe(415);
    const big = await admin.req('POST', '/compute/v2.1/servers', JSON.stringify({ server: { name: 'x'.repeat(2 * 1024 * 1024) } }), { 'content-type': 'application/json' });
    expect(big.statusCode).toBe(413);
    expect(big.json().overLimit.code).toBe(413);
  });

  it('validates server create bodies with Nova-style messages', async () => {
    const missing = await admin.req('POST', '/compute/v2.1/servers', { server: { imageRef: '155d900f-4e14-4e4c-a73d-069cbf4541e6', flavorRef: '1' } });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().badRequest.message).toMatch(/^Invalid input for field\/attribute server\. Value: .*'name' is a required property$/);
    const top = await admin.req('POST', '/compute/v2.1/servers', {});
    expect(top.json().badRequest.message).toBe("'server' is a required property");
    const extra = await admin.req('POST', '/compute/v2.1/servers', { server: { name: 'a', imageRef: '155d900f-4e14-4e4c-a73d-069cbf4541e6', flavorRef: '1', bogus: 1 } });
    expect(extra.json().badRequest.message).toContain("Additional properties are not allowed ('bogus' was unexpected)");
    const flavor = await admin.req('POST', '/compute/v2.1/servers', { server: { name: 'a', imageRef: '155d900f-4e14-4e4c-a73d-069cbf4541e6', flavorRef: '99' } });
    expect(flavor.json()).toEqual({ badRequest: { code: 400, message: 'Invalid flavorRef provided.' } });
    const image = await admin.req('POST', '/compute/v2.1/servers', { server: { name: 'a', imageRef: '00000000-0000-4000-8000-000000000000', flavorRef: '1' } });
    expect(image.json()).toEqual({ badRequest: { code: 400, message: 'Can not find requested image' } });
    const nets = await admin.req('POST', '/compute/v2.1/servers', { server: { name: 'a', imageRef: '155d900f-4e14-4e4c-a73d-069cbf4541e6', flavorRef: '1' } }, { 'openstack-api-version': 'compute 2.37' });
    expect(nets.json().badRequest.message).toContain("'networks' is a required property");
  });

  it('lists flavors (2.1 shape, is_public=None) and 404s a flavor looked up by name', async () => {
    const list = await admin.req('GET', '/compute/v2.1/flavors/detail?is_public=None');
    expect(list.statusCode).toBe(200);
    const tiny = list.json().flavors.find((f: { name: string }) => f.name === 'm1.tiny');
    expect(tiny).toMatchObject({ id: '1', ram: 512, vcpus: 1, disk: 1, swap: '', rxtx_factor: 1 });
    const byName = await admin.req('GET', '/compute/v2.1/flavors/m1.tiny');
    expect(byName.statusCode).toBe(404);
    expect(byName.json().itemNotFound.message).toBe('Flavor m1.tiny could not be found.');
  });
});

describe('servers lifecycle and isolation', () => {
  let sim: Simulator;
  let admin: Client;
  let demo: Client;
  beforeAll(async () => {
    sim = await startSim({ buildDelayMs: 20 });
    admin = await client(sim, 'admin', null);
    demo = await client(sim, 'demo', null);
  });
  afterAll(() => sim.close());

  it('creates a server (202, BUILD) that becomes ACTIVE asynchronously', async () => {
    const res = await demo.req('POST', '/compute/v2.1/servers', { server: { name: 'vm1', imageRef: '155d900f-4e14-4e4c-a73d-069cbf4541e6', flavorRef: '1' } });
    expect(res.statusCode).toBe(202);
    const body = res.json().server;
    expect(Object.keys(body).sort()).toEqual(['OS-DCF:diskConfig', 'adminPass', 'id', 'links', 'security_groups']);
    expect(res.headers.location).toContain(`/compute/v2.1/servers/${body.id}`);
    const building = await demo.req('GET', `/compute/v2.1/servers/${body.id}`);
    expect(building.json().server.status).toBe('BUILD');
    await sim.idle();
    const show = await demo.req('GET', `/compute/v2.1/servers/${body.id}`);
    const s = show.json().server;
    expect(s).toMatchObject({ id: body.id, name: 'vm1', status: 'ACTIVE', 'OS-EXT-STS:vm_state': 'active', 'OS-EXT-STS:power_state': 1, tenant_id: demo.projectId });
    // 2.1 shape: flavor {id, links}; no OS-EXT-SRV-ATTR for non-admins.
    expect(s.flavor).toMatchObject({ id: '1' });
    expect(s['OS-EXT-SRV-ATTR:host']).toBeUndefined();
    expect(s.addresses.private[0]).toMatchObject({ version: 4, 'OS-EXT-IPS:type': 'fixed' });
    expect(s.hostId).toMatch(/^[0-9a-f]{56}$/);
    expect(s.metadata).toEqual({});
  });

  it('gates the representation by microversion', async () => {
    const id = await bootServer(sim, demo, 'gated');
    const v247 = (await demo.req('GET', `/compute/v2.1/servers/${id}`, undefined, { 'openstack-api-version': 'compute 2.47' })).json().server;
    expect(v247.flavor).toEqual({ vcpus: 1, ram: 512, disk: 1, ephemeral: 0, swap: 0, original_name: 'm1.tiny', extra_specs: {} });
    expect(v247.locked).toBe(false);
    // Booted at 2.1: servers.py create sets the description to the name.
    expect(v247.description).toBe('gated');
    expect(v247.tags).toEqual([]);
    expect(v247.locked_reason).toBeUndefined();
    const v273 = (await demo.req('GET', `/compute/v2.1/servers/${id}`, undefined, { 'openstack-api-version': 'compute 2.73' })).json().server;
    expect(v273.locked_reason).toBeNull();
    const v21 = (await demo.req('GET', `/compute/v2.1/servers/${id}`)).json().server;
    expect(v21.locked).toBeUndefined();
    const adminView = (await admin.req('GET', `/compute/v2.1/servers/${id}`)).json().server;
    // Two hosts by default: the scheduler picks the one with the most free RAM.
    expect(['compute', 'compute-2']).toContain(adminView['OS-EXT-SRV-ATTR:host']);
    expect(adminView['OS-EXT-SRV-ATTR:instance_name']).toMatch(/^instance-[0-9a-f]{8}$/);
  });

  it('lists with name/status filters and limit/marker pagination', async () => {
    for (const n of ['page-a', 'page-b', 'page-c']) await bootServer(sim, demo, n);
    const all = (await demo.req('GET', '/compute/v2.1/servers?name=^page-')).json().servers;
    expect(all.map((s: { name: string }) => s.name)).toEqual(['page-c', 'page-b', 'page-a']);
    const p1 = (await demo.req('GET', '/compute/v2.1/servers?name=^page-&limit=2')).json();
    expect(p1.servers).toHaveLength(2);
    expect(p1.servers_links[0].rel).toBe('next');
    const next = new URL(p1.servers_links[0].href);
    expect(next.searchParams.get('marker')).toBe(p1.servers[1].id);
    const p2 = (await demo.req('GET', `/compute/v2.1/servers?name=^page-&limit=2&marker=${p1.servers[1].id}`)).json();
    expect(p2.servers.map((s: { name: string }) => s.name)).toEqual(['page-a']);
    const bad = await demo.req('GET', '/compute/v2.1/servers?marker=nope');
    expect(bad.statusCode).toBe(400);
    const active = (await demo.req('GET', '/compute/v2.1/servers/detail?status=ACTIVE&name=^page-')).json().servers;
    expect(active).toHaveLength(3);
    const shutoff = (await demo.req('GET', '/compute/v2.1/servers/detail?status=SHUTOFF')).json().servers;
    expect(shutoff).toHaveLength(0);
  });

  it('isolates projects: another project’s server is a 404, all_tenants is admin-only', async () => {
    const mine = await bootServer(sim, admin, 'admin-only');
    const res = await demo.req('GET', `/compute/v2.1/servers/${mine}`);
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ itemNotFound: { code: 404, message: `Instance ${mine} could not be found.` } });
    const list = (await demo.req('GET', '/compute/v2.1/servers')).json().servers;
    expect(list.map((s: { id: string }) => s.id)).not.toContain(mine);
    const forbidden = await demo.req('GET', '/compute/v2.1/servers?all_tenants=1');
    expect(forbidden.statusCode).toBe(403);
    expect(forbidden.json().forbidden.message).toBe("Policy doesn't allow os_compute_api:servers:index:get_all_tenants to be performed.");
    const everyone = (await admin.req('GET', '/compute/v2.1/servers?all_tenants=1')).json().servers;
    expect(everyone.length).toBeGreaterThan(list.length);
  });

  it('deletes asynchronously (204, then gone) and records create/delete actions', async () => {
    const id = await bootServer(sim, demo, 'doomed');
    const del = await demo.req('DELETE', `/compute/v2.1/servers/${id}`);
    expect(del.statusCode).toBe(204);
    await sim.idle();
    expect((await demo.req('GET', `/compute/v2.1/servers/${id}`)).statusCode).toBe(404);
    const actions = (await demo.req('GET', `/compute/v2.1/servers/${id}/os-instance-actions`, undefined, { 'openstack-api-version': 'compute 2.21' })).json().instanceActions;
    expect(actions.map((a: { action: string }) => a.action)).toEqual(['delete', 'create']);
  });

  it('refuses to delete a locked server for its owner (409) but lets an admin', async () => {
    const id = await bootServer(sim, demo, 'locked');
    expect((await demo.req('POST', `/compute/v2.1/servers/${id}/action`, { lock: null })).statusCode).toBe(202);
    const del = await demo.req('DELETE', `/compute/v2.1/servers/${id}`);
    expect(del.statusCode).toBe(409);
    expect(del.json().conflictingRequest.message).toBe(`Instance ${id} is locked`);
    expect((await admin.req('DELETE', `/compute/v2.1/servers/${id}`)).statusCode).toBe(204);
  });
});

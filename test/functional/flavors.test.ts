import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Simulator } from '../../src/index.js';
import { client, startSim, type Client } from '../helpers/sim.js';

const F = '/compute/v2.1/flavors';

describe('flavors: list/show per microversion, create/update/delete, extra specs, access', () => {
  let sim: Simulator;
  let admin: Client;
  let demo: Client;
  beforeAll(async () => {
    sim = await startSim();
    admin = await client(sim, 'admin', '2.1');
    demo = await client(sim, 'demo', '2.1');
  });
  afterAll(() => sim.close());

  const at = (c: Client, v: string) => ({
    req: (m: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, body?: unknown) => c.req(m, url, body, { 'openstack-api-version': `compute ${v}` }),
  });

  it('lists flavors sorted by flavorid, pages with limit/marker and filters by minRam/minDisk', async () => {
    const all = await admin.req('GET', F);
    expect(all.statusCode).toBe(200);
    expect(all.json().flavors.map((f: { id: string }) => f.id)).toEqual(['1', '2', '3', '4', '5']);
    const page = await admin.req('GET', `${F}/detail?limit=2&marker=1`);
    expect(page.json().flavors.map((f: { id: string }) => f.id)).toEqual(['2', '3']);
    expect(page.json().flavors_links[0].href).toMatch(/\/compute\/v2\.1\/flavors\/detail\?limit=2&marker=3$/);
    const big = await admin.req('GET', `${F}?minRam=4096&minDisk=50&sort_dir=desc`);
    expect(big.json().flavors.map((f: { id: string }) => f.id)).toEqual(['5', '4']);
    expect((await admin.req('GET', `${F}?minRam=x`)).json().badRequest.message).toBe('Invalid minRam filter [x]');
    expect((await admin.req('GET', `${F}?marker=nope`)).json().badRequest.message).toBe('marker [nope] not found');
    const badSort = await admin.req('GET', `${F}?sort_key=ram`);
    expect(badSort.statusCode).toBe(400);
    expect(badSort.json().badRequest.message).toMatch(/^Invalid input for query parameters sort_key\. Value: ram\. 'ram' is not one of \['created_at'/);
  });

  it('shows each microversion its fields: swap "" then 0 (2.75), description (2.55), extra_specs (2.61), no rxtx_factor (2.102)', async () => {
    const v21 = (await admin.req('GET', `${F}/1`)).json().flavor;
    expect(v21.swap).toBe('');
    expect(v21.rxtx_factor).toBe(1);
    expect(v21).not.toHaveProperty('description');
    const v261 = (await at(admin, '2.61').req('GET', `${F}/1`)).json().flavor;
    expect(v261).toMatchObject({ description: null, extra_specs: {} });
    expect((await at(admin, '2.75').req('GET', `${F}/1`)).json().flavor.swap).toBe(0);
    const v2102 = (await at(admin, '2.102').req('GET', `${F}/1`)).json().flavor;
    expect(v2102).not.toHaveProperty('rxtx_factor');
    expect(v2102).not.toHaveProperty('OS-FLV-DISABLED:disabled');
    expect((await admin.req('GET', `${F}/nope`)).json()).toEqual({ itemNotFound: { code: 404, message: 'Flavor nope could not be found.' } });
    // Additional query parameters are refused from 2.75.
    expect((await at(admin, '2.75').req('GET', `${F}?foo=1`)).statusCode).toBe(400);
  });

  it('creates (generated or given id), refuses duplicates with 409, updates the description, deletes with 202', async () => {
    const auto = await at(admin, '2.55').req('POST', F, { flavor: { name: 'auto', ram: 64, vcpus: 1, disk: 0, description: 'd1' } });
    expect(auto.statusCode).toBe(200);
    expect(auto.json().flavor).toMatchObject({ name: 'auto', ram: 64, description: 'd1', 'os-flavor-access:is_public': true });
    expect(auto.json().flavor.id).toMatch(/^[0-9a-f-]{36}$/);
    const given = await admin.req('POST', F, { flavor: { name: 'given', ram: 64, vcpus: 1, disk: 0, id: 42 } });
    expect(given.json().flavor.id).toBe('42');
    const dupId = await admin.req('POST', F, { flavor: { name: 'other', ram: 64, vcpus: 1, disk: 0, id: '42' } });
    expect(dupId.json()).toEqual({ conflictingRequest: { code: 409, message: 'Flavor with ID 42 already exists.' } });
    const dupName = await admin.req('POST', F, { flavor: { name: 'given', ram: 64, vcpus: 1, disk: 0 } });
    expect(dupName.json()).toEqual({ conflictingRequest: { code: 409, message: 'Flavor with name given already exists.' } });
    const badName = await admin.req('POST', F, { flavor: { name: ' x', ram: 64, vcpus: 1, disk: 0 } });
    expect(badName.json().badRequest.message).toBe("An invalid 'name' value was provided. The name must be: printable characters. Can not start or end with whitespace.");
    expect((await admin.req('POST', F, { flavor: { name: 'z', ram: 0, vcpus: 1, disk: 0 } })).statusCode).toBe(400);
    // PUT exists from 2.55 only.
    expect((await admin.req('PUT', `${F}/42`, { flavor: { description: 'x' } })).statusCode).toBe(404);
    const upd = await at(admin, '2.55').req('PUT', `${F}/42`, { flavor: { description: 'new' } });
    expect(upd.json().flavor.description).toBe('new');
    sim.notifications.clear();
    expect((await admin.req('DELETE', `${F}/42`)).statusCode).toBe(202);
    expect(sim.notifications.list().map((n) => n.envelope.event_type)).toEqual(['flavor.delete']);
    expect((await admin.req('DELETE', `${F}/42`)).json().itemNotFound.message).toBe('Flavor 42 could not be found.');
  });

  it('refuses flavor writes to a member with the policy text', async () => {
    const create = await demo.req('POST', F, { flavor: { name: 'nope', ram: 64, vcpus: 1, disk: 0 } });
    expect(create.json()).toEqual({ forbidden: { code: 403, message: "Policy doesn't allow os_compute_api:os-flavor-manage:create to be performed." } });
    expect((await demo.req('DELETE', `${F}/1`)).json().forbidden.message).toBe("Policy doesn't allow os_compute_api:os-flavor-manage:delete to be performed.");
    expect((await demo.req('POST', `${F}/1/os-extra_specs`, { extra_specs: { a: 'b' } })).statusCode).toBe(403);
    expect((await demo.req('GET', `${F}/1/os-extra_specs`)).statusCode).toBe(200);
  });

  it('os-extra_specs: CRUD, numbers accepted, URI mismatch, 2.86 namespace validation', async () => {
    const base = `${F}/2/os-extra_specs`;
    const created = await admin.req('POST', base, { extra_specs: { 'hw:cpu_policy': 'dedicated', 'custom:x': 3 } });
    expect(created.json()).toEqual({ extra_specs: { 'hw:cpu_policy': 'dedicated', 'custom:x': 3 } });
    expect((await admin.req('GET', base)).json()).toEqual({ extra_specs: { 'hw:cpu_policy': 'dedicated', 'custom:x': '3' } });
    expect((await admin.req('GET', `${base}/custom:x`)).json()).toEqual({ 'custom:x': '3' });
    expect((await admin.req('PUT', `${base}/custom:x`, { 'custom:y': '1' })).json().badRequest.message).toBe('Request body and URI mismatch');
    expect((await admin.req('PUT', `${base}/custom:x`, { 'custom:x': '4' })).json()).toEqual({ 'custom:x': '4' });
    const del = await admin.req('DELETE', `${base}/custom:x`);
    expect(del.statusCode).toBe(200);
    expect(del.body).toBe('');
    expect((await admin.req('GET', `${base}/custom:x`)).json().itemNotFound.message).toBe('Flavor 2 has no extra specs with key custom:x.');
    // Before 2.86 anything goes; from 2.86 known namespaces are validated.
    expect((await admin.req('POST', base, { extra_specs: { 'hw:cpu_policy': 'bogus' } })).statusCode).toBe(200);
    const v286 = at(admin, '2.86');
    expect((await v286.req('POST', base, { extra_specs: { 'hw:cpu_policy': 'bogus' } })).json().badRequest.message).toBe(
      "Validation failed; 'bogus' is not one of: dedicated, shared, mixed.",
    );
    expect((await v286.req('POST', base, { extra_specs: { 'hw:nonsense': '1' } })).json().badRequest.message).toBe(
      "Validation failed; extra spec 'hw:nonsense' does not appear to be a valid extra spec.",
    );
    expect((await v286.req('POST', base, { extra_specs: { 'hw:numa_nodes': 'x' } })).json().badRequest.message).toBe("Validation failed; 'x' is not a valid integer value.");
    expect((await v286.req('POST', base, { extra_specs: { 'trait:HW_CPU_X86_AVX': 'required', 'resources:VGPU': '1', 'mine:any': 'thing' } })).statusCode).toBe(200);
  });

  it('os-flavor-access: private flavors are hidden from other projects, granted access shows them and lets them boot', async () => {
    const create = await admin.req('POST', F, { flavor: { name: 'private', ram: 64, vcpus: 1, disk: 1, id: 'p1', 'os-flavor-access:is_public': false } });
    expect(create.json().flavor['os-flavor-access:is_public']).toBe(false);
    const boot = (c: Client) =>
      c.req('POST', '/compute/v2.1/servers', { server: { name: 'p', imageRef: '155d900f-4e14-4e4c-a73d-069cbf4541e6', flavorRef: 'p1' } });
    expect((await demo.req('GET', `${F}/p1`)).statusCode).toBe(404);
    expect((await demo.req('GET', F)).json().flavors.map((f: { id: string }) => f.id)).not.toContain('p1');
    expect((await boot(demo)).json()).toEqual({ badRequest: { code: 400, message: 'Invalid flavorRef provided.' } });
    // Admins list private flavors only when asking for them.
    expect((await admin.req('GET', `${F}?is_public=false`)).json().flavors.map((f: { id: string }) => f.id)).toEqual(['p1']);
    expect((await admin.req('GET', `${F}?is_public=bogus`)).json().badRequest.message).toBe('Invalid is_public filter [bogus]');
    const add = await admin.req('POST', `${F}/p1/action`, { addTenantAccess: { tenant: demo.projectId } });
    expect(add.json()).toEqual({ flavor_access: [{ flavor_id: 'p1', tenant_id: demo.projectId }] });
    const again = await admin.req('POST', `${F}/p1/action`, { addTenantAccess: { tenant: demo.projectId } });
    expect(again.statusCode).toBe(409);
    expect(again.json().conflictingRequest.message).toMatch(new RegExp(`^Flavor access already exists for flavor \\d+ and project ${demo.projectId} combination\\.$`));
    expect((await admin.req('POST', `${F}/p1/action`, { addTenantAccess: { tenant: 'no-such-project' } })).json().badRequest.message).toBe('Project ID no-such-project is not a valid project.');
    expect((await demo.req('GET', `${F}/p1`)).statusCode).toBe(200);
    expect((await demo.req('GET', F)).json().flavors.map((f: { id: string }) => f.id)).toContain('p1');
    expect((await boot(demo)).statusCode).toBe(202);
    expect((await admin.req('GET', `${F}/p1/os-flavor-access`)).json().flavor_access).toHaveLength(1);
    expect((await admin.req('GET', `${F}/1/os-flavor-access`)).json().itemNotFound.message).toBe('Access list not available for public flavors.');
    expect((await demo.req('GET', `${F}/p1/os-flavor-access`)).json().forbidden.message).toBe("Policy doesn't allow os_compute_api:os-flavor-access to be performed.");
    // 2.7+: a public flavor cannot be granted.
    expect((await at(admin, '2.7').req('POST', `${F}/1/action`, { addTenantAccess: { tenant: demo.projectId } })).json().conflictingRequest.message).toBe('Can not add access to a public flavor.');
    const rm = await admin.req('POST', `${F}/p1/action`, { removeTenantAccess: { tenant: demo.projectId } });
    expect(rm.json()).toEqual({ flavor_access: [] });
    expect((await admin.req('POST', `${F}/p1/action`, { removeTenantAccess: { tenant: demo.projectId } })).statusCode).toBe(404);
    expect((await demo.req('GET', `${F}/p1`)).statusCode).toBe(404);
    await sim.idle();
  });
});

describe('flavors and external events on the zed profile', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSim({ profile: 'zed' });
  });
  afterAll(() => sim.close());

  it('keeps Zed policy defaults: flavor access list falls back to admin_or_owner, external events are admin-only, no 2.102', async () => {
    const admin = await client(sim, 'admin', '2.93');
    const demo = await client(sim, 'demo', '2.93');
    await admin.req('POST', F, { flavor: { name: 'zp', ram: 64, vcpus: 1, disk: 0, id: 'zp', 'os-flavor-access:is_public': false } });
    expect((await admin.req('GET', `${F}/zp/os-flavor-access`)).json()).toEqual({ flavor_access: [] });
    // A member cannot see the private flavor at all (404), nor grant access (admin only).
    expect((await demo.req('GET', `${F}/zp/os-flavor-access`)).json().itemNotFound.message).toBe('Flavor zp could not be found.');
    expect((await demo.req('POST', `${F}/zp/action`, { addTenantAccess: { tenant: demo.projectId } })).statusCode).toBe(403);
    await admin.req('POST', `${F}/zp/action`, { addTenantAccess: { tenant: demo.projectId } });
    // enforce_new_defaults=False in Zed: the deprecated rule (admin_or_owner) lets the member read the list (master: 403).
    expect((await demo.req('GET', `${F}/zp/os-flavor-access`)).json()).toEqual({ flavor_access: [{ flavor_id: 'zp', tenant_id: demo.projectId }] });
    // Zed's flavors still show rxtx_factor at its maximum (2.93).
    expect((await admin.req('GET', `${F}/1`)).json().flavor.rxtx_factor).toBe(1);
    const cinder = await client(sim, 'cinder', '2.93');
    const ev = await cinder.req('POST', '/compute/v2.1/os-server-external-events', { events: [{ name: 'volume-reimaged', server_uuid: '00000000-0000-0000-0000-000000000000', tag: 'v' }] });
    expect(ev.json().forbidden.message).toBe("Policy doesn't allow os_compute_api:os-server-external-events:create to be performed.");
  });
});

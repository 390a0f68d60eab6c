// The fake Manila over HTTP at /share/v2: versions, shares (creating → available), export locations,
// allow/deny access actions with Nova's locks, share-access-rules, microversions and Manila's fault envelope.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Simulator } from '../../../src/index.js';
import { type Client, client, startSim } from '../../helpers/sim.js';

const MV = { 'x-openstack-manila-api-version': '2.82' };
let sim: Simulator;
let admin: Client;
let demo: Client;

beforeAll(async () => {
  sim = await startSim();
  admin = await client(sim, 'admin', null);
  demo = await client(sim, 'demo', null);
});
afterAll(() => sim.close());

async function createShare(c: Client, body: Record<string, unknown> = { share_proto: 'NFS', size: 1, name: 's1' }) {
  const res = await c.req('POST', '/share/v2/shares', { share: body }, MV);
  expect(res.statusCode, res.body).toBe(200);
  return res.json().share as Record<string, unknown> & { id: string };
}

describe('fake Manila', () => {
  it('answers its versions and is in the catalog as shared-file-system and sharev2', async () => {
    const root = await sim.app.inject({ method: 'GET', url: '/share/' });
    expect(root.statusCode).toBe(300);
    expect(root.json().versions.map((v: { id: string }) => v.id)).toEqual(['v1.0', 'v2.0']);
    const v2 = await demo.req('GET', '/share/v2/', undefined, { 'x-openstack-manila-api-version': 'latest' });
    expect(v2.json().versions[0]).toMatchObject({ id: 'v2.0', version: '2.99', min_version: '2.0' });
    expect(v2.headers['x-openstack-manila-api-version']).toBe('2.99');
    const tok = await sim.app.inject({ method: 'GET', url: '/identity/v3/auth/tokens', headers: { 'x-auth-token': demo.token, 'x-subject-token': demo.token } });
    const catalog = tok.json().token.catalog as { type: string; endpoints: { url: string }[] }[];
    const types = catalog.map((e) => e.type);
    expect(catalog.find((e) => e.type === 'sharev2')!.endpoints[0].url).toMatch(/\/share\/v2$/);
    expect(types).toEqual(expect.arrayContaining(['shared-file-system', 'sharev2']));
  });

  it('creates a share creating, then shows it available with an export location', async () => {
    const created = await createShare(demo);
    expect(created).toMatchObject({ status: 'creating', share_proto: 'NFS', size: 1, name: 's1', is_public: false });
    const shown = await demo.req('GET', `/share/v2/shares/${created.id}`, undefined, MV);
    expect(shown.json().share.status).toBe('available');
    const el = await demo.req('GET', `/share/v2/shares/${created.id}/export_locations`, undefined, MV);
    expect(el.statusCode).toBe(200);
    const locs = el.json().export_locations as { path: string; preferred: boolean }[];
    expect(locs).toHaveLength(1);
    expect(locs[0]).toMatchObject({ path: `172.24.4.50:/shares/share-${created.id}`, preferred: true });
    expect(locs[0]).not.toHaveProperty('is_admin_only');
    // Before 2.9 the share itself carries its export paths; from 2.9 only /export_locations does.
    const old = await demo.req('GET', `/share/v2/shares/${created.id}`, undefined, { 'x-openstack-manila-api-version': '2.8' });
    expect(old.json().share).toMatchObject({ export_location: locs[0].path, export_locations: [locs[0].path], volume_type: 'default' });
    expect(old.json().share).not.toHaveProperty('user_id');
    expect(shown.json().share).not.toHaveProperty('export_location');
    expect(shown.json().share).toMatchObject({ user_id: demo.userId, share_type_name: 'default', access_rules_status: 'active', progress: '100%' });
    const list = await demo.req('GET', '/share/v2/shares', undefined, MV);
    expect(list.json().shares.map((s: { id: string }) => s.id)).toContain(created.id);
    const detail = await demo.req('GET', '/share/v2/shares/detail', undefined, MV);
    expect(detail.json().shares.find((s: { id: string }) => s.id === created.id).status).toBe('available');
  });

  it('allows and denies access with locks, as Nova calls it', async () => {
    const sh = await createShare(demo);
    await demo.req('GET', `/share/v2/shares/${sh.id}`, undefined, MV);
    const allow = await admin.req('POST', `/share/v2/shares/${sh.id}/action`, {
      allow_access: { access_type: 'ip', access_to: '192.168.1.10', access_level: 'rw', lock_visibility: true, lock_deletion: true, lock_reason: 'Lock by nova' },
    }, MV);
    expect(allow.statusCode, allow.body).toBe(200);
    const rule = allow.json().access;
    expect(rule).toMatchObject({ share_id: sh.id, access_type: 'ip', access_to: '192.168.1.10', access_level: 'rw', state: 'queued_to_apply' });
    const again = await admin.req('POST', `/share/v2/shares/${sh.id}/action`, { allow_access: { access_type: 'ip', access_to: '192.168.1.10' } }, MV);
    expect(again.statusCode).toBe(400);
    expect(again.json()).toEqual({ badRequest: { code: 400, message: 'Share access ip:192.168.1.10 exists.' } });
    const rules = await admin.req('GET', `/share/v2/share-access-rules?share_id=${sh.id}`, undefined, MV);
    expect(rules.json().access_list).toEqual([expect.objectContaining({ id: rule.id, state: 'active', access_to: '192.168.1.10' })]);
    // The owner sees the rule Nova locked, but not its target.
    const mine = await demo.req('GET', `/share/v2/share-access-rules?share_id=${sh.id}`, undefined, MV);
    expect(mine.json().access_list[0].access_to).toBe('******');
    const show = await admin.req('GET', `/share/v2/share-access-rules/${rule.id}`, undefined, MV);
    expect(show.json().access).toMatchObject({ id: rule.id, share_id: sh.id, state: 'active' });
    // A deletion-locked rule needs unrestrict, and locks the share's deletion.
    const locked = await admin.req('POST', `/share/v2/shares/${sh.id}/action`, { deny_access: { access_id: rule.id } }, MV);
    expect(locked.statusCode).toBe(403);
    expect(locked.json().forbidden.message).toBe(`Cannot deny access for share '${sh.id}' since it has been locked. Please remove the locks and retry the operation`);
    const del = await demo.req('DELETE', `/share/v2/shares/${sh.id}`, undefined, MV);
    expect(del.statusCode).toBe(403);
    expect(del.json().forbidden.message).toMatch(/^Resource lock\/s \[[0-9a-f-]{36}\] prevent delete action\.$/);
    const deny = await admin.req('POST', `/share/v2/shares/${sh.id}/action`, { deny_access: { access_id: rule.id, unrestrict: true } }, MV);
    expect(deny.statusCode).toBe(202);
    const after = await admin.req('GET', `/share/v2/share-access-rules?share_id=${sh.id}`, undefined, MV);
    expect(after.json().access_list).toEqual([]);
    const gone = await demo.req('DELETE', `/share/v2/shares/${sh.id}`, undefined, MV);
    expect(gone.statusCode).toBe(202);
    const missing = await demo.req('GET', `/share/v2/shares/${sh.id}`, undefined, MV);
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual({ itemNotFound: { code: 404, message: `Share ${sh.id} could not be found.` } });
  });

  it('answers bad input with 4xx in its own envelope', async () => {
    const sh = await createShare(demo);
    const cases: [string, string, unknown, Record<string, string>, number, string | RegExp][] = [
      ['POST', '/share/v2/shares', { share: { share_proto: 'XFS', size: 1 } }, MV, 400, /^Invalid input received: Invalid share protocol provided: XFS\./],
      ['POST', '/share/v2/shares', { share: { share_proto: 'NFS', size: 0 } }, MV, 400, "Invalid input received: Share size '0' must be an integer and greater than 0"],
      ['POST', '/share/v2/shares', { nope: {} }, MV, 422, 'Unable to process the contained instructions'],
      ['POST', `/share/v2/shares/${sh.id}/action`, { allow_access: { access_type: 'ip', access_to: 'not-an-ip' } }, MV, 400, "'not-an-ip' does not appear to be an IPv4 or IPv6 network"],
      ['POST', `/share/v2/shares/${sh.id}/action`, { allow_access: { access_type: 'x', access_to: 'y' } }, MV, 400, "Only 'ip', 'user', 'cert' or 'cephx' access types are supported."],
      ['POST', `/share/v2/shares/${sh.id}/action`, { shrink: {} }, MV, 400, 'There is no such action: shrink'],
      ['GET', '/share/v2/share-access-rules', undefined, MV, 400, "The field 'share_id' has to be specified."],
      ['GET', '/share/v2/share-access-rules?share_id=00000000-0000-4000-8000-000000000000', undefined, MV, 400, 'Share 00000000-0000-4000-8000-000000000000 not found.'],
      ['GET', '/share/v2/shares', undefined, { 'x-openstack-manila-api-version': '3.0' }, 406, 'Version 3.0 is not supported by the API. Minimum is 2.0 and maximum is 2.99.'],
      ['GET', '/share/v2/shares', undefined, { 'x-openstack-manila-api-version': 'abc' }, 400, 'API Version String abc is of invalid format. Must be of format MajorNum.MinorNum.'],
      ['GET', '/share/v2/share-access-rules?share_id=x', undefined, { 'x-openstack-manila-api-version': '2.44' }, 404, 'The resource could not be found.'],
    ];
    for (const [method, url, body, headers, status, message] of cases) {
      const res = await demo.req(method as 'GET', url, body, headers);
      expect(res.statusCode, `${method} ${url} ${res.body}`).toBe(status);
      const fault = Object.values(res.json() as Record<string, { code: number; message: string }>)[0];
      expect(fault.code).toBe(status);
      if (typeof message === 'string') expect(fault.message).toBe(message);
      else expect(fault.message).toMatch(message);
    }
    const raw = await sim.app.inject({ method: 'POST', url: '/share/v2/shares', payload: '{bad', headers: { 'x-auth-token': demo.token, 'content-type': 'application/json' } });
    expect(raw.statusCode).toBe(400);
    expect(raw.json()).toEqual({ badRequest: { code: 400, message: 'Malformed request body' } });
    const anon = await sim.app.inject({ method: 'GET', url: '/share/v2/shares' });
    expect(anon.statusCode).toBe(401);
  });

  it('hides other projects\' shares and honours named faults', async () => {
    const sh = await createShare(demo);
    const other = await admin.req('GET', `/share/v2/shares/${sh.id}`, undefined, MV);
    expect(other.statusCode).toBe(200); // admin sees everything
    sim.faults.add({ service: 'manila', operation: 'get_share', match: { share_id: sh.id }, error: { status: 503, message: 'down for maintenance' } });
    const faulted = await demo.req('GET', `/share/v2/shares/${sh.id}`, undefined, MV);
    expect(faulted.statusCode).toBe(503);
    expect(faulted.json()).toEqual({ serviceUnavailable: { code: 503, message: 'down for maintenance' } });
    const ok = await demo.req('GET', `/share/v2/shares/${sh.id}`, undefined, MV);
    expect(ok.statusCode).toBe(200);
  });
});

describe('fake Manila: seed, reset and route faults', () => {
  it('seeds shares from the seed file, and a reset restores them and drops everything else', async () => {
    const s = await startSim({ seed: 'fixtures/nova-samples-seed.json' });
    try {
      // The samples seed's user `fake` logs in to project openstack.
      const res = await s.app.inject({
        method: 'POST', url: '/identity/v3/auth/tokens',
        payload: { auth: { identity: { methods: ['password'], password: { user: { name: 'fake', password: 'fake', domain: { name: 'Default' } } } }, scope: { project: { name: 'openstack', domain: { name: 'Default' } } } } },
      });
      const token = res.headers['x-subject-token'] as string;
      const get = (url: string) => s.app.inject({ method: 'GET', url, headers: { 'x-auth-token': token, ...MV } });
      const seeded = 'e8debdc0-447a-4376-a10a-4cd9122d7986';
      expect((await get(`/share/v2/shares/${seeded}`)).json().share).toMatchObject({ id: seeded, status: 'available', share_proto: 'NFS' });
      expect((await get(`/share/v2/shares/${seeded}/export_locations`)).json().export_locations.map((e: { path: string }) => e.path)).toEqual(['10.0.0.50:/mnt/foo']);
      const made = await s.app.inject({ method: 'POST', url: '/share/v2/shares', payload: { share: { share_proto: 'CEPHFS', size: 2 } }, headers: { 'x-auth-token': token, ...MV } });
      const id = made.json().share.id as string;
      await s.app.inject({ method: 'POST', url: `/share/v2/shares/${seeded}/action`, payload: { allow_access: { access_type: 'cephx', access_to: 'alice' } }, headers: { 'x-auth-token': token, ...MV } });
      await s.reset();
      expect((await get(`/share/v2/shares/${id}`)).statusCode).toBe(404);
      expect((await get(`/share/v2/share-access-rules?share_id=${seeded}`)).json().access_list).toEqual([]);
      expect((await get(`/share/v2/shares/${seeded}`)).statusCode).toBe(200);
    } finally {
      await s.close();
    }
  });

  it('generic route faults reach /share in Manila\'s envelope', async () => {
    sim.faults.addRoute({ service: 'manila', route: { method: 'GET', path: '/v2/shares' }, response: { status: 429 } });
    const res = await demo.req('GET', '/share/v2/shares', undefined, MV);
    expect(res.statusCode).toBe(429);
    expect(res.headers['retry-after']).toBe('1');
    expect(Object.keys(res.json())).toEqual(['overLimit']);
    expect((await demo.req('GET', '/share/v2/shares', undefined, MV)).statusCode).toBe(200);
  });
});

describe('fake Manila: profiles', () => {
  it('zed serves Manila zed\'s range (2.0–2.73): no 2.82 locks there', async () => {
    const z = await startSim({ profile: 'zed' });
    try {
      const c = await client(z, 'demo', null);
      const v2 = await c.req('GET', '/share/v2/', undefined, { 'x-openstack-manila-api-version': 'latest' });
      expect(v2.json().versions[0]).toMatchObject({ version: '2.73', min_version: '2.0' });
      const too = await c.req('GET', '/share/v2/shares', undefined, { 'x-openstack-manila-api-version': '2.82' });
      expect(too.statusCode).toBe(406);
      expect(too.json().computeFault.message).toBe('Version 2.82 is not supported by the API. Minimum is 2.0 and maximum is 2.73.');
    } finally {
      await z.close();
    }
  });
});

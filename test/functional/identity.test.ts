import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Simulator } from '../../src/index.js';
import { login, startSim } from '../helpers/sim.js';

describe('identity (Keystone v3 subset)', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSim();
  });
  afterAll(() => sim.close());

  it('serves version discovery as Keystone does (300 unversioned, 200 v3)', async () => {
    const root = await sim.app.inject({ url: '/identity', headers: { host: 'cloud.example:8774' } });
    expect(root.statusCode).toBe(300);
    const v = root.json().versions.values[0];
    expect(v).toMatchObject({ id: 'v3.14', status: 'stable', links: [{ rel: 'self', href: 'http://cloud.example:8774/identity/v3/' }] });
    const v3 = await sim.app.inject({ url: '/identity/v3' });
    expect(v3.statusCode).toBe(200);
    expect(v3.json().version.id).toBe('v3.14');
  });

  it('issues a project-scoped token with roles and a catalog built from the request host', async () => {
    const res = await sim.app.inject({
      method: 'POST',
      url: '/identity/v3/auth/tokens',
      headers: { host: '10.0.0.5:8774' },
      payload: { auth: { identity: { methods: ['password'], password: { user: { name: 'demo', password: 'secret', domain: { name: 'Default' } } } }, scope: { project: { name: 'demo', domain: { name: 'Default' } } } } },
    });
    expect(res.statusCode).toBe(201);
    expect(res.headers['x-subject-token']).toMatch(/^gAAAAA/);
    const t = res.json().token;
    expect(t.user.name).toBe('demo');
    expect(t.project.name).toBe('demo');
    expect(t.roles.map((r: { name: string }) => r.name).sort()).toEqual(['member', 'reader']);
    expect(Date.parse(t.expires_at)).toBeGreaterThan(Date.now());
    const types = t.catalog.map((c: { type: string }) => c.type).sort();
    expect(types).toEqual(['block-storage', 'compute', 'identity', 'image', 'network', 'shared-file-system', 'sharev2', 'volumev3']);
    const compute = t.catalog.find((c: { type: string }) => c.type === 'compute');
    expect(compute.endpoints.map((e: { interface: string }) => e.interface).sort()).toEqual(['admin', 'internal', 'public']);
    expect(compute.endpoints[0]).toMatchObject({ region_id: 'RegionOne', region: 'RegionOne', url: 'http://10.0.0.5:8774/compute/v2.1' });
    const volume = t.catalog.find((c: { type: string }) => c.type === 'volumev3');
    expect(volume.endpoints[0].url).toBe(`http://10.0.0.5:8774/volume/v3/${t.project.id}`);
  });

  it('expands implied roles: admin ⇒ member ⇒ reader', async () => {
    const { token } = await login(sim, 'admin');
    const res = await sim.app.inject({ url: '/identity/v3/auth/tokens', headers: { 'x-auth-token': token, 'x-subject-token': token } });
    expect(res.statusCode).toBe(200);
    expect(res.json().token.roles.map((r: { name: string }) => r.name).sort()).toEqual(['admin', 'member', 'reader']);
  });

  it('rejects a wrong password with 401 in Keystone format', async () => {
    const res = await sim.app.inject({
      method: 'POST',
      url: '/identity/v3/auth/tokens',
      payload: { auth: { identity: { methods: ['password'], password: { user: { name: 'admin', password: 'nope', domain: { name: 'Default' } } } } } },
    });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toEqual({ error: { code: 401, title: 'Unauthorized', message: 'The request you have made requires authentication.' } });
  });

  it('rejects scoping to a project the user has no role on', async () => {
    await expect(login(sim, 'demo', 'admin')).rejects.toThrow(/401/);
  });

  it('supports the token method (rescoping) and revocation', async () => {
    const { token } = await login(sim, 'admin');
    const res = await sim.app.inject({
      method: 'POST',
      url: '/identity/v3/auth/tokens',
      payload: { auth: { identity: { methods: ['token'], token: { id: token } }, scope: { project: { name: 'demo', domain: { name: 'Default' } } } } },
    });
    expect(res.statusCode).toBe(201);
    const second = res.headers['x-subject-token'] as string;
    const del = await sim.app.inject({ method: 'DELETE', url: '/identity/v3/auth/tokens', headers: { 'x-auth-token': token, 'x-subject-token': second } });
    expect(del.statusCode).toBe(204);
    const after = await sim.app.inject({ url: '/compute/v2.1/servers', headers: { 'x-auth-token': second } });
    expect(after.statusCode).toBe(401);
  });

  it('rejects malformed auth bodies with 400, never 500', async () => {
    for (const payload of [{}, { auth: {} }, { auth: { identity: { methods: 'password' } } }]) {
      const res = await sim.app.inject({ method: 'POST', url: '/identity/v3/auth/tokens', payload });
      expect(res.statusCode).toBe(400);
      expect(res.json().error.code).toBe(400);
    }
    const bad = await sim.app.inject({ method: 'POST', url: '/identity/v3/auth/tokens', headers: { 'content-type': 'application/json' }, payload: '{nope' });
    expect(bad.statusCode).toBe(400);
  });

  it('expires tokens by the (settable) clock', async () => {
    const { token } = await login(sim, 'demo');
    sim.services.runtime.advance(3601 * 1000);
    const res = await sim.app.inject({ url: '/compute/v2.1/servers', headers: { 'x-auth-token': token } });
    expect(res.statusCode).toBe(401);
    sim.services.runtime.advance(-3601 * 1000);
  });
});

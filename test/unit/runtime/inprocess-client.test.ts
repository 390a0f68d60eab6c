// sim.request(): the in-process client answers as sim.app.inject does.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSimulator, type Simulator } from '../../../src/index.js';

describe('sim.request() against sim.app.inject()', () => {
  let sim: Simulator;
  let token: string;
  let project: string;

  beforeAll(async () => {
    sim = await createSimulator({ deterministic: true });
    const login = await sim.request({
      method: 'POST', url: '/identity/v3/auth/tokens',
      body: { auth: { identity: { methods: ['password'], password: { user: { name: 'admin', password: 'secret', domain: { name: 'Default' } } } }, scope: { project: { name: 'admin', domain: { name: 'Default' } } } } },
    });
    expect(login.status).toBe(201);
    token = login.headers['x-subject-token'] as string;
    project = login.json<{ token: { project: { id: string } } }>().token.project.id;
  });
  afterAll(() => sim.close());

  const SAME = ['content-type', 'content-length', 'openstack-api-version', 'x-openstack-nova-api-version', 'vary', 'location'];
  const view = (status: number, headers: Record<string, unknown>, body: string) => ({
    status, body: body.replace(/req-[0-9a-f-]{36}/g, 'req-ID'),
    headers: Object.fromEntries(SAME.filter((n) => headers[n] !== undefined).map((n) => [n, String(headers[n])])),
  });

  it('reads, writes, errors and links answer alike', async () => {
    const auth = { 'X-Auth-Token': token };
    for (const [method, url, headers, body] of [
      ['GET', '/compute/v2.1', {}, undefined],
      ['GET', '/compute/v2.1/flavors/detail', { ...auth, 'OpenStack-API-Version': 'compute 2.75' }, undefined],
      ['GET', '/compute/v2.1/servers/nope', auth, undefined],
      ['POST', '/compute/v2.1/os-keypairs', auth, { keypair: {} }],
      ['POST', `/volume/v3/${project}/volumes`, auth, '{"volume": '],
      ['GET', `/volume/v3/${project}/volumes/detail`, auth, undefined],
      ['GET', '/nothing/here', {}, undefined],
    ] as const) {
      const a = await sim.request({ method, url, headers, body });
      const b = await sim.app.inject({ method, url, headers: { ...headers, ...(body !== undefined && typeof body !== 'string' ? { 'content-type': 'application/json' } : {}) }, ...(body === undefined ? {} : { payload: body as string }) });
      expect(view(a.status, a.headers, a.body), `${method} ${url}`).toEqual(view(b.statusCode, b.headers, b.body));
    }
  });

  it('a body is JSON unless it is a string; a server created through it boots', async () => {
    const res = await sim.request({
      method: 'POST', url: '/compute/v2.1/servers', headers: { 'x-auth-token': token },
      body: { server: { name: 'via-request', imageRef: '155d900f-4e14-4e4c-a73d-069cbf4541e6', flavorRef: '1', networks: 'none' } },
    });
    expect(res.status).toBe(202);
    const id = res.json<{ server: { id: string } }>().server.id;
    await sim.idle();
    const show = await sim.request({ url: `/compute/v2.1/servers/${id}`, headers: { 'x-auth-token': token } });
    expect(show.json<{ server: { status: string } }>().server.status).toBe('ACTIVE');
  });

  it('a dropped connection rejects with ECONNRESET', async () => {
    sim.faults.addRoute({ service: 'compute', route: { path: '/v2.1/os-availability-zone' }, response: { drop: true } });
    await expect(sim.request({ url: '/compute/v2.1/os-availability-zone', headers: { 'x-auth-token': token } })).rejects.toMatchObject({ code: 'ECONNRESET' });
  });
});

// Generic route faults: any service, method and path pattern (and project/user), answered in the service's
// own envelope (429 + Retry-After, 503, 504), latency, dropped connections; times, expiry, seeded probability.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Simulator } from '../../src/index.js';
import { client, type Client, startSim } from '../helpers/sim.js';

describe('route faults', () => {
  let sim: Simulator;
  let admin: Client;
  let demo: Client;
  beforeAll(async () => {
    sim = await startSim();
  });
  beforeEach(async () => {
    await sim.reset();
    admin = await client(sim, 'admin');
    demo = await client(sim, 'demo');
  });
  afterAll(() => sim.close());

  const arm = async (spec: unknown) => {
    const res = await sim.app.inject({ method: 'POST', url: '/_novasim/faults', payload: spec as object });
    expect(res.statusCode, res.body).toBe(201);
    return res.json().fault;
  };

  it('answers 429 with Retry-After in Nova\'s envelope `times` times, then lets requests through', async () => {
    const f = await arm({ service: 'compute', route: { method: 'GET', path: '/v2.1/servers' }, times: 2, response: { status: 429 } });
    expect(f).toMatchObject({ id: expect.stringMatching(/^route-fault-/), remaining: 2, probability: 1 });
    for (let i = 0; i < 2; i++) {
      const res = await demo.req('GET', '/compute/v2.1/servers');
      expect(res.statusCode).toBe(429);
      expect(res.headers['retry-after']).toBe('1');
      expect(res.json()).toEqual({ overLimit: { code: 429, message: 'Too many requests. Please try again later.' } });
    }
    expect((await demo.req('GET', '/compute/v2.1/servers')).statusCode).toBe(200);
    // Other methods and paths were never matched.
    expect((await demo.req('GET', '/compute/v2.1/flavors')).statusCode).toBe(200);
    const listed = (await sim.app.inject({ url: '/_novasim/faults' })).json().faults;
    expect(listed).toMatchObject([{ id: f.id, hits: 2, remaining: 0 }]);
  });

  it("uses each service's envelope: Cinder fault, Keystone error, Glance text; headers and messages as given", async () => {
    await arm({ service: 'cinder', route: { path: '/volume/v3/*/volumes/**' }, response: { status: 503, headers: { 'X-Why': 'maintenance' } } });
    const vol = await demo.req('GET', `/volume/v3/${demo.projectId}/volumes/detail`);
    expect(vol.statusCode).toBe(503);
    expect(vol.headers['x-why']).toBe('maintenance');
    expect(vol.json()).toEqual({ serviceUnavailable: { code: 503, message: 'The server is currently unavailable. Please try again at a later time.' } });

    await arm({ service: 'identity', route: { method: 'POST', path: '/v3/auth/tokens' }, response: { status: 504 } });
    const auth = await sim.app.inject({ method: 'POST', url: '/identity/v3/auth/tokens', payload: {} });
    expect(auth.statusCode).toBe(504);
    expect(auth.json()).toEqual({ error: { code: 504, message: 'The gateway has timed out.', title: 'Gateway Timeout' } });

    await arm({ service: 'image', route: { path: '/v2/images/**' }, response: { status: 503, message: 'backend down', retry_after: 30 } });
    const img = await demo.req('GET', '/image/v2/images/155d900f-4e14-4e4c-a73d-069cbf4541e6');
    expect(img.statusCode).toBe(503);
    expect(img.headers['retry-after']).toBe('30');
    expect(img.body).toBe('503 Service Unavailable\n\nbackend down\n\n   ');
    // The control plane is never faulted.
    await arm({ service: 'any', route: { path: '/**' }, times: 5, response: { status: 500 } });
    expect((await sim.app.inject({ url: '/_novasim/health' })).statusCode).toBe(200);
  });

  it('filters on the caller\'s project and user, and expires on the simulator clock', async () => {
    await arm({ service: 'compute', route: { path: '/v2.1/servers/**', project_id: demo.projectId }, times: 10, expires_in_ms: 60_000, response: { status: 503 } });
    expect((await admin.req('GET', '/compute/v2.1/servers/detail')).statusCode).toBe(200);
    expect((await demo.req('GET', '/compute/v2.1/servers/detail')).statusCode).toBe(503);
    sim.services.runtime.advance(60_000);
    expect((await demo.req('GET', '/compute/v2.1/servers/detail')).statusCode).toBe(200);

    await arm({ service: 'compute', route: { path: '/**', user_id: admin.userId }, response: { status: 500 } });
    expect((await demo.req('GET', '/compute/v2.1/flavors')).statusCode).toBe(200);
    const hit = await admin.req('GET', '/compute/v2.1/flavors');
    expect(hit.statusCode).toBe(500);
    expect(hit.json()).toEqual({ computeFault: { code: 500, message: 'The server has either erred or is incapable of performing the requested operation.' } });
  });

  it('draws a seeded probability: the same seed gives the same hits, a miss consumes nothing', async () => {
    const pattern = async () => {
      await sim.reset();
      await arm({ service: 'compute', route: { path: '/v2.1/flavors' }, times: 100, probability: 0.5, seed: 7, response: { status: 503 } });
      const out: number[] = [];
      for (let i = 0; i < 24; i++) out.push((await demo.req('GET', '/compute/v2.1/flavors')).statusCode);
      const [f] = (await sim.app.inject({ url: '/_novasim/faults' })).json().faults;
      expect(f.hits).toBe(out.filter((s) => s === 503).length);
      expect(f.remaining).toBe(100 - f.hits);
      return out;
    };
    const a = await pattern();
    const b = await pattern();
    expect(a).toEqual(b);
    expect(a).toContain(503);
    expect(a).toContain(200);
  });

  it('adds latency without changing the answer, and drops the connection over real HTTP', async () => {
    await arm({ service: 'compute', route: { path: '/v2.1/flavors/1' }, response: { delay_ms: 20 } });
    const slow = await demo.req('GET', '/compute/v2.1/flavors/1');
    expect(slow.statusCode).toBe(200);
    expect(slow.json().flavor.name).toBe('m1.tiny');

    const url = await sim.listen();
    await arm({ service: 'compute', route: { path: '/v2.1/flavors' }, response: { drop: true } });
    await expect(fetch(`${url}/compute/v2.1/flavors`, { headers: { 'x-auth-token': demo.token } })).rejects.toThrow();
    const after = await fetch(`${url}/compute/v2.1/flavors`, { headers: { 'x-auth-token': demo.token } });
    expect(after.status).toBe(200);
    // In-process (inject) the dropped answer rejects too, instead of hanging.
    sim.faults.addRoute({ service: 'compute', route: { path: '/v2.1/flavors' }, response: { drop: true } });
    await expect(demo.req('GET', '/compute/v2.1/flavors')).rejects.toThrow();
  });

  it('refuses malformed route faults with 400 and arms nothing', async () => {
    for (const spec of [
      { service: 'compute', route: { path: '/x' }, response: {} },
      { service: 'compute', route: { path: '/x' }, response: { status: 200 } },
      { service: 'dns', route: { path: '/x' }, response: { status: 503 } },
      { service: 'compute', route: { path: '/x', bogus: 1 }, response: { status: 503 } },
      { service: 'compute', route: { path: '/x' }, probability: 2, response: { status: 503 } },
      { service: 'compute', route: { path: '/x' }, response: { drop: true, status: 503 } },
    ]) {
      const res = await sim.app.inject({ method: 'POST', url: '/_novasim/faults', payload: spec });
      expect(res.statusCode, JSON.stringify(spec)).toBe(400);
      expect(res.json().error.message).toMatch(/^Invalid fault: /);
    }
    expect((await sim.app.inject({ url: '/_novasim/faults' })).json().faults).toEqual([]);
  });
});

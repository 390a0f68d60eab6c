// The in-process leg of exchange() (src/inprocess-dispatch.ts) answers what the socket leg answers:
// same status, body, service headers and request ids, the same envelopes for errors, and a route
// fault's dropped connection as ECONNRESET.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSimulator, type Simulator } from '../../../src/index.js';
import { exchange, HttpExchangeError, keepAliveAgents, registerInProcess, type HttpAnswer } from '../../../src/http-transport.js';
import { inProcessDispatcher } from '../../../src/inprocess-dispatch.js';

const agents = keepAliveAgents(4);
const SERVICE_HEADERS = ['content-type', 'content-length', 'openstack-api-version', 'x-openstack-api-version', 'vary', 'location', 'x-subject-token'];
const REQ_ID = /^req-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('in-process dispatch vs a real socket', () => {
  let sim: Simulator;
  let base: string;
  let token: string;
  let project: string;
  let dispatch: ReturnType<typeof inProcessDispatcher>;

  beforeAll(async () => {
    sim = await createSimulator({ deterministic: true, transport: 'http' });
    base = await sim.listen({ port: 0 });
    dispatch = inProcessDispatcher(sim.app);
    const login = await sim.app.inject({
      method: 'POST', url: '/identity/v3/auth/tokens',
      payload: { auth: { identity: { methods: ['password'], password: { user: { name: 'admin', password: 'secret', domain: { name: 'Default' } } } }, scope: { project: { name: 'admin', domain: { name: 'Default' } } } } },
    });
    token = login.headers['x-subject-token'] as string;
    project = login.json().token.project.id;
  });
  afterAll(async () => {
    await sim.close();
    agents.http.destroy();
  });

  /** The same exchange() twice: through the dispatcher registered for the server's own origin, then over its socket. */
  const both = async (method: string, path: string, headers: Record<string, string>, body?: unknown): Promise<[HttpAnswer, HttpAnswer]> => {
    const text = body === undefined ? undefined : JSON.stringify(body);
    const h = { ...headers, ...(text === undefined ? {} : { 'content-type': 'application/json' }) };
    const unregister = registerInProcess(base, dispatch);
    let local: HttpAnswer;
    try {
      local = await exchange({ method, url: `${base}${path}`, headers: h, body: text, agents });
    } finally {
      unregister();
    }
    const wire = await exchange({ method, url: `${base}${path}`, headers: h, body: text, agents });
    return [local, wire];
  };
  const pick = (a: HttpAnswer) => {
    // Each answer has its own request id: same form on both legs, and the same in both of a service's headers.
    const id = a.headers['x-openstack-request-id'] ?? a.headers['x-compute-request-id'];
    if (id !== undefined) expect(id).toMatch(REQ_ID);
    if (a.headers['x-compute-request-id'] !== undefined && a.headers['x-openstack-request-id'] !== undefined) {
      expect(a.headers['x-compute-request-id']).toBe(a.headers['x-openstack-request-id']);
    }
    return {
      status: a.status, statusText: a.statusText, text: a.text.replace(/req-[0-9a-f-]{36}/g, 'req-ID'),
      hasRequestId: id !== undefined,
      headers: Object.fromEntries(SERVICE_HEADERS.filter((n) => a.headers[n] !== undefined).map((n) => [n, a.headers[n]])),
    };
  };

  it('a read, a write with a body, and the errors answer the same on both legs', async () => {
    const auth = { 'x-auth-token': token };
    const [created] = await both('POST', `/volume/v3/${project}/volumes`, { ...auth, 'openstack-api-version': 'volume 3.60' }, { volume: { size: 1, name: 'same' } });
    expect(created.status).toBe(202);
    const id = JSON.parse(created.text).volume.id as string;
    for (const [method, path, headers, body] of [
      ['GET', `/volume/v3/${project}/volumes/${id}`, { ...auth, 'openstack-api-version': 'volume 3.60' }, undefined],
      ['GET', `/volume/v3/${project}/volumes/nope`, auth, undefined],
      ['POST', `/volume/v3/${project}/volumes`, auth, { volume: { size: 'x' } }],
      ['POST', `/volume/v3/${project}/volumes`, auth, undefined],
      ['GET', '/volume/v3/', {}, undefined],
      ['GET', '/compute/v2.1/flavors', { ...auth, 'openstack-api-version': 'compute 2.60' }, undefined],
      ['GET', '/compute/v2.1/servers/nope', auth, undefined],
      ['GET', '/compute/v2.1/flavors', {}, undefined],
      ['GET', '/compute/v2.1/flavors', { ...auth, 'openstack-api-version': 'compute 9.99' }, undefined],
      ['GET', '/no/such/service', {}, undefined],
    ] as const) {
      const [local, wire] = await both(method, path, headers, body);
      expect(pick(local), `${method} ${path}`).toEqual(pick(wire));
    }
  });

  it('a route fault that drops the connection is ECONNRESET in-process, as on the socket', async () => {
    sim.faults.addRoute({ service: 'compute', route: { path: '/v2.1/flavors' }, response: { drop: true }, times: 2 });
    const unregister = registerInProcess(base, dispatch);
    const local = await exchange({ method: 'GET', url: `${base}/compute/v2.1/flavors`, headers: { 'x-auth-token': token }, agents }).catch((e: unknown) => e);
    unregister();
    expect(local).toBeInstanceOf(HttpExchangeError);
    expect((local as HttpExchangeError).socketError?.code).toBe('ECONNRESET');
    const wire = await exchange({ method: 'GET', url: `${base}/compute/v2.1/flavors`, headers: { 'x-auth-token': token }, agents }).catch((e: unknown) => e);
    expect(wire).toBeInstanceOf(HttpExchangeError);
    expect((wire as HttpExchangeError).socketError?.code).toBe('ECONNRESET');
  });

  it('waits for the app to be ready before its first request', async () => {
    const fresh = await createSimulator({ deterministic: true });
    try {
      const d = inProcessDispatcher(fresh.app);
      const a = await d({ method: 'GET', path: '/compute/v2.1/', headers: {} });
      expect(a.status).toBe(200);
      expect(JSON.parse(a.text).version.id).toBe('v2.1');
    } finally {
      await fresh.close();
    }
  });
});

// Shared test setup: an in-process simulator and small request helpers, used like a user would.
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { createSimulator, type ConfigInput, type Simulator } from '../../src/index.js';

export async function startSim(opts: ConfigInput = {}): Promise<Simulator> {
  return createSimulator({ logLevel: 'silent', buildDelayMs: 0, ...opts });
}

export async function login(sim: Simulator, user = 'admin', project = user === 'admin' ? 'admin' : user === 'cinder' || user === 'nova' ? 'service' : 'demo', password = 'secret') {
  const res = await sim.app.inject({
    method: 'POST',
    url: '/identity/v3/auth/tokens',
    payload: {
      auth: {
        identity: { methods: ['password'], password: { user: { name: user, password, domain: { name: 'Default' } } } },
        scope: { project: { name: project, domain: { name: 'Default' } } },
      },
    },
  });
  if (res.statusCode !== 201) throw new Error(`login ${user} failed: ${res.statusCode} ${res.body}`);
  const body = res.json();
  return { token: res.headers['x-subject-token'] as string, projectId: body.token.project.id as string, userId: body.token.user.id as string };
}

export interface Client {
  token: string;
  projectId: string;
  userId: string;
  req(method: InjectOptions['method'], url: string, payload?: unknown, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
}

/** A logged-in client talking to /compute/v2.1 (or any path) at a fixed microversion. */
export async function client(sim: Simulator, user = 'admin', version: string | null = 'latest'): Promise<Client> {
  const l = await login(sim, user);
  return {
    ...l,
    req: (method, url, payload, headers = {}) =>
      sim.app.inject({
        method,
        url,
        payload: payload as InjectOptions['payload'],
        headers: { 'x-auth-token': l.token, ...(version ? { 'openstack-api-version': `compute ${version}` } : {}), ...headers },
      }),
  };
}

/** Boot a server and wait until it is ACTIVE. */
export async function bootServer(sim: Simulator, c: Client, name = 'vm1'): Promise<string> {
  const image = '155d900f-4e14-4e4c-a73d-069cbf4541e6';
  const res = await c.req('POST', '/compute/v2.1/servers', { server: { name, imageRef: image, flavorRef: '1', networks: 'none' } });
  if (res.statusCode !== 202) throw new Error(`boot failed: ${res.statusCode} ${res.body}`);
  const id = res.json().server.id as string;
  await sim.idle();
  return id;
}

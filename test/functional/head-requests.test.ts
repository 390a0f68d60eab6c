// HEAD where the real services answer it (src/head-routes.ts): Nova's and Cinder's python-routes
// mappers never list HEAD, so a HEAD there is their "no route" 404; Keystone (Flask), Neutron (pecan),
// Glance and the control plane answer HEAD on their GET routes, with the GET's status and no body.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Simulator } from '../../src/index.js';
import { client, login, startSim, type Client } from '../helpers/sim.js';

describe('HEAD requests', () => {
  let sim: Simulator;
  let admin: Client;
  beforeAll(async () => {
    sim = await startSim();
    admin = await client(sim, 'admin', null);
  });
  afterAll(() => sim.close());

  const head = (url: string, headers: Record<string, string> = {}) => sim.app.inject({ method: 'HEAD', url, headers: { 'x-auth-token': admin.token, ...headers } });

  it('Nova and Cinder: 404, though GET on the same path is 200', async () => {
    for (const url of ['/compute/v2.1/servers', '/compute/v2.1/flavors', `/volume/v3/${admin.projectId}/volumes`]) {
      expect((await admin.req('GET', url)).statusCode).toBe(200);
      expect((await head(url)).statusCode).toBe(404); // (over a socket, Node drops a HEAD answer's body)
    }
  });

  it("Keystone: HEAD /v3/auth/tokens checks a token (identity:check_token): 200 for a valid one, 404 for a revoked one", async () => {
    const other = await login(sim, 'admin');
    expect((await head('/identity/v3/auth/tokens', { 'x-subject-token': other.token })).statusCode).toBe(200);
    await sim.app.inject({ method: 'DELETE', url: '/identity/v3/auth/tokens', headers: { 'x-auth-token': admin.token, 'x-subject-token': other.token } });
    expect((await head('/identity/v3/auth/tokens', { 'x-subject-token': other.token })).statusCode).toBe(404);
  });

  it('Neutron, Glance and the control plane answer HEAD with the GET status and no body', async () => {
    for (const url of ['/networking/v2.0/networks', '/image/v2/images', '/_novasim/health']) {
      const res = await head(url);
      expect(res.statusCode).toBe(200);
      expect(res.body).toBe('');
    }
  });
});

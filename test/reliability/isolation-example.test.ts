// How to use novasim from a test file: one simulator per file (in-memory, its own database and
// notifications), a reset before each test, closed at the end. Files run in parallel without sharing
// anything. In your project, import from 'novasim' instead of '../../src/index.js'.
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { createSimulator, type Simulator } from '../../src/index.js';

let sim: Simulator;
let token: string;

beforeAll(async () => {
  sim = await createSimulator({ profile: 'zed', logLevel: 'silent', buildDelayMs: 0 });
  const login = await sim.app.inject({
    method: 'POST',
    url: '/identity/v3/auth/tokens',
    payload: {
      auth: {
        identity: { methods: ['password'], password: { user: { name: 'demo', password: 'secret', domain: { name: 'Default' } } } },
        scope: { project: { name: 'demo', domain: { name: 'Default' } } },
      },
    },
  });
  token = login.headers['x-subject-token'] as string; // tokens survive reset()
});

beforeEach(() => sim.reset()); // empty state, same seed (users, flavors, images)

afterAll(() => sim.close());

const boot = (name: string) =>
  sim.app.inject({
    method: 'POST',
    url: '/compute/v2.1/servers',
    headers: { 'x-auth-token': token },
    payload: { server: { name, imageRef: '155d900f-4e14-4e4c-a73d-069cbf4541e6', flavorRef: '1', networks: 'none' } },
  });

it('boots a server and sees its notifications', async () => {
  expect((await boot('vm1')).statusCode).toBe(202);
  await sim.notifications.waitFor('instance.create.end', { timeoutMs: 2000 });
  const list = await sim.app.inject({ url: '/compute/v2.1/servers', headers: { 'x-auth-token': token } });
  expect(list.json().servers).toHaveLength(1);
});

it('starts from a clean slate: nothing from the previous test is left', async () => {
  const list = await sim.app.inject({ url: '/compute/v2.1/servers', headers: { 'x-auth-token': token } });
  expect(list.json().servers).toEqual([]);
  expect(sim.notifications.list()).toEqual([]);
});

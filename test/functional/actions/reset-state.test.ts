// os-resetState: admin only, vm_state active|error, task_state cleared, a `resetState` action.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Simulator } from '../../../src/index.js';
import { bootServer, client, startSim, type Client } from '../../helpers/sim.js';
import { act, action, eventTypes, server } from './helpers.js';

let sim: Simulator;
let admin: Client;
let demo: Client;

beforeAll(async () => {
  sim = await startSim();
  admin = await client(sim, 'admin');
  demo = await client(sim, 'demo');
});
afterAll(() => sim.close());

it('an admin resets a server to error and back; a member gets Nova\'s 403; bad states are 400', async () => {
  const id = await bootServer(sim, demo, 'reset');
  sim.notifications.clear();
  const refused = await action(demo, id, { 'os-resetState': { state: 'error' } });
  expect(refused.json()).toEqual({ forbidden: { code: 403, message: "Policy doesn't allow os_compute_api:os-admin-actions:reset_state to be performed." } });
  expect((await action(admin, id, { 'os-resetState': { state: 'stopped' } })).statusCode).toBe(400);
  expect((await action(admin, id, { 'os-resetState': {} })).statusCode).toBe(400);

  await act(sim, admin, id, { 'os-resetState': { state: 'error' } });
  expect(await server(demo, id)).toMatchObject({ status: 'ERROR', 'OS-EXT-STS:task_state': null });
  expect(eventTypes(sim)).toEqual([]);
  const list = (await admin.req('GET', `/compute/v2.1/servers/${id}/os-instance-actions`)).json().instanceActions;
  expect(list[0]).toMatchObject({ action: 'resetState', message: null });

  await act(sim, admin, id, { 'os-resetState': { state: 'active' } });
  expect((await server(demo, id)).status).toBe('ACTIVE');
  // From ERROR, os-stop is allowed (vm_state active|error); pause is not.
  await act(sim, admin, id, { 'os-resetState': { state: 'error' } });
  expect((await action(demo, id, { pause: {} })).json().conflictingRequest.message).toBe(`Cannot 'pause' instance ${id} while it is in vm_state error`);
  await act(sim, demo, id, { 'os-stop': {} });
  expect((await server(demo, id)).status).toBe('SHUTOFF');
});

// rescue / unrescue: 200 {adminPass}, states, power states, instance.exists in the middle, failures.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Simulator } from '../../../src/index.js';
import { bootServer, client, startSim, type Client } from '../../helpers/sim.js';
import { act, action, eventTypes, lastAction, server } from './helpers.js';

let sim: Simulator;
let admin: Client;
let demo: Client;
const CIRROS = '155d900f-4e14-4e4c-a73d-069cbf4541e6';

beforeAll(async () => {
  sim = await startSim({ policyOverrides: { 'os_compute_api:os-unrescue': 'rule:context_is_admin' } });
  admin = await client(sim, 'admin');
  demo = await client(sim, 'demo');
});
afterAll(() => sim.close());
beforeEach(() => sim.notifications.clear());

describe('rescue / unrescue', () => {
  it('rescue answers 200 with the given or a generated adminPass; RESCUE, powered off; rescue.start, exists, rescue.end', async () => {
    const id = await bootServer(sim, demo, 'resc1');
    sim.notifications.clear();
    const res = await action(demo, id, { rescue: { adminPass: 'p4ss', rescue_image_ref: CIRROS } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ adminPass: 'p4ss' });
    await sim.idle();
    expect(await server(demo, id)).toMatchObject({ status: 'RESCUE', 'OS-EXT-STS:power_state': 4, 'OS-EXT-STS:task_state': null });
    expect(eventTypes(sim)).toEqual(['instance.rescue.start', 'instance.exists', 'instance.rescue.end']);
    const start = sim.notifications.list()[0].envelope.payload as { 'nova_object.name': string; 'nova_object.data': Record<string, unknown> };
    expect(start['nova_object.name']).toBe('InstanceActionRescuePayload');
    expect(start['nova_object.data']).toMatchObject({ rescue_image_ref: CIRROS, task_state: 'rescuing' });
    expect((await lastAction(admin, id)).events[0]).toMatchObject({ event: 'compute_rescue_instance', result: 'Success' });

    // Only RESCUED servers can be unrescued, and rescue is refused while rescued.
    const again = await action(demo, id, { rescue: null });
    expect(again.json().conflictingRequest.message).toBe(`Cannot 'rescue' instance ${id} while it is in vm_state rescued`);
    // unrescue tightened to admin here: a member gets Nova's 403.
    const refused = await action(demo, id, { unrescue: null });
    expect(refused.json()).toEqual({ forbidden: { code: 403, message: "Policy doesn't allow os_compute_api:os-unrescue to be performed." } });
    sim.notifications.clear();
    await act(sim, admin, id, { unrescue: null });
    expect(await server(demo, id)).toMatchObject({ status: 'ACTIVE', 'OS-EXT-STS:power_state': 1 });
    expect(eventTypes(sim)).toEqual(['instance.unrescue.start', 'instance.unrescue.end']);

    const gen = await action(demo, id, { rescue: null });
    expect(gen.statusCode).toBe(200);
    expect(gen.json().adminPass).toMatch(/^[a-z0-9]{12}$/);
    await sim.idle();
    await act(sim, admin, id, { unrescue: {} });
  });

  it('refuses unrescue of an ACTIVE server, a bad image ref with 400', async () => {
    const id = await bootServer(sim, demo, 'resc2');
    const r = await action(admin, id, { unrescue: null });
    expect(r.json().conflictingRequest.message).toBe(`Cannot 'unrescue' instance ${id} while it is in vm_state active`);
    expect((await action(demo, id, { rescue: { rescue_image_ref: 'not-a-uuid' } })).statusCode).toBe(400);
    expect((await action(demo, id, { rescue: { other: 1 } })).statusCode).toBe(400);
  });

  it('an unknown rescue image: ImageNotFound in nova-compute, Error event, task_state reverted', async () => {
    const id = await bootServer(sim, demo, 'resc3');
    const missing = '00000000-0000-4000-8000-000000000000';
    expect((await action(demo, id, { rescue: { rescue_image_ref: missing } })).statusCode).toBe(200);
    await sim.idle();
    expect(await server(demo, id)).toMatchObject({ status: 'ACTIVE', 'OS-EXT-STS:task_state': null });
    expect((await lastAction(admin, id)).events[0]).toMatchObject({ event: 'compute_rescue_instance', result: 'Error' });
  });

  it('driver.rescue raising: ERROR with InstanceNotRescuable as the fault', async () => {
    const id = await bootServer(sim, demo, 'resc4');
    sim.faults.add({ service: 'compute', operation: 'driver.rescue', match: { instance_uuid: id }, error: { exception: 'InternalError', message: 'no rescue disk' } });
    sim.notifications.clear();
    expect((await action(demo, id, { rescue: null })).statusCode).toBe(200);
    await sim.idle();
    const s = await server(admin, id);
    expect(s.status).toBe('ERROR');
    expect((s.fault as { message: string }).message).toBe(`Instance ${id} cannot be rescued: Driver Error: no rescue disk`);
    expect(eventTypes(sim)).toEqual(['instance.rescue.start', 'compute.exception']);
  });
});

// lock / unlock on the action framework: Nova's owner/admin rules, 2.73 locked_reason, the api_*
// action events, and instance.lock / instance.unlock from nova-api.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Simulator } from '../../../src/index.js';
import { bootServer, client, startSim, type Client } from '../../helpers/sim.js';
import { act, action, eventTypes, lastAction, server } from './helpers.js';

let sim: Simulator;
let admin: Client;
let demo: Client;

beforeAll(async () => {
  sim = await startSim();
  admin = await client(sim, 'admin');
  demo = await client(sim, 'demo');
});
afterAll(() => sim.close());
beforeEach(() => sim.notifications.clear());

const data = (i: number) => (sim.notifications.list()[i].envelope.payload as { 'nova_object.data': Record<string, unknown> })['nova_object.data'];

describe('lock / unlock', () => {
  it('the owner locks with a reason (2.73): instance.lock from nova-api, an api_lock event, locked_reason shown', async () => {
    const id = await bootServer(sim, demo, 'lock1');
    sim.notifications.clear();
    await act(sim, demo, id, { lock: { locked_reason: 'maintenance' } });
    expect(eventTypes(sim)).toEqual(['instance.lock']);
    const n = sim.notifications.list()[0].envelope;
    expect(n.publisher_id).toMatch(/^nova-api:/);
    expect(data(0)).toMatchObject({ locked: true, locked_reason: 'maintenance' });
    expect(await server(demo, id)).toMatchObject({ locked: true, locked_reason: 'maintenance' });
    const a = await lastAction(admin, id);
    expect(a).toMatchObject({ action: 'lock', message: null });
    expect(a.events).toEqual([expect.objectContaining({ event: 'api_lock', result: 'Success' })]);
    // The owner re-locking a locked server: a no-op, no action, no notification.
    sim.notifications.clear();
    await act(sim, demo, id, { lock: null });
    expect(eventTypes(sim)).toEqual([]);
    await act(sim, demo, id, { unlock: null });
    expect(eventTypes(sim)).toEqual(['instance.unlock']);
    expect(data(0)).toMatchObject({ locked: false, locked_reason: null });
    expect((await lastAction(admin, id)).events[0]).toMatchObject({ event: 'api_unlock', result: 'Success' });
  });

  it('locked_reason is a 2.73 field: refused by the 2.73 schema when empty, ignored before', async () => {
    const id = await bootServer(sim, demo, 'lock2');
    sim.notifications.clear();
    expect((await action(demo, id, { lock: { locked_reason: '' } })).statusCode).toBe(400);
    expect((await action(demo, id, { lock: { other: 1 } })).statusCode).toBe(400);
    expect((await action(demo, id, { lock: { locked_reason: 'old' } }, '2.72')).statusCode).toBe(202);
    expect(data(0)).toMatchObject({ locked: true, locked_reason: null });
    await act(sim, demo, id, { unlock: {} });
  });

  it('an admin\'s lock needs unlock_override: the owner gets Nova\'s 403, the admin unlocks', async () => {
    const id = await bootServer(sim, demo, 'lock3');
    await act(sim, admin, id, { lock: {} });
    const res = await action(demo, id, { unlock: {} });
    expect(res.statusCode).toBe(403);
    expect(res.json()).toEqual({ forbidden: { code: 403, message: "Policy doesn't allow os_compute_api:os-lock-server:unlock:unlock_override to be performed." } });
    expect((await server(demo, id)).locked).toBe(true);
    await act(sim, admin, id, { unlock: {} });
    expect((await server(demo, id)).locked).toBe(false);
  });

  it('a locked server refuses delete and power actions to its owner', async () => {
    const id = await bootServer(sim, demo, 'lock4');
    await act(sim, demo, id, { lock: {} });
    for (const body of [{ 'os-stop': {} }, { reboot: { type: 'HARD' } }, { suspend: {} }, { trigger_crash_dump: null }]) {
      const r = await action(demo, id, body);
      expect(r.statusCode, JSON.stringify(body)).toBe(409);
      expect(r.json().conflictingRequest.message).toBe(`Instance ${id} is locked`);
    }
    await act(sim, demo, id, { unlock: {} });
  });
});

// os-stop/os-start, reboot, pause/unpause, suspend/resume, trigger_crash_dump: allowed states and
// Nova's 409s, policy, state transitions, notifications in Nova's order, an injected driver failure.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Simulator } from '../../../src/index.js';
import { bootServer, client, startSim, type Client } from '../../helpers/sim.js';
import { act, action, eventTypes, lastAction, server } from './helpers.js';

let sim: Simulator;
let admin: Client;
let demo: Client;

beforeAll(async () => {
  // servers:stop tightened to admin only, to see the policy check of a declared action refuse a member.
  sim = await startSim({ policyOverrides: { 'os_compute_api:servers:stop': 'rule:context_is_admin' } });
  admin = await client(sim, 'admin');
  demo = await client(sim, 'demo');
});
afterAll(() => sim.close());
beforeEach(() => sim.notifications.clear());

/** Each round trip: action, resulting status, power state, instance action, manager event, notifications. */
const ROUND_TRIPS = [
  { body: { 'os-stop': null }, status: 'SHUTOFF', power: 4, action: 'stop', event: 'compute_stop_instance', notes: ['instance.power_off.start', 'instance.power_off.end'], as: 'admin' },
  { body: { 'os-start': null }, status: 'ACTIVE', power: 1, action: 'start', event: 'compute_start_instance', notes: ['instance.power_on.start', 'instance.power_on.end'] },
  { body: { reboot: { type: 'SOFT' } }, status: 'ACTIVE', power: 1, action: 'reboot', event: 'compute_reboot_instance', notes: ['instance.reboot.start', 'instance.reboot.end'] },
  { body: { reboot: { type: 'hard' } }, status: 'ACTIVE', power: 1, action: 'reboot', event: 'compute_reboot_instance', notes: ['instance.reboot.start', 'instance.reboot.end'] },
  // nova.virt.fake's pause/suspend leave the guest RUNNING, as Nova's samples show.
  { body: { pause: null }, status: 'PAUSED', power: 1, action: 'pause', event: 'compute_pause_instance', notes: ['instance.pause.start', 'instance.pause.end'] },
  { body: { unpause: null }, status: 'ACTIVE', power: 1, action: 'unpause', event: 'compute_unpause_instance', notes: ['instance.unpause.start', 'instance.unpause.end'] },
  { body: { suspend: null }, status: 'SUSPENDED', power: 1, action: 'suspend', event: 'compute_suspend_instance', notes: ['instance.suspend.start', 'instance.suspend.end'] },
  { body: { resume: null }, status: 'ACTIVE', power: 1, action: 'resume', event: 'compute_resume_instance', notes: ['instance.resume.start', 'instance.resume.end'] },
  { body: { trigger_crash_dump: null }, status: 'ACTIVE', power: 1, action: 'trigger_crash_dump', event: 'compute_trigger_crash_dump', notes: ['instance.trigger_crash_dump.start', 'instance.trigger_crash_dump.end'] },
] as const;

describe('power and state actions', () => {
  let id: string;
  beforeAll(async () => {
    id = await bootServer(sim, demo, 'power');
  });

  for (const t of ROUND_TRIPS) {
    it(`${JSON.stringify(t.body)} → ${t.status}, ${t.action} / ${t.event}, ${t.notes.join(', ')}`, async () => {
      await act(sim, 'as' in t ? admin : demo, id, t.body);
      const s = await server(demo, id);
      expect(s.status).toBe(t.status);
      expect(s['OS-EXT-STS:power_state']).toBe(t.power);
      expect(s['OS-EXT-STS:task_state']).toBeNull();
      expect(eventTypes(sim)).toEqual(t.notes);
      const a = await lastAction(admin, id);
      expect(a).toMatchObject({ action: t.action, message: null });
      expect(a.events).toEqual([expect.objectContaining({ event: t.event, result: 'Success' })]);
    });
  }

  it('the start notification carries the task_state the API set, the end one the new state', async () => {
    await act(sim, demo, id, { pause: {} });
    const [start, end] = sim.notifications.list().map((n) => (n.envelope.payload as { 'nova_object.data': Record<string, unknown> })['nova_object.data']);
    expect(start).toMatchObject({ state: 'active', task_state: 'pausing' });
    expect(end).toMatchObject({ state: 'paused', task_state: null });
    await act(sim, demo, id, { unpause: {} });
  });
});

describe('allowed states: Nova\'s 409 texts, nothing changed, nothing sent', () => {
  let id: string;
  beforeAll(async () => {
    id = await bootServer(sim, demo, 'states');
  });

  it.each([
    [{ 'os-start': {} }, 'start', 'vm_state active'],
    [{ unpause: {} }, 'unpause', 'vm_state active'],
    [{ resume: {} }, 'resume', 'vm_state active'],
  ])('%j on an ACTIVE server', async (body, name, where) => {
    const res = await action(demo, id, body);
    expect(res.statusCode).toBe(409);
    expect(res.json()).toEqual({ conflictingRequest: { code: 409, message: `Cannot '${name}' instance ${id} while it is in ${where}` } });
    expect(eventTypes(sim)).toEqual([]);
  });

  it('SOFT reboot only from ACTIVE; HARD also from SHUTOFF', async () => {
    await act(sim, admin, id, { 'os-stop': {} });
    sim.notifications.clear();
    const soft = await action(demo, id, { reboot: { type: 'SOFT' } });
    expect(soft.statusCode).toBe(409);
    expect(soft.json().conflictingRequest.message).toBe(`Cannot 'reboot' instance ${id} while it is in vm_state stopped`);
    for (const body of [{ pause: {} }, { suspend: {} }, { 'os-stop': {} }]) {
      const r = await action(admin, id, body);
      expect(r.statusCode).toBe(409);
    }
    expect(eventTypes(sim)).toEqual([]);
    await act(sim, demo, id, { reboot: { type: 'HARD' } });
    expect((await server(demo, id)).status).toBe('ACTIVE');
  });

  it('a second action while one runs is refused on task_state', async () => {
    sim.faults.add({ service: 'compute', operation: 'driver.pause', match: { instance_uuid: id }, error: { delay_ms: 50 } });
    expect((await action(demo, id, { pause: {} })).statusCode).toBe(202);
    const busy = await action(demo, id, { suspend: {} });
    expect(busy.statusCode).toBe(409);
    expect(busy.json().conflictingRequest.message).toBe(`Cannot 'suspend' instance ${id} while it is in task_state pausing`);
    expect((await server(demo, id)).status).toBe('ACTIVE'); // PAUSED only once nova-compute is done
    await sim.idle();
    expect((await server(demo, id)).status).toBe('PAUSED');
    await act(sim, demo, id, { unpause: {} });
  });

  it('a locked server refuses its owner (409 "is locked") but not an admin', async () => {
    await act(sim, admin, id, { lock: {} });
    sim.notifications.clear();
    const res = await action(demo, id, { pause: {} });
    expect(res.statusCode).toBe(409);
    expect(res.json().conflictingRequest.message).toBe(`Instance ${id} is locked`);
    expect(eventTypes(sim)).toEqual([]);
    await act(sim, admin, id, { pause: {} });
    await act(sim, admin, id, { unpause: {} });
    await act(sim, admin, id, { unlock: {} });
  });

  it('rejects bad bodies with 400 and unknown actions with Nova\'s text', async () => {
    expect((await action(demo, id, { reboot: { type: 'WARM' } })).statusCode).toBe(400);
    expect((await action(demo, id, { reboot: {} })).statusCode).toBe(400);
    expect((await action(demo, id, { trigger_crash_dump: {} })).statusCode).toBe(400);
    const unknown = await action(demo, id, { 'os-nothing': {} });
    expect(unknown.json()).toEqual({ badRequest: { code: 400, message: 'There is no such action: os-nothing' } });
    // trigger_crash_dump exists from 2.17: below, Nova's bare 404.
    expect((await action(demo, id, { trigger_crash_dump: null }, '2.16')).statusCode).toBe(404);
  });

  it('another project\'s server is 404 before any check', async () => {
    const other = await bootServer(sim, admin, 'admins');
    expect((await action(demo, other, { pause: {} })).statusCode).toBe(404);
  });
});

describe('policy', () => {
  it('a member is refused a rule tightened to admin with Nova\'s 403 text; the admin passes', async () => {
    const id = await bootServer(sim, demo, 'policy');
    const res = await action(demo, id, { 'os-stop': {} });
    expect(res.statusCode).toBe(403);
    expect(res.json()).toEqual({ forbidden: { code: 403, message: "Policy doesn't allow os_compute_api:servers:stop to be performed." } });
    expect((await server(demo, id)).status).toBe('ACTIVE');
    await act(sim, admin, id, { 'os-stop': {} });
    expect((await server(demo, id)).status).toBe('SHUTOFF');
  });
});

describe('injected driver failures', () => {
  it('driver.power_off raising: compute.exception, a fault, an Error event, task_state reverted, still ACTIVE', async () => {
    const id = await bootServer(sim, demo, 'fail-stop');
    sim.faults.add({ service: 'compute', operation: 'driver.power_off', match: { instance_uuid: id }, error: { exception: 'InstancePowerOffFailure', message: 'Failed to power off instance: boom' } });
    sim.notifications.clear();
    await act(sim, admin, id, { 'os-stop': {} });
    expect(eventTypes(sim)).toEqual(['instance.power_off.start', 'compute.exception']);
    const s = await server(admin, id);
    expect(s).toMatchObject({ status: 'ACTIVE', 'OS-EXT-STS:task_state': null, 'OS-EXT-STS:power_state': 1 });
    const a = await lastAction(admin, id);
    expect(a).toMatchObject({ action: 'stop', message: 'Error' });
    expect(a.events[0]).toMatchObject({ event: 'compute_stop_instance', result: 'Error' });
    expect(sim.services.actions.latestFaultFor(id)).toMatchObject({ code: 500, message: 'InstancePowerOffFailure' });
  });

  it('driver.reboot raising while the guest runs: reboot.error with the fault, then reboot.end, ACTIVE', async () => {
    const id = await bootServer(sim, demo, 'fail-reboot');
    sim.faults.add({ service: 'compute', operation: 'driver.reboot', match: { instance_uuid: id }, error: { exception: 'UnsupportedVirtType', message: "Virtualization type 'FakeVirt' is not supported by this compute driver" } });
    sim.notifications.clear();
    await act(sim, demo, id, { reboot: { type: 'HARD' } });
    expect(eventTypes(sim)).toEqual(['instance.reboot.start', 'instance.reboot.error', 'instance.reboot.end']);
    const err = sim.notifications.list()[1].envelope;
    expect(err.priority).toBe('ERROR');
    expect((err.payload as { 'nova_object.data': { fault: { 'nova_object.data': Record<string, unknown> } } })['nova_object.data'].fault['nova_object.data']).toMatchObject({ exception: 'UnsupportedVirtType' });
    expect((await server(demo, id)).status).toBe('ACTIVE');
    expect((await lastAction(admin, id)).events[0]).toMatchObject({ event: 'compute_reboot_instance', result: 'Success' });
  });

  it('driver.suspend raising puts the server in ERROR (_error_out_instance_on_exception)', async () => {
    const id = await bootServer(sim, demo, 'fail-suspend');
    sim.faults.add({ service: 'compute', operation: 'driver.suspend', match: { instance_uuid: id }, error: { exception: 'InternalError', message: 'libvirt said no' } });
    await act(sim, demo, id, { suspend: {} });
    expect(await server(demo, id)).toMatchObject({ status: 'ERROR', 'OS-EXT-STS:task_state': null });
  });
});

// [notifications]notify_on_state_change (nova/conf/notifications.py): None sends no instance.update from
// Instance.save; 'vm_state' makes every save send one whose state_update shows the vm_state transition
// (task-state-only saves carry the current task state as both old and new: send_update's plain branch);
// 'vm_and_task_state' shows task_state transitions too (nova/notifications/base.py send_update).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Simulator } from '../../../src/index.js';
import { bootServer, client, startSim, type Client } from '../../helpers/sim.js';

type Update = { publisher: string; old_state: unknown; state: unknown; old_task_state: unknown; new_task_state: unknown; task_state: unknown };

function updates(sim: Simulator): Update[] {
  return sim.notifications.list()
    .filter((n) => n.envelope.event_type === 'instance.update')
    .map((n) => {
      const data = (n.envelope.payload as { 'nova_object.data': Record<string, any> })['nova_object.data'];
      const su = data.state_update['nova_object.data'];
      return { publisher: n.envelope.publisher_id, old_state: su.old_state, state: su.state, old_task_state: su.old_task_state, new_task_state: su.new_task_state, task_state: data.task_state };
    });
}

/** Boot, stop, delete: the saves of a build, a power-off and a delete. */
async function lifecycle(sim: Simulator, c: Client): Promise<{ boot: Update[]; stop: Update[]; del: Update[] }> {
  sim.notifications.clear();
  const id = await bootServer(sim, c, 'nosc');
  const boot = updates(sim);
  sim.notifications.clear();
  expect((await c.req('POST', `/compute/v2.1/servers/${id}/action`, { 'os-stop': null })).statusCode).toBe(202);
  await sim.idle();
  const stop = updates(sim);
  sim.notifications.clear();
  expect((await c.req('DELETE', `/compute/v2.1/servers/${id}`)).statusCode).toBe(204);
  await sim.idle();
  return { boot, stop, del: updates(sim) };
}

const transition = (u: Update) => [u.old_state, u.state, u.old_task_state, u.new_task_state];

describe.each([
  [undefined, 'default (None)'],
  [null, 'null'],
  ['none', "'none' (CLI spelling)"],
] as const)('notify_on_state_change %s (%s)', (value, _label) => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSim(value === undefined ? {} : { notifyOnStateChange: value });
  });
  afterAll(() => sim.close());

  it('sends no instance.update from boot, stop or delete', async () => {
    const c = await client(sim, 'demo');
    const { boot, stop, del } = await lifecycle(sim, c);
    expect([...boot, ...stop, ...del]).toEqual([]);
    // The rest of the stream is still there.
    expect(sim.config.notifyOnStateChange).toBeNull();
  });
});

describe("notify_on_state_change 'vm_state'", () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSim({ notifyOnStateChange: 'vm_state' });
  });
  afterAll(() => sim.close());

  it('every save notifies; only vm_state changes show as transitions', async () => {
    const c = await client(sim, 'demo');
    const { boot, stop, del } = await lifecycle(sim, c);
    expect(boot.map(transition)).toEqual([
      ['building', 'building', 'scheduling', 'scheduling'], // conductor: non-existent → BUILDING
      ['building', 'building', null, null], // scheduling → None: a task change only, sent plain
      ['building', 'building', null, null], // claim: host/node
      ['building', 'building', 'networking', 'networking'],
      ['building', 'building', 'block_device_mapping', 'block_device_mapping'],
      ['building', 'building', 'spawning', 'spawning'],
      ['building', 'active', 'spawning', null], // a vm_state change: the whole transition, task states included
    ]);
    expect(boot[0].publisher).toBe('nova-conductor:novasim');
    expect(boot.slice(1).every((u) => u.publisher === 'nova-compute:novasim')).toBe(true);
    expect(stop.map(transition)).toEqual([
      ['active', 'active', 'powering-off', 'powering-off'],
      ['active', 'stopped', 'powering-off', null],
    ]);
    expect(del.map(transition)).toEqual([
      ['stopped', 'stopped', 'deleting', 'deleting'],
      ['stopped', 'deleted', 'deleting', null],
    ]);
  });
});

describe("notify_on_state_change 'vm_state': a rename", () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSim({ notifyOnStateChange: 'vm_state' });
  });
  afterAll(() => sim.close());

  it('PUT /servers/{id} saves the instance: a plain instance.update with old_display_name', async () => {
    const c = await client(sim, 'demo');
    const id = await bootServer(sim, c, 'before');
    sim.notifications.clear();
    expect((await c.req('PUT', `/compute/v2.1/servers/${id}`, { server: { name: 'after' } })).statusCode).toBe(200);
    const ns = sim.notifications.list().filter((n) => n.envelope.event_type === 'instance.update');
    expect(ns).toHaveLength(1);
    const data = (ns[0].envelope.payload as { 'nova_object.data': Record<string, any> })['nova_object.data'];
    expect(data).toMatchObject({ display_name: 'after', old_display_name: 'before' });
    expect(data.state_update['nova_object.data']).toEqual({ old_state: 'active', state: 'active', old_task_state: null, new_task_state: null });
    // A description-only update: no old_display_name.
    sim.notifications.clear();
    expect((await c.req('PUT', `/compute/v2.1/servers/${id}`, { server: { description: 'd' } })).statusCode).toBe(200);
    const [u] = sim.notifications.list();
    expect((u.envelope.payload as { 'nova_object.data': Record<string, any> })['nova_object.data'].old_display_name).toBeNull();
  });

  it('server metadata update and delete are saves too (update_instance_metadata, delete_metadata_key)', async () => {
    const c = await client(sim, 'demo');
    const id = await bootServer(sim, c, 'md');
    sim.notifications.clear();
    expect((await c.req('POST', `/compute/v2.1/servers/${id}/metadata`, { metadata: { a: '1' } })).statusCode).toBe(200);
    expect((await c.req('DELETE', `/compute/v2.1/servers/${id}/metadata/a`)).statusCode).toBe(204);
    const ns = sim.notifications.list().filter((n) => n.envelope.event_type === 'instance.update');
    const metadata = ns.map((n) => (n.envelope.payload as { 'nova_object.data': Record<string, any> })['nova_object.data'].metadata);
    expect(metadata).toEqual([{ a: '1' }, {}]);
    expect(ns.map((n) => n.envelope.publisher_id)).toEqual(['nova-compute:novasim', 'nova-compute:novasim']);
  });
});

describe("notify_on_state_change 'vm_and_task_state'", () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSim({ notifyOnStateChange: 'vm_and_task_state' });
  });
  afterAll(() => sim.close());

  it('task_state changes are transitions too (a None side reads as the current state, as Nova)', async () => {
    const c = await client(sim, 'demo');
    const { boot, stop, del } = await lifecycle(sim, c);
    expect(boot.map(transition)).toEqual([
      ['building', 'building', 'scheduling', 'scheduling'],
      ['building', 'building', 'scheduling', null],
      ['building', 'building', null, null],
      ['building', 'building', 'networking', 'networking'],
      ['building', 'building', 'networking', 'block_device_mapping'],
      ['building', 'building', 'block_device_mapping', 'spawning'],
      ['building', 'active', 'spawning', null],
    ]);
    expect(boot.map((u) => u.task_state)).toEqual(['scheduling', null, null, 'networking', 'block_device_mapping', 'spawning', null]);
    expect(stop.map(transition)).toEqual([
      ['active', 'active', 'powering-off', 'powering-off'],
      ['active', 'stopped', 'powering-off', null],
    ]);
    expect(del.map(transition)).toEqual([
      ['stopped', 'stopped', 'deleting', 'deleting'],
      ['stopped', 'deleted', 'deleting', null],
    ]);
  });

  it('a server that is being built shows the build task states through the API', async () => {
    const c = await client(sim, 'demo');
    const seen = new Set<unknown>();
    sim.notifications.clear();
    const res = await c.req('POST', '/compute/v2.1/servers', { server: { name: 'ts', imageRef: '155d900f-4e14-4e4c-a73d-069cbf4541e6', flavorRef: '1', networks: 'none' } });
    expect(res.statusCode).toBe(202);
    await sim.idle();
    for (const u of updates(sim)) seen.add(u.task_state);
    expect([...seen]).toEqual(['scheduling', null, 'networking', 'block_device_mapping', 'spawning']);
  });
});

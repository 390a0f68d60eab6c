// Deletes over HTTP: soft delete with reclaim_instance_interval (SOFT_DELETED, restore, forceDelete,
// the periodic reclaim on the simulator clock), the API's local delete when the compute service is
// down or the server was never scheduled, and the shelved snapshot removed with the server.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Simulator } from '../../../src/index.js';
import { bootServer, client, startSim, type Client } from '../../helpers/sim.js';
import { act, action, eventTypes, lastAction, server } from './helpers.js';

describe('soft delete (reclaim_instance_interval 30)', () => {
  let sim: Simulator;
  let admin: Client;
  let demo: Client;
  beforeAll(async () => {
    sim = await startSim({ reclaimInstanceInterval: 30, deterministic: true });
    admin = await client(sim, 'admin');
    demo = await client(sim, 'demo');
  });
  afterAll(() => sim.close());
  beforeEach(() => sim.notifications.clear());

  it('DELETE soft-deletes (SOFT_DELETED, deleted_at set, soft_delete.start/.end from nova-compute:<CONF.host>); restore brings it back', async () => {
    const id = await bootServer(sim, demo, 'sd1');
    sim.notifications.clear();
    expect((await demo.req('DELETE', `/compute/v2.1/servers/${id}`)).statusCode).toBe(204);
    await sim.idle();
    expect(await server(demo, id)).toMatchObject({ status: 'SOFT_DELETED', 'OS-EXT-STS:task_state': null });
    const ns = sim.notifications.list();
    expect(ns.map((n) => [n.envelope.event_type, n.envelope.publisher_id])).toEqual([['instance.soft_delete.start', 'nova-compute:novasim'], ['instance.soft_delete.end', 'nova-compute:novasim']]);
    expect((await lastAction(admin, id))).toMatchObject({ action: 'delete', events: [{ event: 'compute_soft_delete_instance', result: 'Success' }] });

    // restore (member by default): RESTORING, restore_instance, ACTIVE.
    const again = await action(demo, id, { restore: {} });
    expect(again.statusCode).toBe(202);
    await sim.idle();
    expect(await server(demo, id)).toMatchObject({ status: 'ACTIVE' });
    expect(eventTypes(sim).slice(-2)).toEqual(['instance.restore.start', 'instance.restore.end']);
    expect((await action(demo, id, { restore: {} })).json().conflictingRequest.message).toBe(`Cannot 'restore' instance ${id} while it is in vm_state active`);
  });

  it('forceDelete deletes a SOFT_DELETED server at once; a locked server is refused with 409', async () => {
    const id = await bootServer(sim, demo, 'sd2');
    await demo.req('DELETE', `/compute/v2.1/servers/${id}`);
    await sim.idle();
    await act(sim, admin, id, { lock: {} });
    expect((await action(demo, id, { forceDelete: null })).json().conflictingRequest.message).toBe(`Instance ${id} is locked`);
    await act(sim, admin, id, { unlock: {} });
    sim.notifications.clear();
    await act(sim, demo, id, { forceDelete: null });
    expect((await demo.req('GET', `/compute/v2.1/servers/${id}`)).statusCode).toBe(404);
    expect(eventTypes(sim)).toEqual(['instance.delete.start', 'instance.shutdown.start', 'instance.shutdown.end', 'instance.delete.end']);
  });

  it('the periodic _reclaim_queued_deletes deletes servers soft-deleted longer than the interval ago (simulator clock)', async () => {
    const id = await bootServer(sim, demo, 'sd3');
    await demo.req('DELETE', `/compute/v2.1/servers/${id}`);
    await sim.idle();
    sim.services.runtime.advance(30_000);
    // is_older_than is strict: exactly 30 s is not old enough.
    expect((await sim.periodic.tick()).reclaimed).toEqual([]);
    sim.services.runtime.advance(30_000);
    expect((await sim.periodic.tick()).reclaimed).toContain(id);
    await sim.idle();
    expect((await demo.req('GET', `/compute/v2.1/servers/${id}`)).statusCode).toBe(404);
  });

  it('a server that never launched is deleted, not soft-deleted (InstanceInvalidState falls back to delete)', async () => {
    const id = await bootServer(sim, demo, 'sd4');
    // soft_delete's @check_instance_state(task_state=None, must_have_launched=True): only launched_at matters.
    sim.services.db.transaction(() => sim.services.instances.update(id, { launched_at: null }))();
    sim.notifications.clear();
    expect((await demo.req('DELETE', `/compute/v2.1/servers/${id}`)).statusCode).toBe(204);
    await sim.idle();
    expect((await demo.req('GET', `/compute/v2.1/servers/${id}`)).statusCode).toBe(404);
    expect(eventTypes(sim)[0]).toBe('instance.delete.start');
  });
});

describe('restore and the instances quota', () => {
  it('a SOFT_DELETED server frees its quota; restoring it over quota is 403', async () => {
    const q = await startSim({ reclaimInstanceInterval: 30, instanceQuota: 1 });
    try {
      const user = await client(q, 'demo');
      const first = await bootServer(q, user, 'q1');
      await user.req('DELETE', `/compute/v2.1/servers/${first}`);
      await q.idle();
      await bootServer(q, user, 'q2');
      const r = await action(user, first, { restore: {} });
      expect(r.json()).toEqual({ forbidden: { code: 403, message: 'Quota exceeded for instances: Requested 1, but already used 1 of 1 instances' } });
      expect(await server(user, first)).toMatchObject({ status: 'SOFT_DELETED' });
    } finally {
      await q.close();
    }
  });
});

describe('local deletes in nova-api', () => {
  let sim: Simulator;
  let admin: Client;
  let demo: Client;
  beforeAll(async () => {
    sim = await startSim({ computeHosts: 1 });
    admin = await client(sim, 'admin');
    demo = await client(sim, 'demo');
  });
  afterAll(() => sim.close());

  it('compute service forced down: delete.start/.end from nova-api:<CONF.host>, ports and attachments cleaned up, no cast', async () => {
    const id = await bootServer(sim, demo, 'down1');
    const svc = (await admin.req('GET', '/compute/v2.1/os-services?binary=nova-compute')).json().services[0];
    await admin.req('PUT', `/compute/v2.1/os-services/${svc.id}`, { forced_down: true });
    sim.notifications.clear();
    expect((await demo.req('DELETE', `/compute/v2.1/servers/${id}`)).statusCode).toBe(204);
    expect((await demo.req('GET', `/compute/v2.1/servers/${id}`)).statusCode).toBe(404);
    expect(sim.notifications.list().map((n) => [n.envelope.event_type, n.envelope.publisher_id])).toEqual([['instance.delete.start', 'nova-api:novasim'], ['instance.delete.end', 'nova-api:novasim']]);
    const actions = (await admin.req('GET', `/compute/v2.1/servers/${id}/os-instance-actions`)).json().instanceActions as { action: string }[];
    expect(actions[0].action).toBe('delete');
    await admin.req('PUT', `/compute/v2.1/os-services/${svc.id}`, { forced_down: false });
  });

  it('never scheduled (NoValidHost → ERROR without host): local delete with notifications', async () => {
    // A flavor no host can take.
    const res = await admin.req('POST', '/compute/v2.1/flavors', { flavor: { name: 'huge', ram: 512, vcpus: 1, disk: 100_000 } });
    const flavorId = res.json().flavor.id;
    const boot = await admin.req('POST', '/compute/v2.1/servers', { server: { name: 'nohost2', imageRef: '155d900f-4e14-4e4c-a73d-069cbf4541e6', flavorRef: flavorId, networks: 'none' } });
    const id = boot.json().server.id as string;
    await sim.idle();
    expect(await server(admin, id)).toMatchObject({ status: 'ERROR', 'OS-EXT-SRV-ATTR:host': null });
    sim.notifications.clear();
    expect((await admin.req('DELETE', `/compute/v2.1/servers/${id}`)).statusCode).toBe(204);
    expect(eventTypes(sim)).toEqual(['instance.delete.start', 'instance.delete.end']);
    const start = sim.notifications.list()[0].envelope.payload as { 'nova_object.data': Record<string, unknown> };
    expect(start['nova_object.data']).toMatchObject({ state: 'error', task_state: 'deleting', host: null });
  });

  it('deleting a shelved server deletes its snapshot image in Glance', async () => {
    const id = await bootServer(sim, demo, 'shdel');
    await act(sim, demo, id, { shelve: {} });
    const list = async () => (await demo.req('GET', '/image/v2/images?name=shdel-shelved')).json().images as unknown[];
    expect(await list()).toHaveLength(1);
    expect((await demo.req('DELETE', `/compute/v2.1/servers/${id}`)).statusCode).toBe(204);
    await sim.idle();
    expect(await list()).toEqual([]);
  });
});

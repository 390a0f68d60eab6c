// Legacy (unversioned) notifications: Nova's [notifications] notification_format = unversioned | both.
// Reference: real Nova 26.2.2's legacy stream around a swap (issue #17) is
// scheduler.select_destinations.start/.end, compute.instance.create.start/.end, compute.instance.update,
// compute.instance.volume.attach, and on a failed swap `swap_volume` (wrap_exception), nothing on success.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Simulator } from '../../../src/index.js';
import { bootServer, client, startSim, type Client } from '../../helpers/sim.js';
import { attach, createVolume } from '../../helpers/volumes.js';

const swapUrl = (server: string, old: string) => `/compute/v2.1/servers/${server}/os-volume_attachments/${old}`;
const types = (sim: Simulator) => sim.legacyNotifications.list().map((n) => n.envelope.event_type);

describe("notification_format 'both' (zed: admin swaps directly)", () => {
  let sim: Simulator;
  let admin: Client;
  let demo: Client;

  beforeAll(async () => {
    sim = await startSim({ profile: 'zed', notificationFormat: 'both' });
    admin = await client(sim, 'admin', null);
    demo = await client(sim, 'demo', null);
  });
  afterAll(() => sim.close());
  beforeEach(() => sim.reset());

  it('boot, tag, attach: the legacy stream Nova 26.2.2 sends, each before its versioned twin', async () => {
    const server = await bootServer(sim, demo, 'legacy1');
    expect(types(sim)).toEqual([
      'scheduler.select_destinations.start', 'scheduler.select_destinations.end',
      'compute.instance.create.start', 'compute.instance.create.end',
    ]);
    const [sStart, , cStart, cEnd] = sim.legacyNotifications.list();
    expect(sStart.envelope.publisher_id).toBe('scheduler.novasim');
    expect(sStart.topics).toEqual(['notifications.info']);
    expect(sStart.format).toBe('unversioned');
    const spec = (sStart.envelope.payload as { request_spec: Record<string, any> }).request_spec;
    expect(spec.num_instances).toBe(1);
    expect(spec.instance_properties).toMatchObject({ uuid: server, memory_mb: 512, vcpus: 1, root_gb: 1, ephemeral_gb: 0 });
    expect(spec.instance_type).toMatchObject({ name: 'm1.tiny', flavorid: '1' });
    expect(cStart.envelope.publisher_id).toBe('compute.compute');
    expect(cStart.envelope.priority).toBe('INFO');
    const p = cStart.envelope.payload as Record<string, unknown>;
    // info_from_instance's keys in its dict order, then extra_usage_info (image_name).
    expect(Object.keys(p)).toEqual([
      'tenant_id', 'user_id', 'instance_id', 'display_name', 'reservation_id', 'hostname', 'instance_type',
      'instance_type_id', 'instance_flavor_id', 'architecture', 'memory_mb', 'disk_gb', 'vcpus', 'root_gb',
      'ephemeral_gb', 'host', 'node', 'availability_zone', 'cell_name', 'created_at', 'terminated_at',
      'deleted_at', 'launched_at', 'image_ref_url', 'os_type', 'kernel_id', 'ramdisk_id', 'state',
      'state_description', 'progress', 'access_ip_v4', 'access_ip_v6', 'image_meta', 'metadata', 'image_name',
    ]);
    expect(p).toMatchObject({ instance_id: server, instance_type: 'm1.tiny', instance_flavor_id: '1', image_name: 'cirros', cell_name: '', progress: '', launched_at: '' });
    expect(p.created_at).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{6})?\+00:00$/);
    const e = cEnd.envelope.payload as Record<string, unknown>;
    expect(e.message).toBe('Success');
    expect(e.fixed_ips).toEqual([]);
    expect(e.launched_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/);
    expect(e.state).toBe('active');

    // nova-api's tags update: compute.instance.update from 'api.<CONF.host>', then the versioned one.
    sim.legacyNotifications.clear();
    sim.notifications.clear();
    expect((await demo.req('PUT', `/compute/v2.1/servers/${server}/tags`, { tags: ['a'] }, { 'openstack-api-version': 'compute 2.26' })).statusCode).toBe(200);
    const [upd] = sim.legacyNotifications.list();
    expect(upd.envelope.event_type).toBe('compute.instance.update');
    expect(upd.envelope.publisher_id).toBe('api.novasim');
    expect(upd.envelope.payload).toMatchObject({ old_state: 'active', state: 'active', old_task_state: null, new_task_state: null });
    expect((upd.envelope.payload as Record<string, string>).audit_period_beginning).toMatch(/^\d{4}-\d\d-01T00:00:00\.000000$/);
    expect(upd.seq).toBeLessThan(sim.notifications.list()[0].seq);

    const vol = await createVolume(sim, demo, 1, 'v');
    sim.legacyNotifications.clear();
    await attach(sim, demo, server, vol);
    expect(types(sim)).toEqual(['compute.instance.volume.attach']);
    expect(sim.legacyNotifications.list()[0].envelope.payload).toMatchObject({ volume_id: vol, instance_id: server });
  });

  it('a successful swap sends no legacy notification; a failed one sends `swap_volume` (wrap_exception) at ERROR', async () => {
    const server = await bootServer(sim, demo, 'legacy2');
    const oldVol = await createVolume(sim, demo, 1, 'old');
    const newVol = await createVolume(sim, demo, 1, 'new');
    const other = await createVolume(sim, demo, 1, 'other');
    await attach(sim, demo, server, oldVol);
    sim.legacyNotifications.clear();
    expect((await admin.req('PUT', swapUrl(server, oldVol), { volumeAttachment: { volumeId: newVol } })).statusCode).toBe(202);
    await sim.idle();
    expect(types(sim)).toEqual([]);
    expect(sim.notifications.list().map((n) => n.envelope.event_type)).toContain('instance.volume_swap.end');

    sim.faults.add({ service: 'compute', operation: 'driver.swap_volume', match: { instance_uuid: server }, error: { exception: 'VolumeDriverException', message: 'disk went away' } });
    expect((await admin.req('PUT', swapUrl(server, newVol), { volumeAttachment: { volumeId: other } })).statusCode).toBe(202);
    await sim.idle();
    expect(types(sim)).toEqual(['swap_volume']);
    const [n] = sim.legacyNotifications.list();
    expect(n.envelope.priority).toBe('ERROR');
    expect(n.topics).toEqual(['notifications.error']);
    // rpc.get_notifier('compute') in wrap_exception: publisher compute.<CONF.host>.
    expect(n.envelope.publisher_id).toBe('compute.novasim');
    const payload = n.envelope.payload as { exception: unknown; args: { instance: { uuid: string } } };
    expect(Object.keys(payload)).toEqual(['exception', 'args']);
    expect(payload.args.instance.uuid).toBe(server);
    // The versioned compute.exception still follows.
    expect(sim.notifications.list().map((x) => x.envelope.event_type)).toContain('compute.exception');
  });

  it("NoValidHost: the conductor's compute_task.build_instances (ERROR, compute_task.<host>) precedes compute_task.build_instances.error", async () => {
    for (const svc of (await admin.req('GET', '/compute/v2.1/os-services?binary=nova-compute', undefined, { 'openstack-api-version': 'compute 2.53' })).json().services) {
      expect((await admin.req('PUT', `/compute/v2.1/os-services/${svc.id}`, { forced_down: true }, { 'openstack-api-version': 'compute 2.53' })).statusCode).toBe(200);
    }
    sim.legacyNotifications.clear();
    const res = await demo.req('POST', '/compute/v2.1/servers', { server: { name: 'nvh', imageRef: '155d900f-4e14-4e4c-a73d-069cbf4541e6', flavorRef: '1', networks: 'none' } }, { 'openstack-api-version': 'compute 2.37' });
    expect(res.statusCode).toBe(202);
    await sim.idle();
    expect(types(sim)).toEqual(['scheduler.select_destinations.start', 'compute_task.build_instances']);
    const n = sim.legacyNotifications.list()[1];
    expect(n.envelope).toMatchObject({ publisher_id: 'compute_task.novasim', priority: 'ERROR' });
    expect(n.envelope.payload).toMatchObject({
      instance_id: res.json().server.id, state: 'error', method: 'build_instances',
      reason: { kwargs: { code: 500 }, message: 'No valid host was found. There are not enough hosts available.' },
    });
    const versioned = sim.notifications.list().filter((x) => x.envelope.event_type === 'compute_task.build_instances.error');
    expect(versioned).toHaveLength(1);
    expect(n.seq).toBeLessThan(versioned[0].seq);
  });

  it("nova-api's wrap_exception: a duplicate aggregate sends legacy create_aggregate (compute.<CONF.host>) before compute.exception", async () => {
    expect((await admin.req('POST', '/compute/v2.1/os-aggregates', { aggregate: { name: 'agg1' } })).statusCode).toBe(200);
    sim.legacyNotifications.clear();
    expect((await admin.req('POST', '/compute/v2.1/os-aggregates', { aggregate: { name: 'agg1' } })).statusCode).toBe(409);
    // Aggregate.create's legacy aggregate.create.start goes out before the DB refuses the name, as in Nova.
    expect(sim.legacyNotifications.list().map((x) => x.envelope.event_type)).toEqual(['aggregate.create.start', 'create_aggregate']);
    const n = sim.legacyNotifications.list()[1];
    expect(n.envelope).toMatchObject({ event_type: 'create_aggregate', publisher_id: 'compute.novasim', priority: 'ERROR' });
    expect(n.envelope.payload).toEqual({
      exception: { kwargs: { code: 409 }, message: 'Aggregate agg1 already exists.' },
      args: { aggregate_name: 'agg1', availability_zone: null },
    });
    expect(n.seq).toBeLessThan(sim.notifications.list({ eventType: 'compute.exception' })[0].seq);
  });

  it('aggregates: notify_about_aggregate_update\'s aggregate.<suffix>.<phase> from aggregate.<id or name>', async () => {
    sim.legacyNotifications.clear();
    const v = { 'openstack-api-version': 'compute 2.1' };
    const created = await admin.req('POST', '/compute/v2.1/os-aggregates', { aggregate: { name: 'agg2', availability_zone: 'az1' } }, v);
    expect(created.statusCode).toBe(200);
    const id = created.json().aggregate.id;
    expect((await admin.req('POST', `/compute/v2.1/os-aggregates/${id}/action`, { add_host: { host: 'compute' } }, v)).statusCode).toBe(200);
    expect((await admin.req('POST', `/compute/v2.1/os-aggregates/${id}/action`, { set_metadata: { metadata: { k: 'v' } } }, v)).statusCode).toBe(200);
    expect((await admin.req('POST', `/compute/v2.1/os-aggregates/${id}/action`, { remove_host: { host: 'compute' } }, v)).statusCode).toBe(200);
    expect((await admin.req('DELETE', `/compute/v2.1/os-aggregates/${id}`, undefined, v)).statusCode).toBe(200);
    expect(sim.legacyNotifications.list().map((n) => [n.envelope.event_type, n.envelope.publisher_id, n.envelope.payload])).toEqual([
      ['aggregate.create.start', 'aggregate.agg2', { name: 'agg2', meta_data: { availability_zone: 'az1' } }],
      ['aggregate.create.end', `aggregate.${id}`, { name: 'agg2', meta_data: { availability_zone: 'az1' }, aggregate_id: id }],
      ['aggregate.addhost.start', `aggregate.${id}`, { aggregate_id: id, host_name: 'compute' }],
      ['aggregate.addhost.end', `aggregate.${id}`, { aggregate_id: id, host_name: 'compute', name: 'agg2' }],
      ['aggregate.updatemetadata.start', `aggregate.${id}`, { aggregate_id: id, meta_data: { k: 'v' } }],
      ['aggregate.updatemetadata.end', `aggregate.${id}`, { aggregate_id: id, meta_data: { k: 'v' } }],
      ['aggregate.removehost.start', `aggregate.${id}`, { aggregate_id: id, host_name: 'compute' }],
      ['aggregate.removehost.end', `aggregate.${id}`, { aggregate_id: id, host_name: 'compute' }],
      ['aggregate.delete.start', `aggregate.${id}`, { aggregate_id: id }],
      ['aggregate.delete.end', `aggregate.${id}`, { aggregate_id: id }],
    ]);
  });

  it('the control API serves them under /_novasim/legacy/notifications', async () => {
    await bootServer(sim, demo, 'legacy3');
    const res = await sim.app.inject({ method: 'GET', url: '/_novasim/legacy/notifications?event_type=compute.instance.create.end' });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    const items = Array.isArray(body) ? body : body.notifications;
    expect(items).toHaveLength(1);
    expect(items[0].publisher_id).toBe('compute.compute');
  });
});

describe("notification_format 'unversioned' (Nova's default) and 'versioned' (novasim's)", () => {
  it("'unversioned' sends only the legacy ones; 'versioned' only the versioned ones", async () => {
    const un = await startSim({ notificationFormat: 'unversioned' });
    const ve = await startSim({});
    try {
      for (const sim of [un, ve]) await bootServer(sim, await client(sim, 'demo', null), 'x');
      expect(un.notifications.list()).toEqual([]);
      expect(types(un)).toEqual(['scheduler.select_destinations.start', 'scheduler.select_destinations.end', 'compute.instance.create.start', 'compute.instance.create.end']);
      expect(ve.legacyNotifications.list()).toEqual([]);
      expect(ve.notifications.list().map((n) => n.envelope.event_type)).toContain('instance.create.end');
    } finally {
      await un.close();
      await ve.close();
    }
  });

  it("deterministic runs: 'both' leaves the versioned stream byte-identical to 'versioned'", async () => {
    const run = async (notificationFormat: 'both' | 'versioned') => {
      const sim = await startSim({ deterministic: true, notificationFormat });
      try {
        await bootServer(sim, await client(sim, 'demo', null), 'd');
        return JSON.stringify(sim.notifications.list().map((n) => n.envelope));
      } finally {
        await sim.close();
      }
    };
    expect(await run('both')).toBe(await run('versioned'));
  });
});

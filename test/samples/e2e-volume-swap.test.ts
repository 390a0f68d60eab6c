// test_volume_swap_server and test_volume_swap_server_with_error, end to end through the HTTP API
// in both profiles, with Nova's replacements (test_instance.py), plus the compute.exception of the
// swap error (which no golden sample reproduces: checked structurally).
import { afterEach, describe, expect, it } from 'vitest';
import { cinderBackend } from '../../src/cinder-fake/plugin.js';
import { SampleHarness, type Server } from '../../src/scenarios/harness.js';
import { PORT_1, REQUEST_ID, SWAP_ERR_NEW_VOL, SWAP_ERR_OLD_VOL, SWAP_NEW_VOL, SWAP_OLD_VOL } from '../../src/scenarios/nova-fixtures.js';
import { ANY, loadSample } from '../../src/testing/index.js';
import '../../src/testing/vitest.js';

const SETUP_EVENTS = ['instance.create.start', 'instance.create.end', 'instance.update', 'instance.volume_attach.start', 'instance.volume_attach.end'];
const data = (n: { payload: unknown }) => (n.payload as any)['nova_object.data'];

describe.each(['master', 'zed'] as const)('volume swap samples, end to end (%s)', (profile) => {
  let h: SampleHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  /** Boot on port_1 and attach `old`; on master mark it migrating as HEAD's CinderFixture reports it. */
  async function setUp(old: string): Promise<Server> {
    h = await SampleHarness.start(profile);
    h.resetNotifications();
    const server = await h.bootServer({ networks: [{ port: PORT_1 }] });
    await h.attachVolume(server, old);
    if (profile === 'master') await h.resetVolumeStatus(old, { migration_status: 'migrating' });
    return server;
  }

  it('test_volume_swap_server: 7 notifications; [5] .start and [6] .end equal their samples', async () => {
    const server = await setUp(SWAP_OLD_VOL);
    await h!.swapVolume(server, SWAP_OLD_VOL, SWAP_NEW_VOL);
    expect(await h!.attachedVolumes(server)).toEqual([SWAP_NEW_VOL]);
    const ns = h!.notifications();
    expect(ns.map((n) => n.event_type)).toEqual([...SETUP_EVENTS, 'instance.volume_swap.start', 'instance.volume_swap.end']);
    const replacements = { reservation_id: server.reservation_id, uuid: server.id };
    expect(ns[5]).toMatchNotificationSample('instance-volume_swap-start', { profile, replacements });
    expect(ns[6]).toMatchNotificationSample('instance-volume_swap-end', { profile, replacements });
    // Cinder: the old volume released, the new one in use with the BDM's new attachment.
    const cinder = cinderBackend(h!.sim.services);
    expect(cinder.volume(SWAP_OLD_VOL)).toMatchObject({ status: 'available', attach_status: 'detached', migration_status: null });
    expect(cinder.volume(SWAP_NEW_VOL)).toMatchObject({ status: 'in-use', attach_status: 'attached' });
    const bdm = h!.sim.services.bdms.getByVolumeAndInstance(SWAP_NEW_VOL, server.id)!;
    expect(bdm.attachment_id).toBe(cinder.attachmentsOf(SWAP_NEW_VOL)[0].id);
  });

  it('test_volume_swap_server_with_error: .start, .error (old volume kept), compute.exception', async () => {
    const server = await setUp(SWAP_ERR_OLD_VOL);
    h!.sim.faults.add({
      service: 'compute',
      operation: 'manager._init_volume_connection',
      match: { instance_uuid: server.id },
      error: { exception: 'TypeError', message: "'tuple' object does not support item assignment", module: 'nova.compute.manager', function: '_init_volume_connection' },
    });
    await h!.swapVolume(server, SWAP_ERR_OLD_VOL, SWAP_ERR_NEW_VOL);
    const ns = h!.notifications();
    expect(ns.length).toBeGreaterThanOrEqual(7);
    expect(ns.map((n) => n.event_type)).toEqual([...SETUP_EVENTS, 'instance.volume_swap.start', 'instance.volume_swap.error', 'compute.exception']);
    const blockDevices = [{
      'nova_object.data': { boot_index: null, delete_on_termination: false, device_name: '/dev/sdb', tag: null, volume_id: SWAP_ERR_OLD_VOL },
      'nova_object.name': 'BlockDevicePayload',
      'nova_object.namespace': 'nova',
      'nova_object.version': '1.0',
    }];
    expect(ns[5]).toMatchNotificationSample('instance-volume_swap-start', {
      profile,
      replacements: { new_volume_id: SWAP_ERR_NEW_VOL, old_volume_id: SWAP_ERR_OLD_VOL, block_devices: blockDevices, reservation_id: server.reservation_id, uuid: server.id },
    });
    expect(data(ns[5]).fault).toBeNull();
    expect(data(ns[6]).fault['nova_object.data'].traceback).toContain('_swap_volume');
    expect(data(ns[7]).traceback).toContain('_swap_volume');
    expect(ns[6]).toMatchNotificationSample('instance-volume_swap-error', {
      profile, replacements: { reservation_id: server.reservation_id, block_devices: blockDevices, uuid: server.id, 'fault.traceback': ANY },
    });

    // compute.exception: compute-exception.json is an aggregate-API error, so compare structure
    // with it and the exception fields with the swap error's fault.
    const sample = loadSample('compute-exception', profile);
    const exc = ns[7];
    expect(exc).toMatchObject({ event_type: 'compute.exception', priority: 'ERROR', publisher_id: 'nova-compute:fake-mini' });
    expect(Object.keys(exc).sort()).toEqual(Object.keys(sample).sort());
    for (const k of ['nova_object.name', 'nova_object.namespace', 'nova_object.version']) expect(exc.payload[k]).toBe(sample.payload[k]);
    expect(Object.keys(data(exc)).sort()).toEqual(Object.keys(data(sample)).sort());
    const { traceback: _tb, ...fault } = data(loadSample('instance-volume_swap-error', profile)).fault['nova_object.data'];
    const { traceback: _tb2, ...fields } = data(exc);
    expect(fields).toEqual(fault);

    // Nothing changed: BDM on the old volume, Cinder rolled back, action event Error.
    expect(await h!.attachedVolumes(server)).toEqual([SWAP_ERR_OLD_VOL]);
    const cinder = cinderBackend(h!.sim.services);
    expect(cinder.volume(SWAP_ERR_OLD_VOL)).toMatchObject({ status: 'in-use', attach_status: 'attached', migration_status: null });
    expect(cinder.volume(SWAP_ERR_NEW_VOL)).toMatchObject({ status: 'available', attach_status: 'detached' });
    const action = (await h!.request('GET', `/compute/v2.1/servers/${server.id}/os-instance-actions/${REQUEST_ID}`, undefined, 200, { admin: true })).instanceAction as any;
    expect(action.events.find((e: { event: string }) => e.event === 'compute_swap_volume')).toMatchObject({ result: 'Error' });
  });
});

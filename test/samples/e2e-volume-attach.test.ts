// _test_volume_detach_attach_server and _test_attach_volume_error (steps of test_instance_action),
// end to end through the HTTP API in both profiles, with Nova's replacements (test_instance.py).
import { afterEach, describe, expect, it } from 'vitest';
import { SampleHarness, type Server } from '../../src/scenarios/harness.js';
import { PORT_1, SWAP_NEW_VOL, SWAP_OLD_VOL } from '../../src/scenarios/nova-fixtures.js';
import { cinderBackend } from '../../src/cinder-fake/plugin.js';
import { ANY } from '../../src/testing/index.js';
import '../../src/testing/vitest.js';

const bdm = (volumeId: string, deviceName: string) => ({
  'nova_object.data': { boot_index: null, delete_on_termination: false, tag: null, device_name: deviceName, volume_id: volumeId },
  'nova_object.name': 'BlockDevicePayload',
  'nova_object.namespace': 'nova',
  'nova_object.version': '1.0',
});

describe.each(['master', 'zed'] as const)('volume attach/detach samples, end to end (%s)', (profile) => {
  let h: SampleHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  /** test_instance_action's set-up: boot on port_1, attach SWAP_OLD_VOL. */
  async function setUp(): Promise<Server> {
    h = await SampleHarness.start(profile);
    const server = await h.bootServer({ networks: [{ port: PORT_1 }] });
    await h.attachVolume(server, SWAP_OLD_VOL);
    return server;
  }

  it('_test_volume_detach_attach_server: detach.start/.end, then attach.start/.end', async () => {
    const server = await setUp();
    const replacements = { reservation_id: server.reservation_id, uuid: server.id };
    h!.resetNotifications();
    await h!.detachVolume(server, SWAP_OLD_VOL);
    const detach = h!.notifications();
    expect(detach).toHaveLength(2);
    expect(detach[0]).toMatchNotificationSample('instance-volume_detach-start', { profile, replacements });
    expect(detach[1]).toMatchNotificationSample('instance-volume_detach-end', { profile, replacements });
    expect(await h!.attachedVolumes(server)).toEqual([]);

    h!.resetNotifications();
    await h!.attachVolume(server, SWAP_OLD_VOL);
    const attach = h!.notifications();
    expect(attach).toHaveLength(2);
    expect(attach[0]).toMatchNotificationSample('instance-volume_attach-start', { profile, replacements });
    expect(attach[1]).toMatchNotificationSample('instance-volume_attach-end', { profile, replacements });
  });

  it('_test_attach_volume_error: attach.start and attach.error list both BDMs; the new volume is left available', async () => {
    const server = await setUp();
    h!.sim.faults.add({
      service: 'compute',
      operation: 'driver.attach_volume',
      match: { volume_id: SWAP_NEW_VOL },
      error: { exception: 'CinderConnectionFailed', message: 'Connection to cinder host failed: Connection timed out', module: 'nova.tests.functional.notification_sample_tests.test_instance', function: 'attach_volume' },
    });
    h!.resetNotifications();
    await h!.attachVolume(server, SWAP_NEW_VOL);
    const ns = h!.notifications();
    expect(ns.length).toBeGreaterThanOrEqual(2);
    expect(ns.map((n) => n.event_type)).toEqual(['instance.volume_attach.start', 'instance.volume_attach.error', 'compute.exception']);
    const replacements = {
      reservation_id: server.reservation_id, block_devices: [bdm(SWAP_OLD_VOL, '/dev/sdb'), bdm(SWAP_NEW_VOL, '/dev/sdc')], volume_id: SWAP_NEW_VOL, uuid: server.id,
    };
    expect(ns[0]).toMatchNotificationSample('instance-volume_attach-start', { profile, replacements });
    expect((ns[1].payload as any)['nova_object.data'].fault['nova_object.data'].traceback).toContain('CinderConnectionFailed:');
    expect(ns[1]).toMatchNotificationSample('instance-volume_attach-error', { profile, replacements: { ...replacements, 'fault.traceback': ANY } });
    // The failed BDM is gone and Cinder rolled back.
    expect(await h!.attachedVolumes(server)).toEqual([SWAP_OLD_VOL]);
    expect(cinderBackend(h!.sim.services).volume(SWAP_NEW_VOL)).toMatchObject({ status: 'available', attach_status: 'detached' });
  });
});

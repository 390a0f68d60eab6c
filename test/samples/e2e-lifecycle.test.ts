// test_create_delete_server and test_create_server_error, end to end through the HTTP API in both
// profiles: every notification Nova's tests compare must equal its golden sample under exactly
// the replacements Nova's test uses (test_instance.py), nothing looser.
import { afterEach, describe, expect, it } from 'vitest';
import { SampleHarness } from '../../src/scenarios/harness.js';
import { PORT_1, REQUEST_ID, SWAP_OLD_VOL } from '../../src/scenarios/nova-fixtures.js';
import { ANY } from '../../src/testing/index.js';
import '../../src/testing/vitest.js';

const BOOT = { networks: [{ port: PORT_1 }], tags: ['tag'], trusted_image_certificates: ['cert-id-1', 'cert-id-2'] };

describe.each(['master', 'zed'] as const)('instance lifecycle samples, end to end (%s)', (profile) => {
  let h: SampleHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('test_create_delete_server: 9 notifications in order, each equal to its sample', async () => {
    h = await SampleHarness.start(profile);
    h.resetNotifications();
    const server = await h.bootServer(BOOT);
    await h.attachVolume(server, SWAP_OLD_VOL);
    await h.deleteServer(server);
    const ns = h.notifications();
    const expected = [
      'instance-create-start', 'instance-create-end', 'instance-update-tags-action', 'instance-volume_attach-start',
      'instance-volume_attach-end', 'instance-delete-start', 'instance-shutdown-start', 'instance-shutdown-end', 'instance-delete-end',
    ];
    expect(ns).toHaveLength(9);
    expected.forEach((sample, idx) => {
      expect(ns[idx]).toMatchNotificationSample(sample, { profile, replacements: { reservation_id: server.reservation_id, uuid: server.id } });
    });
    expect(ns[2].publisher_id).toBe('nova-api:fake-mini');
  });

  it('test_create_server_error: create.start and create.error (BUILDING, no compute.exception), then ERROR', async () => {
    h = await SampleHarness.start(profile);
    h.sim.faults.add({
      service: 'compute',
      operation: 'manager._build_resources',
      error: { exception: 'FlavorDiskTooSmall', message: "The created instance's disk would be too small.", module: 'nova.tests.functional.notification_sample_tests.test_instance', function: '_build_resources' },
    });
    h.resetNotifications();
    const server = await h.bootServer(BOOT, 'ERROR');
    // Nova counts 4 (an ERROR boot leaves the scheduler's two in the list): the scheduler's, then these two.
    const all = h.notifications();
    expect(all.map((n) => n.event_type)).toEqual(['scheduler.select_destinations.start', 'scheduler.select_destinations.end', 'instance.create.start', 'instance.create.error']);
    const ns = all.slice(2);
    const tb = (ns[1].payload as any)['nova_object.data'].fault['nova_object.data'].traceback as string;
    expect(tb).toContain("FlavorDiskTooSmall: The created instance's disk would be too small.");
    expect(ns[0]).toMatchNotificationSample('instance-create-start', { profile, replacements: { reservation_id: server.reservation_id, uuid: server.id } });
    expect(ns[1]).toMatchNotificationSample('instance-create-error', {
      profile, replacements: { reservation_id: server.reservation_id, uuid: server.id, 'fault.traceback': ANY },
    });
    // HEAD's aborted claim clears host/node before create.error; Zed's only cleared a copy.
    expect((ns[1].payload as any)['nova_object.data'].host).toBe(profile === 'master' ? null : 'compute');
    // _do_build_and_run_instance handled it: fault recorded, host/node cleared, action event Success.
    const shown = (await h.request('GET', `/compute/v2.1/servers/${server.id}`, undefined, 200, { admin: true })).server as Record<string, any>;
    expect(shown).toMatchObject({ status: 'ERROR', 'OS-EXT-SRV-ATTR:host': null, fault: { code: 500, message: `Build of instance ${server.id} aborted: The created instance's disk would be too small.` } });
    const action = (await h.request('GET', `/compute/v2.1/servers/${server.id}/os-instance-actions/${REQUEST_ID}`, undefined, 200, { admin: true })).instanceAction as any;
    expect(action.events).toMatchObject([{ event: 'compute__do_build_and_run_instance', result: 'Success' }]);
  });
});

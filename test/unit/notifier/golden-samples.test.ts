// Built notifications must match Nova's golden samples in both releases, compared the way Nova's
// own sample tests compare them (same replacements, nothing looser).
import { describe, expect, it } from 'vitest';
import type { ExceptionInfo } from '../../../src/notifier/index.js';
import { POWER_STATE } from '../../../src/domain.js';
import { getProfile } from '../../../src/profiles/index.js';
import { ANY, matchesNotificationSample, type Replacements } from '../../../src/testing/index.js';
import '../../../src/testing/vitest.js';
import {
  context, imageBdm, instance, MY_KEY, PROFILES, REPLACEMENTS, sampleNotifier, SWAP_ERR_NEW_VOL, SWAP_ERR_OLD_VOL,
  SWAP_NEW_VOL, SWAP_OLD_VOL, SWAP_TYPE_ERROR, T, volumeBdm,
} from './fixtures.js';

const bdmPayload = (volumeId: string, deviceName = '/dev/sdb') => ({
  'nova_object.data': { boot_index: null, delete_on_termination: false, device_name: deviceName, tag: null, volume_id: volumeId },
  'nova_object.name': 'BlockDevicePayload',
  'nova_object.namespace': 'nova',
  'nova_object.version': '1.0',
});

const CINDER_CONNECTION_FAILED: ExceptionInfo = {
  exception: 'CinderConnectionFailed',
  exception_message: 'Connection to cinder host failed: Connection timed out',
  module_name: 'nova.tests.functional.notification_sample_tests.test_instance',
  function_name: 'attach_volume',
  traceback: 'Traceback (most recent call last):\n,  File "nova/compute/manager.py", line 7950, in _attach_volume\n,CinderConnectionFailed: Connection to cinder host failed: Connection timed out\n',
};

const FLAVOR_DISK_TOO_SMALL: ExceptionInfo = {
  exception: 'FlavorDiskTooSmall',
  exception_message: "The created instance's disk would be too small.",
  module_name: 'nova.tests.functional.notification_sample_tests.test_instance',
  function_name: '_build_resources',
  traceback: 'Traceback (most recent call last):\n,    raise exception.FlavorDiskTooSmall()\n,FlavorDiskTooSmall: The created instance\'s disk would be too small.\n',
};

function expectMatch(n: unknown, sample: string, profile: (typeof PROFILES)[number], replacements: Replacements = REPLACEMENTS) {
  const result = matchesNotificationSample(n, sample, { replacements, profile });
  expect(result.diff).toBe('');
  expect(result.pass).toBe(true);
}

describe.each(PROFILES)('golden samples (%s)', (profile) => {
  const ctx = context();

  it('instance.volume_swap.start and .end (test_volume_swap_server)', () => {
    const { notifier } = sampleNotifier(profile);
    const start = notifier.notifyAboutVolumeSwap(ctx, instance(), [volumeBdm(SWAP_OLD_VOL)], 'compute', 'start', SWAP_OLD_VOL, SWAP_NEW_VOL);
    // After the swap the BDM points at save_volume_id; old/new ids stay the request values.
    const end = notifier.notifyAboutVolumeSwap(ctx, instance(), [volumeBdm(SWAP_NEW_VOL)], 'compute', 'end', SWAP_OLD_VOL, SWAP_NEW_VOL);
    expectMatch(start, 'instance-volume_swap-start', profile);
    expectMatch(end, 'instance-volume_swap-end', profile);
    expect(end).toMatchNotificationSample('instance-volume_swap-end', { replacements: REPLACEMENTS, profile });
  });

  it('instance.volume_swap.error (test_volume_swap_server_with_error)', () => {
    const { notifier } = sampleNotifier(profile);
    const bdms = [volumeBdm(SWAP_ERR_OLD_VOL)];
    const start = notifier.notifyAboutVolumeSwap(ctx, instance(), bdms, 'compute', 'start', SWAP_ERR_OLD_VOL, SWAP_ERR_NEW_VOL);
    const error = notifier.notifyAboutVolumeSwap(ctx, instance(), bdms, 'compute', 'error', SWAP_ERR_OLD_VOL, SWAP_ERR_NEW_VOL, SWAP_TYPE_ERROR);
    const blockDevices = [bdmPayload(SWAP_ERR_OLD_VOL)];
    expectMatch(start, 'instance-volume_swap-start', profile, {
      new_volume_id: SWAP_ERR_NEW_VOL, old_volume_id: SWAP_ERR_OLD_VOL, block_devices: blockDevices, ...REPLACEMENTS,
    });
    expectMatch(error, 'instance-volume_swap-error', profile, { ...REPLACEMENTS, block_devices: blockDevices, 'fault.traceback': ANY });
    const fault = (error!.envelope.payload as any)['nova_object.data'].fault['nova_object.data'];
    expect(fault.traceback).toContain('_swap_volume');
    expect(error!.envelope.priority).toBe('ERROR');
  });

  it('instance.volume_attach.start/.end and volume_detach.start/.end', () => {
    const { notifier } = sampleNotifier(profile);
    const bdms = [volumeBdm(SWAP_OLD_VOL)];
    for (const action of ['volume_attach', 'volume_detach'] as const) {
      for (const phase of ['start', 'end'] as const) {
        const n = notifier.notifyAboutVolumeAttachDetach(ctx, instance(), bdms, 'compute', action, phase, SWAP_OLD_VOL);
        expectMatch(n, `instance-${action}-${phase}`, profile);
      }
    }
  });

  it('instance.volume_attach.error (_test_attach_volume_error)', () => {
    const { notifier } = sampleNotifier(profile);
    const bdms = [volumeBdm(SWAP_OLD_VOL), volumeBdm(SWAP_NEW_VOL, { device_name: '/dev/sdc' })];
    const replacements = {
      ...REPLACEMENTS, block_devices: [bdmPayload(SWAP_OLD_VOL), bdmPayload(SWAP_NEW_VOL, '/dev/sdc')], volume_id: SWAP_NEW_VOL,
    };
    const start = notifier.notifyAboutVolumeAttachDetach(ctx, instance(), bdms, 'compute', 'volume_attach', 'start', SWAP_NEW_VOL);
    const error = notifier.notifyAboutVolumeAttachDetach(
      ctx, instance(), bdms, 'compute', 'volume_attach', 'error', SWAP_NEW_VOL, CINDER_CONNECTION_FAILED,
    );
    expectMatch(start, 'instance-volume_attach-start', profile, replacements);
    expectMatch(error, 'instance-volume_attach-error', profile, { ...replacements, 'fault.traceback': ANY });
  });

  it('instance.create.start/.end (test_create_delete_server)', () => {
    const { notifier } = sampleNotifier(profile);
    const extras = { keypairs: [MY_KEY], trustedImageCertificates: ['cert-id-1', 'cert-id-2'] };
    const building = instance({
      host: null, node: null, network_info: [], launched_at: null, updated_at: null,
      power_state: POWER_STATE.pending, vm_state: 'building', tags: ['tag'],
    });
    const start = notifier.notifyAboutInstanceCreate(ctx, building, [imageBdm()], 'compute', 'start', null, extras);
    const end = notifier.notifyAboutInstanceCreate(ctx, instance({ tags: ['tag'] }), [imageBdm()], 'compute', 'end', null, extras);
    expectMatch(start, 'instance-create-start', profile);
    expectMatch(end, 'instance-create-end', profile);
  });

  it('instance.create.error (test_create_server_error)', () => {
    const { notifier } = sampleNotifier(profile);
    // HEAD's sample has host/node null, Zed's keeps the scheduled host (profile switch).
    const nullHost = getProfile(profile).switches.createErrorNullHost;
    const failed = instance({
      host: nullHost ? null : 'compute', node: nullHost ? null : 'fake-mini', network_info: [], launched_at: null,
      power_state: POWER_STATE.pending, vm_state: 'building', tags: ['tag'],
    });
    const n = notifier.notifyAboutInstanceCreate(ctx, failed, [imageBdm()], 'compute', 'error', FLAVOR_DISK_TOO_SMALL, {
      keypairs: [MY_KEY], trustedImageCertificates: ['cert-id-1', 'cert-id-2'],
    });
    expectMatch(n, 'instance-create-error', profile, { ...REPLACEMENTS, 'fault.traceback': ANY });
  });

  it('instance.delete.start, shutdown.start/.end, delete.end (test_create_delete_server)', () => {
    const { notifier } = sampleNotifier(profile);
    const bdms = [volumeBdm(SWAP_OLD_VOL)];
    const deleting = instance({ task_state: 'deleting' });
    expectMatch(notifier.notifyAboutInstanceAction(ctx, deleting, bdms, 'compute', 'delete', 'start'), 'instance-delete-start', profile);
    expectMatch(notifier.notifyAboutInstanceAction(ctx, deleting, bdms, 'compute', 'shutdown', 'start'), 'instance-shutdown-start', profile);
    const unplugged = instance({ task_state: 'deleting', network_info: [] });
    expectMatch(notifier.notifyAboutInstanceAction(ctx, unplugged, bdms, 'compute', 'shutdown', 'end'), 'instance-shutdown-end', profile);
    const deleted = instance({
      vm_state: 'deleted', power_state: POWER_STATE.pending, network_info: [], deleted_at: T, terminated_at: T, deleted: true,
    });
    expectMatch(notifier.notifyAboutInstanceAction(ctx, deleted, bdms, 'compute', 'delete', 'end'), 'instance-delete-end', profile);
  });

  it('instance.update from a tags change (instance-update-tags-action)', () => {
    const { notifier } = sampleNotifier(profile);
    const n = notifier.notifyAboutInstanceUpdate(ctx, instance({ tags: ['tag1'] }), [imageBdm()]);
    expect(n!.envelope.publisher_id).toBe('nova-api:fake-mini');
    expectMatch(n, 'instance-update-tags-action', profile);
  });

  it('instance.update while building (first step of test_create_delete_server_with_instance_update)', () => {
    const { notifier } = sampleNotifier(profile);
    const scheduling = instance({
      host: null, node: null, network_info: [], launched_at: null, updated_at: null,
      power_state: POWER_STATE.pending, vm_state: 'building', task_state: 'scheduling',
    });
    const n = notifier.notifyAboutInstanceUpdate(ctx, scheduling, [], { source: 'nova-compute', host: 'fake-mini' });
    expectMatch(n, 'instance-update', profile, {
      ...REPLACEMENTS, host: null, node: null,
      'state_update.new_task_state': 'scheduling', 'state_update.old_task_state': 'scheduling',
      'state_update.state': 'building', 'state_update.old_state': 'building', state: 'building',
    });
  });

  it('compute.exception (test_versioned_exception_notification_with_correct_params)', () => {
    const { notifier } = sampleNotifier(profile);
    const n = notifier.notifyComputeException(ctx, 'fake-mini', {
      exception: 'AggregateNameExists',
      exception_message: 'Aggregate versioned_exc_aggregate already exists.',
      module_name: 'nova.objects.aggregate',
      function_name: '_aggregate_create_in_db',
      traceback: 'Traceback (most recent call last):\n,AggregateNameExists: Aggregate versioned_exc_aggregate already exists.\n',
    }, { source: 'nova-api' });
    expectMatch(n, 'compute-exception', profile, { traceback: ANY });
  });
});

// Domain objects carrying the values of Nova's notification samples (common_payloads/*.json),
// so building a notification from them must reproduce the golden files.
import type { BlockDeviceMapping, Instance, RequestContext } from '../../../src/domain.js';
import { POWER_STATE } from '../../../src/domain.js';
import type { ExceptionInfo, KeypairInfo } from '../../../src/notifier/index.js';
import { Notifier, CaptureSink } from '../../../src/notifier/index.js';
import { getProfile, type ProfileName } from '../../../src/profiles/index.js';
import { Runtime } from '../../../src/runtime.js';

export const T = new Date('2012-10-29T13:42:11Z');
export const SWAP_OLD_VOL = 'a07f71dc-8151-4e7d-a0cc-cd24a3f11113';
export const SWAP_NEW_VOL = '227cc671-f30b-4488-96fd-7d0bf13648d8';
export const SWAP_ERR_OLD_VOL = '828419fa-3efb-4533-b458-4267ca5fe9b1';
export const SWAP_ERR_NEW_VOL = '9c6d9c2d-7a8f-4c80-938d-3bf062b8d489';
export const PROJECT = '6f70656e737461636b20342065766572';
export const REQUEST_ID = 'req-5b6c791d-5709-4f36-8fbe-c3e02869e35d';

// Like Nova's tests, the server gets its own uuid/reservation id, replaced in the comparison.
export const SERVER_UUID = 'e3a4b2c1-0d9e-4f8a-b7c6-5d4e3f2a1b0c';
export const RESERVATION_ID = 'r-9q8w7e6r';
export const REPLACEMENTS = { reservation_id: RESERVATION_ID, uuid: SERVER_UUID };

export const context = (): RequestContext => ({
  requestId: REQUEST_ID,
  userId: 'fake',
  projectId: PROJECT,
  roles: ['reader', 'member'],
  isAdmin: false,
  authToken: 'token',
});

export function instance(overrides: Partial<Instance> = {}): Instance {
  return {
    id: 1,
    uuid: SERVER_UUID,
    project_id: PROJECT,
    user_id: 'fake',
    display_name: 'some-server',
    display_description: 'some-server',
    hostname: 'some-server',
    reservation_id: RESERVATION_ID,
    launch_index: 0,
    host: 'compute',
    node: 'fake-mini',
    availability_zone: 'nova',
    image_ref: '155d900f-4e14-4e4c-a73d-069cbf4541e6',
    kernel_id: '',
    ramdisk_id: '',
    key_name: 'my-key',
    os_type: null,
    architecture: 'x86_64',
    vm_state: 'active',
    task_state: null,
    power_state: POWER_STATE.running,
    progress: 0,
    locked: false,
    locked_by: null,
    auto_disk_config: false,
    config_drive: '',
    root_device_name: '/dev/sda',
    flavor: {
      id: 6,
      flavorid: 'a22d5517-147c-4147-a0d1-e698df5cd4e3',
      name: 'test_flavor',
      memory_mb: 512,
      vcpus: 1,
      root_gb: 1,
      ephemeral_gb: 0,
      swap: 0,
      rxtx_factor: 1.0,
      vcpu_weight: 0,
      disabled: false,
      is_public: true,
      extra_specs: { 'hw:watchdog_action': 'disabled' },
      description: null,
    },
    metadata: {},
    system_metadata: {},
    tags: [],
    network_info: [
      {
        label: 'private',
        mac: 'fa:16:3e:4c:2c:30',
        address: '192.168.1.3',
        version: 4,
        port_uuid: 'ce531f90-199f-48c0-816c-13e38010b442',
        device_name: 'tapce531f90-19',
        meta: {},
      },
    ],
    created_at: T,
    updated_at: T,
    launched_at: T,
    terminated_at: null,
    deleted_at: null,
    deleted: false,
    ...overrides,
  };
}

let bdmId = 0;
export function volumeBdm(volumeId: string, overrides: Partial<BlockDeviceMapping> = {}): BlockDeviceMapping {
  bdmId++;
  return {
    id: bdmId,
    uuid: `00000000-0000-4000-8000-${String(bdmId).padStart(12, '0')}`,
    instance_uuid: SERVER_UUID,
    source_type: 'volume',
    destination_type: 'volume',
    device_name: '/dev/sdb',
    boot_index: null,
    delete_on_termination: false,
    volume_id: volumeId,
    volume_size: 1,
    snapshot_id: null,
    image_id: null,
    attachment_id: `11111111-0000-4000-8000-${String(bdmId).padStart(12, '0')}`,
    connection_info: null,
    tag: null,
    no_device: null,
    created_at: T,
    updated_at: null,
    ...overrides,
  };
}

/** The image-backed root disk BDM Nova creates at boot: no volume_id, so never listed. */
export function imageBdm(): BlockDeviceMapping {
  return volumeBdm('unused', {
    source_type: 'image', destination_type: 'local', device_name: '/dev/sda', boot_index: 0,
    volume_id: null, volume_size: null, image_id: '155d900f-4e14-4e4c-a73d-069cbf4541e6', attachment_id: null,
    delete_on_termination: true,
  });
}

export const MY_KEY: KeypairInfo = {
  user_id: 'fake',
  name: 'my-key',
  fingerprint: '1e:2c:9b:56:79:4b:45:77:f9:ca:7a:98:2c:b0:d5:3c',
  public_key:
    'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQDx8nkQv/zgGgB4rMYmIf+6A4l6Rr+o/6lHBQdW5aYd44bd8JttDCE/F/pNRr0lRE+PiqSPO8nDPHw0010JeMH9gYgnnFlyY3/OcJ02RhIPyyxYpv9FhY+2YiUkpwFOcLImyrxEsYXpD/0d3ac30bNH6Sw9JD9UZHYcpSxsIbECHw== Generated-by-Nova',
  type: 'ssh',
};

/** What the compute side reports for the swap failure in Nova's test (spec §6.2). */
export const SWAP_TYPE_ERROR: ExceptionInfo = {
  exception: 'TypeError',
  exception_message: "'tuple' object does not support item assignment",
  module_name: 'nova.compute.manager',
  function_name: '_init_volume_connection',
  traceback:
    'Traceback (most recent call last):\n,  File "nova/compute/manager.py", line 8412, in _swap_volume\n    new_cinfo, old_cinfo = self._init_volume_connection(\n,' +
    "TypeError: 'tuple' object does not support item assignment\n",
};

/** A notifier as Nova's sample tests configure it (format both, both flags on, CONF.host fake-mini). */
export function sampleNotifier(profile: ProfileName, options: Record<string, unknown> = {}) {
  const runtime = new Runtime({ deterministic: true });
  const capture = new CaptureSink();
  const notifier = new Notifier({
    runtime,
    profile: getProfile(profile),
    options: { notificationFormat: 'both', host: 'fake-mini', ...options },
    sinks: [capture],
  });
  return { runtime, capture, notifier };
}

export const PROFILES: ProfileName[] = ['master', 'zed'];

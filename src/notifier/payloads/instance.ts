// The InstancePayload family (nova/notifications/objects/instance.py): InstancePayload and its
// subclasses InstanceActionPayload, InstanceActionVolumePayload, InstanceActionVolumeSwapPayload,
// InstanceCreatePayload. Each class is one field map; subclasses extend their parent's map the
// way oslo.versionedobjects merges `fields`, which fixes the key order of nova_object.data.
import { POWER_STATE, type BlockDeviceMapping, type Instance, type RequestContext } from '../../domain.js';
import type { Profile } from '../../profiles/index.js';
import { novaObject, payloadTime, type NovaObject } from '../primitive.js';
import { blockDevicePayloads } from './block-device.js';
import { exceptionPayload, type ExceptionInfo } from './exception.js';
import { extendFields, OMIT, populate, type FieldMap } from './field-map.js';
import { flavorPayload } from './flavor.js';
import { ipPayloads } from './ip.js';
import { keypairPayload, type KeypairInfo } from './keypair.js';

export interface InstancePayloadSource {
  context: RequestContext;
  instance: Instance;
  /** The BDMs to list, or null for `block_devices: null` (Nova with bdms_in_notifications off). */
  bdms: readonly BlockDeviceMapping[] | null;
  /** Share mappings, or null for `shares: null`; ignored by profiles whose payload has no `shares`. */
  shares: readonly NovaObject[] | null;
  profile: Profile;
}

const POWER_STATE_NAMES = new Map<number, string>(Object.entries(POWER_STATE).map(([name, n]) => [n, name]));

/** InstancePowerStateField: the int is sent as its name; unknown ints become null rather than break the flow. */
export function powerStateName(value: number | null | undefined): string | null {
  return value === null || value === undefined ? null : POWER_STATE_NAMES.get(value) ?? null;
}

/** Nova's CONF.instance_name_template default, 'instance-%08x' of the DB id. */
export function instanceName(instance: Pick<Instance, 'id'>): string {
  return `instance-${instance.id.toString(16).padStart(8, '0')}`;
}

// Nova: request_id is left out for periodic-task contexts, which have no project/user.
const requestId = (s: InstancePayloadSource) =>
  s.context.projectId && s.context.userId ? s.context.requestId : null;

export const INSTANCE_FIELDS: FieldMap<InstancePayloadSource> = {
  uuid: (s) => s.instance.uuid,
  user_id: (s) => s.instance.user_id,
  tenant_id: (s) => s.instance.project_id,
  reservation_id: (s) => s.instance.reservation_id,
  display_name: (s) => s.instance.display_name,
  display_description: (s) => s.instance.display_description,
  host_name: (s) => s.instance.hostname,
  host: (s) => s.instance.host,
  node: (s) => s.instance.node,
  os_type: (s) => s.instance.os_type,
  architecture: (s) => s.instance.architecture,
  availability_zone: (s) => s.instance.availability_zone,
  flavor: (s) => flavorPayload(s.instance.flavor, s.profile),
  image_uuid: (s) => s.instance.image_ref,
  key_name: (s) => s.instance.key_name,
  kernel_id: (s) => s.instance.kernel_id,
  ramdisk_id: (s) => s.instance.ramdisk_id,
  created_at: (s) => payloadTime(s.instance.created_at),
  launched_at: (s) => payloadTime(s.instance.launched_at),
  terminated_at: (s) => payloadTime(s.instance.terminated_at),
  deleted_at: (s) => payloadTime(s.instance.deleted_at),
  updated_at: (s) => payloadTime(s.instance.updated_at),
  state: (s) => s.instance.vm_state,
  power_state: (s) => powerStateName(s.instance.power_state),
  task_state: (s) => s.instance.task_state,
  progress: (s) => s.instance.progress,
  ip_addresses: (s) => ipPayloads(s.instance.network_info, s.profile),
  block_devices: (s) => (s.bdms === null ? null : blockDevicePayloads(s.bdms, s.profile)),
  metadata: (s) => ({ ...s.instance.metadata }),
  locked: (s) => s.instance.locked,
  auto_disk_config: (s) => (s.instance.auto_disk_config ? 'AUTO' : 'MANUAL'),
  request_id: requestId,
  action_initiator_user: (s) => s.context.userId ?? null,
  action_initiator_project: (s) => s.context.projectId ?? null,
  locked_reason: (s) => s.instance.system_metadata?.locked_reason ?? null,
  // InstancePayload 1.9 (master) added shares; 1.8 (zed) has no such key at all.
  shares: (s) => (s.profile.switches.payloadShares ? (s.shares === null ? null : [...s.shares]) : OMIT),
};

export interface InstanceActionSource extends InstancePayloadSource {
  fault: ExceptionInfo | null;
}

export const INSTANCE_ACTION_FIELDS = extendFields<InstanceActionSource, InstancePayloadSource>(
  {
    fault: (s) => (s.fault ? exceptionPayload(s.fault, s.profile) : null),
    request_id: requestId,
  },
  INSTANCE_FIELDS,
);

export interface InstanceActionVolumeSource extends InstanceActionSource {
  volumeId: string;
}

export const INSTANCE_ACTION_VOLUME_FIELDS = extendFields<InstanceActionVolumeSource, InstanceActionSource>(
  { volume_id: (s) => s.volumeId },
  INSTANCE_ACTION_FIELDS,
);

export interface InstanceActionVolumeSwapSource extends InstanceActionSource {
  oldVolumeId: string;
  newVolumeId: string;
}

export const INSTANCE_ACTION_VOLUME_SWAP_FIELDS = extendFields<InstanceActionVolumeSwapSource, InstanceActionSource>(
  {
    old_volume_id: (s) => s.oldVolumeId,
    new_volume_id: (s) => s.newVolumeId,
  },
  INSTANCE_ACTION_FIELDS,
);

export interface InstanceCreateSource extends InstanceActionSource {
  keypairs: readonly KeypairInfo[];
  /** instance.trusted_certs.ids, or null when the server has none. */
  trustedImageCertificates: readonly string[] | null;
}

export const INSTANCE_CREATE_FIELDS = extendFields<InstanceCreateSource, InstanceActionSource>(
  {
    keypairs: (s) => s.keypairs.map((k) => keypairPayload(k, s.profile)),
    tags: (s) => [...(s.instance.tags ?? [])],
    trusted_image_certificates: (s) => (s.trustedImageCertificates?.length ? [...s.trustedImageCertificates] : null),
    instance_name: (s) => instanceName(s.instance),
  },
  INSTANCE_ACTION_FIELDS,
);

export interface InstanceActionShareSource extends InstanceActionSource {
  shareId: string;
}

// InstanceActionSharePayload 1.0 (nova/notifications/objects/instance.py): InstanceActionPayload + share_id.
export const INSTANCE_ACTION_SHARE_FIELDS = extendFields<InstanceActionShareSource, InstanceActionSource>(
  { share_id: (s) => s.shareId },
  INSTANCE_ACTION_FIELDS,
);

/** SharePayload 1.0 (SCHEMA: share_mapping_uuid, share_id, status, tag; export_location deliberately left out). */
export const sharePayload = (m: { uuid: string; share_id: string; status: string; tag: string }, profile: Profile) =>
  novaObject('SharePayload', { share_mapping_uuid: m.uuid, share_id: m.share_id, status: m.status, tag: m.tag }, profile);

export const instanceActionSharePayload = (s: InstanceActionShareSource) =>
  novaObject('InstanceActionSharePayload', populate(INSTANCE_ACTION_SHARE_FIELDS, s), s.profile);
export const instancePayload = (s: InstancePayloadSource) =>
  novaObject('InstancePayload', populate(INSTANCE_FIELDS, s), s.profile);
export const instanceActionPayload = (s: InstanceActionSource) =>
  novaObject('InstanceActionPayload', populate(INSTANCE_ACTION_FIELDS, s), s.profile);
export const instanceActionVolumePayload = (s: InstanceActionVolumeSource) =>
  novaObject('InstanceActionVolumePayload', populate(INSTANCE_ACTION_VOLUME_FIELDS, s), s.profile);
export const instanceActionVolumeSwapPayload = (s: InstanceActionVolumeSwapSource) =>
  novaObject('InstanceActionVolumeSwapPayload', populate(INSTANCE_ACTION_VOLUME_SWAP_FIELDS, s), s.profile);
export const instanceCreatePayload = (s: InstanceCreateSource) =>
  novaObject('InstanceCreatePayload', populate(INSTANCE_CREATE_FIELDS, s), s.profile);

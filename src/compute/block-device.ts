// nova/block_device.py: BlockDeviceDict.from_api / from_legacy / from_legacy_mapping and the helpers
// compute_api uses on a requested block_device_mapping(_v2), before any service is asked.
import { ComputeException } from './exceptions.js';

/** A requested block device (BlockDeviceDict with Nova's new-format fields). */
export interface BdmRequest {
  source_type: 'image' | 'volume' | 'snapshot' | 'blank' | null;
  destination_type: 'local' | 'volume' | null;
  device_name: string | null;
  boot_index: number | null;
  delete_on_termination: boolean;
  volume_id: string | null;
  snapshot_id: string | null;
  image_id: string | null;
  volume_size: number | null;
  tag: string | null;
  volume_type: string | null;
  disk_bus: string | null;
  device_type: string | null;
  guest_format: string | null;
  no_device: boolean | null;
}

const nova400 = (cls: string, message: string) => new ComputeException(cls, message, { novaException: true, code: 400 });

/** InvalidBDMFormat: "Block Device Mapping is Invalid: <details>". */
export const invalidBdmFormat = (details: string) => nova400('InvalidBDMFormat', `Block Device Mapping is Invalid: ${details}`);
/** InvalidBDM with a message of its own. */
export const invalidBdm = (message = 'Block Device Mapping is Invalid.') => nova400('InvalidBDM', message);

/** block_device.prepend_dev. */
export function prependDev(name: string): string {
  return name.startsWith('/dev/') ? name : `/dev/${name.replace(/^\/+/, '')}`;
}

/** block_device.strip_dev. */
export function stripDev(name: string | null | undefined): string | null {
  return name ? name.replace(/^\/dev\//, '') : (name ?? null);
}

/** The item as the API schema left it (strings for the uuid fields; boot_index int|string|null). */
export interface ApiBdm {
  source_type?: string;
  destination_type?: string;
  uuid?: string;
  volume_id?: string;
  snapshot_id?: string;
  image_id?: string;
  volume_size?: number;
  device_name?: string;
  delete_on_termination?: boolean;
  boot_index?: number | string | null;
  no_device?: unknown;
  tag?: string;
  volume_type?: string | null;
  disk_bus?: string;
  device_type?: string;
  guest_format?: string;
  virtual_name?: string;
  connection_info?: string;
}

/** Python truthiness of a JSON value (no_device is schema-less). */
const truthy = (v: unknown) => !(v === undefined || v === null || v === false || v === 0 || v === '' || (Array.isArray(v) && v.length === 0) || (typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length === 0));

/** BlockDeviceDict.__init__ + _validate (the fields the schema let through are all valid ones). */
function blockDeviceDict(d: ApiBdm & Record<string, unknown>): BdmRequest {
  const noDevice = truthy(d.no_device);
  if (!noDevice) {
    if (d.source_type === undefined) throw invalidBdmFormat('Some required fields are missing');
    if (d.device_name !== undefined && d.device_name !== null) {
      if (d.device_name.length < 1 || d.device_name.length > 255) throw invalidBdmFormat('Device name empty or too long.');
      if (d.device_name.includes(' ')) throw invalidBdmFormat('Device name contains spaces.');
    }
  }
  let bootIndex: number | null = null;
  if (d.boot_index !== undefined && d.boot_index !== null) bootIndex = typeof d.boot_index === 'number' ? d.boot_index : Number.parseInt(d.boot_index, 10);
  return {
    source_type: (d.source_type as BdmRequest['source_type']) ?? null,
    destination_type: (d.destination_type as BdmRequest['destination_type']) ?? null,
    device_name: d.device_name ? prependDev(d.device_name) : null,
    boot_index: bootIndex,
    delete_on_termination: Boolean(d.delete_on_termination),
    volume_id: d.volume_id ?? null,
    snapshot_id: d.snapshot_id ?? null,
    image_id: d.image_id ?? null,
    volume_size: d.volume_size ?? null,
    tag: d.tag ?? null,
    volume_type: d.volume_type ?? null,
    disk_bus: d.disk_bus ?? null,
    device_type: d.device_type ?? null,
    guest_format: d.guest_format ?? null,
    no_device: d.no_device === undefined ? null : noDevice,
  };
}

/** BlockDeviceDict.from_api. */
export function fromApi(api: ApiBdm, imageUuidSpecified: boolean): BdmRequest {
  const d: ApiBdm & Record<string, unknown> = { ...api };
  if (!truthy(d.no_device)) {
    const source = d.source_type;
    if (source === 'blank' && d.uuid) throw invalidBdmFormat('Invalid device UUID.');
    if (source !== 'blank') {
      if (!d.uuid) throw invalidBdmFormat('Missing device UUID.');
      // Nova computes source_type + '_id' here and fails with a TypeError (a 500) when source_type is
      // missing; novasim answers what BlockDeviceDict._validate says of such an item instead.
      if (source === undefined) throw invalidBdmFormat('Some required fields are missing');
      d[`${source}_id`] = d.uuid;
    }
    if (source === 'image' && d.destination_type === 'local') {
      const bootIndex = d.boot_index === undefined || d.boot_index === null ? -1 : Number(d.boot_index);
      // Only the bdm generated from --image (boot_index 0 with an imageRef) may map an image to local.
      if (!(imageUuidSpecified && bootIndex === 0)) throw invalidBdmFormat('Mapping image to local is not supported.');
    }
    if (d.destination_type === 'local' && d.volume_type) throw invalidBdmFormat('Specifying a volume_type with destination_type=local is not supported.');
    if (source === 'volume' && d.volume_type) throw invalidBdmFormat('Specifying volume type to existing volume is not supported.');
  }
  delete d.uuid;
  return blockDeviceDict(d);
}

const EPHEMERAL = /^ephemeral(\d|[1-9]\d+)$/;

/** BlockDeviceDict.from_legacy. */
function fromLegacy(l: ApiBdm): BdmRequest {
  const virt = l.virtual_name;
  const base: ApiBdm & Record<string, unknown> = {
    device_name: l.device_name, delete_on_termination: l.delete_on_termination, snapshot_id: l.snapshot_id,
    volume_id: l.volume_id, volume_size: l.volume_size, no_device: l.no_device,
  };
  for (const k of Object.keys(base)) if (base[k] === undefined) delete base[k];
  if (virt && (virt === 'swap' || EPHEMERAL.test(virt))) {
    Object.assign(base, { source_type: 'blank', destination_type: 'local', delete_on_termination: true, guest_format: virt === 'swap' ? 'swap' : 'ext4' });
  } else if (l.snapshot_id) {
    Object.assign(base, { source_type: 'snapshot', destination_type: 'volume' });
  } else if (l.volume_id) {
    Object.assign(base, { source_type: 'volume', destination_type: 'volume' });
  } else if (!truthy(l.no_device)) {
    throw invalidBdmFormat('Unrecognized legacy format.');
  }
  return blockDeviceDict(base);
}

/** block_device.create_image_bdm. */
export function imageBdm(imageId: string): BdmRequest {
  return {
    source_type: 'image', destination_type: 'local', device_name: null, boot_index: 0, delete_on_termination: true, volume_id: null,
    snapshot_id: null, image_id: imageId, volume_size: null, tag: null, volume_type: null, disk_bus: null, device_type: 'disk', guest_format: null, no_device: null,
  };
}

/** block_device.from_legacy_mapping (root_device_name defaults to 'vda' in _check_and_transform_bdm). */
export function fromLegacyMapping(legacy: ApiBdm[], imageUuid: string, rootDeviceName: string): BdmRequest[] {
  const bdms = legacy.map(fromLegacy);
  let volumeBacked = false;
  for (const b of bdms) {
    if (b.source_type && ['volume', 'snapshot', 'image'].includes(b.source_type) && stripDev(b.device_name) === stripDev(rootDeviceName)) {
      b.boot_index = 0;
      volumeBacked = true;
    } else if (!b.no_device) b.boot_index = -1;
    else b.boot_index = null;
  }
  return !volumeBacked && imageUuid ? [imageBdm(imageUuid), ...bdms] : bdms;
}

/** BlockDeviceMapping.is_volume. */
export const isVolume = (b: Pick<BdmRequest, 'destination_type'>) => b.destination_type === 'volume';

/** BlockDeviceMappingList.root_bdm: the mapping with boot_index 0. */
export function rootBdm<T extends { boot_index: number | null }>(bdms: T[]): T | null {
  return bdms.find((b) => b.boot_index === 0) ?? null;
}

/** block_device.new_format_is_swap / new_format_is_ephemeral. */
export const isSwap = (b: BdmRequest) => b.source_type === 'blank' && b.destination_type === 'local' && b.guest_format === 'swap';
export const isEphemeral = (b: BdmRequest) => b.source_type === 'blank' && b.destination_type === 'local' && b.guest_format !== 'swap';

/** fields.DiskBus.ALL. */
export const DISK_BUSES = ['fdc', 'ide', 'sata', 'scsi', 'usb', 'virtio', 'xen', 'lxc', 'uml'];

// compute_api's block device checks for a server create (nova/compute/api.py _check_and_transform_bdm,
// _validate_bdm, _get_volumes_for_bdms, _validate_flavor_image's root volume branch) and
// block_device.get_bdm_image_metadata — Cinder asked over HTTP through the VolumeApi.
import type { FlavorSnapshot, RequestContext } from '../domain.js';
import type { Services } from '../services.js';
import type { ImageRow } from '../store/catalog.js';
import {
  type ApiBdm, type BdmRequest, DISK_BUSES, fromApi, fromLegacyMapping, invalidBdm, invalidBdmFormat, isEphemeral, isSwap, isVolume, rootBdm, stripDev,
} from './block-device.js';
import { translateVolumeError } from './cinder-errors.js';
import { ComputeException } from './exceptions.js';
import type { NovaVolume, NovaVolumeType, VolumeApi } from './volume-api.js';

const nova = (cls: string, message: string, code = 400) => new ComputeException(cls, message, { novaException: true, code });

/** [DEFAULT] max_local_block_devices. */
const MAX_LOCAL_BLOCK_DEVICES = 3;

/** The request's block devices as servers.py _process_bdms_for_create hands them to compute_api.create. */
export interface RequestedBdms {
  legacy: boolean;
  items: ApiBdm[];
}

/** servers.py _process_bdms_for_create: the two syntaxes are exclusive; v2 items go through from_api. */
export function processBdmsForCreate(legacy: ApiBdm[] | undefined, v2: ApiBdm[] | undefined, imageRef: string | undefined): { legacy: boolean; bdms: BdmRequest[] | ApiBdm[] } | null {
  if (legacy?.length && v2?.length) throw nova('InvalidRequest', 'Using different block_device_mapping syntaxes is not allowed in the same request.');
  if (legacy?.length) return { legacy: true, bdms: legacy };
  if (v2?.length) return { legacy: false, bdms: v2.map((b) => fromApi(b, imageRef !== undefined && imageRef !== '')) };
  return null;
}

/** What boot_meta is for a server booted from volume (get_image_metadata_from_volume), or the image. */
export interface BootMeta {
  minDisk: number;
  minRam: number;
  properties: Record<string, string>;
  /** The Glance image when booting from one; null when the boot metadata came from a volume. */
  image: ImageRow | null;
}

async function getVolume(volumes: VolumeApi, ctx: RequestContext, id: string, op = 'get'): Promise<NovaVolume> {
  try {
    return await volumes.get(ctx, id);
  } catch (e) {
    throw translateVolumeError(e, id, op);
  }
}

/** block_device.get_bdm_image_metadata for a request without imageRef. */
export async function bdmImageMetadata(s: Services, volumes: VolumeApi, ctx: RequestContext, bdms: BdmRequest[], legacy: boolean): Promise<BootMeta> {
  const none: BootMeta = { minDisk: 0, minRam: 0, properties: {}, image: null };
  for (const b of bdms) {
    if (legacy ? deviceLetter(b.device_name) !== 'a' : b.boot_index !== 0) continue;
    let volumeId = b.volume_id;
    if (b.snapshot_id) {
      try {
        volumeId = (await volumes.getSnapshot(ctx, b.snapshot_id)).volume_id;
      } catch (e) {
        throw translateSnapshot(e, b.snapshot_id);
      }
    }
    if (b.image_id) {
      const image = s.catalog.image(b.image_id);
      if (!image || !s.catalog.imageVisible(image, ctx)) throw nova('InvalidBDMImage', `Block Device Mapping is Invalid: failed to get image ${b.image_id}.`);
      return { minDisk: image.min_disk, minRam: image.min_ram, properties: JSON.parse(image.properties) as Record<string, string>, image };
    }
    if (volumeId) {
      let volume: NovaVolume;
      try {
        volume = await volumes.get(ctx, volumeId);
      } catch (e) {
        const t = translateVolumeError(e, volumeId, 'get');
        if (t instanceof ComputeException && t.pyClass === 'CinderConnectionFailed') throw t;
        throw nova('InvalidBDMVolume', `Block Device Mapping is Invalid: failed to get volume ${volumeId}.`);
      }
      if (!volume.bootable) throw nova('InvalidBDMVolumeNotBootable', `Block Device ${volumeId} is not bootable.`);
      // get_image_metadata_from_volume: min_ram/min_disk from the volume's image metadata.
      const props = { ...(volume.volume_image_metadata ?? {}) };
      const meta: BootMeta = { minDisk: Number(props.min_disk ?? 0) || 0, minRam: Number(props.min_ram ?? 0) || 0, properties: {}, image: null };
      for (const k of ['image_id', 'image_name', 'size', 'checksum', 'container_format', 'disk_format', 'min_ram', 'min_disk']) delete props[k];
      meta.properties = props;
      return meta;
    }
  }
  return none;
}

/** block_device.get_device_letter (strip_prefix, then digits removed). */
function deviceLetter(name: string | null): string {
  return (stripDev(name) ?? '').replace(/^((x?v|s|h)d)/, '').replace(/\d+/g, '');
}

function translateSnapshot(e: unknown, id: string): unknown {
  const t = translateVolumeError(e, id, 'get_snapshot');
  if (t instanceof ComputeException && t.pyClass === 'VolumeNotFound') return nova('SnapshotNotFound', `Snapshot ${id} could not be found.`, 404);
  return t;
}

/** _check_and_transform_bdm (root device name 'vda' when the image names none). */
export function checkAndTransformBdm(imageRef: string, req: { legacy: boolean; bdms: BdmRequest[] | ApiBdm[] } | null, bootMeta: BootMeta, minCount: number, maxCount: number): BdmRequest[] {
  const rootDeviceName = stripDev(bootMeta.properties.root_device_name) || 'vda';
  const raw = req?.bdms ?? [];
  if (imageRef) {
    for (const b of raw) {
      if (b.destination_type === 'volume' && stripDev(b.device_name) === rootDeviceName) {
        throw nova('InvalidRequest', `The volume cannot be assigned the same device name as the root device ${rootDeviceName}`);
      }
    }
  }
  // No mapping at all is the legacy path: from_legacy_mapping adds the image's root BDM.
  const bdms = !req || req.legacy ? fromLegacyMapping(raw as ApiBdm[], imageRef, rootDeviceName) : (raw as BdmRequest[]);
  if ((minCount > 1 || maxCount > 1) && bdms.some((b) => b.source_type === 'volume')) {
    throw nova('InvalidRequest', 'Cannot attach one or more volumes to multiple instances');
  }
  return bdms;
}

/** _validate_flavor_image_nostatus, root volume branch: the volume to be created must hold min_disk. */
export function checkRootVolumeSize(bdms: BdmRequest[], bootMeta: BootMeta): void {
  const root = rootBdm(bdms);
  if (!root || !isVolume(root) || root.volume_size === null) return;
  const dest = root.volume_size * 1024 ** 3;
  const minDisk = bootMeta.minDisk * 1024 ** 3;
  if (minDisk > dest) {
    throw nova('VolumeSmallerThanMinDisk', `Volume is smaller than the minimum size specified in image metadata. Volume size is ${dest} bytes, minimum size is ${minDisk} bytes.`);
  }
}

/** _get_volumes_for_bdms: every pre-existing volume, read from Cinder (VolumeNotFound surfaces). */
export async function volumesForBdms(volumes: VolumeApi, ctx: RequestContext, bdms: BdmRequest[]): Promise<Map<string, NovaVolume>> {
  const out = new Map<string, NovaVolume>();
  for (const b of bdms) if (b.volume_id) out.set(b.volume_id, await getVolume(volumes, ctx, b.volume_id));
  return out;
}

/** _validate_vol_az_for_create with [cinder] cross_az_attach=False. */
export function validateVolAzForCreate(instanceAz: string | null, vols: NovaVolume[], defaultAz: string): string | null {
  if (!vols.length) return null;
  const zones = vols.map((v) => v.availability_zone ?? 'None');
  if (new Set(zones).size > 1) {
    throw nova('MismatchVolumeAZException', `The availability zone between the server and its attached volumes do not match: Volumes are in different availability zones: ${zones.join(',')}.`);
  }
  // No zone asked: the volume's, unless it is the default zone (Nova will not pin a server to it).
  if (instanceAz === null) return zones[0] !== defaultAz ? zones[0] : null;
  if (instanceAz !== zones[0]) {
    throw nova('MismatchVolumeAZException', `The availability zone between the server and its attached volumes do not match: Server and volumes are not in the same availability zone. Server is in: ${instanceAz}. Volumes are in: ${zones[0]}.`);
  }
  return null;
}

export interface ValidateBdmArgs {
  ctx: RequestContext;
  instanceUuid: string;
  imageRef: string;
  flavor: FlavorSnapshot;
  volumes: Map<string, NovaVolume>;
  supportsMultiattach: boolean;
  /** Filled as Cinder is asked, so a failure can give back the attachments already made. */
  attachments: string[];
}

/**
 * _validate_bdm for one instance: boot sequence, volume types, images, pre-existing volumes (reserved
 * by check_attach_and_reserve_volume: an attachment is created now), snapshots, sizes, disk buses,
 * ephemeral/swap limits. Returns the mappings with sizes, type names and attachment ids set.
 */
export async function validateBdm(s: Services, volumeApi: VolumeApi, a: ValidateBdmArgs, requested: BdmRequest[]): Promise<(BdmRequest & { attachment_id: string | null })[]> {
  const bootIndexes = requested.filter((b) => b.boot_index !== null && b.boot_index >= 0).map((b) => b.boot_index!).sort((x, y) => x - y);
  if (!bootIndexes.length || bootIndexes.some((v, i) => v !== i)) {
    throw nova('InvalidBDMBootSequence', 'Block Device Mapping is Invalid: Boot sequence for the instance and image/block device mapping combination is not valid.');
  }
  const out: (BdmRequest & { attachment_id: string | null })[] = [];
  let types: NovaVolumeType[] | null = null;
  for (const r of requested) {
    const b = { ...r, attachment_id: null as string | null };
    if (b.volume_type) {
      if (!types) {
        try {
          types = await volumeApi.getAllVolumeTypes(a.ctx);
        } catch (e) {
          throw translateVolumeError(e, b.volume_type, 'get_all_volume_types');
        }
      }
      // _check_requested_volume_type: by id or name; the name is what the BDM keeps.
      const t = types.find((x) => x.id === b.volume_type || x.name === b.volume_type);
      if (!t) throw nova('VolumeTypeNotFound', `Volume type ${b.volume_type} could not be found.`);
      b.volume_type = t.name;
    }
    if (b.image_id !== null) {
      if (b.image_id !== a.imageRef) {
        const image = s.catalog.image(b.image_id);
        if (!image || !s.catalog.imageVisible(image, a.ctx)) throw nova('InvalidBDMImage', `Block Device Mapping is Invalid: failed to get image ${b.image_id}.`);
      }
      if (b.source_type === 'image' && b.destination_type === 'volume' && !b.volume_size) {
        throw invalidBdm("Images with destination_type 'volume' need to have a non-zero size specified");
      }
    } else if (b.volume_id !== null) {
      const volume = a.volumes.get(b.volume_id)!;
      // compute_utils.check_attach_and_reserve_volume (validate_az=False).
      if (volume.multiattach && !a.supportsMultiattach) {
        throw nova('MultiattachNotSupportedOldMicroversion', 'Multiattach volumes are only supported starting with compute API version 2.60.');
      }
      try {
        b.attachment_id = (await volumeApi.attachmentCreate(a.ctx, volume.id, a.instanceUuid)).id;
        a.attachments.push(b.attachment_id);
      } catch (e) {
        const t = translateVolumeError(e, volume.id, 'attachment_create');
        if (t instanceof ComputeException && ['CinderConnectionFailed', 'InvalidVolume'].includes(t.pyClass)) throw t;
        if (t instanceof ComputeException && t.pyClass === 'InvalidInput') throw nova('InvalidVolume', `Invalid volume: ${t.message}`);
        throw nova('InvalidBDMVolume', `Block Device Mapping is Invalid: failed to get volume ${volume.id}.`);
      }
      b.volume_size = volume.size;
    } else if (b.snapshot_id !== null) {
      try {
        const snap = await volumeApi.getSnapshot(a.ctx, b.snapshot_id);
        b.volume_size = b.volume_size || snap.size;
      } catch (e) {
        const t = translateVolumeError(e, b.snapshot_id, 'get_snapshot');
        if (t instanceof ComputeException && t.pyClass === 'CinderConnectionFailed') throw t;
        throw nova('InvalidBDMSnapshot', `Block Device Mapping is Invalid: failed to get snapshot ${b.snapshot_id}.`);
      }
    } else if (b.source_type === 'blank' && b.destination_type === 'volume' && !b.volume_size) {
      throw invalidBdm("Blank volumes (source: 'blank', dest: 'volume') need to have non-zero size");
    }
    // InvalidBDMDiskBus's message format is misspelt upstream (msg_fmr): it reads as InvalidBDM's.
    if (b.disk_bus && !DISK_BUSES.includes(b.disk_bus)) throw new ComputeException('InvalidBDMDiskBus', 'Block Device Mapping is Invalid.', { novaException: true, code: 400 });
    out.push(b);
  }
  const ephemeral = out.filter(isEphemeral).reduce((n, b) => n + (b.volume_size || a.flavor.ephemeral_gb), 0);
  if (ephemeral > a.flavor.ephemeral_gb) {
    throw nova('InvalidBDMEphemeralSize', 'Ephemeral disks requested are larger than the instance type allows. If no size is given in one block device mapping, flavor ephemeral size will be used.');
  }
  const swaps = out.filter(isSwap);
  if (swaps.length > 1) throw invalidBdmFormat('More than one swap drive requested.');
  if (swaps.length && (swaps[0].volume_size ?? 0) > a.flavor.swap) throw nova('InvalidBDMSwapSize', 'Swap drive requested is larger than instance type allows.');
  if (out.filter((b) => b.destination_type === 'local').length > MAX_LOCAL_BLOCK_DEVICES) {
    throw nova('InvalidBDMLocalsLimit', 'Block Device Mapping is Invalid: You specified more local devices than the limit allows');
  }
  // _bdm_validate_set_size_and_instance: _volume_size (swap/ephemeral inherit the flavor's).
  for (const b of out) {
    if (b.volume_size === null && b.source_type === 'blank' && b.destination_type === 'local') b.volume_size = b.guest_format === 'swap' ? a.flavor.swap : a.flavor.ephemeral_gb;
  }
  return out;
}

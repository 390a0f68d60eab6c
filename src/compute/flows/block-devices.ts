// ComputeManager._build_resources' block device part: _default_block_device_names, then
// _prep_block_device → driver_block_device.attach_block_devices (nova/virt/block_device.py): volumes
// created in Cinder from an image, a snapshot or nothing (DriverVol{Image,Snapshot,Blank}BlockDevice),
// _await_block_device_map_created, an attachment, then attachment_update/complete. Cinder over HTTP only.
import type { BlockDeviceMapping, Instance, RequestContext } from '../../domain.js';
import { sleep } from '../../faults/registry.js';
import { translateAttachmentError, translateCinderError, translateVolumeError } from '../cinder-errors.js';
import { CinderClientError } from '../volume-api.js';
import type { ManagerDeps } from '../deps.js';
import { ComputeException } from '../exceptions.js';
import { driverBdmAttach } from './attach.js';

/** [DEFAULT] block_device_allocate_retries (attempts = retries + 1). */
const ALLOCATE_RETRIES = 60;
/** [DEFAULT] block_device_allocate_retries_interval is 3 s; the simulator polls faster. */
const POLL_MS = 20;

const invalidBdm = (message: string) => new ComputeException('InvalidBDM', message, { novaException: true, code: 400 });

/** _default_block_device_names: every mapping without a device gets the driver's next free name. */
export function defaultDeviceNames(d: ManagerDeps, inst: Instance): void {
  const s = d.services;
  const bdms = s.bdms.listForInstance(inst.uuid);
  const used = bdms.map((b) => b.device_name);
  s.db.transaction(() => {
    for (const b of bdms) {
      if (b.device_name || b.no_device) continue;
      const name = b.boot_index === 0 ? d.driver.rootDeviceName() : d.driver.nextDeviceName(inst, used);
      used.push(name);
      s.bdms.update(b.id, { device_name: name });
    }
  })();
}

/** _await_block_device_map_created: poll until `available`; anything else is VolumeNotCreated. */
async function awaitCreated(d: ManagerDeps, ctx: RequestContext, volumeId: string): Promise<void> {
  const started = Date.now();
  let status = 'creating';
  let attempt = 1;
  for (; attempt <= ALLOCATE_RETRIES + 1; attempt++) {
    status = (await d.volumes.get(ctx, volumeId)).status;
    if (status !== 'creating' && status !== 'downloading') {
      if (status === 'available') return;
      break;
    }
    await sleep(POLL_MS);
  }
  throw new ComputeException(
    'VolumeNotCreated',
    `Volume ${volumeId} did not finish being created even after we waited ${Math.trunc((Date.now() - started) / 1000)} seconds or ${Math.min(attempt, ALLOCATE_RETRIES + 1)} attempts. And its status is ${status}.`,
    { novaException: true, code: 500 },
  );
}

/** DriverVolumeBlockDevice._create_volume (+ _call_wait_func): the volume, then its attachment. */
async function createVolume(d: ManagerDeps, ctx: RequestContext, inst: Instance, bdm: BlockDeviceMapping): Promise<BlockDeviceMapping> {
  const s = d.services;
  let volumeType = bdm.volume_type ?? null;
  let snapshotId: string | null = null;
  if (bdm.source_type === 'snapshot') {
    // DriverVolSnapshotBlockDevice: the snapshot's original volume type unless one was asked for.
    let snap;
    try {
      snap = await d.volumes.getSnapshot(ctx, bdm.snapshot_id!);
    } catch (e) {
      if (e instanceof CinderClientError && e.kind === 'not_found') throw new ComputeException('SnapshotNotFound', `Snapshot ${bdm.snapshot_id} could not be found.`, { novaException: true, code: 404 });
      throw translateCinderError(e, 'get_snapshot');
    }
    snapshotId = snap.id;
    if (!volumeType && snap.volume_id) {
      try {
        volumeType = (await d.volumes.get(ctx, snap.volume_id)).volume_type_id;
      } catch {
        volumeType = null;
      }
    }
  }
  let vol;
  try {
    vol = await d.volumes.create(ctx, {
      size: bdm.volume_size, name: bdm.source_type === 'blank' ? `${inst.uuid}-blank-vol` : '', description: '',
      snapshotId, imageId: bdm.source_type === 'image' ? bdm.image_id : null, volumeType,
      // _get_volume_create_az_value: the instance's zone only when cross_az_attach is off.
      availabilityZone: s.config.crossAzAttach ? null : inst.availability_zone,
    });
  } catch (e) {
    // translate_create_exception: NotFound and OverQuota keep Cinder's message.
    if (e instanceof CinderClientError && e.kind === 'over_limit') throw new ComputeException('OverQuota', e.message, { novaException: true, code: 413 });
    if (e instanceof CinderClientError && e.kind === 'not_found') throw new ComputeException('NotFound', e.message, { novaException: true, code: 404 });
    throw translateCinderError(e, 'create');
  }
  // Saved at once (Nova saves it with the attach), so a crash cannot lose a volume it created.
  s.db.transaction(() => s.bdms.update(bdm.id, { volume_id: vol.id, updated_at: s.runtime.now() }))();
  try {
    await awaitCreated(d, ctx, vol.id);
  } catch (e) {
    if (bdm.delete_on_termination) {
      try {
        await d.volumes.delete(ctx, vol.id);
      } catch {
        /* "Failed to delete volume" is only logged */
      }
    }
    throw e;
  }
  const attachmentId = (await d.volumes.attachmentCreate(ctx, vol.id, inst.uuid)).id;
  s.db.transaction(() => s.bdms.update(bdm.id, { attachment_id: attachmentId, updated_at: s.runtime.now() }))();
  return { ...bdm, volume_id: vol.id, attachment_id: attachmentId };
}

/** _prep_block_device: OverQuota passes through, any other failure becomes InvalidBDM(str(ex)). */
export async function prepBlockDevices(d: ManagerDeps, ctx: RequestContext, uuid: string): Promise<void> {
  const s = d.services;
  const inst = s.instances.get(uuid)!;
  for (const row of s.bdms.listForInstance(uuid)) {
    if (row.destination_type !== 'volume') continue;
    let bdm = row;
    try {
      if (!bdm.volume_id) bdm = await createVolume(d, ctx, inst, bdm);
      const cinfo = await driverBdmAttach(d, ctx, bdm, { driverAttach: false });
      const size = bdm.volume_size ?? (await d.volumes.get(ctx, bdm.volume_id!)).size;
      s.db.transaction(() => s.bdms.update(bdm.id, { connection_info: JSON.stringify(cinfo), volume_size: size, updated_at: s.runtime.now() }))();
    } catch (err) {
      const e = bdm.attachment_id ? translateAttachmentError(err, bdm.attachment_id, 'attachment_update') : translateVolumeError(err, bdm.volume_id ?? '', 'create');
      if (e instanceof ComputeException && e.pyClass === 'OverQuota') throw e;
      throw invalidBdm(e instanceof Error ? e.message : String(e));
    }
  }
}

// os-reimage (Cinder 3.68): api/contrib/volume_actions.py VolumeActionsController._reimage →
// volume/api.py API.reimage → (cast) volume/manager.py VolumeManager.reimage. Nova's volume-backed
// rebuild with a new image (compute 2.93) calls it with reimage_reserved=True and waits for the
// `volume-reimaged` external event the manager sends once the volume holds the new image.
import type { ImageRow } from '../store/catalog.js';
import type { CinderCtx } from './context.js';
import type { CinderCore } from './core.js';
import { badRequest, CinderError, invalidInput, invalidVolume } from './errors.js';
import { getSnapshotRow } from './snapshot-ops.js';
import { setWorker, unsetWorker } from './workers.js';

const GB = 1024 ** 3;

/** volume_utils.IMAGE_ATTRIBUTES: the image fields copied into the volume's glance metadata. */
const IMAGE_ATTRIBUTES = ['checksum', 'container_format', 'disk_format', 'min_disk', 'min_ram', 'size'] as const;

function imageProperties(image: ImageRow): Record<string, unknown> {
  try {
    return JSON.parse(image.properties || '{}') as Record<string, unknown>;
  } catch {
    return {};
  }
}

/**
 * volume_utils.get_volume_image_metadata(image_id, image_meta): the image's properties, then image_id,
 * image_name and IMAGE_ATTRIBUTES over them. The values are stored as text (volume_glance_metadata.value),
 * so the API shows strings.
 */
export function volumeImageMetadata(image: ImageRow): Record<string, string> {
  const text = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(imageProperties(image))) if (v !== null && v !== undefined) out[k] = text(v);
  out.image_id = image.id;
  if (image.name) out.image_name = image.name;
  for (const k of IMAGE_ATTRIBUTES) if (image[k] !== null && image[k] !== undefined) out[k] = String(image[k]);
  return out;
}

/** GlanceImageService.show with the caller's context: an image it cannot see is ImageNotFound (404). */
function showImage(core: CinderCore, ctx: CinderCtx, imageId: string): ImageRow {
  const image = core.services.catalog.image(imageId);
  if (!image || !core.services.catalog.imageVisible(image, ctx)) throw new CinderError(404, `Image ${imageId} could not be found.`);
  return image;
}

/**
 * _get_image_snapshot_and_check_size: an image Nova made of a volume-backed server (its
 * block_device_mapping has a boot snapshot) is restored from that snapshot; its size is checked here.
 */
function imageSnapshot(core: CinderCore, image: ImageRow, volumeSize: number): string | null {
  const raw = imageProperties(image).block_device_mapping;
  let bdms: Record<string, unknown>[] = [];
  try {
    bdms = (typeof raw === 'string' ? JSON.parse(raw) : raw ?? []) as Record<string, unknown>[];
  } catch {
    bdms = [];
  }
  if (!Array.isArray(bdms)) return null;
  const boot = bdms.find((b) => b.source_type === 'snapshot' && b.boot_index === 0);
  if (!boot) return null;
  const snapSize = Number(boot.volume_size ?? 0);
  if (snapSize > volumeSize) throw badRequest(`Volume size must be greater than the image size. (Image: ${snapSize}, Volume: ${volumeSize}).`);
  const snapshotId = String(boot.snapshot_id ?? '');
  if (!getSnapshotRow(core, snapshotId)) throw new CinderError(404, `Nova specific image is found, but boot volume snapshot id:${snapshotId} not found.`);
  return snapshotId;
}

/** volume_utils.check_image_metadata: InvalidInput (400) for an inactive, too big or too demanding image. */
function checkImageMetadata(image: ImageRow, volumeSize: number): void {
  if (image.status !== 'active') throw invalidInput(`Image ${image.id} is not active.`);
  const sizeGb = Math.ceil(Number(image.size ?? 0) / GB);
  if (sizeGb > volumeSize) throw invalidInput(`Size of specified image ${sizeGb}GB is larger than volume size ${volumeSize}GB.`);
  const minDisk = Number(image.min_disk ?? 0);
  if (volumeSize < minDisk) throw invalidInput(`Volume size ${volumeSize}GB cannot be smaller than the image minDisk size ${minDisk}GB.`);
}

/** POST /volumes/{id}/action {"os-reimage": {"image_id", "reimage_reserved"}}: 202, the work goes on in the manager. */
export async function reimageVolume(core: CinderCore, ctx: CinderCtx, id: string, imageId: string, reimageReserved: boolean): Promise<void> {
  await core.faults.check('reimage', { volume_id: id });
  const v = core.getVolume(ctx, id);
  const image = showImage(core, ctx, imageId);
  imageSnapshot(core, image, v.size);
  // API.reimage
  core.policy.authorize(v.status === 'reserved' ? 'volume:reimage_reserved' : 'volume:reimage', ctx, v.project_id);
  if (core.store.attachmentsOf(v.id).length > 1) throw new CinderError(409, 'Cannot re-image a volume which is attached to more than one server.');
  const expected = reimageReserved ? ['available', 'error', 'reserved'] : ['available', 'error'];
  // The conditional update and its rollback are one transaction: no other request sees `downloading` on a refusal.
  core.store.transaction(() => {
    const cur = core.reload(v.id);
    if (!expected.includes(cur.status)) {
      // InvalidVolume, caught by the controller: HTTPBadRequest(explanation=error.msg).
      throw invalidVolume(`Volume ${v.id} status must be ${expected.join(' or ')}, but current status is ${cur.status}.`);
    }
    // check_image_metadata after the update; a failure rolls the status back (previous_status → status).
    checkImageMetadata(image, cur.size);
    core.saveVolume(v.id, { status: 'downloading', previous_status: cur.status });
    setWorker(core, v.id, 'downloading');
  });
  // volume_rpcapi.reimage: a cast.
  core.tasks.schedule(core.config.volumeCreateDelayMs, () => finishReimage(core, v.id, image));
}

/**
 * VolumeManager.reimage: copy the image (or revert to the image's snapshot), _refresh_volume_glance_meta
 * (bootable, the glance metadata replaced), status back to previous_status; a `reserved` volume's
 * instances get `volume-reimaged` (compute/nova.py API.reimage_volume, Nova 2.93). A failure leaves it `error`.
 */
async function finishReimage(core: CinderCore, id: string, image: ImageRow): Promise<void> {
  const v = core.store.getVolume(id);
  if (!v || v.status !== 'downloading') return unsetWorker(core, id);
  const failed = await core.faults.take('volume_reimage_task', { volume_id: id });
  const cur = core.store.getVolume(id);
  if (!cur || cur.status !== 'downloading') return unsetWorker(core, id);
  if (failed) {
    core.store.transaction(() => {
      core.saveVolume(id, { status: 'error', previous_status: cur.status });
      unsetWorker(core, id);
    });
    return;
  }
  const status = cur.previous_status ?? 'available';
  core.store.transaction(() => {
    core.saveVolume(id, { status, bootable: true, glance_metadata: volumeImageMetadata(image) });
    unsetWorker(core, id);
  });
  if (status !== 'reserved' || !core.nova.reimageVolume) return;
  const instances = [...new Set(core.store.attachmentsOf(id).map((a) => a.instance_uuid).filter((u): u is string => !!u))];
  // _send_events: a refusal is only logged (and a user message created); the volume stays re-imaged.
  if (instances.length) core.tasks.track(core.nova.reimageVolume(instances, id).catch(() => undefined));
}

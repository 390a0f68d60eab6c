// createImage and createBackup (nova/api/openstack/compute/servers.py _create_image,
// create_backup.py _create_backup → compute/api.py API.snapshot / snapshot_volume_backed / backup →
// compute/utils.py create_image → ComputeManager.snapshot_instance / backup_instance →
// _snapshot_instance, _rotate_backups). The image is created in the fake Glance over HTTP by nova-api
// (queued), then uploaded by nova-compute (active), as the libvirt driver does.
import type { Instance, RequestContext } from '../../domain.js';
import type { Services } from '../../services.js';
import { ComputeException, frame } from '../exceptions.js';
import { GlanceClient, type NovaImage } from '../glance-client.js';
import { isVolumeBacked } from './rebuild.js';
import { createBackup as createBackupSchema, createImage as createImageSchema } from './schemas.js';
import { defineAction, type FlowContext, type NeighbourContext } from './types.js';
import { snapshotVolumeBacked } from './volume-snapshot.js';

export interface ImageArgs {
  name: string;
  metadata: Record<string, string>;
  /** createBackup only. */
  backupType?: string;
  rotation?: number;
  /** Before 2.39 the controller checks the metadata against the metadata_items quota. */
  checkQuota?: boolean;
  /** Set by the API step. */
  imageId?: string;
  /** A volume-backed snapshot is complete in the API (snapshot_volume_backed): no cast. */
  volumeBacked?: boolean;
}

/** compute_utils NON_INHERITABLE_IMAGE_PROPERTIES ∪ CONF.non_inheritable_image_properties (default cache_in_nova, bittorrent). */
const NON_INHERITABLE = new Set(['img_signature', 'img_signature_hash_method', 'img_signature_key_type', 'img_signature_certificate_uuid', 'cache_in_nova', 'bittorrent']);
const NON_INHERITABLE_NS = ['os_glance'];
const SYSMETA_ATTRS = ['min_ram', 'min_disk', 'disk_format', 'container_format'];

/**
 * utils.get_image_from_system_metadata: the image_* system metadata as image attributes and
 * properties (an instance booted before novasim stored them falls back to its image's catalog row).
 */
function imageFromSystemMetadata(s: Services, instance: Instance): { attrs: Record<string, string>; properties: Record<string, string> } {
  let sys = Object.fromEntries(Object.entries(instance.system_metadata).filter(([k]) => k.startsWith('image_')).map(([k, v]) => [k.slice(6), v]));
  if (!Object.keys(sys).length && instance.image_ref) {
    const row = s.catalog.image(instance.image_ref);
    if (row) {
      sys = { ...(JSON.parse(row.properties) as Record<string, string>), base_image_ref: row.id, min_ram: String(row.min_ram), min_disk: String(Math.max(row.min_disk, instance.flavor.root_gb)), disk_format: row.disk_format, container_format: row.container_format };
    }
  }
  const attrs: Record<string, string> = {};
  const properties: Record<string, string> = {};
  for (const [k, v] of Object.entries(sys)) (SYSMETA_ATTRS.includes(k) ? attrs : properties)[k] = String(v);
  return { attrs, properties };
}

/** compute_utils.initialize_instance_snapshot_metadata. */
export function initializeSnapshotMetadata(s: Services, ctx: RequestContext, instance: Instance, name: string, extra: Record<string, string>) {
  const { attrs, properties } = imageFromSystemMetadata(s, instance);
  const extraProps = { ...extra };
  let visibility = 'private';
  if (ctx.projectId !== instance.project_id) {
    // Another project's server (an admin's snapshot): shared with the owner, who becomes a member.
    visibility = 'shared';
    extraProps.instance_owner = instance.project_id;
  }
  for (const k of Object.keys(properties)) if (NON_INHERITABLE.has(k) || NON_INHERITABLE_NS.some((ns) => k.startsWith(ns))) delete properties[k];
  Object.assign(properties, extraProps);
  const meta: { name: string; visibility: string; min_ram?: number; min_disk?: number; disk_format?: string; container_format?: string; properties: Record<string, string> } = {
    name, visibility,
    min_ram: attrs.min_ram !== undefined ? Number(attrs.min_ram) : undefined,
    min_disk: attrs.min_disk !== undefined ? Number(attrs.min_disk) : undefined,
    disk_format: attrs.disk_format, container_format: attrs.container_format,
    properties,
  };
  return meta;
}

/** compute_utils.create_image(context, instance, name, image_type, image_api, extra_properties). */
async function createImage(p: NeighbourContext<ImageArgs>, imageType: 'snapshot' | 'backup', extra: Record<string, string>): Promise<NovaImage> {
  const props = { instance_uuid: p.instance.uuid, user_id: p.ctx.userId, image_type: imageType, ...extra };
  const meta = initializeSnapshotMetadata(p.s, p.ctx, p.instance, p.args.name, props);
  // A snapshot leaves the formats to the upload (the driver may convert the disk).
  if (imageType === 'snapshot') {
    delete meta.disk_format;
    delete meta.container_format;
  }
  const clean = Object.fromEntries(Object.entries(meta).filter(([, v]) => v !== undefined)) as typeof meta;
  return p.glance.createWithProperties(p.ctx, clean);
}

/** common.check_img_metadata_properties_quota (before 2.39): 403 "Image metadata limit exceeded". */
function checkImageMetadataQuota(p: NeighbourContext<ImageArgs>): void {
  if (!p.args.checkQuota || !Object.keys(p.args.metadata).length) return;
  try {
    p.quotas.checkMetadata(p.ctx, Object.keys(p.args.metadata).length);
  } catch (e) {
    if (e instanceof ComputeException && e.code === 403) throw new ComputeException('ImageMetadataLimitExceeded', 'Image metadata limit exceeded', { novaException: true, code: 403 });
    throw e;
  }
}

/** delete_image_on_error (and API.snapshot's clean-up when the save fails): the image goes, NotFound ignored. */
const deleteImage = (glance: GlanceClient, ctx: RequestContext, id: string) => glance.delete(ctx, id).catch(() => undefined);

/**
 * ComputeManager._snapshot_instance with the libvirt driver's snapshot steps (IMAGE_PENDING_UPLOAD →
 * IMAGE_UPLOADING → upload): instance.snapshot.start/.end around them.
 */
async function snapshotInstance(f: FlowContext<ImageArgs>, expectedTaskState: 'image_snapshot' | 'image_backup'): Promise<void> {
  const s = f.d.services;
  const glance = new GlanceClient(s);
  const imageId = f.args.imageId!;
  try {
    f.save({ power_state: f.instance().power_state });
    f.d.notifier.notifyAboutInstanceSnapshot(f.ctx, f.instance(), s.bdms.listForInstance(f.uuid), f.host, 'start', imageId);
    const entry = [expectedTaskState === 'image_backup' ? 'backup_instance' : 'snapshot_instance', '_snapshot_instance'];
    f.save({ task_state: 'image_pending_upload' });
    await f.d.driver.faultPoint('driver.snapshot', { instance_uuid: f.uuid }, entry, frame('nova.virt.libvirt.driver', 'snapshot', 3100));
    f.save({ task_state: 'image_uploading' });
    // The libvirt driver uploads a qcow2 of the root disk; novasim uploads a small stand-in.
    const base = s.catalog.image(f.instance().image_ref);
    await glance.upload(f.ctx, imageId, { disk_format: base?.disk_format || 'qcow2', container_format: 'bare' }, `novasim snapshot of ${f.uuid}\n`);
    f.save({ task_state: null });
    f.d.notifier.notifyAboutInstanceSnapshot(f.ctx, f.instance(), s.bdms.listForInstance(f.uuid), f.host, 'end', imageId);
  } catch (e) {
    // @delete_image_on_error.
    await deleteImage(glance, f.ctx, imageId);
    throw e;
  }
}

/**
 * _init_instance for an IMAGE_* task_state: clear it and _post_interrupted_snapshot_cleanup (the
 * image that was being made is deleted; a volume-backed snapshot never reaches a cast).
 */
async function recoverSnapshot(f: FlowContext<ImageArgs>): Promise<void> {
  if (f.args.imageId) await deleteImage(new GlanceClient(f.d.services), f.ctx, f.args.imageId);
  f.save({ task_state: null });
}

/** ComputeManager._rotate_backups: keep the `rotation` newest backups of this type for this instance. */
async function rotateBackups(f: FlowContext<ImageArgs>): Promise<void> {
  const glance = new GlanceClient(f.d.services);
  const all = await glance.list(f.ctx, {});
  // Glance answers newest first (created_at desc on its own sub-second column, which the API view
  // rounds to seconds): that order is the one Nova's sort_key='created_at', sort_dir='desc' gets.
  const mine = all.filter((i) => i.properties.image_type === 'backup' && i.properties.backup_type === f.args.backupType && i.properties.instance_uuid === f.uuid);
  const rotation = f.args.rotation ?? 0;
  for (const image of mine.slice(rotation)) await glance.delete(f.ctx, image.id);
}

const IMAGE_STATES = ['active', 'stopped', 'paused', 'suspended'] as const;

export const createImageAction = defineAction<ImageArgs>({
  name: 'createImage',
  conflictName: 'createImage',
  bodies: [{ schema: createImageSchema }],
  args: (body, v) => {
    const b = body.createImage as { name: string; metadata?: Record<string, string> };
    return { name: b.name, metadata: b.metadata ?? {}, checkQuota: !v.matches('2.39') };
  },
  // 2.45: {"image_id"}; before, no body and the image's URL in Location.
  response: (a, r) => (r.matches('2.45') ? { image_id: a.imageId } : null),
  headers: (a, r): Record<string, string> => (r.matches('2.45') ? {} : { location: `${r.base}/image/images/${a.imageId}` }),
  policy: 'os_compute_api:servers:create_image',
  extraPolicy: (_ctx, _i, _a, bdms) => (bdms.some((b) => b.boot_index === 0 && b.destination_type === 'volume') ? 'os_compute_api:servers:create_image:allow_volume_backed' : null),
  errors: { Invalid: 400, InvalidRequest: 400, OverQuota: 403, InstanceQuiesceFailed: 409, Forbidden: 403, ImageNotFound: 400, ImageMetadataLimitExceeded: 403 },
  // No lock check: a lock guards against change/delete, not snapshots.
  lock: false,
  states: { method: 'snapshot', vmStates: [...IMAGE_STATES] },
  async prepareWithNeighbours(p) {
    checkImageMetadataQuota(p);
    if (isVolumeBacked(p.instance, p.s.bdms.listForInstance(p.instance.uuid))) {
      const image = await snapshotVolumeBacked(p);
      return { args: { ...p.args, imageId: image.id, volumeBacked: true } };
    }
    const image = await createImage(p, 'snapshot', p.args.metadata);
    return { args: { ...p.args, imageId: image.id }, undo: () => deleteImage(p.glance, p.ctx, image.id) };
  },
  taskState: (a) => (a.volumeBacked ? undefined : 'image_snapshot_pending'),
  instanceAction: 'createImage',
  skipCast: (a) => a.volumeBacked === true,
  method: 'snapshot_instance',
  async flow(f) {
    f.save({ task_state: 'image_snapshot' });
    await snapshotInstance(f, 'image_snapshot');
  },
  onRestart: 'revert',
  recoverCleanup: recoverSnapshot,
});

export const createBackupAction = defineAction<ImageArgs>({
  name: 'createBackup',
  conflictName: 'createBackup',
  bodies: [{ schema: createBackupSchema }],
  args: (body, v) => {
    const b = body.createBackup as { name: string; backup_type: string; rotation: number; metadata?: Record<string, string> };
    return { name: b.name, metadata: b.metadata ?? {}, backupType: b.backup_type, rotation: b.rotation, checkQuota: !v.matches('2.39') };
  },
  response: (a, r) => (r.matches('2.45') ? { image_id: a.imageId } : null),
  // Location only when rotation > 0 (common.url_join(req.application_url, 'images', id)).
  headers: (a, r): Record<string, string> => (r.matches('2.45') || !a.rotation ? {} : { location: `${r.base}/compute/v2.1/images/${a.imageId}` }),
  policy: 'os_compute_api:os-create-backup',
  errors: { InvalidRequest: 400, Invalid: 400, Forbidden: 403, ImageMetadataLimitExceeded: 403 },
  lock: false,
  states: { method: 'backup', vmStates: [...IMAGE_STATES] },
  async prepareWithNeighbours(p) {
    checkImageMetadataQuota(p);
    if (isVolumeBacked(p.instance, p.s.bdms.listForInstance(p.instance.uuid))) {
      throw new ComputeException('InvalidRequest', 'Backup is not supported for volume-backed instances.', { novaException: true, code: 400 });
    }
    const image = await createImage(p, 'backup', { ...p.args.metadata, backup_type: p.args.backupType! });
    return { args: { ...p.args, imageId: image.id }, undo: () => deleteImage(p.glance, p.ctx, image.id) };
  },
  taskState: 'image_backup',
  instanceAction: 'createBackup',
  method: 'backup_instance',
  async flow(f) {
    await snapshotInstance(f, 'image_backup');
    await rotateBackups(f);
  },
  onRestart: 'revert',
  recoverCleanup: recoverSnapshot,
});

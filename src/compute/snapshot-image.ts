// compute_utils.create_image / initialize_instance_snapshot_metadata (nova/compute/utils.py): the
// image record nova-api creates in Glance (over HTTP) before nova-compute uploads a snapshot into it.
import type { Instance, RequestContext } from '../domain.js';
import type { GlanceClient, NovaImage } from './glance-client.js';

/** NON_INHERITABLE_IMAGE_PROPERTIES ∪ CONF.non_inheritable_image_properties (cache_in_nova, bittorrent). */
const NON_INHERITABLE = new Set([
  'cinder_encryption_key_id', 'cinder_encryption_key_deletion_policy', 'img_signature', 'img_signature_hash_method',
  'img_signature_key_type', 'img_signature_certificate_uuid', 'cache_in_nova', 'bittorrent',
]);
/** NON_INHERITABLE_IMAGE_NAMESPACES. */
const NON_INHERITABLE_NS = ['os_glance'];

/**
 * create_image(context, instance, name, image_type): the instance's image metadata (from its base
 * image), name, visibility private (shared + instance_owner when another project asks), non-inheritable
 * properties dropped, instance_uuid / user_id / image_type / base_image_ref added; a snapshot omits
 * disk and container formats (the driver sets them at upload).
 */
export async function createImage(glance: GlanceClient, ctx: RequestContext, instance: Instance, name: string, imageType: 'snapshot' | 'backup'): Promise<NovaImage> {
  let base: NovaImage | null = null;
  try {
    base = instance.image_ref ? await glance.show(ctx, instance.image_ref) : null;
  } catch {
    base = null; // utils.get_image_from_system_metadata works without Glance; an image gone since boot leaves only what the instance kept
  }
  const meta: Record<string, unknown> = { name, min_ram: base?.min_ram ?? 0, min_disk: base?.min_disk ?? 0 };
  for (const [k, v] of Object.entries(base?.properties ?? {})) {
    if (NON_INHERITABLE.has(k) || NON_INHERITABLE_NS.some((ns) => k.startsWith(ns)) || typeof v !== 'string') continue;
    meta[k] = v;
  }
  if (instance.image_ref) meta.base_image_ref = instance.image_ref;
  if (ctx.projectId !== instance.project_id) {
    meta.visibility = 'shared';
    meta.instance_owner = instance.project_id;
  } else meta.visibility = 'private';
  Object.assign(meta, { instance_uuid: instance.uuid, user_id: String(ctx.userId), image_type: imageType });
  if (imageType !== 'snapshot') Object.assign(meta, { disk_format: base?.disk_format || 'qcow2', container_format: base?.container_format || 'bare' });
  return glance.create(ctx, meta);
}

/** The simulated hypervisor's snapshot data: libvirt uploads the disk; novasim uploads a small stand-in. */
export function snapshotData(instance: Instance): string {
  return `novasim snapshot of ${instance.uuid}\n`;
}

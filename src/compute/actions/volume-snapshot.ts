// compute/api.py API.snapshot_volume_backed: a volume-backed server's snapshot is a Glance image with
// no data whose block_device_mapping property lists Cinder snapshots of its volumes, all done by
// nova-api (createImage instance action with its api_snapshot_instance event). Quiesce is skipped:
// novasim's guests have no qemu guest agent (Nova logs "Skipping quiescing instance" then).
import { ComputeException } from '../exceptions.js';
import type { NovaImage } from '../glance-client.js';
import type { ImageArgs } from './images.js';
import { initializeSnapshotMetadata } from './images.js';
import type { NeighbourContext } from './types.js';

export async function snapshotVolumeBacked(p: NeighbourContext<ImageArgs>): Promise<NovaImage> {
  const { s, ctx, instance, volumes } = p;
  if (!volumes.createSnapshotForce || !volumes.absoluteLimits) throw new ComputeException('NotImplementedError', 'volume snapshots are not available', { code: 500 });
  const meta = initializeSnapshotMetadata(s, ctx, instance, p.args.name, p.args.metadata);
  delete meta.disk_format;
  delete meta.container_format;
  const properties = meta.properties;
  for (const k of ['block_device_mapping', 'bdm_v2', 'root_device_name']) delete properties[k];
  if (instance.root_device_name) properties.root_device_name = instance.root_device_name;
  const bdms = s.bdms.listForInstance(instance.uuid).filter((b) => !b.no_device);
  const volumeBdms = bdms.filter((b) => b.destination_type === 'volume' && b.volume_id);
  const mapping: Record<string, unknown>[] = [];
  // Cinder's snapshot quota first, so no snapshot is made when they cannot all be.
  if (volumeBdms.length) {
    const limits = await volumes.absoluteLimits(ctx);
    const used = Number(limits.totalSnapshotsUsed ?? 0);
    const max = Number(limits.maxTotalSnapshots ?? -1);
    if (max > -1 && volumeBdms.length + used > max) throw new ComputeException('OverQuota', 'Quota exceeded for resources: [\'snapshots\'].', { novaException: true, code: 403 });
  }
  // _record_action_start, then snapshot_instance under wrap_instance_event(prefix='api').
  const now = s.runtime.now();
  s.actions.start({ action: 'createImage', instanceUuid: instance.uuid, requestId: ctx.requestId, userId: ctx.userId, projectId: ctx.projectId, at: now });
  const action = s.actions.get(instance.uuid, ctx.requestId);
  const eventId = action ? s.actions.eventStart(action.id, 'api_snapshot_instance', s.config.confHost, now) : null;
  try {
    for (const bdm of volumeBdms) {
      const volume = await volumes.get(ctx, bdm.volume_id!);
      const snap = await volumes.createSnapshotForce(ctx, volume.id, `snapshot for ${p.args.name}`, volume.display_description);
      // block_device.snapshot_from_bdm(snapshot_id, bdm).get_image_mapping().
      mapping.push({
        boot_index: bdm.boot_index, delete_on_termination: bdm.delete_on_termination, destination_type: 'volume', device_name: bdm.device_name,
        device_type: null, disk_bus: null, guest_format: null, image_id: null, no_device: null, snapshot_id: snap.id, source_type: 'snapshot',
        tag: bdm.tag, volume_id: null, volume_size: bdm.volume_size ?? volume.size, volume_type: null,
      });
    }
    if (action && eventId !== null) s.actions.eventFinish(eventId, action.id, s.runtime.now(), null);
  } catch (e) {
    if (action && eventId !== null) s.actions.eventFinish(eventId, action.id, s.runtime.now(), { details: (e as Error).message, traceback: '' });
    throw e;
  }
  // glance _convert_to_v2: non-string properties travel as JSON text.
  if (mapping.length) {
    properties.block_device_mapping = JSON.stringify(mapping);
    properties.bdm_v2 = 'True';
  }
  // image_meta['size'] = 0: a bucket of properties, no data.
  return p.glance.createWithProperties(ctx, meta);
}

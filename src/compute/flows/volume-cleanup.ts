// ComputeManager._cleanup_volumes(raise_exc=False) and compute_api._local_cleanup_bdm_volumes: the
// volumes of a server that failed to build or is deleted before reaching a host. Failures are logged
// by Nova and ignored here likewise.
import type { RequestContext } from '../../domain.js';
import type { ManagerDeps } from '../deps.js';

export async function cleanupVolumes(d: ManagerDeps, ctx: RequestContext, uuid: string): Promise<void> {
  const s = d.services;
  for (const bdm of s.bdms.listForInstance(uuid)) {
    if (!bdm.volume_id) continue;
    try {
      // _detach_volume → DriverVolumeBlockDevice.detach: the attachment goes (destroy_bdm=delete_on_termination).
      if (bdm.attachment_id) await d.volumes.attachmentDelete(ctx, bdm.attachment_id);
      if (bdm.delete_on_termination) s.db.transaction(() => s.bdms.destroy(bdm.id, s.runtime.now()))();
    } catch {
      /* "Failed to detach volume" is only logged */
    }
    if (bdm.delete_on_termination) {
      try {
        await d.volumes.delete(ctx, bdm.volume_id);
      } catch {
        /* "Failed to delete volume" is only logged */
      }
    }
  }
}

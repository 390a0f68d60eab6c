// ComputeManager.detach_volume → _detach_volume → DriverVolumeBlockDevice.detach.
import type { RequestContext } from '../../domain.js';
import { translateAttachmentError, translateVolumeError } from '../cinder-errors.js';
import { type ManagerDeps, elevated } from '../deps.js';
import { withInstanceEvent } from '../events.js';
import { ComputePeriodicTasks } from '../periodic.js';
import { ComputeException, frame, framesFor, LOCKED } from '../exceptions.js';

export async function detachVolume(d: ManagerDeps, reqCtx: RequestContext, uuid: string, volumeId: string, attachmentId: string | null): Promise<void> {
  const s = d.services;
  const instance = s.instances.get(uuid);
  if (!instance) return;
  const ctx = elevated(reqCtx);
  const host = instance?.host ?? s.config.computeHost;
  await withInstanceEvent(d, ctx, instance, 'detach_volume', async () => {
    const bdm = s.bdms.getByVolumeAndInstance(volumeId, uuid);
    if (!bdm) {
      throw new ComputeException('VolumeBDMNotFound', `No volume Block Device Mapping with id ${volumeId}.`, {
        novaException: true, code: 404, frames: framesFor(['detach_volume', LOCKED, 'do_detach_volume'], frame('nova.objects.block_device', 'get_by_volume_and_instance')),
      });
    }
    d.notifier.notifyAboutVolumeAttachDetach(ctx, instance, s.bdms.listForInstance(uuid), host, 'volume_detach', 'start', volumeId);
    // _notify_volume_usage_detach: with volume_usage_poll_interval > 0, the volume's last usage.
    if (s.config.volumeUsagePollInterval > 0) new ComputePeriodicTasks(d).volumeUsage(ctx, uuid, volumeId, host);
    const cinfo = bdm.connection_info ? JSON.parse(bdm.connection_info) : null;
    try {
      await d.driver.detachVolume(instance, cinfo, bdm.device_name, volumeId);
    } catch (e) {
      // DriverVolumeBlockDevice.driver_detach: put the volume back to in-use.
      await d.volumes.rollDetaching(ctx, volumeId).catch(() => undefined);
      throw e;
    }
    // New-style: DriverVolumeBlockDevice.detach deletes the BDM's own attachment (self['attachment_id']);
    // the id read by the API only matters for the legacy os-detach.
    const attachment = bdm.attachment_id;
    if (attachment) {
      try {
        await d.volumes.attachmentDelete(ctx, attachment);
      } catch (e) {
        throw translateAttachmentError(e, attachment, 'attachment_delete');
      }
    } else {
      try {
        await d.volumes.terminateConnection(ctx, volumeId, d.driver.getVolumeConnector(instance));
        await d.volumes.detach(ctx, volumeId, uuid, attachmentId ?? undefined);
      } catch (e) {
        throw translateVolumeError(e, volumeId, 'detach');
      }
    }
    d.notifier.notifyAboutVolumeAttachDetach(ctx, s.instances.get(uuid)!, s.bdms.listForInstance(uuid), host, 'volume_detach', 'end', volumeId);
    s.bdms.destroy(bdm.id, s.runtime.now());
  });
}

// ComputeManager.attach_volume → _attach_volume → DriverVolumeBlockDevice.attach.
import type { BlockDeviceMapping, RequestContext } from '../../domain.js';
import { translateAttachmentError, translateVolumeError } from '../cinder-errors.js';
import { type ManagerDeps, elevated } from '../deps.js';
import { exceptionInfo, withInstanceEvent } from '../events.js';
import { asComputeException, LOCKED } from '../exceptions.js';
import type { ConnectionInfo } from '../volume-api.js';
import { prepared } from '../../store/statement-cache.js';

export async function attachVolume(d: ManagerDeps, reqCtx: RequestContext, uuid: string, bdmId: number): Promise<void> {
  const s = d.services;
  const instance = s.instances.get(uuid);
  const ctx = elevated(reqCtx);
  if (!instance) {
    // The server was deleted while the API was reserving the attachment (its terminate ran before
    // the API saved attachment_id on the BDM). Nova's attach_volume then fails in the driver and
    // _attach_volume's except deletes bdm.attachment_id so the volume is available again.
    const row = prepared(s.db, 'SELECT attachment_id, volume_id FROM block_device_mappings WHERE id = ?').get(bdmId) as { attachment_id: string | null; volume_id: string | null } | undefined;
    try {
      if (row?.attachment_id) await d.volumes.attachmentDelete(ctx, row.attachment_id);
      else if (row?.volume_id && s.config.legacyVolumeAttach) await d.volumes.unreserveVolume(ctx, row.volume_id);
    } catch {
      /* VolumeAttachmentNotFound is ignored by Nova */
    }
    return;
  }
  const host = instance.host ?? s.config.computeHost;
  await withInstanceEvent(d, ctx, instance, 'attach_volume', async () => {
    const bdm = s.bdms.listForInstance(uuid).find((b) => b.id === bdmId);
    if (!bdm || !bdm.volume_id) return;
    const volumeId = bdm.volume_id;
    d.notifier.notifyAboutVolumeAttachDetach(ctx, instance, s.bdms.listForInstance(uuid), host, 'volume_attach', 'start', volumeId);
    try {
      const cinfo = await driverBdmAttach(d, ctx, bdm);
      s.bdms.update(bdm.id, { connection_info: JSON.stringify(cinfo), updated_at: s.runtime.now() });
    } catch (err) {
      const e = asComputeException(err, ['attach_volume', LOCKED, 'do_attach_volume', '_attach_volume']);
      // Make the volume available again; the attachment may already be gone.
      try {
        if (bdm.attachment_id) await d.volumes.attachmentDelete(ctx, bdm.attachment_id);
        else await d.volumes.unreserveVolume(ctx, volumeId);
      } catch {
        /* VolumeAttachmentNotFound is ignored by Nova */
      }
      // _attach_volume's `except`: the .error traceback starts there.
      d.notifier.notifyAboutVolumeAttachDetach(ctx, instance, s.bdms.listForInstance(uuid), host, 'volume_attach', 'error', volumeId, exceptionInfo(e, '_attach_volume'));
      s.bdms.destroy(bdm.id, s.runtime.now());
      // Re-raised by _attach_volume's, then do_attach_volume's save_and_reraise_exception.
      throw e.reraisedIn('_attach_volume').reraisedIn('do_attach_volume');
    }
    d.notifier.notifyAboutVolumeAttachDetach(ctx, s.instances.get(uuid)!, s.bdms.listForInstance(uuid), host, 'volume_attach', 'end', volumeId);
  });
}

/**
 * DriverVolumeBlockDevice.attach: new-style (attachment_update → driver → complete) or legacy.
 * `driverAttach: false` is _prep_block_device's do_driver_attach=False (spawn connects boot volumes).
 */
export async function driverBdmAttach(d: ManagerDeps, ctx: RequestContext, bdm: BlockDeviceMapping, o: { driverAttach: boolean } = { driverAttach: true }): Promise<ConnectionInfo> {
  const instance = d.services.instances.get(bdm.instance_uuid)!;
  const volumeId = bdm.volume_id!;
  try {
    await d.volumes.get(ctx, volumeId);
  } catch (e) {
    throw translateVolumeError(e, volumeId, 'get');
  }
  const connector = d.driver.getVolumeConnector(instance);
  const mountpoint = bdm.device_name ?? '';
  let cinfo: ConnectionInfo;
  if (bdm.attachment_id) {
    try {
      cinfo = (await d.volumes.attachmentUpdate(ctx, bdm.attachment_id, connector, mountpoint)).connection_info as ConnectionInfo;
    } catch (e) {
      throw translateAttachmentError(e, bdm.attachment_id, 'attachment_update');
    }
    cinfo = { ...cinfo, serial: volumeId };
    if (o.driverAttach) await d.driver.attachVolume(instance, cinfo, mountpoint, volumeId);
    try {
      await d.volumes.attachmentComplete(ctx, bdm.attachment_id);
    } catch (e) {
      throw translateAttachmentError(e, bdm.attachment_id, 'attachment_complete');
    }
  } else {
    try {
      cinfo = await d.volumes.initializeConnection(ctx, volumeId, connector);
      cinfo = { ...cinfo, serial: volumeId };
      await d.driver.attachVolume(instance, cinfo, mountpoint, volumeId);
      await d.volumes.attach(ctx, volumeId, instance.uuid, mountpoint);
    } catch (e) {
      throw translateVolumeError(e, volumeId, 'attach');
    }
  }
  return cinfo;
}

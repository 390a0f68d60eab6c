// ComputeManager.swap_volume → _do_swap_volume → _swap_volume → _init_volume_connection
// (nova/compute/manager.py), step by step as spec §3.1/§3.2 numbers them.
import type { BlockDeviceMapping, Instance, RequestContext } from '../../domain.js';
import { translateAttachmentError, translateCinderError, translateVolumeError } from '../cinder-errors.js';
import { type ManagerDeps, elevated } from '../deps.js';
import { exceptionInfo, withInstanceEvent } from '../events.js';
import { asComputeException, ComputeException, frame, framesFor, LOCKED } from '../exceptions.js';
import { CinderClientError, type ConnectionInfo, type Connector, type NovaVolume } from '../volume-api.js';

export interface SwapArgs {
  oldVolumeId: string;
  newVolumeId: string;
  newAttachmentId: string | null;
  /** Recorded by the API before its Cinder calls and never cast: only start-up recovery sees it. */
  apiPending?: true;
}

// swap_volume → utils.synchronized → _do_locked_swap_volume → _do_swap_volume (decorators: events.ts).
const ENTRY = ['swap_volume', LOCKED, '_do_locked_swap_volume', '_do_swap_volume'];

export async function swapVolume(d: ManagerDeps, reqCtx: RequestContext, uuid: string, a: SwapArgs): Promise<void> {
  const s = d.services;
  const instance = s.instances.get(uuid);
  if (!instance) {
    // Storm finding, issue 15: the server was deleted after the API accepted the swap (terminate runs
    // first under the instance lock). Upstream's _do_swap_volume then fails on the destroyed BDMs
    // (VolumeBDMNotFound) and releases nothing: the new volume's attachment stays `reserved` and a
    // Cinder-driven migration `migrating`. novasim releases them (no notification: no instance left).
    await releaseReservations(d, elevated(reqCtx), a);
    return;
  }
  await withInstanceEvent(d, reqCtx, instance, 'swap_volume', () => doSwapVolume(d, elevated(reqCtx), instance, a));
}

async function vget(d: ManagerDeps, ctx: RequestContext, id: string): Promise<NovaVolume> {
  try {
    return await d.volumes.get(ctx, id);
  } catch (e) {
    throw translateVolumeError(e, id, 'get');
  }
}

async function doSwapVolume(d: ManagerDeps, ctx: RequestContext, instance: Instance, a: SwapArgs): Promise<void> {
  const s = d.services;
  const host = instance?.host ?? s.config.computeHost;
  // (4) .start with the BDMs as stored: block_devices still shows the old volume.
  d.notifier.notifyAboutVolumeSwap(ctx, instance, s.bdms.listForInstance(instance.uuid), host, 'start', a.oldVolumeId, a.newVolumeId);
  // (5) BlockDeviceMapping.get_by_volume_and_instance
  const bdm = s.bdms.getByVolumeAndInstance(a.oldVolumeId, instance.uuid);
  if (!bdm) {
    const e = new ComputeException('VolumeBDMNotFound', `No volume Block Device Mapping with id ${a.oldVolumeId}.`, {
      novaException: true, code: 404, frames: framesFor(ENTRY, frame('nova.objects.block_device', 'get_by_volume_and_instance')),
    });
    await releaseUnstartedSwap(d, ctx, instance, a, e);
    throw e;
  }
  const connector = d.driver.getVolumeConnector(instance);
  // (6) is_cinder_migration only if Cinder returned migration_status.
  const oldVolume = await vget(d, ctx, a.oldVolumeId);
  const isCinderMigration = 'migration_status' in oldVolume ? oldVolume.migration_status === 'migrating' : false;
  const newVolume = await vget(d, ctx, a.newVolumeId);
  const resizeTo = newVolume.size > oldVolume.size ? newVolume.size : 0;

  const { saveVolumeId, newCinfo } = await innerSwap(d, ctx, instance, bdm, connector, a, newVolume, resizeTo, isCinderMigration);
  // Crash-test point (delay only is meaningful): Cinder has completed, the BDM is not yet saved.
  await d.driver.faultPoint('manager.swap_volume.save_bdm', { instance_uuid: instance.uuid, volume_id: a.oldVolumeId }, ENTRY);

  // (8) Overwrite serial/volume_id with what Cinder kept, and save the BDM.
  const cinfo: ConnectionInfo = { ...newCinfo, serial: saveVolumeId, volume_id: saveVolumeId };
  if ('data' in cinfo && cinfo.data && typeof cinfo.data === 'object') cinfo.data = { ...cinfo.data, volume_id: saveVolumeId };
  const values: Partial<BlockDeviceMapping> = {
    connection_info: JSON.stringify(cinfo),
    source_type: 'volume',
    destination_type: 'volume',
    snapshot_id: null,
    volume_id: saveVolumeId,
    no_device: null,
    updated_at: s.runtime.now(),
  };
  if (resizeTo) values.volume_size = resizeTo;
  if (a.newAttachmentId !== null) values.attachment_id = a.newAttachmentId;
  s.bdms.update(bdm.id, values);
  // Crash-test point (delay only is meaningful): the BDM is saved, the cast's row not yet dropped.
  await d.driver.faultPoint('manager.swap_volume.notify_end', { instance_uuid: instance.uuid, volume_id: a.oldVolumeId }, ENTRY);
  // (9) .end: block_devices shows save_volume_id; old/new ids are the request's.
  d.notifier.notifyAboutVolumeSwap(ctx, s.instances.get(instance.uuid)!, s.bdms.listForInstance(instance.uuid), host, 'end', a.oldVolumeId, a.newVolumeId);
}

/** _swap_volume: the block whose failures emit `.error` and roll Cinder back. */
async function innerSwap(
  d: ManagerDeps, ctx: RequestContext, instance: Instance, bdm: BlockDeviceMapping, connector: Connector,
  a: SwapArgs, newVolume: NovaVolume, resizeTo: number, isCinderMigration: boolean,
): Promise<{ saveVolumeId: string; newCinfo: ConnectionInfo }> {
  const s = d.services;
  const host = instance?.host ?? s.config.computeHost;
  const entry = [...ENTRY, '_swap_volume'];
  let failed = false;
  let newCinfo: ConnectionInfo | null = null;
  let saveVolumeId = a.newVolumeId;
  try {
    try {
      const { oldCinfo, newCinfo: nc } = await initVolumeConnection(d, ctx, instance, newVolume, a, connector, bdm);
      newCinfo = nc;
      await d.driver.swapVolume(instance, oldCinfo, nc, bdm.device_name, resizeTo, a.oldVolumeId);
      if (a.newAttachmentId) {
        try {
          await d.volumes.attachmentComplete(ctx, a.newAttachmentId);
        } catch (e) {
          throw translateAttachmentError(e, a.newAttachmentId, 'attachment_complete');
        }
      }
    } catch (err) {
      failed = true;
      const e = asComputeException(err, entry);
      // §3.2: .error first, then roll back Cinder (save_and_reraise_exception).
      // The payload's traceback is the one seen in this `except`: it starts at _swap_volume.
      d.notifier.notifyAboutVolumeSwap(ctx, s.instances.get(instance.uuid) ?? instance, s.bdms.listForInstance(instance.uuid), host, 'error', a.oldVolumeId, a.newVolumeId, exceptionInfo(e, '_swap_volume'));
      await d.volumes.rollDetaching(ctx, a.oldVolumeId);
      if (a.newAttachmentId === null) await d.volumes.unreserveVolume(ctx, a.newVolumeId);
      else await d.volumes.attachmentDelete(ctx, a.newAttachmentId);
      throw e.reraisedIn('_swap_volume');
    }
  } finally {
    // The `finally` block of _swap_volume; it runs on success and failure alike.
    const conn = failed ? a.newVolumeId : a.oldVolumeId;
    if (newCinfo) {
      if (bdm.attachment_id === null) await d.volumes.terminateConnection(ctx, conn, connector);
      else if (!failed) {
        try {
          await d.volumes.attachmentDelete(ctx, bdm.attachment_id);
        } catch (e) {
          throw translateAttachmentError(e, bdm.attachment_id, 'attachment_delete');
        }
      }
    }
    // Completion: a plain swap of a new-style BDM needs no Cinder call; migrations and legacy BDMs do.
    if (!(bdm.attachment_id && !isCinderMigration)) {
      try {
        saveVolumeId = (await d.volumes.migrateVolumeCompletion(ctx, a.oldVolumeId, a.newVolumeId, failed)).save_volume_id;
      } catch (e) {
        const cindersTarget = newVolume.migration_status === `target:${a.oldVolumeId}`;
        if (!failed && bdm.attachment_id && !cindersTarget && e instanceof CinderClientError && e.kind === 'bad_request') {
          // Storm finding (a)/(c), issue 15: an admin's direct swap V→W of a volume Cinder is migrating
          // (begin_detaching lets a migrating volume through: cinder/volume/api.py begin_detaching) is
          // taken for Cinder's own swap (is_cinder_migration reads only V's migration_status), and
          // Cinder refuses the completion ("Destination volume not mid-migration.",
          // cinder/volume/api.py migrate_volume_completion). Upstream raises here, after W's attachment
          // is complete and V's deleted: the BDM keeps the deleted attachment, W stays attached without
          // a BDM, and the swap has a .start without .end/.error. The swap did happen, so novasim ends
          // it as the plain new-style swap it is (comp_ret = {'save_volume_id': new_volume_id}); Cinder's
          // own swap V→T is then refused ("Old volume is attached to a different instance.") and
          // Cinder ends its migration (manager migrate_volume: migration_status error). Never for Cinder's
          // own target T: a BDM must not name a temporary migration volume.
          saveVolumeId = a.newVolumeId;
        } else {
          // migrate_volume_completion is decorated with translate_cinder_exception only (no VolumeNotFound).
          throw translateCinderError(e, 'migrate_volume_completion');
        }
      }
    }
  }
  return { saveVolumeId, newCinfo: newCinfo! };
}

/** _init_volume_connection (step 7.1). */
async function initVolumeConnection(
  d: ManagerDeps, ctx: RequestContext, instance: Instance, newVolume: NovaVolume, a: SwapArgs, connector: Connector, bdm: BlockDeviceMapping,
): Promise<{ oldCinfo: ConnectionInfo | null; newCinfo: ConnectionInfo }> {
  const entry = [...ENTRY, '_swap_volume', '_init_volume_connection'];
  let newCinfo: ConnectionInfo;
  if (a.newAttachmentId === null) {
    try {
      newCinfo = await d.volumes.initializeConnection(ctx, a.newVolumeId, connector);
    } catch (e) {
      throw translateVolumeError(e, a.newVolumeId, 'initialize_connection');
    }
  } else {
    if (newVolume.multiattach && !d.driver.capabilities.supports_multiattach) {
      throw new ComputeException('MultiattachNotSupportedByVirtDriver', `Volume ${a.newVolumeId} has 'multiattach' set, which is not supported for this instance.`, { novaException: true, code: 409, frames: framesFor(entry, frame('nova.compute.manager', '_init_volume_connection')) });
    }
    try {
      newCinfo = (await d.volumes.attachmentUpdate(ctx, a.newAttachmentId, connector, bdm.device_name)).connection_info as ConnectionInfo;
    } catch (e) {
      throw translateAttachmentError(e, a.newAttachmentId, 'attachment_update');
    }
    if (newVolume.multiattach) newCinfo = { ...newCinfo, multiattach: true };
  }
  // A deterministic fault point inside _init_volume_connection (reproduces Nova's swap-error sample).
  await d.driver.faultPoint('manager._init_volume_connection', { instance_uuid: instance.uuid, volume_id: a.oldVolumeId }, entry.slice(0, -1), frame('nova.compute.manager', '_init_volume_connection'));
  if (newCinfo === null || typeof newCinfo !== 'object' || Array.isArray(newCinfo)) {
    // Python: new_cinfo['serial'] = ... on a non-dict.
    const msg = Array.isArray(newCinfo) ? 'list indices must be integers or slices, not str' : `'${newCinfo === null ? 'NoneType' : typeof newCinfo}' object does not support item assignment`;
    throw new ComputeException('TypeError', msg, { frames: framesFor(entry.slice(0, -1), frame('nova.compute.manager', '_init_volume_connection')) });
  }
  let oldCinfo = bdm.connection_info ? (JSON.parse(bdm.connection_info) as ConnectionInfo | null) : null;
  if (oldCinfo && !('serial' in oldCinfo)) oldCinfo = { ...oldCinfo, serial: a.oldVolumeId };
  if (!('serial' in newCinfo)) newCinfo = { ...newCinfo, serial: a.newVolumeId };
  return { oldCinfo, newCinfo };
}

/**
 * Storm finding, issue 15: the old volume's BDM is gone when the swap runs — a detach of the same
 * volume was queued on the instance before it (Nova's API lets both through: begin_detaching accepts
 * a migrating volume, and the detach cast runs first under the instance lock). Upstream's
 * _do_swap_volume raises VolumeBDMNotFound from BlockDeviceMapping.get_by_volume_and_instance before
 * _swap_volume, so nothing the API reserved is released: the new volume's attachment stays `reserved`,
 * a Cinder-driven migration stays `migrating` for ever, and the swap has a `.start` without an end.
 * novasim releases what the API reserved the way _swap_volume's failure path does (`.error`,
 * roll_detaching, attachment_delete / unreserve_volume, migrate_volume_completion(error=True) when this
 * is Cinder's migration), then raises the same VolumeBDMNotFound.
 */
async function releaseUnstartedSwap(d: ManagerDeps, ctx: RequestContext, instance: Instance, a: SwapArgs, e: ComputeException): Promise<void> {
  const s = d.services;
  const host = instance?.host ?? s.config.computeHost;
  d.notifier.notifyAboutVolumeSwap(ctx, s.instances.get(instance.uuid) ?? instance, s.bdms.listForInstance(instance.uuid), host, 'error', a.oldVolumeId, a.newVolumeId, exceptionInfo(e, '_do_swap_volume'));
  await releaseReservations(d, ctx, a);
}

/** What swap_volume's API reserved: roll_detaching, the new attachment / reservation, Cinder's migration. */
async function releaseReservations(d: ManagerDeps, ctx: RequestContext, a: SwapArgs): Promise<void> {
  await d.volumes.rollDetaching(ctx, a.oldVolumeId).catch(() => undefined);
  if (a.newAttachmentId === null) await d.volumes.unreserveVolume(ctx, a.newVolumeId).catch(() => undefined);
  else await d.volumes.attachmentDelete(ctx, a.newAttachmentId).catch(() => undefined);
  const [oldVolume, newVolume] = await Promise.all([d.volumes.get(ctx, a.oldVolumeId).catch(() => null), d.volumes.get(ctx, a.newVolumeId).catch(() => null)]);
  if (oldVolume?.migration_status === 'migrating' && newVolume?.migration_status === `target:${a.oldVolumeId}`) {
    await d.volumes.migrateVolumeCompletion(ctx, a.oldVolumeId, a.newVolumeId, true).catch(() => undefined);
  }
}

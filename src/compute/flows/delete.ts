// ComputeManager.terminate_instance → _delete_instance → _shutdown_instance (nova/compute/manager.py).
import { POWER_STATE, type RequestContext } from '../../domain.js';
import { type ManagerDeps, elevated } from '../deps.js';
import { withInstanceEvent } from '../events.js';
import { deallocateForInstance } from '../network.js';
import { saveInstance } from '../instance-save.js';
import { denyShare, mountAll } from './shares.js';

export async function terminateInstance(d: ManagerDeps, reqCtx: RequestContext, uuid: string): Promise<void> {
  const s = d.services;
  const instance = s.instances.get(uuid);
  if (!instance) return;
  const ctx = elevated(reqCtx);
  const host = instance?.host ?? s.config.computeHost;
  await withInstanceEvent(d, ctx, instance, 'terminate_instance', async () => {
    const bdms = s.bdms.listForInstance(uuid);
    d.notifier.notifyAboutInstanceAction(ctx, instance, bdms, host, 'delete', 'start');
    // _shutdown_instance
    d.notifier.notifyAboutInstanceAction(ctx, s.instances.get(uuid)!, bdms, host, 'shutdown', 'start');
    await d.driver.destroy(instance);
    // _try_deallocate_network: ports Nova created are deleted, the user's ports unbound.
    await deallocateForInstance(d.network, ctx, s.instances.get(uuid) ?? instance);
    // The network info cache (info_cache.save), not an Instance.save: no instance.update.
    s.instances.update(uuid, { network_info: [] });
    // Shares: umount, deactivate, deny_share; failures are logged and ignored (a dangling share_mapping may stay).
    for (const m of s.shareMappings.listForInstance(uuid)) {
      try {
        await mountAll(d, ctx, instance, [m], ['terminate_instance', '_delete_instance', '_shutdown_instance'], 'umount_share');
        s.db.transaction(() => s.shareMappings.setStatus(uuid, m.share_id, 'inactive', s.runtime.now()))();
        await denyShare(d, ctx, uuid, m.share_id, { instance });
      } catch {
        /* ShareUmountError, ShareNotFound, ShareAccessNotFound, ShareAccessRemovalError: ignored */
      }
    }
    for (const bdm of bdms.filter((b) => b.volume_id)) {
      // Nova ignores (logs) every failure here: an instance must always be deletable.
      try {
        if (bdm.attachment_id) await d.volumes.attachmentDelete(ctx, bdm.attachment_id);
        else {
          await d.volumes.terminateConnection(ctx, bdm.volume_id!, d.driver.getVolumeConnector(instance));
          await d.volumes.detach(ctx, bdm.volume_id!, uuid);
        }
      } catch {
        /* logged by Nova, ignored */
      }
    }
    d.notifier.notifyAboutInstanceAction(ctx, s.instances.get(uuid)!, bdms, host, 'shutdown', 'end');
    // _cleanup_volumes: delete_on_termination volumes are deleted, failures ignored.
    for (const bdm of bdms.filter((b) => b.volume_id && b.delete_on_termination)) {
      try {
        await d.volumes.delete(ctx, bdm.volume_id!);
      } catch {
        /* ignored, as Nova does with raise_exc=False */
      }
    }
    const now = s.runtime.now();
    s.db.transaction(() => {
      // _delete_instance: vm_state DELETED, task_state None, power_state NOSTATE, terminated_at, save(); then destroy().
      saveInstance(s, d.notifier, ctx, uuid, { power_state: POWER_STATE.pending, terminated_at: now, vm_state: 'deleted', task_state: null, updated_at: now });
      for (const b of bdms) s.bdms.destroy(b.id, now);
      // instance.destroy(): not an Instance.save.
      s.instances.update(uuid, { deleted: true, deleted_at: now });
    })();
    d.notifier.notifyAboutInstanceAction(ctx, s.instances.get(uuid, { readDeleted: true })!, bdms, host, 'delete', 'end');
  });
}

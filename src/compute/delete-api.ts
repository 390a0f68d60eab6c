// compute_api._delete and its callers delete / soft_delete / force_delete (nova/compute/api.py):
// the API's half of every server delete — the cast to nova-compute when the instance's compute
// service is up, or the "local delete" nova-api does itself when it is not (service down or forced
// down, never scheduled and in ERROR, SHELVED_OFFLOADED), with notify_about_instance_delete.
import { saveInstance } from './instance-save.js';
import { MigrationRecords } from '../store/migration-records.js';
import type { Instance, RequestContext } from '../domain.js';
import type { Services } from '../services.js';
import { checkInstanceLock, checkInstanceState } from './checks.js';
import type { GlanceClient } from './glance-client.js';
import type { Cast, ComputeManager } from './manager.js';
import type { NetworkApi } from './neutron-client.js';
import { deallocateForInstance } from './network.js';
import type { ComputeNotifier } from './notifier-port.js';
import type { VolumeApi } from './volume-api.js';
import type { Driver } from './driver.js';

export type DeleteType = 'delete' | 'soft_delete' | 'force_delete';

export interface DeleteDeps {
  s: Services;
  manager: ComputeManager;
  notifier: ComputeNotifier;
  volumes: VolumeApi;
  glance: GlanceClient;
  driver: Driver;
  network?: NetworkApi;
}

/** compute_api.delete: @check_instance_lock, @check_instance_state(vm_state=None, task_state=None, must_have_launched=False). */
export function checkDelete(ctx: RequestContext, instance: Instance): void {
  checkInstanceLock(ctx, instance);
}

/** compute_api.soft_delete: @check_instance_lock, @check_instance_state(vm_state=None, task_state=None, must_have_launched=True). */
export function checkSoftDelete(ctx: RequestContext, instance: Instance): void {
  checkInstanceLock(ctx, instance);
  checkInstanceState(instance, 'soft_delete', null, { taskStates: null, mustHaveLaunched: true });
}

/** compute_utils.may_have_ports_or_volumes: ERROR and SHELVED_OFFLOADED instances may have both without a host. */
const mayHavePortsOrVolumes = (i: Instance) => i.vm_state === 'shelved_offloaded' || i.vm_state === 'error';

/** The compute service of the host is up (servicegroup_api.service_is_up); a missing service is "not found" → local delete. */
function serviceUp(s: Services, host: string): boolean {
  const svc = s.hosts.computeService(host);
  return !!svc && !svc.forced_down;
}

/** The confirmResize cast of _confirm_resize_on_deleting (recorded in the caller's transaction), or null without a finished move. */
function confirmResizeOnDeleting(d: DeleteDeps, ctx: RequestContext, instance: Instance): (() => void) | null {
  const records = new MigrationRecords(d.s.db);
  const m = records.byInstanceAndStatus(instance.uuid, 'finished') ?? records.byInstanceAndStatus(instance.uuid, 'confirming');
  if (!m) return null;
  d.s.actions.start({ action: 'confirmResize', instanceUuid: instance.uuid, requestId: ctx.requestId, userId: ctx.userId, projectId: ctx.projectId, at: d.s.runtime.now() });
  return d.manager.record(ctx, { kind: 'server_action', uuid: instance.uuid, action: 'confirmResize', args: { migrationId: m.id } });
}

/** compute_api._delete(context, instance, delete_type, cb, task_state=…[, deleted_at=…]). */
export async function deleteInstance(d: DeleteDeps, ctx: RequestContext, instance: Instance, type: DeleteType): Promise<void> {
  const { s } = d;
  const now = () => s.runtime.now();
  const recordDelete = () => s.actions.start({ action: 'delete', instanceUuid: instance.uuid, requestId: ctx.requestId, userId: ctx.userId, projectId: ctx.projectId, at: now() });
  if (!instance.host && !mayHavePortsOrVolumes(instance)) {
    // _delete_while_booting: the build request is deleted before the conductor built anything; the
    // instance is destroyed without notifications (it never reached a cell).
    const bdms = s.db.transaction(() => {
      const t = now();
      recordDelete();
      // Not an Instance.save: _delete_while_booting destroys the build request / instance (no send_update).
      s.instances.update(instance.uuid, { vm_state: 'deleted', task_state: null, terminated_at: t, deleted_at: t, deleted: true, updated_at: t });
      const list = s.bdms.listForInstance(instance.uuid);
      for (const b of list) s.bdms.destroy(b.id, t);
      return list;
    })();
    // _local_cleanup_bdm_volumes: the attachments made at create go back; delete_on_termination volumes go.
    for (const b of bdms) {
      if (!b.volume_id) continue;
      try {
        if (b.attachment_id) await d.volumes.attachmentDelete(ctx, b.attachment_id);
        if (b.delete_on_termination) await d.volumes.delete(ctx, b.volume_id);
      } catch {
        /* Nova logs these and carries on */
      }
    }
    return;
  }
  // At these states an instance has a snapshot: image_api.delete, failures logged.
  if (instance.vm_state === 'shelved' || instance.vm_state === 'shelved_offloaded') {
    const snapshot = instance.system_metadata.shelved_image_id;
    if (snapshot) await d.glance.delete(ctx, snapshot).catch(() => undefined);
  }
  const local = !instance.host || !serviceUp(s, instance.host);
  let start: (() => void) | null = null;
  let ignored = false;
  s.db.transaction(() => {
    const current = s.instances.get(instance.uuid);
    if (!current) return;
    const original = current.task_state;
    // instance.update(instance_attrs); instance.progress = 0; instance.save() (no expected task_state).
    const t = now();
    saveInstance(s, d.notifier, ctx, instance.uuid, {
      task_state: type === 'soft_delete' ? 'soft-deleting' : 'deleting', progress: 0, updated_at: t,
      ...(type === 'soft_delete' ? { deleted_at: t } : {}),
    });
    if (local) return;
    if (original === 'deleting' || original === 'soft-deleting') {
      // "Instance is already in deleting state, ignoring this request".
      ignored = true;
      return;
    }
    // compute_api._confirm_resize_on_deleting: a VERIFY_RESIZE server's move is confirmed on its source
    // (confirmResize action, confirm_resize) first; queued ahead of terminate_instance, recorded before DELETE.
    const confirm = current.vm_state === 'resized' ? confirmResizeOnDeleting(d, ctx, current) : null;
    recordDelete();
    const cast: Cast = type === 'soft_delete' ? { kind: 'soft_delete_instance', uuid: instance.uuid } : { kind: 'terminate_instance', uuid: instance.uuid };
    const startDelete = d.manager.record(ctx, cast);
    start = confirm ? () => { confirm(); startDelete(); } : startDelete;
  })();
  if (ignored) return;
  if (start) {
    (start as () => void)();
    return;
  }
  await localDelete(d, ctx, instance.uuid, type);
}

/**
 * _local_delete: inside notify_about_instance_delete (delete.start/.end from nova-api; force_delete
 * sends none), deallocate the network, clean up the volumes, the callback's local branch
 * (_do_delete: DELETED / _do_soft_delete: SOFT_DELETED, terminated_at), instance.destroy(); then
 * _record_action_start(DELETE).
 */
async function localDelete(d: DeleteDeps, ctx: RequestContext, uuid: string, type: DeleteType): Promise<void> {
  const { s, notifier } = d;
  const host = s.config.confHost;
  const notifies = type !== 'force_delete';
  const inst = () => s.instances.get(uuid, { readDeleted: true })!;
  if (notifies) notifier.notifyAboutInstanceAction(ctx, inst(), s.bdms.listForInstance(uuid), host, 'delete', 'start', null, { source: 'nova-api', bdmsFromDb: true });
  const elevated = { ...ctx, isAdmin: true };
  if (d.network) await deallocateForInstance(d.network, elevated, inst());
  // The network info cache (deallocate_for_instance → info_cache.save), not an Instance.save.
  s.db.transaction(() => s.instances.update(uuid, { network_info: [] }))();
  // _local_cleanup_bdm_volumes: failures are logged and ignored.
  const bdms = s.bdms.listForInstance(uuid);
  for (const bdm of bdms.filter((b) => b.volume_id)) {
    try {
      if (bdm.attachment_id) await d.volumes.attachmentDelete(ctx, bdm.attachment_id);
      else {
        if (bdm.connection_info) await d.volumes.terminateConnection(ctx, bdm.volume_id!, d.driver.getVolumeConnector(inst()));
        await d.volumes.detach(elevated, bdm.volume_id!, uuid);
      }
      if (bdm.delete_on_termination) await d.volumes.delete(ctx, bdm.volume_id!);
    } catch {
      /* "Ignoring volume cleanup failure" */
    }
  }
  s.db.transaction(() => {
    const t = s.runtime.now();
    for (const b of bdms) s.bdms.destroy(b.id, t);
    saveInstance(s, notifier, ctx, uuid, { vm_state: type === 'soft_delete' ? 'soft-delete' : 'deleted', task_state: null, terminated_at: t, updated_at: t });
    // instance.destroy(): not an Instance.save (no send_update).
    s.instances.update(uuid, { deleted: true, deleted_at: t });
  })();
  if (notifies) notifier.notifyAboutInstanceAction(ctx, inst(), s.bdms.listForInstance(uuid), host, 'delete', 'end', null, { source: 'nova-api', bdmsFromDb: true });
  s.db.transaction(() => s.actions.start({ action: 'delete', instanceUuid: uuid, requestId: ctx.requestId, userId: ctx.userId, projectId: ctx.projectId, at: s.runtime.now() }))();
}

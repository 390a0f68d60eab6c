// nova-compute's start-up clean-up (ComputeManager.init_host/_init_instance), extended to every
// operation novasim records in compute_tasks: an operation interrupted by a crash is completed
// when Cinder shows it got past its point of no return, and rolled back otherwise.
// Invariant kept: a BDM never points at a volume Cinder does not show attached to its instance.
import type { BlockDeviceMapping, RequestContext } from '../domain.js';
import { POWER_STATE } from '../domain.js';
import { saveInstance } from './instance-save.js';
import { translateVolumeError } from './cinder-errors.js';
import type { ManagerDeps } from './deps.js';
import { terminateInstance } from './flows/delete.js';
import { denyShare } from './flows/shares.js';
import { softDeleteInstance } from './flows/soft-delete.js';
import type { Cast } from './manager.js';
import { CinderClientError } from './volume-api.js';
import { SERVER_ACTIONS } from './actions/index.js';
import { flowContext, runServerAction } from './actions/flow.js';
import { recoverLiveMigrationJob } from './live-migration/manager.js';
import { prepared } from '../store/statement-cache.js';

interface TaskRow { id: number; instance_uuid: string; kind: string; args: string; context: string }

export interface RecoveryReport {
  completed: { kind: string; instance: string }[];
  rolledBack: { kind: string; instance: string }[];
}

const INTERRUPTED = 'Operation interrupted by a restart of nova-compute';

/** A context for clean-up calls: nova's own service credentials (tokens of the crashed requests may be gone). */
function serviceContext(d: ManagerDeps, original: RequestContext): RequestContext {
  const s = d.services;
  const user = s.identity.user({ name: 'nova' });
  const project = s.identity.project({ name: 'service' });
  if (!user || !project) return original;
  const t = s.tokens.issue(user, project, s.identity.roles(user.id, project.id), ['password']);
  return { ...original, userId: t.userId, projectId: t.projectId, roles: t.roles.map((r) => r.name), isAdmin: true, authToken: t.id };
}

async function attachmentState(d: ManagerDeps, ctx: RequestContext, id: string | null): Promise<string | null> {
  if (!id) return null;
  try {
    return (await d.volumes.attachmentGet(ctx, id)).status;
  } catch (e) {
    if (e instanceof CinderClientError && e.kind === 'not_found') return null;
    throw translateVolumeError(e, id, 'attachment_get');
  }
}

export async function recoverInterrupted(d: ManagerDeps): Promise<RecoveryReport> {
  const s = d.services;
  const report: RecoveryReport = { completed: [], rolledBack: [] };
  const rows = prepared(s.db, 'SELECT * FROM compute_tasks ORDER BY id').all() as TaskRow[];
  for (const row of rows) {
    const cast = JSON.parse(row.args) as Cast;
    const ctx = serviceContext(d, JSON.parse(row.context) as RequestContext);
    const reqId = (JSON.parse(row.context) as RequestContext).requestId;
    let outcome: 'completed' | 'rolled back' = 'rolled back';
    try {
      outcome = await recoverOne(d, ctx, cast);
    } catch {
      // Cinder unreachable or the rows are gone: record the fault, keep going.
    }
    const now = s.runtime.now();
    s.db.transaction(() => {
      const action = s.actions.get(cast.uuid, reqId);
      if (action) {
        const open = s.actions.events(action.id).find((e) => e.finish_time === null);
        const eventId = open?.id ?? s.actions.eventStart(action.id, `compute_${eventMethod(cast)}`, s.instances.get(cast.uuid, { readDeleted: true })?.host ?? s.config.computeHost, now);
        s.actions.eventFinish(eventId, action.id, now, outcome === 'completed' ? null : { details: INTERRUPTED, traceback: '' });
      }
      if (outcome === 'rolled back' && s.instances.get(cast.uuid, { readDeleted: true })) {
        s.actions.addFault({ instanceUuid: cast.uuid, code: 500, message: INTERRUPTED, details: `${cast.kind} was rolled back at start-up`, host: s.config.confHost, at: now });
      }
      prepared(s.db, 'DELETE FROM compute_tasks WHERE id = ?').run(row.id);
    })();
    (outcome === 'completed' ? report.completed : report.rolledBack).push({ kind: cast.kind, instance: cast.uuid });
  }
  return report;
}

import { healNetworkInfo } from './network.js';

async function recoverOne(d: ManagerDeps, ctx: RequestContext, c: Cast): Promise<'completed' | 'rolled back'> {
  const s = d.services;
  const instance = s.instances.get(c.uuid);
  switch (c.kind) {
    case 'build_and_run_instance':
      // _init_instance: a BUILDING instance failed to spawn correctly → ERROR.
      if (instance && instance.vm_state === 'building') {
        // _set_instance_obj_error_state(instance, clean_task_state=True): an instance.save().
        saveInstance(s, d.notifier, ctx, c.uuid, { vm_state: 'error', task_state: null, power_state: POWER_STATE.pending, updated_at: s.runtime.now() });
        return 'rolled back';
      }
      return 'completed';
    case 'terminate_instance':
      // _init_instance: task_state DELETING → finish the delete.
      if (instance) await terminateInstance(d, ctx, c.uuid);
      return 'completed';
    case 'soft_delete_instance':
      // _init_instance: task_state SOFT_DELETING → soft_delete_instance again.
      if (instance?.task_state === 'soft-deleting') await softDeleteInstance(d, ctx, c.uuid);
      return 'completed';
    case 'attach_volume': {
      const bdm = s.bdms.listForInstance(c.uuid).find((b) => b.id === c.bdmId);
      if (!bdm) {
        // The server was deleted while the attach was in flight (its BDM is soft-deleted): release the
        // attachment as flows/attach.ts does for a gone instance — the one the row names, or, when the
        // kill came before the API saved it, any attachment of the pair no live BDM names.
        const row = prepared(s.db, 'SELECT attachment_id, volume_id, instance_uuid FROM block_device_mappings WHERE id = ?').get(c.bdmId) as
          { attachment_id: string | null; volume_id: string | null; instance_uuid: string } | undefined;
        if (row?.attachment_id) await d.volumes.attachmentDelete(ctx, row.attachment_id).catch(() => undefined);
        else if (row?.volume_id) await deleteUnrecordedAttachments(d, ctx, { volume_id: row.volume_id, instance_uuid: row.instance_uuid });
        return 'rolled back';
      }
      if ((await attachmentState(d, ctx, bdm.attachment_id)) === 'attached') {
        const att = await d.volumes.attachmentGet(ctx, bdm.attachment_id!);
        s.bdms.update(bdm.id, { connection_info: JSON.stringify({ ...att.connection_info, serial: bdm.volume_id }), updated_at: s.runtime.now() });
        return 'completed';
      }
      if (bdm.attachment_id) await d.volumes.attachmentDelete(ctx, bdm.attachment_id).catch(() => undefined);
      else await deleteUnrecordedAttachments(d, ctx, bdm);
      s.bdms.destroy(bdm.id, s.runtime.now());
      return 'rolled back';
    }
    case 'detach_volume': {
      // The user was told 202: finish the detach.
      const bdm = s.bdms.getByVolumeAndInstance(c.volumeId, c.uuid);
      const att = bdm ? bdm.attachment_id : c.attachmentId;
      if (att) await d.volumes.attachmentDelete(ctx, att).catch((e) => {
        if (!(e instanceof CinderClientError && e.kind === 'not_found')) throw e;
      });
      if (bdm) s.bdms.destroy(bdm.id, s.runtime.now());
      return 'completed';
    }
    case 'swap_volume':
      return recoverSwap(d, ctx, c);
    case 'attach_interface':
    case 'detach_interface':
      // The cache is rebuilt from the instance's bound ports in Neutron (heal_instance_info_cache).
      if (instance) await healNetworkInfo(d, ctx, instance);
      return 'completed';
    case 'allow_share':
    case 'deny_share':
      return recoverShare(d, ctx, c);
    case 'server_action':
      return recoverServerAction(d, ctx, c);
    case 'live_migration_job':
      return recoverLiveMigrationJob(d, ctx, c);
    case 'live_migration_force_complete':
    case 'live_migration_abort':
      // The job they act on is recovered on its own row (an interrupted job ends in error).
      return 'rolled back';
  }
}

/**
 * An allow_share/deny_share cast a crash interrupted: the mapping is made to agree with Manila. A mapping
 * still `attaching` becomes `inactive` when Manila shows the access rule active (the allow got through),
 * else `error` (Nova's state for a failed attach: the user may detach it); a mapping still `detaching` is
 * denied again (the rule may already be gone: ShareAccessNotFound/ShareNotFound end the detach too).
 */
async function recoverShare(d: ManagerDeps, ctx: RequestContext, c: Extract<Cast, { kind: 'allow_share' | 'deny_share' }>): Promise<'completed' | 'rolled back'> {
  const s = d.services;
  const m = s.shareMappings.get(c.uuid, c.shareId);
  const instance = s.instances.get(c.uuid);
  if (!m || !instance) return 'completed';
  if (c.kind === 'allow_share') {
    if (m.status !== 'attaching') return 'completed';
    const ip = s.hosts.nodesByHost(instance.host ?? s.config.computeHost)[0]?.host_ip ?? '127.0.0.1';
    const [type, to] = m.share_proto === 'CEPHFS' ? ['cephx', 'nova'] : ['ip', ip];
    const rules = await d.shares.accessRules(ctx, c.shareId).catch(() => []);
    const granted = rules.some((r) => r.access_type === type && r.access_to === to && r.state === 'active');
    s.shareMappings.setStatus(c.uuid, c.shareId, granted ? 'inactive' : 'error', s.runtime.now());
    return granted ? 'completed' : 'rolled back';
  }
  if (m.status !== 'detaching') return 'completed';
  const failed = await denyShare(d, ctx, c.uuid, c.shareId);
  return failed ? 'rolled back' : 'completed';
}

/**
 * The API was killed while Cinder's attachment_create was in flight (the cast is recorded with the BDM,
 * api.ts attachVolume): Cinder may hold a `reserved` attachment for this volume and server whose id
 * Nova never saved. Any attachment of the pair that no other BDM names is that one: _attach_volume's
 * failure path would have deleted it (attachment_delete in its except).
 */
async function deleteUnrecordedAttachments(d: ManagerDeps, ctx: RequestContext, bdm: Pick<BlockDeviceMapping, 'volume_id' | 'instance_uuid'>): Promise<void> {
  if (!bdm.volume_id) return;
  const known = new Set(d.services.bdms.listByVolume(bdm.volume_id).map((b) => b.attachment_id).filter((x): x is string => Boolean(x)));
  for (const a of await d.volumes.attachmentList(ctx, bdm.volume_id, bdm.instance_uuid)) {
    if (!known.has(a.id)) await d.volumes.attachmentDelete(ctx, a.id);
  }
}

/** The manager method a cast ran (its action event is `compute_<method>`). */
function eventMethod(c: Cast): string {
  if (c.kind === 'build_and_run_instance') return '_do_build_and_run_instance';
  if (c.kind === 'server_action') {
    const m = SERVER_ACTIONS.get(c.action)?.method;
    return (typeof m === 'function' ? m(c.args) : m) ?? c.action;
  }
  if (c.kind === 'live_migration_job') return 'live_migration';
  return c.kind;
}

/**
 * _init_instance for a declared action still in its task_state: POWERING_OFF / POWERING_ON /
 * the reboot states run the method again (stop_instance, start_instance, reboot_instance);
 * the others get task_state None, as reverts_task_state would have left them.
 */
async function recoverServerAction(d: ManagerDeps, ctx: RequestContext, c: Extract<Cast, { kind: 'server_action' }>): Promise<'completed' | 'rolled back'> {
  const s = d.services;
  const decl = SERVER_ACTIONS.get(c.action);
  const instance = s.instances.get(c.uuid);
  // Multi-step actions (resize, confirm, revert) know from their migration record how far they got.
  if (decl?.recover && instance) return decl.recover(flowContext(d, ctx, c.uuid, c.args));
  if (!decl || !instance || instance.task_state === null) return 'completed';
  if (decl.recoverCleanup) {
    await decl.recoverCleanup(flowContext(d, ctx, c.uuid, c.args));
    return 'rolled back';
  }
  if (decl.onRestart === 'retry') {
    await runServerAction(d, ctx, decl, c.uuid, c.args);
    return 'completed';
  }
  if (typeof decl.onRestart === 'function') return decl.onRestart(flowContext(d, ctx, c.uuid, c.args));
  // _init_instance: instance.task_state = None; instance.save().
  saveInstance(s, d.notifier, ctx, c.uuid, { task_state: null, updated_at: s.runtime.now() });
  decl.revertExtra?.(d, c.args);
  return 'rolled back';
}

/**
 * A swap_volume cast a crash interrupted. _swap_volume's steps (nova/compute/manager.py): attachment_update
 * of the new attachment, the driver's swap, attachment_complete, then (finally) attachment_delete of the
 * old one, migrate_volume_completion when Cinder drives a migration, and _do_swap_volume's BDM save.
 * Once the old attachment is deleted the guest runs on the new volume and there is nothing to roll back
 * onto: the swap is completed forward (completeSwap). Before that point it is rolled back as
 * _swap_volume's except does. Upstream's _init_instance has no case for it (swap_volume sets no
 * task_state), so a swap killed there stays half done; novasim keeps its invariant instead.
 */
async function recoverSwap(d: ManagerDeps, ctx: RequestContext, c: Extract<Cast, { kind: 'swap_volume' }>): Promise<'completed' | 'rolled back'> {
  const s = d.services;
  const bdm: BlockDeviceMapping | null = s.bdms.getByVolumeAndInstance(c.oldVolumeId, c.uuid);
  if (c.apiPending) {
    // The API was killed between begin_detaching and its cast (api.ts swapVolume): what swap_volume's
    // failure handling would release — roll_detaching of the old volume, the new volume's attachment
    // (its id was never saved: any attachment of the pair no BDM names) or reservation (legacy BDM).
    await d.volumes.rollDetaching(ctx, c.oldVolumeId).catch(() => undefined);
    const known = new Set(s.bdms.listByVolume(c.newVolumeId).map((b) => b.attachment_id).filter((x): x is string => Boolean(x)));
    for (const a of await d.volumes.attachmentList(ctx, c.newVolumeId, c.uuid)) {
      if (!known.has(a.id)) await d.volumes.attachmentDelete(ctx, a.id);
    }
    if (bdm && !bdm.attachment_id) {
      const nv = await d.volumes.get(ctx, c.newVolumeId).catch(() => null);
      if (nv?.status === 'reserved') await d.volumes.unreserveVolume(ctx, c.newVolumeId).catch(() => undefined);
    }
    return 'rolled back';
  }
  if (!bdm) {
    // Either the BDM was already switched before the crash (it names the new attachment), or a detach
    // queued before this swap removed it (storm finding: the swap never ran, flows/swap.ts
    // releaseUnstartedSwap): then release what the API reserved and end Cinder's migration.
    const switched = c.newAttachmentId === null || s.bdms.listByVolume(c.newVolumeId).concat(s.bdms.listByVolume(c.oldVolumeId)).some((b) => b.attachment_id === c.newAttachmentId);
    if (switched || (await attachmentState(d, ctx, c.newAttachmentId)) === null) return 'completed';
    await d.volumes.rollDetaching(ctx, c.oldVolumeId).catch(() => undefined);
    await d.volumes.attachmentDelete(ctx, c.newAttachmentId!).catch(() => undefined);
    const [old, nv] = await Promise.all([d.volumes.get(ctx, c.oldVolumeId).catch(() => null), d.volumes.get(ctx, c.newVolumeId).catch(() => null)]);
    if (old?.migration_status === 'migrating' && nv?.migration_status === `target:${c.oldVolumeId}`) {
      await d.volumes.migrateVolumeCompletion(ctx, c.oldVolumeId, c.newVolumeId, true).catch(() => undefined);
    }
    return 'rolled back';
  }
  // Killed after the BDM save of Cinder's own migration (its row is dropped after `.end`): the BDM kept
  // the old volume's id (save_volume_id) and already names the new attachment, which Cinder moved to
  // that volume. Nothing is left to do; rolling back would delete the BDM's own attachment.
  if (bdm.attachment_id !== null && bdm.attachment_id === c.newAttachmentId) return 'completed';
  const oldState = await attachmentState(d, ctx, bdm.attachment_id);
  const newState = await attachmentState(d, ctx, c.newAttachmentId);
  if (bdm.attachment_id && oldState === null && newState !== null) return completeSwap(d, ctx, c, bdm, newState);
  // _swap_volume's failure path: roll Cinder back, then (Cinder-driven migration or legacy BDM)
  // migrate_volume_completion(error=True) so Cinder ends its migration too.
  await d.volumes.rollDetaching(ctx, c.oldVolumeId).catch(() => undefined);
  if (c.newAttachmentId && newState !== null) await d.volumes.attachmentDelete(ctx, c.newAttachmentId).catch(() => undefined);
  if (!c.newAttachmentId) await d.volumes.unreserveVolume(ctx, c.newVolumeId).catch(() => undefined);
  const old = await d.volumes.get(ctx, c.oldVolumeId).catch(() => null);
  if (old?.migration_status === 'migrating' || !bdm.attachment_id) {
    await d.volumes.migrateVolumeCompletion(ctx, c.oldVolumeId, c.newVolumeId, true).catch(() => undefined);
  }
  return 'rolled back';
}

/**
 * The forward half of recoverSwap: the old attachment is gone, so _swap_volume got past its
 * attachment_delete (it follows attachment_complete); what is left is done now, as the live flow
 * (flows/swap.ts) would have: attachment_update/attachment_complete if the new attachment is not yet
 * `attached`, Cinder's migrate_volume_completion when this swap is Cinder's own migration still
 * `migrating`, then the BDM save. Storm finding (seed 20261130, round 2116): an admin's direct swap V→W
 * of a volume Cinder is migrating to T was killed after V's attachment was deleted; recovery called
 * migrate_volume_completion(V, W) because V was `migrating`, Cinder refused it ("Destination volume not
 * mid-migration.", cinder/volume/api.py migrate_volume_completion: W is no `target:V`), and the BDM was
 * left on V's deleted attachment. Cinder's completion is asked only when the new volume is the old
 * one's migration target — the same answer the live flow reaches (it ends such a swap as the plain
 * new-style swap it is, comp_ret = {'save_volume_id': new_volume_id}). No `.end` is emitted: recovery
 * of every operation is silent (the `.start` went out from the process that died).
 */
async function completeSwap(
  d: ManagerDeps, ctx: RequestContext, c: Extract<Cast, { kind: 'swap_volume' }>, bdm: BlockDeviceMapping, newState: string,
): Promise<'completed'> {
  const s = d.services;
  const newAttachmentId = c.newAttachmentId!;
  const instance = s.instances.get(c.uuid, { readDeleted: true });
  if (newState === 'reserved' && instance) await d.volumes.attachmentUpdate(ctx, newAttachmentId, d.driver.getVolumeConnector(instance), bdm.device_name);
  if (newState !== 'attached') await d.volumes.attachmentComplete(ctx, newAttachmentId);
  const [old, nv] = await Promise.all([d.volumes.get(ctx, c.oldVolumeId).catch(() => null), d.volumes.get(ctx, c.newVolumeId).catch(() => null)]);
  let save: string | null = null;
  if (old?.migration_status === 'migrating' && nv?.migration_status === `target:${c.oldVolumeId}`) {
    // Killed between the old attachment's delete and migrate_volume_completion: complete now.
    save = (await d.volumes.migrateVolumeCompletion(ctx, c.oldVolumeId, c.newVolumeId, false)).save_volume_id;
  }
  // Otherwise Cinder may already have completed its migration (one transaction): the new attachment
  // then belongs to the volume that kept its id, never to the temporary target; for a plain swap it
  // is the new volume's.
  const att = await d.volumes.attachmentGet(ctx, newAttachmentId);
  save ??= att.volume_id;
  const cinfo = { ...att.connection_info, serial: save, volume_id: save };
  if ('data' in cinfo && cinfo.data && typeof cinfo.data === 'object') cinfo.data = { ...(cinfo.data as object), volume_id: save };
  const values: Partial<BlockDeviceMapping> = { volume_id: save, attachment_id: newAttachmentId, connection_info: JSON.stringify(cinfo), snapshot_id: null, updated_at: s.runtime.now() };
  // _do_swap_volume: resize_to when the new volume is larger (a plain swap only: a migration keeps the size).
  if (save === c.newVolumeId && old && nv && nv.size > old.size) values.volume_size = nv.size;
  s.bdms.update(bdm.id, values);
  return 'completed';
}

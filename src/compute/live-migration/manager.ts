// nova-compute's half of a live migration (nova/compute/manager.py), source and destination:
//   live_migration (source: migration `queued`, the job handed to the live-migration executor)
//   → _do_live_migration (`preparing`, pre_live_migration on the destination, `running`,
//     driver.live_migration: FakeLiveMigrateDriver runs until force_complete/abort or its time is up)
//   → _post_live_migration (+ post_live_migration_at_destination)  or  _rollback_live_migration
//     (+ rollback_live_migration_at_destination when the destination has something to clean up).
// live_migration_force_complete and live_migration_abort run in the instance's queue while the job runs.
// Each host publishes its own notifications with the instance as *its* copy shows it (the source's
// object is not refreshed after the destination's save, as in Nova).
import type { BlockDeviceMapping, Instance, RequestContext } from '../../domain.js';
import { POWER_STATE } from '../../domain.js';
import { MigrationRecords } from '../../store/migration-records.js';
import type { ManagerDeps } from '../deps.js';
import { withInstanceEvent } from '../events.js';
import { asComputeException, ComputeException, frame } from '../exceptions.js';
import { listInstancePorts } from '../network.js';
import { saveInstance } from '../instance-save.js';
import { translateAttachmentError } from '../cinder-errors.js';
import type { LiveMigrationCast } from './conductor.js';
import { prepared } from '../../store/statement-cache.js';

/** The background job's cast (recorded in compute_tasks like any cast, run outside the instance queue). */
export interface LiveMigrationJob {
  kind: 'live_migration_job';
  uuid: string;
  cast: LiveMigrationCast;
  /** migrate_data.old_vol_attachment_ids once pre_live_migration created the destination's attachments. */
  oldAttachments?: Record<string, string>;
}

/** What the running job listens to: FakeLiveMigrateDriver's _migrating / _abort_migration flags. */
interface Monitor {
  migrationId: number;
  aborted: boolean;
  /** A simulator reset is wiping everything: the job just stops. */
  abandoned?: boolean;
  wake: () => void;
  woken: Promise<void>;
}

const monitors = new WeakMap<object, Map<string, Monitor>>();
function monitorsOf(d: ManagerDeps): Map<string, Monitor> {
  let m = monitors.get(d.services);
  if (!m) monitors.set(d.services, (m = new Map()));
  return m;
}

/** Stop every migration job of this simulator at once (before a reset wipes the database). */
export function abandonLiveMigrations(services: object): void {
  for (const mon of monitors.get(services)?.values() ?? []) {
    mon.abandoned = true;
    mon.wake();
  }
}

const records = (d: ManagerDeps) => new MigrationRecords(d.services.db);
const now = (d: ManagerDeps) => d.services.runtime.now();

function setMigrationStatus(d: ManagerDeps, id: number, status: string): void {
  d.services.db.transaction(() => records(d).update(id, { status }, now(d).toISOString()))();
}

function notify(d: ManagerDeps, ctx: RequestContext, instance: Instance, host: string, action: string, phase: 'start' | 'end', bdms?: BlockDeviceMapping[]): void {
  const s = d.services;
  d.notifier.notifyAboutInstanceAction(ctx, instance, bdms ?? s.bdms.listForInstance(instance.uuid), host, action, phase, null, { bdmsFromDb: !bdms });
}

/** The simulated hypervisor (or RPC) call: a named fault point `{service: "compute", operation}`. */
async function faultPoint(d: ManagerDeps, operation: string, uuid: string, entry: string[]): Promise<void> {
  const [mod, fn] = operation.startsWith('rpc.') ? ['nova.compute.rpcapi', operation.slice(4)] : ['nova.virt.libvirt.driver', operation.replace(/^driver\./, '')];
  await d.driver.faultPoint(operation, { instance_uuid: uuid }, entry, frame(mod, fn));
}

/** The instance as the destination's own compute service sees it (its host, for events and connectors). */
const onHost = (i: Instance, host: string): Instance => ({ ...i, host });

/**
 * ComputeManager.live_migration (source; @errors_out_migration): the migration is `queued` and the
 * job submitted to the live-migration executor; the RPC method returns at once.
 */
export async function liveMigration(d: ManagerDeps, ctx: RequestContext, uuid: string, cast: LiveMigrationCast): Promise<void> {
  try {
    setMigrationStatus(d, cast.migrationId, 'queued');
    let wake = () => {};
    const woken = new Promise<void>((r) => (wake = r));
    monitorsOf(d).set(uuid, { migrationId: cast.migrationId, aborted: false, wake, woken });
    if (!d.spawn) throw new ComputeException('LiveMigrationNotSubmitted', `Failed to submit live migration ${cast.migrationId} for instance ${uuid} because the executor is shutting down.`, { novaException: true });
    d.spawn(ctx, { kind: 'live_migration_job', uuid, cast });
  } catch (e) {
    setMigrationStatus(d, cast.migrationId, 'error');
    throw e;
  }
}

/** ComputeManager._do_live_migration, the executor's job. `taskId` is its compute_tasks row. */
export async function doLiveMigration(d: ManagerDeps, ctx: RequestContext, job: LiveMigrationJob, taskId: number): Promise<void> {
  const s = d.services;
  const { uuid, cast } = job;
  const mon = monitorsOf(d).get(uuid);
  try {
    if (!mon || !s.instances.get(uuid)) return;
    setMigrationStatus(d, cast.migrationId, 'preparing');
    const sourceBdms = s.bdms.listForInstance(uuid);
    const source = s.instances.get(uuid)!.host!;
    // _do_pre_live_migration_from_source: the destination's pre_live_migration (an RPC call).
    let oldAttachments: Record<string, string>;
    try {
      await faultPoint(d, 'rpc.pre_live_migration', uuid, ['_do_live_migration', '_do_pre_live_migration_from_source']);
      oldAttachments = await preLiveMigrationOnDest(d, ctx, uuid, cast, (ids) => {
        prepared(s.db, 'UPDATE compute_tasks SET args = ? WHERE id = ?').run(JSON.stringify({ ...job, oldAttachments: ids }), taskId);
      });
    } catch {
      // _cleanup_pre_live_migration: the migration in `error`, then the rollback (nothing to undo on
      // the destination's disks beyond its clean-up). The job's exception is only logged by the executor.
      setMigrationStatus(d, cast.migrationId, 'error');
      await rollbackLiveMigration(d, ctx, uuid, cast, sourceBdms, source, null);
      return;
    }
    if (mon.aborted) {
      // Aborted while preparing (2.65): _waiting_live_migrations no longer has it.
      await rollbackLiveMigration(d, ctx, uuid, cast, sourceBdms, source, 'cancelled');
      notify(d, ctx, s.instances.get(uuid)!, source, 'live_migration_abort', 'end');
      return;
    }
    setMigrationStatus(d, cast.migrationId, 'running');
    // The driver's progress report (deterministic: the job's sizes, nothing copied yet).
    const inst = s.instances.get(uuid)!;
    const memory = inst.flavor.memory_mb * 1024 * 1024;
    const disk = cast.blockMigration ? (inst.flavor.root_gb + inst.flavor.ephemeral_gb) * 1024 ** 3 : 0;
    s.db.transaction(() => records(d).update(cast.migrationId, { memory_total: memory, memory_processed: 0, memory_remaining: memory, disk_total: disk, disk_processed: 0, disk_remaining: disk }, now(d).toISOString()))();
    try {
      await faultPoint(d, 'driver.live_migration', uuid, ['_do_live_migration']);
    } catch {
      // "Live migration failed.": the migration in `error`, the instance in ERROR (task_state cleared):
      // _set_instance_obj_error_state(instance, clean_task_state=True), an instance.save().
      setMigrationStatus(d, cast.migrationId, 'error');
      s.db.transaction(() => saveInstance(s, d.notifier, ctx, uuid, { vm_state: 'error', task_state: null, updated_at: now(d) }))();
      return;
    }
    // FakeLiveMigrateDriver.live_migration: migrating until force_complete/abort, the time is up, or
    // the guest is gone (the instance deleted, the simulator closed).
    const deadline = Date.now() + s.config.liveMigrationMs;
    let woken = false;
    void mon.woken.then(() => (woken = true));
    while (!woken && Date.now() < deadline && s.db.open && s.instances.get(uuid)) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([mon.woken, new Promise<void>((r) => {
        timer = setTimeout(r, Math.min(50, Math.max(0, deadline - Date.now())));
        // A migration in progress does not keep the process alive.
        timer.unref();
      })]);
      clearTimeout(timer);
    }
    // The simulator was closed meanwhile (a stop or a crash): the job ends with it; recovery picks it
    // up. A reset: everything goes anyway.
    if (!s.db.open || mon.abandoned) return;
    if (!s.instances.get(uuid)) {
      // Deleted while migrating: its terminate removed the destination's attachments; the source's go too.
      for (const att of Object.values(oldAttachments)) await d.volumes.attachmentDelete(ctx, att).catch(() => undefined);
      setMigrationStatus(d, cast.migrationId, 'error');
      return;
    }
    if (mon.aborted) {
      await rollbackLiveMigration(d, ctx, uuid, cast, sourceBdms, source, 'cancelled');
      return;
    }
    try {
      // The hypervisor's migration job itself failing (libvirt's _live_migration_monitor): the
      // driver calls recover_method with its default status, `failed`.
      await faultPoint(d, 'driver.live_migration_monitor', uuid, ['_do_live_migration']);
    } catch {
      await rollbackLiveMigration(d, ctx, uuid, cast, sourceBdms, source, 'failed');
      return;
    }
    await postLiveMigration(d, ctx, uuid, cast, sourceBdms, source);
  } finally {
    if (monitorsOf(d).get(uuid) === mon) monitorsOf(d).delete(uuid);
  }
}

/**
 * ComputeManager.pre_live_migration on the destination (@wrap_instance_event on that host): new
 * Cinder attachments for the destination's connector, then the driver; the old attachment ids are
 * returned (migrate_data.old_vol_attachment_ids). Throws when it failed (after undoing its attachments).
 */
async function preLiveMigrationOnDest(d: ManagerDeps, ctx: RequestContext, uuid: string, cast: LiveMigrationCast, remember: (ids: Record<string, string>) => void): Promise<Record<string, string>> {
  const s = d.services;
  const old: Record<string, string> = {};
  let failure: unknown = null;
  const err = await withInstanceEvent(d, ctx, onHost(s.instances.get(uuid)!, cast.dest), 'pre_live_migration', async () => {
    const bdms = s.bdms.listForInstance(uuid);
    notify(d, ctx, s.instances.get(uuid)!, cast.dest, 'live_migration_pre', 'start', bdms);
    const instance = s.instances.get(uuid)!;
    const connector = d.driver.getVolumeConnector(onHost(instance, cast.dest));
    try {
      for (const bdm of bdms) {
        if (!bdm.volume_id || !bdm.attachment_id) continue;
        let att;
        try {
          att = await d.volumes.attachmentCreate(ctx, bdm.volume_id, uuid, connector, bdm.device_name);
        } catch (e) {
          throw translateAttachmentError(e, bdm.volume_id, 'attachment_create');
        }
        old[bdm.volume_id] = bdm.attachment_id;
        // migrate_data.old_vol_attachment_ids (kept on the job's row for recovery) and bdm.save(): one step.
        s.db.transaction(() => {
          remember({ ...old });
          s.bdms.update(bdm.id, { attachment_id: att.id, connection_info: JSON.stringify({ ...att.connection_info, serial: bdm.volume_id }), updated_at: now(d) });
        })();
      }
      await faultPoint(d, 'driver.pre_live_migration', uuid, ['pre_live_migration', '_do_pre_live_migration']);
    } catch (e) {
      // Roll the BDMs back to the source's attachments.
      for (const bdm of s.bdms.listForInstance(uuid)) {
        const was = bdm.volume_id ? old[bdm.volume_id] : undefined;
        if (!was || !bdm.attachment_id) continue;
        await d.volumes.attachmentDelete(ctx, bdm.attachment_id).catch(() => undefined);
        const orig = bdms.find((b) => b.id === bdm.id);
        s.db.transaction(() => s.bdms.update(bdm.id, { attachment_id: was, connection_info: orig?.connection_info ?? null, updated_at: now(d) }))();
      }
      remember({});
      failure = e;
      throw asComputeException(e, ['pre_live_migration', '_do_pre_live_migration']);
    }
    for (const bdm of s.bdms.listForInstance(uuid)) {
      if (bdm.volume_id && bdm.attachment_id && old[bdm.volume_id]) await d.volumes.attachmentComplete(ctx, bdm.attachment_id);
    }
    notify(d, ctx, s.instances.get(uuid)!, cast.dest, 'live_migration_pre', 'end', s.bdms.listForInstance(uuid));
  });
  if (err) throw failure ?? err;
  return old;
}

/** _rollback_volume_bdms: delete the destination's attachments, put the source's back. */
async function rollbackVolumeBdms(d: ManagerDeps, ctx: RequestContext, uuid: string, sourceBdms: BlockDeviceMapping[]): Promise<void> {
  const s = d.services;
  for (const bdm of s.bdms.listForInstance(uuid)) {
    const orig = sourceBdms.find((b) => b.volume_id === bdm.volume_id);
    if (!orig || !bdm.volume_id) continue;
    if (bdm.attachment_id && orig.attachment_id && bdm.attachment_id !== orig.attachment_id) {
      // cinder_exception.ClientException is only logged.
      await d.volumes.attachmentDelete(ctx, bdm.attachment_id).catch(() => undefined);
    }
    s.db.transaction(() => s.bdms.update(bdm.id, { attachment_id: orig.attachment_id, connection_info: orig.connection_info, updated_at: now(d) }))();
  }
}

/**
 * ComputeManager._rollback_live_migration (source). `status` null keeps what the caller set
 * (_cleanup_pre_live_migration already set `error`). The destination's rollback (a cast, with the
 * instance as serialised then: task_state still migrating) runs when it has something to clean up:
 * a block migration (not a shared instance path, _live_migration_cleanup_flags).
 */
async function rollbackLiveMigration(d: ManagerDeps, ctx: RequestContext, uuid: string, cast: LiveMigrationCast, sourceBdms: BlockDeviceMapping[], source: string, status: string | null): Promise<void> {
  const s = d.services;
  if (!s.instances.get(uuid)) return;
  await rollbackVolumeBdms(d, ctx, uuid, sourceBdms);
  const bdms = s.bdms.listForInstance(uuid);
  notify(d, ctx, s.instances.get(uuid)!, source, 'live_migration_rollback', 'start', bdms);
  const destCopy = cast.blockMigration ? s.instances.get(uuid)! : null;
  // instance.task_state = None; instance.progress = 0; instance.save(expected_task_state=[MIGRATING]).
  s.db.transaction(() => saveInstance(s, d.notifier, ctx, uuid, { task_state: null, progress: 0, updated_at: now(d) }))();
  notify(d, ctx, s.instances.get(uuid)!, source, 'live_migration_rollback', 'end', bdms);
  if (status) setMigrationStatus(d, cast.migrationId, status);
  if (destCopy) await rollbackAtDestination(d, ctx, destCopy, cast.dest);
}

/** ComputeManager.rollback_live_migration_at_destination (@wrap_instance_event on the destination). */
async function rollbackAtDestination(d: ManagerDeps, ctx: RequestContext, copy: Instance, dest: string): Promise<void> {
  await withInstanceEvent(d, ctx, onHost(copy, dest), 'rollback_live_migration_at_destination', async () => {
    notify(d, ctx, copy, dest, 'live_migration_rollback_dest', 'start');
    await faultPoint(d, 'driver.rollback_live_migration_at_destination', copy.uuid, ['rollback_live_migration_at_destination', '_do_rollback_live_migration_at_destination']);
    notify(d, ctx, copy, dest, 'live_migration_rollback_dest', 'end');
  });
}

/** ComputeManager._post_live_migration (source), calling post_live_migration_at_destination. */
async function postLiveMigration(d: ManagerDeps, ctx: RequestContext, uuid: string, cast: LiveMigrationCast, sourceBdms: BlockDeviceMapping[], source: string): Promise<void> {
  const s = d.services;
  const copy = s.instances.get(uuid);
  if (!copy) return;
  notify(d, ctx, copy, source, 'live_migration_post', 'start');
  // _post_live_migration_remove_source_vol_connections: the source's attachments go.
  for (const bdm of sourceBdms) {
    if (!bdm.volume_id || !bdm.attachment_id) continue;
    const now_ = s.bdms.listForInstance(uuid).find((b) => b.id === bdm.id);
    if (now_?.attachment_id === bdm.attachment_id) continue; // not moved (no destination attachment)
    await d.volumes.attachmentDelete(ctx, bdm.attachment_id).catch(() => undefined);
  }
  const failed = await withInstanceEvent(d, ctx, onHost(copy, cast.dest), 'post_live_migration_at_destination', async () => {
    // migrate_instance_finish: the ports are bound to the destination.
    const ports = await listInstancePorts(d.network, ctx, uuid).catch(() => []);
    for (const p of ports) await d.network.updatePort(ctx, p.id, { 'binding:host_id': cast.dest });
    notify(d, ctx, s.instances.get(uuid)!, cast.dest, 'live_migration_post_dest', 'start');
    let driverError: unknown = null;
    try {
      await faultPoint(d, 'driver.post_live_migration_at_destination', uuid, ['post_live_migration_at_destination', '_do_post_live_migration_at_destination']);
    } catch (e) {
      driverError = e;
    }
    // _do_post_live_migration_at_destination's finally: host, node, power_state, task_state None,
    // progress 0 (vm_state ERROR when the driver failed); instance.save(expected_task_state=MIGRATING).
    s.db.transaction(() => saveInstance(s, d.notifier, ctx, uuid, {
      ...(driverError ? { vm_state: 'error' as const } : {}),
      host: cast.dest, node: cast.destNode, power_state: POWER_STATE.running, task_state: null, progress: 0, updated_at: now(d),
    }))();
    if (driverError) throw driverError;
    notify(d, ctx, s.instances.get(uuid)!, cast.dest, 'live_migration_post_dest', 'end');
  });
  if (failed) {
    // "Post live migration at destination … failed": re-raised; the migration stays where it was.
    setMigrationStatus(d, cast.migrationId, 'error');
    return;
  }
  notify(d, ctx, copy, source, 'live_migration_post', 'end');
  setMigrationStatus(d, cast.migrationId, 'completed');
}

/** ComputeManager.live_migration_force_complete (source; @wrap_instance_event). */
export async function liveMigrationForceComplete(d: ManagerDeps, ctx: RequestContext, uuid: string): Promise<void> {
  const s = d.services;
  const instance = s.instances.get(uuid);
  if (!instance) return;
  await withInstanceEvent(d, ctx, instance, 'live_migration_force_complete', async () => {
    notify(d, ctx, s.instances.get(uuid)!, instance.host!, 'live_migration_force_complete', 'start');
    await faultPoint(d, 'driver.live_migration_force_complete', uuid, ['live_migration_force_complete']);
    // FakeLiveMigrateDriver.live_migration_force_complete: _migrating = False.
    monitorsOf(d).get(uuid)?.wake();
    notify(d, ctx, s.instances.get(uuid)!, instance.host!, 'live_migration_force_complete', 'end');
  });
}

/** ComputeManager.live_migration_abort (source; @wrap_instance_event). */
export async function liveMigrationAbort(d: ManagerDeps, ctx: RequestContext, uuid: string, migrationId: number): Promise<void> {
  const s = d.services;
  const instance = s.instances.get(uuid);
  if (!instance) return;
  await withInstanceEvent(d, ctx, instance, 'live_migration_abort', async () => {
    notify(d, ctx, s.instances.get(uuid)!, instance.host!, 'live_migration_abort', 'start');
    const mon = monitorsOf(d).get(uuid);
    const m = records(d).get(migrationId);
    if (mon && m && m.status === 'queued') {
      // future.cancel() succeeded: nothing ran; the job will find itself cancelled.
      monitorsOf(d).delete(uuid);
      // instance.task_state = None; instance.save(expected_task_state=[MIGRATING]).
      s.db.transaction(() => saveInstance(s, d.notifier, ctx, uuid, { task_state: null, updated_at: now(d) }))();
      setMigrationStatus(d, migrationId, 'cancelled');
    } else if (mon && m && m.status === 'preparing') {
      mon.aborted = true;
    } else {
      if (!m || m.status !== 'running' || !mon) {
        throw new ComputeException('InvalidMigrationState', `Migration ${migrationId} state of instance ${uuid} is ${m?.status ?? 'None'}. Cannot abort live migration while the migration is in this state.`, { novaException: true, code: 400, frames: [frame('nova.compute.manager', 'live_migration_abort')] });
      }
      await faultPoint(d, 'driver.live_migration_abort', uuid, ['live_migration_abort']);
      // FakeLiveMigrateDriver.live_migration_abort: _abort_migration = True; _migrating = False.
      mon.aborted = true;
      mon.wake();
    }
    notify(d, ctx, s.instances.get(uuid)!, instance.host!, 'live_migration_abort', 'end');
  });
}

/**
 * Start-up clean-up of a job a crash interrupted (_init_instance → _reset_live_migration): the
 * migration in `error`, task_state None, and the Cinder attachments made consistent with where the
 * instance is: finished on the destination → the source's attachments go; otherwise the
 * destination's go and the BDMs point at the source's again.
 */
export async function recoverLiveMigrationJob(d: ManagerDeps, ctx: RequestContext, job: LiveMigrationJob): Promise<'completed' | 'rolled back'> {
  const s = d.services;
  const instance = s.instances.get(job.uuid);
  const old = job.oldAttachments ?? {};
  const m = records(d).get(job.cast.migrationId);
  if (instance && instance.host === job.cast.dest) {
    for (const id of Object.values(old)) await d.volumes.attachmentDelete(ctx, id).catch(() => undefined);
    if (m && m.status !== 'completed') setMigrationStatus(d, m.id, 'completed');
    return 'completed';
  }
  for (const bdm of instance ? s.bdms.listForInstance(job.uuid) : []) {
    if (!bdm.volume_id || !bdm.attachment_id) continue;
    const was = old[bdm.volume_id] ?? bdm.attachment_id;
    if (bdm.attachment_id !== was) {
      await d.volumes.attachmentDelete(ctx, bdm.attachment_id).catch(() => undefined);
      const att = await d.volumes.attachmentGet(ctx, was).catch(() => null);
      s.db.transaction(() => s.bdms.update(bdm.id, { attachment_id: was, ...(att ? { connection_info: JSON.stringify({ ...att.connection_info, serial: bdm.volume_id }) } : {}), updated_at: now(d) }))();
    }
    // Killed between Cinder's attachment_create and its record here: the destination's attachment
    // is only in Cinder. Any attachment of this server's volume but the source's goes.
    const theirs = await d.volumes.attachmentList(ctx, bdm.volume_id, job.uuid).catch(() => []);
    for (const a of theirs) if (a.id !== was) await d.volumes.attachmentDelete(ctx, a.id).catch(() => undefined);
  }
  if (m && ['accepted', 'queued', 'preparing', 'running', 'post-migrating'].includes(m.status)) setMigrationStatus(d, m.id, 'error');
  // _reset_live_migration: instance.task_state = None; instance.save(expected_task_state=[MIGRATING]).
  if (instance && instance.task_state === 'migrating') s.db.transaction(() => saveInstance(s, d.notifier, ctx, job.uuid, { task_state: null, updated_at: now(d) }))();
  return 'rolled back';
}

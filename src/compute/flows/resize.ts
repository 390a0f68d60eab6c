// Resize and cold migration across the simulated compute hosts, as Nova runs them:
//   conductor  ComputeTaskManager.migrate_server → _cold_migrate → MigrationTask (schedule, migration record)
//   dest       ComputeManager.prep_resize → _do_prep_resize → _prep_resize (claim), _reschedule_resize_or_reraise
//   source     ComputeManager.resize_instance → _resize_instance (power off, _terminate_volume_connections)
//   dest       ComputeManager.finish_resize → _finish_resize (flavor, port bindings, volume attachments) → VERIFY_RESIZE
//   source     ComputeManager.confirm_resize → _confirm_resize
//   dest       ComputeManager.revert_resize, then source finish_revert_resize → _finish_revert_resize
// Every manager method is one FlowContext.step (its own compute_<method> action event, fault and
// compute.exception); every write one transaction; the migration record says how far a move got
// (recovery after a crash reads it: see recoverMove/recoverConfirm/recoverRevert).
import { POWER_STATE, type FlavorSnapshot, type Instance, type VmState } from '../../domain.js';
import { computeTaskPayload, type RequestSpecSource } from '../../notifier/payloads/hosts.js';
import { numaTopologyPayload } from '../../notifier/payloads/numa.js';
import { NoValidHost, type Selection } from '../../scheduler/scheduler.js';
import type { MigrationRow } from '../../store/hosts.js';
import { MigrationRecords } from '../../store/migration-records.js';
import { requestSpecFor } from '../conductor.js';
import { exceptionInfo } from '../events.js';
import { ComputeException, asComputeException, frame, formatFrames } from '../exceptions.js';
import type { FinishedMoveArgs, MoveArgs } from '../actions/resize.js';
import type { FlowContext } from '../actions/types.js';

type F<A> = FlowContext<A>;

const records = (f: F<unknown>) => new MigrationRecords(f.d.services.db);

/** instance.save() of several fields and migration.save() in one transaction. */
function saveBoth(f: F<unknown>, patch: Partial<Instance> | null, migrationId: number | null, status: string | null, extra: Parameters<MigrationRecords['update']>[1] = {}): void {
  const s = f.d.services;
  s.db.transaction(() => {
    if (patch) f.save(patch);
    if (migrationId !== null && (status || Object.keys(extra).length)) records(f).update(migrationId, { ...extra, ...(status ? { status } : {}) }, s.runtime.now());
  })();
}

/** The simulated driver / resource-tracker call: a named fault point raising inside `entry`. */
async function faultPoint(f: F<unknown>, operation: string, entry: string[], inner: ReturnType<typeof frame>): Promise<void> {
  await f.d.driver.faultPoint(operation, { instance_uuid: f.uuid }, entry, inner);
}

/**
 * _error_out_instance_on_exception(instance_state=…) with errors_out_migration_ctxt: the migration goes
 * to 'error'; InstanceFaultRollback/NotImplementedError put the instance back in `state`, anything
 * else sets vm_state ERROR. Re-raises.
 */
function errorOut(f: F<unknown>, e: unknown, migrationId: number | null, state: VmState, pending: Partial<Instance> = {}): never {
  const cls = (e as { pyClass?: string }).pyClass;
  const rollback = cls === 'NotImplementedError' || cls === 'InstanceFaultRollback';
  // `pending`: fields set on the object but not yet saved, which this save persists with the state.
  saveBoth(f, { ...pending, ...(rollback ? { vm_state: state, task_state: null } : { vm_state: 'error' as const }) }, migrationId, 'error');
  throw e;
}

// ---------------------------------------------------------------- conductor

/**
 * ComputeTaskManager.migrate_server (@wrap_instance_event(prefix='conductor')) → _cold_migrate:
 * MigrationTask._preallocate_migration, select_destinations (ignore_hosts, requested_destination),
 * and on NoValidHost set_vm_state_and_notify (vm_state kept, task_state None, fault,
 * compute_task.migrate_server.error) before re-raising NoValidHost("No valid host found for …").
 */
async function conductorMigrate(f: F<MoveArgs>, newFlavor: FlavorSnapshot, tried: string[], alternates: Selection[] | null): Promise<{ dest: Selection; migration: MigrationRow; alternates: Selection[] } | null> {
  const s = f.d.services;
  const instance = f.instance();
  const isResize = f.args.flavorRef !== null;
  const action = s.actions.get(f.uuid, f.ctx.requestId);
  const eventId = action ? s.actions.eventStart(action.id, 'conductor_migrate_server', s.config.confHost, s.runtime.now()) : null;
  const migration = s.db.transaction(() =>
    records(f).create({
      uuid: s.runtime.uuid(), instanceUuid: f.uuid, sourceCompute: instance.host, sourceNode: instance.node, destCompute: null, destNode: null, destHost: null,
      oldInstanceTypeId: instance.flavor.id, newInstanceTypeId: newFlavor.id, status: 'pre-migrating', migrationType: isResize ? 'resize' : 'migration',
      userId: f.ctx.userId, projectId: instance.project_id, at: s.runtime.now(),
    }),
  )();
  const { spec, payload } = requestSpecFor(s, instance, {});
  const ignore = [...(f.args.ignoreHosts ?? []), ...tried];
  Object.assign(spec, { flavor: newFlavor, ignoreHosts: ignore, requestedHost: f.args.host ?? null });
  // A resize recalculates the NUMA topology from the new flavor (compute_api.resize).
  Object.assign(payload, { flavor: newFlavor, ignoreHosts: ignore, numaTopology: numaTopologyPayload(newFlavor, f.uuid) });
  let dest: Selection | null = null;
  let left: Selection[] = [];
  let failure: NoValidHost | null = null;
  if (alternates) {
    // MigrationTask._reschedule: the next alternate placement can still claim; none left → MaxRetriesExceeded.
    const usable = alternates.filter((a) => !tried.includes(a.host));
    if (usable.length) [dest, ...left] = usable;
    else failure = new NoValidHost(`Exhausted all hosts available for retrying build failures for instance ${f.uuid}.`);
  } else {
    try {
      dest = f.d.scheduler.selectDestination(f.ctx, spec, payload);
      left = dest.alternates ?? [];
    } catch (err) {
      if (!(err instanceof NoValidHost)) throw err;
      failure = err;
    } finally {
      f.d.scheduler.release(f.uuid);
    }
  }
  if (!dest || failure) {
    const e = new ComputeException('NoValidHost', (failure ?? new NoValidHost('')).message, {
      novaException: true, code: 500,
      frames: [frame('nova.conductor.manager', 'migrate_server'), frame('nova.conductor.manager', '_cold_migrate'), frame('nova.conductor.tasks.base', 'execute'), frame('nova.conductor.tasks.migrate', '_execute')],
    });
    const raised = new ComputeException('NoValidHost', `No valid host was found. No valid host found for ${isResize ? 'resize' : 'cold migrate'}`, { novaException: true, code: 500, frames: e.frames.slice(0, 2) });
    const now = s.runtime.now();
    s.db.transaction(() => {
      records(f).update(migration.id, { status: 'error' }, now);
      f.save({ vm_state: instance.vm_state, task_state: null });
      s.actions.addFault({ instanceUuid: f.uuid, code: 500, message: e.message, details: e.tracebackLines().join(''), host: s.config.confHost, at: now });
      if (eventId !== null && action) s.actions.eventFinish(eventId, action.id, now, { details: raised.message, traceback: formatFrames(raised.frames).join('') });
    })();
    const notifier = f.d.scheduler.notifier;
    if (notifier.versionedEnabled) {
      notifier.emit({
        context: f.ctx, eventType: 'compute_task.migrate_server.error', priority: 'ERROR', source: 'nova-conductor', host: s.config.confHost,
        payload: computeTaskPayload(f.uuid, legacyRoundTrip(payload), instance.vm_state, exceptionInfo(e), s.profile), instanceUuid: f.uuid, projectId: instance.project_id,
      });
    }
    return null;
  }
  const node = s.hosts.nodes().find((n) => n.hypervisor_hostname === dest!.node);
  s.db.transaction(() => {
    records(f).update(migration.id, { dest_compute: dest!.host, dest_node: dest!.node, dest_host: node?.host_ip ?? null }, s.runtime.now());
    // The instance takes the zone of its new host (revert_resize sets the source's back in the API).
    if (f.instance().availability_zone !== dest!.availabilityZone) f.save({ availability_zone: dest!.availabilityZone });
    if (eventId !== null && action) s.actions.eventFinish(eventId, action.id, s.runtime.now(), null);
  })();
  return { dest, migration: records(f).get(migration.id)!, alternates: left };
}

/**
 * scheduler_utils.set_vm_state_and_notify turns the RequestSpec into its legacy dict and
 * notify_about_compute_task_error rebuilds one from it (RequestSpec.from_primitives with no
 * filter_properties): ignore_hosts, forced hosts/nodes, hints, the group and the security groups are lost.
 */
function legacyRoundTrip(p: RequestSpecSource): RequestSpecSource {
  return { ...p, ignoreHosts: null, forceHosts: null, forceNodes: null, schedulerHints: {}, instanceGroup: null, securityGroups: [] };
}

// ---------------------------------------------------------------- resize / cold migrate

/** The cast behind `resize` and `migrate`: conductor, then prep_resize / resize_instance / finish_resize. */
export async function coldMigrateFlow(f: F<MoveArgs>): Promise<void> {
  const newFlavor = f.args.newFlavor ?? f.instance().flavor;
  const tried: string[] = [];
  let alternates: Selection[] | null = null;
  for (;;) {
    const placed = await conductorMigrate(f, newFlavor, tried, alternates);
    if (!placed) return;
    const outcome = await prepResize(f, placed.dest, placed.migration, newFlavor, placed.alternates);
    if (outcome === 'ok') break;
    if (outcome === 'failed') return;
    // Rescheduled: conductor tries the next alternate.
    tried.push(placed.dest.host);
    alternates = placed.alternates;
  }
  const migration = records(f).latestFor(f.uuid);
  if (!migration || migration.status !== 'pre-migrating') return;
  if (!(await resizeInstance(f, migration))) return;
  await finishResize(f, migration.id);
}

/**
 * prep_resize on the destination (_do_prep_resize): instance.exists, resize_prep.start, the claim
 * (fault point `compute.prep_resize`), instance.new_flavor; on failure _reschedule_resize_or_reraise.
 */
async function prepResize(f: F<MoveArgs>, dest: Selection, migration: MigrationRow, newFlavor: FlavorSnapshot, alternates: Selection[]): Promise<'ok' | 'rescheduled' | 'failed'> {
  const s = f.d.services;
  let outcome: 'ok' | 'rescheduled' | 'failed' = 'failed';
  const entry = ['prep_resize', '_do_prep_resize', '_prep_resize'];
  await f.step('prep_resize', dest.host, async () => {
    const instanceState = f.instance().vm_state;
    const bdms = () => s.bdms.listForInstance(f.uuid);
    f.d.notifier.notifyUsageExists(f.ctx, f.instance(), bdms(), dest.host);
    f.d.notifier.notifyAboutResizePrepInstance(f.ctx, f.instance(), bdms(), dest.host, 'start', newFlavor);
    let failure: ComputeException | null = null;
    try {
      await faultPoint(f, 'compute.prep_resize', entry, frame('nova.compute.resource_tracker', 'resize_claim'));
      // _prep_resize: stash the new flavor and the vm_state to come back to.
      f.save({ new_flavor: newFlavor, system_metadata: { ...f.instance().system_metadata, old_vm_state: instanceState } });
      outcome = 'ok';
    } catch (err) {
      failure = asComputeException(err, entry);
      outcome = await rescheduleOrReraise(f, dest, failure, alternates);
      // errors_out_migration_ctxt: only an exception leaving _do_prep_resize errors the migration; after a
      // reschedule it stays 'pre-migrating' (conductor made a new one), as in Nova.
      if (outcome === 'failed') records(f).update(migration.id, { status: 'error' }, s.runtime.now());
    } finally {
      f.d.notifier.notifyAboutResizePrepInstance(f.ctx, f.instance(), bdms(), dest.host, 'end', newFlavor);
    }
    if (outcome === 'failed' && failure) errorOut(f, failure.reraisedIn('_do_prep_resize'), null, instanceState);
  });
  return outcome;
}

/**
 * _reschedule_resize_or_reraise: with an alternate host (filter_properties['retry'] is set by default,
 * max_attempts 3) task_state goes back to RESIZE_PREP, the original error becomes a fault and
 * instance.resize.error, and conductor tries the alternate. Without one, conductor's NoValidHost comes
 * back as the rescheduling error (fault + instance.resize.error about it) and the original is re-raised.
 */
async function rescheduleOrReraise(f: F<MoveArgs>, dest: Selection, original: ComputeException, alternates: Selection[]): Promise<'rescheduled' | 'failed'> {
  const s = f.d.services;
  const fault = (e: ComputeException) => {
    const code = e.novaException ? e.code : 500;
    s.actions.addFault({ instanceUuid: f.uuid, code, message: e.novaException ? e.message : e.pyClass, details: code === 500 ? e.tracebackLines().join('') : '', host: s.config.confHost, at: s.runtime.now() });
  };
  if (alternates.length) {
    s.db.transaction(() => {
      f.save({ task_state: 'resize_prep' });
      fault(original);
    })();
    f.d.notifier.notifyAboutInstanceAction(f.ctx, f.instance(), s.bdms.listForInstance(f.uuid), dest.host, 'resize', 'error', exceptionInfo(original), { bdmsFromDb: true });
    return 'rescheduled';
  }
  // compute_task_api.resize_instance (an RPC call) fails in conductor: MaxRetriesExceeded → NoValidHost.
  f.save({ task_state: 'resize_prep' });
  const placed = await conductorMigrate(f, f.args.newFlavor ?? f.instance().flavor, [dest.host], []);
  if (!placed) {
    const error = new ComputeException('NoValidHost', `No valid host was found. No valid host found for ${f.args.flavorRef !== null ? 'resize' : 'cold migrate'}`, {
      novaException: true, code: 500, frames: [frame('nova.compute.manager', '_reschedule_resize_or_reraise'), frame('nova.conductor.api', 'resize_instance')],
    });
    fault(error);
    f.d.notifier.notifyAboutInstanceAction(f.ctx, f.instance(), s.bdms.listForInstance(f.uuid), dest.host, 'resize', 'error', exceptionInfo(error), { bdmsFromDb: true });
  }
  return 'failed';
}

/** compute_rpcapi for Cinder: the connector of the instance as it would be on `host`. */
const connectorOn = (f: F<unknown>, host: string) => f.d.driver.getVolumeConnector({ ...f.instance(), host });

/**
 * _terminate_volume_connections: each new-style volume BDM gets a fresh attachment without a connector
 * (it keeps the volume reserved for the instance) and the old one is deleted.
 */
async function terminateVolumeConnections(f: F<unknown>): Promise<void> {
  const s = f.d.services;
  for (const bdm of s.bdms.listForInstance(f.uuid)) {
    if (bdm.destination_type !== 'volume' || !bdm.volume_id || !bdm.attachment_id) continue;
    const fresh = await f.d.volumes.attachmentCreate(f.ctx, bdm.volume_id, f.uuid, null, null);
    await f.d.volumes.attachmentDelete(f.ctx, bdm.attachment_id);
    s.db.transaction(() => s.bdms.update(bdm.id, { attachment_id: fresh.id, updated_at: s.runtime.now() }))();
  }
}

/** _update_volume_attachments + _complete_volume_attachments with `host`'s connector. */
async function attachVolumesOn(f: F<unknown>, host: string): Promise<void> {
  const s = f.d.services;
  const connector = connectorOn(f, host);
  for (const bdm of s.bdms.listForInstance(f.uuid)) {
    if (bdm.destination_type !== 'volume' || !bdm.volume_id || !bdm.attachment_id) continue;
    const current = await f.d.volumes.attachmentGet(f.ctx, bdm.attachment_id);
    if (current.status === 'attached' && current.connection_info) continue;
    const att = await f.d.volumes.attachmentUpdate(f.ctx, bdm.attachment_id, connector, bdm.device_name);
    s.db.transaction(() => s.bdms.update(bdm.id, { connection_info: JSON.stringify({ ...att.connection_info, serial: bdm.volume_id }), updated_at: s.runtime.now() }))();
    await f.d.volumes.attachmentComplete(f.ctx, bdm.attachment_id);
  }
}

/** migrate_instance_finish → _update_port_binding_for_instance: the instance's ports are bound to `host`. */
async function bindPortsTo(f: F<unknown>, host: string): Promise<void> {
  const net = f.d.network;
  if (!net) return;
  const ports = await net.listPorts(f.ctx, { device_id: f.uuid }, { admin: true });
  for (const p of ports) {
    if ((p as Record<string, unknown>)['binding:host_id'] === host) continue;
    await net.updatePort(f.ctx, p.id, { 'binding:host_id': host });
  }
}

/** resize_instance on the source: power off and move the disks, hand the instance to the destination. */
async function resizeInstance(f: F<MoveArgs>, migration: MigrationRow): Promise<boolean> {
  const s = f.d.services;
  const source = migration.source_compute ?? f.host;
  const entry = ['resize_instance', '_resize_instance'];
  const e = await f.step('resize_instance', source, async () => {
    const instanceState = f.instance().vm_state;
    saveBoth(f, { task_state: 'resize_migrating' }, migration.id, 'migrating');
    f.d.notifier.notifyAboutInstanceAction(f.ctx, f.instance(), s.bdms.listForInstance(f.uuid), source, 'resize', 'start');
    try {
      await faultPoint(f, 'driver.migrate_disk_and_power_off', entry, frame('nova.virt.libvirt.driver', 'migrate_disk_and_power_off'));
      await terminateVolumeConnections(f);
    } catch (err) {
      errorOut(f, asComputeException(err, entry), migration.id, instanceState);
    }
    const current = f.instance();
    saveBoth(f, { host: migration.dest_compute, node: migration.dest_node, old_flavor: current.flavor, task_state: 'resize_migrated' }, migration.id, 'post-migrating');
    f.d.notifier.notifyAboutInstanceAction(f.ctx, f.instance(), s.bdms.listForInstance(f.uuid), source, 'resize', 'end');
  });
  return e === null;
}

/** finish_resize on the destination: the new flavor, port bindings and volume attachments → VERIFY_RESIZE. */
export async function finishResize(f: F<unknown>, migrationId: number): Promise<boolean> {
  const s = f.d.services;
  const migration = records(f).get(migrationId)!;
  const dest = migration.dest_compute ?? f.host;
  const entry = ['finish_resize', '_finish_resize_helper', '_finish_resize'];
  const e = await f.step('finish_resize', dest, async () => {
    const before = f.instance();
    const oldVmState = (before.system_metadata.old_vm_state as VmState | undefined) ?? 'active';
    const oldFlavor = before.old_flavor ?? before.flavor;
    const newFlavor = before.new_flavor ?? before.flavor;
    try {
      await bindPortsTo(f, dest);
      // old_flavor and _set_instance_info(new_flavor) are set on the object and saved with RESIZE_FINISH:
      // one instance.save(expected_task_state=RESIZE_MIGRATED), one instance.update.
      f.save({ old_flavor: oldFlavor, flavor: newFlavor, task_state: 'resize_finish' });
      f.d.notifier.notifyAboutInstanceAction(f.ctx, f.instance(), s.bdms.listForInstance(f.uuid), dest, 'resize_finish', 'start');
      await faultPoint(f, 'driver.finish_migration', entry, frame('nova.virt.libvirt.driver', 'finish_migration'));
      await attachVolumesOn(f, dest);
    } catch (err) {
      // The flavor goes back to the old one (_set_instance_info(old_flavor), unsaved), persisted by
      // _error_out_instance_on_exception's ERROR save.
      errorOut(f, asComputeException(err, entry), migration.id, oldVmState, { old_flavor: oldFlavor, flavor: oldFlavor });
    }
    const powerOn = oldVmState !== 'stopped';
    saveBoth(f, { vm_state: 'resized', task_state: null, launched_at: s.runtime.now(), power_state: powerOn ? POWER_STATE.running : POWER_STATE.shutdown }, migration.id, 'finished');
    f.d.notifier.notifyAboutInstanceAction(f.ctx, f.instance(), s.bdms.listForInstance(f.uuid), dest, 'resize_finish', 'end');
  });
  return e === null;
}

// ---------------------------------------------------------------- confirm

/** confirm_resize on the source (do_confirm_resize → _confirm_resize). */
export async function confirmResizeFlow(f: F<FinishedMoveArgs>): Promise<void> {
  const s = f.d.services;
  const migration = records(f).get(f.args.migrationId);
  if (!migration || migration.status === 'confirmed') return;
  const source = migration.source_compute ?? f.host;
  await f.step('confirm_resize', source, async () => {
    if (migration.status !== 'finished' && migration.status !== 'confirming') return;
    f.d.notifier.notifyAboutInstanceAction(f.ctx, f.instance(), s.bdms.listForInstance(f.uuid), source, 'resize_confirm', 'start', null, { bdmsFromDb: true });
    try {
      await faultPoint(f, 'driver.confirm_migration', ['confirm_resize', 'do_confirm_resize', '_confirm_resize'], frame('nova.virt.libvirt.driver', 'confirm_migration'));
    } catch (err) {
      // do_confirm_resize: the migration goes to 'error', the instance to ERROR.
      saveBoth(f, { vm_state: 'error' }, migration.id, 'error');
      throw err;
    }
    const i = f.instance();
    const sys = { ...i.system_metadata };
    delete sys.old_vm_state;
    const vmState: VmState = i.power_state === POWER_STATE.shutdown ? 'stopped' : 'active';
    // A confirm run for a delete (_confirm_resize_on_deleting) finishes before Nova's API sets DELETING; here
    // the delete's task_state is already saved, so it is kept.
    const task = i.task_state === 'deleting' || i.task_state === 'soft-deleting' ? i.task_state : null;
    saveBoth(f, { vm_state: vmState, task_state: task, old_flavor: null, new_flavor: null, system_metadata: sys }, migration.id, 'confirmed');
    f.d.notifier.notifyAboutInstanceAction(f.ctx, f.instance(), s.bdms.listForInstance(f.uuid), source, 'resize_confirm', 'end', null, { bdmsFromDb: true });
  }, { revertsTaskState: false });
}

// ---------------------------------------------------------------- revert

/** revert_resize on the destination, then finish_revert_resize on the source. */
export async function revertResizeFlow(f: F<FinishedMoveArgs>): Promise<void> {
  const migration = records(f).get(f.args.migrationId);
  if (!migration) return;
  if (migration.status === 'reverting' && !(await revertAtDest(f, migration))) return;
  await finishRevert(f, migration.id);
}

async function revertAtDest(f: F<FinishedMoveArgs>, migration: MigrationRow): Promise<boolean> {
  const s = f.d.services;
  const dest = migration.dest_compute ?? f.host;
  const entry = ['revert_resize'];
  const e = await f.step('revert_resize', dest, async () => {
    f.d.notifier.notifyUsageExists(f.ctx, f.instance(), s.bdms.listForInstance(f.uuid), dest);
    try {
      await faultPoint(f, 'driver.destroy', entry, frame('nova.virt.libvirt.driver', 'destroy'));
      await terminateVolumeConnections(f);
    } catch (err) {
      errorOut(f, asComputeException(err, entry), migration.id, 'resized');
    }
    records(f).update(migration.id, { status: 'reverted' }, s.runtime.now());
  });
  return e === null;
}

async function finishRevert(f: F<FinishedMoveArgs>, migrationId: number): Promise<void> {
  const s = f.d.services;
  const migration = records(f).get(migrationId)!;
  const source = migration.source_compute ?? f.host;
  const entry = ['finish_revert_resize', '_finish_revert_resize'];
  await f.step('finish_revert_resize', source, async () => {
    const before = f.instance();
    const oldVmState = (before.system_metadata.old_vm_state as VmState | undefined) ?? 'active';
    f.d.notifier.notifyAboutInstanceAction(f.ctx, before, s.bdms.listForInstance(f.uuid), source, 'resize_revert', 'start');
    const sys = { ...before.system_metadata };
    delete sys.old_vm_state;
    try {
      // _revert_instance_flavor_host_node, then the ports and volumes back on the source.
      f.save({ flavor: before.old_flavor ?? before.flavor, host: migration.source_compute, node: migration.source_node });
      await bindPortsTo(f, source);
      await attachVolumesOn(f, source);
      await faultPoint(f, 'driver.finish_revert_migration', entry, frame('nova.virt.libvirt.driver', 'finish_revert_migration'));
    } catch (err) {
      // _error_out_instance_on_exception; the stashed flavors are dropped in `finally` either way.
      saveBoth(f, { vm_state: 'error', old_flavor: null, new_flavor: null, system_metadata: sys }, null, null);
      throw err;
    }
    const powerOn = oldVmState !== 'stopped';
    f.save({
      vm_state: powerOn ? 'active' : 'stopped', task_state: null, launched_at: s.runtime.now(), power_state: powerOn ? POWER_STATE.running : POWER_STATE.shutdown,
      old_flavor: null, new_flavor: null, system_metadata: sys,
    });
    f.d.notifier.notifyAboutInstanceAction(f.ctx, f.instance(), s.bdms.listForInstance(f.uuid), source, 'resize_revert', 'end');
  });
}

// ---------------------------------------------------------------- recovery (nova-compute start-up)

/**
 * A resize/cold migration interrupted by a crash: once resize_instance handed the instance to the
 * destination ('post-migrating') it is rolled forward (finish_resize runs again); before that it is
 * rolled back on the source (task_state None, vm_state as it was, volumes attached there again).
 */
export async function recoverMove(f: F<MoveArgs>): Promise<'completed' | 'rolled back'> {
  const m = records(f).latestFor(f.uuid);
  const i = f.instance();
  if (m && m.status === 'post-migrating') {
    await finishResize(f, m.id);
    return 'completed';
  }
  if (m && m.status === 'finished') return 'completed';
  if (i.task_state === null && (!m || m.status === 'error')) return 'completed';
  const back = (i.system_metadata.old_vm_state as VmState | undefined) ?? (i.vm_state === 'error' ? 'error' : i.vm_state);
  if (m && m.status === 'migrating') await attachVolumesOn(f, m.source_compute ?? f.host);
  const sys = { ...i.system_metadata };
  delete sys.old_vm_state;
  saveBoth(f, { vm_state: back, task_state: null, new_flavor: null, system_metadata: sys }, m?.id ?? null, m ? 'error' : null);
  return 'rolled back';
}

/** confirm_resize is idempotent: run it again unless the migration already says 'confirmed'. */
export async function recoverConfirm(f: F<FinishedMoveArgs>): Promise<'completed' | 'rolled back'> {
  await confirmResizeFlow(f);
  return 'completed';
}

/** A revert is rolled forward from wherever the migration record says it got. */
export async function recoverRevert(f: F<FinishedMoveArgs>): Promise<'completed' | 'rolled back'> {
  const m = records(f).get(f.args.migrationId);
  if (!m || (m.status !== 'reverting' && m.status !== 'reverted')) return 'completed';
  if (m.status === 'reverted' && f.instance().task_state === null) return 'completed';
  await revertResizeFlow(f);
  return 'completed';
}

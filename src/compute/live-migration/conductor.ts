// nova-conductor's half of a live migration: ComputeTaskManager.live_migrate_instance → _live_migrate
// (nova/conductor/manager.py) running LiveMigrationTask._execute (nova/conductor/tasks/live_migrate.py):
// the migration record, the pre-checks, the scheduler (or the forced host's own checks), and on a
// known failure _set_vm_state → scheduler_utils.set_vm_state_and_notify (fault,
// compute_task.migrate_server.error, task_state None) with the migration in `error`.
import type { Instance, RequestContext } from '../../domain.js';
import { computeTaskPayload } from '../../notifier/payloads/hosts.js';
import { NoValidHost, type Scheduler } from '../../scheduler/scheduler.js';
import type { Services } from '../../services.js';
import { MigrationRecords } from '../../store/migration-records.js';
import { requestSpecFor } from '../conductor.js';
import { exceptionInfo } from '../events.js';
import { asComputeException, ComputeException, formatFrames, frame } from '../exceptions.js';
import { InstanceInvalidState } from '../checks.js';
import { saveInstance } from '../instance-save.js';
import { POWER_STATE } from '../../domain.js';

/** What the API hands the conductor (compute_api.live_migrate's arguments). */
export interface LiveMigrateArgs {
  /** The requested host (None: the scheduler picks). */
  host: string | null;
  /** null = "auto" (2.25+). */
  blockMigration: boolean | null;
  diskOverCommit: boolean | null;
  /** null below 2.30 (the host, if any, is forced); false from 2.30 unless the body says true. */
  force: boolean | null;
  /** 2.34+: the conductor is cast to, its pre-check failures never reach the API. */
  async: boolean;
}

/** What the conductor casts to the source compute (compute_rpcapi.live_migration). */
export interface LiveMigrationCast {
  migrationId: number;
  dest: string;
  destNode: string;
  blockMigration: boolean;
}

export interface LiveMigrateConductorDeps {
  services: Services;
  scheduler: Scheduler;
}

const TASK = 'nova.conductor.tasks.live_migrate';

/** The exceptions _live_migrate handles by resetting task_state (vm_state unchanged) and re-raising. */
const KNOWN = new Set([
  'NoValidHost', 'ComputeHostNotFound', 'ComputeServiceUnavailable', 'InvalidHypervisorType', 'InvalidCPUInfo', 'UnableToMigrateToSelf',
  'DestinationHypervisorTooOld', 'InvalidLocalStorage', 'InvalidSharedStorage', 'HypervisorUnavailable', 'InstanceInvalidState',
  'MigrationPreCheckError', 'MigrationSchedulerRPCError',
]);

const fail = (pyClass: string, message: string, func: string, code = 400) =>
  new ComputeException(pyClass, message, { novaException: true, code, frames: [frame('nova.conductor.manager', '_live_migrate'), frame(TASK, 'execute'), frame(TASK, '_execute'), frame(TASK, func)] });

/**
 * ComputeTaskManager.live_migrate_instance (@wrap_instance_event(prefix='conductor')). Returns the
 * cast for the source compute, or throws the task's exception after recording it as Nova does.
 */
export function liveMigrateInstance(d: LiveMigrateConductorDeps, ctx: RequestContext, uuid: string, args: LiveMigrateArgs): LiveMigrationCast {
  const s = d.services;
  const records = new MigrationRecords(s.db);
  const instance = s.instances.get(uuid)!;
  const now = () => s.runtime.now();
  const action = s.actions.get(uuid, ctx.requestId);
  const eventId = action ? s.db.transaction(() => s.actions.eventStart(action.id, 'conductor_live_migrate_instance', s.config.confHost, now()))() : null;
  // The API turns "host given, not forced" (2.30+) into request_spec.requested_destination.
  const forcedDest = args.host && args.force !== false ? args.host : null;
  const migrationId = s.db.transaction(() => records.createRow({
    uuid: s.runtime.uuid(), instance_uuid: uuid, source_compute: instance.host, dest_compute: forcedDest,
    old_instance_type_id: instance.flavor.id, new_instance_type_id: instance.flavor.id, status: 'accepted',
    migration_type: 'live-migration', user_id: ctx.userId, project_id: ctx.projectId,
  }, now().toISOString()))();
  try {
    const { dest, destNode } = execute(d, ctx, instance, args, forcedDest);
    s.db.transaction(() => {
      // LiveMigrationTask._execute: the instance takes the destination's zone; the migration its nodes.
      // Not an Instance.save here: the conductor only sets instance.availability_zone, which travels
      // with the object to the source compute and is saved by its next save (no instance.update now).
      s.instances.update(uuid, { availability_zone: s.hosts.hostAvailabilityZone(dest, s.config.availabilityZone), updated_at: now() });
      records.update(migrationId, { source_node: instance.node, dest_node: destNode, dest_compute: dest }, now().toISOString());
      if (action && eventId !== null) s.actions.eventFinish(eventId, action.id, now(), null);
    })();
    return { migrationId, dest, destNode, blockMigration: args.blockMigration ?? false };
  } catch (err) {
    const e = asComputeException(err, ['_live_migrate']);
    const known = KNOWN.has(e.pyClass);
    const at = now();
    const notifier = d.scheduler.notifier;
    s.db.transaction(() => {
      // _set_vm_state(context, instance, ex, instance.vm_state) for the known ones; ERROR otherwise:
      // scheduler_utils.set_vm_state_and_notify's instance.save() (send_update: instance.update first).
      saveInstance(s, notifier, ctx, uuid, { ...(known ? {} : { vm_state: 'error' as const }), task_state: null, updated_at: at });
      s.actions.addFault({ instanceUuid: uuid, code: e.novaException ? e.code : 500, message: e.novaException ? e.message : e.pyClass, details: (e.novaException ? e.code : 500) === 500 ? e.tracebackLines().join('') : '', host: s.config.confHost, at });
      records.update(migrationId, { status: 'error' }, at.toISOString());
      if (action && eventId !== null) s.actions.eventFinish(eventId, action.id, at, { details: e.message, traceback: formatFrames(e.frames).join('') });
    })();
    if (notifier.versionedEnabled) {
      const { payload } = requestSpecFor(s, s.instances.get(uuid)!, {});
      notifier.emit({
        context: ctx, eventType: 'compute_task.migrate_server.error', priority: 'ERROR', source: 'nova-conductor', host: s.config.confHost,
        payload: computeTaskPayload(uuid, payload, known ? instance.vm_state : 'error', exceptionInfo(e), s.profile), instanceUuid: uuid, projectId: instance.project_id,
      });
    }
    if (known) throw e;
    throw new ComputeException('MigrationError', `Migration error: ${e.message}`, { novaException: true, code: 500, frames: e.frames });
  }
}

/** LiveMigrationTask._execute: the checks, then the destination (forced, or from the scheduler). */
function execute(d: LiveMigrateConductorDeps, ctx: RequestContext, instance: Instance, args: LiveMigrateArgs, forcedDest: string | null): { dest: string; destNode: string } {
  const s = d.services;
  const source = instance.host!;
  // _check_instance_is_active.
  if (instance.power_state !== POWER_STATE.running && instance.power_state !== POWER_STATE.paused) {
    const e = new InstanceInvalidState('power_state', powerStateName(instance.power_state), instance.uuid, 'live migrate');
    throw e;
  }
  checkHostIsUp(s, source);
  if (forcedDest) {
    // The forced path: minimal checks, no scheduler.
    if (forcedDest === source) throw fail('UnableToMigrateToSelf', `Unable to migrate instance (${instance.uuid}) to current host (${source}).`, '_check_destination_is_not_source');
    checkHostIsUp(s, forcedDest);
    const node = firstNode(s, forcedDest);
    checkEnoughMemory(s, instance, forcedDest, node.hypervisor_hostname);
    checkCompatible(s, source, forcedDest);
    callLivemChecks(s, ctx, instance, forcedDest);
    return { dest: forcedDest, destNode: node.hypervisor_hostname };
  }
  // _find_destination: the scheduler, ignoring the source (and hosts that failed the checks).
  const attempted = [source];
  const { spec, payload } = requestSpecFor(s, instance, {});
  for (;;) {
    spec.ignoreHosts = [...attempted];
    spec.requestedDestination = args.host ? { host: args.host, node: null } : null;
    let sel;
    try {
      sel = d.scheduler.selectDestination(ctx, spec, { ...payload, ignoreHosts: [...attempted] });
    } catch (err) {
      if (err instanceof NoValidHost) throw fail('NoValidHost', err.message, '_find_destination');
      throw err;
    } finally {
      d.scheduler.release(instance.uuid);
    }
    try {
      checkCompatible(s, source, sel.host);
      callLivemChecks(s, ctx, instance, sel.host);
      return { dest: sel.host, destNode: sel.node };
    } catch (err) {
      const e = err as ComputeException;
      if (e.pyClass !== 'MigrationPreCheckError' && e.pyClass !== 'InvalidHypervisorType' && e.pyClass !== 'DestinationHypervisorTooOld') throw err;
      attempted.push(sel.host);
    }
  }
}

const POWER_NAMES: Record<number, string> = { 0: 'pending', 1: 'running', 3: 'paused', 4: 'shutdown', 6: 'crashed', 7: 'suspended' };
const powerStateName = (p: number) => POWER_NAMES[p] ?? 'pending';

/** _check_host_is_up: Service.get_by_compute_host (ComputeHostNotFound), servicegroup is_up. */
function checkHostIsUp(s: Services, host: string): void {
  const svc = s.hosts.computeService(host);
  if (!svc) throw fail('ComputeHostNotFound', `Compute host ${host} could not be found.`, '_check_host_is_up', 404);
  if (svc.forced_down) throw fail('ComputeServiceUnavailable', `Compute service of ${host} is unavailable at this time.`, '_check_host_is_up', 503);
}

function firstNode(s: Services, host: string) {
  const node = s.hosts.nodesByHost(host)[0];
  if (!node) throw fail('ComputeHostNotFound', `Compute host ${host} could not be found.`, '_get_compute_info', 404);
  return node;
}

/** _check_destination_has_enough_memory (the RAMFilter arithmetic). */
function checkEnoughMemory(s: Services, instance: Instance, host: string, nodename: string): void {
  const node = firstNode(s, host);
  const used = s.hosts.usage(nodename);
  const total = node.memory_mb;
  const free = total - s.config.reservedHostMemoryMb - used.memory_mb_used;
  const avail = total * node.ram_allocation_ratio - (total - free);
  const mem = instance.flavor.memory_mb;
  if (!mem || avail <= mem) {
    throw fail('MigrationPreCheckError', `Migration pre-check error: Unable to migrate ${instance.uuid} to ${host}: Lack of memory(host:${avail} <= instance:${mem})`, '_check_destination_has_enough_memory');
  }
}

/** _check_compatible_with_source_hypervisor. */
function checkCompatible(s: Services, source: string, dest: string): void {
  const src = firstNode(s, source);
  const dst = firstNode(s, dest);
  if (src.hypervisor_type !== dst.hypervisor_type) {
    throw fail('InvalidHypervisorType', 'The supplied hypervisor type of is invalid.', '_check_compatible_with_source_hypervisor');
  }
  if (src.hypervisor_version > dst.hypervisor_version) {
    throw (fail('DestinationHypervisorTooOld', 'The instance requires a newer hypervisor version than has been provided.', '_check_compatible_with_source_hypervisor'));
  }
}

/**
 * _call_livem_checks_on_host: compute_rpcapi.check_can_live_migrate_destination on the destination,
 * which calls check_can_live_migrate_source on the source; the fake driver accepts (shared storage).
 * Each is an instance action event on its host.
 */
function callLivemChecks(s: Services, ctx: RequestContext, instance: Instance, dest: string): void {
  const action = s.actions.get(instance.uuid, ctx.requestId);
  if (!action) return;
  s.db.transaction(() => {
    const at = s.runtime.now();
    const destEvent = s.actions.eventStart(action.id, 'compute_check_can_live_migrate_destination', dest, at);
    const srcEvent = s.actions.eventStart(action.id, 'compute_check_can_live_migrate_source', instance.host, at);
    s.actions.eventFinish(srcEvent, action.id, at, null);
    s.actions.eventFinish(destEvent, action.id, at, null);
  })();
}

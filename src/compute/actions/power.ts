// Power and state actions: nova/compute/api.py (checks, task_state, instance action) and
// nova/compute/manager.py (the flows, with nova.virt.fake's power-state behaviour: only
// power_off/power_on change the hypervisor's state; pause/suspend/reboot leave it RUNNING).
import { POWER_STATE, type VmState } from '../../domain.js';
import { frame } from '../exceptions.js';
import { asComputeException } from '../exceptions.js';
import { exceptionInfo } from '../events.js';
import { anyValue, nullValue, reboot as rebootSchema } from './schemas.js';
import { getShareInfo, mountAll, setAll } from '../flows/shares.js';
import { defineAction, type FlowContext } from './types.js';

/**
 * _error_out_instance_on_exception(instance_state=…): NotImplementedError and InstanceFaultRollback
 * put the instance back in `state` with task_state None; anything else sets vm_state ERROR.
 * Re-raises either way.
 */
function errorOut(f: FlowContext<unknown>, e: unknown, state: VmState): never {
  const cls = (e as { pyClass?: string }).pyClass;
  if (cls === 'NotImplementedError' || cls === 'InstanceFaultRollback') f.save({ vm_state: state, task_state: null });
  else f.save({ vm_state: 'error' });
  throw e;
}

type NoArgs = Record<string, never>;
const noArgs = () => ({}) as NoArgs;
const SERVERS = 'os_compute_api:servers';

/** The simulated hypervisor call: a named fault point (`driver.<op>`), raising inside `entry`. */
async function driverCall(f: FlowContext<unknown>, op: string, entry: string[]): Promise<void> {
  await f.d.driver.faultPoint(`driver.${op}`, { instance_uuid: f.uuid }, entry, frame('nova.virt.libvirt.driver', op, 3000));
}

// ComputeManager.stop_instance → do_stop_instance.
export const stop = defineAction<NoArgs>({
  name: 'os-stop',
  conflictName: 'stop',
  bodies: [{ schema: anyValue('os-stop') }],
  args: noArgs,
  policy: `${SERVERS}:stop`,
  lock: true,
  host: true,
  states: { method: 'stop', vmStates: ['active', 'error'] },
  taskState: 'powering-off',
  apiPatch: { progress: 0 },
  instanceAction: 'stop',
  method: 'stop_instance',
  async flow(f) {
    f.notify('power_off', 'start');
    // _power_off_instance: share info (racing mappings put the instance in ERROR), power off, deactivate_all, umount.
    const entry = ['stop_instance', 'do_stop_instance', '_power_off_instance'];
    const shares = getShareInfo(f.d, f.ctx, f.instance(), entry);
    await driverCall(f, 'power_off', entry);
    setAll(f.d, shares, 'inactive');
    await mountAll(f.d, f.ctx, f.instance(), shares, entry, 'umount_share');
    f.save({ power_state: POWER_STATE.shutdown, vm_state: 'stopped', task_state: null });
    f.notify('power_off', 'end');
  },
  onRestart: 'retry',
});

// ComputeManager.start_instance (+ _power_on).
export const start = defineAction<NoArgs>({
  name: 'os-start',
  conflictName: 'start',
  bodies: [{ schema: anyValue('os-start') }],
  args: noArgs,
  policy: `${SERVERS}:start`,
  lock: true,
  host: true,
  states: { method: 'start', vmStates: ['stopped'] },
  taskState: 'powering-on',
  instanceAction: 'start',
  method: 'start_instance',
  async flow(f) {
    f.notify('power_on', 'start');
    // _power_on: share info, mount every share, power on, activate_all.
    const entry = ['start_instance', '_power_on'];
    const shares = getShareInfo(f.d, f.ctx, f.instance(), entry);
    await mountAll(f.d, f.ctx, f.instance(), shares, entry, 'mount_share');
    await driverCall(f, 'power_on', entry);
    setAll(f.d, shares, 'active');
    // remove_shelved_keys_from_system_metadata.
    const sys = { ...f.instance().system_metadata };
    for (const k of ['shelved_at', 'shelved_image_id', 'shelved_host']) delete sys[k];
    f.save({ power_state: POWER_STATE.running, vm_state: 'active', task_state: null, system_metadata: sys });
    f.notify('power_on', 'end');
  },
  onRestart: 'retry',
});

const ALLOW_SOFT_REBOOT: VmState[] = ['active'];
const ALLOW_HARD_REBOOT: VmState[] = [...ALLOW_SOFT_REBOOT, 'stopped', 'paused', 'suspended', 'error'];
const ALLOW_REBOOT_TASKS = [null, 'rebooting', 'reboot_pending', 'reboot_started', 'resuming', 'rebooting_hard', 'unpausing', 'pausing', 'suspending'];

// compute_api.reboot → _soft_reboot/_hard_reboot; ComputeManager.reboot_instance → _reboot_instance.
export const reboot = defineAction<{ type: 'SOFT' | 'HARD' }>({
  name: 'reboot',
  conflictName: 'reboot',
  bodies: [{ schema: rebootSchema }],
  args: (body) => ({ type: (body.reboot as { type: string }).type.toUpperCase() === 'SOFT' ? 'SOFT' : 'HARD' }),
  policy: `${SERVERS}:reboot`,
  lock: true,
  states: (a) =>
    a.type === 'SOFT'
      ? { method: '_soft_reboot', vmStates: ALLOW_SOFT_REBOOT, taskStates: [null] }
      : { method: '_hard_reboot', vmStates: ALLOW_HARD_REBOOT, taskStates: ALLOW_REBOOT_TASKS },
  taskState: (a) => (a.type === 'SOFT' ? 'rebooting' : 'rebooting_hard'),
  instanceAction: 'reboot',
  method: 'reboot_instance',
  async flow(f) {
    const hard = f.args.type === 'HARD';
    // Acknowledge the request made it to the manager.
    f.save({ task_state: hard ? 'reboot_pending_hard' : 'reboot_pending' });
    const shareEntry = ['reboot_instance', 'do_reboot_instance', '_reboot_instance'];
    const shares = getShareInfo(f.d, f.ctx, f.instance(), shareEntry);
    f.notify('reboot', 'start', { bdmsPassed: true });
    const newVmState = f.instance().vm_state === 'rescued' ? 'rescued' : 'active';
    f.save({ task_state: hard ? 'reboot_started_hard' : 'reboot_started' });
    try {
      // "Attempt to mount the shares again" (HARD only), then the driver's reboot and activate_all.
      if (hard) await mountAll(f.d, f.ctx, f.instance(), shares, shareEntry, 'mount_share');
      await driverCall(f, 'reboot', ['reboot_instance', 'do_reboot_instance', '_reboot_instance']);
      setAll(f.d, shares, 'active');
    } catch (err) {
      const e = asComputeException(err, ['reboot_instance', 'do_reboot_instance', '_reboot_instance']);
      if (f.instance().power_state !== POWER_STATE.running) {
        // "Cannot reboot instance": _set_instance_obj_error_state, then re-raised (fault, event Error).
        f.save({ vm_state: 'error' });
        throw e;
      }
      // Reboot failed but the instance is running: fault + reboot.error, not re-raised.
      const s = f.d.services;
      s.actions.addFault({ instanceUuid: f.uuid, code: e.novaException ? e.code : 500, message: e.novaException ? e.message : e.pyClass, details: (e.novaException ? e.code : 500) === 500 ? e.tracebackLines().join('') : '', host: s.config.confHost, at: s.runtime.now() });
      f.notify('reboot', 'error', { exc: exceptionInfo(e), bdmsPassed: true });
    }
    f.save({ power_state: POWER_STATE.running, vm_state: newVmState, task_state: null });
    f.notify('reboot', 'end', { bdmsPassed: true });
  },
  onRestart: 'retry',
});

// ComputeManager.pause_instance / unpause_instance.
export const pause = defineAction<NoArgs>({
  name: 'pause',
  conflictName: 'pause',
  bodies: [{ schema: anyValue('pause') }],
  args: noArgs,
  policy: 'os_compute_api:os-pause-server:pause',
  lock: true,
  states: { method: 'pause', vmStates: ['active'] },
  taskState: 'pausing',
  instanceAction: 'pause',
  method: 'pause_instance',
  async flow(f) {
    f.notify('pause', 'start');
    await driverCall(f, 'pause', ['pause_instance']);
    f.save({ vm_state: 'paused', task_state: null });
    f.notify('pause', 'end');
  },
  onRestart: 'revert',
});

export const unpause = defineAction<NoArgs>({
  name: 'unpause',
  conflictName: 'unpause',
  bodies: [{ schema: anyValue('unpause') }],
  args: noArgs,
  policy: 'os_compute_api:os-pause-server:unpause',
  lock: true,
  states: { method: 'unpause', vmStates: ['paused'] },
  taskState: 'unpausing',
  instanceAction: 'unpause',
  method: 'unpause_instance',
  async flow(f) {
    f.notify('unpause', 'start');
    await driverCall(f, 'unpause', ['unpause_instance']);
    f.save({ vm_state: 'active', task_state: null });
    f.notify('unpause', 'end');
  },
  onRestart: 'revert',
});

// ComputeManager.suspend_instance / resume_instance (old_vm_state kept in system_metadata).
export const suspend = defineAction<NoArgs>({
  name: 'suspend',
  conflictName: 'suspend',
  bodies: [{ schema: anyValue('suspend') }],
  args: noArgs,
  policy: 'os_compute_api:os-suspend-server:suspend',
  // suspend_server.py: ForbiddenWithShare → 409.
  blockShares: true,
  lock: true,
  states: { method: 'suspend', vmStates: ['active'] },
  taskState: 'suspending',
  instanceAction: 'suspend',
  method: 'suspend_instance',
  async flow(f) {
    const before = f.instance();
    f.save({ system_metadata: { ...before.system_metadata, old_vm_state: before.vm_state } });
    f.notify('suspend', 'start');
    try {
      await driverCall(f, 'suspend', ['suspend_instance']);
    } catch (e) {
      errorOut(f, e, before.vm_state);
    }
    f.save({ vm_state: 'suspended', task_state: null });
    f.notify('suspend', 'end');
  },
  onRestart: 'revert',
});

export const resume = defineAction<NoArgs>({
  name: 'resume',
  conflictName: 'resume',
  bodies: [{ schema: anyValue('resume') }],
  args: noArgs,
  policy: 'os_compute_api:os-suspend-server:resume',
  lock: true,
  states: { method: 'resume', vmStates: ['suspended'] },
  taskState: 'resuming',
  instanceAction: 'resume',
  method: 'resume_instance',
  async flow(f) {
    f.notify('resume', 'start', { bdmsPassed: true });
    const before = f.instance();
    try {
      await driverCall(f, 'resume', ['resume_instance']);
    } catch (e) {
      errorOut(f, e, before.vm_state);
    }
    const sys = { ...before.system_metadata };
    const old = (sys.old_vm_state as VmState | undefined) ?? 'active';
    delete sys.old_vm_state;
    f.save({ vm_state: old, task_state: null, system_metadata: sys });
    f.notify('resume', 'end', { bdmsPassed: true });
  },
  onRestart: 'revert',
});

// trigger_crash_dump (2.17): no task_state change, no @reverts_task_state.
export const triggerCrashDump = defineAction<NoArgs>({
  name: 'trigger_crash_dump',
  conflictName: 'trigger_crash_dump',
  minVersion: '2.17',
  bodies: [{ schema: nullValue('trigger_crash_dump') }],
  args: noArgs,
  policy: `${SERVERS}:trigger_crash_dump`,
  lock: true,
  host: true,
  states: { method: 'trigger_crash_dump', vmStates: ['active', 'paused', 'rescued', 'resized', 'error'] },
  instanceAction: 'trigger_crash_dump',
  method: 'trigger_crash_dump',
  revertsTaskState: false,
  async flow(f) {
    f.notify('trigger_crash_dump', 'start');
    await driverCall(f, 'trigger_crash_dump', ['trigger_crash_dump']);
    f.notify('trigger_crash_dump', 'end');
  },
  onRestart: 'revert',
});



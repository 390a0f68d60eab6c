// ComputeManager._do_build_and_run_instance, simulated: claim, _build_resources (network), spawn, ACTIVE.
import { POWER_STATE, type FixedIp, type Instance, type RequestContext } from '../../domain.js';
import { sleep } from '../../faults/registry.js';
import { type PlacementRequest, scheduleInstance } from '../conductor.js';
import type { Selection } from '../../scheduler/scheduler.js';
import { type ManagerDeps, elevated } from '../deps.js';
import { withInstanceEvent, exceptionInfo } from '../events.js';
import { asComputeException, ComputeException, frame } from '../exceptions.js';
import { cleanupVolumes } from './volume-cleanup.js';
import { vifPorts, waitForVifPlugged } from '../vif-plugging.js';
import { defaultDeviceNames, prepBlockDevices } from './block-devices.js';
import { saveInstance } from '../instance-save.js';
import { allocateForInstance, deallocateForInstance, type NetworkRequest, normalizeRequest } from '../network.js';
import { prepared } from '../../store/statement-cache.js';

/** _build_networks_for_instance: ports allocated and bound to this host in the fake Neutron over HTTP. */
export function allocateNetwork(d: ManagerDeps, ctx: RequestContext, instance: Instance, networks: NetworkRequest | { ports: string[] }): Promise<FixedIp[]> {
  return allocateForInstance(d.network, ctx, instance, instance.host ?? d.services.config.computeHost, normalizeRequest(networks));
}

interface KeypairRow {
  name: string;
  user_id: string;
  fingerprint: string;
  public_key: string;
  type: 'ssh' | 'x509';
}

/** instance.keypairs: the key the server was booted with, as InstanceCreatePayload lists it. */
function keypairsOf(d: ManagerDeps, inst: Instance): KeypairRow[] {
  if (!inst.key_name) return [];
  const k = prepared(d.services.db, 'SELECT name, user_id, fingerprint, public_key, type FROM keypairs WHERE user_id = ? AND name = ?').get(inst.user_id, inst.key_name) as KeypairRow | undefined;
  return k ? [k] : [];
}

export async function buildAndRunInstance(d: ManagerDeps, reqCtx: RequestContext, uuid: string, networks: NetworkRequest | { ports: string[] } = 'auto', placement: PlacementRequest = {}): Promise<void> {
  const s = d.services;
  const first = s.instances.get(uuid);
  if (!first || first.task_state === 'deleting') return;
  const ctx = elevated(reqCtx);
  // The conductor asks the scheduler first; NoValidHost buries the instance before any compute work.
  const dest = scheduleInstance(d, ctx, first, placement);
  if (!dest) return;
  // schedule_and_build_instances: send_update_with_states(instance, None, BUILDING, None, None,
  // service='conductor') "to show it going from non-existent to BUILDING" (with notify_on_state_change).
  const scheduled = s.instances.get(uuid);
  if (scheduled) d.notifier.sendUpdateWithStates(reqCtx, scheduled, s.bdms.listForInstance(uuid), { oldState: null, newState: 'building', oldTaskState: null, newTaskState: null }, { source: 'nova-conductor' });
  try {
    await buildOnHost(d, ctx, { ...first, host: dest.host }, uuid, networks, dest);
  } finally {
    d.scheduler.release(uuid);
  }
}

/** nova-compute on the selected host: _do_build_and_run_instance. */
async function buildOnHost(d: ManagerDeps, ctx: RequestContext, first: Instance, uuid: string, networks: NetworkRequest | { ports: string[] }, dest: Selection): Promise<void> {
  const s = d.services;
  await withInstanceEvent(d, ctx, first, '_do_build_and_run_instance', async () => {
    if (s.config.buildDelayMs) await sleep(s.config.buildDelayMs);
    let inst = s.instances.get(uuid);
    if (!inst || inst.task_state === 'deleting') return;
    // Nova: vm_state BUILDING, task_state None (save(expected_task_state=(SCHEDULING, None))), then create.start
    // (host/node not yet claimed).
    saveInstance(s, d.notifier, ctx, uuid, { vm_state: 'building', task_state: null });
    inst = s.instances.get(uuid)!;
    const extras = { keypairs: keypairsOf(d, inst), trustedImageCertificates: inst.trusted_certs ?? null };
    d.notifier.notifyAboutInstanceCreate(ctx, inst, s.bdms.listForInstance(uuid), dest.host, 'start', null, extras);
    try {
      // rt.instance_claim saves host/node (the instance carries updated_at from here on: null in
      // create.start, set in create.error); _build_resources (networks, BDMs) runs inside the claim.
      saveInstance(s, d.notifier, ctx, uuid, { host: dest.host, node: dest.node, updated_at: s.runtime.now() });
      await d.driver.faultPoint('manager._build_resources', { instance_uuid: uuid }, BUILD_ENTRY, frame('nova.compute.manager', '_build_resources'));
      // _allocate_network: vm_state BUILDING, task_state NETWORKING, save(expected_task_state=[None]).
      saveInstance(s, d.notifier, ctx, uuid, { vm_state: 'building', task_state: 'networking' });
      const networkInfo = await allocateNetwork(d, ctx, s.instances.get(uuid)!, networks);
      // The network info cache (update_instance_cache_with_nw_info), not an Instance.save.
      s.instances.update(uuid, { network_info: networkInfo });
      await buildBlockDevices(d, ctx, uuid);
      // _build_and_run_instance: task_state SPAWNING, save(expected_task_state=BLOCK_DEVICE_MAPPING).
      saveInstance(s, d.notifier, ctx, uuid, { vm_state: 'building', task_state: 'spawning' });
      inst = s.instances.get(uuid)!;
      await waitForVifPlugged(d, inst, vifPorts(networkInfo));
      await d.driver.spawn(inst);
      if (!s.instances.get(uuid) || s.instances.get(uuid)!.task_state === 'deleting') return;
      const now = s.runtime.now();
      // _update_instance_after_spawn, save(expected_task_state=SPAWNING).
      saveInstance(s, d.notifier, ctx, uuid, { vm_state: 'active', task_state: null, power_state: POWER_STATE.running, launched_at: now, updated_at: now });
    } catch (err) {
      // _cleanup_allocated_networks: what was allocated for this build goes back to Neutron.
      const failed = s.instances.get(uuid);
      if (failed) await deallocateForInstance(d.network, ctx, failed);
      await buildFailed(d, ctx, uuid, asComputeException(err, BUILD_ENTRY), extras, dest.host);
      return;
    }
    inst = s.instances.get(uuid)!;
    d.notifier.notifyAboutInstanceCreate(ctx, inst, s.bdms.listForInstance(uuid), dest.host, 'end', null, extras);
  });
}

const BUILD_ENTRY = ['_do_build_and_run_instance', '_build_and_run_instance'];

/**
 * _build_resources' block device step: device names, task_state block_device_mapping (every build goes
 * through it, volumes or not), _prep_block_device. InvalidBDM and OverQuota abort the build with their
 * message; anything else "Failure prepping block device.".
 */
async function buildBlockDevices(d: ManagerDeps, ctx: RequestContext, uuid: string): Promise<void> {
  const s = d.services;
  const volumes = s.bdms.listForInstance(uuid).some((b) => b.destination_type === 'volume');
  if (volumes) defaultDeviceNames(d, s.instances.get(uuid)!);
  saveInstance(s, d.notifier, ctx, uuid, { vm_state: 'building', task_state: 'block_device_mapping' });
  if (!volumes) return;
  try {
    await prepBlockDevices(d, ctx, uuid);
  } catch (err) {
    const reason = err instanceof ComputeException && ['InvalidBDM', 'OverQuota'].includes(err.pyClass) ? err.message : 'Failure prepping block device.';
    throw new ComputeException('BuildAbortException', `Build of instance ${uuid} aborted: ${reason}`, {
      novaException: true, code: 500, frames: [frame('nova.compute.manager', '_build_resources')],
    });
  }
}

/** _build_and_run_instance: "Failed to allocate the network(s), not rescheduling." (create.error carries the original). */
const NETWORK_ABORTS = new Set(['VirtualInterfaceCreateException']);

/** Exceptions _build_and_run_instance turns into BuildAbortException (the rest into RescheduledException). */
const BUILD_ABORTS = new Set([
  'BuildAbortException', 'FlavorDiskTooSmall', 'FlavorMemoryTooSmall', 'ImageNotActive', 'ImageUnacceptable', 'InvalidDiskInfo',
  'InvalidDiskFormat', 'SignatureVerificationError', 'CertificateValidationFailed', 'VolumeEncryptionNotSupported', 'InvalidInput',
  'RequestedVRamTooHigh', 'NoMoreFixedIps',
]);

/**
 * A failure inside the claim: _build_and_run_instance sends create.error while the instance is
 * still BUILDING, then _do_build_and_run_instance handles it without re-raising (so no
 * compute.exception and a successful action event): fault row, host/node cleared, ERROR. The
 * fault is the wrapping exception's: "Build of instance <uuid> aborted: <reason>" for a
 * BuildAbortException, the reason (str(exc)) for a RescheduledException with no retry left.
 */
async function buildFailed(d: ManagerDeps, ctx: RequestContext, uuid: string, e: ComputeException, extras: { keypairs: KeypairRow[]; trustedImageCertificates: string[] | null }, host: string): Promise<void> {
  const s = d.services;
  // The aborted claim (rt.abort_instance_claim → _unset_instance_host_and_node) is an instance.save() of
  // host/node None: of the instance itself on master; of the claim's copy on Zed (Nova f8b98390dc), so
  // there the manager's object — which create.error shows — keeps its host. Either way send_update runs.
  if (s.profile.switches.createErrorNullHost) saveInstance(s, d.notifier, ctx, uuid, { host: null, node: null });
  else if (s.config.notifyOnStateChange) {
    const row = s.instances.get(uuid);
    if (row) d.notifier.sendUpdate(ctx, row, { ...row, host: null, node: null }, s.bdms.listForInstance(uuid));
  }
  // Not Instance.saves: the network info cache, and create.error's task_state None (the state of
  // Nova's sample, whose _build_resources fails before any task state is set).
  s.instances.update(uuid, { task_state: null, network_info: [] });
  d.notifier.notifyAboutInstanceCreate(ctx, s.instances.get(uuid)!, s.bdms.listForInstance(uuid), host, 'error', exceptionInfo(e, '_build_and_run_instance'), extras);
  // _do_build_and_run_instance: _cleanup_volumes(raise_exc=False) before the fault is recorded.
  await cleanupVolumes(d, ctx, uuid);
  const now = s.runtime.now();
  // A BuildAbortException raised by _build_resources already carries "Build of instance … aborted: …";
  // _build_and_run_instance turns the network failures into one with its own reason.
  const message = NETWORK_ABORTS.has(e.pyClass)
    ? `Build of instance ${uuid} aborted: Failed to allocate the network(s), not rescheduling.`
    : e.pyClass !== 'BuildAbortException' && BUILD_ABORTS.has(e.pyClass) ? `Build of instance ${uuid} aborted: ${e.message}` : e.message;
  s.db.transaction(() => {
    s.actions.addFault({ instanceUuid: uuid, code: 500, message, details: e.tracebackLines().join(''), host: s.config.confHost, at: now });
    // _nil_out_instance_obj_host_and_node: no host, no zone; _set_instance_obj_error_state saves.
    saveInstance(s, d.notifier, ctx, uuid, { host: null, node: null, availability_zone: null, vm_state: 'error', task_state: null, updated_at: now });
  })();
}

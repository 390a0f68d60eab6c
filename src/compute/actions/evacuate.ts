// evacuate (nova/api/openstack/compute/evacuate.py EvacuateController._evacuate → compute/api.py
// API.evacuate → conductor/manager.py ComputeTaskManager.rebuild_instance(recreate=True) →
// ComputeManager.rebuild_instance on the destination). Only when the source nova-compute is down
// (novasim: forced down, os-services PUT forced_down=true), as servicegroup_api.service_is_up decides.
import type { VmState } from '../../domain.js';
import { NoValidHost } from '../../scheduler/scheduler.js';
import { serviceZone } from '../availability-zones.js';
import { requestSpecFor } from '../conductor.js';
import { createEvacuationMigration, updateMigration } from '../evacuations.js';
import { ComputeException } from '../exceptions.js';
import { rebuildInstanceFlow, recoverRebuild, setVmStateAndNotify, type RebuildArgs } from './rebuild.js';
import { evacuateV21, evacuateV214, evacuateV229, evacuateV268 } from './schemas.js';
import { defineAction, type FlowContext } from './types.js';

const nova = (pyClass: string, message: string, code: number) => new ComputeException(pyClass, message, { novaException: true, code });

export interface EvacuateArgs extends RebuildArgs {
  host: string | null;
  /** 2.29–2.67 `force`; null before 2.29 (a given host is then used without the scheduler). */
  force: boolean | null;
  /** Pre-2.14 only: onSharedStorage. */
  onSharedStorage: boolean | null;
  /** What the pre-2.14 response shows. */
  showPassword: boolean;
  /** A controller-level 400 found while reading the body, raised by the API step. */
  invalid?: string;
}

/**
 * ComputeTaskManager.rebuild_instance for an evacuation: a forced host is used as given; otherwise
 * the scheduler picks a host other than the source (ignore_hosts), restricted to the requested one
 * when a host was given without force (RequestSpec.requested_destination).
 */
async function conductorEvacuate(f: FlowContext<EvacuateArgs>): Promise<boolean> {
  const s = f.d.services;
  const inst = f.instance();
  const a = f.args;
  const migrationId = a.evacuate?.migrationId ?? null;
  const forced = a.host !== null && a.force !== false;
  let host: string;
  let node: string | null;
  if (forced) {
    host = a.host!;
    node = s.hosts.nodesByHost(host)[0]?.hypervisor_hostname ?? null;
  } else {
    const { spec, payload } = requestSpecFor(s, inst, { securityGroups: [] });
    const others = a.host ? s.hosts.services().filter((sv) => sv.binary === 'nova-compute' && sv.host !== a.host).map((sv) => sv.host) : [];
    spec.forceHosts = null;
    spec.forceNodes = null;
    spec.ignoreHosts = [...new Set([inst.host ?? '', ...others])].filter(Boolean);
    try {
      const dest = f.d.scheduler.selectDestination(f.ctx, spec, payload);
      host = dest.host;
      node = dest.node;
    } catch (err) {
      if (!(err instanceof NoValidHost)) throw err;
      if (migrationId) updateMigration(s, migrationId, { status: 'error' });
      setVmStateAndNotify(f, err, payload);
      throw err;
    }
  }
  f.d.notifier.notifyAboutInstanceRebuild(f.ctx, f.instance(), s.bdms.listForInstance(f.uuid), host, 'rebuild_scheduled', null, null, { source: 'nova-conductor' });
  f.save({ availability_zone: serviceZone(s, host, 'nova-compute') });
  // The cast goes to the destination's nova-compute.
  a.computeHost = host;
  a.computeNode = node ?? undefined;
  return true;
}

export const evacuate = defineAction<EvacuateArgs>({
  name: 'evacuate',
  conflictName: 'evacuate',
  bodies: [
    { min: '2.68', schema: evacuateV268 },
    { min: '2.29', max: '2.67', schema: evacuateV229 },
    { min: '2.14', max: '2.28', schema: evacuateV214 },
    { min: '2.1', max: '2.13', schema: evacuateV21 },
  ],
  args: (body, v, gen) => {
    const b = body.evacuate as { host?: string; adminPass?: string; onSharedStorage?: boolean; force?: boolean };
    const onSharedStorage = v.matches('2.14') ? null : b.onSharedStorage ?? false;
    const force = v.matches('2.29') && !v.matches('2.68') ? b.force ?? false : v.matches('2.68') ? false : null;
    let invalid: string | undefined;
    if (force === true && !b.host) invalid = "Can't force to a non-provided destination";
    let password: string | null;
    if (v.matches('2.14')) password = b.adminPass ?? gen.password();
    else if (b.adminPass !== undefined) {
      if (onSharedStorage) invalid ??= "admin password can't be changed on existing disk";
      password = b.adminPass;
    } else password = onSharedStorage ? null : gen.password();
    // 2.95: an evacuated server ends up stopped.
    const targetState: VmState | null = v.matches('2.95') ? 'stopped' : null;
    return {
      imageRef: '', password: password ?? '', preserveEphemeral: false, reimageBootVolume: false,
      host: b.host ?? null, force, onSharedStorage, showPassword: !v.matches('2.14') && password !== null,
      evacuate: { migrationId: null, targetState, onSharedStorage },
      ...(invalid ? { invalid } : {}),
    };
  },
  status: 200,
  response: (a) => (a.showPassword ? { adminPass: a.password } : null),
  policy: 'os_compute_api:os-evacuate',
  errors: { ComputeHostNotFound: 404, Invalid: 400, ComputeServiceInUse: 400, SameHost: 400 },
  lock: false,
  states: { method: 'evacuate', vmStates: ['active', 'stopped', 'error'], taskStates: [null] },
  async prepareWithNeighbours(p) {
    const { s, instance, args } = p;
    if (args.invalid) throw nova('Invalid', args.invalid, 400);
    if (args.host !== null && !s.hosts.serviceByHostBinary(args.host, 'nova-compute')) throw nova('ComputeHostNotFound', `Compute host ${args.host} not found.`, 404);
    if (instance.host === args.host) throw nova('SameHost', "The target host can't be the same one.", 400);
    // servicegroup_api.service_is_up(service): up unless forced down.
    const source = instance.host ? s.hosts.serviceByHostBinary(instance.host, 'nova-compute') : null;
    if (source && !source.forced_down) throw nova('ComputeServiceInUse', `Compute service of ${instance.host} is still in use.`, 400);
    return { args };
  },
  taskState: 'rebuilding',
  instanceAction: 'evacuate',
  // The tombstone Migration the source compute cleans up, created with the action.
  afterSave(p) {
    const i = p.instance;
    const migrationId = createEvacuationMigration(p.s, {
      instanceUuid: i.uuid, sourceCompute: i.host, sourceNode: i.node, destHost: p.args.host, flavorId: i.flavor.id, userId: p.ctx.userId, projectId: p.ctx.projectId,
    });
    return { ...p.args, evacuate: { ...p.args.evacuate!, migrationId } };
  },
  // notify_about_instance_action(context, instance, CONF.host, action=EVACUATE, source=API).
  afterCommit(p) {
    p.notifier.notifyAboutInstanceAction(p.ctx, p.instance, p.s.bdms.listForInstance(p.instance.uuid), p.s.config.confHost, 'evacuate', null, null, { source: 'nova-api', bdmsFromDb: true });
  },
  conductorStep: conductorEvacuate,
  conductorEvent: 'rebuild_server',
  method: 'rebuild_instance',
  flow: rebuildInstanceFlow,
  onRestart: 'revert',
  recoverCleanup: recoverRebuild,
});

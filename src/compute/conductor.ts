// nova-conductor's schedule_and_build_instances, the scheduling half: build the RequestSpec, ask the
// scheduler for a destination, and on NoValidHost bury the instance (_bury_in_cell0 →
// set_vm_state_and_notify: ERROR, a fault, compute_task.build_instances.error).
import { legacyExceptionPayload } from '../notifier/legacy/exception.js';
import { legacyRequestSpec } from '../notifier/legacy/request-spec.js';
import type { NovaObject } from '../notifier/primitive.js';
import type { Instance, RequestContext } from '../domain.js';
import { computeTaskPayload, type ImageMetaSource, type RequestSpecSource } from '../notifier/payloads/hosts.js';
import { numaTopologyPayload } from '../notifier/payloads/numa.js';
import type { RequestSpec } from '../scheduler/host-state.js';
import type { InstanceGroupSpec } from '../scheduler/server-group-filters.js';
import { ServerGroupStore, type ServerGroup } from '../store/server-groups.js';
import { serverGroupPayload } from '../notifier/payloads/server-group.js';
import { NoValidHost, type Scheduler, type Selection } from '../scheduler/scheduler.js';
import type { Services } from '../services.js';
import { ComputeException, frame } from './exceptions.js';
import { exceptionInfo } from './events.js';
import { saveInstance } from './instance-save.js';

/** UnsupportedPolicyException: "ServerGroup policy is not supported: <reason>". */
class UnsupportedPolicy extends Error {
  constructor(reason: string) {
    super(`ServerGroup policy is not supported: ${reason}`);
  }
}

/** What the API recorded about placement in the build cast (absent in casts recorded before hosts existed). */
export interface PlacementRequest {
  /** The zone the user asked for (None when none). */
  requestedAz?: string | null;
  forceHost?: string | null;
  forceNode?: string | null;
  /** os:scheduler_hints, values as lists. */
  schedulerHints?: Record<string, string[]>;
  /**
   * The RequestSpec's security group names: the request's at boot; a spec loaded back from the database
   * (rebuild, evacuate) has none (RequestSpec does not persist them).
   */
  securityGroups?: string[];
}

export interface ConductorDeps {
  services: Services;
  scheduler: Scheduler;
}

function imageMeta(s: Services, ref: string): ImageMetaSource | null {
  const i = s.catalog.image(ref);
  if (!i) return null;
  const tags = (i as { tags?: string }).tags;
  return { ...i, properties: JSON.parse(i.properties) as Record<string, string>, tags: tags ? (JSON.parse(tags) as string[]) : [] };
}

/**
 * setup_instance_group: the instance's server group with its policy, rules, members and the hosts
 * the other live members run on (InstanceGroup.get_hosts), or null.
 */
function instanceGroupFor(s: Services, instanceUuid: string): { group: ServerGroup; spec: InstanceGroupSpec } | null {
  const group = new ServerGroupStore(s.db).forInstance(instanceUuid);
  if (!group) return null;
  const hosts = new Set<string>();
  for (const u of group.members) {
    if (u === instanceUuid) continue;
    const host = s.instances.get(u)?.host;
    if (host) hosts.add(host);
  }
  return { group, spec: { uuid: group.uuid, policy: group.policy, rules: { ...group.rules }, members: [...group.members], hosts: [...hosts] } };
}

export function requestSpecFor(s: Services, instance: Instance, p: PlacementRequest): { spec: RequestSpec; payload: RequestSpecSource } {
  const image = imageMeta(s, instance.image_ref);
  const g = instanceGroupFor(s, instance.uuid);
  const spec: RequestSpec = {
    instanceUuid: instance.uuid, projectId: instance.project_id, userId: instance.user_id,
    availabilityZone: p.requestedAz ?? null, flavor: instance.flavor,
    image: image ? { id: image.id, properties: image.properties } : null, numInstances: 1,
    forceHosts: p.forceHost ? [p.forceHost] : null, forceNodes: p.forceNode ? [p.forceNode] : null, ignoreHosts: null,
    schedulerHints: p.schedulerHints ?? {},
    instanceGroup: g?.spec ?? null,
    // compute_utils.is_volume_backed_instance: no image, or a root BDM that is a volume.
    isBfv: !instance.image_ref || s.bdms.listForInstance(instance.uuid).some((b) => b.boot_index === 0 && b.destination_type === 'volume'),
  };
  const payload: RequestSpecSource = {
    ...spec, image, securityGroups: p.securityGroups ?? ['default'], numaTopology: numaTopologyPayload(instance.flavor, instance.uuid),
    // RequestSpecPayload.instance_group: ServerGroupPayload of the spec's group.
    instanceGroup: g ? serverGroupPayload({ ...g.group, members: g.spec.members }, s.profile) : null,
  };
  return { spec, payload };
}

/** Returns the destination, or null when the instance was buried (NoValidHost). */
export function scheduleInstance(d: ConductorDeps, ctx: RequestContext, instance: Instance, p: PlacementRequest): Selection | null {
  const s = d.services;
  const { spec, payload } = requestSpecFor(s, instance, p);
  try {
    const unsupported = spec.instanceGroup ? d.scheduler.unsupportedGroupPolicy(spec.instanceGroup.policy) : null;
    if (unsupported) throw new UnsupportedPolicy(unsupported);
    const dest = d.scheduler.selectDestination(ctx, spec, payload);
    // schedule_and_build_instances: an instance without a requested zone takes its host's (set before
    // instance.create() turns the build request into the instance: a create, not an Instance.save).
    if (!p.requestedAz && instance.availability_zone !== dest.availabilityZone) {
      s.db.transaction(() => s.instances.update(instance.uuid, { availability_zone: dest.availabilityZone }))();
    }
    return dest;
  } catch (err) {
    if (!(err instanceof NoValidHost) && !(err instanceof UnsupportedPolicy)) throw err;
    const frames = [frame('nova.conductor.manager', 'schedule_and_build_instances', 1700), frame('nova.conductor.manager', '_schedule_instances', 980)];
    const e = err instanceof UnsupportedPolicy
      // UnsupportedPolicyException(Invalid): code 400, raised in setup_instance_group.
      ? new ComputeException('UnsupportedPolicyException', err.message, { novaException: true, code: 400, frames: [...frames, frame('nova.scheduler.utils', 'setup_instance_group'), frame('nova.scheduler.utils', '_get_group_details')] })
      : new ComputeException('NoValidHost', err.message, { novaException: true, code: 500, frames });
    const now = s.runtime.now();
    s.db.transaction(() => {
      // _bury_in_cell0 → set_vm_state_and_notify: instance.save() (BUILDING/scheduling → ERROR/None, whose
      // send_update comes before the fault and compute_task.build_instances.error).
      saveInstance(s, d.scheduler.notifier, ctx, instance.uuid, { vm_state: 'error', task_state: null, updated_at: now });
      // add_instance_fault_from_exc: details (the traceback) only for code 500.
      s.actions.addFault({ instanceUuid: instance.uuid, code: e.code, message: e.message, details: e.code === 500 ? e.tracebackLines().join('') : '', host: s.config.confHost, at: now });
    })();
    const notifier = d.scheduler.notifier;
    // scheduler_utils.set_vm_state_and_notify: the RequestSpec goes through to_legacy_request_spec_dict()
    // and back (RequestSpec.from_primitives in notify_about_compute_task_error), which keeps no
    // security groups: the versioned payload has `security_groups: []`.
    const roundTripped: RequestSpecSource = { ...payload, securityGroups: [] };
    const versioned = computeTaskPayload(instance.uuid, roundTripped, 'error', exceptionInfo(e), s.profile);
    const legacySpec = legacyRequestSpec(roundTripped, versioned['nova_object.data'].request_spec as NovaObject);
    notifier.emit({
      context: ctx, eventType: 'compute_task.build_instances.error', priority: 'ERROR', source: 'nova-conductor', host: s.config.confHost,
      payload: versioned, instanceUuid: instance.uuid, projectId: instance.project_id,
      // ...after its legacy notification: rpc.get_notifier('compute_task').error(ctx, 'compute_task.build_instances', payload).
      legacy: {
        kind: 'payload', service: 'compute_task', eventType: 'compute_task.build_instances', priority: 'ERROR',
        payload: {
          request_spec: legacySpec, instance_properties: legacySpec.instance_properties, instance_id: instance.uuid,
          state: 'error', method: 'build_instances', reason: legacyExceptionPayload(exceptionInfo(e)),
        },
      },
    });
    return null;
  }
}

// nova-conductor's schedule_and_build_instances, the scheduling half: build the RequestSpec, ask the
// scheduler for a destination, and on NoValidHost bury the instance (_bury_in_cell0 →
// set_vm_state_and_notify: ERROR, a fault, compute_task.build_instances.error).
import type { Instance, RequestContext } from '../domain.js';
import { computeTaskPayload, type ImageMetaSource, type RequestSpecSource } from '../notifier/payloads/hosts.js';
import type { RequestSpec } from '../scheduler/host-state.js';
import { NoValidHost, type Scheduler, type Selection } from '../scheduler/scheduler.js';
import type { Services } from '../services.js';
import { ComputeException, frame } from './exceptions.js';
import { exceptionInfo } from './events.js';

/** What the API recorded about placement in the build cast (absent in casts recorded before hosts existed). */
export interface PlacementRequest {
  /** The zone the user asked for (None when none). */
  requestedAz?: string | null;
  forceHost?: string | null;
  forceNode?: string | null;
  /** os:scheduler_hints, values as lists. */
  schedulerHints?: Record<string, string[]>;
}

export interface ConductorDeps {
  services: Services;
  scheduler: Scheduler;
}

function imageMeta(s: Services, ref: string): ImageMetaSource | null {
  const i = s.catalog.image(ref);
  if (!i) return null;
  return { ...i, properties: JSON.parse(i.properties) as Record<string, string> };
}

export function requestSpecFor(s: Services, instance: Instance, p: PlacementRequest): { spec: RequestSpec; payload: RequestSpecSource } {
  const image = imageMeta(s, instance.image_ref);
  const spec: RequestSpec = {
    instanceUuid: instance.uuid, projectId: instance.project_id, userId: instance.user_id,
    availabilityZone: p.requestedAz ?? null, flavor: instance.flavor,
    image: image ? { id: image.id, properties: image.properties } : null, numInstances: 1,
    forceHosts: p.forceHost ? [p.forceHost] : null, forceNodes: p.forceNode ? [p.forceNode] : null, ignoreHosts: null,
    schedulerHints: p.schedulerHints ?? {},
    // compute_utils.is_volume_backed_instance: no image, or a root BDM that is a volume.
    isBfv: !instance.image_ref || s.bdms.listForInstance(instance.uuid).some((b) => b.boot_index === 0 && b.destination_type === 'volume'),
  };
  const payload: RequestSpecSource = {
    ...spec, image, securityGroups: ['default'], instanceGroup: null,
  };
  return { spec, payload };
}

/** Returns the destination, or null when the instance was buried (NoValidHost). */
export function scheduleInstance(d: ConductorDeps, ctx: RequestContext, instance: Instance, p: PlacementRequest): Selection | null {
  const s = d.services;
  const { spec, payload } = requestSpecFor(s, instance, p);
  try {
    const dest = d.scheduler.selectDestination(ctx, spec, payload);
    // schedule_and_build_instances: an instance without a requested zone takes its host's.
    if (!p.requestedAz && instance.availability_zone !== dest.availabilityZone) {
      s.db.transaction(() => s.instances.update(instance.uuid, { availability_zone: dest.availabilityZone }))();
    }
    return dest;
  } catch (err) {
    if (!(err instanceof NoValidHost)) throw err;
    const e = new ComputeException('NoValidHost', err.message, {
      novaException: true, code: 500,
      frames: [frame('nova.conductor.manager', 'schedule_and_build_instances', 1700), frame('nova.conductor.manager', '_schedule_instances', 980)],
    });
    const now = s.runtime.now();
    s.db.transaction(() => {
      s.instances.update(instance.uuid, { vm_state: 'error', task_state: null, updated_at: now });
      s.actions.addFault({ instanceUuid: instance.uuid, code: 500, message: e.message, details: e.tracebackLines().join(''), host: s.config.confHost, at: now });
    })();
    const notifier = d.scheduler.notifier;
    if (notifier.versionedEnabled) {
      notifier.emit({
        context: ctx, eventType: 'compute_task.build_instances.error', priority: 'ERROR', source: 'nova-conductor', host: s.config.confHost,
        payload: computeTaskPayload(instance.uuid, payload, 'error', exceptionInfo(e), s.profile), instanceUuid: instance.uuid, projectId: instance.project_id,
      });
    }
    return null;
  }
}

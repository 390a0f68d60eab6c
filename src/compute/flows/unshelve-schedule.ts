// ComputeTaskManager.unshelve_instance for a SHELVED_OFFLOADED server (nova/conductor/manager.py):
// the shelved image must still exist (else ERROR + fault + UnshelveException), then
// select_destinations with the RequestSpec's zone (and the 2.91 host), the server takes the zone
// of the chosen host, and NoValidHost just clears task_state.
import { ComputeException, frame } from '../exceptions.js';
import { GlanceClient } from '../glance-client.js';
import { requestSpecFor } from '../conductor.js';
import type { FlowContext } from '../actions/types.js';
import type { UnshelveArgs } from '../actions/shelve.js';
import { NoValidHost, type Selection } from '../../scheduler/scheduler.js';

export async function scheduleForUnshelve(f: FlowContext<UnshelveArgs>): Promise<Selection | null> {
  const s = f.d.services;
  const instance = f.instance();
  const imageId = instance.system_metadata.shelved_image_id;
  if (imageId) {
    try {
      await new GlanceClient(s).show(f.ctx, imageId);
    } catch (e) {
      if ((e as ComputeException).pyClass !== 'ImageNotFound') throw e;
      const reason = `Unshelve attempted but the image ${imageId} cannot be found.`;
      const now = s.runtime.now();
      s.db.transaction(() => {
        s.instances.update(f.uuid, { vm_state: 'error', updated_at: now });
        s.actions.addFault({ instanceUuid: f.uuid, code: 404, message: reason, details: '', host: s.config.confHost, at: now });
      })();
      throw new ComputeException('UnshelveException', `Error during unshelve instance ${f.uuid}: ${reason}`, {
        novaException: true, code: 500, frames: [frame('nova.conductor.manager', 'unshelve_instance', 1040)],
      });
    }
  }
  const { spec, payload } = requestSpecFor(s, instance, {
    requestedAz: f.args.az ?? null,
    // request_spec.requested_destination = Destination(host=host) (2.91).
    forceHost: f.args.host ?? null,
  });
  try {
    const dest = f.d.scheduler.selectDestination(f.ctx, spec, payload);
    f.save({ availability_zone: dest.availabilityZone });
    return dest;
  } catch (e) {
    if (!(e instanceof NoValidHost)) throw e;
    // "No valid host found for unshelve instance": task_state None, nothing raised.
    f.save({ task_state: null });
    return null;
  }
}

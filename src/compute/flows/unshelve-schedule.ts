// ComputeTaskManager.unshelve_instance (nova/conductor/manager.py): a SHELVED server is simply
// started (task_state POWERING_ON, compute start_instance); for a SHELVED_OFFLOADED one the shelved
// image must still exist ('get_image_info': else ERROR + fault + UnshelveException), then
// select_destinations with the RequestSpec's zone and the 2.91 host ('schedule_instances'), the
// server takes the zone of the chosen host, and NoValidHost just clears task_state.
import { ComputeException, frame } from '../exceptions.js';
import { GlanceClient } from '../glance-client.js';
import { saveInstance } from '../instance-save.js';
import { requestSpecFor } from '../conductor.js';
import { setRequestedAz } from '../request-spec-az.js';
import type { FlowContext } from '../actions/types.js';
import type { UnshelveArgs } from '../actions/shelve.js';
import { NoValidHost } from '../../scheduler/scheduler.js';

type Reporter = { reporter<T>(event: string, fn: () => Promise<T>): Promise<T> };

export async function conductUnshelve(f: FlowContext<UnshelveArgs>, events: Reporter): Promise<UnshelveArgs | null> {
  const s = f.d.services;
  // request_spec.availability_zone = expected_az_after_unshelve; request_spec.save() (nova-api).
  s.db.transaction(() => setRequestedAz(s.db, f.uuid, f.args.az ?? null))();
  if (f.instance().vm_state === 'shelved') {
    f.save({ task_state: 'powering-on' });
    return { ...f.args, fromState: 'shelved' };
  }
  const imageId = f.instance().system_metadata.shelved_image_id;
  if (imageId) await events.reporter('get_image_info', () => checkShelvedImage(f, imageId));
  try {
    const dest = await events.reporter('schedule_instances', async () => {
      const { spec, payload } = requestSpecFor(s, f.instance(), {
        requestedAz: f.args.az ?? null,
        // request_spec.requested_destination = Destination(host=host) (2.91).
        forceHost: f.args.host ?? null,
      });
      return f.d.scheduler.selectDestination(f.ctx, spec, payload);
    });
    f.save({ availability_zone: dest.availabilityZone });
    return { ...f.args, fromState: 'shelved_offloaded', dest };
  } catch (e) {
    if (!(e instanceof NoValidHost)) throw e;
    // "No valid host found for unshelve instance": task_state None, nothing raised.
    f.save({ task_state: null });
    return null;
  }
}

/** safe_image_show: an image gone means ERROR, a fault "Unshelve attempted but the image … cannot be found." and UnshelveException. */
async function checkShelvedImage(f: FlowContext<UnshelveArgs>, imageId: string): Promise<void> {
  const s = f.d.services;
  try {
    await new GlanceClient(s).show(f.ctx, imageId);
  } catch (e) {
    if ((e as ComputeException).pyClass !== 'ImageNotFound') throw e;
    const reason = `Unshelve attempted but the image ${imageId} cannot be found.`;
    const now = s.runtime.now();
    s.db.transaction(() => {
      // instance.vm_state = ERROR; instance.save() (conductor unshelve_instance), then the fault.
      saveInstance(s, f.d.notifier, f.ctx, f.uuid, { vm_state: 'error', updated_at: now });
      s.actions.addFault({ instanceUuid: f.uuid, code: 404, message: reason, details: '', host: s.config.confHost, at: now });
    })();
    throw new ComputeException('UnshelveException', `Error during unshelve instance ${f.uuid}: ${reason}`, {
      novaException: true, code: 500, frames: [frame('nova.conductor.manager', 'unshelve_instance', 1040)],
    });
  }
}

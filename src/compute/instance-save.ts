// Instance.save (nova/objects/instance.py): the row update, then notifications.send_update(context,
// old_ref, new_ref), which sends instance.update only with [notifications]notify_on_state_change set.
// Call sites are the ones where Nova's code calls instance.save(); novasim's other row writes (the
// network info cache, BDM bookkeeping) are not Instance.save in Nova and send nothing.
import type { Instance, RequestContext } from '../domain.js';
import type { Services } from '../services.js';
import type { ComputeNotifier } from './notifier-port.js';

export interface SaveOptions {
  /** Publisher source: send_update's default service is 'compute' wherever the save runs (nova-api included). */
  source?: 'nova-api' | 'nova-compute' | 'nova-conductor';
}

/** instance.save(). The rows are read back only when the option asks for notifications (the default costs nothing). */
export function saveInstance(
  s: Services, notifier: ComputeNotifier, ctx: RequestContext, uuid: string, patch: Partial<Instance>, opts: SaveOptions = {},
): void {
  if (!s.config.notifyOnStateChange) {
    s.instances.update(uuid, patch);
    return;
  }
  const old = s.instances.get(uuid);
  s.instances.update(uuid, patch);
  const saved = s.instances.get(uuid);
  if (old && saved) notifier.sendUpdate(ctx, old, saved, s.bdms.listForInstance(uuid), opts.source ? { source: opts.source } : {});
}

// The manager half of a server action: Nova's
//   @wrap_exception() @reverts_task_state @wrap_instance_event(prefix='compute') @wrap_instance_fault
// around the declaration's flow (nova/compute/manager.py).
import type { Instance, RequestContext } from '../../domain.js';
import { type ManagerDeps, elevated } from '../deps.js';
import { withInstanceEvent } from '../events.js';
import { asComputeException, faultMessage, formatFrames } from '../exceptions.js';
import type { FlowContext, AnyServerAction } from './types.js';

export interface ServerActionCast {
  kind: 'server_action';
  uuid: string;
  /** The declaration's name (body key). */
  action: string;
  args: unknown;
}

export function flowContext<A>(d: ManagerDeps, ctx: RequestContext, uuid: string, args: A): FlowContext<A> {
  const s = d.services;
  const instance = (): Instance => {
    const i = s.instances.get(uuid);
    if (!i) throw new Error(`instance ${uuid} vanished`);
    return i;
  };
  // The host the instance runs on (CONF.host of its nova-compute), whichever the scheduler picked;
  // an evacuation runs on the destination the conductor chose (args.computeHost).
  const host = (args as { computeHost?: string } | null)?.computeHost ?? s.instances.get(uuid)?.host ?? s.config.computeHost;
  return {
    d, ctx, uuid, args, instance,
    host,
    save(patch) {
      s.instances.update(uuid, { ...patch, updated_at: s.runtime.now() });
      return instance();
    },
    notify(action, phase, opts = {}) {
      // Call sites that pass bdms= list them as given; the others let the payload load them
      // (listed only when bdms_in_notifications is on).
      d.notifier.notifyAboutInstanceAction(ctx, instance(), s.bdms.listForInstance(uuid), host, action, phase, opts.exc ?? null, { bdmsFromDb: !opts.bdmsPassed });
    },
  };
}

/** Run one cast server action on nova-compute. Never throws (a cast has no caller). */
export async function runServerAction(d: ManagerDeps, reqCtx: RequestContext, decl: AnyServerAction, uuid: string, args: unknown): Promise<void> {
  const s = d.services;
  const instance = s.instances.get(uuid);
  if (!instance || !decl.flow || !decl.method) return;
  const ctx = elevated(reqCtx);
  if (decl.conductor) {
    // ComputeTaskManager's step (e.g. rebuild_instance) under compute_utils.EventReporter(context,
    // '<event>', self.host): it decides whether the cast to nova-compute happens at all.
    const go = await conductorStep(d, ctx, decl, uuid, args);
    if (!go) return;
  }
  const f = flowContext(d, ctx, uuid, args);
  const current = s.instances.get(uuid);
  if (!current) return;
  await withInstanceEvent(d, ctx, { ...current, host: f.host }, decl.method, async () => {
    try {
      await decl.flow!(f);
    } catch (e) {
      // reverts_task_state: task_state back to None (the instance may be gone: nothing to revert).
      if (decl.revertsTaskState !== false && s.instances.get(uuid)) s.instances.update(uuid, { task_state: null });
      throw e;
    }
  });
}

/** The conductor half: an action event on the conductor's host, finished with the error it raised. */
async function conductorStep(d: ManagerDeps, ctx: RequestContext, decl: AnyServerAction, uuid: string, args: unknown): Promise<boolean> {
  const s = d.services;
  const action = s.actions.get(uuid, ctx.requestId);
  const event = decl.conductorEvent ?? decl.method!;
  const eventId = action ? s.actions.eventStart(action.id, event, s.config.confHost, s.runtime.now()) : null;
  try {
    const go = await decl.conductor!(flowContext(d, ctx, uuid, args));
    if (eventId !== null && action) s.actions.eventFinish(eventId, action.id, s.runtime.now(), null);
    return go;
  } catch (err) {
    const e = asComputeException(err, [event]);
    if (eventId !== null && action) s.actions.eventFinish(eventId, action.id, s.runtime.now(), { details: faultMessage(e), traceback: formatFrames(e.frames).join('') });
    return false;
  }
}

// The manager half of a server action: Nova's
//   @wrap_exception() @reverts_task_state @wrap_instance_event(prefix='compute') @wrap_instance_fault
// around the declaration's flow (nova/compute/manager.py).
import type { Instance, RequestContext } from '../../domain.js';
import { type ManagerDeps, elevated } from '../deps.js';
import { withInstanceEvent } from '../events.js';
import { saveInstance } from '../instance-save.js';
import type { FlowContext, AnyServerAction } from './types.js';
import { type ComputeException, asComputeException, faultMessage, formatFrames } from '../exceptions.js';

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
      saveInstance(s, d.notifier, ctx, uuid, { ...patch, updated_at: s.runtime.now() });
      return instance();
    },
    async step(method, onHost, fn, opts = {}) {
      const e = await withInstanceEvent(d, ctx, { ...instance(), host: onHost }, method, async () => {
        try {
          await fn();
        } catch (err) {
          if (opts.revertsTaskState !== false && s.instances.get(uuid)) saveInstance(s, d.notifier, ctx, uuid, { task_state: null, updated_at: s.runtime.now() });
          throw err;
        }
      });
      return e;
    },
    notify(action, phase, opts = {}) {
      // Call sites that pass bdms= list them as given; the others let the payload load them
      // (listed only when bdms_in_notifications is on).
      d.notifier.notifyAboutInstanceAction(ctx, instance(), s.bdms.listForInstance(uuid), host, action, phase, opts.exc ?? null, { bdmsFromDb: !opts.bdmsPassed });
    },
  };
}

/** Run one cast server action on nova-compute. Never throws (a cast has no caller); returns what the method raised (an RPC call's caller gets it). */
export async function runServerAction(d: ManagerDeps, reqCtx: RequestContext, decl: AnyServerAction, uuid: string, args: unknown): Promise<ComputeException | null> {
  const s = d.services;
  const instance = s.instances.get(uuid);
  if (!instance || !decl.flow || !decl.method) return null;
  const ctx = elevated(reqCtx);
  if (decl.conductor) {
    const next = await runConductor(d, ctx, decl, uuid, args);
    if (next === null) return null;
    args = next;
  }
  if (decl.conductorStep) {
    // ComputeTaskManager's step (e.g. rebuild_instance) under compute_utils.EventReporter(context,
    // '<event>', self.host): it decides whether the cast to nova-compute happens at all.
    const go = await conductorStep(d, ctx, decl, uuid, args);
    if (!go) return null;
  }
  const f = flowContext(d, ctx, uuid, args);
  if (decl.steps) {
    // The flow records its own events (conductor_*, compute_* per manager method).
    await decl.flow(f);
    return null;
  }
  const method = typeof decl.method === 'function' ? decl.method(args) : decl.method;
  // unshelve: the scheduler's pick (computeHost); evacuate: args.computeHost (f.host); else the instance's host.
  const onHost = decl.computeHost?.(args) ?? f.host;
  const current = s.instances.get(uuid);
  if (!current) return null;
  return withInstanceEvent(d, ctx, { ...current, host: onHost }, method, async () => {
    try {
      await decl.flow!(f);
    } catch (e) {
      // reverts_task_state: task_state back to None (the instance may be gone: nothing to revert).
      if (decl.revertsTaskState !== false && s.instances.get(uuid)) saveInstance(s, d.notifier, ctx, uuid, { task_state: null });
      throw e;
    }
  });
}

/**
 * The conductor step: compute_utils.EventReporter events on the conductor's host (CONF.host); a
 * failure is logged, task_state set back to None, nothing raised (the API's cast has no caller).
 */
async function runConductor(d: ManagerDeps, ctx: RequestContext, decl: AnyServerAction, uuid: string, args: unknown): Promise<unknown | null> {
  const s = d.services;
  const f = flowContext(d, ctx, uuid, args);
  const action = s.actions.get(uuid, ctx.requestId);
  const reporter = async <T>(event: string, fn: () => Promise<T>): Promise<T> => {
    const eventId = action ? s.actions.eventStart(action.id, event, s.config.confHost, s.runtime.now()) : null;
    try {
      const out = await fn();
      if (eventId !== null && action) s.actions.eventFinish(eventId, action.id, s.runtime.now(), null);
      return out;
    } catch (e) {
      const err = asComputeException(e, [event]);
      if (eventId !== null && action) s.actions.eventFinish(eventId, action.id, s.runtime.now(), { details: faultMessage(err), traceback: formatFrames(err.frames).join('') });
      throw e;
    }
  };
  try {
    return await decl.conductor!(f, { reporter });
  } catch {
    if (s.instances.get(uuid)) s.db.transaction(() => saveInstance(s, d.notifier, ctx, uuid, { task_state: null }))();
    return null;
  }
}

/** The conductor half: an action event on the conductor's host, finished with the error it raised. */
async function conductorStep(d: ManagerDeps, ctx: RequestContext, decl: AnyServerAction, uuid: string, args: unknown): Promise<boolean> {
  const s = d.services;
  const action = s.actions.get(uuid, ctx.requestId);
  const event = decl.conductorEvent ?? (typeof decl.method === 'function' ? decl.method(args) : decl.method!);
  const eventId = action ? s.actions.eventStart(action.id, event, s.config.confHost, s.runtime.now()) : null;
  try {
    const go = await decl.conductorStep!(flowContext(d, ctx, uuid, args));
    if (eventId !== null && action) s.actions.eventFinish(eventId, action.id, s.runtime.now(), null);
    return go;
  } catch (err) {
    const e = asComputeException(err, [event]);
    if (eventId !== null && action) s.actions.eventFinish(eventId, action.id, s.runtime.now(), { details: faultMessage(e), traceback: formatFrames(e.frames).join('') });
    return false;
  }
}

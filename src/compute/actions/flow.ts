// The manager half of a server action: Nova's
//   @wrap_exception() @reverts_task_state @wrap_instance_event(prefix='compute') @wrap_instance_fault
// around the declaration's flow (nova/compute/manager.py).
import type { Instance, RequestContext } from '../../domain.js';
import { type ManagerDeps, elevated } from '../deps.js';
import { withInstanceEvent } from '../events.js';
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
  // The host the instance runs on (CONF.host of its nova-compute), whichever the scheduler picked.
  const host = s.instances.get(uuid)?.host ?? s.config.computeHost;
  return {
    d, ctx, uuid, args, instance,
    host,
    save(patch) {
      s.instances.update(uuid, { ...patch, updated_at: s.runtime.now() });
      return instance();
    },
    async step(method, onHost, fn, opts = {}) {
      const e = await withInstanceEvent(d, ctx, { ...instance(), host: onHost }, method, async () => {
        try {
          await fn();
        } catch (err) {
          if (opts.revertsTaskState !== false && s.instances.get(uuid)) s.instances.update(uuid, { task_state: null, updated_at: s.runtime.now() });
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

/** Run one cast server action on nova-compute. Never throws (a cast has no caller). */
export async function runServerAction(d: ManagerDeps, reqCtx: RequestContext, decl: AnyServerAction, uuid: string, args: unknown): Promise<void> {
  const s = d.services;
  const instance = s.instances.get(uuid);
  if (!instance || !decl.flow || !decl.method) return;
  const ctx = elevated(reqCtx);
  const f = flowContext(d, ctx, uuid, args);
  if (decl.steps) {
    // The flow records its own events (conductor_*, compute_* per manager method).
    await decl.flow(f);
    return;
  }
  await withInstanceEvent(d, ctx, instance, decl.method, async () => {
    try {
      await decl.flow!(f);
    } catch (e) {
      // reverts_task_state: task_state back to None (the instance may be gone: nothing to revert).
      if (decl.revertsTaskState !== false && s.instances.get(uuid)) s.instances.update(uuid, { task_state: null });
      throw e;
    }
  });
}

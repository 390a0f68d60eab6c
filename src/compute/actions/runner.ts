// The API half of a server action (nova/compute/api.py): the decorators' checks, the task_state
// save, _record_action_start and the cast, all in one transaction; the cast starts once it committed.
import { saveInstance } from '../instance-save.js';
import type { Instance, RequestContext } from '../../domain.js';
import type { Services } from '../../services.js';
import { checkInstanceLock, checkInstanceState, notFoundInstance } from '../checks.js';
import { ComputeException } from '../exceptions.js';
import type { ComputeManager } from '../manager.js';
import type { ComputeNotifier } from '../notifier-port.js';
import type { AnyServerAction, ApiCallContext, ApiHooks, NeighbourContext, Prepared, StateRule } from './types.js';

/** InstanceNotReady (check_instance_host): a 409 at every controller that expects it. */
export const instanceNotReady = (uuid: string) =>
  new ComputeException('InstanceNotReady', `Instance ${uuid} is not ready`, { novaException: true, code: 409 });

export class ServerActionRunner {
  constructor(
    private s: Services,
    private manager: ComputeManager,
    private notifier: ComputeNotifier,
    private hooks: ApiHooks,
  ) {}

  /** The decorators' checks (@check_instance_lock, @check_instance_host, @check_instance_state) on the stored instance. */
  private check(ctx: RequestContext, uuid: string, decl: AnyServerAction, args: unknown): Instance {
    const current = this.s.instances.get(uuid);
    if (!current) throw notFoundInstance(uuid);
    // block_shares_not_supported (outermost decorator): instance_has_share.
    if (decl.blockShares && this.s.shareMappings.listForInstance(current.uuid).length) {
      throw new ComputeException('ForbiddenWithShare', 'Feature not supported with instances that have shares.', { novaException: true, code: 400 });
    }
    if (decl.lock) checkInstanceLock(ctx, current);
    if (decl.host && !current.host) throw instanceNotReady(current.uuid);
    const rule: StateRule | null = typeof decl.states === 'function' ? decl.states(args) : decl.states;
    if (rule) checkInstanceState(current, rule.method, rule.vmStates, { taskStates: rule.taskStates, mustHaveLaunched: rule.mustHaveLaunched });
    decl.validate?.(this.s, current, args);
    decl.apiCheck?.(this.s, current, args);
    return current;
  }

  /**
   * Run `decl` on `instance` with validated `args`; throws the compute exceptions the controller maps.
   * Returns the API effect's result and the arguments the cast carried (after the preparation steps).
   */
  async run(
    ctx: RequestContext, instance: Instance, decl: AnyServerAction, args: unknown, authorize: (rule: string) => void = () => undefined,
  ): Promise<{ result: Record<string, unknown> | null; args: unknown }> {
    const s = this.s;
    const call = (inst: Instance, a: unknown): ApiCallContext<unknown> => ({ s, hooks: this.hooks, notifier: this.notifier, ctx, instance: inst, args: a, authorize });
    if (decl.apiCall) return { result: (await decl.apiCall(call(this.check(ctx, instance.uuid, decl, args), args))) ?? null, args };
    if (decl.prepare) args = await decl.prepare(call(this.check(ctx, instance.uuid, decl, args), args));
    let prepared: Prepared<unknown> | null = null;
    if (decl.prepareWithNeighbours) {
      // The decorators run before the method body: check first, then the neighbour calls.
      prepared = await decl.prepareWithNeighbours(this.neighbourContext(ctx, this.check(ctx, instance.uuid, decl, args), args));
      args = prepared.args;
    }
    let start: (() => void | Promise<void>) | null = null;
    let result: Record<string, unknown> | null = null;
    try {
      this.transact(ctx, instance, decl, args, prepared, (st, r, a) => {
        start = st;
        result = r;
        args = a;
      });
    } catch (e) {
      if (decl.undo) await decl.undo(call(instance, args)).catch(() => undefined);
      if (prepared?.undo) await prepared.undo().catch(() => undefined);
      throw e;
    }
    if (decl.afterCommit) {
      const now = s.instances.get(instance.uuid);
      if (now) decl.afterCommit(this.neighbourContext(ctx, now, args));
    }
    if (start) await (start as () => void | Promise<void>)();
    if (decl.apiConductor) {
      // The conductor's step, then (when it hands one over) the cast to nova-compute.
      const castArgs = decl.apiConductor({ s, scheduler: this.manager.d.scheduler, ctx, uuid: instance.uuid, args });
      if (castArgs !== undefined && castArgs !== null && decl.flow) {
        const go = s.db.transaction(() => this.manager.record(ctx, { kind: 'server_action', uuid: instance.uuid, action: decl.name, args: castArgs }))();
        go();
      }
    }
    return { result, args };
  }

  private transact(
    ctx: RequestContext, instance: Instance, decl: AnyServerAction, args: unknown, prepared: Prepared<unknown> | null,
    out: (start: (() => void | Promise<void>) | null, result: Record<string, unknown> | null, args: unknown) => void,
  ): void {
    const s = this.s;
    let start: (() => void | Promise<void>) | null = null;
    let result: Record<string, unknown> | null = null;
    s.db.transaction(() => {
      // Re-read inside the transaction: the checks and the save are one step, as save(expected_task_state) makes them in Nova.
      const current = this.check(ctx, instance.uuid, decl, args);
      if (decl.apiEffect) {
        result = decl.apiEffect({
          s, notifier: this.notifier, ctx, instance: current, args,
          recordApiEvent: (action, event, fn) => this.recordApiEvent(ctx, current, action, event, fn),
        }) ?? null;
        return;
      }
      if (decl.inApiTransaction) args = decl.inApiTransaction({ s, ctx, instance: current, args, quotas: this.hooks.quotas });
      const now = s.runtime.now();
      const taskState = typeof decl.taskState === 'function' ? decl.taskState(args) : decl.taskState;
      const cast = !!decl.flow && (decl.castIf?.(current, args) ?? true);
      const patch = { ...prepared?.patch, ...(typeof decl.apiPatch === 'function' ? decl.apiPatch(args, current) : decl.apiPatch) };
      if ((taskState !== undefined && cast) || Object.keys(patch).length) {
        // instance.task_state = …; instance.save(expected_task_state=[None]) in compute/api.py (send_update's service: 'compute').
        saveInstance(s, this.notifier, ctx, current.uuid, { ...patch, ...(taskState !== undefined && cast ? { task_state: taskState } : {}), updated_at: now });
      }
      // The API did all of it (snapshot_volume_backed): no instance action recorded here, no cast.
      if (decl.skipCast?.(args)) return;
      if (decl.instanceAction) this.recordActionStart(ctx, current.uuid, decl.instanceAction);
      if (decl.afterSave) args = decl.afterSave(this.neighbourContext(ctx, s.instances.get(current.uuid)!, args));
      const c = { kind: 'server_action' as const, uuid: current.uuid, action: decl.name, args };
      if (cast && !decl.apiConductor) start = decl.call ? this.manager.recordCall(ctx, c) : this.manager.record(ctx, c);
    })();
    out(start, result, args);
  }

  /** What preparation steps that call neighbours are given (NeighbourContext). */
  private neighbourContext(ctx: RequestContext, instance: Instance, args: unknown): NeighbourContext<unknown> {
    return { s: this.s, ctx, instance, args, glance: this.hooks.glance, volumes: this.hooks.volumes, notifier: this.notifier, quotas: this.hooks.quotas };
  }

  private recordActionStart(ctx: RequestContext, uuid: string, action: string): void {
    this.s.actions.start({ action, instanceUuid: uuid, requestId: ctx.requestId, userId: ctx.userId, projectId: ctx.projectId, at: this.s.runtime.now() });
  }

  /** _record_action_start + wrap_instance_event(prefix='api'): an `api_<event>` event on the API host. */
  private recordApiEvent(ctx: RequestContext, instance: Instance, action: string, event: string, fn: () => void): void {
    const s = this.s;
    this.recordActionStart(ctx, instance.uuid, action);
    const a = s.actions.get(instance.uuid, ctx.requestId);
    const eventId = a ? s.actions.eventStart(a.id, `api_${event}`, s.config.confHost, s.runtime.now()) : null;
    fn();
    if (a && eventId !== null) s.actions.eventFinish(eventId, a.id, s.runtime.now(), null);
  }
}

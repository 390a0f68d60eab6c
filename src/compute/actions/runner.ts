// The API half of a server action (nova/compute/api.py): the decorators' checks, the task_state
// save, _record_action_start and the cast, all in one transaction; the cast starts once it committed.
import type { Instance, RequestContext } from '../../domain.js';
import type { Services } from '../../services.js';
import { checkInstanceLock, checkInstanceState, notFoundInstance } from '../checks.js';
import { ComputeException } from '../exceptions.js';
import type { ComputeManager } from '../manager.js';
import type { ComputeNotifier } from '../notifier-port.js';
import type { AnyServerAction, StateRule } from './types.js';

/** InstanceNotReady (check_instance_host): a 409 at every controller that expects it. */
export const instanceNotReady = (uuid: string) =>
  new ComputeException('InstanceNotReady', `Instance ${uuid} is not ready`, { novaException: true, code: 409 });

export class ServerActionRunner {
  constructor(
    private s: Services,
    private manager: ComputeManager,
    private notifier: ComputeNotifier,
  ) {}

  /** Run `decl` on `instance` with validated `args`; throws the compute exceptions the controller maps. */
  run(ctx: RequestContext, instance: Instance, decl: AnyServerAction, args: unknown): Record<string, unknown> | null {
    const s = this.s;
    let start: (() => void) | null = null;
    let result: Record<string, unknown> | null = null;
    s.db.transaction(() => {
      // Re-read inside the transaction: the checks and the save are one step, as save(expected_task_state) makes them in Nova.
      const current = s.instances.get(instance.uuid);
      if (!current) throw notFoundInstance(instance.uuid);
      if (decl.lock) checkInstanceLock(ctx, current);
      if (decl.host && !current.host) throw instanceNotReady(current.uuid);
      const rule: StateRule | null = typeof decl.states === 'function' ? decl.states(args) : decl.states;
      if (rule) checkInstanceState(current, rule.method, rule.vmStates, { taskStates: rule.taskStates, mustHaveLaunched: rule.mustHaveLaunched });
      decl.apiCheck?.(s, current, args);
      if (decl.apiEffect) {
        result = decl.apiEffect({
          s, notifier: this.notifier, ctx, instance: current, args,
          recordApiEvent: (action, event, fn) => this.recordApiEvent(ctx, current, action, event, fn),
        }) ?? null;
        return;
      }
      const now = s.runtime.now();
      const taskState = typeof decl.taskState === 'function' ? decl.taskState(args) : decl.taskState;
      if (taskState !== undefined || decl.apiPatch) {
        s.instances.update(current.uuid, { ...(taskState !== undefined ? { task_state: taskState } : {}), ...decl.apiPatch, updated_at: now });
      }
      if (decl.instanceAction) this.recordActionStart(ctx, current.uuid, decl.instanceAction);
      if (decl.flow) start = this.manager.record(ctx, { kind: 'server_action', uuid: current.uuid, action: decl.name, args });
    })();
    if (start) (start as () => void)();
    return result;
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

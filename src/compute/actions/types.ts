// "An action is a row": one declaration per POST /servers/{id}/action body key, read by one API
// runner (compute/actions/runner.ts) and one manager runner (compute/actions/flow.ts). The fields
// are Nova's decorators spelled as data:
//   @check_instance_lock → lock, @check_instance_host() → host, @check_instance_state(...) → states,
//   instance.task_state = … ; save(expected_task_state=[None]) → taskState,
//   _record_action_start(…, instance_actions.X) → instanceAction,
//   compute_rpcapi.<method>(…) → method + flow (run under @wrap_exception/@reverts_task_state/
//   @wrap_instance_event(prefix='compute')/@wrap_instance_fault).
import type { z } from 'zod';
import type { Instance, RequestContext, VmState } from '../../domain.js';
import type { ManagerDeps } from '../deps.js';
import type { ComputeNotifier } from '../notifier-port.js';
import type { Services } from '../../services.js';

/** A body schema valid for a microversion range (Nova's @validation.schema(schema, min, max)). */
export interface VersionedSchema {
  min?: string;
  max?: string;
  schema: z.ZodType;
}

/** @check_instance_state(vm_state=…, task_state=…, must_have_launched=…). */
export interface StateRule {
  /** Python method name InstanceInvalidState carries (`_hard_reboot`, `stop`). */
  method: string;
  vmStates: VmState[] | null;
  /** Default [None]; null means any. */
  taskStates?: (string | null)[] | null;
  mustHaveLaunched?: boolean;
}

/** What a flow is given: the manager's dependencies, the elevated-as-needed context, the instance. */
export interface FlowContext<A> {
  d: ManagerDeps;
  ctx: RequestContext;
  uuid: string;
  args: A;
  /** The instance as stored now. */
  instance(): Instance;
  /** instance.save(): write the patch (updated_at is stamped as Nova's TimestampMixin does). */
  save(patch: Partial<Instance>): Instance;
  /** compute_utils.notify_about_instance_action(context, instance, self.host, action, phase[, bdms]). */
  notify(action: string, phase: 'start' | 'end' | 'error' | null, opts?: { exc?: Parameters<ComputeNotifier['notifyAboutInstanceAction']>[6]; bdmsPassed?: boolean }): void;
  /** The compute service host (self.host). */
  host: string;
}

/** The API-side effect of an action that never reaches nova-compute (lock/unlock). */
export interface ApiEffectContext<A> {
  s: Services;
  notifier: ComputeNotifier;
  ctx: RequestContext;
  instance: Instance;
  args: A;
  /** _record_action_start + @wrap_instance_event(prefix='api') around `fn`, in one transaction. */
  recordApiEvent(action: string, event: string, fn: () => void): void;
}

export interface ServerAction<A = unknown> {
  /** The key of the POST /servers/{id}/action body (`os-stop`). */
  name: string;
  /** The action named in raise_http_conflict_for_instance_invalid_state (`stop`). */
  conflictName: string;
  /** First microversion the action exists in (e.g. trigger_crash_dump 2.17); absent = 2.1. */
  minVersion?: string;
  /** Body schemas by microversion; the first whose range matches validates the body. */
  bodies: VersionedSchema[];
  /** Arguments for the flow, from the validated body. */
  args(body: Record<string, unknown>, v: { matches(min: string, max?: string): boolean }, gen: { password(): string }): A;
  /** Success status (default 202) and body (default none): rescue answers 200 {adminPass}. */
  status?: number;
  response?(args: A): Record<string, unknown>;
  /** Policy rule checked against {project_id, user_id} of the instance. */
  policy: string;
  /** Extra policy check after the main one (unlock_override); returns a rule to authorize, or null. */
  extraPolicy?(ctx: RequestContext, instance: Instance): string | null;
  /** @check_instance_lock. */
  lock: boolean;
  /** @check_instance_host(): InstanceNotReady (409) without a host. */
  host?: boolean;
  /** @check_instance_state, possibly depending on the arguments (reboot SOFT vs HARD); null = no check. */
  states: StateRule | ((args: A) => StateRule) | null;
  /** compute_api checks after the state check, before anything is saved (rescue of a volume-backed server). */
  apiCheck?(s: Services, instance: Instance, args: A): void;
  /** task_state the API sets (save(expected_task_state=…)); undefined = unchanged. */
  taskState?: string | ((args: A) => string);
  /** Extra fields the API saves with task_state (force_stop: progress = 0). */
  apiPatch?: Partial<Instance>;
  /** instance_actions name recorded by _record_action_start (none for read-only calls such as os-getConsoleOutput). */
  instanceAction?: string;
  /** Manager method (event `compute_<method>`); with `flow`, the action is cast to nova-compute. */
  method?: string;
  flow?(f: FlowContext<A>): Promise<void>;
  /** @reverts_task_state on the manager method (trigger_crash_dump has none). */
  revertsTaskState?: boolean;
  /** Instead of a cast: what nova-api does itself (lock/unlock). */
  apiEffect?(e: ApiEffectContext<A>): Record<string, unknown> | void;
  /**
   * What nova-compute's start-up (_init_instance) does with an interrupted cast: `retry` runs the
   * method again (stop/start/reboot), `revert` clears task_state.
   */
  onRestart?: 'retry' | 'revert';
}

/** A declaration with its argument type erased, for the registry. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyServerAction = ServerAction<any>;

export const defineAction = <A>(a: ServerAction<A>): ServerAction<A> => a;

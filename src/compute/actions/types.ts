// "An action is a row": one declaration per POST /servers/{id}/action body key, read by one API
// runner (compute/actions/runner.ts) and one manager runner (compute/actions/flow.ts). The fields
// are Nova's decorators spelled as data:
//   @check_instance_lock → lock, @check_instance_host() → host, @check_instance_state(...) → states,
//   instance.task_state = … ; save(expected_task_state=[None]) → taskState,
//   _record_action_start(…, instance_actions.X) → instanceAction,
//   compute_rpcapi.<method>(…) → method + flow (run under @wrap_exception/@reverts_task_state/
//   @wrap_instance_event(prefix='compute')/@wrap_instance_fault).
import type { z } from 'zod';
import type { BlockDeviceMapping, Instance, RequestContext, VmState } from '../../domain.js';
import type { ManagerDeps } from '../deps.js';
import type { ComputeNotifier } from '../notifier-port.js';
import type { QuotaEngine } from '../quotas.js';
import type { Services } from '../../services.js';
import type { GlanceClient } from '../glance-client.js';
import type { VolumeApi } from '../volume-api.js';
import type { ConsoleApi } from '../consoles.js';
import type { Scheduler } from '../../scheduler/scheduler.js';

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
  /**
   * One manager method of a multi-step flow (resize: prep_resize → resize_instance → finish_resize), run
   * the way Nova's decorators run it: its own `compute_<method>` event on `host`, fault, compute.exception
   * and (unless told otherwise) reverts_task_state. Resolves to the exception it raised, or null.
   */
  step(method: string, host: string, fn: () => Promise<void>, opts?: { revertsTaskState?: boolean }): Promise<Error | null>;
}

/** What an action's API-side preparation sees (inside the API transaction, after the decorator checks). */
export interface PrepareContext<A> {
  s: Services;
  ctx: RequestContext;
  instance: Instance;
  args: A;
  /** compute_api's quota engine (absent only in runners built without one). */
  quotas?: QuotaEngine;
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

/**
 * What an action's API step may ask of other services before (or instead of) the transactional save:
 * Glance over HTTP (compute_utils.create_image), the API's _delete.
 */
export interface ApiHooks {
  glance: GlanceClient;
  volumes: VolumeApi;
  consoles: ConsoleApi;
  quotas: QuotaEngine;
  /** compute_api._delete(context, instance, delete_type, …) (delete-api.ts). */
  deleteInstance(ctx: RequestContext, instance: Instance, type: 'delete' | 'soft_delete' | 'force_delete'): Promise<void>;
}

/** An API step that talks to other services (async, outside the action's transaction). */
export interface ApiCallContext<A> {
  s: Services;
  hooks: ApiHooks;
  notifier: ComputeNotifier;
  ctx: RequestContext;
  instance: Instance;
  args: A;
  /** context.can(rule, target={user_id, project_id}) of the instance: throws the API's 403. */
  authorize(rule: string): void;
}

/** What a conductor step is given. */
export interface ConductorContext<A> {
  s: Services;
  scheduler: Scheduler;
  ctx: RequestContext;
  uuid: string;
  args: A;
}

/**
 * The API-side work of compute/api.py that needs a neighbour before the task_state save (image
 * lookup in Glance, create_image, volume checks): runs after the lock/state checks, outside the
 * transaction; its `patch` is saved with task_state, its `args` replace the cast's arguments.
 */
export interface NeighbourContext<A> {
  s: Services;
  ctx: RequestContext;
  instance: Instance;
  args: A;
  glance: GlanceClient;
  volumes: VolumeApi;
  notifier: ComputeNotifier;
  /** QUOTAS.limit_check(metadata_items=…): throws MetadataLimitExceeded (OverQuota, 403). */
  quotas: QuotaEngine;
}

export interface Prepared<A> {
  args: A;
  /** Instance fields the API saves with task_state (instance.update(kwargs); save(expected_task_state=[None])). */
  patch?: Partial<Instance>;
  /** Undo the neighbour-side effects if the save then fails (snapshot: delete the queued image). */
  undo?(): Promise<void>;
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
  /** Exceptions the controller answers with its own text (`NotImplementedError` → 501 "Unable to set password on instance"). */
  errorTexts?: Record<string, [number, string]>;
  /** Success status (default 202) and body (default none): rescue answers 200 {adminPass}. */
  status?: number;
  response?(args: A, r: ResponseContext): Record<string, unknown> | null;
  /** Response headers (createImage's Location before 2.45). */
  headers?(args: A, r: ResponseContext): Record<string, string>;
  /**
   * API writes after the task_state save and _record_action_start, in the same transaction (evacuate's
   * Migration record); returns the cast's arguments.
   */
  afterSave?(p: NeighbourContext<A>): A;
  /** What nova-api does once the save committed, before the cast (evacuate's instance.evacuate). */
  afterCommit?(p: NeighbourContext<A>): void;
  /** API-side work needing neighbours before the save (rebuild's image lookup, createImage); see NeighbourContext. */
  prepareWithNeighbours?(p: NeighbourContext<A>): Promise<Prepared<A>>;
  /**
   * nova-conductor's part (rebuild_instance: scheduling, instance.rebuild_scheduled) before the
   * compute method, recorded as the action event `conductor_<conductorEvent>`; returning false stops the cast.
   */
  conductorStep?(f: FlowContext<A>): Promise<boolean>;
  conductorEvent?: string;
  /** Policy rule checked against {project_id, user_id} of the instance (may depend on the arguments and the release). */
  policy: string | ((args: A, profile: 'master' | 'zed') => string);
  /** Extra policy check after the main one (unlock_override, rebuild:trusted_certs); returns a rule to authorize, or null. */
  extraPolicy?(ctx: RequestContext, instance: Instance, args: A, bdms: readonly BlockDeviceMapping[]): string | null;
  /** @block_shares_not_supported(): ForbiddenWithShare when the instance has a share mapped (suspend, shelve, …). */
  blockShares?: boolean;
  /** @check_instance_lock. */
  lock: boolean;
  /**
   * The compute API method's own checks and writes before the task_state save (resize: the new flavor,
   * quota, image limits; confirm: the migration record). Runs in the API transaction; returns the
   * arguments recorded in the cast. Throws ComputeExceptions the controller maps (see `errors`).
   */
  inApiTransaction?(p: PrepareContext<A>): A;
  /**
   * The controller's extra expected exceptions: class → status (`{ UnshelveHostNotInAZ: 409 }`), or status
   * with the controller's own text.
   */
  errors?: Record<string, number | { status: number; message: string }>;
  /** The flow drives its own manager methods with FlowContext.step (no outer `compute_<method>` event). */
  steps?: boolean;
  /** What nova-compute's start-up does with an interrupted cast of this action, when `onRestart` is not enough. */
  recover?(f: FlowContext<A>): Promise<'completed' | 'rolled back'>;
  /** @check_instance_host(): InstanceNotReady (409) without a host. */
  host?: boolean;
  /** @check_instance_state, possibly depending on the arguments (reboot SOFT vs HARD); null = no check. */
  states: StateRule | ((args: A) => StateRule) | null;
  /** compute_api checks after the decorators and before the task_state save (e.g. the host exists). */
  validate?(s: Services, instance: Instance, args: A): void;
  /**
   * nova-conductor's part before nova-compute (compute_task_api.<method>): run once the API's
   * transaction committed; returns the arguments of the cast to the instance's compute (the flow's
   * `args`), or throws what the API should answer (or swallows it when the conductor was cast to).
   */
  apiConductor?(c: ConductorContext<A>): unknown;
  /** compute_api checks after the state check, before anything is saved (rescue of a volume-backed server). */
  apiCheck?(s: Services, instance: Instance, args: A): void;
  /** task_state the API sets (save(expected_task_state=…)); undefined = unchanged. */
  taskState?: string | ((args: A) => string | undefined);
  /** Extra fields the API saves with task_state (force_stop: progress = 0); may depend on the instance (shelve's system_metadata). */
  apiPatch?: Partial<Instance> | ((args: A, instance: Instance) => Partial<Instance>);
  /**
   * An API step that needs another service before the save (shelve: compute_utils.create_image in
   * Glance). Runs after the checks; returns the arguments the cast carries. `undo` runs if the save
   * then fails (the checks are repeated inside the transaction).
   */
  prepare?(c: ApiCallContext<A>): Promise<A>;
  undo?(c: ApiCallContext<A>): Promise<void>;
  /** Whether the save is followed by a cast (restore of an instance without a host is finished by the API). */
  castIf?(instance: Instance, args: A): boolean;
  /** The API did all of it (snapshot_volume_backed): no instance action recorded here, no cast. */
  skipCast?(args: A): boolean;
  /** instance_actions name recorded by _record_action_start (none for read-only calls such as os-getConsoleOutput). */
  instanceAction?: string;
  /** Manager method (event `compute_<method>`); with `flow`, the action is cast to nova-compute. */
  method?: string | ((args: A) => string);
  flow?(f: FlowContext<A>): Promise<void>;
  /** compute_rpcapi.<method> is an RPC call: the API waits for nova-compute and answers with what it raised. */
  call?: boolean;
  /** Last microversion the action exists in (the deprecated console actions end at 2.5). */
  maxVersion?: string;
  /**
   * A nova-conductor step between the API and nova-compute (ComputeTaskManager.unshelve_instance:
   * image check, scheduling). It records its own events (`events.reporter`) and returns the
   * arguments of the compute step, or null when the operation ends in the conductor.
   */
  conductor?(f: FlowContext<A>, events: { reporter<T>(event: string, fn: () => Promise<T>): Promise<T> }): Promise<A | null>;
  /** The compute service that runs the method, when not the instance's current host (unshelve: the scheduler's pick). */
  computeHost?(args: A): string | null;
  /** @reverts_task_state on the manager method (trigger_crash_dump has none). */
  revertsTaskState?: boolean;
  /** Instead of a cast: what nova-api does itself (lock/unlock). */
  apiEffect?(e: ApiEffectContext<A>): Record<string, unknown> | void;
  /** Instead of a cast, an API step that talks to other services (forceDelete → _delete, remote consoles). */
  apiCall?(c: ApiCallContext<A>): Promise<Record<string, unknown> | void>;
  /**
   * What nova-compute's start-up (_init_instance) does with an interrupted cast: `retry` runs the
   * method again (stop/start/reboot), `revert` clears task_state.
   */
  onRestart?: 'retry' | 'revert' | ((f: FlowContext<A>) => Promise<'completed' | 'rolled back'>);
  /** What else a `revert` restart undoes (e.g. the live migration's record goes to `error`). */
  revertExtra?(d: ManagerDeps, args: A): void;
  /** Extra start-up clean-up for an interrupted cast (rebuild: volume attachments, then ERROR). */
  recoverCleanup?(f: FlowContext<A>): Promise<void>;
}

/** What a response builder may ask for: the microversion and the server's show view after the call. */
export interface ResponseContext {
  matches(min: string, max?: string): boolean;
  /** The API's base URL (for Location headers). */
  base: string;
  /** The server as GET /servers/{id} shows it at this microversion. */
  server(): Record<string, unknown>;
}

/** A declaration with its argument type erased, for the registry. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyServerAction = ServerAction<any>;

export const defineAction = <A>(a: ServerAction<A>): ServerAction<A> => a;

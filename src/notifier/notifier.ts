// Builds Nova's versioned notifications and fans them out to sinks. The methods mirror the
// helpers in nova/compute/utils.py (and nova/notifications/base.py for instance.update,
// nova/exception_wrapper.py for compute.exception), argument for argument where it matters:
// the caller passes the publishing host exactly as Nova's caller does (the compute manager's
// service host for instance notifications, CONF.host for compute.exception and nova-api).
import type { BlockDeviceMapping, Instance, RequestContext } from '../domain.js';
import type { Profile } from '../profiles/index.js';
import type { Runtime } from '../runtime.js';
import { buildEnvelope, eventTypeString, publisherId, type NotificationSource, type Phase, type Priority } from './envelope.js';
import { NotifierOptions, type NotifierOptionsInput } from './options.js';
import {
  currentAuditPeriod,
  exceptionPayload,
  instanceActionPayload,
  instanceActionVolumePayload,
  instanceActionVolumeSwapPayload,
  instanceCreatePayload,
  instanceUpdatePayload,
  instanceActionRescuePayload,
  instanceExistsPayload,
  instanceActionRebuildPayload,
  instanceActionSnapshotPayload,
  type AuditPeriod,
  type ExceptionInfo,
  type InstancePayloadSource,
  type KeypairInfo,
  keypairPayload,
  serverGroupPayload,
  type ServerGroupInfo,
} from './payloads/index.js';
import { deepFreeze } from './freeze.js';
import type { Sink } from './sinks/sink.js';
import type { CapturedNotification } from './types.js';

export interface NotifierDeps {
  runtime: Runtime;
  profile: Profile;
  options?: NotifierOptionsInput;
  sinks?: Sink[];
  /** Told about every sink failure (which is otherwise swallowed). */
  onSinkError?: (error: unknown, sink: Sink, n: CapturedNotification) => void;
}

export interface EmitParams {
  context: RequestContext | null;
  eventType: string;
  priority: Priority;
  source: NotificationSource;
  host: string;
  payload: unknown;
  instanceUuid?: string | null;
  projectId?: string | null;
}

export interface InstanceUpdateOptions {
  /** Publisher host; default CONF.host (options.host), as send_update(host=None). */
  host?: string;
  /** Default 'nova-api' (the tags/metadata/rename paths); the compute manager uses 'nova-compute'. */
  source?: NotificationSource;
  /** State transition; each missing value defaults to the instance's current state (Nova does the same). */
  oldState?: string | null;
  newState?: string | null;
  oldTaskState?: string | null;
  newTaskState?: string | null;
  /** Previous display name, only when it changed. */
  oldDisplayName?: string | null;
  auditPeriod?: AuditPeriod;
}

type Bdms = readonly BlockDeviceMapping[];

export class Notifier {
  readonly options: NotifierOptions;
  readonly profile: Profile;
  private readonly runtime: Runtime;
  private readonly sinkList: Sink[];
  private readonly onSinkError?: NotifierDeps['onSinkError'];
  private seq = 0;
  private sinkErrors = 0;

  constructor(deps: NotifierDeps) {
    this.runtime = deps.runtime;
    this.profile = deps.profile;
    this.options = NotifierOptions.parse(deps.options ?? {});
    this.sinkList = [...(deps.sinks ?? [])];
    this.onSinkError = deps.onSinkError;
  }

  /** rpc.if_notifications_enabled: versioned notifications only with format versioned/both. */
  get versionedEnabled(): boolean {
    return this.options.notificationFormat !== 'unversioned';
  }

  get sinks(): readonly Sink[] {
    return this.sinkList;
  }

  addSink(sink: Sink): void {
    this.sinkList.push(sink);
  }

  removeSink(name: string): boolean {
    const i = this.sinkList.findIndex((s) => s.name === name);
    if (i >= 0) this.sinkList.splice(i, 1);
    return i >= 0;
  }

  /** notify_about_volume_swap: `instance.volume_swap.<phase>`, InstanceActionVolumeSwapPayload. */
  notifyAboutVolumeSwap(
    ctx: RequestContext, instance: Instance, bdms: Bdms, host: string, phase: Phase,
    oldVolumeId: string, newVolumeId: string, exc?: ExceptionInfo | null,
  ): CapturedNotification | null {
    if (!this.versionedEnabled) return null;
    const payload = instanceActionVolumeSwapPayload({ ...this.source(ctx, instance, bdms, false), fault: exc ?? null, oldVolumeId, newVolumeId });
    return this.emitInstance(ctx, instance, 'volume_swap', phase, exc, host, payload);
  }

  /** notify_about_volume_attach_detach: `instance.volume_attach|volume_detach.<phase>`, InstanceActionVolumePayload. */
  notifyAboutVolumeAttachDetach(
    ctx: RequestContext, instance: Instance, bdms: Bdms, host: string,
    action: 'volume_attach' | 'volume_detach', phase: Phase, volumeId: string, exc?: ExceptionInfo | null,
  ): CapturedNotification | null {
    if (!this.versionedEnabled) return null;
    const payload = instanceActionVolumePayload({ ...this.source(ctx, instance, bdms, false), fault: exc ?? null, volumeId });
    return this.emitInstance(ctx, instance, action, phase, exc, host, payload);
  }

  /**
   * notify_about_instance_create: `instance.create.<phase>`, InstanceCreatePayload. The manager
   * passes the build's BDM list explicitly, so volume BDMs are listed whatever bdmsInNotifications says.
   */
  notifyAboutInstanceCreate(
    ctx: RequestContext, instance: Instance, bdms: Bdms, host: string, phase: Phase,
    exc?: ExceptionInfo | null,
    extras: { keypairs?: readonly KeypairInfo[]; trustedImageCertificates?: readonly string[] | null } = {},
  ): CapturedNotification | null {
    if (!this.versionedEnabled) return null;
    const payload = instanceCreatePayload({
      ...this.source(ctx, instance, bdms, true),
      fault: exc ?? null,
      keypairs: extras.keypairs ?? [],
      trustedImageCertificates: extras.trustedImageCertificates ?? null,
    });
    return this.emitInstance(ctx, instance, 'create', phase, exc, host, payload);
  }

  /**
   * notify_about_instance_action: `instance.<action>[.<phase>]`, InstanceActionPayload (delete,
   * shutdown, …). `_delete_instance`/`_shutdown_instance` pass their BDMs explicitly, so by default
   * they are listed regardless of bdmsInNotifications; set `bdmsFromDb` for Nova call sites that
   * pass none (then Nova lists the DB's BDMs only when bdms_in_notifications is on).
   */
  notifyAboutInstanceAction(
    ctx: RequestContext, instance: Instance, bdms: Bdms, host: string, action: string, phase: Phase | null,
    exc?: ExceptionInfo | null, opts: { source?: NotificationSource; bdmsFromDb?: boolean } = {},
  ): CapturedNotification | null {
    if (!this.versionedEnabled) return null;
    const payload = instanceActionPayload({ ...this.source(ctx, instance, bdms, !opts.bdmsFromDb), fault: exc ?? null });
    return this.emitInstance(ctx, instance, action, phase, exc, host, payload, opts.source);
  }

  /** notify_about_instance_rescue_action: `instance.rescue.<phase>`, InstanceActionRescuePayload. */
  notifyAboutInstanceRescueAction(
    ctx: RequestContext, instance: Instance, bdms: Bdms, host: string, rescueImageRef: string | null, phase: Phase, exc?: ExceptionInfo | null,
  ): CapturedNotification | null {
    if (!this.versionedEnabled) return null;
    const payload = instanceActionRescuePayload({ ...this.source(ctx, instance, bdms, false), fault: exc ?? null, rescueImageRef });
    return this.emitInstance(ctx, instance, 'rescue', phase, exc, host, payload);
  }

  /**
   * notify_usage_exists's versioned half: `instance.exists`, InstanceExistsPayload. The audit period
   * defaults to the current one (current_period=True, instance_usage_audit_period 'month').
   */
  notifyUsageExists(ctx: RequestContext, instance: Instance, bdms: Bdms, host: string, auditPeriod?: AuditPeriod): CapturedNotification | null {
    if (!this.versionedEnabled) return null;
    const payload = instanceExistsPayload({ ...this.source(ctx, instance, bdms, false), auditPeriod: auditPeriod ?? currentAuditPeriod(this.runtime.now()) });
    return this.emitInstance(ctx, instance, 'exists', null, null, host, payload);
  }

  /**
   * notify_about_instance_rebuild: `instance.<action>[.<phase>]` (rebuild, rebuild_scheduled),
   * InstanceActionRebuildPayload. `bdmsPassed` as Nova's caller: the compute manager passes its BDMs,
   * the conductor none (then listed only with bdms_in_notifications).
   */
  notifyAboutInstanceRebuild(
    ctx: RequestContext, instance: Instance, bdms: Bdms, host: string, action: 'rebuild' | 'rebuild_scheduled', phase: Phase | null,
    exc?: ExceptionInfo | null, opts: { source?: NotificationSource; bdmsPassed?: boolean } = {},
  ): CapturedNotification | null {
    if (!this.versionedEnabled) return null;
    const payload = instanceActionRebuildPayload({ ...this.source(ctx, instance, bdms, opts.bdmsPassed ?? false), fault: exc ?? null, trustedImageCertificates: instance.trusted_certs ?? null });
    return this.emitInstance(ctx, instance, action, phase, exc, host, payload, opts.source);
  }

  /** notify_about_instance_snapshot: `instance.snapshot.<phase>`, InstanceActionSnapshotPayload (no BDMs passed). */
  notifyAboutInstanceSnapshot(ctx: RequestContext, instance: Instance, bdms: Bdms, host: string, phase: Phase, snapshotImageId: string): CapturedNotification | null {
    if (!this.versionedEnabled) return null;
    const payload = instanceActionSnapshotPayload({ ...this.source(ctx, instance, bdms, false), fault: null, snapshotImageId });
    return this.emitInstance(ctx, instance, 'snapshot', phase, null, host, payload);
  }

  /** send_instance_update_notification: `instance.update`, InstanceUpdatePayload, INFO. */
  notifyAboutInstanceUpdate(ctx: RequestContext, instance: Instance, bdms: Bdms, opts: InstanceUpdateOptions = {}): CapturedNotification | null {
    if (!this.versionedEnabled) return null;
    const payload = instanceUpdatePayload({
      ...this.source(ctx, instance, bdms, false),
      stateUpdate: {
        old_state: opts.oldState ?? instance.vm_state,
        state: opts.newState ?? instance.vm_state,
        old_task_state: opts.oldTaskState ?? instance.task_state,
        new_task_state: opts.newTaskState ?? instance.task_state,
      },
      auditPeriod: opts.auditPeriod ?? currentAuditPeriod(this.runtime.now()),
      oldDisplayName: opts.oldDisplayName || null,
    });
    return this.emit({
      context: ctx, eventType: 'instance.update', priority: 'INFO', source: opts.source ?? 'nova-api',
      host: opts.host ?? this.options.host, payload, instanceUuid: instance.uuid, projectId: instance.project_id,
    });
  }

  /**
   * wrap_exception's versioned half: `compute.exception`, ExceptionPayload, ERROR, published by
   * `<source>:<CONF.host>` (`host` is CONF.host, not the compute service host; spec §10 pitfall 2).
   */
  notifyComputeException(
    ctx: RequestContext | null, host: string, exc: ExceptionInfo,
    opts: { source?: NotificationSource; instanceUuid?: string | null } = {},
  ): CapturedNotification | null {
    if (!this.versionedEnabled) return null;
    return this.emit({
      context: ctx, eventType: eventTypeString('compute', 'exception'), priority: 'ERROR',
      source: opts.source ?? 'nova-compute', host, payload: exceptionPayload(exc, this.profile),
      instanceUuid: opts.instanceUuid ?? null, projectId: ctx?.projectId ?? null,
    });
  }

  /** notify_about_keypair_action: `keypair.<action>.<phase>` from nova-api (CONF.host). */
  notifyAboutKeypairAction(ctx: RequestContext, keypair: KeypairInfo, action: 'create' | 'import' | 'delete', phase: 'start' | 'end'): CapturedNotification | null {
    if (!this.versionedEnabled) return null;
    return this.emit({
      context: ctx, eventType: eventTypeString('keypair', action, phase), priority: 'INFO', source: 'nova-api',
      host: this.options.host, payload: keypairPayload(keypair, this.profile),
    });
  }

  /** notify_about_server_group_action / _add_member: `server_group.<action>` from nova-api (CONF.host). */
  notifyAboutServerGroupAction(ctx: RequestContext, group: ServerGroupInfo, action: 'create' | 'delete' | 'add_member'): CapturedNotification | null {
    if (!this.versionedEnabled) return null;
    return this.emit({
      context: ctx, eventType: eventTypeString('server_group', action), priority: 'INFO', source: 'nova-api',
      host: this.options.host, payload: serverGroupPayload(group, this.profile), projectId: group.project_id,
    });
  }

  /** Wrap a built payload in the envelope and hand it to every sink. Returns what was published. */
  emit(p: EmitParams): CapturedNotification | null {
    if (!this.versionedEnabled) return null;
    const envelope = buildEnvelope(this.runtime, {
      publisherId: publisherId(p.source, p.host), eventType: p.eventType, priority: p.priority, payload: p.payload,
    });
    const n: CapturedNotification = deepFreeze({
      seq: ++this.seq,
      envelope,
      projectId: p.projectId ?? p.context?.projectId ?? null,
      instanceUuid: p.instanceUuid ?? null,
      topics: this.options.versionedNotificationsTopics.map((t) => `${t}.${p.priority.toLowerCase()}`),
      context: p.context,
    });
    for (const sink of this.sinkList) this.publishTo(sink, n);
    return n;
  }

  /** Restart seq numbering (e.g. on a deterministic-mode reset). */
  resetSequence(): void {
    this.seq = 0;
  }

  stats() {
    return {
      format: this.options.notificationFormat,
      emitted: this.seq,
      sink_errors: this.sinkErrors,
      sinks: Object.fromEntries(this.sinkList.map((s) => [s.name, s.stats?.() ?? {}])),
    };
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.sinkList.map((s) => s.close?.()));
  }

  /**
   * The InstancePayload inputs. `bdmsPassed` mirrors whether Nova's caller hands BDMs in
   * (listed as given) or lets BlockDevicePayload.from_instance load them (listed only when
   * bdms_in_notifications is on, else null).
   */
  private source(ctx: RequestContext, instance: Instance, bdms: Bdms, bdmsPassed: boolean): InstancePayloadSource {
    return {
      context: ctx,
      instance,
      bdms: bdmsPassed || this.options.bdmsInNotifications ? bdms : null,
      shares: this.options.includeShareMapping ? [] : null,
      profile: this.profile,
    };
  }

  private emitInstance(
    ctx: RequestContext, instance: Instance, action: string, phase: Phase | null, exc: ExceptionInfo | null | undefined,
    host: string, payload: unknown, source: NotificationSource = 'nova-compute',
  ): CapturedNotification | null {
    return this.emit({
      context: ctx,
      eventType: eventTypeString('instance', action, phase),
      priority: exc ? 'ERROR' : 'INFO',
      source,
      host,
      payload,
      instanceUuid: instance.uuid,
      projectId: instance.project_id,
    });
  }

  private publishTo(sink: Sink, n: CapturedNotification): void {
    try {
      const result = sink.publish(n);
      if (result && typeof (result as Promise<void>).then === 'function') {
        (result as Promise<void>).then(undefined, (err) => this.reportSinkError(err, sink, n));
      }
    } catch (err) {
      this.reportSinkError(err, sink, n);
    }
  }

  private reportSinkError(err: unknown, sink: Sink, n: CapturedNotification): void {
    this.sinkErrors++;
    try {
      this.onSinkError?.(err, sink, n);
    } catch {
      // The error reporter failing is not the caller's problem either.
    }
  }
}

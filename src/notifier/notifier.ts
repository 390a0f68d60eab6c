// Builds Nova's versioned notifications and fans them out to sinks. The methods mirror the
// helpers in nova/compute/utils.py (and nova/notifications/base.py for instance.update,
// nova/exception_wrapper.py for compute.exception), argument for argument where it matters:
// the caller passes the publishing host exactly as Nova's caller does (the compute manager's
// service host for instance notifications, CONF.host for compute.exception and nova-api).
import type { BlockDeviceMapping, FlavorSnapshot, Instance, RequestContext } from '../domain.js';
import type { Profile } from '../profiles/index.js';
import type { Runtime } from '../runtime.js';
import { buildEnvelope, eventTypeString, publisherId, type NotificationSource, type Phase, type Priority } from './envelope.js';
import { NotifierOptions, type NotifierOptionsInput } from './options.js';
import {
  currentAuditPeriod,
  exceptionPayload,
  instanceActionPayload,
  instanceActionSharePayload,
  sharePayload,
  instanceActionVolumePayload,
  instanceActionVolumeSwapPayload,
  instanceCreatePayload,
  instanceUpdatePayload,
  instanceActionRescuePayload,
  instanceActionResizePrepPayload,
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
import { legacyExceptionPayload, legacyPublisherId, legacyTwin, pyStrAware, strtime, type LegacyLookups, type LegacySubject } from './legacy/index.js';
import { libvirtErrorPayload, metricsPayload, volumeUsagePayload, type MetricInfo, type VolumeUsageInfo } from './payloads/periodic.js';

export interface NotifierDeps {
  runtime: Runtime;
  profile: Profile;
  options?: NotifierOptionsInput;
  sinks?: Sink[];
  /** Told about every sink failure (which is otherwise swallowed). */
  onSinkError?: (error: unknown, sink: Sink, n: CapturedNotification) => void;
  /** instance.get_shares(): the instance's share_mapping rows, for SharePayload.from_instance. */
  shareMappings?: (instanceUuid: string) => readonly { uuid: string; share_id: string; status: string; tag: string }[];
  /** Image lookups legacy payloads need (image_ref_url, image_name); default: none known. */
  legacyLookups?: Partial<LegacyLookups>;
  /**
   * message_id generator of legacy notifications. Separate from the runtime's stream so that turning
   * legacy notifications on never changes the versioned stream of a deterministic run.
   */
  legacyUuid?: () => string;
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
  /**
   * What the legacy (unversioned) twin needs (src/notifier/legacy/twins.ts). With notification_format
   * unversioned/both, emit() sends the twin Nova sends at the same call site, before the versioned one.
   */
  legacy?: LegacySubject;
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
  private readonly shareMappings: NonNullable<NotifierDeps['shareMappings']>;
  private seq = 0;
  private sinkErrors = 0;
  private legacySeq = 0;
  private readonly legacyLookups: LegacyLookups;
  private readonly legacyUuid: () => string;

  constructor(deps: NotifierDeps) {
    this.runtime = deps.runtime;
    this.profile = deps.profile;
    this.options = NotifierOptions.parse(deps.options ?? {});
    this.sinkList = [...(deps.sinks ?? [])];
    this.onSinkError = deps.onSinkError;
    this.shareMappings = deps.shareMappings ?? (() => []);
    this.legacyLookups = {
      imageRefUrl: deps.legacyLookups?.imageRefUrl ?? ((ref) => ref),
      imageName: deps.legacyLookups?.imageName ?? (() => null),
    };
    this.legacyUuid = deps.legacyUuid ?? (() => this.runtime.uuid());
  }

  /** rpc.if_notifications_enabled: versioned notifications only with format versioned/both. */
  get versionedEnabled(): boolean {
    return this.options.notificationFormat !== 'unversioned';
  }

  /** rpc.LEGACY_NOTIFIER is a real notifier (not noop) with format unversioned/both. */
  get legacyEnabled(): boolean {
    return this.options.notificationFormat !== 'versioned';
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
    const payload = instanceActionVolumeSwapPayload({ ...this.source(ctx, instance, bdms, false), fault: exc ?? null, oldVolumeId, newVolumeId });
    return this.emitInstance(ctx, instance, 'volume_swap', phase, exc, host, payload);
  }

  /** notify_about_volume_attach_detach: `instance.volume_attach|volume_detach.<phase>`, InstanceActionVolumePayload. */
  notifyAboutVolumeAttachDetach(
    ctx: RequestContext, instance: Instance, bdms: Bdms, host: string,
    action: 'volume_attach' | 'volume_detach', phase: Phase, volumeId: string, exc?: ExceptionInfo | null,
  ): CapturedNotification | null {
    const payload = instanceActionVolumePayload({ ...this.source(ctx, instance, bdms, false), fault: exc ?? null, volumeId });
    return this.emitInstance(ctx, instance, action, phase, exc, host, payload, 'nova-compute', { volumeId });
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
    const payload = instanceActionPayload({ ...this.source(ctx, instance, bdms, !opts.bdmsFromDb), fault: exc ?? null });
    return this.emitInstance(ctx, instance, action, phase, exc, host, payload, opts.source);
  }

  /**
   * notify_about_share_attach_detach (nova/compute/utils.py): `instance.share_attach|share_detach.<phase>`,
   * InstanceActionSharePayload, published with source nova-api although nova-compute sends it.
   */
  notifyAboutShareAttachDetach(
    ctx: RequestContext, instance: Instance, bdms: Bdms, host: string, action: 'share_attach' | 'share_detach', phase: Phase, shareId: string, exc?: ExceptionInfo | null,
  ): CapturedNotification | null {
    if (!this.versionedEnabled) return null;
    // BlockDevicePayload.from_instance: the BDMs come from the database (listed only with bdms_in_notifications).
    const payload = instanceActionSharePayload({ ...this.source(ctx, instance, bdms, false), fault: exc ?? null, shareId });
    return this.emitInstance(ctx, instance, action, phase, exc, host, payload, 'nova-api');
  }

  /** notify_about_instance_rescue_action: `instance.rescue.<phase>`, InstanceActionRescuePayload. */
  notifyAboutInstanceRescueAction(
    ctx: RequestContext, instance: Instance, bdms: Bdms, host: string, rescueImageRef: string | null, phase: Phase, exc?: ExceptionInfo | null,
  ): CapturedNotification | null {
    const payload = instanceActionRescuePayload({ ...this.source(ctx, instance, bdms, false), fault: exc ?? null, rescueImageRef });
    return this.emitInstance(ctx, instance, 'rescue', phase, exc, host, payload, 'nova-compute', { rescueImageRef });
  }

  /** notify_about_resize_prep_instance: `instance.resize_prep.<phase>`, InstanceActionResizePrepPayload (BDMs from the DB). */
  notifyAboutResizePrepInstance(ctx: RequestContext, instance: Instance, bdms: Bdms, host: string, phase: Phase, newFlavor: FlavorSnapshot): CapturedNotification | null {
    if (!this.versionedEnabled) return null;
    const payload = instanceActionResizePrepPayload({ ...this.source(ctx, instance, bdms, false), fault: null, newFlavor });
    return this.emitInstance(ctx, instance, 'resize_prep', phase, null, host, payload);
  }

  /**
   * notify_usage_exists's versioned half: `instance.exists`, InstanceExistsPayload. The audit period
   * defaults to the current one (current_period=True).
   */
  notifyUsageExists(ctx: RequestContext, instance: Instance, bdms: Bdms, host: string, auditPeriod?: AuditPeriod): CapturedNotification | null {
    const period = auditPeriod ?? currentAuditPeriod(this.runtime.now());
    const payload = instanceExistsPayload({ ...this.source(ctx, instance, bdms, false), auditPeriod: period });
    return this.emitInstance(ctx, instance, 'exists', null, null, host, payload, 'nova-compute', { auditPeriod: period });
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
    const stateUpdate = {
      old_state: opts.oldState ?? instance.vm_state,
      state: opts.newState ?? instance.vm_state,
      old_task_state: opts.oldTaskState ?? instance.task_state,
      new_task_state: opts.newTaskState ?? instance.task_state,
    };
    const auditPeriod = opts.auditPeriod ?? currentAuditPeriod(this.runtime.now());
    const oldDisplayName = opts.oldDisplayName || null;
    const payload = instanceUpdatePayload({ ...this.source(ctx, instance, bdms, false), stateUpdate, auditPeriod, oldDisplayName });
    return this.emit({
      context: ctx, eventType: 'instance.update', priority: 'INFO', source: opts.source ?? 'nova-api',
      host: opts.host ?? this.options.host, payload, instanceUuid: instance.uuid, projectId: instance.project_id,
      legacy: { kind: 'update', instance, stateUpdate, auditPeriod, oldDisplayName },
    });
  }

  /**
   * notifications/base.py send_update(context, old_instance, new_instance), as Instance.save calls it
   * after every save (service 'compute', host None → CONF.host): nothing unless
   * [notifications]notify_on_state_change is set; a vm_state change (or, with 'vm_and_task_state', a
   * task_state change) sends the transition (send_update_with_states), any other save a plain update
   * (old_display_name when the name changed). Nova treats a None old/new state as "the current one"
   * (_compute_states_payload), so None → networking reads networking → networking; reproduced here.
   */
  sendUpdate(ctx: RequestContext, old: Instance, updated: Instance, bdms: Bdms, opts: { source?: NotificationSource; host?: string } = {}): CapturedNotification | null {
    const mode = this.options.notifyOnStateChange;
    if (!mode) return null;
    const source = opts.source ?? 'nova-compute';
    if (old.vm_state !== updated.vm_state || (mode === 'vm_and_task_state' && old.task_state !== updated.task_state)) {
      return this.notifyAboutInstanceUpdate(ctx, updated, bdms, {
        ...opts, source, oldState: old.vm_state, newState: updated.vm_state, oldTaskState: old.task_state, newTaskState: updated.task_state,
      });
    }
    const oldDisplayName = updated.display_name !== old.display_name ? old.display_name : null;
    return this.notifyAboutInstanceUpdate(ctx, updated, bdms, { ...opts, source, oldDisplayName });
  }

  /**
   * send_update_with_states(verify_states=False): the conductor's "non-existent → BUILDING" update for a
   * new instance (schedule_and_build_instances, service 'conductor'); only when notify_on_state_change is set.
   */
  sendUpdateWithStates(ctx: RequestContext, instance: Instance, bdms: Bdms, states: Pick<InstanceUpdateOptions, 'oldState' | 'newState' | 'oldTaskState' | 'newTaskState'>, opts: { source?: NotificationSource; host?: string } = {}): CapturedNotification | null {
    if (!this.options.notifyOnStateChange) return null;
    return this.notifyAboutInstanceUpdate(ctx, instance, bdms, { ...opts, ...states, source: opts.source ?? 'nova-compute' });
  }

  /**
   * wrap_exception's versioned half: `compute.exception`, ExceptionPayload, ERROR, published by
   * `<source>:<CONF.host>` (`host` is CONF.host, not the compute service host; spec §10 pitfall 2).
   */
  notifyComputeException(
    ctx: RequestContext | null, host: string, exc: ExceptionInfo,
    opts: { source?: NotificationSource; instanceUuid?: string | null; method?: string; args?: Record<string, unknown> } = {},
  ): CapturedNotification | null {
    // The legacy twin is named after the decorated method (f.__name__), e.g. `swap_volume`.
    const method = opts.method ?? wrappedMethod(exc.traceback);
    return this.emit({
      context: ctx, eventType: eventTypeString('compute', 'exception'), priority: 'ERROR',
      source: opts.source ?? 'nova-compute', host, payload: exceptionPayload(exc, this.profile),
      instanceUuid: opts.instanceUuid ?? null, projectId: ctx?.projectId ?? null,
      ...(method ? { legacy: { kind: 'exception' as const, exc, method, args: opts.args ?? {} } } : {}),
    });
  }

  /**
   * ResourceTracker._get_host_metrics: `compute.metrics.update` from `compute.<nodename>` (legacy),
   * then notify_about_metrics_update: `metrics.update`, MetricsPayload, from nova-compute:<host>.
   */
  notifyMetricsUpdate(ctx: RequestContext | null, host: string, hostIp: string, nodename: string, metrics: readonly MetricInfo[]): CapturedNotification | null {
    return this.emit({
      context: ctx, eventType: 'metrics.update', priority: 'INFO', source: 'nova-compute', host,
      payload: metricsPayload({ host, hostIp, nodename, metrics }, this.profile),
      legacy: {
        kind: 'payload', eventType: 'compute.metrics.update', host: nodename,
        payload: {
          nodename,
          // MonitorMetric.to_dict: the *.percent values back in [0, 1], the timestamp as strtime.
          metrics: metrics.map((m) => ({
            name: m.name, timestamp: strtime(m.timestamp), source: m.source,
            value: m.name.endsWith('.percent') ? m.value / 100 : m.value,
          })),
          host,
          host_ip: hostIp,
        },
      },
    });
  }

  /** _update_volume_usage_cache / _notify_volume_usage_detach: `volume.usage` (legacy: vol_usage.to_dict()) from the compute host. */
  notifyVolumeUsage(ctx: RequestContext | null, host: string, usage: VolumeUsageInfo): CapturedNotification | null {
    return this.emit({
      context: ctx, eventType: 'volume.usage', priority: 'INFO', source: 'nova-compute', host,
      payload: volumeUsagePayload(usage, this.profile), instanceUuid: usage.instanceUuid, projectId: usage.projectId,
      legacy: {
        kind: 'payload', eventType: 'volume.usage',
        payload: {
          volume_id: usage.volumeId, tenant_id: usage.projectId, user_id: usage.userId, availability_zone: usage.availabilityZone,
          instance_id: usage.instanceUuid, last_refreshed: pyStrAware(usage.lastRefreshed),
          reads: usage.reads, read_bytes: usage.readBytes, writes: usage.writes, write_bytes: usage.writeBytes,
        },
      },
    });
  }

  /**
   * libvirt Host.get_connection's failure: `compute.libvirt.error` (legacy, {'ip', 'method': '_connect',
   * 'reason'}), then notify_about_libvirt_connect_error: `libvirt.connect.error`, ERROR, from
   * nova-compute:<CONF.host> (the compute process's own host).
   */
  notifyLibvirtConnectError(ctx: RequestContext | null, host: string, ip: string, exc: ExceptionInfo): CapturedNotification | null {
    return this.emit({
      context: ctx, eventType: 'libvirt.connect.error', priority: 'ERROR', source: 'nova-compute', host,
      payload: libvirtErrorPayload(ip, exc, this.profile),
      legacy: { kind: 'payload', eventType: 'compute.libvirt.error', priority: 'ERROR', payload: { ip, method: '_connect', reason: legacyExceptionPayload(exc) } },
    });
  }

  /** notify_about_keypair_action: `keypair.<action>.<phase>` from nova-api (CONF.host). */
  notifyAboutKeypairAction(ctx: RequestContext, keypair: KeypairInfo, action: 'create' | 'import' | 'delete', phase: 'start' | 'end'): CapturedNotification | null {
    return this.emit({
      context: ctx, eventType: eventTypeString('keypair', action, phase), priority: 'INFO', source: 'nova-api',
      host: this.options.host, payload: keypairPayload(keypair, this.profile),
    });
  }

  /** notify_about_server_group_action / _add_member: `server_group.<action>` from nova-api (CONF.host). */
  notifyAboutServerGroupAction(ctx: RequestContext, group: ServerGroupInfo, action: 'create' | 'delete' | 'add_member'): CapturedNotification | null {
    return this.emit({
      context: ctx, eventType: eventTypeString('server_group', action), priority: 'INFO', source: 'nova-api',
      host: this.options.host, payload: serverGroupPayload(group, this.profile), projectId: group.project_id,
    });
  }

  /**
   * Wrap a built payload in the envelope and hand it to every sink. Returns the versioned
   * notification published (null with notification_format=unversioned). With format unversioned or
   * both, the legacy twin (`p.legacy`, see legacy/twins.ts) goes out first, as in Nova, where the
   * legacy call precedes the versioned one at every call site that sends both.
   */
  emit(p: EmitParams): CapturedNotification | null {
    if (p.legacy && this.legacyEnabled) this.emitLegacy(p);
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

  /** The legacy notifier's half: `<service>.<host>` publisher, oslo topic `notifications.<priority>`. */
  private emitLegacy(p: EmitParams): void {
    let twin;
    try {
      twin = p.legacy ? legacyTwin(p.eventType, p.legacy, this.legacyLookups) : null;
    } catch (err) {
      // A legacy payload that cannot be built must not break the flow (Nova logs and goes on: best_effort).
      this.sinkErrors++;
      void err;
      return;
    }
    if (!twin) return;
    const envelope = buildEnvelope({ uuid: this.legacyUuid, now: () => this.runtime.now() }, {
      publisherId: legacyPublisherId(p.source, twin.host ?? p.host, twin.service), eventType: twin.eventType, priority: twin.priority, payload: twin.payload,
    });
    this.legacySeq++;
    const n: CapturedNotification = deepFreeze({
      seq: ++this.seq,
      envelope,
      projectId: p.projectId ?? p.context?.projectId ?? null,
      instanceUuid: p.instanceUuid ?? null,
      topics: this.options.notificationsTopics.map((t) => `${t}.${twin.priority.toLowerCase()}`),
      context: p.context,
      format: 'unversioned',
    });
    for (const sink of this.sinkList) this.publishTo(sink, n);
  }

  /** Restart seq numbering (e.g. on a deterministic-mode reset). */
  resetSequence(): void {
    this.seq = 0;
  }

  stats() {
    return {
      format: this.options.notificationFormat,
      emitted: this.seq,
      legacy_emitted: this.legacySeq,
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
      // SharePayload.from_instance: None unless [notifications] include_share_mapping.
      shares: this.options.includeShareMapping ? this.shareMappings(instance.uuid).map((m) => sharePayload(m, this.profile)) : null,
      profile: this.profile,
    };
  }

  private emitInstance(
    ctx: RequestContext, instance: Instance, action: string, phase: Phase | null, exc: ExceptionInfo | null | undefined,
    host: string, payload: unknown, source: NotificationSource = 'nova-compute',
    legacyHints: Omit<Extract<LegacySubject, { kind: 'instance' }>, 'kind' | 'instance' | 'exc'> = {},
  ): CapturedNotification | null {
    return this.emit({
      legacy: { kind: 'instance', instance, exc: exc ?? null, ...legacyHints },
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

/** The method wrap_exception decorated: the frame right after `wrapped` in nova/exception_wrapper.py. */
export function wrappedMethod(traceback: string): string | null {
  const m = /exception_wrapper\.py", line \w+, in wrapped\n(?:[^,]*\n)?,\s*File "[^"]*", line \w+, in (\w+)/.exec(traceback);
  return m ? m[1] : null;
}

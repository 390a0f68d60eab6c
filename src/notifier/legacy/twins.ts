// The legacy (unversioned) twin of each versioned notification Nova sends in both formats.
//
// Nova emits the two formats side by side at the same call sites: the compute manager calls
// `_notify_about_instance_usage(ctx, instance, "<suffix>")` (compute/utils.py
// notify_about_instance_usage → `compute.instance.<suffix>`) right before
// `compute_utils.notify_about_instance_*` (the versioned one); send_instance_update_notification
// sends `compute.instance.update` before `instance.update` (notifications/base.py);
// wrap_exception sends `<method name>` before `compute.exception` (exception_wrapper.py); the
// scheduler sends `scheduler.select_destinations.*` before its versioned twin (scheduler/manager.py).
// So novasim derives the legacy stream here, from the versioned emission, in ONE table: every
// action that sends versioned notifications through the notifier gets its legacy twin for free.
import type { Instance } from '../../domain.js';
import type { ExceptionInfo } from '../payloads/exception.js';
import type { AuditPeriod, StateUpdate } from '../payloads/instance-update.js';
import { infoFromInstance, imageMeta } from './instance-info.js';
import { nullSafeIsotime, pyStrNaive } from './python-format.js';
import { legacyExceptionPayload } from './exception.js';

/** What the versioned call site knew, which the legacy payload needs. */
export type LegacySubject =
  | {
      kind: 'instance';
      instance: Instance;
      exc?: ExceptionInfo | null;
      /** volume.attach / volume.detach `volume_id`. */
      volumeId?: string;
      /** rescue.start/end `rescue_image_name`. */
      rescueImageRef?: string | null;
      /** exists: the audit period (str() of the naive bounds). */
      auditPeriod?: AuditPeriod;
      /** resize.prep.end: `new_instance_type`, `new_instance_type_id`. */
      newFlavor?: { name: string; id: number } | null;
    }
  | { kind: 'update'; instance: Instance; stateUpdate: StateUpdate; auditPeriod: AuditPeriod; oldDisplayName: string | null }
  /** wrap_exception's legacy half; `service` is the decorator's (compute/api.py's module-level one says 'compute' for nova-api too). */
  | { kind: 'exception'; exc: ExceptionInfo; method: string; args: Record<string, unknown>; service?: string }
  /**
   * A legacy notification whose payload the call site builds: `eventType` defaults to the versioned
   * one, `service` (rpc.get_notifier(service)) to the versioned source without `nova-`.
   */
  | { kind: 'payload'; payload: Record<string, unknown>; eventType?: string; service?: string; host?: string; priority?: 'INFO' | 'ERROR' };

export interface LegacyLookups {
  /** glance generate_image_url, or null when the image endpoint is not known yet. */
  imageRefUrl(imageRef: string): string | null;
  /** The image's name in Glance (create.start / rebuild `image_name`), null when unknown. */
  imageName(imageRef: string): string | null;
}

export interface LegacyNotification {
  eventType: string;
  priority: 'INFO' | 'ERROR';
  payload: Record<string, unknown>;
  /** rpc.get_notifier(service, host): override the publisher's parts. */
  service?: string;
  host?: string;
}

interface Twin {
  /** `compute.instance.<suffix>` */
  suffix: string;
  /** The caller passes network_info: the payload gets `fixed_ips`. */
  networkInfo?: true;
  /** extra_usage_info. */
  extra?: (s: Extract<LegacySubject, { kind: 'instance' }>, look: LegacyLookups) => Record<string, unknown>;
}

const imageName = (s: { instance: Instance }, look: LegacyLookups) => ({ image_name: look.imageName(s.instance.image_ref) });

/**
 * Versioned `instance.<action>.<phase>` → the legacy event the manager sends right before it.
 * Absent (lock, unlock, volume_swap, interface_attach/detach, evacuate, share_*, …): Nova sends
 * no legacy twin. `.error` twins exist only where Nova has `_notify_about_instance_usage(…,
 * '<x>.error', fault=e)`: create, reboot, rebuild, resize.
 */
export const INSTANCE_TWINS: Readonly<Record<string, Twin>> = {
  // _build_and_run_instance
  'create.start': { suffix: 'create.start', extra: imageName },
  'create.end': { suffix: 'create.end', networkInfo: true, extra: () => ({ message: 'Success' }) },
  'create.error': { suffix: 'create.error' },
  // notify_about_instance_delete / _shutdown_instance
  'delete.start': { suffix: 'delete.start' },
  'delete.end': { suffix: 'delete.end' },
  'soft_delete.start': { suffix: 'soft_delete.start' },
  'soft_delete.end': { suffix: 'soft_delete.end' },
  'shutdown.start': { suffix: 'shutdown.start' },
  'shutdown.end': { suffix: 'shutdown.end' },
  'restore.start': { suffix: 'restore.start' },
  'restore.end': { suffix: 'restore.end' },
  // power and state
  'power_off.start': { suffix: 'power_off.start' },
  'power_off.end': { suffix: 'power_off.end' },
  'power_on.start': { suffix: 'power_on.start' },
  'power_on.end': { suffix: 'power_on.end' },
  'reboot.start': { suffix: 'reboot.start' },
  'reboot.end': { suffix: 'reboot.end' },
  'reboot.error': { suffix: 'reboot.error' },
  'pause.start': { suffix: 'pause.start' },
  'pause.end': { suffix: 'pause.end' },
  'unpause.start': { suffix: 'unpause.start' },
  'unpause.end': { suffix: 'unpause.end' },
  'suspend.start': { suffix: 'suspend.start' },
  'suspend.end': { suffix: 'suspend.end' },
  'resume.start': { suffix: 'resume.start' },
  'resume.end': { suffix: 'resume.end' },
  'trigger_crash_dump.start': { suffix: 'trigger_crash_dump.start' },
  'trigger_crash_dump.end': { suffix: 'trigger_crash_dump.end' },
  'rescue.start': { suffix: 'rescue.start', networkInfo: true, extra: (s, look) => ({ rescue_image_name: s.rescueImageRef ? look.imageName(s.rescueImageRef) : null }) },
  'rescue.end': { suffix: 'rescue.end', networkInfo: true, extra: (s, look) => ({ rescue_image_name: s.rescueImageRef ? look.imageName(s.rescueImageRef) : null }) },
  'unrescue.start': { suffix: 'unrescue.start', networkInfo: true },
  'unrescue.end': { suffix: 'unrescue.end', networkInfo: true },
  'shelve.start': { suffix: 'shelve.start' },
  'shelve.end': { suffix: 'shelve.end' },
  'shelve_offload.start': { suffix: 'shelve_offload.start' },
  'shelve_offload.end': { suffix: 'shelve_offload.end' },
  'unshelve.start': { suffix: 'unshelve.start' },
  'unshelve.end': { suffix: 'unshelve.end' },
  // rebuild / snapshot
  'rebuild.start': { suffix: 'rebuild.start', extra: imageName },
  'rebuild.end': { suffix: 'rebuild.end', networkInfo: true, extra: imageName },
  'rebuild.error': { suffix: 'rebuild.error' },
  'snapshot.start': { suffix: 'snapshot.start' },
  'snapshot.end': { suffix: 'snapshot.end' },
  // resize / cold migrate (_send_prep_resize_notifications, _send_resize_instance_notifications,
  // _send_finish_resize_notifications, confirm/revert)
  'resize_prep.start': { suffix: 'resize.prep.start' },
  'resize_prep.end': {
    suffix: 'resize.prep.end',
    extra: (s) => (s.newFlavor ? { new_instance_type: s.newFlavor.name, new_instance_type_id: s.newFlavor.id } : {}),
  },
  'resize.start': { suffix: 'resize.start', networkInfo: true },
  'resize.end': { suffix: 'resize.end', networkInfo: true },
  'resize.error': { suffix: 'resize.error' },
  'resize_finish.start': { suffix: 'finish_resize.start', networkInfo: true },
  'resize_finish.end': { suffix: 'finish_resize.end', networkInfo: true },
  'resize_confirm.start': { suffix: 'resize.confirm.start' },
  'resize_confirm.end': { suffix: 'resize.confirm.end', networkInfo: true },
  'resize_revert.start': { suffix: 'resize.revert.start' },
  'resize_revert.end': { suffix: 'resize.revert.end' },
  // live migration
  'live_migration_pre.start': { suffix: 'live_migration.pre.start', networkInfo: true },
  'live_migration_pre.end': { suffix: 'live_migration.pre.end', networkInfo: true },
  'live_migration_post.start': { suffix: 'live_migration._post.start', networkInfo: true },
  'live_migration_post.end': { suffix: 'live_migration._post.end', networkInfo: true },
  'live_migration_post_dest.start': { suffix: 'live_migration.post.dest.start', networkInfo: true },
  'live_migration_post_dest.end': { suffix: 'live_migration.post.dest.end', networkInfo: true },
  'live_migration_rollback.start': { suffix: 'live_migration._rollback.start' },
  'live_migration_rollback.end': { suffix: 'live_migration._rollback.end' },
  'live_migration_rollback_dest.start': { suffix: 'live_migration.rollback.dest.start', networkInfo: true },
  'live_migration_rollback_dest.end': { suffix: 'live_migration.rollback.dest.end', networkInfo: true },
  'live_migration_force_complete.start': { suffix: 'live.migration.force.complete.start' },
  'live_migration_force_complete.end': { suffix: 'live.migration.force.complete.end' },
  'live_migration_abort.start': { suffix: 'live.migration.abort.start' },
  'live_migration_abort.end': { suffix: 'live.migration.abort.end' },
  // _attach_volume / _detach_volume: one legacy event, on success only, before the versioned .end
  'volume_attach.end': { suffix: 'volume.attach', extra: (s) => ({ volume_id: s.volumeId ?? null }) },
  'volume_detach.end': { suffix: 'volume.detach', extra: (s) => ({ volume_id: s.volumeId ?? null }) },
  // notify_usage_exists: audit period as str() of the naive bounds, and image_meta
  exists: {
    suffix: 'exists',
    extra: (s) => ({
      audit_period_beginning: s.auditPeriod ? pyStrNaive(s.auditPeriod.beginning) : '',
      audit_period_ending: s.auditPeriod ? pyStrNaive(s.auditPeriod.ending) : '',
      image_meta: imageMeta(s.instance.system_metadata),
    }),
  },
};

/** Versioned `aggregate.<action>` → the `aggregate.<suffix>` notify_about_aggregate_update sends before it (none for cache_images). */
export const AGGREGATE_TWINS: Readonly<Record<string, string>> = {
  create: 'create', delete: 'delete', add_host: 'addhost', remove_host: 'removehost',
  update_metadata: 'updatemetadata', update_prop: 'updateprop',
};

/**
 * compute_utils.notify_about_aggregate_update: `aggregate.<suffix>.<phase>` from
 * `aggregate.<aggregate_id or name>` with the dict the call site built; null when it has neither.
 */
export function aggregateLegacySubject(action: string, phase: string, payload: Record<string, unknown>): LegacySubject | null {
  const suffix = AGGREGATE_TWINS[action];
  const identifier = payload.aggregate_id ?? payload.name;
  if (!suffix || identifier === undefined || identifier === null || identifier === '') return null;
  return { kind: 'payload', eventType: `aggregate.${suffix}.${phase}`, service: 'aggregate', host: String(identifier), payload };
}

/** compute/utils.py exception_to_dict, merged into the payload of a `.error` twin. */
function faultDict(exc: ExceptionInfo): Record<string, unknown> {
  const nova = exc.novaException ?? false;
  return {
    exception: legacyExceptionPayload(exc),
    // format_message() for a NovaException; for anything else Nova falls back to the class name.
    message: (nova ? exc.exception_message : exc.exception).slice(0, 255),
    code: nova ? exc.code ?? 500 : 500,
  };
}

/**
 * The legacy notification Nova sends next to versioned `eventType`, or null when it sends none.
 * `instance.*` go through INSTANCE_TWINS; the others are one-to-one.
 */
export function legacyTwin(eventType: string, subject: LegacySubject, look: LegacyLookups): LegacyNotification | null {
  switch (subject.kind) {
    case 'update': {
      // send_instance_update_notification: info_from_instance + states + audit period (strtime) + old_display_name.
      const i = subject.instance;
      const payload = infoFromInstance({ instance: i, imageRefUrl: look.imageRefUrl(i.image_ref), networkInfo: false });
      Object.assign(payload, {
        old_state: subject.stateUpdate.old_state,
        state: subject.stateUpdate.state,
        old_task_state: subject.stateUpdate.old_task_state,
        new_task_state: subject.stateUpdate.new_task_state,
        audit_period_beginning: nullSafeIsotime(subject.auditPeriod.beginning),
        audit_period_ending: nullSafeIsotime(subject.auditPeriod.ending),
      });
      if (subject.oldDisplayName) payload.old_display_name = subject.oldDisplayName;
      return { eventType: 'compute.instance.update', priority: 'INFO', payload };
    }
    case 'exception':
      // _emit_legacy_exception_notification: notifier.error(context, function_name, {'exception', 'args'}).
      return { eventType: subject.method, priority: 'ERROR', payload: { exception: legacyExceptionPayload(subject.exc), args: subject.args }, service: subject.service };
    case 'payload':
      return { eventType: subject.eventType ?? eventType, priority: subject.priority ?? 'INFO', payload: subject.payload, service: subject.service, host: subject.host };
    case 'instance': {
      if (!eventType.startsWith('instance.')) return null;
      const twin = INSTANCE_TWINS[eventType.slice('instance.'.length)];
      if (!twin) return null;
      const i = subject.instance;
      const payload = infoFromInstance(
        { instance: i, imageRefUrl: look.imageRefUrl(i.image_ref), networkInfo: twin.networkInfo ?? false },
        twin.extra?.(subject, look) ?? {},
      );
      if (subject.exc) Object.assign(payload, faultDict(subject.exc));
      // notify_about_instance_usage: notifier.error for suffixes ending in "error", else info.
      return { eventType: `compute.instance.${twin.suffix}`, priority: twin.suffix.endsWith('error') ? 'ERROR' : 'INFO', payload };
    }
  }
}

/** rpc.get_notifier(service, host): publisher_id `<service>.<host>` (service defaults to the binary without `nova-`). */
export function legacyPublisherId(source: string, host: string, service?: string): string {
  return `${service ?? source.replace(/^nova-/, '')}.${host}`;
}

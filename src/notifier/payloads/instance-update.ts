// InstanceUpdatePayload 2.1 / 2.0 (`instance.update`), with its two helper objects
// InstanceStateUpdatePayload 1.0 and AuditPeriodPayload 1.0. It extends InstancePayload, not
// InstanceActionPayload, so it has no `fault`; `bandwidth` was removed in 2.0.
// Values follow nova/notifications/base.py send_instance_update_notification.
import type { Profile } from '../../profiles/index.js';
import type { VmState } from '../../domain.js';
import { novaObject, payloadTime } from '../primitive.js';
import { extendFields, populate, type FieldMap } from './field-map.js';
import { INSTANCE_FIELDS, type InstancePayloadSource } from './instance.js';

export interface StateUpdate {
  old_state: VmState | string | null;
  state: VmState | string | null;
  old_task_state: string | null;
  new_task_state: string | null;
}

export interface AuditPeriod {
  beginning: Date;
  ending: Date;
}

/**
 * audit_period_bounds(current_period=True) with the default instance_usage_audit_period 'month':
 * from the start of the current UTC month to now.
 */
export function currentAuditPeriod(now: Date): AuditPeriod {
  return { beginning: new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1)), ending: now };
}

export interface InstanceUpdateSource extends InstancePayloadSource {
  stateUpdate: StateUpdate;
  auditPeriod: AuditPeriod;
  /** Only set when the display name changed. */
  oldDisplayName: string | null;
}

const STATE_UPDATE_FIELDS: FieldMap<StateUpdate> = {
  old_state: (u) => u.old_state,
  state: (u) => u.state,
  old_task_state: (u) => u.old_task_state,
  new_task_state: (u) => u.new_task_state,
};

const AUDIT_PERIOD_FIELDS: FieldMap<AuditPeriod> = {
  audit_period_beginning: (a) => payloadTime(a.beginning),
  audit_period_ending: (a) => payloadTime(a.ending),
};

export const stateUpdatePayload = (u: StateUpdate, profile: Profile) =>
  novaObject('InstanceStateUpdatePayload', populate(STATE_UPDATE_FIELDS, u), profile);
export const auditPeriodPayload = (a: AuditPeriod, profile: Profile) =>
  novaObject('AuditPeriodPayload', populate(AUDIT_PERIOD_FIELDS, a), profile);

export const INSTANCE_UPDATE_FIELDS = extendFields<InstanceUpdateSource, InstancePayloadSource>(
  {
    state_update: (s) => stateUpdatePayload(s.stateUpdate, s.profile),
    audit_period: (s) => auditPeriodPayload(s.auditPeriod, s.profile),
    old_display_name: (s) => s.oldDisplayName,
    tags: (s) => [...(s.instance.tags ?? [])],
  },
  INSTANCE_FIELDS,
);

export const instanceUpdatePayload = (s: InstanceUpdateSource) =>
  novaObject('InstanceUpdatePayload', populate(INSTANCE_UPDATE_FIELDS, s), s.profile);

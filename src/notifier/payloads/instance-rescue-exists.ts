// InstanceActionRescuePayload (instance.rescue.*) and InstanceExistsPayload (instance.exists),
// nova/notifications/objects/instance.py: field maps extending InstanceActionPayload / InstancePayload.
import { novaObject } from '../primitive.js';
import { extendFields } from './field-map.js';
import { populate } from './field-map.js';
import { INSTANCE_ACTION_FIELDS, INSTANCE_FIELDS, type InstanceActionSource, type InstancePayloadSource } from './instance.js';
import { auditPeriodPayload, type AuditPeriod } from './instance-update.js';

export interface InstanceActionRescueSource extends InstanceActionSource {
  rescueImageRef: string | null;
}

export const INSTANCE_ACTION_RESCUE_FIELDS = extendFields<InstanceActionRescueSource, InstanceActionSource>(
  { rescue_image_ref: (s) => s.rescueImageRef },
  INSTANCE_ACTION_FIELDS,
);

export interface InstanceExistsSource extends InstancePayloadSource {
  auditPeriod: AuditPeriod;
}

// InstanceExistsPayload 2.0 dropped `bandwidth`; 2.1 follows InstancePayload 1.9 (shares).
export const INSTANCE_EXISTS_FIELDS = extendFields<InstanceExistsSource, InstancePayloadSource>(
  { audit_period: (s) => auditPeriodPayload(s.auditPeriod, s.profile) },
  INSTANCE_FIELDS,
);

export const instanceActionRescuePayload = (s: InstanceActionRescueSource) =>
  novaObject('InstanceActionRescuePayload', populate(INSTANCE_ACTION_RESCUE_FIELDS, s), s.profile);
export const instanceExistsPayload = (s: InstanceExistsSource) =>
  novaObject('InstanceExistsPayload', populate(INSTANCE_EXISTS_FIELDS, s), s.profile);

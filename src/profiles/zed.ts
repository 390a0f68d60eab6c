import type { Profile } from './profile.js';
import { COMMON_RULES, ZED_RULE_OVERRIDES } from './policy-base.js';

// Nova 26.2.2 (226f3e95c1) + Cinder 21.3.2. enforce_new_defaults defaulted to False, so every
// rule is OR-ed with its deprecated check string (oslo.policy deprecated-rule fallback).
const withDeprecated = (rules: Record<string, string>) =>
  Object.fromEntries(
    Object.entries(rules).map(([name, rule]) => {
      if (rule === 'rule:context_is_admin') return [name, `(${rule}) or (rule:admin_api)`];
      return [name, `(${rule}) or (rule:admin_or_owner)`];
    }),
  );

export const zed: Profile = {
  name: 'zed',
  compute: { minVersion: '2.1', maxVersion: '2.93', updated: '2013-07-23T11:33:21Z' },
  volume: { minVersion: '3.0', maxVersion: '3.70', updated: '2022-08-31T00:00:00Z' },
  share: { minVersion: '2.0', maxVersion: '2.73', updated: '2015-08-27T11:33:21Z' },
  policy: {
    ...withDeprecated(COMMON_RULES),
    ...ZED_RULE_OVERRIDES,
    'os_compute_api:os-volumes-attachments:swap': '(rule:context_is_admin) or (rule:admin_api)',
  },
  payloadVersions: {
    InstancePayload: '1.8',
    InstanceActionPayload: '1.8',
    InstanceActionRescuePayload: '1.3',
    InstanceActionResizePrepPayload: '1.3',
    InstanceExistsPayload: '2.0',
    InstanceActionRebuildPayload: '1.9',
    InstanceActionSnapshotPayload: '1.9',
    InstanceActionVolumeSwapPayload: '1.8',
    InstanceActionVolumePayload: '1.6',
    InstanceCreatePayload: '1.12',
    InstanceUpdatePayload: '2.0',
    ExceptionPayload: '1.1',
    BlockDevicePayload: '1.0',
    FlavorPayload: '1.4',
    IpPayload: '1.0',
    KeypairPayload: '1.0',
    EventType: '1.21',
    // zed has no share payloads (never emitted there).
    InstanceActionSharePayload: '1.0',
    SharePayload: '1.0',
  },
  switches: {
    swapRequiresMigration: false,
    payloadShares: false,
    attachNoBodyFrom: null,
    hideLegacyBdmsFrom289: false,
    createErrorNullHost: false,
  },
  cinder: {
    enforceNewDefaults: false,
    attachmentUpdateConflict: false,
    hostNameForServiceRole: false,
    enforceMultipath: false,
    jsonschemaNonEmptyWording: false,
    attachmentDeletionCheck: true,
    retypeDriverMigration: false,
  },
};

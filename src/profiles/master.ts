import type { Profile } from './profile.js';
import { COMMON_RULES, MASTER_RULE_OVERRIDES } from './policy-base.js';

// Nova master 00a030403f (2026-08-21) + Cinder master ab09bc39db.
export const master: Profile = {
  name: 'master',
  compute: { minVersion: '2.1', maxVersion: '2.104', updated: '2013-07-23T11:33:21Z' },
  volume: { minVersion: '3.0', maxVersion: '3.71', updated: '2023-08-31T00:00:00Z' },
  share: { minVersion: '2.0', maxVersion: '2.99', updated: '2015-08-27T11:33:21Z' },
  // New defaults and scope checks are enforced (since 27.0.0).
  policy: {
    ...COMMON_RULES,
    ...MASTER_RULE_OVERRIDES,
    'os_compute_api:os-volumes-attachments:swap': 'rule:service_or_admin',
    // nova/policies/server_shares.py (2.97, 2024.1+).
    'os_compute_api:os-server-shares:index': 'rule:project_reader_or_admin',
    'os_compute_api:os-server-shares:create': 'rule:project_member_or_admin',
    'os_compute_api:os-server-shares:show': 'rule:project_reader_or_admin',
    'os_compute_api:os-server-shares:delete': 'rule:project_member_or_admin',
    // Project managers may list their own migrations on master (2024.2+).
    'os_compute_api:os-migrations:index': 'rule:project_manager_or_admin',
    'os_compute_api:servers:migrations:index': 'rule:project_manager_or_admin',
    // Live migration: project managers without a host, admins with one (2025.1+).
    'os_compute_api:os-migrate-server:migrate_live': 'rule:project_manager_or_admin',
    'os_compute_api:os-migrate-server:migrate_live:host': 'rule:context_is_admin',
    'os_compute_api:servers:migrations:force_complete': 'rule:project_manager_or_admin',
    'os_compute_api:servers:migrations:delete': 'rule:project_manager_or_admin',
  },
  payloadVersions: {
    InstancePayload: '1.9',
    InstanceActionPayload: '1.9',
    InstanceActionRescuePayload: '1.4',
    InstanceActionResizePrepPayload: '1.4',
    InstanceExistsPayload: '2.1',
    InstanceActionRebuildPayload: '1.10',
    InstanceActionSnapshotPayload: '1.10',
    InstanceActionVolumeSwapPayload: '1.9',
    InstanceActionVolumePayload: '1.7',
    InstanceCreatePayload: '1.13',
    InstanceUpdatePayload: '2.1',
    ExceptionPayload: '1.1',
    BlockDevicePayload: '1.0',
    FlavorPayload: '1.4',
    IpPayload: '1.0',
    KeypairPayload: '1.0',
    EventType: '1.22',
    InstanceActionSharePayload: '1.0',
    SharePayload: '1.0',
  },
  switches: {
    swapRequiresMigration: true,
    payloadShares: true,
    attachNoBodyFrom: '2.101',
    hideLegacyBdmsFrom289: true,
    createErrorNullHost: true,
  },
  cinder: {
    enforceNewDefaults: true,
    attachmentUpdateConflict: true,
    hostNameForServiceRole: true,
    enforceMultipath: true,
    jsonschemaNonEmptyWording: true,
    attachmentDeletionCheck: true,
    retypeDriverMigration: true,
  },
};

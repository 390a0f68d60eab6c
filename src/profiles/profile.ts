// One typed object per release: microversion ranges, policy defaults, payload versions and
// behaviour switches (spec nova-swap-volume.md §9, cinder-fake.md §10). Code asks the profile.

export type ProfileName = 'master' | 'zed';

export interface PayloadVersions {
  InstancePayload: string;
  InstanceActionPayload: string;
  InstanceActionVolumeSwapPayload: string;
  InstanceActionVolumePayload: string;
  InstanceCreatePayload: string;
  InstanceUpdatePayload: string;
  ExceptionPayload: string;
  BlockDevicePayload: string;
  FlavorPayload: string;
  IpPayload: string;
  KeypairPayload: string;
  EventType: string;
  InstanceActionSharePayload: string;
  SharePayload: string;
  InstanceActionRescuePayload: string;
  InstanceExistsPayload: string;
  InstanceActionResizePrepPayload: string;
  InstanceActionRebuildPayload: string;
  InstanceActionSnapshotPayload: string;
}

export interface Profile {
  name: ProfileName;
  compute: { minVersion: string; maxVersion: string; updated: string };
  volume: { minVersion: string; maxVersion: string; updated: string };
  /** The fake Manila's shared-file-system v2 range (manila/api/openstack/api_version_request.py of that release). */
  share: { minVersion: string; maxVersion: string; updated: string };
  /** Policy rule name → oslo.policy check string (the effective default of that release). */
  policy: Record<string, string>;
  payloadVersions: PayloadVersions;
  switches: {
    /** Nova bug 2112187: swap refused with 409 unless the old volume is migrating. */
    swapRequiresMigration: boolean;
    /** Payloads carry `shares` (InstancePayload 1.9). */
    payloadShares: boolean;
    /** First microversion at which POST os-volume_attachments answers 202 with no body (null: never). */
    attachNoBodyFrom: string | null;
    /** At ≥2.89, index/show skip BDMs whose attachment_id is null (post-33.0.0 master). */
    hideLegacyBdmsFrom289: boolean;
    /** An aborted build claim clears host/node on the instance itself, so instance.create.error shows them null (HEAD, Nova f8b98390dc; Zed cleared a copy). */
    createErrorNullHost: boolean;
  };
  /** Fake Cinder's release differences (cinder-fake.md §10). */
  cinder: CinderSwitches;
}

export interface CinderSwitches {
  /** oslo.policy enforce_new_defaults; false ORs each rule with its deprecated admin_or_owner check (zed). */
  enforceNewDefaults: boolean;
  /** attachment_update error-state / duplicate connectors: 409 ResourceConflict (master) vs 500 "Unable to update attachment.(…)." (zed). */
  attachmentUpdateConflict: boolean;
  /** attachments[].host_name shown to role service as well as admins (master) or admins only (zed). */
  hostNameForServiceRole: boolean;
  /** connection_info carries enforce_multipath (master). */
  enforceMultipath: boolean;
  /** Validation messages in jsonschema ≥4.21 wording ("should be non-empty") rather than "is too short". */
  jsonschemaNonEmptyWording: boolean;
  /** Bug 2004555 attachment_deletion_allowed (Cinder ≥21.3.0, so both profiles). */
  attachmentDeletionCheck: boolean;
  /** Manager migrate_volume tries the driver (LVM same-host move) for retypes of detached volumes too (master); zed only without a type change. */
  retypeDriverMigration: boolean;
}

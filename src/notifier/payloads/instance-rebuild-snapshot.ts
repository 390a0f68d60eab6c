// InstanceActionRebuildPayload (instance.rebuild.*, instance.rebuild_scheduled) and
// InstanceActionSnapshotPayload (instance.snapshot.*), nova/notifications/objects/instance.py:
// field maps extending InstanceActionPayload.
import { novaObject } from '../primitive.js';
import { extendFields, populate } from './field-map.js';
import { INSTANCE_ACTION_FIELDS, type InstanceActionSource } from './instance.js';

export interface InstanceActionRebuildSource extends InstanceActionSource {
  /** instance.trusted_certs.ids, or null when the server has none. */
  trustedImageCertificates: readonly string[] | null;
}

export const INSTANCE_ACTION_REBUILD_FIELDS = extendFields<InstanceActionRebuildSource, InstanceActionSource>(
  { trusted_image_certificates: (s) => (s.trustedImageCertificates?.length ? [...s.trustedImageCertificates] : null) },
  INSTANCE_ACTION_FIELDS,
);

export interface InstanceActionSnapshotSource extends InstanceActionSource {
  snapshotImageId: string;
}

export const INSTANCE_ACTION_SNAPSHOT_FIELDS = extendFields<InstanceActionSnapshotSource, InstanceActionSource>(
  { snapshot_image_id: (s) => s.snapshotImageId },
  INSTANCE_ACTION_FIELDS,
);

export const instanceActionRebuildPayload = (s: InstanceActionRebuildSource) =>
  novaObject('InstanceActionRebuildPayload', populate(INSTANCE_ACTION_REBUILD_FIELDS, s), s.profile);
export const instanceActionSnapshotPayload = (s: InstanceActionSnapshotSource) =>
  novaObject('InstanceActionSnapshotPayload', populate(INSTANCE_ACTION_SNAPSHOT_FIELDS, s), s.profile);

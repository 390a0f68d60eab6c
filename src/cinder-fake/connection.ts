// What the LVM/iSCSI backend hands out for a connector: cinder/volume/targets/iscsi.py
// _get_iscsi_properties + manager _parse_connection_options (qos_specs, access_mode, encrypted,
// cacheable), and the attachment API's flattened form (manager _connection_create).
import type { Volume, VolumeType } from './store.js';

export interface ConnectorInfo {
  [k: string]: unknown;
}

/** targets/iscsi.py validate_connector: LVM's iSCSI target needs the initiator. */
export function missingConnectorField(connector: ConnectorInfo): string | null {
  return typeof connector.initiator === 'string' && connector.initiator !== '' ? null : 'initiator';
}

/** Legacy form {driver_volume_type, data} (os-initialize_connection). */
export function legacyConnectionInfo(v: Volume, type: VolumeType | undefined, connector: ConnectorInfo, o: { portalIp: string; enforceMultipath: boolean }) {
  const nameId = v.name_id ?? v.id;
  const data: Record<string, unknown> = {
    target_discovered: false,
    target_portal: `${o.portalIp}:3260`,
    target_iqn: `iqn.2010-10.org.openstack:volume-${nameId}`,
    target_lun: 0,
    volume_id: v.id,
    auth_method: 'CHAP',
    auth_username: `user-${nameId.slice(0, 8)}`,
    auth_password: `pass-${nameId.slice(-8)}`,
    encrypted: v.encryption_key_id !== null,
    qos_specs: null,
    // access_mode: admin metadata attached_mode, else ro for readonly volumes, else rw.
    access_mode: v.admin_metadata.attached_mode ?? (v.admin_metadata.readonly === 'True' ? 'ro' : 'rw'),
  };
  if (type) data.cacheable = type.extra_specs.cacheable === '<is> True';
  if (o.enforceMultipath) data.enforce_multipath = connector.enforce_multipath ?? false;
  return { driver_volume_type: 'iscsi', data };
}

/** Attachment API form: `data` merged into the top level, plus attachment_id (and enforce_multipath on master). */
export function flatConnectionInfo(v: Volume, type: VolumeType | undefined, connector: ConnectorInfo, attachmentId: string, o: { portalIp: string; enforceMultipath: boolean }) {
  const legacy = legacyConnectionInfo(v, type, connector, { ...o, enforceMultipath: false });
  const out: Record<string, unknown> = { ...legacy.data, driver_volume_type: legacy.driver_volume_type, attachment_id: attachmentId };
  if (o.enforceMultipath) out.enforce_multipath = connector.enforce_multipath ?? false;
  return out;
}

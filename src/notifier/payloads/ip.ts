// IpPayload 1.0: one entry per fixed IP of each VIF in the instance's network info cache
// (nova/notifications/objects/instance.py IpPayload.from_network_info).
import type { FixedIp } from '../../domain.js';
import type { Profile } from '../../profiles/index.js';
import { novaObject, type NovaObject } from '../primitive.js';
import { populate, type FieldMap } from './field-map.js';

export const IP_FIELDS: FieldMap<FixedIp> = {
  label: (ip) => ip.label,
  mac: (ip) => ip.mac,
  meta: (ip) => ({ ...ip.meta }),
  port_uuid: (ip) => ip.port_uuid,
  version: (ip) => ip.version,
  address: (ip) => ip.address,
  device_name: (ip) => ip.device_name,
};

export function ipPayloads(networkInfo: readonly FixedIp[] | null | undefined, profile: Profile): NovaObject[] {
  return (networkInfo ?? []).map((ip) => novaObject('IpPayload', populate(IP_FIELDS, ip), profile));
}

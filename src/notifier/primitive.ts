// oslo.versionedobjects primitive form of a notification payload (obj_to_primitive with the
// 'nova' namespace). Key order is oslo's: name, namespace, version, data. Emitted payloads have
// their change flags reset, so there is never a `nova_object.changes` key.
import type { Profile } from '../profiles/index.js';
import { isoSecondsZ } from '../time-format.js';

export interface NovaObject<D extends Record<string, unknown> = Record<string, unknown>> {
  'nova_object.name': string;
  'nova_object.namespace': 'nova';
  'nova_object.version': string;
  'nova_object.data': D;
}

/** Payload objects whose version is 1.0 in every supported release and so not in the profile. */
const FIXED_VERSIONS: Readonly<Record<string, string>> = {
  InstanceStateUpdatePayload: '1.0',
  AuditPeriodPayload: '1.0',
  SharePayload: '1.0',
  ServerGroupPayload: '1.1',
  // Periodic / start-up payloads: 1.0 in Zed 26.2.2 and master.
  MetricsPayload: '1.0',
  MetricPayload: '1.0',
  VolumeUsagePayload: '1.0',
  LibvirtErrorPayload: '1.0',
};

export function payloadVersion(profile: Profile, name: string): string {
  const version = (profile.payloadVersions as unknown as Record<string, string | undefined>)[name] ?? FIXED_VERSIONS[name];
  if (!version) throw new Error(`no payload version for ${name} in profile ${profile.name}`);
  return version;
}

export function novaObject<D extends Record<string, unknown>>(name: string, data: D, profile: Profile): NovaObject<D> {
  return {
    'nova_object.name': name,
    'nova_object.namespace': 'nova',
    'nova_object.version': payloadVersion(profile, name),
    'nova_object.data': data,
  };
}

export function isNovaObject(value: unknown): value is NovaObject {
  return typeof value === 'object' && value !== null && 'nova_object.name' in value && 'nova_object.data' in value;
}

/** DateTimeField on the wire: `2012-10-29T13:42:11Z` (UTC, no fraction). Accepts Date or ISO text; null stays null. */
export function payloadTime(value: Date | string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  const d = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(d.getTime())) throw new RangeError(`invalid payload datetime ${String(value)}`);
  return isoSecondsZ(d);
}

// nova/availability_zones.py and the API's zone helpers: a host's zone comes from its aggregates'
// `availability_zone` metadata, else [DEFAULT] default_availability_zone; control services sit in
// internal_service_availability_zone.
import type { Services } from '../services.js';
import { ComputeException } from './exceptions.js';

export const INTERNAL_ZONE = 'internal';

/** compute_api.parse_availability_zone: the legacy `az:host`, `az:host:node` and `az::node` forms. */
export function parseAvailabilityZone(raw: string | null): { az: string | null; host: string | null; node: string | null } {
  if (!raw || !raw.includes(':')) return { az: raw || null, host: null, node: null };
  const c = raw.split(':').length - 1;
  let az: string;
  let host: string | null = null;
  let node: string | null = null;
  if (c === 1) [az, host] = raw.split(':');
  else if (c === 2 && raw.includes('::')) [az, node] = raw.split('::');
  else if (c === 2) [az, host, node] = raw.split(':');
  else throw new ComputeException('InvalidInput', 'Invalid input received: Unable to parse availability_zone', { novaException: true, code: 400 });
  // An empty zone becomes CONF.default_schedule_zone (None).
  return { az: az || null, host: host || null, node: node || null };
}

/** The zone of a service (set_availability_zones). */
export function serviceZone(s: Services, host: string, binary: string): string {
  if (binary !== 'nova-compute') return INTERNAL_ZONE;
  return s.hosts.hostAvailabilityZone(host, s.config.availabilityZone);
}

/** get_availability_zones: zones of enabled (available) and of disabled compute services. */
export function availabilityZones(s: Services): { available: string[]; unavailable: string[] } {
  const available = new Set<string>();
  const unavailable = new Set<string>();
  for (const svc of s.hosts.services()) {
    if (svc.binary !== 'nova-compute') continue;
    for (const z of serviceZone(s, svc.host, svc.binary).split(',')) (svc.disabled ? unavailable : available).add(z);
  }
  return { available: [...available].sort(), unavailable: [...unavailable].filter((z) => !available.has(z)).sort() };
}

/** ServersController._validate_host_availability_zone: the zone a forced host request really gets. */
export function validateHostAvailabilityZone(s: Services, az: string | null, host: string | null): string | null {
  if (!host) return az;
  const aggregates = s.hosts.aggregatesByHost(host);
  if (!aggregates.length) return az === s.config.availabilityZone ? az : null;
  const hostAz = aggregates.map((a) => a.metadata.availability_zone).find((z) => !!z) ?? null;
  if (az === hostAz) return az;
  if (az === s.config.availabilityZone && hostAz === null) return az;
  return null;
}

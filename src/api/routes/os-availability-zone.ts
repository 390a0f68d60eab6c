// /os-availability-zone (nova/api/openstack/compute/availability_zone.py): the zones (everyone) and,
// for admins, /detail with each zone's hosts and services.
import type { FastifyInstance } from 'fastify';
import { INTERNAL_ZONE, serviceZone } from '../../compute/availability-zones.js';
import { isoMicro } from '../../time-format.js';
import type { ApiDeps } from '../plugin.js';
import { serviceUp } from '../views/hosts.js';

const RULE = 'os_compute_api:os-availability-zone';

export async function osAvailabilityZoneRoutes(app: FastifyInstance, opts: { deps: ApiDeps }) {
  const { services: s, policy } = opts.deps;

  /** get_availability_zones over every service (the internal zone included). */
  const zones = () => {
    const available = new Set<string>();
    const unavailable = new Set<string>();
    for (const svc of s.hosts.services()) {
      for (const z of serviceZone(s, svc.host, svc.binary).split(',')) (svc.disabled ? unavailable : available).add(z);
    }
    return { available: [...available].sort(), unavailable: [...unavailable].filter((z) => !available.has(z)).sort() };
  };

  app.get('/os-availability-zone', async (req) => {
    policy.authorize(`${RULE}:list`, req.ctx, {});
    const { available, unavailable } = zones();
    const info = [
      ...available.filter((z) => z !== INTERNAL_ZONE).map((z) => ({ zoneName: z, zoneState: { available: true }, hosts: null })),
      ...unavailable.filter((z) => z !== INTERNAL_ZONE).map((z) => ({ zoneName: z, zoneState: { available: false }, hosts: null })),
    ];
    return { availabilityZoneInfo: info };
  });

  app.get('/os-availability-zone/detail', async (req) => {
    policy.authorize(`${RULE}:detail`, req.ctx, {});
    const { available, unavailable } = zones();
    const hostsByZone = new Map<string, Record<string, Record<string, unknown>>>();
    for (const svc of s.hosts.services().filter((x) => !x.disabled)) {
      for (const z of serviceZone(s, svc.host, svc.binary).split(',')) {
        const hosts = hostsByZone.get(z) ?? {};
        hosts[svc.host] ??= {};
        hosts[svc.host][svc.binary] = { available: serviceUp(svc), active: !svc.disabled, updated_at: svc.updated_at ? isoMicro(new Date(svc.updated_at)) : null };
        hostsByZone.set(z, hosts);
      }
    }
    return {
      availabilityZoneInfo: [
        ...available.map((z) => ({ zoneName: z, zoneState: { available: true }, hosts: hostsByZone.get(z) ?? {} })),
        ...unavailable.map((z) => ({ zoneName: z, zoneState: { available: false }, hosts: null })),
      ],
    };
  });
}

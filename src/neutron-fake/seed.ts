// The seed's networks, routers and ports for the fake Neutron. Without a `networks` key the seed gets
// devstack's topology (lib/neutron create_neutron_initial_network): `private` (demo's tenant network,
// 10.0.0.0/26 + a SLAAC IPv6 /64), `public` (admin's external network, 172.24.4.0/24) and `router1`
// joining them. Ids come from a stream derived from the names, so seeding never moves the runtime's
// deterministic id stream. Applied at start (empty database) and after every reset.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Seed } from '../store/seed.js';
import type { NeutronBackend, NeutronCtx } from './backend.js';
import { deepFreeze } from '../notifier/freeze.js';

const SeedSubnet = z
  .object({
    id: z.string().uuid().optional(),
    name: z.string().default(''),
    cidr: z.string(),
    ip_version: z.union([z.literal(4), z.literal(6)]).optional(),
    gateway_ip: z.string().nullable().optional(),
    allocation_pools: z.array(z.object({ start: z.string(), end: z.string() })).optional(),
    enable_dhcp: z.boolean().default(true),
    ipv6_address_mode: z.enum(['slaac', 'dhcpv6-stateful', 'dhcpv6-stateless']).optional(),
    ipv6_ra_mode: z.enum(['slaac', 'dhcpv6-stateful', 'dhcpv6-stateless']).optional(),
  })
  .strict();

export const SeedNetworkSchema = z
  .object({
    id: z.string().uuid().optional(),
    name: z.string(),
    /** Owning project, by seed name or id. */
    project: z.string().min(1),
    shared: z.boolean().default(false),
    external: z.boolean().default(false),
    mtu: z.number().int().min(68).max(65535).optional(),
    subnets: z.array(SeedSubnet).default([]),
  })
  .strict();

export const SeedRouterSchema = z
  .object({
    id: z.string().uuid().optional(),
    name: z.string(),
    project: z.string().min(1),
    /** External network name for the gateway. */
    external_network: z.string().optional(),
    /** Subnet names to attach as interfaces. */
    interfaces: z.array(z.string()).default([]),
  })
  .strict();

export const DEVSTACK_NETWORKS = [
  {
    name: 'private', project: 'demo', mtu: 1442,
    subnets: [
      { name: 'private-subnet', cidr: '10.0.0.0/26', gateway_ip: '10.0.0.1' },
      { name: 'ipv6-private-subnet', cidr: 'fd4e:7b1c:9a3d::/64', ip_version: 6, ipv6_address_mode: 'slaac', ipv6_ra_mode: 'slaac' },
    ],
  },
  { name: 'public', project: 'admin', external: true, mtu: 1500, subnets: [{ name: 'public-subnet', cidr: '172.24.4.0/24', gateway_ip: '172.24.4.1' }] },
];
const NO_ROUTERS: unknown[] = [];
export const DEVSTACK_ROUTERS = [{ name: 'router1', project: 'demo', external_network: 'public', interfaces: ['private-subnet', 'ipv6-private-subnet'] }];

type SeedLike = Pick<Seed, 'projects' | 'ports'> & { networks?: unknown[]; routers?: unknown[] };

function parse<T>(schema: z.ZodType<T>, items: unknown[], what: string): T[] {
  return items.map((x, i) => {
    const r = schema.safeParse(x);
    if (!r.success) throw new Error(`seed ${what}[${i}]: ${r.error.issues.map((e) => `${e.path.join('.')}: ${e.message}`).join('; ')}`);
    return r.data;
  });
}

/**
 * parse() once per seed list: applySeedNetworks runs at every reset, on the same lists (the seed is read
 * once, when the simulator is created). Keyed by the list itself, so another list is parsed anew; the
 * parsed copy is frozen, so nothing can change what the next reset reads.
 */
const parsedLists = new WeakMap<object, unknown[]>();
function parseOnce<T>(schema: z.ZodType<T>, items: unknown[], what: string): readonly T[] {
  let out = parsedLists.get(items) as T[] | undefined;
  if (!out) {
    out = deepFreeze(parse(schema, items, what));
    parsedLists.set(items, out);
  }
  return out;
}

/** Create the seed's networks, subnets, routers and ports that do not exist yet. */
export function applySeedNetworks(backend: NeutronBackend, seed: SeedLike): void {
  const projects = new Map(seed.projects.map((p) => [p.name, p.id]));
  const known = new Set(seed.projects.map((p) => p.id));
  const projectId = (ref: string) => projects.get(ref) ?? (known.has(ref) ? ref : null);
  const explicit = seed.networks !== undefined;
  const networks = parseOnce(SeedNetworkSchema, seed.networks ?? DEVSTACK_NETWORKS, 'networks');
  const routers = parseOnce(SeedRouterSchema, seed.routers ?? (explicit ? NO_ROUTERS : DEVSTACK_ROUTERS), 'routers');
  let n = 0;
  const gen = () => {
    const h = createHash('sha1').update(`novasim-neutron-seed-${n++}`).digest('hex');
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
  };
  const admin = (project: string): NeutronCtx => ({ projectId: project, userId: 'seed', isAdmin: true });
  const store = backend.store;
  if (store.t.networks.all().length || store.t.ports.all().length) return;
  store.transaction(() => {
    const netIds = new Map<string, string>();
    const subnetIds = new Map<string, string>();
    for (const net of networks) {
      const pid = projectId(net.project);
      if (pid === null) continue; // devstack's defaults name projects a custom seed may not have
      const created = backend.withIds(gen, [net.id], () =>
        backend.createNetwork(admin(pid), { network: { name: net.name, shared: net.shared, 'router:external': net.external, ...(net.mtu ? { mtu: net.mtu } : {}) } }));
      netIds.set(net.name, created.id);
      for (const s of net.subnets) {
        const ipVersion = s.ip_version ?? (s.cidr.includes(':') ? 6 : 4);
        const body: Record<string, unknown> = { name: s.name, network_id: created.id, cidr: s.cidr, ip_version: ipVersion, enable_dhcp: s.enable_dhcp };
        for (const k of ['gateway_ip', 'allocation_pools', 'ipv6_address_mode', 'ipv6_ra_mode'] as const) if (s[k] !== undefined) body[k] = s[k];
        const sub = backend.withIds(gen, [s.id], () => backend.createSubnet(admin(pid), { subnet: body }));
        subnetIds.set(s.name, sub.id);
      }
    }
    for (const r of routers) {
      const pid = projectId(r.project);
      if (pid === null) continue;
      const ext = r.external_network ? netIds.get(r.external_network) : undefined;
      if (r.external_network && !ext) continue;
      const router = backend.withIds(gen, [r.id], () =>
        backend.createRouter(admin(pid), { router: { name: r.name, ...(ext ? { external_gateway_info: { network_id: ext } } : {}) } }));
      for (const s of r.interfaces) {
        const sid = subnetIds.get(s);
        if (sid) backend.withIds(gen, [], () => backend.addRouterInterface(admin(pid), router.id, { subnet_id: sid }));
      }
    }
    for (const p of seed.ports) {
      const pid = p.project ? (projectId(p.project) ?? p.project) : null;
      const net = store.t.networks.all().find((x) => x.name === p.network || x.id === p.network);
      if (!net) throw new Error(`seed ports: network ${p.network} of port ${p.id} is not in the seed's networks`);
      backend.withIds(gen, [p.id], () =>
        backend.createPort(admin(pid ?? net.project_id), {
          port: { network_id: net.id, mac_address: p.mac, fixed_ips: [{ ip_address: p.address }], project_id: pid ?? net.project_id },
        }));
    }
  });
}

// The fake Neutron's model, free of HTTP (moto-style): ML2 + L3 + security groups, trimmed to what
// Nova and the clients use. Every write is one transaction. Texts follow neutron / neutron-lib.
import type { Services } from '../services.js';
import * as E from './errors.js';
import { type Cidr, bits, contains, eui64, formatCidr, formatIp, lastOf, overlaps, parseCidr, parseIp } from './ip.js';
import * as S from './schemas.js';
import { NovaNotifier } from './nova-notifier.js';
import { type Collection, type Doc, NeutronStore } from './store.js';

export interface NeutronCtx {
  projectId: string;
  userId: string;
  isAdmin: boolean;
}

const DEVICE_OWNER_ROUTER_INTF = 'network:router_interface';
const DEVICE_OWNER_ROUTER_GW = 'network:router_gateway';
const DEVICE_OWNER_FIP = 'network:floatingip';
const NETWORK_OWNED = /^network:/;

/** What an ML2/OVN port bound on a compute host reports (binding:vif_details). */
const VIF_DETAILS = { port_filter: true, connectivity: 'l2', bridge_name: 'br-int', datapath_type: 'system', bound_drivers: { '0': 'ovn' } };

export class NeutronBackend {
  readonly store: NeutronStore;
  /** neutron.notifiers.nova: network-changed to Nova when a compute port's floating IP changes. */
  readonly nova: NovaNotifier;

  constructor(readonly services: Services) {
    this.store = new NeutronStore(services.db);
    this.nova = new NovaNotifier(services);
  }

  /** Tell Nova about the compute ports (by id) whose floating IPs changed. */
  private notifyNova(portIds: (string | null | undefined)[]): void {
    const events = [];
    for (const id of new Set(portIds.filter((x): x is string => !!x))) {
      const p = this.t('ports').get(id);
      if (p && String(p.device_owner).startsWith('compute:') && p.device_id) events.push({ serverId: p.device_id as string, portId: id });
    }
    this.nova.networkChanged(events);
  }

  /** neutron/notifiers/nova.py record_port_status_changed, for ports a server owns. */
  private portStatusChanged(p: Doc, before: string): void {
    const after = String(p.status);
    if (after === before || !String(p.device_owner).startsWith('compute:') || !p.device_id) return;
    const e = { serverId: p.device_id as string, portId: p.id as string };
    if (after === 'ACTIVE') this.nova.portStatusChanged({ ...e, name: 'network-vif-plugged', status: 'completed' });
    else if (after === 'ERROR') this.nova.portStatusChanged({ ...e, name: 'network-vif-plugged', status: 'failed' });
    else if (before === 'ACTIVE' && after === 'DOWN') this.nova.portStatusChanged({ ...e, name: 'network-vif-unplugged', status: 'completed' });
  }

  /** Ids the seed fixes (consumed first), then the seed's own id stream, then the runtime's. */
  private idQueue: string[] = [];
  private seedIds: (() => string) | null = null;

  nextId(): string {
    return this.idQueue.shift() ?? this.seedIds?.() ?? this.services.runtime.uuid();
  }

  /** Run `fn` with ids (and MACs) from `gen` instead of the runtime's stream, `fixed` first. */
  withIds<T>(gen: () => string, fixed: (string | undefined)[], fn: () => T): T {
    const prev = this.seedIds;
    this.seedIds = gen;
    this.idQueue = fixed.filter((x): x is string => !!x);
    try {
      return fn();
    } finally {
      this.seedIds = prev;
      this.idQueue = [];
    }
  }

  private now() {
    return this.services.runtime.now().toISOString().replace(/\.\d{3}Z$/, 'Z');
  }

  private t(c: Collection) {
    return this.store.t[c];
  }

  private stamp(d: Record<string, unknown>): void {
    const now = this.now();
    d.created_at = now;
    d.updated_at = now;
    d.revision_number = 0;
    d.tags ??= [];
  }

  private touch(d: Doc): void {
    d.updated_at = this.now();
    d.revision_number = Number(d.revision_number ?? 0) + 1;
  }

  // ---- visibility (neutron's default policies: owner or admin; shared/external networks for all) ----

  networkVisible(ctx: NeutronCtx, n: Doc): boolean {
    return ctx.isAdmin || n.project_id === ctx.projectId || n.shared === true || n['router:external'] === true;
  }

  private visible(ctx: NeutronCtx, c: Collection, d: Doc): boolean {
    if (ctx.isAdmin || d.project_id === ctx.projectId) return true;
    if (c === 'networks') return this.networkVisible(ctx, d);
    if (c === 'subnets') {
      const n = this.t('networks').get(d.network_id as string);
      return !!n && (n.shared === true || n['router:external'] === true);
    }
    return false;
  }

  list(ctx: NeutronCtx, c: Collection): Doc[] {
    if (c === 'security_groups') this.ensureDefaultSecurityGroup(ctx.projectId);
    return this.t(c).all().filter((d) => this.visible(ctx, c, d)).map((d) => this.view(ctx, c, d));
  }

  get(ctx: NeutronCtx, c: Collection, id: string): Doc {
    if (c === 'security_groups') this.ensureDefaultSecurityGroup(ctx.projectId);
    const d = this.t(c).get(id);
    if (!d || !this.visible(ctx, c, d)) throw NOT_FOUND[c](id);
    return this.view(ctx, c, d);
  }

  /** The API view: computed fields and admin-only attributes. */
  view(ctx: NeutronCtx, c: Collection, d: Doc): Doc {
    const out: Doc = { ...d };
    if (c === 'networks') {
      out.subnets = this.t('subnets').all({ column: 'network_id', value: d.id }).map((s) => s.id);
      if (!ctx.isAdmin) for (const k of ['provider:network_type', 'provider:physical_network', 'provider:segmentation_id']) delete out[k];
    }
    if (c === 'ports' && !ctx.isAdmin) for (const k of ['binding:host_id', 'binding:profile', 'binding:vif_type', 'binding:vif_details']) delete out[k];
    if (c === 'security_groups') out.security_group_rules = this.t('security_group_rules').all({ column: 'security_group_id', value: d.id });
    if (c === 'routers' && !ctx.isAdmin) {
      delete out.distributed;
      delete out.ha;
    }
    return out;
  }

  private mine(ctx: NeutronCtx, c: Collection, id: string): Doc {
    const d = this.t(c).get(id);
    if (!d || !this.visible(ctx, c, d)) throw NOT_FOUND[c](id);
    // Visible but not owned (a shared network, the external network): changing it is a policy 403... shown as 404 for ports etc.
    if (!ctx.isAdmin && d.project_id !== ctx.projectId) throw E.policyDenied(`${c === 'networks' ? 'update_network' : `update_${c.slice(0, -1)}`}`);
    return d;
  }

  // ---- networks ----

  createNetwork(ctx: NeutronCtx, body: unknown): Doc {
    const d = S.prepareBody('network', body, true, S.NETWORK, ctx);
    for (const k of ['router:external', 'provider:network_type', 'provider:physical_network', 'provider:segmentation_id'] as const) {
      if (!ctx.isAdmin && d[k] !== undefined && d[k] !== null && d[k] !== false) throw E.policyDenied(`create_network and rule:create_network:${k}`);
    }
    if (!ctx.isAdmin && d.shared === true) throw E.policyDenied('create_network and rule:create_network:shared');
    const id = this.nextId();
    const net: Doc = {
      id, name: d.name, tenant_id: d.project_id, project_id: d.project_id as string, admin_state_up: d.admin_state_up,
      mtu: d.mtu || 1442, status: 'ACTIVE', shared: d.shared, availability_zone_hints: d.availability_zone_hints, availability_zones: ['nova'],
      ipv4_address_scope: null, ipv6_address_scope: null, 'router:external': d['router:external'], description: d.description,
      port_security_enabled: d.port_security_enabled, dns_domain: d.dns_domain, l2_adjacency: true,
      'provider:network_type': d['provider:network_type'] ?? 'geneve', 'provider:physical_network': d['provider:physical_network'] ?? null,
      'provider:segmentation_id': d['provider:segmentation_id'] ?? this.nextSegment(),
    };
    if (net['router:external']) net.is_default = d.is_default ?? false;
    this.stamp(net);
    this.store.transaction(() => this.t('networks').insert(net));
    return this.view(ctx, 'networks', net);
  }

  private nextSegment(): number {
    return 1 + this.t('networks').all().length;
  }

  updateNetwork(ctx: NeutronCtx, id: string, body: unknown): Doc {
    return this.store.transaction(() => {
      const n = this.mine(ctx, 'networks', id);
      const d = S.prepareBody('network', body, false, S.NETWORK, ctx);
      if (!ctx.isAdmin && (d['router:external'] !== undefined || d.shared !== undefined)) throw E.policyDenied(`update_network and rule:update_network:${d.shared !== undefined ? 'shared' : 'router:external'}`);
      Object.assign(n, d);
      if (n['router:external'] && n.is_default === undefined) n.is_default = false;
      this.touch(n);
      this.t('networks').save(n);
      return this.view(ctx, 'networks', n);
    });
  }

  deleteNetwork(ctx: NeutronCtx, id: string): void {
    this.store.transaction(() => {
      const n = this.mine(ctx, 'networks', id);
      const ports = this.t('ports').all({ column: 'network_id', value: n.id });
      // _ensure_network_not_in_use: only network-owned (DHCP) ports may remain.
      if (ports.some((p) => !String(p.device_owner).startsWith('network:dhcp'))) throw E.networkInUse(id);
      for (const p of ports) this.removePort(p.id);
      for (const s of this.t('subnets').all({ column: 'network_id', value: n.id })) this.t('subnets').delete(s.id);
      this.t('networks').delete(id);
    });
  }

  // ---- subnets ----

  createSubnet(ctx: NeutronCtx, body: unknown): Doc {
    const d = S.prepareBody('subnet', body, true, S.SUBNET, ctx);
    return this.store.transaction(() => {
      const net = this.t('networks').get(d.network_id as string);
      if (!net || !this.visible(ctx, 'networks', net)) throw E.networkNotFound(d.network_id as string);
      if (!ctx.isAdmin && net.project_id !== ctx.projectId) throw E.policyDenied('create_subnet and rule:create_subnet:network_id');
      const doc = this.buildSubnet(d, net, this.nextId());
      this.stamp(doc);
      this.t('subnets').insert(doc);
      this.touch(net);
      this.t('networks').save(net);
      return this.view(ctx, 'subnets', doc);
    });
  }

  /** _validate_subnet + IPAM's pool and gateway defaults (neutron/ipam/utils.py). */
  private buildSubnet(d: Record<string, unknown>, net: Doc, id: string): Doc {
    const ipVersion = d.ip_version as 4 | 6;
    if (d.cidr === undefined) throw E.badRequest('A cidr must be specified in the absence of a subnet pool');
    const cidr = parseCidr(d.cidr as string)!;
    if (cidr.version !== ipVersion) throw E.invalidInput(`cidr '${d.cidr as string}' does not match the ip_version '${ipVersion}'`);
    if (cidr.prefix === 0) throw E.invalidInput('0 is not allowed as CIDR prefix length');
    if (ipVersion === 6 && cidr.net === 0n) throw E.invalidInput("IPv6 subnet '::' is not supported");
    if (d.enable_dhcp && ((ipVersion === 4 && cidr.prefix > 30) || (ipVersion === 6 && cidr.prefix > 126))) {
      throw E.invalidInput('Subnet has a prefix length that is incompatible with DHCP service enabled');
    }
    if ((d.ipv6_ra_mode || d.ipv6_address_mode) && ipVersion === 4) {
      throw E.invalidInput(d.ipv6_ra_mode ? 'ipv6_ra_mode is not valid when ip_version is 4' : 'ipv6_address_mode is not valid when ip_version is 4');
    }
    if (d.ipv6_ra_mode && d.ipv6_address_mode && d.ipv6_ra_mode !== d.ipv6_address_mode) {
      throw E.invalidInput(`ipv6_ra_mode set to '${d.ipv6_ra_mode as string}' with ipv6_address_mode set to '${d.ipv6_address_mode as string}' is not valid. If both attributes are set, they must be the same value`);
    }
    if (ipVersion === 6 && (d.ipv6_address_mode === 'slaac' || d.ipv6_address_mode === 'dhcpv6-stateless') && cidr.prefix !== 64) {
      throw E.badRequest(`Invalid CIDR ${d.cidr as string} for IPv6 address mode. OpenStack uses the EUI-64 address format, which requires the prefix to be /64`);
    }
    for (const s of this.t('subnets').all({ column: 'network_id', value: net.id })) {
      if (s.id !== id && overlaps(cidr, parseCidr(s.cidr as string)!)) {
        throw E.invalidInput(`Requested subnet with cidr: ${formatCidr(cidr)} for network: ${net.id} overlaps with another subnet`);
      }
    }
    const first = cidr.net + 1n;
    const last = ipVersion === 4 ? lastOf(cidr) - 1n : lastOf(cidr);
    let gateway: bigint | null = first;
    if (d.gateway_ip === null) gateway = null;
    else if (d.gateway_ip !== undefined) {
      const g = parseIp(d.gateway_ip as string)!;
      if (g.version !== ipVersion) throw E.invalidInput(`gateway_ip '${d.gateway_ip as string}' does not match the ip_version '${ipVersion}'`);
      if (!contains(cidr, g.version, g.value) || (ipVersion === 4 && (g.value === cidr.net || g.value === lastOf(cidr)))) throw E.invalidInput('Gateway is not valid on subnet');
      gateway = g.value;
    }
    let pools: { start: bigint; end: bigint }[];
    if (d.allocation_pools !== undefined) {
      pools = (d.allocation_pools as { start: string; end: string }[]).map((p) => {
        const s = parseIp(p.start)!;
        const e = parseIp(p.end)!;
        if (s.version !== ipVersion || e.version !== ipVersion || s.value > e.value) throw new E.NeutronError(400, 'InvalidAllocationPool', `The allocation pool ${p.start}-${p.end} is not valid.`);
        if (!contains(cidr, s.version, s.value) || !contains(cidr, e.version, e.value)) {
          throw new E.NeutronError(400, 'OutOfBoundsAllocationPool', `The allocation pool ${p.start}-${p.end} spans beyond the subnet cidr ${formatCidr(cidr)}.`);
        }
        if (gateway !== null && gateway >= s.value && gateway <= e.value) {
          throw new E.NeutronError(409, 'GatewayConflictWithAllocationPools', `Gateway ip ${formatIp(ipVersion, gateway)} conflicts with allocation pool ${p.start}-${p.end}.`);
        }
        return { start: s.value, end: e.value };
      });
      const sorted = [...pools].sort((a, b) => (a.start < b.start ? -1 : 1));
      for (let i = 1; i < sorted.length; i++) {
        if (sorted[i].start <= sorted[i - 1].end) {
          throw new E.NeutronError(400, 'OverlappingAllocationPools', `Found overlapping allocation pools: ${formatIp(ipVersion, sorted[i - 1].start)}-${formatIp(ipVersion, sorted[i - 1].end)} and ${formatIp(ipVersion, sorted[i].start)}-${formatIp(ipVersion, sorted[i].end)} for subnet ${formatCidr(cidr)}.`);
        }
      }
    } else if (gateway === null || gateway < first || gateway > last) pools = [{ start: first, end: last }];
    else pools = [{ start: first, end: gateway - 1n }, { start: gateway + 1n, end: last }].filter((p) => p.start <= p.end);
    return {
      id, name: d.name, tenant_id: net.project_id, project_id: net.project_id, network_id: net.id, ip_version: ipVersion, subnetpool_id: d.subnetpool_id ?? null,
      enable_dhcp: d.enable_dhcp, ipv6_ra_mode: d.ipv6_ra_mode ?? null, ipv6_address_mode: d.ipv6_address_mode ?? null,
      gateway_ip: gateway === null ? null : formatIp(ipVersion, gateway), cidr: formatCidr(cidr),
      allocation_pools: pools.map((p) => ({ start: formatIp(ipVersion, p.start), end: formatIp(ipVersion, p.end) })),
      host_routes: d.host_routes, dns_nameservers: d.dns_nameservers, description: d.description, service_types: d.service_types,
      dns_publish_fixed_ip: d.dns_publish_fixed_ip ?? false, segment_id: d.segment_id ?? null,
    } as Doc;
  }

  updateSubnet(ctx: NeutronCtx, id: string, body: unknown): Doc {
    return this.store.transaction(() => {
      const s = this.mine(ctx, 'subnets', id);
      const d = S.prepareBody('subnet', body, false, S.SUBNET, ctx);
      for (const k of ['name', 'description', 'enable_dhcp', 'dns_nameservers', 'host_routes', 'service_types', 'dns_publish_fixed_ip', 'segment_id']) if (k in d) s[k] = d[k];
      if ('gateway_ip' in d || 'allocation_pools' in d) {
        const net = this.t('networks').get(s.network_id as string)!;
        const rebuilt = this.buildSubnet({ ...s, gateway_ip: 'gateway_ip' in d ? d.gateway_ip : s.gateway_ip, allocation_pools: d.allocation_pools ?? s.allocation_pools }, net, s.id);
        s.gateway_ip = rebuilt.gateway_ip;
        s.allocation_pools = rebuilt.allocation_pools;
      }
      this.touch(s);
      this.t('subnets').save(s);
      return this.view(ctx, 'subnets', s);
    });
  }

  deleteSubnet(ctx: NeutronCtx, id: string): void {
    this.store.transaction(() => {
      const s = this.mine(ctx, 'subnets', id);
      const autoPorts = this.t('ports').all({ column: 'network_id', value: s.network_id as string }).filter((p) => String(p.device_owner).startsWith('network:dhcp')).map((p) => p.id);
      if (this.store.subnetHasAllocations(id, autoPorts)) throw E.subnetInUse(id);
      this.t('subnets').delete(id);
    });
  }

  // ---- IPAM ----

  private subnetCidr(s: Doc): Cidr {
    return parseCidr(s.cidr as string)!;
  }

  private isAutoAddress(s: Doc): boolean {
    return s.ip_version === 6 && (s.ipv6_address_mode === 'slaac' || s.ipv6_address_mode === 'dhcpv6-stateless');
  }

  /** First free address of the subnet's pools (neutron's IPAM picks one of the free ones; lowest here, for determinism). */
  private nextFree(s: Doc): string | null {
    const used = this.store.allocated(s.id);
    const version = s.ip_version as 4 | 6;
    for (const p of s.allocation_pools as { start: string; end: string }[]) {
      const end = parseIp(p.end)!.value;
      let n = 0;
      for (let ip = parseIp(p.start)!.value; ip <= end && n < 100_000; ip++, n++) {
        const text = formatIp(version, ip);
        if (!used.has(text)) return text;
      }
    }
    return null;
  }

  /** _allocate_ips_for_port / _test_fixed_ips_for_port: returns the fixed_ips and records them. */
  private allocateIps(net: Doc, portId: string, mac: string, requested: { ip_address?: string; subnet_id?: string }[] | undefined, deviceOwner: string): { subnet_id: string; ip_address: string }[] {
    const subnets = this.t('subnets').all({ column: 'network_id', value: net.id });
    const out: { subnet_id: string; ip_address: string }[] = [];
    if (requested === undefined) {
      // One address from the first IPv4 subnet with room (and one per IPv6 subnet, SLAAC addresses from the MAC).
      const v4 = subnets.filter((s) => s.ip_version === 4);
      if (v4.length) {
        let got = false;
        for (const s of v4) {
          const ip = this.nextFree(s);
          if (ip) {
            out.push({ subnet_id: s.id, ip_address: ip });
            got = true;
            break;
          }
        }
        if (!got) throw E.ipGenerationFailure(net.id);
      }
      for (const s of subnets.filter((x) => x.ip_version === 6)) {
        // Router interfaces never get SLAAC addresses (they take the gateway when attached by subnet).
        if (this.isAutoAddress(s)) {
          if (deviceOwner === DEVICE_OWNER_ROUTER_INTF || deviceOwner === DEVICE_OWNER_ROUTER_GW) continue;
          out.push({ subnet_id: s.id, ip_address: formatIp(6, eui64(this.subnetCidr(s), mac)) });
        } else {
          const ip = this.nextFree(s);
          if (!ip) throw E.ipGenerationFailure(net.id);
          out.push({ subnet_id: s.id, ip_address: ip });
        }
      }
    } else {
      for (const r of requested) {
        let subnet: Doc | undefined;
        if (r.subnet_id !== undefined) {
          subnet = subnets.find((s) => s.id === r.subnet_id);
          if (!subnet) {
            if (!this.t('subnets').get(r.subnet_id)) throw E.subnetNotFound(r.subnet_id);
            throw E.badRequest(`Failed to create port on network ${net.id}, because fixed_ips included invalid subnet ${r.subnet_id}`);
          }
          if (r.ip_address !== undefined) {
            const ip = parseIp(r.ip_address)!;
            if (!contains(this.subnetCidr(subnet), ip.version, ip.value)) throw E.invalidIpForSubnet(r.ip_address);
          }
        } else if (r.ip_address !== undefined) {
          const ip = parseIp(r.ip_address)!;
          subnet = subnets.find((s) => contains(this.subnetCidr(s), ip.version, ip.value));
          if (!subnet) throw E.invalidIpForNetwork(r.ip_address);
        } else throw E.badRequest('IP allocation requires subnet_id or ip_address');
        let address: string;
        if (r.ip_address !== undefined) {
          const ip = parseIp(r.ip_address)!;
          address = formatIp(ip.version, ip.value);
          const owner = this.store.allocationOwner(subnet.id, address);
          if (owner && owner !== portId) throw E.ipInUse(net.id, address);
          if (address === subnet.gateway_ip && deviceOwner !== DEVICE_OWNER_ROUTER_INTF && !String(deviceOwner).startsWith('network:')) throw E.ipInUse(net.id, address);
        } else if (this.isAutoAddress(subnet)) address = formatIp(6, eui64(this.subnetCidr(subnet), mac));
        else {
          const ip = this.nextFree(subnet);
          if (!ip) throw E.ipGenerationFailure(net.id);
          address = ip;
        }
        if (out.some((o) => o.subnet_id === subnet!.id && o.ip_address === address)) continue;
        out.push({ subnet_id: subnet.id, ip_address: address });
      }
    }
    for (const f of out) {
      if (!this.store.allocationOwner(f.subnet_id, f.ip_address)) this.store.allocate(f.subnet_id, f.ip_address, portId, net.id);
    }
    return out;
  }

  private randomMac(): string {
    for (let i = 0; i < 16; i++) {
      const hex = this.seedIds ? this.seedIds().replaceAll('-', '').slice(0, 6) : this.services.runtime.randomString(6, '0123456789abcdef');
      const mac = `fa:16:3e:${hex.slice(0, 2)}:${hex.slice(2, 4)}:${hex.slice(4, 6)}`;
      if (!this.t('ports').all().some((p) => p.mac_address === mac)) return mac;
    }
    throw new E.NeutronError(500, 'MacAddressGenerationFailure', 'Unable to generate unique mac.');
  }

  // ---- ports ----

  createPort(ctx: NeutronCtx, body: unknown, opts: { id?: string } = {}): Doc {
    const d = S.prepareBody('port', body, true, S.PORT, ctx);
    for (const k of ['binding:host_id', 'binding:profile', 'mac_address'] as const) {
      const given = k === 'binding:host_id' ? d[k] !== '' : k === 'binding:profile' ? Object.keys(d[k] as object).length > 0 : d[k] !== undefined;
      if (given && !ctx.isAdmin) throw E.policyDenied(`create_port and rule:create_port:${k}`);
    }
    if (!ctx.isAdmin && String(d.device_owner).startsWith('network:')) throw E.policyDenied('create_port and rule:create_port:device_owner');
    return this.store.transaction(() => {
      const net = this.t('networks').get(d.network_id as string);
      if (!net || !this.visible(ctx, 'networks', net)) throw E.networkNotFound(d.network_id as string);
      if (!ctx.isAdmin && net.project_id !== ctx.projectId && net.shared !== true) throw E.policyDenied('create_port and rule:create_port:network_id');
      const id = opts.id ?? this.nextId();
      let mac = d.mac_address as string | undefined;
      if (mac !== undefined) {
        mac = mac.toLowerCase().replaceAll('-', ':');
        if (this.t('ports').all({ column: 'network_id', value: net.id }).some((p) => p.mac_address === mac)) throw E.macInUse(net.id, mac);
      } else mac = this.randomMac();
      const projectId = d.project_id as string;
      const portSecurity = d.port_security_enabled === undefined ? net.port_security_enabled !== false : d.port_security_enabled === true;
      const owner = d.device_owner as string;
      let sgs: string[] = [];
      if (portSecurity && !NETWORK_OWNED.test(owner)) {
        if (d.security_groups !== undefined) {
          sgs = d.security_groups as string[];
          for (const sg of sgs) {
            const g = this.t('security_groups').get(sg);
            if (!g || (!ctx.isAdmin && g.project_id !== projectId)) throw E.securityGroupNotFound(sg);
          }
        } else sgs = [this.ensureDefaultSecurityGroup(projectId)];
      } else if (d.security_groups !== undefined && (d.security_groups as string[]).length && !portSecurity) {
        throw new E.NeutronError(409, 'PortSecurityAndIPRequiredForSecurityGroups', 'Port security must be enabled and port must have an IP address in order to use security groups.');
      }
      const fixedIps = this.allocateIps(net, id, mac, d.fixed_ips as { ip_address?: string; subnet_id?: string }[] | undefined, owner);
      const port: Doc = {
        id, name: d.name, network_id: net.id, tenant_id: projectId, project_id: projectId, mac_address: mac, admin_state_up: d.admin_state_up,
        status: 'DOWN', device_id: d.device_id, device_owner: owner, fixed_ips: fixedIps, allowed_address_pairs: d.allowed_address_pairs,
        extra_dhcp_opts: d.extra_dhcp_opts, security_groups: sgs, description: d.description, port_security_enabled: portSecurity,
        dns_name: d.dns_name, dns_assignment: [], propagate_uplink_status: d.propagate_uplink_status,
        'binding:vnic_type': d['binding:vnic_type'], 'binding:host_id': d['binding:host_id'], 'binding:profile': d['binding:profile'],
        'binding:vif_type': 'unbound', 'binding:vif_details': {}, ip_allocation: 'immediate', resource_request: null,
      };
      this.bind(port);
      this.portStatusChanged(port, 'DOWN');
      this.stamp(port);
      this.t('ports').insert(port);
      return this.view(ctx, 'ports', port);
    });
  }

  /** ML2 binding: a port with a host binds (ovs/OVN); compute and router ports are then ACTIVE, DOWN while unbound. */
  private bind(p: Doc): void {
    const host = p['binding:host_id'] as string;
    if (host) {
      p['binding:vif_type'] = 'ovs';
      p['binding:vif_details'] = { ...VIF_DETAILS };
    } else if (!NETWORK_OWNED.test(String(p.device_owner))) {
      p['binding:vif_type'] = 'unbound';
      p['binding:vif_details'] = {};
    }
    const owner = String(p.device_owner);
    p.status = (host && p.admin_state_up !== false) || (NETWORK_OWNED.test(owner) && owner !== DEVICE_OWNER_FIP) ? 'ACTIVE' : 'DOWN';
    if (owner === DEVICE_OWNER_FIP) p.status = 'N/A';
  }

  updatePort(ctx: NeutronCtx, id: string, body: unknown): Doc {
    return this.store.transaction(() => {
      const p = this.t('ports').get(id);
      if (!p || !this.visible(ctx, 'ports', p)) throw E.portNotFound(id);
      const d = S.prepareBody('port', body, false, S.PORT, ctx);
      for (const k of ['binding:host_id', 'binding:profile', 'mac_address'] as const) if (k in d && !ctx.isAdmin) throw E.policyDenied(`update_port and rule:update_port:${k}`);
      if (!ctx.isAdmin && String(p.device_owner).startsWith('network:')) throw E.policyDenied('update_port and rule:update_port:device_owner');
      if ('mac_address' in d && p['binding:host_id'] && d.mac_address !== p.mac_address) {
        throw new E.NeutronError(409, 'PortBound', `Unable to complete operation on port ${id}, port is already bound, port type: ovs, old_mac ${p.mac_address as string}, new_mac ${d.mac_address as string}.`);
      }
      if ('security_groups' in d) {
        for (const sg of d.security_groups as string[]) {
          const g = this.t('security_groups').get(sg);
          if (!g || (!ctx.isAdmin && g.project_id !== p.project_id)) throw E.securityGroupNotFound(sg);
        }
      }
      if ('fixed_ips' in d) {
        const net = this.t('networks').get(p.network_id as string)!;
        this.store.releasePort(id);
        p.fixed_ips = this.allocateIps(net, id, p.mac_address as string, d.fixed_ips as { ip_address?: string; subnet_id?: string }[], String(p.device_owner));
        delete d.fixed_ips;
      }
      if ('port_security_enabled' in d && d.port_security_enabled === false && ((d.security_groups ?? p.security_groups) as string[]).length) {
        throw new E.NeutronError(409, 'PortSecurityPortHasSecurityGroup', 'Port has security group associated. Cannot disable port security or IP address until security group is removed.');
      }
      // A new binding (host or device) takes the port through DOWN again, as the L2 agent rewires it.
      const rebound = ('binding:host_id' in d && d['binding:host_id'] !== p['binding:host_id']) || ('device_id' in d && d.device_id !== p.device_id);
      const before = rebound ? 'DOWN' : String(p.status);
      Object.assign(p, d);
      this.bind(p);
      this.portStatusChanged(p, before);
      this.touch(p);
      this.t('ports').save(p);
      return this.view(ctx, 'ports', p);
    });
  }

  deletePort(ctx: NeutronCtx, id: string): void {
    this.store.transaction(() => {
      const p = this.t('ports').get(id);
      if (!p || !this.visible(ctx, 'ports', p)) throw E.portNotFound(id);
      const owner = String(p.device_owner);
      if (owner === DEVICE_OWNER_ROUTER_INTF || owner === DEVICE_OWNER_ROUTER_GW || owner === DEVICE_OWNER_FIP) {
        throw new E.NeutronError(409, 'ServicePortInUse', `Port ${id} cannot be deleted directly via the port API: has device owner ${owner}.`);
      }
      this.removePort(id);
      // neutron/notifiers/nova.py send_port_delete_notification → Nova's network-vif-deleted.
      if (owner.startsWith('compute:') && p.device_id) this.nova.portDeleted({ serverId: p.device_id as string, portId: id });
    });
  }

  /** Delete a port with its allocations; floating IPs pointing at it are disassociated (L3 prevent_l3_port_deletion → disassociate_floatingips). */
  private removePort(id: string): void {
    for (const f of this.t('floatingips').all()) {
      if (f.port_id === id) {
        Object.assign(f, { port_id: null, fixed_ip_address: null, router_id: null, status: 'DOWN', port_details: null });
        this.touch(f);
        this.t('floatingips').save(f);
      }
    }
    this.store.releasePort(id);
    this.t('ports').delete(id);
  }

  // ---- security groups ----

  /** The project's `default` group, created on first use with its four rules (SecurityGroupDbMixin._ensure_default_security_group). */
  ensureDefaultSecurityGroup(projectId: string): string {
    const existing = this.t('security_groups').all().find((g) => g.project_id === projectId && g.name === 'default');
    if (existing) return existing.id;
    return this.store.transaction(() => {
      const id = this.nextId();
      const g: Doc = { id, name: 'default', tenant_id: projectId, project_id: projectId, description: 'Default security group', stateful: true, shared: false };
      this.stamp(g);
      this.t('security_groups').insert(g);
      for (const [direction, ethertype] of [['ingress', 'IPv4'], ['ingress', 'IPv6'], ['egress', 'IPv4'], ['egress', 'IPv6']]) {
        this.insertRule({ security_group_id: id, direction, ethertype, project_id: projectId, remote_group_id: direction === 'ingress' ? id : null, description: null }, true);
      }
      return id;
    });
  }

  private insertRule(d: Record<string, unknown>, belongsToDefault: boolean): Doc {
    const r: Doc = {
      id: this.nextId(), tenant_id: d.project_id as string, project_id: d.project_id as string, security_group_id: d.security_group_id,
      ethertype: d.ethertype, direction: d.direction, protocol: d.protocol ?? null, port_range_min: d.port_range_min ?? null, port_range_max: d.port_range_max ?? null,
      remote_ip_prefix: d.remote_ip_prefix ?? null, remote_group_id: d.remote_group_id ?? null, remote_address_group_id: d.remote_address_group_id ?? null,
      normalized_cidr: d.remote_ip_prefix ?? null, description: d.description ?? '', belongs_to_default_sg: belongsToDefault,
    };
    this.stamp(r);
    delete r.tags;
    this.t('security_group_rules').insert(r);
    return r;
  }

  createSecurityGroup(ctx: NeutronCtx, body: unknown): Doc {
    const d = S.prepareBody('security_group', body, true, S.SECURITY_GROUP, ctx);
    if (d.name === 'default') {
      this.ensureDefaultSecurityGroup(d.project_id as string);
      throw new E.NeutronError(409, 'SecurityGroupDefaultAlreadyExists', 'Default security group already exists.');
    }
    return this.store.transaction(() => {
      this.ensureDefaultSecurityGroup(d.project_id as string);
      const id = this.nextId();
      const g: Doc = { id, name: d.name, tenant_id: d.project_id, project_id: d.project_id as string, description: d.description, stateful: d.stateful, shared: false };
      this.stamp(g);
      this.t('security_groups').insert(g);
      // A new group allows all egress (_create_security_group's egress defaults).
      for (const ethertype of ['IPv4', 'IPv6']) this.insertRule({ security_group_id: id, direction: 'egress', ethertype, project_id: d.project_id }, false);
      return this.view(ctx, 'security_groups', g);
    });
  }

  updateSecurityGroup(ctx: NeutronCtx, id: string, body: unknown): Doc {
    return this.store.transaction(() => {
      const g = this.mine(ctx, 'security_groups', id);
      const d = S.prepareBody('security_group', body, false, S.SECURITY_GROUP, ctx);
      if (g.name === 'default' && d.name !== undefined && d.name !== 'default') throw new E.NeutronError(409, 'SecurityGroupCannotUpdateDefault', 'Updating default security group not allowed.');
      Object.assign(g, d);
      this.touch(g);
      this.t('security_groups').save(g);
      return this.view(ctx, 'security_groups', g);
    });
  }

  deleteSecurityGroup(ctx: NeutronCtx, id: string): void {
    this.store.transaction(() => {
      const g = this.mine(ctx, 'security_groups', id);
      if (g.name === 'default' && !ctx.isAdmin) throw new E.NeutronError(409, 'SecurityGroupCannotRemoveDefault', 'Insufficient rights for removing default security group.');
      if (this.t('ports').all().some((p) => (p.security_groups as string[]).includes(id))) throw new E.NeutronError(409, 'SecurityGroupInUse', `Security Group ${id} in use.`);
      for (const r of this.t('security_group_rules').all({ column: 'security_group_id', value: id })) this.t('security_group_rules').delete(r.id);
      this.t('security_groups').delete(id);
    });
  }

  createSecurityGroupRule(ctx: NeutronCtx, body: unknown): Doc {
    const d = S.prepareBody('security_group_rule', body, true, S.SECURITY_GROUP_RULE, ctx);
    return this.store.transaction(() => {
      const g = this.t('security_groups').get(d.security_group_id as string);
      if (!g || (!ctx.isAdmin && g.project_id !== ctx.projectId)) throw E.securityGroupNotFound(d.security_group_id as string);
      d.project_id = g.project_id;
      if (d.remote_ip_prefix !== null && d.remote_group_id !== null) {
        throw new E.NeutronError(400, 'SecurityGroupRemoteGroupAndRemoteIpPrefix', 'Only one of remote_ip_prefix or remote_group_id or remote_address_group_id may be provided.');
      }
      if (d.remote_group_id !== null && !this.t('security_groups').get(d.remote_group_id as string)) throw E.securityGroupNotFound(d.remote_group_id as string);
      const proto = d.protocol === null ? null : String(d.protocol).toLowerCase();
      const KNOWN = ['ah', 'dccp', 'egp', 'esp', 'gre', 'icmp', 'icmpv6', 'igmp', 'ipip', 'ipv6-encap', 'ipv6-frag', 'ipv6-icmp', 'ipv6-nonxt', 'ipv6-opts', 'ipv6-route', 'ospf', 'pgm', 'rsvp', 'sctp', 'tcp', 'udp', 'udplite', 'vrrp', 'any'];
      if (proto !== null && !KNOWN.includes(proto) && !(/^\d+$/.test(proto) && Number(proto) <= 255)) {
        throw new E.NeutronError(400, 'SecurityGroupRuleInvalidProtocol', `Security group rule protocol ${proto} not supported. Only protocol values [None, ${KNOWN.map((k) => `'${k}'`).join(', ')}] and integer representations [0 to 255] are supported.`);
      }
      d.protocol = proto === 'any' ? null : proto;
      const min = d.port_range_min as number | null;
      const max = d.port_range_max as number | null;
      if ((min !== null || max !== null) && d.protocol === null) throw new E.NeutronError(400, 'SecurityGroupProtocolRequiredWithPorts', 'Must also specify protocol if port range is given.');
      if (['tcp', 'udp', 'sctp', 'dccp', 'udplite', '6', '17'].includes(String(d.protocol)) && min !== null && max !== null && min > max) {
        throw new E.NeutronError(400, 'SecurityGroupInvalidPortRange', 'For TCP/UDP protocols, port_range_min must be <= port_range_max');
      }
      if (d.remote_ip_prefix !== null) {
        const raw = d.remote_ip_prefix as string;
        const c = parseCidr(raw.includes('/') ? raw : `${raw}/${raw.includes(':') ? 128 : 32}`)!;
        if ((c.version === 4 ? 'IPv4' : 'IPv6') !== d.ethertype) {
          throw new E.NeutronError(400, 'SecurityGroupRuleParameterConflict', `Conflicting value ethertype ${d.ethertype as string} for CIDR ${raw}`);
        }
        d.remote_ip_prefix = formatCidr(c);
      }
      const dup = this.t('security_group_rules').all({ column: 'security_group_id', value: g.id }).find((r) =>
        ['direction', 'ethertype', 'protocol', 'port_range_min', 'port_range_max', 'remote_ip_prefix', 'remote_group_id'].every((k) => (r[k] ?? null) === (d[k] ?? null)));
      if (dup) throw new E.NeutronError(409, 'SecurityGroupRuleExists', `Security group rule already exists. Rule id is ${dup.id}.`);
      return this.insertRule(d, g.name === 'default');
    });
  }

  deleteSecurityGroupRule(ctx: NeutronCtx, id: string): void {
    this.store.transaction(() => {
      const r = this.t('security_group_rules').get(id);
      if (!r || (!ctx.isAdmin && r.project_id !== ctx.projectId)) throw E.securityGroupRuleNotFound(id);
      this.t('security_group_rules').delete(id);
    });
  }

  // ---- routers ----

  createRouter(ctx: NeutronCtx, body: unknown): Doc {
    const d = S.prepareBody('router', body, true, S.ROUTER, ctx);
    return this.store.transaction(() => {
      const id = this.nextId();
      const r: Doc = {
        id, name: d.name, tenant_id: d.project_id, project_id: d.project_id as string, admin_state_up: d.admin_state_up, status: 'ACTIVE',
        external_gateway_info: null, description: d.description, routes: [], availability_zone_hints: d.availability_zone_hints,
        availability_zones: ['nova'], distributed: d.distributed, ha: d.ha, flavor_id: d.flavor_id ?? null, enable_ndp_proxy: false,
      };
      this.stamp(r);
      this.t('routers').insert(r);
      if (d.external_gateway_info) this.setGateway(ctx, r, d.external_gateway_info as Record<string, unknown>);
      return this.view(ctx, 'routers', r);
    });
  }

  /** _update_router_gw_info: a gateway port on the external network with one address per its (IPv4) subnet. */
  private setGateway(ctx: NeutronCtx, r: Doc, info: Record<string, unknown> | null): void {
    const old = this.t('ports').all({ column: 'device_id', value: r.id }).filter((p) => p.device_owner === DEVICE_OWNER_ROUTER_GW);
    if (info && typeof info.network_id === 'string' && r.external_gateway_info && (r.external_gateway_info as { network_id: string }).network_id === info.network_id && info.external_fixed_ips === undefined) {
      (r.external_gateway_info as Record<string, unknown>).enable_snat = info.enable_snat ?? true;
      this.touch(r);
      this.t('routers').save(r);
      return;
    }
    if (!info) {
      const routerSubnets = this.routerSubnets(r.id);
      const inUse = this.t('floatingips').all().some((f) => f.router_id === r.id);
      if (inUse && routerSubnets.length) {
        throw new E.NeutronError(409, 'RouterExternalGatewayInUseByFloatingIp', `Gateway cannot be updated for router ${r.id}, since a gateway to external network ${(r.external_gateway_info as { network_id: string }).network_id} is required by one or more floating IPs.`);
      }
    }
    for (const p of old) this.removePort(p.id);
    r.external_gateway_info = null;
    if (info) {
      const netId = info.network_id;
      if (typeof netId !== 'string') throw E.badRequest("Invalid input for external_gateway_info. Reason: Validation of dictionary's keys failed. Expected keys: {'network_id'} Provided keys: set().");
      const net = this.t('networks').get(netId);
      if (!net || !this.visible(ctx, 'networks', net)) throw E.networkNotFound(netId);
      if (net['router:external'] !== true) throw new E.NeutronError(400, 'BadRequest', `Bad router request: Network ${netId} is not an external network.`);
      const requested = Array.isArray(info.external_fixed_ips) ? (info.external_fixed_ips as { ip_address?: string; subnet_id?: string }[]) : undefined;
      const portId = this.nextId();
      const mac = this.randomMac();
      const v4 = requested ?? this.t('subnets').all({ column: 'network_id', value: netId }).filter((s) => s.ip_version === 4).slice(0, 1).map((s) => ({ subnet_id: s.id }));
      const fixed = this.allocateIps(net, portId, mac, v4, DEVICE_OWNER_ROUTER_GW);
      const port: Doc = this.routerPort(portId, net, r, mac, fixed, DEVICE_OWNER_ROUTER_GW, '');
      this.t('ports').insert(port);
      r.external_gateway_info = { network_id: netId, enable_snat: info.enable_snat ?? true, external_fixed_ips: fixed };
    }
    this.touch(r);
    this.t('routers').save(r);
  }

  private routerPort(id: string, net: Doc, r: Doc, mac: string, fixed: unknown[], owner: string, projectId: string): Doc {
    const p: Doc = {
      id, name: '', network_id: net.id, tenant_id: projectId, project_id: projectId, mac_address: mac, admin_state_up: true, status: 'ACTIVE',
      device_id: r.id, device_owner: owner, fixed_ips: fixed, allowed_address_pairs: [], extra_dhcp_opts: [], security_groups: [], description: '',
      port_security_enabled: false, dns_name: '', dns_assignment: [], propagate_uplink_status: false, 'binding:vnic_type': 'normal',
      'binding:host_id': '', 'binding:profile': {}, 'binding:vif_type': 'unbound', 'binding:vif_details': {}, ip_allocation: 'immediate', resource_request: null,
    };
    this.stamp(p);
    return p;
  }

  updateRouter(ctx: NeutronCtx, id: string, body: unknown): Doc {
    return this.store.transaction(() => {
      const r = this.mine(ctx, 'routers', id);
      const d = S.prepareBody('router', body, false, S.ROUTER, ctx);
      if ('external_gateway_info' in d) this.setGateway(ctx, r, (d.external_gateway_info as Record<string, unknown> | null) || null);
      const fresh = this.t('routers').get(id)!;
      for (const k of ['name', 'description', 'admin_state_up', 'routes', 'distributed', 'ha']) if (k in d) fresh[k] = d[k];
      this.touch(fresh);
      this.t('routers').save(fresh);
      return this.view(ctx, 'routers', fresh);
    });
  }

  deleteRouter(ctx: NeutronCtx, id: string): void {
    this.store.transaction(() => {
      const r = this.mine(ctx, 'routers', id);
      if (this.t('ports').all({ column: 'device_id', value: id }).some((p) => p.device_owner === DEVICE_OWNER_ROUTER_INTF)) {
        throw new E.NeutronError(409, 'RouterInUse', `Router ${id} still has ports`);
      }
      for (const p of this.t('ports').all({ column: 'device_id', value: id })) this.removePort(p.id);
      this.t('routers').delete(r.id);
    });
  }

  private routerSubnets(routerId: string): string[] {
    return this.t('ports').all({ column: 'device_id', value: routerId }).filter((p) => p.device_owner === DEVICE_OWNER_ROUTER_INTF)
      .flatMap((p) => (p.fixed_ips as { subnet_id: string }[]).map((f) => f.subnet_id));
  }

  /** add_router_interface (subnet_id: takes the gateway IP; port_id: adopts the port). */
  addRouterInterface(ctx: NeutronCtx, id: string, body: unknown): Record<string, unknown> {
    return this.store.transaction(() => {
      const r = this.mine(ctx, 'routers', id);
      const b = (body && typeof body === 'object' && !Array.isArray(body) ? body : {}) as Record<string, unknown>;
      if (b.subnet_id !== undefined && b.port_id !== undefined) throw E.badRequest('Bad router request: Cannot specify both subnet-id and port-id.');
      if (b.subnet_id === undefined && b.port_id === undefined) throw E.badRequest('Bad router request: Either subnet_id or port_id must be specified.');
      let port: Doc;
      if (b.port_id !== undefined) {
        if (typeof b.port_id !== 'string') throw E.portNotFound(String(b.port_id));
        const p = this.t('ports').get(b.port_id);
        if (!p || !this.visible(ctx, 'ports', p)) throw E.portNotFound(b.port_id);
        if (p.device_id) throw E.portInUse(p.id, p.network_id as string, p.device_id as string);
        p.device_id = r.id;
        p.device_owner = DEVICE_OWNER_ROUTER_INTF;
        p.status = 'ACTIVE';
        this.touch(p);
        this.t('ports').save(p);
        port = p;
      } else {
        if (typeof b.subnet_id !== 'string') throw E.subnetNotFound(String(b.subnet_id));
        const s = this.t('subnets').get(b.subnet_id);
        if (!s || !this.visible(ctx, 'subnets', s)) throw E.subnetNotFound(b.subnet_id);
        if (!s.gateway_ip) throw E.badRequest(`Bad router request: Subnet for router interface must have a gateway IP.`);
        if (this.routerSubnets(r.id).includes(s.id)) {
          throw new E.NeutronError(400, 'BadRequest', `Bad router request: Router already has a port on subnet ${s.id}.`);
        }
        const net = this.t('networks').get(s.network_id as string)!;
        const portId = this.nextId();
        const mac = this.randomMac();
        const fixed = this.allocateIps(net, portId, mac, [{ subnet_id: s.id, ip_address: s.gateway_ip as string }], DEVICE_OWNER_ROUTER_INTF);
        port = this.routerPort(portId, net, r, mac, fixed, DEVICE_OWNER_ROUTER_INTF, r.project_id);
        this.t('ports').insert(port);
      }
      this.touch(r);
      this.t('routers').save(r);
      const subnetIds = (port.fixed_ips as { subnet_id: string }[]).map((f) => f.subnet_id);
      return { id: r.id, tenant_id: r.project_id, project_id: r.project_id, port_id: port.id, network_id: port.network_id, subnet_id: subnetIds[0], subnet_ids: subnetIds };
    });
  }

  removeRouterInterface(ctx: NeutronCtx, id: string, body: unknown): Record<string, unknown> {
    return this.store.transaction(() => {
      const r = this.mine(ctx, 'routers', id);
      const b = (body && typeof body === 'object' && !Array.isArray(body) ? body : {}) as Record<string, unknown>;
      if (b.subnet_id === undefined && b.port_id === undefined) throw E.badRequest('Bad router request: Either subnet_id or port_id must be specified.');
      const ports = this.t('ports').all({ column: 'device_id', value: r.id }).filter((p) => p.device_owner === DEVICE_OWNER_ROUTER_INTF);
      const port = b.port_id !== undefined
        ? ports.find((p) => p.id === b.port_id)
        : ports.find((p) => (p.fixed_ips as { subnet_id: string }[]).some((f) => f.subnet_id === b.subnet_id));
      if (!port) {
        if (b.port_id !== undefined) throw new E.NeutronError(404, 'RouterInterfaceNotFound', `Router ${r.id} does not have an interface with id ${String(b.port_id)}`);
        throw new E.NeutronError(404, 'RouterInterfaceNotFoundForSubnet', `Router ${r.id} has no interface on subnet ${String(b.subnet_id)}`);
      }
      const subnetIds = (port.fixed_ips as { subnet_id: string }[]).map((f) => f.subnet_id);
      const fipBlocked = this.t('floatingips').all().some((f) => f.router_id === r.id && f.port_id && subnetIds.some((sid) => {
        const fp = this.t('ports').get(f.port_id as string);
        return (fp?.fixed_ips as { subnet_id: string }[] | undefined)?.some((x) => x.subnet_id === sid);
      }));
      if (fipBlocked) throw new E.NeutronError(409, 'RouterInterfaceInUseByFloatingIP', `Router interface for subnet ${subnetIds[0]} on router ${r.id} cannot be deleted, as it is required by one or more floating IPs.`);
      this.removePort(port.id);
      this.touch(r);
      this.t('routers').save(r);
      return { id: r.id, tenant_id: r.project_id, project_id: r.project_id, port_id: port.id, network_id: port.network_id, subnet_id: subnetIds[0], subnet_ids: subnetIds };
    });
  }

  // ---- floating IPs ----

  createFloatingIp(ctx: NeutronCtx, body: unknown): Doc {
    const d = S.prepareBody('floatingip', body, true, S.FLOATINGIP, ctx);
    if (d.floating_ip_address !== undefined && !ctx.isAdmin) throw E.policyDenied('create_floatingip and rule:create_floatingip:floating_ip_address');
    const out = this.store.transaction(() => {
      const net = this.t('networks').get(d.floating_network_id as string);
      if (!net || !this.visible(ctx, 'networks', net)) throw E.networkNotFound(d.floating_network_id as string);
      if (net['router:external'] !== true) throw new E.NeutronError(400, 'BadRequest', `Bad floatingip request: Network ${net.id} is not a valid external network.`);
      const id = this.nextId();
      const portId = this.nextId();
      const mac = this.randomMac();
      const req = d.floating_ip_address !== undefined
        ? [{ ip_address: d.floating_ip_address as string, ...(d.subnet_id ? { subnet_id: d.subnet_id as string } : {}) }]
        : [{ subnet_id: (d.subnet_id as string | undefined) ?? this.t('subnets').all({ column: 'network_id', value: net.id }).find((s) => s.ip_version === 4)?.id ?? '' }];
      if (!req[0].subnet_id && d.floating_ip_address === undefined) throw new E.NeutronError(400, 'BadRequest', `Bad floatingip request: Network ${net.id} does not contain any IPv4 subnet.`);
      const fixed = this.allocateIps(net, portId, mac, req, DEVICE_OWNER_FIP);
      const fport = this.routerPort(portId, net, { id } as Doc, mac, fixed, DEVICE_OWNER_FIP, '');
      fport.status = 'N/A';
      this.t('ports').insert(fport);
      const f: Doc = {
        id, tenant_id: d.project_id as string, project_id: d.project_id as string, floating_ip_address: fixed[0].ip_address, floating_network_id: net.id,
        router_id: null, port_id: null, fixed_ip_address: null, status: 'DOWN', description: d.description, dns_domain: d.dns_domain, dns_name: d.dns_name,
        port_details: null, qos_policy_id: d.qos_policy_id ?? null, port_forwardings: [],
      };
      this.stamp(f);
      if (d.port_id) this.associate(ctx, f, d.port_id as string, d.fixed_ip_address as string | undefined);
      this.t('floatingips').insert(f);
      return this.view(ctx, 'floatingips', f);
    });
    this.notifyNova([out.port_id as string | null]);
    return out;
  }

  /** _get_assoc_data: the port's IPv4 address and a router joining its subnet to the floating network. */
  private associate(ctx: NeutronCtx, f: Doc, portId: string, fixedIp: string | null | undefined): void {
    const port = this.t('ports').get(portId);
    if (!port || !this.visible(ctx, 'ports', port)) throw E.portNotFound(portId);
    const v4 = (port.fixed_ips as { subnet_id: string; ip_address: string }[]).filter((x) => parseIp(x.ip_address)?.version === 4);
    let chosen: { subnet_id: string; ip_address: string } | undefined;
    if (fixedIp) {
      chosen = v4.find((x) => x.ip_address === fixedIp);
      if (!chosen) throw E.badRequest(`Bad floatingip request: Port ${portId} does not have fixed ip ${fixedIp}.`);
    } else {
      if (!v4.length) throw E.badRequest(`Bad floatingip request: Port ${portId} does not have any IPv4 address.`);
      if (v4.length > 1) throw E.badRequest(`Bad floatingip request: Port ${portId} has multiple fixed IPv4 addresses. Must provide a specific IPv4 address when assigning a floating IP.`);
      chosen = v4[0];
    }
    const taken = this.t('floatingips').all().find((o) => o.id !== f.id && o.port_id === portId && o.fixed_ip_address === chosen!.ip_address);
    if (taken) {
      throw new E.NeutronError(409, 'FloatingIPPortAlreadyAssociated', `Cannot associate floating IP ${f.floating_ip_address as string} (${f.id}) with port ${portId} using fixed IP ${chosen.ip_address}, as that fixed IP already has a floating IP on external network ${taken.floating_network_id as string}.`);
    }
    const router = this.t('routers').all().find((r) => {
      const gw = r.external_gateway_info as { network_id?: string } | null;
      return gw?.network_id === f.floating_network_id && this.routerSubnets(r.id).includes(chosen!.subnet_id);
    });
    if (!router) {
      throw new E.NeutronError(404, 'ExternalGatewayForFloatingIPNotFound', `External network ${f.floating_network_id as string} is not reachable from subnet ${chosen.subnet_id}.  Therefore, cannot associate Port ${portId} with a Floating IP.`);
    }
    Object.assign(f, {
      port_id: portId, fixed_ip_address: chosen.ip_address, router_id: router.id, status: 'ACTIVE',
      port_details: { name: port.name, network_id: port.network_id, mac_address: port.mac_address, admin_state_up: port.admin_state_up, status: port.status, device_id: port.device_id, device_owner: port.device_owner },
    });
  }

  updateFloatingIp(ctx: NeutronCtx, id: string, body: unknown): Doc {
    let before: string | null = null;
    const out = this.store.transaction(() => {
      const f = this.mine(ctx, 'floatingips', id);
      before = f.port_id as string | null;
      const d = S.prepareBody('floatingip', body, false, S.FLOATINGIP, ctx);
      if ('port_id' in d) {
        if (d.port_id) this.associate(ctx, f, d.port_id as string, d.fixed_ip_address as string | undefined);
        else Object.assign(f, { port_id: null, fixed_ip_address: null, router_id: null, status: 'DOWN', port_details: null });
      }
      if ('description' in d) f.description = d.description;
      if ('qos_policy_id' in d) f.qos_policy_id = d.qos_policy_id;
      this.touch(f);
      this.t('floatingips').save(f);
      return this.view(ctx, 'floatingips', f);
    });
    this.notifyNova([before, out.port_id as string | null]);
    return out;
  }

  deleteFloatingIp(ctx: NeutronCtx, id: string): void {
    let before: string | null = null;
    this.store.transaction(() => {
      before = this.mine(ctx, 'floatingips', id).port_id as string | null;
      for (const p of this.t('ports').all({ column: 'device_id', value: id })) if (p.device_owner === DEVICE_OWNER_FIP) this.removePort(p.id);
      this.t('floatingips').delete(id);
    });
    this.notifyNova([before]);
  }

  // ---- seed and reset ----

  reset(): void {
    // Tables are emptied with the rest of the database (allDataTables); nothing is cached here.
  }
}

const NOT_FOUND: Record<Collection, (id: string) => E.NeutronError> = {
  networks: E.networkNotFound,
  subnets: E.subnetNotFound,
  ports: E.portNotFound,
  security_groups: E.securityGroupNotFound,
  security_group_rules: E.securityGroupRuleNotFound,
  floatingips: E.floatingIpNotFound,
  routers: E.routerNotFound,
};

export const cidrBits = bits;

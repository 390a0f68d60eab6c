// Neutron's RESOURCE_ATTRIBUTE_MAP for the resources the fake serves (neutron_lib/api/definitions/*),
// and AttributeInfo's request-body processing (neutron/api/v2/base.py prepare_request_body,
// neutron_lib/api/attributes.py): the same order of checks and the same texts.
import { badRequest, invalidAttr } from './errors.js';
import { parseCidr, parseIp } from './ip.js';

export interface Attr {
  post: boolean;
  put: boolean;
  /** Absent: required on POST (when post is true). */
  default?: unknown;
  /** Returns a reason (neutron_lib validators' message) or null. */
  validate?: (v: unknown) => string | null;
  convert?: (v: unknown) => unknown;
}

const q = (v: unknown) => (typeof v === 'string' ? `'${v}'` : JSON.stringify(v) === undefined ? String(v) : `'${typeof v === 'object' ? JSON.stringify(v) : String(v)}'`);
const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

export const v = {
  str: (max = 255) => (x: unknown) =>
    typeof x !== 'string' ? `${q(x)} is not a valid string` : x.length > max ? `'${x}' exceeds maximum length of ${max}` : null,
  uuid: (x: unknown) => (typeof x === 'string' && UUID.test(x) ? null : `${q(x)} is not a valid UUID`),
  uuidOrNull: (x: unknown) => (x === null ? null : v.uuid(x)),
  ip: (x: unknown) => (typeof x === 'string' && parseIp(x) ? null : `${q(x)} is not a valid IP address`),
  ipOrNull: (x: unknown) => (x === null ? null : v.ip(x)),
  subnet: (x: unknown) => {
    const c = typeof x === 'string' ? parseCidr(x) : null;
    if (!c) return `${q(x)} is not a valid IP subnet`;
    if (c.version === 4 && c.given !== c.net) {
      const rec = `${[24n, 16n, 8n, 0n].map((s) => String((c.net >> s) & 0xffn)).join('.')}/${c.prefix}`;
      return `'${x as string}' isn't a recognized IP subnet cidr, '${rec}' is recommended`;
    }
    return null;
  },
  subnetOrNull: (x: unknown) => (x === null ? null : v.subnet(x)),
  mac: (x: unknown) =>
    typeof x === 'string' && /^([0-9a-f]{2}[:-]){5}[0-9a-f]{2}$/i.test(x) && x !== '00:00:00:00:00:00' && !(parseInt(x.slice(0, 2), 16) & 1)
      ? null
      : `${q(x)} is not a valid MAC address`,
  values: (allowed: readonly (string | null)[]) => (x: unknown) =>
    allowed.includes(x as string) ? null : `${q(x)} is not in [${allowed.map((a) => (a === null ? 'None' : `'${a}'`)).join(', ')}]`,
  int: (min: number, max: number) => (x: unknown) =>
    typeof x !== 'number' || !Number.isInteger(x) ? `${q(x)} is not an integer` : x < min ? `${q(x)} is too small - must be at least '${min}'` : x > max ? `${q(x)} is too large - must be no larger than '${max}'` : null,
  intOrNull: (min: number, max: number) => (x: unknown) => (x === null ? null : v.int(min, max)(x)),
  list: (item: (x: unknown) => string | null) => (x: unknown) => {
    if (!Array.isArray(x)) return `${q(x)} is not a list`;
    for (const e of x) {
      const r = item(e);
      if (r) return r;
    }
    return null;
  },
  dict: (x: unknown) => (x && typeof x === 'object' && !Array.isArray(x) ? null : `${q(x)} is not a dictionary`),
  any: () => null,
};

/** converters.convert_to_boolean: True/False, "true"/"false", 1/0 (else "… is not a valid boolean value"). */
export function toBool(attr: string, x: unknown): boolean {
  if (typeof x === 'boolean') return x;
  if (x === 0 || x === 1) return x === 1;
  if (typeof x === 'string' && ['true', 'false', '1', '0'].includes(x.toLowerCase())) return ['true', '1'].includes(x.toLowerCase());
  throw invalidAttr(attr, `${q(x)} cannot be converted to boolean`);
}

const bool = (dflt: boolean): Attr => ({ post: true, put: true, default: dflt, convert: (x) => x });
const name: Attr = { post: true, put: true, default: '', validate: v.str(255) };
const description: Attr = { post: true, put: true, default: '', validate: v.str(255) };
const project: Attr = { post: true, put: false, default: undefined, validate: v.str(255) };
const BOOLS = new Set(['admin_state_up', 'shared', 'router:external', 'port_security_enabled', 'enable_dhcp', 'stateful', 'enable_snat']);

export const NETWORK: Record<string, Attr> = {
  name, description, tenant_id: project, project_id: project,
  admin_state_up: bool(true), shared: bool(false), 'router:external': bool(false), port_security_enabled: bool(true),
  mtu: { post: true, put: true, default: 0, validate: v.int(68, 65535) },
  'provider:network_type': { post: true, put: false, default: null, validate: (x) => (x === null ? null : v.values(['vxlan', 'geneve', 'vlan', 'flat', 'local'])(x)) },
  'provider:physical_network': { post: true, put: false, default: null, validate: (x) => (x === null ? null : v.str(64)(x)) },
  'provider:segmentation_id': { post: true, put: false, default: null, validate: v.intOrNull(0, 16777215) },
  availability_zone_hints: { post: true, put: false, default: [], validate: v.list(v.str(255)) },
  dns_domain: { post: true, put: true, default: '', validate: v.str(255) },
  is_default: { post: true, put: true, default: false, convert: (x) => x },
};

const IPV6_MODES = ['dhcpv6-stateful', 'dhcpv6-stateless', 'slaac', null] as const;
export const SUBNET: Record<string, Attr> = {
  name, description, tenant_id: project, project_id: project,
  network_id: { post: true, put: false, validate: v.uuid },
  ip_version: { post: true, put: false, validate: (x) => (x === 4 || x === 6 || x === '4' || x === '6' ? null : `${q(x)} is not in [4, 6]`), convert: (x) => Number(x) },
  cidr: { post: true, put: false, default: undefined, validate: v.subnet },
  gateway_ip: { post: true, put: true, default: undefined, validate: v.ipOrNull },
  allocation_pools: {
    post: true, put: true, default: undefined,
    validate: v.list((p) => (p && typeof p === 'object' && !Array.isArray(p) && 'start' in p && 'end' in p && !v.ip((p as { start: unknown }).start) && !v.ip((p as { end: unknown }).end) ? null : `Invalid data format for IP pool: '${JSON.stringify(p)}'`)),
  },
  dns_nameservers: { post: true, put: true, default: [], validate: v.list(v.ip) },
  host_routes: { post: true, put: true, default: [], validate: v.list(v.dict) },
  enable_dhcp: bool(true),
  ipv6_ra_mode: { post: true, put: false, default: null, validate: v.values(IPV6_MODES) },
  ipv6_address_mode: { post: true, put: false, default: null, validate: v.values(IPV6_MODES) },
  subnetpool_id: { post: true, put: false, default: null, validate: (x) => (x === null ? null : v.uuid(x)) },
  service_types: { post: true, put: true, default: [], validate: v.list(v.str(255)) },
  segment_id: { post: true, put: true, default: null, validate: v.uuidOrNull },
  dns_publish_fixed_ip: { post: true, put: true, default: false, convert: (x) => x },
};

const FIXED_IP = (x: unknown) => {
  if (!x || typeof x !== 'object' || Array.isArray(x)) return `Invalid data format for fixed IP: '${JSON.stringify(x)}'`;
  const f = x as Record<string, unknown>;
  for (const k of Object.keys(f)) if (k !== 'ip_address' && k !== 'subnet_id') return `Invalid data format for fixed IP: '${JSON.stringify(x)}'`;
  if (f.ip_address !== undefined && v.ip(f.ip_address)) return v.ip(f.ip_address);
  if (f.subnet_id !== undefined && v.uuid(f.subnet_id)) return v.uuid(f.subnet_id);
  return null;
};
export const PORT: Record<string, Attr> = {
  name, description, tenant_id: project, project_id: project,
  network_id: { post: true, put: false, validate: v.uuid },
  admin_state_up: bool(true),
  mac_address: { post: true, put: true, default: undefined, validate: v.mac },
  fixed_ips: { post: true, put: true, default: undefined, validate: v.list(FIXED_IP) },
  device_id: { post: true, put: true, default: '', validate: v.str(255) },
  device_owner: { post: true, put: true, default: '', validate: v.str(255) },
  security_groups: { post: true, put: true, default: undefined, validate: v.list(v.uuid) },
  port_security_enabled: { post: true, put: true, default: undefined, convert: (x) => x },
  allowed_address_pairs: { post: true, put: true, default: [], validate: v.list(v.dict) },
  'binding:host_id': { post: true, put: true, default: '', convert: (x) => (x === null ? '' : x), validate: v.str(255) },
  'binding:vnic_type': { post: true, put: true, default: 'normal', validate: v.values(['normal', 'direct', 'macvtap', 'baremetal', 'direct-physical', 'virtio-forwarder', 'smart-nic', 'vdpa', 'remote-managed']) },
  'binding:profile': { post: true, put: true, default: {}, validate: v.dict },
  dns_name: { post: true, put: true, default: '', validate: v.str(255) },
  extra_dhcp_opts: { post: true, put: true, default: [], validate: v.list(v.dict) },
  propagate_uplink_status: { post: true, put: true, default: false, convert: (x) => x },
};

export const SECURITY_GROUP: Record<string, Attr> = {
  name, description, tenant_id: project, project_id: project,
  stateful: bool(true),
};

export const SECURITY_GROUP_RULE: Record<string, Attr> = {
  description, tenant_id: project, project_id: project,
  security_group_id: { post: true, put: false, validate: v.uuid },
  direction: { post: true, put: false, validate: v.values(['ingress', 'egress']) },
  ethertype: { post: true, put: false, default: 'IPv4', validate: v.values(['IPv4', 'IPv6']) },
  protocol: { post: true, put: false, default: null, validate: (x) => (x === null || typeof x === 'string' || typeof x === 'number' ? null : `${q(x)} is not a valid string`) },
  port_range_min: { post: true, put: false, default: null, validate: v.intOrNull(0, 65535), convert: (x) => (typeof x === 'string' && /^\d+$/.test(x) ? Number(x) : x) },
  port_range_max: { post: true, put: false, default: null, validate: v.intOrNull(0, 65535), convert: (x) => (typeof x === 'string' && /^\d+$/.test(x) ? Number(x) : x) },
  remote_ip_prefix: { post: true, put: false, default: null, validate: (x) => (x === null ? null : typeof x === 'string' && parseCidr(x.includes('/') ? x : `${x}/${x.includes(':') ? 128 : 32}`) ? null : `${q(x)} is not a valid IP subnet`) },
  remote_group_id: { post: true, put: false, default: null, validate: v.uuidOrNull },
  remote_address_group_id: { post: true, put: false, default: null, validate: v.uuidOrNull },
};

export const FLOATINGIP: Record<string, Attr> = {
  description, tenant_id: project, project_id: project,
  floating_network_id: { post: true, put: false, validate: v.uuid },
  floating_ip_address: { post: true, put: false, default: undefined, validate: v.ip },
  subnet_id: { post: true, put: false, default: undefined, validate: v.uuidOrNull },
  port_id: { post: true, put: true, default: null, validate: v.uuidOrNull },
  fixed_ip_address: { post: true, put: true, default: undefined, validate: v.ipOrNull },
  dns_name: { post: true, put: false, default: '', validate: v.str(255) },
  dns_domain: { post: true, put: false, default: '', validate: v.str(255) },
  qos_policy_id: { post: true, put: true, default: null, validate: v.uuidOrNull },
};

export const ROUTER: Record<string, Attr> = {
  name, description, tenant_id: project, project_id: project,
  admin_state_up: bool(true),
  external_gateway_info: { post: true, put: true, default: null, validate: (x) => (x === null ? null : v.dict(x)) },
  routes: { post: false, put: true, default: [], validate: v.list(v.dict) },
  distributed: { post: true, put: true, default: false, convert: (x) => x },
  ha: { post: true, put: true, default: false, convert: (x) => x },
  availability_zone_hints: { post: true, put: false, default: [], validate: v.list(v.str(255)) },
  flavor_id: { post: true, put: false, default: null, validate: v.uuidOrNull },
};

/** prepare_request_body: returns the resource dict with defaults filled (POST) or the given keys (PUT). */
export function prepareBody(
  resource: string,
  body: unknown,
  isCreate: boolean,
  attrs: Record<string, Attr>,
  ctx: { projectId: string; isAdmin: boolean },
): Record<string, unknown> {
  if (!body || (typeof body === 'object' && !Array.isArray(body) && Object.keys(body).length === 0)) throw badRequest('Resource body required');
  if (typeof body !== 'object' || Array.isArray(body)) throw badRequest('Body contains invalid data');
  if (`${resource}s` in body && resource !== 'security_group_rule') throw badRequest('Bulk operation not supported');
  const res = (body as Record<string, unknown>)[resource];
  if (res === undefined || res === null) throw badRequest(`Unable to find '${resource}' in request body`);
  if (typeof res !== 'object' || Array.isArray(res)) throw badRequest(`Object '${resource}' contains invalid data`);
  const d = { ...(res as Record<string, unknown>) };
  // populate_project_id
  if (isCreate) {
    if (d.tenant_id !== undefined && d.project_id !== undefined && d.tenant_id !== d.project_id) throw badRequest("'project_id' and 'tenant_id' do not match");
    const given = (d.project_id ?? d.tenant_id) as unknown;
    if (given !== undefined && given !== ctx.projectId && !ctx.isAdmin) {
      throw badRequest("Specifying 'project_id' or 'tenant_id' other than the authenticated project in request requires admin privileges");
    }
  }
  const extra = Object.keys(d).filter((k) => !(k in attrs));
  if (extra.length) throw badRequest(`Unrecognized attribute(s) '${extra.join(', ')}'`);
  if (isCreate) {
    for (const [k, a] of Object.entries(attrs)) {
      if (!a.post) {
        if (k in d) throw badRequest(`Attribute '${k}' not allowed in POST`);
        continue;
      }
      if (!(k in d) && !('default' in a)) throw badRequest(`Failed to parse request. Required attribute '${k}' not specified`);
    }
  } else {
    for (const k of Object.keys(d)) if (!attrs[k].put) throw badRequest(`Cannot update read-only attribute ${k}`);
  }
  for (const [k, a] of Object.entries(attrs)) {
    if (!(k in d) || d[k] === undefined) continue;
    if (BOOLS.has(k) || ['distributed', 'ha', 'is_default', 'dns_publish_fixed_ip', 'propagate_uplink_status'].includes(k) || (k === 'port_security_enabled')) d[k] = toBool(k, d[k]);
    else if (a.convert) d[k] = a.convert(d[k]);
    const r = a.validate?.(d[k]);
    if (r) throw invalidAttr(k, r);
  }
  if (isCreate) {
    for (const [k, a] of Object.entries(attrs)) if (!(k in d) && a.post && a.default !== undefined) d[k] = structuredClone(a.default);
    const pid = (d.project_id ?? d.tenant_id ?? ctx.projectId) as string;
    d.project_id = pid;
    d.tenant_id = pid;
  }
  return d;
}

// IPv4/IPv6 addresses as bigints: what netaddr does for Neutron's validators and IPAM
// (neutron_lib/api/validators.py validate_ip_address / validate_subnet, neutron/ipam).

export interface Cidr {
  version: 4 | 6;
  /** Network address (host bits cleared). */
  net: bigint;
  prefix: number;
}

const V4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

export function parseIp(s: string): { version: 4 | 6; value: bigint } | null {
  if (typeof s !== 'string' || s.length > 64) return null;
  if (V4.test(s)) return { version: 4, value: s.split('.').reduce((a, o) => (a << 8n) | BigInt(Number(o)), 0n) };
  if (!s.includes(':') || !/^[0-9a-fA-F:.]+$/.test(s)) return null;
  let text = s;
  let tail: bigint[] = [];
  const lastColon = text.lastIndexOf(':');
  if (text.slice(lastColon + 1).includes('.')) {
    const v4 = parseIp(text.slice(lastColon + 1));
    if (!v4 || v4.version !== 4) return null;
    tail = [v4.value >> 16n, v4.value & 0xffffn];
    text = `${text.slice(0, lastColon + 1)}${text.endsWith('::') ? '' : ''}`;
    if (text.endsWith(':') && !text.endsWith('::')) text = text.slice(0, -1);
  }
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const part = (h: string) => (h === '' ? [] : h.split(':'));
  const head = part(halves[0]);
  const rest = halves.length === 2 ? part(halves[1]) : [];
  const words = [...head, ...rest];
  if (words.some((w) => !/^[0-9a-fA-F]{1,4}$/.test(w))) return null;
  const total = words.length + tail.length;
  if (halves.length === 1 ? total !== 8 : total > 7) return null;
  const fill = Array<bigint>(8 - total).fill(0n);
  const all = [...head.map((w) => BigInt(parseInt(w, 16))), ...(halves.length === 2 ? fill : []), ...rest.map((w) => BigInt(parseInt(w, 16))), ...tail];
  return { version: 6, value: all.reduce((a, w) => (a << 16n) | w, 0n) };
}

/** Canonical text (RFC 5952 for IPv6, as netaddr/ipaddress print it). */
export function formatIp(version: 4 | 6, v: bigint): string {
  if (version === 4) return [24n, 16n, 8n, 0n].map((sh) => String((v >> sh) & 0xffn)).join('.');
  const words = Array.from({ length: 8 }, (_, i) => Number((v >> BigInt((7 - i) * 16)) & 0xffffn));
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen) { best = i; bestLen = j - i; }
    i = j;
  }
  const hex = words.map((w) => w.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}

export const bits = (version: 4 | 6) => (version === 4 ? 32 : 128);

/** netaddr.IPNetwork(text), host bits kept in `given` so validate_subnet can compare. */
export function parseCidr(s: string): (Cidr & { given: bigint }) | null {
  if (typeof s !== 'string') return null;
  const m = /^([^/\s]+)\/(\d{1,3})$/.exec(s);
  if (!m) return null;
  const ip = parseIp(m[1]);
  const prefix = Number(m[2]);
  if (!ip || prefix > bits(ip.version)) return null;
  const hostMask = (1n << BigInt(bits(ip.version) - prefix)) - 1n;
  return { version: ip.version, net: ip.value & ~hostMask, prefix, given: ip.value };
}

export const formatCidr = (c: Cidr) => `${formatIp(c.version, c.net)}/${c.prefix}`;
export const lastOf = (c: Cidr) => c.net | ((1n << BigInt(bits(c.version) - c.prefix)) - 1n);
export const contains = (c: Cidr, version: 4 | 6, v: bigint) => c.version === version && v >= c.net && v <= lastOf(c);
export const overlaps = (a: Cidr, b: Cidr) => a.version === b.version && a.net <= lastOf(b) && b.net <= lastOf(a);

/** EUI-64 interface id from a MAC (SLAAC / dhcpv6-stateless addresses: netaddr's EUI.ipv6()). */
export function eui64(prefix: Cidr, mac: string): bigint {
  const b = mac.split(':').map((x) => parseInt(x, 16));
  const id = [b[0] ^ 0x02, b[1], b[2], 0xff, 0xfe, b[3], b[4], b[5]].reduce((a, x) => (a << 8n) | BigInt(x), 0n);
  return prefix.net | id;
}

// Property: no input makes the fake Neutron answer outside {"NeutronError": {type, message, detail}},
// answer a 5xx, or crash: random and mutated bodies on every write route, random filters, fields,
// paging and ids on the reads, non-JSON bodies. Seeded (NOVASIM_FC_SEED), small by default.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Simulator } from '../../src/index.js';
import { type Client, client, startSim } from '../helpers/sim.js';

const N = '/networking/v2.0';
const SEED = Number(process.env.NOVASIM_FC_SEED ?? 20261130);
const SCALE = Number(process.env.NOVASIM_FC_SCALE ?? 1);
let sim: Simulator;
let demo: Client;
let admin: Client;
const ids: Record<string, string> = {};

beforeAll(async () => {
  sim = await startSim();
  demo = await client(sim, 'demo');
  admin = await client(sim, 'admin');
  const first = async (coll: string, q = '') => (await demo.req('GET', `${N}/${coll}${q}`)).json()[coll.replaceAll('-', '_')][0].id as string;
  ids.network = await first('networks', '?name=private');
  ids.subnet = await first('subnets', '?name=private-subnet');
  ids.router = await first('routers');
  ids.sg = await first('security-groups');
  ids.port = (await demo.req('POST', `${N}/ports`, { port: { network_id: ids.network } })).json().port.id;
  ids.fip = (await demo.req('POST', `${N}/floatingips`, { floatingip: { floating_network_id: await first('networks', '?name=public') } })).json().floatingip.id;
});
afterAll(() => sim.close());

/** A valid body per write route; the property mutates it. */
const WRITES: [method: 'POST' | 'PUT', path: () => string, body: () => Record<string, unknown>][] = [
  ['POST', () => '/networks', () => ({ network: { name: 'p', admin_state_up: true, mtu: 1400, shared: false } })],
  ['PUT', () => `/networks/${ids.network}`, () => ({ network: { name: 'private', description: 'd' } })],
  ['POST', () => '/subnets', () => ({ subnet: { network_id: ids.network, cidr: '10.20.0.0/24', ip_version: 4, allocation_pools: [{ start: '10.20.0.10', end: '10.20.0.20' }], gateway_ip: '10.20.0.1' } })],
  ['PUT', () => `/subnets/${ids.subnet}`, () => ({ subnet: { name: 'private-subnet', dns_nameservers: ['8.8.8.8'] } })],
  ['POST', () => '/ports', () => ({ port: { network_id: ids.network, fixed_ips: [{ subnet_id: ids.subnet }], name: 'p', security_groups: [ids.sg] } })],
  ['PUT', () => `/ports/${ids.port}`, () => ({ port: { name: 'q', fixed_ips: [{ ip_address: '10.0.0.30' }], device_id: 'x' } })],
  ['POST', () => '/security-groups', () => ({ security_group: { name: 'g', description: 'd' } })],
  ['POST', () => '/security-group-rules', () => ({ security_group_rule: { security_group_id: ids.sg, direction: 'ingress', protocol: 'tcp', port_range_min: 80, port_range_max: 81, ethertype: 'IPv4' } })],
  ['POST', () => '/floatingips', () => ({ floatingip: { floating_network_id: ids.network, port_id: ids.port } })],
  ['PUT', () => `/floatingips/${ids.fip}`, () => ({ floatingip: { port_id: ids.port, fixed_ip_address: '10.0.0.2' } })],
  ['POST', () => '/routers', () => ({ router: { name: 'r', external_gateway_info: { network_id: ids.network } } })],
  ['PUT', () => `/routers/${ids.router}`, () => ({ router: { name: 'router1', routes: [] } })],
  ['PUT', () => `/routers/${ids.router}/add_router_interface`, () => ({ subnet_id: ids.subnet })],
  ['PUT', () => `/routers/${ids.router}/remove_router_interface`, () => ({ port_id: ids.port })],
  ['PUT', () => `/ports/${ids.port}/tags`, () => ({ tags: ['a', 'b'] })],
];

const valueArb = fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constantFrom('', 'x'.repeat(300), '10.0.0.999', '::1', '0.0.0.0/0', 'fa:16:3e:00:00:00', null, -1, 1e309 as number, true, []));

/** Replace, drop or add keys at the top or one level down. */
function mutate(body: Record<string, unknown>, edits: { path: number; key: string; value: unknown; kind: number }[]): unknown {
  const out: Record<string, unknown> = structuredClone(body);
  for (const e of edits) {
    const top = Object.keys(out);
    const inner = out[top[0]] && typeof out[top[0]] === 'object' && !Array.isArray(out[top[0]]) ? (out[top[0]] as Record<string, unknown>) : null;
    const target = e.path % 2 === 0 || !inner ? out : inner;
    const keys = Object.keys(target);
    const k = e.kind === 0 || !keys.length ? e.key : keys[e.kind % keys.length];
    if (e.kind === 1) delete target[k];
    else target[k] = e.value;
  }
  return out;
}

function assertEnvelope(status: number, text: string, what: string) {
  expect(status, `${what} → ${status} ${text}`).toBeLessThan(500);
  if (status >= 400) {
    const body = JSON.parse(text) as { NeutronError?: { type?: unknown; message?: unknown; detail?: unknown } };
    expect(typeof body.NeutronError?.type, `${what}: ${text}`).toBe('string');
    expect(typeof body.NeutronError?.message, `${what}: ${text}`).toBe('string');
    expect(body.NeutronError?.detail).toBe('');
  }
}

describe('fake Neutron: bad input is a 4xx in NeutronError, never a 5xx', () => {
  it('mutated bodies on every write route', async () => {
    const editArb = fc.record({ path: fc.nat(3), key: fc.constantFrom('name', 'network_id', 'cidr', 'ip_version', 'fixed_ips', 'port_id', 'tags', 'zz', 'network', 'port', 'project_id', 'binding:host_id', 'mac_address', 'protocol', 'remote_ip_prefix', 'external_gateway_info', 'subnet_id', 'allocation_pools', 'gateway_ip'), value: valueArb, kind: fc.nat(4) });
    await fc.assert(
      fc.asyncProperty(fc.nat(WRITES.length - 1), fc.array(editArb, { minLength: 1, maxLength: 4 }), fc.boolean(), async (i, edits, asAdmin) => {
        const [method, path, body] = WRITES[i];
        const payload = mutate(body(), edits);
        const res = await (asAdmin ? admin : demo).req(method, `${N}${path()}`, payload as object);
        assertEnvelope(res.statusCode, res.body, `${method} ${path()} ${JSON.stringify(payload).slice(0, 300)}`);
      }),
      { numRuns: 150 * SCALE, seed: SEED },
    );
  });

  it('random filters, fields, paging, ids and raw bodies', async () => {
    const COLLS = ['networks', 'subnets', 'ports', 'security-groups', 'security-group-rules', 'floatingips', 'routers'];
    const qArb = fc.array(fc.tuple(fc.constantFrom('name', 'id', 'fields', 'limit', 'marker', 'sort_key', 'sort_dir', 'fixed_ips', 'shared', 'router:external', 'tags', 'bogus', 'device_id', 'page_reverse'), fc.string({ maxLength: 12 })), { maxLength: 4 });
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...COLLS), qArb, fc.string({ maxLength: 40 }), fc.constantFrom('GET', 'DELETE', 'PUT', 'POST'), fc.string({ maxLength: 60 }), fc.constantFrom('application/json', 'text/plain', 'application/xml', ''), async (coll, q, id, method, raw, ctype) => {
        const qs = new URLSearchParams(q).toString();
        const list = await demo.req('GET', `${N}/${coll}?${qs}`);
        assertEnvelope(list.statusCode, list.body, `GET ${coll}?${qs}`);
        const url = `${N}/${coll}/${encodeURIComponent(id || 'x')}`;
        const res = await demo.req(method as 'GET', url, method === 'GET' ? undefined : raw, ctype ? { 'content-type': ctype } : {});
        assertEnvelope(res.statusCode, res.body, `${method} ${url} ${raw}`);
      }),
      { numRuns: 150 * SCALE, seed: SEED },
    );
  });
});

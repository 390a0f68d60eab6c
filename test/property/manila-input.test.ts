// Property: no input makes the fake Manila (or Nova's /servers/{id}/shares) answer outside its fault envelope
// ({"<faultName>": {"code": status, "message": …}}), answer a 5xx, or leave half-written state: random and
// mutated bodies on every write route, random ids, queries, microversion headers and raw bodies.
// Seeded (NOVASIM_FC_SEED), small by default.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Simulator } from '../../src/index.js';
import { bootServer, type Client, client, startSim } from '../helpers/sim.js';

const S = '/share/v2';
const SEED = Number(process.env.NOVASIM_FC_SEED ?? 20261201);
const SCALE = Number(process.env.NOVASIM_FC_SCALE ?? 1);
const MV = { 'x-openstack-manila-api-version': '2.82' };
const FAULTS: Record<number, string> = {
  400: 'badRequest', 401: 'unauthorized', 403: 'forbidden', 404: 'itemNotFound', 405: 'badMethod', 409: 'conflictingRequest',
  413: 'overLimit', 415: 'badMediaType', 501: 'notImplemented', 503: 'serviceUnavailable',
};
let sim: Simulator;
let demo: Client;
let admin: Client;
const ids: Record<string, string> = {};

beforeAll(async () => {
  sim = await startSim({ profile: 'master' });
  demo = await client(sim, 'demo');
  admin = await client(sim, 'admin');
  ids.share = (await demo.req('POST', `${S}/shares`, { share: { share_proto: 'NFS', size: 1 } }, MV)).json().share.id;
  await demo.req('GET', `${S}/shares/${ids.share}`, undefined, MV);
  ids.rule = (await admin.req('POST', `${S}/shares/${ids.share}/action`, { allow_access: { access_type: 'ip', access_to: '10.1.2.3' } }, MV)).json().access.id;
  ids.server = await bootServer(sim, demo, 'prop');
  await demo.req('POST', `/compute/v2.1/servers/${ids.server}/action`, { 'os-stop': null });
  await sim.idle();
});
afterAll(() => sim.close());

const WRITES: [method: 'POST' | 'DELETE', path: () => string, body: () => Record<string, unknown>][] = [
  ['POST', () => `${S}/shares`, () => ({ share: { share_proto: 'NFS', size: 1, name: 'n', metadata: { a: 'b' }, is_public: false } })],
  ['POST', () => `${S}/shares/${ids.share}/action`, () => ({ allow_access: { access_type: 'ip', access_to: '10.9.9.9', access_level: 'ro', lock_visibility: true, lock_deletion: true, lock_reason: 'r' } })],
  ['POST', () => `${S}/shares/${ids.share}/action`, () => ({ deny_access: { access_id: ids.rule, unrestrict: true } })],
  ['POST', () => `/compute/v2.1/servers/${ids.server}/shares`, () => ({ share: { share_id: ids.share, tag: 'abc' } })],
];

const valueArb = fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constantFrom('', 'x'.repeat(300), '10.0.0.999', '::1', '0.0.0.0/0', 'cephx', 'NFS', 'CEPHFS', 'rw', null, -1, 0, 1e309 as number, true, []));

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
  if (status >= 400 && status !== 401) {
    const body = JSON.parse(text) as Record<string, { code?: unknown; message?: unknown }>;
    const [name, fault] = Object.entries(body)[0] ?? [];
    expect(name, `${what}: ${text}`).toBe(FAULTS[status] ?? 'computeFault');
    expect(fault?.code, `${what}: ${text}`).toBe(status);
    expect(typeof fault?.message, `${what}: ${text}`).toBe('string');
  }
}

const rows = () => ({
  mappings: (sim.services.db.prepare('SELECT COUNT(*) AS n FROM share_mapping').get() as { n: number }).n,
  rules: (sim.services.db.prepare('SELECT COUNT(*) AS n FROM manila_access_rules').get() as { n: number }).n,
  shares: (sim.services.db.prepare('SELECT COUNT(*) AS n FROM manila_shares').get() as { n: number }).n,
});

describe('fake Manila and server shares: bad input is a 4xx in the fault envelope, never a 5xx', () => {
  it('mutated bodies on every write route; a refused write changes nothing', async () => {
    const editArb = fc.record({ path: fc.nat(3), key: fc.constantFrom('share', 'share_proto', 'size', 'share_id', 'tag', 'access_type', 'access_to', 'access_level', 'access_id', 'unrestrict', 'lock_reason', 'metadata', 'zz', 'allow_access', 'deny_access'), value: valueArb, kind: fc.nat(4) });
    await fc.assert(
      fc.asyncProperty(fc.nat(WRITES.length - 1), fc.array(editArb, { minLength: 1, maxLength: 4 }), fc.boolean(), async (i, edits, asAdmin) => {
        const [method, path, body] = WRITES[i];
        const payload = mutate(body(), edits);
        const before = rows();
        const res = await (asAdmin ? admin : demo).req(method, path(), payload as object, MV);
        await sim.idle();
        assertEnvelope(res.statusCode, res.body, `${method} ${path()} ${JSON.stringify(payload).slice(0, 300)}`);
        if (res.statusCode >= 400) expect(rows(), `${method} ${path()} ${JSON.stringify(payload)}`).toEqual(before);
      }),
      { numRuns: 120 * SCALE, seed: SEED },
    );
  });

  it('random ids, queries, microversions and raw bodies', async () => {
    const PATHS = ['/shares', '/shares/detail', '/share-access-rules', '/shares/{id}', '/shares/{id}/export_locations', '/shares/{id}/action', '/share-access-rules/{id}'];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...PATHS), fc.string({ maxLength: 40 }), fc.constantFrom('GET', 'DELETE', 'PUT', 'POST'), fc.string({ maxLength: 60 }),
        fc.constantFrom('application/json', 'text/plain', ''), fc.constantFrom('2.0', '2.7', '2.45', '2.82', '2.99', 'latest', '3.0', 'x', '2.100'),
        fc.array(fc.tuple(fc.constantFrom('share_id', 'all_tenants', 'name', 'status', 'access_type', 'bogus'), fc.string({ maxLength: 12 })), { maxLength: 3 }),
        async (p, id, method, raw, ctype, version, q) => {
          const url = `${S}${p.replace('{id}', encodeURIComponent(id || 'x'))}?${new URLSearchParams(q).toString()}`;
          const headers: Record<string, string> = { 'x-openstack-manila-api-version': version };
          if (ctype) headers['content-type'] = ctype;
          const res = await demo.req(method as 'GET', url, method === 'GET' || method === 'DELETE' ? undefined : raw, headers);
          assertEnvelope(res.statusCode, res.body, `${method} ${url} ${raw}`);
          const nova = await demo.req(method as 'GET', `/compute/v2.1/servers/${encodeURIComponent(id || 'x')}/shares/${encodeURIComponent(raw || 'y')}`);
          assertEnvelope(nova.statusCode, nova.body, `${method} nova shares ${id} ${raw}`);
        },
      ),
      { numRuns: 120 * SCALE, seed: SEED },
    );
  });
});

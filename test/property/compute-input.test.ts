// Property: no input makes the Compute API answer 5xx, leave Nova's envelope, or change state when it
// refuses. Every compute route of novasim, with valid bodies mutated (dropped keys, wrong types, huge
// strings, deep nesting, unicode, arrays for objects, extra keys), non-JSON bodies, odd content
// types, unknown/garbage ids and microversions; the database and the notification stream are
// snapshotted around every rejected request.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Simulator } from '../../src/index.js';
import {
  FC_SEED, IMAGE_ID, type InjectCase, type Json, Violations, badIdArb, computeVersionHeaderArb, contentTypeArb, judgeCase, methodOverrideArb, mutate, mutationsArb,
  newStats, queryArb, rawBodyArb, report, runs, sometimes, statsLine,
} from '../helpers/reliability.js';
import { bootServer, client, startSim, type Client } from '../helpers/sim.js';
import { attach, createVolume } from '../helpers/volumes.js';

interface Fixture {
  server: string;
  attached: string;
  free: string;
  requestId: string;
}

const VALID_VERSIONS = ['2.1', '2.19', '2.26', '2.49', '2.58', '2.60', '2.70', '2.79', '2.85', '2.89', '2.93', 'latest'];

type BodyFn = (fx: Fixture, v: string) => Json;
interface Route {
  name: string;
  method: InjectCase['method'];
  /** Path below /compute/v2.1 with {server}/{attached}/{free}/{req} placeholders. */
  path: string;
  body?: BodyFn;
  query?: string[];
}

const ge = (v: string, min: string) => {
  if (v === 'latest') return true;
  const [a, b] = v.split('.').map(Number);
  const [c, d] = min.split('.').map(Number);
  return a > c || (a === c && b >= d);
};

const ROUTES: Route[] = [
  { name: 'servers.create', method: 'POST', path: '/servers', body: (_f, v) => ({ server: { name: 'prop', imageRef: IMAGE_ID, flavorRef: '1', networks: 'none', ...(ge(v, '2.19') ? { description: 'd' } : {}), metadata: { k: 'v' } } }) },
  { name: 'servers.update', method: 'PUT', path: '/servers/{server}', body: (_f, v) => ({ server: { name: 'renamed', ...(ge(v, '2.19') ? { description: 'desc' } : {}) } }) },
  { name: 'servers.delete', method: 'DELETE', path: '/servers/{bad}' },
  { name: 'servers.list', method: 'GET', path: '/servers', query: ['limit', 'marker', 'status', 'name', 'changes-since', 'all_tenants', 'project_id', 'reservation_id', 'deleted', 'sort_key', 'sort_dir', 'ip', 'tags'] },
  { name: 'servers.detail', method: 'GET', path: '/servers/detail', query: ['limit', 'marker', 'status', 'name', 'changes-since', 'all_tenants', 'tenant_id', 'flavor', 'image'] },
  { name: 'servers.show', method: 'GET', path: '/servers/{server}' },
  { name: 'flavors.list', method: 'GET', path: '/flavors', query: ['is_public', 'limit', 'marker', 'minRam', 'minDisk', 'sort_key'] },
  { name: 'flavors.detail', method: 'GET', path: '/flavors/detail', query: ['is_public', 'limit'] },
  { name: 'flavors.show', method: 'GET', path: '/flavors/{bad}' },
  { name: 'volume_attachments.index', method: 'GET', path: '/servers/{server}/os-volume_attachments', query: ['limit', 'offset'] },
  { name: 'volume_attachments.show', method: 'GET', path: '/servers/{server}/os-volume_attachments/{attached}' },
  {
    name: 'volume_attachments.create', method: 'POST', path: '/servers/{server}/os-volume_attachments',
    body: (f, v) => ({ volumeAttachment: { volumeId: f.free, device: '/dev/vdc', ...(ge(v, '2.49') ? { tag: 'data' } : {}), ...(ge(v, '2.79') ? { delete_on_termination: true } : {}) } }),
  },
  {
    name: 'volume_attachments.swap', method: 'PUT', path: '/servers/{server}/os-volume_attachments/{attached}',
    body: (f, v) => ({ volumeAttachment: { volumeId: f.free, ...(ge(v, '2.85') ? { delete_on_termination: 'yes' } : {}) } }),
  },
  { name: 'volume_attachments.update', method: 'PUT', path: '/servers/{server}/os-volume_attachments/{attached}', body: (f) => ({ volumeAttachment: { volumeId: f.attached, delete_on_termination: true, serverId: f.server, id: f.attached } }) },
  { name: 'volume_attachments.delete', method: 'DELETE', path: '/servers/{server}/os-volume_attachments/{bad}' },
  { name: 'instance_actions.list', method: 'GET', path: '/servers/{server}/os-instance-actions', query: ['changes-since', 'changes-before', 'limit', 'marker'] },
  { name: 'instance_actions.show', method: 'GET', path: '/servers/{server}/os-instance-actions/{req}' },
  { name: 'server.action.lock', method: 'POST', path: '/servers/{server}/action', body: (_f, v) => ({ lock: ge(v, '2.73') ? { locked_reason: 'maintenance' } : null }) },
  { name: 'server.action.unlock', method: 'POST', path: '/servers/{server}/action', body: () => ({ unlock: null }) },
  { name: 'server.action.unknown', method: 'POST', path: '/servers/{server}/action', body: () => ({ 'os-stop': null }) },
  {
    name: 'server.action.migrateLive', method: 'POST', path: '/servers/{server}/action',
    body: (_f, v): Json => {
      const m: { [k: string]: Json } = ge(v, '2.25') ? { host: null, block_migration: 'auto' } : { host: null, block_migration: false, disk_over_commit: false };
      return { 'os-migrateLive': m };
    },
  },
  { name: 'server_migrations.force_complete', method: 'POST', path: '/servers/{server}/migrations/1/action', body: () => ({ force_complete: null }) },
  { name: 'server_migrations.delete', method: 'DELETE', path: '/servers/{server}/migrations/1' },
  { name: 'tags.index', method: 'GET', path: '/servers/{server}/tags' },
  { name: 'tags.update_all', method: 'PUT', path: '/servers/{server}/tags', body: () => ({ tags: ['a', 'b-c', 'ünï'] }) },
];

const caseArb = fc.record({
  route: fc.nat({ max: ROUTES.length - 1 }),
  user: fc.constantFrom('admin', 'demo'),
  version: fc.oneof({ weight: 7, arbitrary: fc.constantFrom(...VALID_VERSIONS).map((v) => `compute ${v}`) }, { weight: 2, arbitrary: computeVersionHeaderArb }, { weight: 1, arbitrary: fc.constant(null) }),
  bodyMode: fc.constantFrom('mutated', 'mutated', 'mutated', 'mutated', 'valid', 'raw', 'raw'),
  mutations: mutationsArb,
  raw: fc.nat(),
  contentType: sometimes(contentTypeArb, 0.2),
  badServer: sometimes(badIdArb, 0.15),
  badVolume: sometimes(badIdArb, 0.15),
  badId: badIdArb,
  query: fc.nat(),
  method: methodOverrideArb,
  seed: fc.integer(),
});

describe('property: Compute API under bad input (zed profile, in-process)', () => {
  let sim: Simulator;
  let admin: Client;
  let demo: Client;
  let fx: Fixture;
  const violations = new Violations();
  const stats = newStats();

  async function rebuild(): Promise<Fixture> {
    await sim.reset();
    const server = await bootServer(sim, demo, 'prop-vm');
    const attached = await createVolume(sim, demo, 1, 'attached');
    const free = await createVolume(sim, demo, 2, 'free');
    await attach(sim, demo, server, attached);
    await sim.idle();
    const requestId = sim.services.actions.list(server)[0].request_id;
    stats.rebuilds += 1;
    return { server, attached, free, requestId };
  }

  beforeAll(async () => {
    sim = await startSim({ profile: 'zed', volumeCreateDelayMs: 0, volumeDeleteDelayMs: 0 });
    admin = await client(sim, 'admin', 'latest');
    demo = await client(sim, 'demo', 'latest');
    fx = await rebuild();
  });
  afterAll(() => sim?.close());

  it('answers 4xx in Nova\'s envelope (or a documented 2xx), never 5xx, and changes nothing when it refuses', async () => {
    await fc.assert(
      fc.asyncProperty(caseArb, async (k) => {
        const route = ROUTES[k.route];
        const tok = k.user === 'admin' ? admin.token : demo.token;
        const version = k.version?.replace(/^compute /, '') ?? '2.1';
        const validVersion = VALID_VERSIONS.includes(version) ? version : '2.1';
        const sub = (p: string) =>
          p
            .replace('{server}', k.badServer ?? fx.server)
            .replace('{attached}', k.badVolume ?? fx.attached)
            .replace('{free}', fx.free)
            .replace('{req}', k.badVolume ?? fx.requestId)
            .replace('{bad}', k.badId);
        let url = `/compute/v2.1${sub(route.path)}`;
        if (route.query) {
          const q = fc.sample(queryArb(route.query), { seed: k.seed, numRuns: 1 })[0];
          if (q) url += `?${q}`;
        }
        const headers: Record<string, string> = { 'x-auth-token': tok };
        if (k.version !== null) headers['openstack-api-version'] = k.version;
        const c: InjectCase = { method: k.method ?? route.method, url, headers };
        if (route.body) {
          const valid = route.body(fx, validVersion);
          if (k.bodyMode === 'valid') c.json = valid;
          else if (k.bodyMode === 'mutated') c.json = mutate(valid, k.mutations);
          else c.raw = fc.sample(rawBodyArb(valid), { seed: k.seed, numRuns: 1 })[0];
          if (k.contentType !== null) headers['content-type'] = k.contentType;
          else if (c.raw !== undefined) headers['content-type'] = 'application/json';
        }
        const { dirty } = await judgeCase(sim, c, violations, stats, (sent, answer, diff) =>
          // nova-swap-volume.md §1.5: from 2.85 the regular update saves delete_on_termination *before*
          // the swap checks run, so a later 4xx keeps that change (Nova does the same).
          sent.method === 'PUT' && sent.url.includes('/os-volume_attachments/') && answer.status < 500 && diff.every((d) => d.startsWith('block_device_mappings:')) && /delete_on_termination/.test(sent.body ?? ''),
        );
        if (dirty) fx = await rebuild();
        return true;
      }),
      { seed: FC_SEED, numRuns: runs(300), endOnFailure: true },
    );
    // The process (and the simulator) are still up and serving.
    expect((await sim.app.inject({ url: '/_novasim/health' })).statusCode).toBe(200);
    expect((await admin.req('GET', `/compute/v2.1/servers/${fx.server}`)).statusCode).toBe(200);
    report(statsLine('compute bad input', stats, violations));
    expect(violations.report()).toBe('');
  }, 60_000);
});

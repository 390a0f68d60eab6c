// Every response sample of os-services, os-hypervisors, os-availability-zone, os-aggregates,
// os-migrations and server-migrations (fixtures/reference/nova/api_samples, each microversion folder):
// novasim's body for the same request at that microversion has exactly the sample's keys, recursively.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Simulator } from '../../src/index.js';
import { type Client, bootServer, client, startSim } from '../helpers/sim.js';

const ROOT = join(import.meta.dirname, '../../fixtures/reference/nova/api_samples');
const C = '/compute/v2.1';
const RESOURCES = ['os-services', 'os-hypervisors', 'os-availability-zone', 'os-aggregates', 'os-migrations', 'server-migrations'];
/** Objects whose keys are data (host names, metadata keys, cpu features), not the schema. */
const DATA_KEYS = new Set(['metadata', 'cpu_info', 'hosts']);

/** Differences between the key sets of `actual` and `sample`, recursively (list items against the sample's first). */
function keyDiff(actual: unknown, sample: unknown, path = '$'): string[] {
  if (Array.isArray(sample)) {
    if (!Array.isArray(actual)) return [`${path}: expected a list`];
    if (!sample.length || !actual.length) return [];
    // Each item must have the keys of one of the sample's items (in-progress live migrations have links, others not).
    return actual.flatMap((a, i) => {
      const diffs = sample.map((s) => keyDiff(a, s, `${path}[${i}]`));
      return diffs.find((d) => d.length === 0) ?? diffs[0];
    });
  }
  if (sample === null || typeof sample !== 'object') return [];
  if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) return actual === null ? [] : [`${path}: expected an object`];
  const a = actual as Record<string, unknown>;
  const s = sample as Record<string, unknown>;
  const out: string[] = [];
  for (const k of Object.keys(s)) if (!(k in a)) out.push(`${path}.${k}: missing`);
  for (const k of Object.keys(a)) if (!(k in s)) out.push(`${path}.${k}: unexpected`);
  for (const k of Object.keys(s)) if (k in a && !DATA_KEYS.has(k)) out.push(...keyDiff(a[k], s[k], `${path}.${k}`));
  return out;
}

interface Ctx { sim: Simulator; admin: Client; version: string; serverId: string }
type Req = { method: 'GET' | 'POST' | 'PUT'; url: string; body?: unknown };

const svc = async (x: Ctx) => ((await x.admin.req('GET', `${C}/os-services?binary=nova-compute&host=compute`, undefined, { 'openstack-api-version': `compute ${x.version}` })).json().services[0].id as string);
const node = async (x: Ctx) => ((await x.admin.req('GET', `${C}/os-hypervisors`, undefined, { 'openstack-api-version': `compute ${x.version}` })).json().hypervisors[0].id as string);
const agg = async (x: Ctx) => {
  const r = await x.admin.req('POST', `${C}/os-aggregates`, { aggregate: { name: `agg-${x.version}-${Math.random()}`, availability_zone: 'london' } }, { 'openstack-api-version': `compute ${x.version}` });
  return r.json().aggregate.id as number;
};
const ge = (v: string, min: string) => Number(v.split('.')[1]) >= Number(min.split('.')[1]);
const hostBody = (x: Ctx, extra: Record<string, unknown> = {}) => ({ host: 'compute', binary: 'nova-compute', ...extra });

/** The request that produced each sample (by file name), at microversion x.version. */
const REQUESTS: Record<string, (x: Ctx) => Promise<Req | null>> = {
  'services-list-get-resp': async () => ({ method: 'GET', url: '/os-services' }),
  'service-enable-put-resp': async (x) => (ge(x.version, '2.53') ? { method: 'PUT', url: `/os-services/${await svc(x)}`, body: { status: 'enabled' } } : { method: 'PUT', url: '/os-services/enable', body: hostBody(x) }),
  'service-disable-put-resp': async (x) => (ge(x.version, '2.53') ? { method: 'PUT', url: `/os-services/${await svc(x)}`, body: { status: 'disabled' } } : { method: 'PUT', url: '/os-services/disable', body: hostBody(x) }),
  'service-disable-log-put-resp': async (x) =>
    ge(x.version, '2.53') ? { method: 'PUT', url: `/os-services/${await svc(x)}`, body: { status: 'disabled', disabled_reason: 'test2' } } : { method: 'PUT', url: '/os-services/disable-log-reason', body: hostBody(x, { disabled_reason: 'test2' }) },
  'service-force-down-put-resp': async (x) => (ge(x.version, '2.53') ? { method: 'PUT', url: `/os-services/${await svc(x)}`, body: { forced_down: true } } : { method: 'PUT', url: '/os-services/force-down', body: hostBody(x, { forced_down: true }) }),
  'hypervisors-list-resp': async (x) => ({ method: 'GET', url: `/os-hypervisors${ge(x.version, '2.33') ? '?limit=1' : ''}` }),
  'hypervisors-detail-resp': async (x) => ({ method: 'GET', url: `/os-hypervisors/detail${ge(x.version, '2.33') ? '?limit=1' : ''}` }),
  'hypervisors-show-resp': async (x) => ({ method: 'GET', url: `/os-hypervisors/${await node(x)}` }),
  'hypervisors-statistics-resp': async () => ({ method: 'GET', url: '/os-hypervisors/statistics' }),
  'hypervisors-uptime-resp': async (x) => ({ method: 'GET', url: `/os-hypervisors/${await node(x)}/uptime` }),
  'hypervisors-search-resp': async (x) => ({ method: 'GET', url: ge(x.version, '2.53') ? '/os-hypervisors?hypervisor_hostname_pattern=node-2' : '/os-hypervisors/node-2/search' }),
  'hypervisors-with-servers-resp': async (x) => ({ method: 'GET', url: ge(x.version, '2.53') ? '/os-hypervisors?hypervisor_hostname_pattern=novasim-node-2&with_servers=true' : '/os-hypervisors/node-2/servers' }),
  'hypervisors-without-servers-resp': async (x) => ({ method: 'GET', url: ge(x.version, '2.53') ? '/os-hypervisors?hypervisor_hostname_pattern=novasim-node-3&with_servers=false' : '/os-hypervisors/node-3/servers' }),
  'hypervisors-detail-with-servers-resp': async () => ({ method: 'GET', url: '/os-hypervisors/detail?with_servers=true&hypervisor_hostname_pattern=node-2' }),
  'hypervisors-show-with-servers-resp': async (x) => {
    const hv = (await x.admin.req('GET', `${C}/os-hypervisors?hypervisor_hostname_pattern=node-2`, undefined, { 'openstack-api-version': `compute ${x.version}` })).json().hypervisors[0];
    return { method: 'GET', url: `/os-hypervisors/${hv.id}?with_servers=true` };
  },
  'availability-zone-list-resp': async () => ({ method: 'GET', url: '/os-availability-zone' }),
  'availability-zone-detail-resp': async () => ({ method: 'GET', url: '/os-availability-zone/detail' }),
  'aggregate-post-resp': async (x) => ({ method: 'POST', url: '/os-aggregates', body: { aggregate: { name: `new-${x.version}`, availability_zone: 'london' } } }),
  'aggregates-list-get-resp': async (x) => (await agg(x), { method: 'GET', url: '/os-aggregates' }),
  'aggregates-get-resp': async (x) => ({ method: 'GET', url: `/os-aggregates/${await agg(x)}` }),
  'aggregate-update-post-resp': async (x) => ({ method: 'PUT', url: `/os-aggregates/${await agg(x)}`, body: { aggregate: { name: `renamed-${x.version}`, availability_zone: 'london' } } }),
  'aggregates-add-host-post-resp': async (x) => ({ method: 'POST', url: `/os-aggregates/${await agg(x)}/action`, body: { add_host: { host: 'compute-3' } } }),
  'aggregates-metadata-post-resp': async (x) => ({ method: 'POST', url: `/os-aggregates/${await agg(x)}/action`, body: { set_metadata: { metadata: { key: 'value' } } } }),
  'aggregates-remove-host-post-resp': async (x) => {
    const id = await agg(x);
    await x.admin.req('POST', `${C}/os-aggregates/${id}/action`, { add_host: { host: 'compute-3' } }, { 'openstack-api-version': `compute ${x.version}` });
    return { method: 'POST', url: `/os-aggregates/${id}/action`, body: { remove_host: { host: 'compute-3' } } };
  },
  'migrations-get': async () => ({ method: 'GET', url: '/os-migrations' }),
  'migrations-get-with-limit': async () => ({ method: 'GET', url: '/os-migrations?limit=1&migration_type=resize' }),
  'migrations-get-with-marker': async () => ({ method: 'GET', url: '/os-migrations?marker=00000000-0000-4000-8000-000000000001' }),
  'migrations-get-with-changes-since': async () => ({ method: 'GET', url: '/os-migrations?changes-since=2016-01-01T00:00:00Z&migration_type=resize' }),
  'migrations-get-with-changes-before': async () => ({ method: 'GET', url: '/os-migrations?changes-before=2030-01-01T00:00:00Z&migration_type=live-migration' }),
  'migrations-get-with-user-or-project-id': async (x) => ({ method: 'GET', url: `/os-migrations?user_id=${x.admin.userId}` }),
};
/** server-migrations samples are served under the server. */
const SERVER_REQUESTS: Record<string, (x: Ctx) => Req> = {
  'migrations-index': (x) => ({ method: 'GET', url: `/servers/${x.serverId}/migrations` }),
  'migrations-get': (x) => ({ method: 'GET', url: `/servers/${x.serverId}/migrations/2` }),
};

const cases: { resource: string; version: string; file: string }[] = [];
for (const resource of RESOURCES) {
  for (const entry of readdirSync(join(ROOT, resource), { withFileTypes: true })) {
    if (entry.isDirectory()) {
      for (const f of readdirSync(join(ROOT, resource, entry.name))) cases.push({ resource, version: entry.name.slice(1), file: f });
    } else cases.push({ resource, version: '2.1', file: entry.name });
  }
}
/** Samples of situations novasim does not simulate. */
const NOT_SIMULATED = new Set([
  // Services of a cell that is down (2.69 cell_down_support): novasim has one cell, always up.
  'os-services/v2.69/services-list-get-resp.json',
]);
const responseCases = cases.filter(
  (c) => !c.file.endsWith('-req.json') && !['force_complete.json', 'live-migrate-server.json'].includes(c.file) && !NOT_SIMULATED.has(`${c.resource}/v${c.version}/${c.file}`),
);

describe.each(['master', 'zed'] as const)('host API bodies have the keys of Nova api_samples (%s)', (profile) => {
  let sim: Simulator;
  let admin: Client;
  let serverId: string;

  beforeAll(async () => {
    sim = await startSim({ profile, computeHosts: 3 });
    admin = await client(sim, 'admin');
    const demo = await client(sim, 'demo');
    // A server on compute-2 (compute is disabled while it boots), and migration records to list.
    const first = (await admin.req('GET', `${C}/os-services?binary=nova-compute`)).json().services[0].id;
    await admin.req('PUT', `${C}/os-services/${first}`, { status: 'disabled' });
    serverId = await bootServer(sim, demo, 'on-2');
    await admin.req('PUT', `${C}/os-services/${first}`, { status: 'enabled' });
    const ins = sim.services.db.prepare(
      `INSERT INTO migrations (uuid, instance_uuid, source_compute, dest_compute, source_node, dest_node, dest_host, old_instance_type_id, new_instance_type_id, status,
         migration_type, user_id, project_id, memory_total, memory_processed, memory_remaining, disk_total, disk_processed, disk_remaining, created_at, updated_at)
       VALUES (?, ?, 'compute-2', 'compute', 'novasim-node-2', 'novasim-node', '192.168.1.10', 1, 1, ?, ?, ?, ?, 1, 1, 0, 2, 1, 1, '2016-06-23T13:42:02Z', '2016-06-23T13:42:02Z')`,
    );
    ins.run('00000000-0000-4000-8000-000000000001', serverId, 'migrating', 'resize', admin.userId, admin.projectId);
    ins.run('00000000-0000-4000-8000-000000000002', serverId, 'running', 'live-migration', admin.userId, admin.projectId);
  });
  afterAll(async () => sim?.close());

  const max = profile === 'zed' ? 93 : 104;
  it.each(responseCases.filter((c) => Number(c.version.split('.')[1]) <= max).map((c) => [`${c.resource}/v${c.version}/${c.file}`, c] as const))('%s', async (_name, c) => {
    const x: Ctx = { sim, admin, version: c.version, serverId };
    const stem = c.file.replace(/\.json$/, '');
    const req = c.resource === 'server-migrations' ? SERVER_REQUESTS[stem](x) : await REQUESTS[stem](x);
    expect(req, `no request known for ${stem}`).toBeTruthy();
    const res = await admin.req(req!.method, `${C}${req!.url}`, req!.body, { 'openstack-api-version': `compute ${c.version}` });
    expect(res.statusCode, res.body).toBeLessThan(300);
    const sample = JSON.parse(readFileSync(join(ROOT, c.resource, c.version === '2.1' ? '' : `v${c.version}`, c.file), 'utf8'));
    expect(keyDiff(res.json(), sample)).toEqual([]);
  });
});

// Walks Nova's API samples of the resources built for flavors, server metadata and the read
// surface (fixtures/reference/nova/api_samples/<resource>/[vX.Y/]*-resp.json): each response sample
// is requested at its folder's microversion and the answer must have exactly the sample's keys,
// recursively (maps keyed by data — extra_specs, metadata, meta, log — are compared as maps).
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Simulator } from '../../src/index.js';
import { referenceDir } from '../../src/notifier/samples.js';
import { DEFAULT_SEED_PATH } from '../../src/store/seed.js';
import { bootServer, client, login, startSim, type Client } from '../helpers/sim.js';

const ROOT = join(referenceDir(), 'nova', 'api_samples');
const C = '/compute/v2.1';
const DATA_MAPS = new Set(['extra_specs', 'metadata', 'meta', 'log']);
/** Nova's sample image fakeimage7 (auto_disk_config=True: the view adds OS-DCF:diskConfig). */
const FAKEIMAGE7 = '70a599e0-31e7-49b7-b260-868f441e862b';

/** The default seed plus fakeimage7, written to a temporary file. */
function seedWithSampleImage(): string {
  const seed = JSON.parse(readFileSync(DEFAULT_SEED_PATH, 'utf8')) as { images: unknown[] };
  seed.images.push({
    id: FAKEIMAGE7, name: 'fakeimage7', disk_format: 'raw', container_format: 'raw', size: 74185822,
    properties: { architecture: 'x86_64', auto_disk_config: 'True', kernel_id: 'nokernel', ramdisk_id: 'nokernel' },
  });
  const file = join(mkdtempSync(join(tmpdir(), 'novasim-samples-')), 'seed.json');
  writeFileSync(file, JSON.stringify(seed));
  return file;
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
const isObj = (v: unknown): v is Record<string, Json> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Differences between the key structure of `actual` and `sample` ("" when identical). */
function keyDiff(sample: Json, actual: Json, path: string, dataMap = false): string[] {
  if (isObj(sample)) {
    if (!isObj(actual)) return [`${path}: expected an object, got ${JSON.stringify(actual)}`];
    if (dataMap) return [];
    const want = Object.keys(sample).sort();
    const got = Object.keys(actual).sort();
    const out: string[] = [];
    const missing = want.filter((k) => !got.includes(k));
    const extra = got.filter((k) => !want.includes(k));
    if (missing.length || extra.length) out.push(`${path || '<root>'}: missing [${missing.join(', ')}], unexpected [${extra.join(', ')}]`);
    for (const k of want) if (k in actual) out.push(...keyDiff(sample[k], actual[k], `${path}.${k}`, DATA_MAPS.has(k)));
    return out;
  }
  if (Array.isArray(sample)) {
    if (!Array.isArray(actual)) return [`${path}: expected a list`];
    if (!sample.length || !actual.length) return [];
    // Each element must have the keys of one of the sample's elements (samples mix variants).
    return actual.flatMap((a, i) => {
      const tries = sample.map((s) => keyDiff(s, a, `${path}[${i}]`));
      return tries.find((t) => t.length === 0) ?? tries[0];
    });
  }
  return [];
}

/** Every response sample of a resource, with the microversion of its folder. */
function responseSamples(resource: string): { file: string; version: string; name: string }[] {
  const dir = join(ROOT, resource);
  const out: { file: string; version: string; name: string }[] = [];
  for (const entry of readdirSync(dir).sort()) {
    const full = join(dir, entry);
    if (statSync(full).isDirectory()) {
      for (const f of readdirSync(full).sort()) if (!f.endsWith('-req.json')) out.push({ file: join(full, f), version: entry.slice(1), name: `${entry}/${f}` });
    } else if (!entry.endsWith('-req.json')) {
      out.push({ file: full, version: '2.1', name: entry });
    }
  }
  return out;
}

const readJson = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as Json;

interface Ctx {
  admin: Client;
  demo: Client;
  server: string;
  serviceToken: string;
  sim: Simulator;
}

type Call = { method: 'GET' | 'POST' | 'PUT' | 'DELETE'; url: string; body?: unknown; as?: 'admin' | 'demo' | 'service' };

let n = 0;
const unique = () => `s${++n}`;

/** How to obtain each sample's response (by resource and file name, microversion given). */
const CALLS: Record<string, (file: string, v: string, c: Ctx, sample: Json) => Call | string> = {
  flavors: (f, _v, _c, sample) => {
    const links = isObj(sample) && 'flavors_links' in sample ? '?limit=1' : '';
    if (f.includes('flavor-get')) return { method: 'GET', url: `${C}/flavors/1` };
    if (f.includes('detail')) return { method: 'GET', url: `${C}/flavors/detail${links}` };
    return { method: 'GET', url: `${C}/flavors${links}` };
  },
  'flavor-manage': (f, v, _c) => {
    const dir = v === '2.1' ? '' : `v${v}/`;
    if (f.includes('flavor-create-post-resp')) {
      const body = readJson(join(ROOT, 'flavor-manage', `${dir}flavor-create-post-req.json`)) as { flavor: Record<string, Json> };
      return { method: 'POST', url: `${C}/flavors`, body: { flavor: { ...body.flavor, id: unique(), name: unique() } } };
    }
    return { method: 'PUT', url: `${C}/flavors/1`, body: readJson(join(ROOT, 'flavor-manage', `${dir}flavor-update-req.json`)) };
  },
  'flavor-extra-specs': (f) => {
    const base = `${C}/flavors/2/os-extra_specs`;
    if (f.includes('create')) return { method: 'POST', url: base, body: readJson(join(ROOT, 'flavor-extra-specs', 'flavor-extra-specs-create-req.json')) };
    if (f.includes('update')) return { method: 'PUT', url: `${base}/hw:numa_nodes`, body: readJson(join(ROOT, 'flavor-extra-specs', 'flavor-extra-specs-update-req.json')) };
    if (f.includes('get')) return { method: 'GET', url: `${base}/hw:numa_nodes` };
    return { method: 'GET', url: base };
  },
  'flavor-access': (f, _v, c) => {
    if (f.includes('list')) return { method: 'GET', url: `${C}/flavors/private1/os-flavor-access` };
    if (f.includes('add')) return { method: 'POST', url: `${C}/flavors/private1/action`, body: { addTenantAccess: { tenant: c.admin.projectId } } };
    return { method: 'POST', url: `${C}/flavors/private1/action`, body: { removeTenantAccess: { tenant: c.admin.projectId } } };
  },
  'server-metadata': (f, _v, c) => {
    const base = `${C}/servers/${c.server}/metadata`;
    if (f.includes('all')) return { method: 'POST', url: base, body: readJson(join(ROOT, 'server-metadata', 'server-metadata-all-req.json')), as: 'demo' };
    return { method: 'PUT', url: `${base}/foo`, body: readJson(join(ROOT, 'server-metadata', 'server-metadata-req.json')), as: 'demo' };
  },
  'extension-info': (f) => {
    if (f.includes('v21-compatible')) return 'the legacy /v2 endpoint (v2.1 compatible mode) is not served';
    if (f.includes('get-resp')) return { method: 'GET', url: `${C}/extensions/os-agents` };
    return { method: 'GET', url: `${C}/extensions` };
  },
  images: (f) => {
    if (f.includes('image-meta-key-get')) return { method: 'GET', url: `${C}/images/${FAKEIMAGE7}/metadata/kernel_id`, as: 'demo' };
    if (f.includes('image-metadata-get')) return { method: 'GET', url: `${C}/images/${FAKEIMAGE7}/metadata`, as: 'demo' };
    if (f.includes('meta')) return 'image metadata writes (POST/PUT through Glance PATCH) are not served';
    if (f.includes('image-get')) return { method: 'GET', url: `${C}/images/${FAKEIMAGE7}`, as: 'demo' };
    if (f.includes('details')) return { method: 'GET', url: `${C}/images/detail`, as: 'demo' };
    return { method: 'GET', url: `${C}/images`, as: 'demo' };
  },
  'os-simple-tenant-usage': (f, _v, c, sample) => {
    const q = new URLSearchParams({ start: '2000-01-01T00:00:00' });
    if (isObj(sample) && Object.keys(sample).some((k) => k.endsWith('_links'))) q.set('limit', '1');
    if (f.includes('detail') || f.includes('get-all')) q.set('detailed', '1');
    if (f.includes('specific')) return { method: 'GET', url: `${C}/os-simple-tenant-usage/${c.demo.projectId}?${q}`, as: 'demo' };
    return { method: 'GET', url: `${C}/os-simple-tenant-usage?${q}` };
  },
  'os-server-password': (_f, _v, c) => ({ method: 'GET', url: `${C}/servers/${c.server}/os-server-password`, as: 'demo' }),
  'os-instance-usage-audit-log': (f) => (f.includes('show') ? { method: 'GET', url: `${C}/os-instance-usage-audit-log/2012-07-05 10:00:00` } : { method: 'GET', url: `${C}/os-instance-usage-audit-log` }),
  'os-server-external-events': (_f, _v, c) => ({ method: 'POST', url: `${C}/os-server-external-events`, body: { events: [{ name: 'network-changed', tag: 'foo', status: 'completed', server_uuid: c.server }] }, as: 'service' }),
  'os-server-diagnostics': (_f, _v, c) => ({ method: 'GET', url: `${C}/servers/${c.server}/diagnostics` }),
  'os-console-auth-tokens': () => 'novasim issues no console tokens (remote consoles are not simulated): only the 404 is served',
};

describe('API samples: response keys per microversion', () => {
  let ctx: Ctx;
  beforeAll(async () => {
    const sim = await startSim({ seed: seedWithSampleImage() });
    const admin = await client(sim, 'admin', null);
    const demo = await client(sim, 'demo', null);
    const server = await bootServer(sim, demo);
    const svc = await login(sim, 'nova');
    ctx = { sim, admin, demo, server, serviceToken: svc.token };
    // Data the samples show: extra specs on flavor 2, a private flavor, server metadata.
    await admin.req('POST', `${C}/flavors/2/os-extra_specs`, { extra_specs: { 'hw:numa_nodes': '1' } });
    await admin.req('POST', `${C}/flavors`, { flavor: { name: 'private1', ram: 64, vcpus: 1, disk: 1, id: 'private1', 'os-flavor-access:is_public': false } });
    await admin.req('POST', `${C}/flavors/private1/action`, { addTenantAccess: { tenant: demo.projectId } });
  });
  afterAll(() => ctx.sim.close());

  for (const resource of Object.keys(CALLS)) {
    it(`${resource}: every response sample`, async () => {
      const problems: string[] = [];
      const skipped: string[] = [];
      for (const s of responseSamples(resource)) {
        const sample = readJson(s.file);
        const call = CALLS[resource](s.name, s.version, ctx, sample);
        if (typeof call === 'string') {
          skipped.push(`${s.name}: ${call}`);
          continue;
        }
        const headers: Record<string, string> = { 'openstack-api-version': `compute ${s.version}` };
        const res =
          call.as === 'service'
            ? await ctx.sim.app.inject({ method: call.method, url: call.url, payload: call.body as object, headers: { ...headers, 'x-auth-token': ctx.serviceToken } })
            : await (call.as === 'demo' ? ctx.demo : ctx.admin).req(call.method, call.url, call.body, headers);
        if (res.statusCode >= 300) {
          problems.push(`${s.name}: ${call.method} ${call.url} → ${res.statusCode} ${res.body}`);
          continue;
        }
        const diff = keyDiff(sample, res.json() as Json, '', resource === 'flavor-extra-specs');
        problems.push(...diff.map((d) => `${s.name} @${s.version}: ${d}`));
      }
      expect(problems).toEqual([]);
      // Skips are declared above, per file, with the reason.
      expect(skipped.every((line) => line.includes(': '))).toBe(true);
    });
  }
});

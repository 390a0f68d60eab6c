// Every Nova API sample of os-keypairs, limits, os-quota-sets, os-quota-class-sets and
// os-server-groups (every microversion folder): novasim's body has exactly the sample's keys, recursively.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Simulator } from '../../src/index.js';
import { referenceDir } from '../../src/notifier/samples.js';
import { type Client, client, startSim } from '../helpers/sim.js';

const SAMPLES = join(referenceDir(), 'nova', 'api_samples');
const RESOURCES = ['os-keypairs', 'limits', 'os-quota-sets', 'os-quota-class-sets', 'os-server-groups'];
const PUB = 'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQDx8nkQv/zgGgB4rMYmIf+6A4l6Rr+o/6lHBQdW5aYd44bd8JttDCE/F/pNRr0lRE+PiqSPO8nDPHw0010JeMH9gYgnnFlyY3/OcJ02RhIPyyxYpv9FhY+2YiUkpwFOcLImyrxEsYXpD/0d3ac30bNH6Sw9JD9UZHYcpSxsIbECHw== Generated-by-Nova';

interface Case { resource: string; version: string; file: string; sample: unknown; request?: Record<string, unknown> }

function cases(): Case[] {
  const out: Case[] = [];
  for (const resource of RESOURCES) {
    const root = join(SAMPLES, resource);
    const dirs = ['', ...readdirSync(root, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name)];
    for (const dir of dirs) {
      const version = dir ? dir.slice(1) : '2.1';
      for (const file of readdirSync(join(root, dir)).filter((f) => f.endsWith('-resp.json'))) {
        const reqFile = join(root, dir, file.replace(/-resp\.json$/, '-req.json'));
        let request: Record<string, unknown> | undefined;
        try {
          request = JSON.parse(readFileSync(reqFile, 'utf8'));
        } catch {
          request = undefined;
        }
        out.push({ resource, version, file: file.replace(/\.json$/, ''), sample: JSON.parse(readFileSync(join(root, dir, file), 'utf8')), request });
      }
    }
  }
  return out;
}

/** The key structure of a JSON value: objects by key (sorted), arrays by their first element. */
function shape(v: unknown): unknown {
  if (Array.isArray(v)) return v.length ? [shape(v[0])] : [];
  if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().map((k) => [k, shape((v as Record<string, unknown>)[k])]));
  return null;
}

let sim: Simulator;
let n = 0;
const unique = () => `k-${++n}`;

beforeAll(async () => {
  sim = await startSim();
});
afterAll(async () => {
  await sim?.close();
});

/** Perform the request the sample documents, at its microversion; returns the response body. */
async function perform(c: Case): Promise<unknown> {
  const admin: Client = await client(sim, 'admin', c.version);
  const demo: Client = await client(sim, 'demo', c.version);
  const base = '/compute/v2.1';
  const ok = async (method: 'GET' | 'POST' | 'PUT', url: string, body?: unknown, who = admin) => {
    const res = await who.req(method, url, body);
    expect(res.statusCode, `${method} ${url}: ${res.body}`).toBeLessThan(300);
    return res.json();
  };
  const newKey = async (who = admin) => {
    const name = unique();
    await ok('POST', `${base}/os-keypairs`, { keypair: { name, public_key: PUB } }, who);
    return name;
  };
  switch (`${c.resource}/${c.file}`) {
    case 'os-keypairs/keypairs-post-resp': {
      const kp: Record<string, unknown> = { ...(c.request!.keypair as Record<string, unknown>), name: unique() };
      delete kp.user_id;
      return ok('POST', `${base}/os-keypairs`, { keypair: kp });
    }
    case 'os-keypairs/keypairs-import-post-resp': {
      const kp: Record<string, unknown> = { ...(c.request!.keypair as Record<string, unknown>), name: unique() };
      delete kp.user_id;
      return ok('POST', `${base}/os-keypairs`, { keypair: kp });
    }
    case 'os-keypairs/keypairs-get-resp':
      return ok('GET', `${base}/os-keypairs/${await newKey()}`);
    case 'os-keypairs/keypairs-list-resp':
    case 'os-keypairs/keypairs-list-user1-resp':
    case 'os-keypairs/keypairs-list-user2-resp': {
      await newKey(demo);
      const paged = 'keypairs_links' in (c.sample as object);
      const user = c.file.includes('user') ? `user_id=${demo.userId}` : '';
      return ok('GET', `${base}/os-keypairs?${[user, paged ? 'limit=1' : ''].filter(Boolean).join('&')}`, undefined, user ? admin : demo);
    }
    case 'limits/limit-get-resp':
      return ok('GET', `${base}/limits`, undefined, demo);
    case 'os-quota-sets/quotas-show-get-resp':
      return ok('GET', `${base}/os-quota-sets/${demo.projectId}`);
    case 'os-quota-sets/quotas-show-detail-get-resp':
      return ok('GET', `${base}/os-quota-sets/${demo.projectId}/detail`);
    case 'os-quota-sets/quotas-show-defaults-get-resp':
      return ok('GET', `${base}/os-quota-sets/${demo.projectId}/defaults`);
    case 'os-quota-sets/user-quotas-show-get-resp':
      return ok('GET', `${base}/os-quota-sets/${demo.projectId}?user_id=${demo.userId}`);
    case 'os-quota-sets/quotas-update-post-resp':
    case 'os-quota-sets/quotas-update-force-post-resp':
      return ok('PUT', `${base}/os-quota-sets/${demo.projectId}`, c.request);
    case 'os-quota-sets/user-quotas-update-post-resp':
      return ok('PUT', `${base}/os-quota-sets/${demo.projectId}?user_id=${demo.userId}`, c.request);
    case 'os-quota-class-sets/quota-classes-show-get-resp':
      return ok('GET', `${base}/os-quota-class-sets/test_class`);
    case 'os-quota-class-sets/quota-classes-update-post-resp':
      return ok('PUT', `${base}/os-quota-class-sets/test_class`, c.request);
    case 'os-server-groups/server-groups-post-resp':
      return ok('POST', `${base}/os-server-groups`, c.request, demo);
    case 'os-server-groups/server-groups-get-resp':
    case 'os-server-groups/server-groups-list-resp': {
      // A clean project list, then the group the same folder's post sample creates.
      const listed = (await ok('GET', `${base}/os-server-groups`, undefined, demo)) as { server_groups: { id: string }[] };
      for (const g of listed.server_groups) await demo.req('DELETE', `${base}/os-server-groups/${g.id}`);
      const dir = c.version === '2.1' ? '' : `v${c.version}`;
      const post = JSON.parse(readFileSync(join(SAMPLES, c.resource, dir, 'server-groups-post-req.json'), 'utf8'));
      const g = (await ok('POST', `${base}/os-server-groups`, post, demo)) as { server_group: { id: string } };
      return ok('GET', `${base}/os-server-groups${c.file.includes('get') ? `/${g.server_group.id}` : ''}`, undefined, demo);
    }
    default:
      throw new Error(`no request mapped for sample ${c.resource}/${c.file}`);
  }
}

describe('api samples: keypairs, limits, quotas, server groups', () => {
  const all = cases();
  it('covers every sample file of these resources', () => {
    expect(all.length).toBeGreaterThanOrEqual(40);
  });
  it.each(all.map((c) => [`${c.resource} ${c.version} ${c.file}`, c] as const))('%s has exactly the sample keys', async (_name, c) => {
    const body = await perform(c);
    expect(shape(body)).toEqual(shape(c.sample));
  });
});

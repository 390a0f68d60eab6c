// Nova's api_samples for os-server-shares (v2.97): novasim's answer to each documented request has exactly
// the sample's keys, recursively (admin views with uuid and export_location, member views without), and
// the documented request bodies are accepted as they are (their share ids swapped for a real share).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Simulator } from '../../../src/index.js';
import { referenceDir } from '../../../src/notifier/samples.js';
import { bootServer, type Client, client, startSim } from '../../helpers/sim.js';

const DIR = join(referenceDir(), 'nova', 'api_samples', 'os-server-shares', 'v2.97');
const sample = (f: string) => JSON.parse(readFileSync(join(DIR, `${f}.json`), 'utf8')) as Record<string, Record<string, unknown>>;
const MV = { 'x-openstack-manila-api-version': '2.82' };

function shape(v: unknown): unknown {
  if (Array.isArray(v)) return v.length ? [shape(v[0])] : [];
  if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().map((k) => [k, shape((v as Record<string, unknown>)[k])]));
  return null;
}

let sim: Simulator;
let admin: Client;
let demo: Client;

beforeAll(async () => {
  sim = await startSim({ profile: 'master' });
  admin = await client(sim, 'admin', '2.97');
  demo = await client(sim, 'demo', '2.97');
});
afterAll(() => sim.close());

async function share(): Promise<string> {
  const res = await demo.req('POST', '/share/v2/shares', { share: { share_proto: 'NFS', size: 1 } }, MV);
  const id = res.json().share.id as string;
  await demo.req('GET', `/share/v2/shares/${id}`, undefined, MV);
  return id;
}

async function stopped(): Promise<string> {
  const id = await bootServer(sim, demo, `ss-${Math.random().toString(36).slice(2, 8)}`);
  await demo.req('POST', `/compute/v2.1/servers/${id}/action`, { 'os-stop': null });
  await sim.idle();
  return id;
}

describe('os-server-shares api samples (2.97)', () => {
  it('covers every sample file', () => {
    expect(readdirSync(DIR).sort()).toEqual([
      'server-shares-admin-create-resp.json', 'server-shares-admin-show-resp.json', 'server-shares-create-req.json', 'server-shares-create-resp.json',
      'server-shares-create-tag-req.json', 'server-shares-delete-req.json', 'server-shares-list-resp.json', 'server-shares-show-resp.json',
    ]);
  });

  it('create/show/list answers have the samples\' keys, for members and admins', async () => {
    const server = await stoppedServer();
    const s1 = await share();
    const created = await demo.req('POST', `/compute/v2.1/servers/${server}/shares`, { share: { share_id: s1 } });
    expect(created.statusCode, created.body).toBe(201);
    expect(shape(created.json())).toEqual(shape(sample('server-shares-create-resp')));
    await sim.idle();
    const shown = await demo.req('GET', `/compute/v2.1/servers/${server}/shares/${s1}`);
    expect(shape(shown.json())).toEqual(shape(sample('server-shares-show-resp')));
    // Like the sample, a share attached without a tag is tagged with its own id, and is inactive once allowed.
    expect(shown.json().share.tag).toBe(s1);
    expect(shown.json().share.status).toBe(sample('server-shares-show-resp').share.status);
    const listed = await demo.req('GET', `/compute/v2.1/servers/${server}/shares`);
    expect(shape(listed.json())).toEqual(shape(sample('server-shares-list-resp')));
    const adminShown = await admin.req('GET', `/compute/v2.1/servers/${server}/shares/${s1}`);
    expect(shape(adminShown.json())).toEqual(shape(sample('server-shares-admin-show-resp')));

    const server2 = await stoppedServer();
    const adminCreated = await admin.req('POST', `/compute/v2.1/servers/${server2}/shares`, { share: { share_id: await share() } });
    expect(adminCreated.statusCode).toBe(201);
    expect(shape(adminCreated.json())).toEqual(shape(sample('server-shares-admin-create-resp')));
    expect(adminCreated.json().share.status).toBe('attaching');
  });

  it('accepts the documented request bodies (tags my-share, my-tag)', async () => {
    const server = await stoppedServer();
    for (const f of ['server-shares-create-req', 'server-shares-create-tag-req']) {
      const body = sample(f);
      const id = await share();
      const res = await demo.req('POST', `/compute/v2.1/servers/${server}/shares`, { share: { ...body.share, share_id: id } });
      expect(res.statusCode, `${f}: ${res.body}`).toBe(201);
      expect(res.json().share.tag).toBe(body.share.tag);
      await sim.idle();
    }
  });
});

const stoppedServer = stopped;

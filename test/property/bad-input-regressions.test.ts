// Minimal, deterministic reproductions of what the bad-input properties found on longer runs
// (NOVASIM_FC_SEED=777 NOVASIM_FC_SCALE=5). Each stays here once fixed, as a regression test.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Simulator } from '../../src/index.js';
import { diffSnapshots, envelopeProblem, snapshotDb, toAnswer } from '../helpers/reliability.js';
import { bootServer, client, startSim, type Client } from '../helpers/sim.js';
import { attach, createVolume } from '../helpers/volumes.js';

describe('volume ids that need URL encoding on the Nova → Cinder hop', () => {
  let sim: Simulator;
  let admin: Client;
  let demo: Client;
  let server: string;

  beforeAll(async () => {
    sim = await startSim({ profile: 'zed', volumeCreateDelayMs: 0 });
    admin = await client(sim, 'admin', null);
    demo = await client(sim, 'demo', null);
    server = await bootServer(sim, demo);
    await attach(sim, demo, server, await createVolume(sim, demo, 1, 'v'));
  });
  afterAll(() => sim?.close());

  // Nova passes the path id to cinderclient, whose HTTP layer (requests) percent-encodes it: Cinder
  // looks the odd id up and answers 404, which Nova turns into 404 "Volume <id> could not be found.".
  for (const raw of ['%25', '%60xVh%25', '100%25done', 'a%25zz']) {
    const id = decodeURIComponent(raw);
    it(`DELETE …/os-volume_attachments/${raw} and the admin swap PUT answer 404 Volume ${id} could not be found. (not 500)`, async () => {
      const before = snapshotDb(sim);
      const del = await demo.req('DELETE', `/compute/v2.1/servers/${server}/os-volume_attachments/${raw}`);
      const put = await admin.req('PUT', `/compute/v2.1/servers/${server}/os-volume_attachments/${raw}`, { volumeAttachment: { volumeId: '00000000-0000-4000-8000-000000000000' } });
      for (const res of [del, put]) {
        expect(res.statusCode, res.body).toBe(404);
        expect(res.json()).toEqual({ itemNotFound: { code: 404, message: `Volume ${id} could not be found.` } });
      }
      await sim.idle();
      expect(diffSnapshots(before, snapshotDb(sim))).toEqual([]);
    });
  }
});

describe('connector fields of unexpected JSON types (attachment create / update)', () => {
  let sim: Simulator;
  let demo: Client;
  const server = '01cb8497-94d8-4f57-ac30-fcb64e75df34';
  const h = () => ({ 'x-auth-token': demo.token, 'openstack-api-version': 'volume 3.44' });

  beforeAll(async () => {
    sim = await startSim({ profile: 'master', volumeCreateDelayMs: 0, volumeQuota: -1 });
    demo = await client(sim, 'demo', null);
  });
  afterAll(() => sim?.close());

  /** Never a 5xx; a refusal changes nothing; an acceptance leaves attachment and volume in step. */
  async function judge(volumeId: string, send: () => Promise<import('fastify').LightMyRequestResponse>) {
    const before = snapshotDb(sim);
    const res = await send();
    await sim.idle();
    expect(res.statusCode, res.body).toBeLessThan(500);
    expect(envelopeProblem('volume', toAnswer(res))).toBeNull();
    if (res.statusCode >= 400) expect(diffSnapshots(before, snapshotDb(sim))).toEqual([]);
    else {
      const vol = sim.services.db.prepare('SELECT status, attach_status FROM volumes WHERE id = ?').get(volumeId) as { status: string; attach_status: string };
      const atts = sim.services.db.prepare('SELECT attach_status FROM volume_attachments WHERE volume_id = ?').all(volumeId) as { attach_status: string }[];
      expect({ vol, atts }).toEqual({ vol: { status: 'attaching', attach_status: 'attaching' }, atts: [{ attach_status: 'attaching' }] });
    }
  }

  for (const [field, value] of [['host', { x: 1 }], ['host', true], ['host', ['a', 'b']], ['mountpoint', { x: 1 }], ['mountpoint', false]] as const) {
    it(`POST /attachments with connector.${field} = ${JSON.stringify(value)}`, async () => {
      const vol = await createVolume(sim, demo, 1, 'c');
      await judge(vol, () => sim.app.inject({
        method: 'POST', url: `/volume/v3/${demo.projectId}/attachments`, headers: h(),
        payload: { attachment: { volume_uuid: vol, instance_uuid: server, connector: { host: 'h', initiator: 'iqn.x', [field]: value } } },
      }));
    });

    it(`PUT /attachments/{id} with connector.${field} = ${JSON.stringify(value)}`, async () => {
      const vol = await createVolume(sim, demo, 1, 'u');
      const created = await sim.app.inject({ method: 'POST', url: `/volume/v3/${demo.projectId}/attachments`, headers: h(), payload: { attachment: { volume_uuid: vol, instance_uuid: server } } });
      expect(created.statusCode).toBe(200);
      const id = created.json().attachment.id as string;
      const res = () => sim.app.inject({
        method: 'PUT', url: `/volume/v3/${demo.projectId}/attachments/${id}`, headers: h(),
        payload: { attachment: { connector: { host: 'h', initiator: 'iqn.x', [field]: value } } },
      });
      // The reserved attachment is the "before" state a refusal must keep.
      const before = snapshotDb(sim);
      const r = await res();
      await sim.idle();
      expect(r.statusCode, r.body).toBeLessThan(500);
      if (r.statusCode >= 400) expect(diffSnapshots(before, snapshotDb(sim))).toEqual([]);
      else {
        const v = sim.services.db.prepare('SELECT status FROM volumes WHERE id = ?').get(vol) as { status: string };
        const a = sim.services.db.prepare('SELECT attach_status FROM volume_attachments WHERE id = ?').get(id) as { attach_status: string };
        expect([v.status, a.attach_status]).toEqual(['attaching', 'attaching']);
      }
    });
  }
});

// Cinder ↔ Nova over real HTTP inside the simulator (cinder-fake.md §4.3): a retype of an attached
// volume makes the fake Cinder call Nova's swap API as the [nova] user; Nova's compute swaps and
// calls os-migrate_volume_completion back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootServer, client, type Client } from '../../helpers/sim.js';
import { attach } from '../../helpers/volumes.js';
import { startCinder, type CinderHarness, type CinderUser } from './harness.js';

async function settle(h: CinderHarness, done: () => boolean, ms = 5000) {
  const t0 = Date.now();
  while (!done() && Date.now() - t0 < ms) {
    await h.backend.idle();
    await h.sim.idle();
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('Cinder-initiated migration through the simulator’s Nova', () => {
  let h: CinderHarness;
  let demo: CinderUser;
  let nova: Client;
  let server: string;
  beforeAll(async () => {
    h = await startCinder();
    demo = await h.as('demo');
    nova = await client(h.sim, 'demo', null);
    server = await bootServer(h.sim, nova);
  });
  afterAll(() => h.close());

  it('retype on-demand of an in-use volume: Nova swaps, completion keeps the volume id', async () => {
    const v = await demo.createVolume({ name: 'moving' });
    await attach(h.sim, nova, server, v.id as string);
    const before = h.backend.attachmentsOf(v.id as string);
    expect(before).toHaveLength(1);
    const res = await demo.action(v.id as string, { 'os-retype': { new_type: 'lvmdriver-2', migration_policy: 'on-demand' } });
    expect(res.statusCode).toBe(202);
    await settle(h, () => ['success', 'error'].includes(h.backend.volume(v.id as string)?.migration_status ?? ''));
    const row = h.backend.volume(v.id as string)!;
    expect(h.backend.taskErrors).toEqual([]);
    expect(row).toMatchObject({ status: 'in-use', attach_status: 'attached', migration_status: 'success', host: 'novasim@lvmdriver-2#lvmdriver-2' });
    expect(row.name_id).not.toBeNull();
    const atts = h.backend.attachmentsOf(v.id as string);
    expect(atts).toHaveLength(1);
    expect(atts[0].id).not.toBe(before[0].id);
    expect(atts[0].instance_uuid).toBe(server);
    await settle(h, () => h.backend.volume(row.name_id!) === undefined);
    expect(h.backend.volume(row.name_id!)).toBeUndefined();
    const list = await nova.req('GET', `/compute/v2.1/servers/${server}/os-volume_attachments`);
    expect(list.json().volumeAttachments.map((a: { volumeId: string }) => a.volumeId)).toEqual([v.id]);
  });
});

describe('Cinder-initiated migration through Nova (zed)', () => {
  it('os-migrate_volume of an attached volume ends in-use on the other backend', async () => {
    const h = await startCinder({ profile: 'zed' });
    try {
      const demo = await h.as('demo');
      const admin = await h.as('admin');
      const nova = await client(h.sim, 'demo', null);
      const server = await bootServer(h.sim, nova);
      const v = await demo.createVolume({ volume_type: '__DEFAULT__' });
      await attach(h.sim, nova, server, v.id as string);
      const res = await admin.action(v.id as string, { 'os-migrate_volume': { host: 'novasim@lvmdriver-2', force_host_copy: false, lock_volume: false } });
      expect(res.statusCode).toBe(202);
      await settle(h, () => ['success', 'error'].includes(h.backend.volume(v.id as string)?.migration_status ?? ''));
      expect(h.backend.volume(v.id as string)).toMatchObject({ status: 'in-use', migration_status: 'success', host: 'novasim@lvmdriver-2#lvmdriver-2' });
      const shown = await admin.volume(v.id as string);
      expect(shown.attachments).toMatchObject([{ server_id: server, volume_id: v.id }]);
    } finally {
      await h.close();
    }
  });
});

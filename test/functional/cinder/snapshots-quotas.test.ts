// Cinder breadth over HTTP: snapshots (force while in-use, status transitions, metadata, refusing to delete a
// volume that has snapshots), quotas and limits, and os-extend of an attached volume telling Nova
// (POST /os-server-external-events, volume-extended) over real HTTP.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startCinder, type CinderHarness, type CinderUser } from './harness.js';

const SERVER = '8a3c9a52-6c1e-4e58-9e3c-1f2d3e4a5b6c';

describe('fake Cinder: snapshots, quotas, limits', () => {
  let h: CinderHarness;
  let demo: CinderUser;
  let admin: CinderUser;
  beforeAll(async () => {
    h = await startCinder();
    demo = await h.as('demo');
    admin = await h.as('admin');
  });
  afterAll(() => h.close());
  afterEach(() => h.sim.reset());

  const inUse = async (u: CinderUser) => {
    const v = await u.createVolume();
    expect((await u.action(v.id as string, { 'os-reserve': {} })).statusCode).toBe(202);
    expect((await u.action(v.id as string, { 'os-attach': { instance_uuid: SERVER, mountpoint: '/dev/vdb' } })).statusCode).toBe(202);
    await h.idle();
    expect((await u.volume(v.id as string)).status).toBe('in-use');
    return v.id as string;
  };

  it('creates (creating → available), lists, shows, updates and deletes a snapshot', async () => {
    const v = await demo.createVolume({ size: 2 });
    const res = await demo.post('/snapshots', { snapshot: { volume_id: v.id, name: ' s1 ', description: 'd', metadata: { k: 'v' } } });
    expect(res.statusCode).toBe(202);
    const s = res.json().snapshot;
    expect(s).toMatchObject({ name: 's1', description: 'd', volume_id: v.id, status: 'creating', size: 2, metadata: { k: 'v' } });
    await h.idle();
    const shown = (await demo.get(`/snapshots/${s.id}`, { version: '3.65' })).json().snapshot;
    expect(shown).toMatchObject({
      status: 'available', 'os-extended-snapshot-attributes:progress': '100%', 'os-extended-snapshot-attributes:project_id': demo.projectId,
      user_id: demo.userId, consumes_quota: true, group_snapshot_id: null,
    });
    expect((await demo.get('/snapshots')).json().snapshots.map((x: { id: string }) => x.id)).toEqual([s.id]);
    expect((await demo.get(`/snapshots/detail?volume_id=${v.id}`)).json().snapshots[0].status).toBe('available');
    const upd = await demo.put(`/snapshots/${s.id}`, { snapshot: { name: 'renamed' } });
    expect(upd.statusCode).toBe(200);
    expect(upd.json().snapshot.name).toBe('renamed');
    expect((await demo.post(`/snapshots/${s.id}/metadata`, { metadata: { a: 'b' } })).json().metadata).toEqual({ k: 'v', a: 'b' });

    // The volume cannot go while it has snapshots (API.delete volume_has_snapshots_filter).
    const refused = await demo.delete(`/volumes/${v.id}`);
    expect(refused.statusCode).toBe(400);
    expect(refused.json().badRequest.message).toContain('have snapshots');
    // Quota: a snapshot counts and consumes gigabytes.
    const q = (await demo.get(`/os-quota-sets/${demo.projectId}?usage=True`)).json().quota_set;
    expect(q.snapshots).toEqual({ limit: 10, in_use: 1, reserved: 0 });
    expect(q.gigabytes).toEqual({ limit: 1000, in_use: 4, reserved: 0 });
    expect((await demo.get('/limits')).json().limits.absolute).toMatchObject({ totalSnapshotsUsed: 1, totalGigabytesUsed: 4, maxTotalVolumes: 10, totalVolumesUsed: 1 });

    // A volume from the snapshot: its size by default, never smaller.
    const small = await demo.post('/volumes', { volume: { snapshot_id: s.id, size: 1 } });
    expect(small.json().badRequest.message).toBe("Invalid input received: Volume size '1'GB cannot be smaller than the snapshot size 2GB. They must be >= original snapshot size.");
    const fromSnap = await demo.post('/volumes', { volume: { snapshot_id: s.id, name: 'from-snap' } });
    expect(fromSnap.statusCode).toBe(202);
    expect(fromSnap.json().volume).toMatchObject({ size: 2, snapshot_id: s.id });
    await h.idle();
    const unknown = await demo.post('/volumes', { volume: { snapshot_id: '00000000-0000-4000-8000-000000000000' } });
    expect(unknown.json().itemNotFound.message).toBe('Snapshot 00000000-0000-4000-8000-000000000000 could not be found.');
    expect((await demo.delete(`/volumes/${fromSnap.json().volume.id}`)).statusCode).toBe(202);
    await h.idle();

    expect((await demo.delete(`/snapshots/${s.id}`)).statusCode).toBe(202);
    expect((await demo.get(`/snapshots/${s.id}`)).json().snapshot.status).toBe('deleting');
    await h.idle();
    const gone = await demo.get(`/snapshots/${s.id}`);
    expect(gone.statusCode).toBe(404);
    expect(gone.json()).toEqual({ itemNotFound: { code: 404, message: `Snapshot ${s.id} could not be found.` } });
    expect((await demo.delete(`/volumes/${v.id}`)).statusCode).toBe(202);
  });

  it('needs force for an in-use volume before 3.66, refuses force=false from 3.66, and cascades a delete', async () => {
    const id = await inUse(demo);
    const plain = await demo.post('/snapshots', { snapshot: { volume_id: id } });
    expect(plain.statusCode).toBe(400);
    expect(plain.json().badRequest.message).toBe(`Invalid volume: Volume ${id} status must be available, but current status is: in-use.`);
    const forced = await demo.post('/snapshots', { snapshot: { volume_id: id, force: true } });
    expect(forced.statusCode).toBe(202);
    const noForce = await demo.post('/snapshots', { snapshot: { volume_id: id, force: false } }, { version: '3.66' });
    expect(noForce.statusCode).toBe(400);
    expect(noForce.json().badRequest.message).toMatch(/^Since microversion 3.66 the 'force' flag is invalid for this request/);
    expect((await demo.post('/snapshots', { snapshot: { volume_id: id } }, { version: '3.66' })).statusCode).toBe(202);
    await h.idle();

    const v = await demo.createVolume();
    await demo.post('/snapshots', { snapshot: { volume_id: v.id } });
    await h.idle();
    expect((await demo.delete(`/volumes/${v.id}?cascade=true`)).statusCode).toBe(202);
    await h.idle();
    expect((await demo.get(`/snapshots?volume_id=${v.id}`)).json().snapshots).toEqual([]);
  });

  it('applies quotas set by an admin (PUT os-quota-sets) and refuses members and bad input', async () => {
    expect((await demo.put(`/os-quota-sets/${demo.projectId}`, { quota_set: { snapshots: 1 } })).json()).toEqual({
      forbidden: { code: 403, message: "Policy doesn't allow volume_extension:quotas:update to be performed." },
    });
    const set = await admin.put(`/os-quota-sets/${demo.projectId}`, { quota_set: { snapshots: 1, volumes: 5 } });
    expect(set.statusCode).toBe(200);
    expect(set.json().quota_set).toMatchObject({ snapshots: 1, volumes: 5, gigabytes: 1000 });
    expect((await demo.get(`/os-quota-sets/${demo.projectId}`)).json().quota_set).toMatchObject({ id: demo.projectId, snapshots: 1, volumes: 5 });
    expect((await demo.get(`/os-quota-sets/${admin.projectId}`)).statusCode).toBe(403);
    expect((await demo.get(`/os-quota-sets/${demo.projectId}/defaults`)).json().quota_set.snapshots).toBe(10);
    const v = await demo.createVolume();
    expect((await demo.post('/snapshots', { snapshot: { volume_id: v.id } })).statusCode).toBe(202);
    const over = await demo.post('/snapshots', { snapshot: { volume_id: v.id } });
    expect(over.statusCode).toBe(413);
    expect(over.headers['retry-after']).toBe('0');
    expect(over.json().overLimit.message).toBe('SnapshotLimitExceeded: Maximum number of snapshots allowed (1) exceeded');
    const below = await admin.put(`/os-quota-sets/${demo.projectId}`, { quota_set: { volumes: 0 } });
    expect(below.json().badRequest.message).toBe('Quota volumes limit must be equal or greater than existing resources. Current usage is 1 and the requested limit is 0.');
    expect((await admin.put(`/os-quota-sets/${demo.projectId}`, { quota_set: { nope: 1 } })).json().badRequest.message).toBe('Invalid input received: Bad key(s) in quota set: nope');
    expect((await admin.put(`/os-quota-sets/${demo.projectId}`, { quota_set: { volumes: 'x' } })).json().badRequest.message).toBe('Invalid input received: volumes must be an integer.');
    for (const body of [{}, { snapshot: {} }, { snapshot: { volume_id: 'nope' } }, { snapshot: { volume_id: v.id, force: 'maybe' } }, { snapshot: { volume_id: v.id, extra: 1 } }]) {
      const res = await demo.post('/snapshots', body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.json().badRequest.code).toBe(400);
    }
    expect((await demo.put(`/snapshots/00000000-0000-0000-0000-000000000000`, { snapshot: { name: 'x' } })).statusCode).toBe(404);
    const mine = (await demo.get('/snapshots')).json().snapshots[0].id;
    expect((await demo.post(`/snapshots/${mine}/action`, { 'os-force_delete': {} })).json().forbidden.message).toBe(
      "Policy doesn't allow volume_extension:snapshot_admin_actions:force_delete to be performed.",
    );
    expect((await admin.post(`/snapshots/${mine}/action`, { 'os-force_delete': {} }, { urlProject: admin.projectId })).statusCode).toBe(202);
    await h.idle();
    expect((await demo.get(`/snapshots/${mine}`)).statusCode).toBe(404);
  });
});

describe('fake Cinder: extending an attached volume notifies Nova over HTTP', () => {
  let h: CinderHarness;
  let nova: Server;
  const seen: { url: string; token: string; version: string; body: unknown }[] = [];
  beforeAll(async () => {
    nova = createServer((req: IncomingMessage, res) => {
      let data = '';
      req.on('data', (c) => (data += c));
      req.on('end', () => {
        seen.push({ url: req.url ?? '', token: String(req.headers['x-auth-token']), version: String(req.headers['x-openstack-nova-api-version']), body: JSON.parse(data || 'null') });
        const events = (JSON.parse(data || '{"events":[]}') as { events: Record<string, unknown>[] }).events;
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ events: events.map((e) => ({ ...e, status: 'completed', code: 200 })) }));
      });
    });
    await new Promise<void>((r) => nova.listen(0, '127.0.0.1', r));
    h = await startCinder({ config: { novaUrl: `http://127.0.0.1:${(nova.address() as AddressInfo).port}/compute/v2.1` } });
  });
  afterAll(async () => {
    await h.close();
    await new Promise((r) => nova.close(r));
  });

  it('extends an in-use volume at 3.42 and posts volume-extended as the nova service user', async () => {
    const demo = await h.as('demo');
    const v = await demo.createVolume();
    await demo.action(v.id as string, { 'os-reserve': {} });
    await demo.action(v.id as string, { 'os-attach': { instance_uuid: SERVER, mountpoint: '/dev/vdb' } });
    await h.idle();
    const old = await demo.action(v.id as string, { 'os-extend': { new_size: 2 } });
    expect(old.statusCode).toBe(400);
    expect(old.json().badRequest.message).toBe(`Invalid volume: Volume ${v.id} status must be '{'status': 'available'}' to extend, currently in-use.`);
    expect(seen).toEqual([]);
    const ok = await demo.action(v.id as string, { 'os-extend': { new_size: 2 } }, { version: '3.42' });
    expect(ok.statusCode).toBe(202);
    await h.idle();
    const after = await demo.volume(v.id as string);
    expect(after).toMatchObject({ size: 2, status: 'in-use' });
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({
      url: '/compute/v2.1/os-server-external-events',
      version: '2.51',
      body: { events: [{ name: 'volume-extended', server_uuid: SERVER, tag: v.id }] },
    });
    // The privileged [nova] user's token, not the caller's.
    const who = await h.app.inject({ url: '/identity/v3/auth/tokens', headers: { 'x-auth-token': seen[0].token, 'x-subject-token': seen[0].token } });
    expect(who.json().token.user.name).toBe('nova');
  });
});

describe('fake Cinder: backups (minimal)', () => {
  let h: CinderHarness;
  beforeAll(async () => {
    h = await startCinder();
  });
  afterAll(() => h.close());

  it('backs up (volume backing-up → back), lists, restores into a new volume (refusing a too small one), and deletes', async () => {
    const demo = await h.as('demo');
    const v = await demo.createVolume({ size: 2 });
    const res = await demo.post('/backups', { backup: { volume_id: v.id, name: 'b1' } });
    expect(res.statusCode).toBe(202);
    const b = res.json().backup;
    expect(b).toMatchObject({ name: 'b1' });
    expect(b.links[0].href).toMatch(new RegExp(`/volume/v3/${demo.projectId}/backups/${b.id}$`));
    expect((await demo.volume(v.id as string)).status).toBe('backing-up');
    await h.idle();
    expect((await demo.volume(v.id as string)).status).toBe('available');
    const shown = (await demo.get(`/backups/${b.id}`, { version: '3.56' })).json().backup;
    expect(shown).toMatchObject({ status: 'available', size: 2, volume_id: v.id, is_incremental: false, container: 'volumebackups', metadata: {}, user_id: demo.userId });
    expect((await demo.get('/backups/detail')).json().backups).toHaveLength(1);

    const restored = await demo.post(`/backups/${b.id}/restore`, { restore: { name: 'from-backup' } });
    expect(restored.statusCode).toBe(202);
    const r = restored.json().restore;
    expect(r).toMatchObject({ backup_id: b.id, volume_name: 'from-backup' });
    expect((await demo.get(`/backups/${b.id}`)).json().backup.status).toBe('restoring');
    await h.idle();
    expect(await demo.volume(r.volume_id)).toMatchObject({ status: 'available', size: 2 });
    const small = await demo.createVolume({ size: 1 });
    const tooSmall = await demo.post(`/backups/${b.id}/restore`, { restore: { volume_id: small.id } });
    expect(tooSmall.statusCode).toBe(400);
    expect(tooSmall.json().badRequest.message).toBe(`Invalid input received: volume size 1 is too small to restore backup of size 2.`);

    const id = await (async () => {
      await demo.action(small.id as string, { 'os-reserve': {} });
      await demo.action(small.id as string, { 'os-attach': { instance_uuid: SERVER, mountpoint: '/dev/vdc' } });
      await h.idle();
      return small.id as string;
    })();
    const noForce = await demo.post('/backups', { backup: { volume_id: id } });
    expect(noForce.json().badRequest.message).toBe('Invalid volume: Backing up an in-use volume must use the force flag.');
    expect((await demo.post('/backups', { backup: { volume_id: id, force: true } })).statusCode).toBe(202);
    await h.idle();
    expect((await demo.volume(id)).status).toBe('in-use');

    expect((await demo.delete(`/backups/${b.id}`)).statusCode).toBe(202);
    await h.idle();
    expect((await demo.get(`/backups/${b.id}`)).json()).toEqual({ itemNotFound: { code: 404, message: `Backup ${b.id} could not be found.` } });
    for (const body of [{}, { backup: {} }, { backup: { volume_id: 'x' } }, { backup: { volume_id: v.id, bogus: 1 } }]) {
      expect((await demo.post('/backups', body)).statusCode, JSON.stringify(body)).toBe(400);
    }
  });
});

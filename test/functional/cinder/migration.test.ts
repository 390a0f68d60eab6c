// Retype / migration and os-migrate_volume_completion (cinder-fake.md §3.4, §3.5, §4.2, §4.3).
// Nova's side is played by the real compute CinderClient over HTTP, driven by a FakeNova port.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CinderClient } from '../../../src/compute/cinder-client.js';
import type { RequestContext } from '../../../src/domain.js';
import { FakeNova, startCinder, type CinderHarness, type CinderUser } from './harness.js';

const SERVER = '5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b';
const CONNECTOR = { host: 'compute', ip: '10.0.0.5', initiator: 'iqn.1993-08.org.debian:01:abc', multipath: false };
const V44 = { version: '3.44' };

async function attachToServer(u: CinderUser, volumeId: unknown, server = SERVER): Promise<string> {
  const a = (await u.post('/attachments', { attachment: { volume_uuid: volumeId, instance_uuid: server, connector: null } }, V44)).json().attachment;
  await u.put(`/attachments/${a.id}`, { attachment: { connector: { ...CONNECTOR, mountpoint: '/dev/vdb' } } }, V44);
  await u.post(`/attachments/${a.id}/action`, { 'os-complete': null }, V44);
  return a.id;
}

describe('fake Cinder migration and retype', () => {
  let h: CinderHarness;
  let demo: CinderUser;
  let admin: CinderUser;
  let novaCtx: RequestContext;
  let client: CinderClient;
  const nova = new FakeNova();
  let flow: Promise<unknown> = Promise.resolve();

  beforeAll(async () => {
    h = await startCinder({ nova, config: { volumeQuota: 100, cinderRetryDelayMs: 0 } });
    demo = await h.as('demo');
    admin = await h.as('admin');
    const l = await h.login('nova');
    novaCtx = { requestId: 'req-nova', userId: l.userId, projectId: l.projectId, roles: ['admin', 'member', 'reader', 'service'], isAdmin: true, authToken: l.token };
    client = new CinderClient(h.services);
  });
  afterEach(() => {
    nova.onSwap = null;
    nova.failSwap = null;
  });
  afterAll(() => h.close());

  /** nova-compute's swap for a Cinder migration (§4.1 with is_cinder_migration), started after the 202. */
  function novaSwaps(opts: { fail?: boolean } = {}) {
    nova.onSwap = ({ oldVolumeId, newVolumeId }) => {
      flow = (async () => {
        const old = await client.get(novaCtx, oldVolumeId);
        await client.get(novaCtx, newVolumeId);
        await client.beginDetaching(novaCtx, oldVolumeId);
        const a2 = await client.attachmentCreate(novaCtx, newVolumeId, SERVER);
        const isMigration = old.migration_status === 'migrating';
        try {
          if (opts.fail) throw new Error('driver swap failed');
          await client.attachmentUpdate(novaCtx, a2.id, CONNECTOR, '/dev/vdb');
          await client.attachmentComplete(novaCtx, a2.id);
        } catch (e) {
          await client.rollDetaching(novaCtx, oldVolumeId);
          await client.attachmentDelete(novaCtx, a2.id);
          const r = await client.migrateVolumeCompletion(novaCtx, oldVolumeId, newVolumeId, true);
          return { failed: e, save: r.save_volume_id };
        }
        await client.attachmentDelete(novaCtx, old.attachments![SERVER].attachment_id);
        const r = isMigration ? await client.migrateVolumeCompletion(novaCtx, oldVolumeId, newVolumeId, false) : { save_volume_id: newVolumeId };
        return { save: r.save_volume_id, a2: a2.id };
      })();
    };
  }

  it('refuses a retype to the same type (400)', async () => {
    const v = await demo.createVolume();
    const res = await demo.action(v.id as string, { 'os-retype': { new_type: 'lvmdriver-1' } });
    expect(res.statusCode).toBe(400);
    expect(res.json().badRequest.message).toBe(
      'Invalid volume: Retype needs volume to be in available or in-use state, not be part of an active migration or a consistency group, requested type has to be different that the one from the volume, and for in-use volumes front-end qos specs cannot change.',
    );
    const unknown = await demo.action(v.id as string, { 'os-retype': { new_type: 'gold' } });
    expect(unknown.json().itemNotFound.message).toBe('Volume type with name gold could not be found.');
    const nullPolicy = await demo.action(v.id as string, { 'os-retype': { new_type: 'lvmdriver-2', migration_policy: null } });
    expect(nullPolicy.json().badRequest.message).toBe("Invalid input for field/attribute migration_policy. Value: None. None is not one of ['on-demand', 'never']");
  });

  it('policy never + a type on another backend: 202, then the volume is back unchanged', async () => {
    const v = await demo.createVolume();
    const res = await demo.action(v.id as string, { 'os-retype': { new_type: 'lvmdriver-2', migration_policy: 'never' } });
    expect(res.statusCode).toBe(202);
    expect((await demo.volume(v.id as string)).status).toBe('retyping');
    await h.idle();
    expect(await demo.volume(v.id as string)).toMatchObject({ status: 'available', volume_type: 'lvmdriver-1' });
  });

  it('retypes in place when the backend accepts the new type', async () => {
    const v = await demo.createVolume({ volume_type: '__DEFAULT__' });
    await demo.action(v.id as string, { 'os-retype': { new_type: 'lvmdriver-1' } });
    await h.idle();
    expect(await demo.volume(v.id as string)).toMatchObject({ status: 'available', volume_type: 'lvmdriver-1' });
    expect(nova.swaps).toEqual([]);
  });

  it('on-demand retype of a detached volume moves it with the driver (no Nova, no name_id)', async () => {
    const v = await demo.createVolume();
    await demo.action(v.id as string, { 'os-retype': { new_type: 'lvmdriver-2', migration_policy: 'on-demand' } });
    await h.idle();
    const row = h.backend.volume(v.id as string)!;
    expect(row).toMatchObject({ status: 'available', host: 'novasim@lvmdriver-2#lvmdriver-2', migration_status: 'success', name_id: null });
    expect((await demo.volume(v.id as string)).volume_type).toBe('lvmdriver-2');
    expect(nova.swaps).toEqual([]);
  });

  it('on-demand retype of an in-use volume runs the Nova swap and ends as §4.3 says', async () => {
    const v = await demo.createVolume();
    const a1 = await attachToServer(demo, v.id);
    nova.attachments.set(`${SERVER}/${v.id}`, a1);
    novaSwaps();
    const res = await demo.action(v.id as string, { 'os-retype': { new_type: 'lvmdriver-2', migration_policy: 'on-demand' } });
    expect(res.statusCode).toBe(202);
    await h.idle();
    expect(nova.swaps.at(-1)).toMatchObject({ serverId: SERVER, oldVolumeId: v.id });
    const newId = nova.swaps.at(-1)!.newVolumeId;
    const outcome = (await flow) as { save: string; a2: string };
    await h.idle();
    expect(outcome.save).toBe(v.id);
    const after = await admin.volume(v.id as string, { version: '3.63' });
    expect(after).toMatchObject({
      status: 'in-use',
      migration_status: 'success',
      volume_type: 'lvmdriver-2',
      'os-vol-host-attr:host': 'novasim@lvmdriver-2#lvmdriver-2',
      'os-vol-mig-status-attr:name_id': newId,
    });
    expect(after.attachments).toMatchObject([{ attachment_id: outcome.a2, server_id: SERVER, volume_id: v.id }]);
    expect((await admin.get(`/volumes/${newId}`)).statusCode).toBe(404);
    expect(h.backend.attachment(a1)).toBeUndefined();
  });

  it('os-migrate_volume of an in-use volume (type without backend) does the same with status in-use', async () => {
    const v = await demo.createVolume({ volume_type: '__DEFAULT__' });
    const a1 = await attachToServer(demo, v.id);
    nova.attachments.set(`${SERVER}/${v.id}`, a1);
    let seenDuring: Record<string, unknown> | null = null;
    let hiddenFromDemo: boolean | null = null;
    nova.onSwap = async ({ oldVolumeId, newVolumeId }) => {
      seenDuring = h.backend.volume(oldVolumeId) as unknown as Record<string, unknown>;
      const list = (await demo.get('/volumes/detail')).json().volumes as { id: string }[];
      hiddenFromDemo = !list.some((x) => x.id === newVolumeId);
      expect(h.backend.volume(newVolumeId)).toMatchObject({ status: 'available', migration_status: `target:${oldVolumeId}`, use_quota: false });
      novaSwaps();
      nova.onSwap!({ serverId: SERVER, oldVolumeId, newVolumeId });
      novaSwaps();
    };
    const res = await admin.action(v.id as string, { 'os-migrate_volume': { host: 'novasim@lvmdriver-2', force_host_copy: false, lock_volume: false } });
    expect(res.statusCode).toBe(202);
    await h.idle();
    expect(seenDuring).toMatchObject({ status: 'in-use', migration_status: 'migrating' });
    expect(hiddenFromDemo).toBe(true);
    const outcome = (await flow) as { save: string };
    await h.idle();
    expect(outcome.save).toBe(v.id);
    expect(h.backend.volume(v.id as string)).toMatchObject({ status: 'in-use', attach_status: 'attached', migration_status: 'success', host: 'novasim@lvmdriver-2#lvmdriver-2' });
  });

  it('keeps a migrating volume in its status when its last attachment goes, and ignores begin_detaching', async () => {
    const v = await demo.createVolume({ volume_type: '__DEFAULT__' });
    const a1 = await attachToServer(demo, v.id);
    nova.onSwap = () => undefined; // Nova accepted the swap but has not acted yet.
    await admin.action(v.id as string, { 'os-migrate_volume': { host: 'novasim@lvmdriver-2' } });
    await h.idle();
    expect(h.backend.volume(v.id as string)?.migration_status).toBe('migrating');
    expect((await demo.action(v.id as string, { 'os-begin_detaching': null })).statusCode).toBe(202);
    expect(h.backend.volume(v.id as string)?.status).toBe('in-use');
    const svc = await h.login('nova');
    await demo.delete(`/attachments/${a1}`, { ...V44, headers: { 'x-service-token': svc.token } });
    expect(h.backend.volume(v.id as string)).toMatchObject({ status: 'in-use', attach_status: 'detached' });
  });

  it('rolls back when Nova fails after attachment_create: completion with error=true', async () => {
    const v = await demo.createVolume();
    const a1 = await attachToServer(demo, v.id);
    novaSwaps({ fail: true });
    await demo.action(v.id as string, { 'os-retype': { new_type: 'lvmdriver-2', migration_policy: 'on-demand' } });
    await h.idle();
    const newId = nova.swaps.at(-1)!.newVolumeId;
    const outcome = (await flow) as { save: string; failed: Error };
    await h.idle();
    expect(outcome.save).toBe(v.id);
    expect(h.backend.volume(v.id as string)).toMatchObject({ status: 'in-use', attach_status: 'attached', migration_status: 'error', host: 'novasim@lvmdriver-1#lvmdriver-1' });
    expect((await demo.volume(v.id as string)).volume_type).toBe('lvmdriver-1');
    expect(h.backend.attachment(a1)?.attach_status).toBe('attached');
    expect(h.backend.volume(newId)).toBeUndefined();
  });

  it('a failing Nova call (fault migration.call_nova) deletes the target and marks the migration error', async () => {
    const v = await demo.createVolume();
    await attachToServer(demo, v.id);
    h.faults.add({ service: 'cinder', operation: 'migration.call_nova', error: { status: 409, message: 'Instance is locked' } });
    await demo.action(v.id as string, { 'os-retype': { new_type: 'lvmdriver-2', migration_policy: 'on-demand' } });
    await h.idle();
    expect(h.backend.volume(v.id as string)).toMatchObject({ status: 'in-use', migration_status: 'error', volume_type_id: h.backend.volume(v.id as string)!.volume_type_id });
    const targets = h.backend.allVolumes().filter((x) => x.migration_status === `target:${v.id}` || x.migration_status === 'deleting');
    expect(targets).toEqual([]);
  });

  it('a real Nova refusing the PUT is a migration error too', async () => {
    const v = await demo.createVolume();
    await attachToServer(demo, v.id);
    nova.failSwap = new Error('409 locked');
    await demo.action(v.id as string, { 'os-retype': { new_type: 'lvmdriver-2', migration_policy: 'on-demand' } });
    await h.idle();
    expect(h.backend.volume(v.id as string)).toMatchObject({ status: 'in-use', migration_status: 'error' });
  });

  it('a target that fails to create (fault migration.create_target) never reaches Nova', async () => {
    const v = await demo.createVolume();
    await attachToServer(demo, v.id);
    const before = nova.swaps.length;
    h.faults.add({ service: 'cinder', operation: 'migration_create_target', error: { status: 500, message: 'no space' } });
    await demo.action(v.id as string, { 'os-retype': { new_type: 'lvmdriver-2', migration_policy: 'on-demand' } });
    await h.idle();
    expect(nova.swaps.length).toBe(before);
    expect(h.backend.volume(v.id as string)).toMatchObject({ status: 'in-use', migration_status: 'error' });
  });

  it('gives up when the target is not available in time (migration_create_volume_timeout_secs)', async () => {
    const v = await demo.createVolume();
    await attachToServer(demo, v.id);
    const before = nova.swaps.length;
    h.services.config.migrationCreateTimeoutMs = 30;
    try {
      h.faults.add({ service: 'cinder', operation: 'volume_create_task', error: { delay_ms: 150 } });
      await demo.action(v.id as string, { 'os-retype': { new_type: 'lvmdriver-2', migration_policy: 'on-demand' } });
      await h.idle();
    } finally {
      h.services.config.migrationCreateTimeoutMs = 300_000;
    }
    expect(nova.swaps.length).toBe(before);
    expect(h.backend.volume(v.id as string)).toMatchObject({ status: 'in-use', migration_status: 'error' });
    expect(h.backend.allVolumes().some((x) => x.migration_status === `target:${v.id}`)).toBe(false);
    expect(String(h.backend.taskErrors.at(-1))).toContain('Volume migration failed: timeout creating new_volume on destination');
  });

  it('os-migrate_volume: admin only; same or unknown host and bad host/cluster combinations are 400', async () => {
    const v = await demo.createVolume({ volume_type: '__DEFAULT__' });
    const denied = await demo.action(v.id as string, { 'os-migrate_volume': { host: 'novasim@lvmdriver-2' } });
    expect(denied.statusCode).toBe(403);
    expect(denied.json().forbidden.message).toBe("Policy doesn't allow volume_extension:volume_admin_actions:migrate_volume to be performed.");
    const same = await admin.action(v.id as string, { 'os-migrate_volume': { host: 'novasim@lvmdriver-1#lvmdriver-1' } });
    expect(same.json().badRequest.message).toBe(
      `Invalid volume: Volume ${v.id} status must be available or in-use, must not be migrating, have snapshots, be replicated, be part of a group and destination host/cluster must be different than the current one`,
    );
    const nowhere = await admin.action(v.id as string, { 'os-migrate_volume': { host: 'elsewhere@lvm' } });
    expect(nowhere.json().badRequest.message).toBe("Invalid host: No available service named 'elsewhere@lvm'");
    const both = await admin.action(v.id as string, { 'os-migrate_volume': { host: 'novasim@lvmdriver-2', cluster: 'c1' } }, { version: '3.16' });
    expect(both.json().badRequest.message).toBe('Invalid input received: One and only one of cluster and host must be set.');
    const noHost = await admin.action(v.id as string, { 'os-migrate_volume': { host: '' } });
    expect(noHost.json().badRequest.message).toBe('Invalid input received: Host field is missing.');
  });

  it('os-migrate_volume of an available volume moves it at once; a type pinned to a backend cannot move', async () => {
    const v = await demo.createVolume({ volume_type: '__DEFAULT__' });
    expect((await admin.action(v.id as string, { 'os-migrate_volume': { host: 'novasim@lvmdriver-2' } })).statusCode).toBe(202);
    await h.idle();
    expect(h.backend.volume(v.id as string)).toMatchObject({ status: 'available', migration_status: 'success', host: 'novasim@lvmdriver-2#lvmdriver-2' });
    const pinned = await demo.createVolume();
    await admin.action(pinned.id as string, { 'os-migrate_volume': { host: 'novasim@lvmdriver-2', lock_volume: true } });
    expect(h.backend.volume(pinned.id as string)?.status).toBe('maintenance');
    await h.idle();
    expect(h.backend.volume(pinned.id as string)).toMatchObject({ status: 'available', migration_status: 'error', host: 'novasim@lvmdriver-1#lvmdriver-1' });
  });

  it('force_host_copy of a detached volume copies and completes inside Cinder (name_id stays null)', async () => {
    const v = await demo.createVolume({ volume_type: '__DEFAULT__', name: 'copied', metadata: { a: 'b' } });
    await admin.action(v.id as string, { 'os-migrate_volume': { host: 'novasim@lvmdriver-2', force_host_copy: true } });
    await h.idle();
    expect(h.backend.volume(v.id as string)).toMatchObject({ status: 'available', migration_status: 'success', name_id: null, display_name: 'copied', metadata: { a: 'b' }, host: 'novasim@lvmdriver-2#lvmdriver-2' });
    expect(h.backend.allVolumes().filter((x) => x.display_description === `migration src for ${v.id}`)).toEqual([]);
  });

  it('os-migrate_volume_completion: legacy swap moves the attachment and returns the new id', async () => {
    const oldV = await demo.createVolume();
    const newV = await demo.createVolume();
    await demo.action(oldV.id as string, { 'os-attach': { instance_uuid: SERVER, mountpoint: '/dev/vdb' } });
    await demo.action(oldV.id as string, { 'os-begin_detaching': null });
    await demo.action(newV.id as string, { 'os-reserve': null });
    const denied = await demo.action(oldV.id as string, { 'os-migrate_volume_completion': { new_volume: newV.id, error: false } });
    expect(denied.statusCode).toBe(403);
    const res = await admin.action(oldV.id as string, { 'os-migrate_volume_completion': { new_volume: newV.id, error: false } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ save_volume_id: newV.id });
    expect(await demo.volume(oldV.id as string)).toMatchObject({ status: 'available', attachments: [] });
    const n = await demo.volume(newV.id as string);
    expect(n).toMatchObject({ status: 'in-use' });
    expect(n.attachments).toMatchObject([{ server_id: SERVER, device: '/dev/vdb' }]);
    const withError = await admin.action(oldV.id as string, { 'os-migrate_volume_completion': { new_volume: newV.id, error: 'False' } });
    expect(withError.json()).toEqual({ save_volume_id: newV.id });
  });

  it('os-migrate_volume_completion: the three mid-migration refusals and unknown volumes', async () => {
    const a = await demo.createVolume();
    const b = await demo.createVolume();
    await admin.action(b.id as string, { 'os-reset_status': { migration_status: 'migrating' } });
    const srcNot = await admin.action(a.id as string, { 'os-migrate_volume_completion': { new_volume: b.id } });
    expect(srcNot.json().badRequest.message).toBe('Invalid volume: Source volume not mid-migration.');
    const dstNot = await admin.action(b.id as string, { 'os-migrate_volume_completion': { new_volume: a.id } });
    expect(dstNot.json().badRequest.message).toBe('Invalid volume: Destination volume not mid-migration.');
    await admin.action(a.id as string, { 'os-reset_status': { migration_status: 'migrating' } });
    const wrong = await admin.action(a.id as string, { 'os-migrate_volume_completion': { new_volume: b.id } });
    expect(wrong.json().badRequest.message).toBe(`Invalid volume: Destination has migration_status migrating, expected target:${a.id}.`);
    const missing = await admin.action(a.id as string, { 'os-migrate_volume_completion': { new_volume: '7c7c7c7c-0000-4000-8000-000000000000' } });
    expect(missing.json().itemNotFound.message).toBe('Volume 7c7c7c7c-0000-4000-8000-000000000000 could not be found.');
    const notUuid = await admin.action(a.id as string, { 'os-migrate_volume_completion': { new_volume: 'nope' } });
    expect(notUuid.json().badRequest.message).toBe("Invalid input for field/attribute new_volume. Value: nope. 'nope' is not a 'uuid'");
  });
});

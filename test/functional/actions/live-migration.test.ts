// os-migrateLive, /servers/{id}/migrations (force_complete, abort, list, show): states, 400/404/409
// texts, policy per profile, notification order, Cinder attachments and port bindings following
// the instance, one injected failure.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Simulator } from '../../../src/index.js';
import { bootServer, client, startSim, type Client } from '../../helpers/sim.js';
import { attach, createVolume } from '../../helpers/volumes.js';
import { action, eventTypes, server } from './helpers.js';

const S = '/compute/v2.1/servers';
const v = (ver: string) => ({ 'openstack-api-version': `compute ${ver}` });

async function hostOf(admin: Client, id: string): Promise<string> {
  return (await server(admin, id))['OS-EXT-SRV-ATTR:host'] as string;
}
const other = (h: string) => (h === 'compute' ? 'compute-2' : 'compute');

async function waitStatus(sim: Simulator, admin: Client, id: string, status: string): Promise<{ id: number; status: string }> {
  for (let i = 0; i < 2000; i++) {
    const list = (await admin.req('GET', `${S}/${id}/migrations`)).json().migrations as { id: number; status: string }[];
    if (list[0]?.status === status) return list[0];
    await new Promise((r) => setTimeout(r, 2));
  }
  throw new Error(`no ${status} migration for ${id}`);
}

async function attachment(sim: Simulator, admin: Client, id: string) {
  const res = await sim.app.inject({ url: `/volume/v3/${admin.projectId}/attachments/${id}`, headers: { 'x-auth-token': admin.token, 'openstack-api-version': 'volume 3.27' } });
  return res.statusCode === 200 ? (res.json().attachment as { status: string; instance: string; connection_info: Record<string, unknown> }) : null;
}

describe('live migration (master)', () => {
  let sim: Simulator;
  let admin: Client;
  let demo: Client;
  beforeAll(async () => {
    sim = await startSim({ liveMigrationMs: 30_000 });
    admin = await client(sim, 'admin');
    demo = await client(sim, 'demo');
  });
  afterAll(() => sim.close());
  beforeEach(() => sim.notifications.clear());

  it('migrates to the named host: MIGRATING, a running migration, force_complete; BDM attachment, ports and events follow', async () => {
    const id = await bootServer(sim, demo, 'lm1');
    const vol = await createVolume(sim, demo, 1, 'lmvol');
    await attach(sim, demo, id, vol);
    await sim.idle();
    const source = await hostOf(admin, id);
    const dest = other(source);
    const oldAtt = sim.services.bdms.getByVolumeAndInstance(vol, id)!.attachment_id!;
    sim.notifications.clear();

    const res = await action(admin, id, { 'os-migrateLive': { host: dest, block_migration: 'auto' } });
    expect(res.statusCode).toBe(202);
    expect(res.body).toBe('');
    expect(await server(admin, id)).toMatchObject({ status: 'MIGRATING', 'OS-EXT-STS:task_state': 'migrating' });
    const m = await waitStatus(sim, admin, id, 'running');
    const shown = (await admin.req('GET', `${S}/${id}/migrations/${m.id}`)).json().migration;
    expect(shown).toMatchObject({ id: m.id, server_uuid: id, source_compute: source, dest_compute: dest, status: 'running', user_id: admin.userId, project_id: admin.projectId });
    expect(shown.memory_total_bytes).toBe(512 * 1024 * 1024);
    // The destination's attachment exists and is attached while the source's still does.
    const newAtt = sim.services.bdms.getByVolumeAndInstance(vol, id)!.attachment_id!;
    expect(newAtt).not.toBe(oldAtt);
    expect((await attachment(sim, admin, newAtt))).toMatchObject({ status: 'attached', instance: id });
    expect((await attachment(sim, admin, oldAtt))?.status).toBe('attached');

    expect((await admin.req('POST', `${S}/${id}/migrations/${m.id}/action`, { force_complete: null })).statusCode).toBe(202);
    await sim.idle();
    expect(await server(admin, id)).toMatchObject({ status: 'ACTIVE', 'OS-EXT-STS:task_state': null, 'OS-EXT-SRV-ATTR:host': dest, 'OS-EXT-SRV-ATTR:hypervisor_hostname': dest === 'compute' ? 'novasim-node' : 'novasim-node-2' });
    expect(eventTypes(sim)).toEqual([
      'scheduler.select_destinations.start', 'scheduler.select_destinations.end',
      'instance.live_migration_pre.start', 'instance.live_migration_pre.end',
      'instance.live_migration_force_complete.start', 'instance.live_migration_force_complete.end',
      'instance.live_migration_post.start', 'instance.live_migration_post_dest.start', 'instance.live_migration_post_dest.end', 'instance.live_migration_post.end',
    ]);
    const publishers = sim.notifications.list().slice(2).map((n) => n.envelope.publisher_id);
    expect(publishers).toEqual([`nova-compute:${dest}`, `nova-compute:${dest}`, `nova-compute:${source}`, `nova-compute:${source}`, `nova-compute:${source}`, `nova-compute:${dest}`, `nova-compute:${dest}`, `nova-compute:${source}`]);
    // Source attachment deleted, the destination's kept (attached): every BDM's attachment is attached.
    expect(await attachment(sim, admin, oldAtt)).toBeNull();
    expect((await attachment(sim, admin, newAtt))?.status).toBe('attached');
    expect(sim.services.bdms.getByVolumeAndInstance(vol, id)!.attachment_id).toBe(newAtt);
    // The migration record is completed and no longer in progress.
    const all = (await admin.req('GET', `/compute/v2.1/os-migrations?instance_uuid=${id}`)).json().migrations;
    expect(all[0]).toMatchObject({ status: 'completed', migration_type: 'live-migration', source_compute: source, dest_compute: dest });
    expect((await admin.req('GET', `${S}/${id}/migrations`)).json().migrations).toEqual([]);
    expect((await admin.req('GET', `${S}/${id}/migrations/${m.id}`)).json()).toEqual({ itemNotFound: { code: 404, message: `Live migration ${m.id} for server ${id} is not in progress.` } });
    // Instance actions: live-migration with the conductor's and both computes' events; force complete its own.
    const actions = (await admin.req('GET', `${S}/${id}/os-instance-actions`)).json().instanceActions as { action: string; request_id: string }[];
    expect(actions.map((a) => a.action)).toEqual(expect.arrayContaining(['live-migration', 'live_migration_force_complete']));
    const lm = actions.find((a) => a.action === 'live-migration')!;
    const events = (await admin.req('GET', `${S}/${id}/os-instance-actions/${lm.request_id}`)).json().instanceAction.events as { event: string; result: string; host: string }[];
    expect(events.map((e) => e.event)).toEqual(expect.arrayContaining([
      'conductor_live_migrate_instance', 'compute_check_can_live_migrate_destination', 'compute_check_can_live_migrate_source',
      'compute_live_migration', 'compute_pre_live_migration', 'compute_post_live_migration_at_destination',
    ]));
    expect(events.every((e) => e.result === 'Success')).toBe(true);
  });

  it("the server's ports are bound to the destination host once it arrives (migrate_instance_finish)", async () => {
    const res = await demo.req('POST', S, { server: { name: 'lmnet', imageRef: '155d900f-4e14-4e4c-a73d-069cbf4541e6', flavorRef: '1', networks: 'auto' } });
    expect(res.statusCode).toBe(202);
    const id = res.json().server.id as string;
    await sim.idle();
    const source = await hostOf(admin, id);
    const ports = async () => (await sim.app.inject({ url: `/networking/v2.0/ports?device_id=${id}`, headers: { 'x-auth-token': admin.token } })).json().ports as { 'binding:host_id': string }[];
    expect((await ports()).map((p) => p['binding:host_id'])).toEqual([source]);
    expect((await action(admin, id, { 'os-migrateLive': { host: other(source), block_migration: true } })).statusCode).toBe(202);
    const m = await waitStatus(sim, admin, id, 'running');
    expect((await ports()).map((p) => p['binding:host_id'])).toEqual([source]);
    expect((await admin.req('POST', `${S}/${id}/migrations/${m.id}/action`, { force_complete: null })).statusCode).toBe(202);
    await sim.idle();
    expect((await ports()).map((p) => p['binding:host_id'])).toEqual([other(source)]);
  });

  it('abort: the running migration is cancelled, the instance stays on its host, the BDM points at the source attachment again', async () => {
    const id = await bootServer(sim, demo, 'lm2');
    const vol = await createVolume(sim, demo, 1, 'lmvol2');
    await attach(sim, demo, id, vol);
    await sim.idle();
    const source = await hostOf(admin, id);
    const oldAtt = sim.services.bdms.getByVolumeAndInstance(vol, id)!.attachment_id!;
    expect((await action(admin, id, { 'os-migrateLive': { host: null, block_migration: false } })).statusCode).toBe(202);
    const m = await waitStatus(sim, admin, id, 'running');
    const newAtt = sim.services.bdms.getByVolumeAndInstance(vol, id)!.attachment_id!;
    // 2.102 (master): the list takes no query parameters.
    expect((await admin.req('GET', `${S}/${id}/migrations?foo=1`)).statusCode).toBe(400);
    expect((await admin.req('GET', `${S}/${id}/migrations?foo=1`, undefined, v('2.101'))).statusCode).toBe(200);
    // 2.23 has no abort: 404; then a member may not (master: project managers and admins).
    expect((await admin.req('DELETE', `${S}/${id}/migrations/${m.id}`, undefined, v('2.23'))).statusCode).toBe(404);
    expect((await demo.req('DELETE', `${S}/${id}/migrations/${m.id}`)).json()).toEqual({ forbidden: { code: 403, message: "Policy doesn't allow os_compute_api:servers:migrations:delete to be performed." } });
    expect((await admin.req('DELETE', `${S}/${id}/migrations/999`)).json()).toEqual({ itemNotFound: { code: 404, message: `Migration 999 not found for instance ${id}` } });
    sim.notifications.clear();
    expect((await admin.req('DELETE', `${S}/${id}/migrations/${m.id}`)).statusCode).toBe(202);
    await sim.idle();
    expect(eventTypes(sim)).toEqual(['instance.live_migration_abort.start', 'instance.live_migration_abort.end', 'instance.live_migration_rollback.start', 'instance.live_migration_rollback.end']);
    expect(await server(admin, id)).toMatchObject({ status: 'ACTIVE', 'OS-EXT-STS:task_state': null, 'OS-EXT-SRV-ATTR:host': source });
    const all = (await admin.req('GET', `/compute/v2.1/os-migrations?instance_uuid=${id}`)).json().migrations;
    expect(all[0].status).toBe('cancelled');
    expect(sim.services.bdms.getByVolumeAndInstance(vol, id)!.attachment_id).toBe(oldAtt);
    expect(await attachment(sim, admin, newAtt)).toBeNull();
    expect((await attachment(sim, admin, oldAtt))?.status).toBe('attached');
    // Nothing in progress any more: abort and force_complete are refused by task_state.
    expect((await admin.req('DELETE', `${S}/${id}/migrations/${m.id}`)).json().conflictingRequest.message).toBe(`Instance ${id} is in an invalid state for 'abort live migration'`);
    expect((await admin.req('POST', `${S}/${id}/migrations/${m.id}/action`, { force_complete: null })).json().conflictingRequest.message).toBe(`Instance ${id} is in an invalid state for 'force_complete'`);
  });

  it('deleting a migrating server ends the job: the migration in error, no attachment left in Cinder', async () => {
    const id = await bootServer(sim, demo, 'lm-del');
    const vol = await createVolume(sim, demo, 1, 'lmdel');
    await attach(sim, demo, id, vol);
    await sim.idle();
    const source = await hostOf(admin, id);
    expect((await action(admin, id, { 'os-migrateLive': { host: other(source), block_migration: false } })).statusCode).toBe(202);
    await waitStatus(sim, admin, id, 'running');
    // A second live migration while one runs: task_state migrating.
    expect((await action(admin, id, { 'os-migrateLive': { host: null, block_migration: false } })).json().conflictingRequest.message).toBe(`Cannot 'os-migrateLive' instance ${id} while it is in task_state migrating`);
    expect((await demo.req('DELETE', `${S}/${id}`)).statusCode).toBe(204);
    await sim.idle();
    expect((await admin.req('GET', `/compute/v2.1/os-migrations?instance_uuid=${id}`)).json().migrations[0].status).toBe('error');
    const volume = (await sim.app.inject({ url: `/volume/v3/${admin.projectId}/volumes/${vol}`, headers: { 'x-auth-token': admin.token } })).json().volume;
    expect(volume).toMatchObject({ status: 'available', attachments: [] });
  });

  it('abort while preparing: refused before 2.65, accepted from 2.65 (rolled back once the destination is prepared)', async () => {
    const id = await bootServer(sim, demo, 'lm-prep');
    const source = await hostOf(admin, id);
    sim.faults.add({ service: 'compute', operation: 'driver.pre_live_migration', match: { instance_uuid: id }, error: { delay_ms: 400 } });
    expect((await action(admin, id, { 'os-migrateLive': { host: other(source), block_migration: false } })).statusCode).toBe(202);
    const m = await waitStatus(sim, admin, id, 'preparing');
    expect((await admin.req('DELETE', `${S}/${id}/migrations/${m.id}`, undefined, v('2.64'))).json()).toEqual({
      badRequest: { code: 400, message: `Migration ${m.id} state of instance ${id} is preparing. Cannot abort live migration while the migration is in this state.` },
    });
    sim.notifications.clear();
    expect((await admin.req('DELETE', `${S}/${id}/migrations/${m.id}`, undefined, v('2.65'))).statusCode).toBe(202);
    await sim.idle();
    expect(eventTypes(sim)).toEqual([
      'instance.live_migration_abort.start', 'instance.live_migration_abort.end', 'instance.live_migration_pre.end',
      'instance.live_migration_rollback.start', 'instance.live_migration_rollback.end', 'instance.live_migration_abort.end',
    ]);
    expect(await server(admin, id)).toMatchObject({ status: 'ACTIVE', 'OS-EXT-STS:task_state': null, 'OS-EXT-SRV-ATTR:host': source });
    expect((await admin.req('GET', `/compute/v2.1/os-migrations?instance_uuid=${id}`)).json().migrations[0].status).toBe('cancelled');
  });

  it("refuses with Nova's 400/409 texts: states, lock, unknown host, current host, force without host, bodies per microversion", async () => {
    const id = await bootServer(sim, demo, 'lm3');
    const source = await hostOf(admin, id);
    const lm = (body: Record<string, unknown>, ver?: string) => action(admin, id, { 'os-migrateLive': body }, ver);
    expect((await lm({ host: 'nohost', block_migration: true })).json()).toEqual({ badRequest: { code: 400, message: 'Compute host nohost could not be found.' } });
    // Below 2.30 a named host is forced: the conductor's own check, answered synchronously.
    expect((await lm({ host: source, block_migration: false, disk_over_commit: false }, '2.24')).json()).toEqual({ badRequest: { code: 400, message: `Unable to migrate instance (${id}) to current host (${source}).` } });
    expect(await server(admin, id)).toMatchObject({ status: 'ACTIVE', 'OS-EXT-STS:task_state': null });
    // 2.30–2.33: not forced, the scheduler finds nothing but the source.
    expect((await lm({ host: source, block_migration: true }, '2.33')).json()).toEqual({ badRequest: { code: 400, message: 'No valid host was found. There are not enough hosts available.' } });
    expect((await lm({ host: null, block_migration: true, force: true }, '2.30')).json()).toEqual({ badRequest: { code: 400, message: "Can't force to a non-provided destination" } });
    // 2.34+: the conductor is cast to: 202, then task_state cleared, the migration in error, a fault.
    sim.notifications.clear();
    expect((await lm({ host: source, block_migration: true })).statusCode).toBe(202);
    await sim.idle();
    expect(await server(admin, id)).toMatchObject({ status: 'ACTIVE', 'OS-EXT-STS:task_state': null });
    expect(eventTypes(sim)).toContain('compute_task.migrate_server.error');
    expect((await admin.req('GET', `/compute/v2.1/os-migrations?instance_uuid=${id}`)).json().migrations[0].status).toBe('error');
    // Body schemas per microversion.
    expect((await lm({ host: null, block_migration: 'auto' }, '2.24')).statusCode).toBe(400);
    expect((await lm({ host: null, block_migration: true, disk_over_commit: false }, '2.25')).statusCode).toBe(400);
    expect((await lm({ host: null, block_migration: true, force: false }, '2.68')).statusCode).toBe(400);
    expect((await lm({ block_migration: true })).statusCode).toBe(400);
    // Policy: a member is refused (master names migrate_live:host when a host is given).
    expect((await action(demo, id, { 'os-migrateLive': { host: other(source), block_migration: true } })).json()).toEqual({ forbidden: { code: 403, message: "Policy doesn't allow os_compute_api:os-migrate-server:migrate_live:host to be performed." } });
    expect((await action(demo, id, { 'os-migrateLive': { host: null, block_migration: true } })).json()).toEqual({ forbidden: { code: 403, message: "Policy doesn't allow os_compute_api:os-migrate-server:migrate_live to be performed." } });
    // States: stopped → 409; locked by its owner → 409 for... an admin passes the lock.
    await action(admin, id, { 'os-stop': null });
    await sim.idle();
    expect((await lm({ host: null, block_migration: true })).json()).toEqual({ conflictingRequest: { code: 409, message: `Cannot 'os-migrateLive' instance ${id} while it is in vm_state stopped` } });
  });

  it('a failure in pre_live_migration on the destination: pre.start, compute.exception, rollback; attachments back on the source', async () => {
    const id = await bootServer(sim, demo, 'lm4');
    const vol = await createVolume(sim, demo, 1, 'lmvol4');
    await attach(sim, demo, id, vol);
    await sim.idle();
    const source = await hostOf(admin, id);
    const oldAtt = sim.services.bdms.getByVolumeAndInstance(vol, id)!.attachment_id!;
    sim.faults.add({ service: 'compute', operation: 'driver.pre_live_migration', match: { instance_uuid: id }, error: { exception: 'MigrationError', message: 'Migration error: disk busy' } });
    sim.notifications.clear();
    expect((await action(admin, id, { 'os-migrateLive': { host: other(source), block_migration: false } })).statusCode).toBe(202);
    await sim.idle();
    expect(eventTypes(sim)).toEqual([
      'scheduler.select_destinations.start', 'scheduler.select_destinations.end', 'instance.live_migration_pre.start', 'compute.exception',
      'instance.live_migration_rollback.start', 'instance.live_migration_rollback.end',
    ]);
    expect(await server(admin, id)).toMatchObject({ status: 'ACTIVE', 'OS-EXT-STS:task_state': null, 'OS-EXT-SRV-ATTR:host': source });
    expect((await admin.req('GET', `/compute/v2.1/os-migrations?instance_uuid=${id}`)).json().migrations[0].status).toBe('error');
    expect(sim.services.bdms.getByVolumeAndInstance(vol, id)!.attachment_id).toBe(oldAtt);
    expect((await attachment(sim, admin, oldAtt))?.status).toBe('attached');
    const volume = (await sim.app.inject({ url: `/volume/v3/${admin.projectId}/volumes/${vol}`, headers: { 'x-auth-token': admin.token } })).json().volume;
    expect(volume.attachments).toHaveLength(1);
  });
});

describe('live migration: reset', () => {
  it('a reset ends a running live migration job at once', async () => {
    const sim = await startSim({ liveMigrationMs: 600_000 });
    try {
      const admin = await client(sim, 'admin');
      const id = await bootServer(sim, admin, 'lm-reset');
      const source = await hostOf(admin, id);
      expect((await action(admin, id, { 'os-migrateLive': { host: other(source), block_migration: false } })).statusCode).toBe(202);
      await waitStatus(sim, admin, id, 'running');
      const t0 = Date.now();
      await sim.reset();
      expect(Date.now() - t0).toBeLessThan(5_000);
      await sim.idle();
      expect(sim.services.hosts.migrations()).toEqual([]);
      expect(sim.services.db.prepare('SELECT COUNT(*) AS n FROM compute_tasks').get()).toEqual({ n: 0 });
    } finally {
      await sim.close();
    }
  });
});

describe('live migration: the hypervisor job fails', () => {
  it('driver.live_migration_monitor raising: rolled back, the migration `failed`; driver.live_migration raising: ERROR, `error`', async () => {
    const sim = await startSim({ liveMigrationMs: 1 });
    try {
      const admin = await client(sim, 'admin');
      const id = await bootServer(sim, admin, 'lm-fail');
      const source = await hostOf(admin, id);
      sim.faults.add({ service: 'compute', operation: 'driver.live_migration_monitor', match: { instance_uuid: id }, error: { exception: 'libvirtError', message: 'operation failed: migration job: unexpectedly failed' } });
      sim.notifications.clear();
      expect((await action(admin, id, { 'os-migrateLive': { host: other(source), block_migration: false } })).statusCode).toBe(202);
      await sim.idle();
      expect(eventTypes(sim).slice(2)).toEqual(['instance.live_migration_pre.start', 'instance.live_migration_pre.end', 'instance.live_migration_rollback.start', 'instance.live_migration_rollback.end']);
      expect(await server(admin, id)).toMatchObject({ status: 'ACTIVE', 'OS-EXT-STS:task_state': null, 'OS-EXT-SRV-ATTR:host': source });
      const migs = () => admin.req('GET', `/compute/v2.1/os-migrations?instance_uuid=${id}`).then((r) => r.json().migrations as { status: string }[]);
      expect((await migs())[0].status).toBe('failed');
      sim.faults.add({ service: 'compute', operation: 'driver.live_migration', match: { instance_uuid: id }, error: { exception: 'libvirtError', message: 'internal error' } });
      expect((await action(admin, id, { 'os-migrateLive': { host: other(source), block_migration: false } })).statusCode).toBe(202);
      await sim.idle();
      expect(await server(admin, id)).toMatchObject({ status: 'ERROR', 'OS-EXT-STS:task_state': null });
      expect((await migs())[0].status).toBe('error');
    } finally {
      await sim.close();
    }
  });
});

describe('live migration (zed)', () => {
  let sim: Simulator;
  let admin: Client;
  let demo: Client;
  beforeAll(async () => {
    sim = await startSim({ profile: 'zed', liveMigrationMs: 1 });
    admin = await client(sim, 'admin');
    demo = await client(sim, 'demo');
  });
  afterAll(() => sim.close());

  it('completes on its own after --live-migration-ms; only migrate_live is checked; 2.93 is the maximum', async () => {
    const id = await bootServer(sim, demo, 'lmz');
    const source = await hostOf(admin, id);
    expect((await action(demo, id, { 'os-migrateLive': { host: other(source), block_migration: true } })).json()).toEqual({ forbidden: { code: 403, message: "Policy doesn't allow os_compute_api:os-migrate-server:migrate_live to be performed." } });
    sim.notifications.clear();
    expect((await action(admin, id, { 'os-migrateLive': { host: other(source), block_migration: true } })).statusCode).toBe(202);
    await sim.idle();
    expect(await server(admin, id)).toMatchObject({ status: 'ACTIVE', 'OS-EXT-SRV-ATTR:host': other(source) });
    expect(eventTypes(sim).slice(2)).toEqual([
      'instance.live_migration_pre.start', 'instance.live_migration_pre.end', 'instance.live_migration_post.start',
      'instance.live_migration_post_dest.start', 'instance.live_migration_post_dest.end', 'instance.live_migration_post.end',
    ]);
    const payload = sim.notifications.list()[2].envelope.payload as { 'nova_object.version': string };
    expect(payload['nova_object.version']).toBe('1.8');
  });
});

describe('live migration: recovery after a crash mid-migration', () => {
  it('a job interrupted while running: migration error, task_state cleared, the BDM back on the source attachment, the destination one deleted', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = mkdtempSync(join(tmpdir(), 'novasim-lm-'));
    const db = join(dir, 'lm.db');
    let sim = await startSim({ db, liveMigrationMs: 600_000 });
    try {
      let admin = await client(sim, 'admin');
      const demo = await client(sim, 'demo');
      const id = await bootServer(sim, demo, 'lm-crash');
      const vol = await createVolume(sim, demo, 1, 'lmcrash');
      await attach(sim, demo, id, vol);
      await sim.idle();
      const source = await hostOf(admin, id);
      const oldAtt = sim.services.bdms.getByVolumeAndInstance(vol, id)!.attachment_id!;
      expect((await action(admin, id, { 'os-migrateLive': { host: other(source), block_migration: true } })).statusCode).toBe(202);
      await waitStatus(sim, admin, id, 'running');
      const newAtt = sim.services.bdms.getByVolumeAndInstance(vol, id)!.attachment_id!;
      expect(newAtt).not.toBe(oldAtt);
      // "SIGKILL": the process state is gone, the job's compute_tasks row stays.
      await sim.close();
      sim = await startSim({ db, liveMigrationMs: 600_000 });
      const report = await sim.recovery;
      expect(report.rolledBack).toEqual([{ kind: 'live_migration_job', instance: id }]);
      admin = await client(sim, 'admin');
      expect(await server(admin, id)).toMatchObject({ status: 'ACTIVE', 'OS-EXT-STS:task_state': null, 'OS-EXT-SRV-ATTR:host': source });
      expect((await admin.req('GET', `/compute/v2.1/os-migrations?instance_uuid=${id}`)).json().migrations[0].status).toBe('error');
      expect(sim.services.bdms.getByVolumeAndInstance(vol, id)!.attachment_id).toBe(oldAtt);
      expect((await attachment(sim, admin, oldAtt))?.status).toBe('attached');
      expect(await attachment(sim, admin, newAtt)).toBeNull();
      expect(sim.services.db.prepare('SELECT COUNT(*) AS n FROM compute_tasks').get()).toEqual({ n: 0 });
    } finally {
      await sim.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('live migration: the request bodies of Nova api_samples', () => {
  it('each live-migrate-server.json is accepted at its microversion (host = the other compute) and the server moves', async () => {
    const { readFileSync } = await import('node:fs');
    const { fileURLToPath } = await import('node:url');
    const root = fileURLToPath(new URL('../../../fixtures/reference/nova/api_samples/', import.meta.url));
    const files: [string, string][] = [
      ['os-migrate-server/live-migrate-server.json', '2.1'], ['os-migrate-server/v2.25/live-migrate-server.json', '2.25'],
      ['os-migrate-server/v2.30/live-migrate-server.json', '2.30'], ['os-migrate-server/v2.68/live-migrate-server.json', '2.68'],
      ['server-migrations/v2.22/live-migrate-server.json', '2.22'], ['server-migrations/v2.24/live-migrate-server.json', '2.24'],
      ['server-migrations/v2.65/live-migrate-server.json', '2.65'], ['server-migrations/v2.80/live-migrate-server.json', '2.80'],
    ];
    const sim = await startSim({ liveMigrationMs: 1 });
    try {
      const admin = await client(sim, 'admin');
      const id = await bootServer(sim, admin, 'lm-samples');
      for (const [file, version] of files) {
        const body = JSON.parse(readFileSync(`${root}${file}`, 'utf8')) as { 'os-migrateLive': Record<string, unknown> };
        const source = await hostOf(admin, id);
        body['os-migrateLive'].host = other(source);
        const res = await action(admin, id, body, version);
        expect(res.statusCode, `${file}: ${res.body}`).toBe(202);
        await sim.idle();
        expect(await server(admin, id), file).toMatchObject({ status: 'ACTIVE', 'OS-EXT-SRV-ATTR:host': other(source) });
      }
      // force_complete.json at 2.22 for a migration that is not running: Nova's 400 text.
      const done = (await admin.req('GET', `/compute/v2.1/os-migrations?instance_uuid=${id}`)).json().migrations[0];
      const fc = JSON.parse(readFileSync(`${root}server-migrations/v2.22/force_complete.json`, 'utf8'));
      const migrating = sim.services.db.prepare("UPDATE instances SET task_state = 'migrating' WHERE uuid = ?");
      migrating.run(id);
      expect((await admin.req('POST', `${S}/${id}/migrations/${done.id}/action`, fc, v('2.22'))).json()).toEqual({
        badRequest: { code: 400, message: `Migration ${done.id} state of instance ${id} is completed. Cannot force complete while the migration is in this state.` },
      });
      expect((await admin.req('POST', `${S}/${id}/migrations/${done.id}/action`, fc, v('2.21'))).statusCode).toBe(404);
    } finally {
      await sim.close();
    }
  });
});

describe('live migration: recovery of the cast itself', () => {
  it('killed after the conductor, before the source compute queued it: task_state cleared, the migration in error', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const Database = (await import('better-sqlite3')).default;
    const dir = mkdtempSync(join(tmpdir(), 'novasim-lmcast-'));
    const db = join(dir, 'lm.db');
    let sim = await startSim({ db });
    try {
      const admin = await client(sim, 'admin');
      const id = await bootServer(sim, admin, 'lm-cast');
      const source = await hostOf(admin, id);
      await sim.close();
      // The database as a crash right after the conductor would leave it: task_state migrating, the
      // migration `accepted` with its destination, the cast to the source recorded but not run.
      const d = new Database(db);
      const now = new Date().toISOString();
      d.prepare("UPDATE instances SET task_state = 'migrating' WHERE uuid = ?").run(id);
      const mid = Number(d.prepare(`INSERT INTO migrations (uuid, instance_uuid, source_compute, dest_compute, status, migration_type, created_at)
        VALUES ('00000000-0000-4000-8000-00000000abcd', ?, ?, ?, 'accepted', 'live-migration', ?)`).run(id, source, other(source), now).lastInsertRowid);
      const ctx = { requestId: 'req-00000000-0000-0000-0000-00000000abcd', userId: admin.userId, projectId: admin.projectId, roles: ['admin'], isAdmin: true, authToken: 'gone' };
      d.prepare('INSERT INTO instance_actions (action, instance_uuid, request_id, user_id, project_id, start_time, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
        .run('live-migration', id, ctx.requestId, ctx.userId, ctx.projectId, now, now);
      const cast = { kind: 'server_action', uuid: id, action: 'os-migrateLive', args: { host: other(source), blockMigration: false, diskOverCommit: null, force: false, async: true, cast: { migrationId: mid, dest: other(source), destNode: 'x', blockMigration: false } } };
      d.prepare('INSERT INTO compute_tasks (instance_uuid, kind, args, context, created_at) VALUES (?, ?, ?, ?, ?)').run(id, 'server_action', JSON.stringify(cast), JSON.stringify(ctx), now);
      d.close();
      sim = await startSim({ db });
      expect((await sim.recovery).rolledBack).toEqual([{ kind: 'server_action', instance: id }]);
      const admin2 = await client(sim, 'admin');
      expect(await server(admin2, id)).toMatchObject({ status: 'ACTIVE', 'OS-EXT-STS:task_state': null, 'OS-EXT-SRV-ATTR:host': source });
      expect((await admin2.req('GET', `/compute/v2.1/os-migrations?instance_uuid=${id}`)).json().migrations[0].status).toBe('error');
    } finally {
      await sim.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

// Issue 15 item 1: the fake Cinder survives a crash. novasim runs as a child on a file database; faults
// hold a volume create, a volume delete, a Cinder-driven migration inside migrate_volume_completion,
// and one just after Cinder completed (before Nova saved the BDM); the process is SIGKILLed there.
// After a restart:
// - cinder-volume's clean-up (cinder/volume/manager.py _do_cleanup, via the workers table):
//   the interrupted create is `error`, the interrupted delete is finished;
// - migrate_volume_completion is one transaction, and nova-compute's recovery completes the swap it
//   had recorded: each server's BDM names the user's volume (same id, new type), never the temporary
//   migration volume, which is deleted; every BDM is backed by an `attached` Cinder attachment.
// Before: the create stayed `creating`, the delete `deleting`, and a kill after completion left the
// BDM on the temporary volume.
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type Child, IMAGE_ID, checkConsistency, http, loginHttp, removeDb, report, startChild, tempDbPath, until,
} from '../helpers/reliability.js';

type Who = Awaited<ReturnType<typeof loginHttp>>;
const env = { NOVASIM_VOLUME_CREATE_DELAY_MS: '0', NOVASIM_VOLUME_DELETE_DELAY_MS: '0', NOVASIM_BUILD_DELAY_MS: '0', NOVASIM_VOLUME_QUOTA: '-1' };
const children: Child[] = [];
const dbs: string[] = [];

afterAll(async () => {
  for (const c of children) await c.kill('SIGKILL');
  for (const d of dbs) removeDb(d);
});

async function boot(base: string, who: Who, name: string): Promise<string> {
  const r = await http(base, 'POST', '/compute/v2.1/servers', { token: who.token, body: { server: { name, imageRef: IMAGE_ID, flavorRef: '1', networks: 'none' } } });
  expect(r.status, r.text).toBe(202);
  const id = r.json().server.id as string;
  await until(`${name} ACTIVE`, async () => (await http(base, 'GET', `/compute/v2.1/servers/${id}`, { token: who.token })).json().server.status === 'ACTIVE');
  return id;
}

async function volume(base: string, who: Who, name: string): Promise<string> {
  const r = await http(base, 'POST', `/volume/v3/${who.projectId}/volumes`, { token: who.token, body: { volume: { size: 1, name } } });
  expect(r.status, r.text).toBe(202);
  const id = r.json().volume.id as string;
  await until(`${name} available`, async () => (await http(base, 'GET', `/volume/v3/${who.projectId}/volumes/${id}`, { token: who.token })).json().volume.status === 'available');
  return id;
}

async function attached(base: string, who: Who, server: string, vol: string): Promise<void> {
  const r = await http(base, 'POST', `/compute/v2.1/servers/${server}/os-volume_attachments`, { token: who.token, body: { volumeAttachment: { volumeId: vol } } });
  expect(r.status, r.text).toBe(200);
  await until('in-use', async () => (await http(base, 'GET', `/volume/v3/${who.projectId}/volumes/${vol}`, { token: who.token })).json().volume.status === 'in-use');
}

async function fault(base: string, spec: Record<string, unknown>): Promise<string> {
  const r = await http(base, 'POST', '/_novasim/faults', { body: spec });
  expect(r.status, r.text).toBe(201);
  return r.json().fault.id as string;
}

async function hit(base: string, ids: string[]): Promise<void> {
  await until(`faults ${ids.join(', ')} hit`, async () => {
    const faults = (await http(base, 'GET', '/_novasim/faults')).json().faults as { id: string; hits: number }[];
    return ids.every((id) => faults.find((f) => f.id === id)?.hits);
  }, 15_000, 10);
}

describe('fake Cinder crash safety (SIGKILL on a file database, master)', () => {
  it('interrupted create → error, delete finished, migrations completed atomically: no BDM on a temporary volume', async () => {
    const db = tempDbPath('cinder-crash');
    dbs.push(db);
    const first = await startChild(['--db', db, '--profile', 'master'], env);
    children.push(first);
    let base = first.url;
    const admin = await loginHttp(base, 'admin');
    const demo = await loginHttp(base, 'demo');
    const [s1, s2, vA, vB, vDel] = await Promise.all([boot(base, demo, 's1'), boot(base, demo, 's2'), volume(base, demo, 'a'), volume(base, demo, 'b'), volume(base, demo, 'del')]);
    await attached(base, demo, s1, vA);
    await attached(base, demo, s2, vB);

    // 1. A create held in the volume manager.
    const fCreate = await fault(base, { service: 'cinder', operation: 'volume_create_task', error: { delay_ms: 60_000 }, times: 1 });
    const created = await http(base, 'POST', `/volume/v3/${demo.projectId}/volumes`, { token: demo.token, body: { volume: { size: 1, name: 'held' } } });
    expect(created.status).toBe(202);
    const vNew = created.json().volume.id as string;
    await hit(base, [fCreate]);
    // 2. A delete held in the volume manager.
    const fDelete = await fault(base, { service: 'cinder', operation: 'volume_delete_task', match: { volume_id: vDel }, error: { delay_ms: 60_000 } });
    expect((await http(base, 'DELETE', `/volume/v3/${demo.projectId}/volumes/${vDel}`, { token: demo.token })).status).toBe(202);
    // 3. A retype with migration of an attached volume held inside migrate_volume_completion.
    const fComplete = await fault(base, { service: 'cinder', operation: 'migration_update_migrated_volume', match: { volume_id: vA }, error: { delay_ms: 60_000 } });
    // 4. One held after Cinder completed, before Nova saved the BDM.
    const fSave = await fault(base, { service: 'compute', operation: 'manager.swap_volume.save_bdm', match: { instance_uuid: s2 }, error: { delay_ms: 60_000 } });
    for (const v of [vA, vB]) {
      const r = await http(base, 'POST', `/volume/v3/${demo.projectId}/volumes/${v}/action`, { token: demo.token, body: { 'os-retype': { new_type: 'lvmdriver-2', migration_policy: 'on-demand' } } });
      expect(r.status, r.text).toBe(202);
    }
    await hit(base, [fDelete, fComplete, fSave]);
    await first.kill('SIGKILL');

    const second = await startChild(['--db', db, '--profile', 'master'], env);
    children.push(second);
    base = second.url;
    report(`cinder crash: restart printed ${JSON.stringify(second.stdout().split('\n').filter((l) => /recovered|cleaned/.test(l)))}`);
    expect(second.stdout()).toMatch(/novasim cinder cleaned up 1 interrupted create\(s\) \(now error\), resumed 1 delete\(s\)/);
    const vol = async (id: string) => http(base, 'GET', `/volume/v3/${admin.projectId}/volumes/${id}`, { token: admin.token });
    expect((await vol(vNew)).json().volume.status).toBe('error');
    await until('interrupted delete finished', async () => (await vol(vDel)).status === 404);

    // Both swaps end completed, on the user's volumes (ids kept, new type), and the cloud is consistent.
    const problems = await until('consistent after recovery', async () => {
      const p = await checkConsistency(base, admin, [s1, s2], { volumeIds: new Set([vA, vB]) });
      return p.length === 0 ? ['ok'] : null;
    }, 15_000, 100).catch(async () => checkConsistency(base, admin, [s1, s2], { volumeIds: new Set([vA, vB]) }));
    expect(problems).toEqual(['ok']);
    for (const [server, v] of [[s1, vA], [s2, vB]]) {
      const bdms = (await http(base, 'GET', `/compute/v2.1/servers/${server}/os-volume_attachments`, { token: admin.token })).json().volumeAttachments as { volumeId: string }[];
      expect(bdms.map((b) => b.volumeId)).toEqual([v]);
      const body = (await vol(v)).json().volume;
      expect([body.status, body.volume_type, body.migration_status]).toEqual(['in-use', 'lvmdriver-2', 'success']);
    }
    // The temporary migration volumes are gone; nothing is left in the workers table.
    await until('temporary volumes deleted', async () => {
      const all = (await http(base, 'GET', `/volume/v3/${admin.projectId}/volumes?all_tenants=1`, { token: admin.token })).json().volumes as { id: string }[];
      return all.every((x) => [vA, vB, vNew].includes(x.id));
    });
    await second.kill('SIGTERM');
    const file = new Database(db, { readonly: true });
    try {
      expect((file.prepare('SELECT COUNT(*) AS n FROM cinder_workers').get() as { n: number }).n).toBe(0);
      expect((file.prepare('SELECT COUNT(*) AS n FROM compute_tasks').get() as { n: number }).n).toBe(0);
    } finally {
      file.close();
    }
  });
});

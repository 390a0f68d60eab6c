// Crash safety of resize / cold migration (compute/flows/resize.ts, recovery via the migration record):
// novasim as a child process on a file database, five moves held mid-flow by delay faults, SIGKILL,
// restart. Before resize_instance handed the instance over the move is rolled back (ACTIVE on the
// source, old flavor, migration error); after it, finish_resize runs again (VERIFY_RESIZE on the
// destination); confirm and revert are rolled forward. Every BDM's Cinder attachment is `attached`.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Child, IMAGE_ID, checkConsistency, http, loginHttp, removeDb, startChild, tempDbPath, until } from '../helpers/reliability.js';
import { describeIf } from '../interop/helpers/prereq.js';
import { distProblem } from '../interop/helpers/novasim.js';

type Who = { token: string; projectId: string };
const env = { NOVASIM_VOLUME_CREATE_DELAY_MS: '0', NOVASIM_VOLUME_DELETE_DELAY_MS: '0', NOVASIM_BUILD_DELAY_MS: '0' };
const CASES = ['prep', 'disk', 'finish', 'confirm', 'revert'] as const;
type Case = (typeof CASES)[number];

let db: string;
let child: Child;
let admin: Who;
let demo: Who;
const servers = {} as Record<Case, { id: string; source: string; vol: string }>;

const show = async (id: string) => (await http(child.url, 'GET', `/compute/v2.1/servers/${id}`, { token: admin.token, headers: { 'openstack-api-version': 'compute 2.47' } })).json().server;
const act = (id: string, body: unknown) => http(child.url, 'POST', `/compute/v2.1/servers/${id}/action`, { token: demo.token, body });
const migrationsOf = async (id: string) =>
  (await http(child.url, 'GET', `/compute/v2.1/os-migrations?instance_uuid=${id}`, { token: admin.token, headers: { 'openstack-api-version': 'compute 2.59' } })).json().migrations as { status: string }[];

async function boot(name: string): Promise<{ id: string; source: string; vol: string }> {
  const r = await http(child.url, 'POST', '/compute/v2.1/servers', { token: demo.token, body: { server: { name, imageRef: IMAGE_ID, flavorRef: '1', networks: 'none' } } });
  expect(r.status, r.text).toBe(202);
  const id = r.json().server.id as string;
  await until(`${name} ACTIVE`, async () => (await show(id)).status === 'ACTIVE');
  const v = await http(child.url, 'POST', `/volume/v3/${demo.projectId}/volumes`, { token: demo.token, body: { volume: { size: 1, name } } });
  const vol = v.json().volume.id as string;
  await until(`volume ${name} available`, async () => (await http(child.url, 'GET', `/volume/v3/${demo.projectId}/volumes/${vol}`, { token: demo.token })).json().volume.status === 'available');
  const a = await http(child.url, 'POST', `/compute/v2.1/servers/${id}/os-volume_attachments`, { token: demo.token, body: { volumeAttachment: { volumeId: vol } } });
  expect(a.status, a.text).toBe(200);
  await until(`volume ${name} in-use`, async () => (await http(child.url, 'GET', `/volume/v3/${demo.projectId}/volumes/${vol}`, { token: demo.token })).json().volume.status === 'in-use');
  return { id, source: (await show(id))['OS-EXT-SRV-ATTR:host'], vol };
}

async function fault(spec: Record<string, unknown>): Promise<string> {
  const r = await http(child.url, 'POST', '/_novasim/faults', { body: spec });
  expect(r.status, r.text).toBe(201);
  return r.json().fault.id as string;
}

const hold = (operation: string, id: string) => fault({ service: 'compute', operation, match: { instance_uuid: id }, error: { delay_ms: 60_000 } });

describeIf('built dist/', [distProblem()])('resize and cold migration survive SIGKILL mid-flow', () => {
  beforeAll(async () => {
    db = tempDbPath('resize-crash');
    child = await startChild(['--db', db], env);
    admin = await loginHttp(child.url, 'admin');
    demo = await loginHttp(child.url, 'demo');
    for (const c of CASES) servers[c] = await boot(`crash-${c}`);
    // confirm and revert start from VERIFY_RESIZE.
    for (const c of ['confirm', 'revert'] as const) {
      expect((await act(servers[c].id, { resize: { flavorRef: '2' } })).status).toBe(202);
      await until(`${c} VERIFY_RESIZE`, async () => (await show(servers[c].id)).status === 'VERIFY_RESIZE');
    }
    const faults = [
      await hold('compute.prep_resize', servers.prep.id),
      await hold('driver.migrate_disk_and_power_off', servers.disk.id),
      await hold('driver.finish_migration', servers.finish.id),
      await hold('driver.confirm_migration', servers.confirm.id),
      await hold('driver.finish_revert_migration', servers.revert.id),
    ];
    for (const c of ['prep', 'disk', 'finish'] as const) expect((await act(servers[c].id, { resize: { flavorRef: '2' } })).status).toBe(202);
    expect((await act(servers.confirm.id, { confirmResize: null })).status).toBe(204);
    expect((await act(servers.revert.id, { revertResize: null })).status).toBe(202);
    await until('every move held mid-flow', async () => {
      const listed = (await http(child.url, 'GET', '/_novasim/faults')).json().faults as { id: string; hits: number }[];
      return faults.every((id) => listed.find((f) => f.id === id)?.hits);
    }, 10_000, 10);
    await child.kill('SIGKILL');
    child = await startChild(['--db', db], env);
  }, 120_000);
  afterAll(async () => {
    await child?.kill('SIGTERM');
    removeDb(db);
  });

  it('restart reports the recovered moves', () => {
    expect(child.recovered).toEqual({ completed: 3, rolledBack: 2 });
  });

  it('before the hand-over: rolled back to ACTIVE on the source with the old flavor, migration error', async () => {
    for (const c of ['prep', 'disk'] as const) {
      const s = await show(servers[c].id);
      expect(s, c).toMatchObject({ status: 'ACTIVE', 'OS-EXT-STS:task_state': null, 'OS-EXT-SRV-ATTR:host': servers[c].source });
      expect(s.flavor.original_name, c).toBe('m1.tiny');
      expect((await migrationsOf(servers[c].id))[0].status, c).toBe('error');
    }
  });

  it('after the hand-over: finish_resize ran again (VERIFY_RESIZE on the destination); confirm and revert were completed', async () => {
    const f = await show(servers.finish.id);
    expect(f).toMatchObject({ status: 'VERIFY_RESIZE', 'OS-EXT-STS:task_state': null });
    expect(f['OS-EXT-SRV-ATTR:host']).not.toBe(servers.finish.source);
    expect(f.flavor.original_name).toBe('m1.small');
    expect((await migrationsOf(servers.finish.id))[0].status).toBe('finished');
    expect((await show(servers.confirm.id)).status).toBe('ACTIVE');
    expect((await migrationsOf(servers.confirm.id))[0].status).toBe('confirmed');
    const r = await show(servers.revert.id);
    expect(r).toMatchObject({ status: 'ACTIVE', 'OS-EXT-SRV-ATTR:host': servers.revert.source });
    expect(r.flavor.original_name).toBe('m1.tiny');
    expect((await migrationsOf(servers.revert.id))[0].status).toBe('reverted');
  });

  it('the cloud is consistent: every BDM has an attached Cinder attachment, nothing left in flight', async () => {
    expect((await act(servers.finish.id, { confirmResize: null })).status).toBe(204);
    await until('finish confirmed', async () => (await show(servers.finish.id)).status === 'ACTIVE');
    const problems = await checkConsistency(child.url, admin, CASES.map((c) => servers[c].id));
    expect(problems).toEqual([]);
    for (const c of CASES) {
      const v = await http(child.url, 'GET', `/volume/v3/${demo.projectId}/volumes/${servers[c].vol}`, { token: demo.token });
      expect(v.json().volume.status, c).toBe('in-use');
    }
  });
});

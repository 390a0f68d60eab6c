// Crash safety of server shares: novasim as a child process on a file database (master), a Manila fault
// holds an attach or detach in the middle of its Manila call, the process is SIGKILLed there, and the
// restart's recovery (src/compute/recovery.ts recoverShare) must leave every share_mapping agreeing with
// Manila: `inactive` exactly when Nova's access rule is active, `error` when it never got through (the user
// may detach it), a detach finished (mapping and rule gone), no compute task left, the instance actions
// finished, and everything acknowledged before the kill still there.
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Child, IMAGE_ID, http, loginHttp, removeDb, report, startChild, tempDbPath, until } from '../helpers/reliability.js';

type Who = { token: string; projectId: string };
const env = { NOVASIM_BUILD_DELAY_MS: '0' };
const MV = { 'x-openstack-manila-api-version': '2.82' };

let db: string;
let child: Child;
let admin: Who;
let demo: Who;
const servers: Record<string, string> = {};
const shares: Record<string, string> = {};

async function boot(base: string, name: string): Promise<string> {
  const r = await http(base, 'POST', '/compute/v2.1/servers', { token: demo.token, body: { server: { name, imageRef: IMAGE_ID, flavorRef: '1', networks: 'none' } } });
  expect(r.status, r.text).toBe(202);
  const id = r.json().server.id as string;
  await until(`server ${name} ACTIVE`, async () => (await http(base, 'GET', `/compute/v2.1/servers/${id}`, { token: demo.token })).json().server.status === 'ACTIVE');
  const stop = await http(base, 'POST', `/compute/v2.1/servers/${id}/action`, { token: demo.token, body: { 'os-stop': null } });
  expect(stop.status).toBe(202);
  await until(`server ${name} SHUTOFF`, async () => (await http(base, 'GET', `/compute/v2.1/servers/${id}`, { token: demo.token })).json().server.status === 'SHUTOFF');
  return id;
}

async function share(base: string): Promise<string> {
  const r = await http(base, 'POST', '/share/v2/shares', { token: demo.token, body: { share: { share_proto: 'NFS', size: 1 } }, headers: MV });
  expect(r.status, r.text).toBe(200);
  const id = r.json().share.id as string;
  await http(base, 'GET', `/share/v2/shares/${id}`, { token: demo.token, headers: MV });
  return id;
}

const attach = (server: string, shareId: string) =>
  http(child.url, 'POST', `/compute/v2.1/servers/${server}/shares`, { token: demo.token, body: { share: { share_id: shareId } }, headers: { 'openstack-api-version': 'compute 2.97' } });
const mapping = async (server: string, shareId: string) => {
  const r = await http(child.url, 'GET', `/compute/v2.1/servers/${server}/shares/${shareId}`, { token: demo.token, headers: { 'openstack-api-version': 'compute 2.97' } });
  return r.status === 200 ? (r.json().share.status as string) : r.status;
};
const rules = async (shareId: string) =>
  (await http(child.url, 'GET', `/share/v2/share-access-rules?share_id=${shareId}`, { token: admin.token, headers: MV })).json().access_list as { state: string }[];

async function fault(spec: Record<string, unknown>): Promise<string> {
  const r = await http(child.url, 'POST', '/_novasim/faults', { body: spec });
  expect(r.status, r.text).toBe(201);
  return r.json().fault.id as string;
}

beforeAll(async () => {
  db = tempDbPath('shares');
  child = await startChild(['--db', db, '--profile', 'master'], env);
  admin = await loginHttp(child.url, 'admin');
  demo = await loginHttp(child.url, 'demo');
  const names = ['attach-before-grant', 'attach-after-grant', 'detach', 'bystander'];
  const booted = await Promise.all(names.map((n) => boot(child.url, n)));
  const made = await Promise.all(names.map(() => share(child.url)));
  names.forEach((n, i) => {
    servers[n] = booted[i];
    shares[n] = made[i];
  });
  // Settled before the crash: the bystander's share and the share to be detached are attached (inactive).
  for (const n of ['bystander', 'detach']) {
    expect((await attach(servers[n], shares[n])).status).toBe(201);
    await until(`${n} inactive`, async () => (await mapping(servers[n], shares[n])) === 'inactive');
  }
  const held = { delay_ms: 30_000 };
  const ids = [
    // Manila never receives the allow: the rule does not exist.
    await fault({ service: 'manila', operation: 'allow_access', match: { share_id: shares['attach-before-grant'] }, error: held }),
    // The allow went through; the kill comes while Nova waits for the rule to be applied (its second look).
    await fault({ service: 'manila', operation: 'access_rules', match: { share_id: shares['attach-after-grant'] }, error: { delay_ms: 0 } }),
    await fault({ service: 'manila', operation: 'access_rules', match: { share_id: shares['attach-after-grant'] }, error: held }),
    // The deny looks the rule up, then is held before Manila removes it.
    await fault({ service: 'manila', operation: 'deny_access', match: { share_id: shares.detach }, error: held }),
  ];
  expect((await attach(servers['attach-before-grant'], shares['attach-before-grant'])).status).toBe(201);
  expect((await attach(servers['attach-after-grant'], shares['attach-after-grant'])).status).toBe(201);
  const del = await http(child.url, 'DELETE', `/compute/v2.1/servers/${servers.detach}/shares/${shares.detach}`, { token: demo.token, headers: { 'openstack-api-version': 'compute 2.97' } });
  expect(del.status).toBe(200);
  await until('every held fault hit', async () => {
    const faults = (await http(child.url, 'GET', '/_novasim/faults')).json().faults as { id: string; hits: number }[];
    return ids.every((id) => faults.find((f) => f.id === id)?.hits);
  }, 10_000, 10);
  await child.kill('SIGKILL');
  child = await startChild(['--db', db, '--profile', 'master'], env);
  report(`share crash (3 operations in flight): restart printed ${JSON.stringify(child.recovered)}`);
}, 120_000);

afterAll(async () => {
  await child?.kill('SIGTERM');
  removeDb(db);
});

describe('crash in the middle of share attach/detach', () => {
  it('recovers all three interrupted casts and leaves no compute task', () => {
    expect(child.recovered).toEqual({ completed: 2, rolledBack: 1 });
    const d = new Database(db, { readonly: true, fileMustExist: true });
    try {
      expect((d.prepare('SELECT COUNT(*) AS n FROM compute_tasks').get() as { n: number }).n).toBe(0);
      const statuses = d.prepare('SELECT status FROM share_mapping').all() as { status: string }[];
      expect(statuses.every((s) => ['inactive', 'error'].includes(s.status))).toBe(true);
    } finally {
      d.close();
    }
  });

  it('an attach whose allow never reached Manila ends in error, without a rule, and can be detached', async () => {
    expect(await mapping(servers['attach-before-grant'], shares['attach-before-grant'])).toBe('error');
    expect(await rules(shares['attach-before-grant'])).toEqual([]);
    const del = await http(child.url, 'DELETE', `/compute/v2.1/servers/${servers['attach-before-grant']}/shares/${shares['attach-before-grant']}`, { token: demo.token, headers: { 'openstack-api-version': 'compute 2.97' } });
    expect(del.status).toBe(200);
    await until('mapping gone', async () => (await mapping(servers['attach-before-grant'], shares['attach-before-grant'])) === 404);
  });

  it('an attach whose rule Manila granted ends inactive, and powers on with the share active', async () => {
    expect(await mapping(servers['attach-after-grant'], shares['attach-after-grant'])).toBe('inactive');
    expect((await rules(shares['attach-after-grant'])).map((r) => r.state)).toEqual(['active']);
    const start = await http(child.url, 'POST', `/compute/v2.1/servers/${servers['attach-after-grant']}/action`, { token: demo.token, body: { 'os-start': null } });
    expect(start.status).toBe(202);
    await until('share active', async () => (await mapping(servers['attach-after-grant'], shares['attach-after-grant'])) === 'active');
  });

  it('a detach acknowledged before the kill is finished: mapping and rule gone', async () => {
    expect(await mapping(servers.detach, shares.detach)).toBe(404);
    expect(await rules(shares.detach)).toEqual([]);
  });

  it('keeps what was settled before the kill, and finishes the instance actions', async () => {
    expect(await mapping(servers.bystander, shares.bystander)).toBe('inactive');
    expect((await rules(shares.bystander)).map((r) => r.state)).toEqual(['active']);
    for (const [name, action] of [['attach-before-grant', 'attach_share'], ['attach-after-grant', 'attach_share'], ['detach', 'detach_share']] as const) {
      const list = (await http(child.url, 'GET', `/compute/v2.1/servers/${servers[name]}/os-instance-actions`, { token: admin.token })).json().instanceActions as { action: string; request_id: string }[];
      const a = list.find((x) => x.action === action)!;
      const detail = (await http(child.url, 'GET', `/compute/v2.1/servers/${servers[name]}/os-instance-actions/${a.request_id}`, { token: admin.token, headers: { 'openstack-api-version': 'compute 2.51' } })).json().instanceAction;
      const ev = (detail.events as { event: string; result: string; finish_time: string | null }[]).find((e) => e.event === `compute_${action === 'attach_share' ? 'allow_share' : 'deny_share'}`);
      expect(ev?.finish_time, `${name} event finished`).toBeTruthy();
      expect(ev?.result).toBe(name === 'attach-before-grant' ? 'Error' : 'Success');
    }
  });
});

// Crash safety of live migration: novasim as a child process on a file database, SIGKILLed while a
// live migration is in pre_live_migration on the destination (held there by a delay fault: the
// destination's Cinder attachment exists) and while it is running; a restart on the same file must
// roll it back (src/compute/live-migration/manager.ts recoverLiveMigrationJob): the server ACTIVE on
// its source with task_state None, the migration in `error`, every BDM's attachment `attached`, no
// leaked attachment, no compute task left.
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { IMAGE_ID, checkConsistency, http, loginHttp, removeDb, report, startChild, tempDbPath, until } from '../helpers/reliability.js';

const env = { NOVASIM_VOLUME_CREATE_DELAY_MS: '0', NOVASIM_BUILD_DELAY_MS: '0', NOVASIM_LIVE_MIGRATION_MS: '600000' };
const dbs: string[] = [];
afterAll(() => dbs.forEach(removeDb));

describe('live migration: SIGKILL mid-migration, then restart', () => {
  it.each(['preparing', 'running'] as const)('killed while %s: rolled back, consistent with Cinder', async (phase) => {
    const db = tempDbPath(`lm-${phase}`);
    dbs.push(db);
    let child = await startChild(['--db', db], env);
    let server = '';
    let migrationId = 0;
    let source = '';
    try {
      const admin = await loginHttp(child.url, 'admin');
      const boot = await http(child.url, 'POST', '/compute/v2.1/servers', { token: admin.token, body: { server: { name: `lm-${phase}`, imageRef: IMAGE_ID, flavorRef: '1', networks: 'none' } } });
      server = boot.json().server.id;
      const shown = () => http(child.url, 'GET', `/compute/v2.1/servers/${server}`, { token: admin.token }).then((r) => r.json().server);
      await until('ACTIVE', async () => (await shown()).status === 'ACTIVE');
      source = (await shown())['OS-EXT-SRV-ATTR:host'];
      const vol = await http(child.url, 'POST', `/volume/v3/${admin.projectId}/volumes`, { token: admin.token, body: { volume: { size: 1, name: 'lmv' } } });
      const volId = vol.json().volume.id as string;
      await until('available', async () => (await http(child.url, 'GET', `/volume/v3/${admin.projectId}/volumes/${volId}`, { token: admin.token })).json().volume.status === 'available');
      expect((await http(child.url, 'POST', `/compute/v2.1/servers/${server}/os-volume_attachments`, { token: admin.token, body: { volumeAttachment: { volumeId: volId } } })).status).toBe(200);
      await until('in-use', async () => (await http(child.url, 'GET', `/volume/v3/${admin.projectId}/volumes/${volId}`, { token: admin.token })).json().volume.status === 'in-use');
      if (phase === 'preparing') {
        const f = await http(child.url, 'POST', '/_novasim/faults', { token: admin.token, body: { service: 'compute', operation: 'driver.pre_live_migration', match: { instance_uuid: server }, error: { delay_ms: 600_000 } } });
        expect(f.status, f.text).toBeLessThan(300);
      }
      const lm = await http(child.url, 'POST', `/compute/v2.1/servers/${server}/action`, {
        token: admin.token, headers: { 'openstack-api-version': 'compute 2.80' },
        body: { 'os-migrateLive': { host: source === 'compute' ? 'compute-2' : 'compute', block_migration: true } },
      });
      expect(lm.status, lm.text).toBe(202);
      migrationId = await until(`migration ${phase}`, async () => {
        const list = (await http(child.url, 'GET', `/compute/v2.1/servers/${server}/migrations`, { token: admin.token, headers: { 'openstack-api-version': 'compute 2.80' } })).json().migrations as { id: number; status: string }[];
        return list.find((m) => m.status === phase)?.id;
      });
      // The destination's attachment exists now (created before the held driver step, or completed).
      await until('two attachments', async () => {
        const atts = (await http(child.url, 'GET', `/volume/v3/${admin.projectId}/attachments?all_tenants=1&volume_id=${volId}`, { token: admin.token, headers: { 'openstack-api-version': 'volume 3.44' } })).json().attachments as unknown[];
        return atts.length === 2;
      });
      await child.kill('SIGKILL');

      child = await startChild(['--db', db], env);
      const admin2 = await loginHttp(child.url, 'admin');
      expect(child.recovered).toEqual({ completed: 0, rolledBack: 1 });
      const after = (await http(child.url, 'GET', `/compute/v2.1/servers/${server}`, { token: admin2.token })).json().server;
      expect(after).toMatchObject({ status: 'ACTIVE', 'OS-EXT-STS:task_state': null, 'OS-EXT-SRV-ATTR:host': source });
      const migs = (await http(child.url, 'GET', `/compute/v2.1/os-migrations?instance_uuid=${server}`, { token: admin2.token })).json().migrations as { id: number; status: string }[];
      expect(migs.find((m) => m.id === migrationId)?.status).toBe('error');
      const d = new Database(db, { readonly: true });
      try {
        const problems = await checkConsistency(child.url, admin2, [server], { db: d });
        report(`live migration killed while ${phase}: ${problems.length} problem(s)`);
        expect(problems).toEqual([]);
      } finally {
        d.close();
      }
    } finally {
      await child.kill('SIGKILL');
    }
  }, 120_000);
});

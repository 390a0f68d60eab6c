// SIGKILL in the middle of the shelve family (compute/recovery.ts, Nova's _init_instance): an
// interrupted shelve is run again (snapshot uploaded, then offloaded), an interrupted unshelve that
// had claimed a host is undone (SHELVED_OFFLOADED, no host, the volume keeps a connector-less attachment).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { bootServer, client, startSim } from '../../helpers/sim.js';
import { act, lastAction, server } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'novasim-shelve-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The database as a crash right after the API's commit leaves it: task_state set, action recorded, cast pending. */
function interrupt(db: string, uuid: string, o: { action: string; instanceAction: string; taskState: string; args: unknown; requestId: string; patch?: Record<string, unknown> }) {
  const d = new Database(db);
  const ctx = d.prepare('SELECT user_id, project_id FROM instances WHERE uuid = ?').get(uuid) as { user_id: string; project_id: string };
  const now = new Date().toISOString();
  d.prepare('UPDATE instances SET task_state = ? WHERE uuid = ?').run(o.taskState, uuid);
  for (const [k, v] of Object.entries(o.patch ?? {})) d.prepare(`UPDATE instances SET ${k} = ? WHERE uuid = ?`).run(v, uuid);
  d.prepare('INSERT INTO instance_actions (action, instance_uuid, request_id, user_id, project_id, start_time, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
    .run(o.instanceAction, uuid, o.requestId, ctx.user_id, ctx.project_id, now, now);
  const context = { requestId: o.requestId, userId: ctx.user_id, projectId: ctx.project_id, roles: ['member'], isAdmin: false, authToken: 'gone' };
  d.prepare('INSERT INTO compute_tasks (instance_uuid, kind, args, context, created_at) VALUES (?, ?, ?, ?, ?)')
    .run(uuid, 'server_action', JSON.stringify({ kind: 'server_action', uuid, action: o.action, args: o.args }), JSON.stringify(context), now);
  d.close();
}

describe('recovery of an interrupted shelve / unshelve', () => {
  it('re-runs the shelve (upload, SHELVED, offload) and undoes a half-done unshelve', async () => {
    const db = join(dir, 'crash.db');
    let sim = await startSim({ db });
    let demo = await client(sim, 'demo');
    const shelving = await bootServer(sim, demo, 'was-shelving');
    const unshelving = await bootServer(sim, demo, 'was-unshelving');
    // nova-api's create_image happened before the crash.
    const img = (await demo.req('POST', '/image/v2/images', { name: 'was-shelving-shelved', visibility: 'private' })).json();
    await act(sim, demo, unshelving, { shelve: null });
    const cinder = await client(sim, 'demo', null);
    const vol = (await cinder.req('POST', `/volume/v3/${demo.projectId}/volumes`, { volume: { size: 1, name: 'v-unshelve' } })).json().volume;
    await sim.idle();
    const attach = await demo.req('POST', `/compute/v2.1/servers/${unshelving}/os-volume_attachments`, { volumeAttachment: { volumeId: vol.id } });
    expect([200, 202]).toContain(attach.statusCode);
    await sim.idle();
    await sim.close();

    interrupt(db, shelving, { action: 'shelve', instanceAction: 'shelve', taskState: 'shelving', args: { imageId: img.id }, requestId: 'req-00000000-0000-0000-0000-0000000000a1' });
    interrupt(db, unshelving, {
      action: 'unshelve', instanceAction: 'unshelve', taskState: 'spawning', args: { az: null, fromState: 'shelved_offloaded' },
      requestId: 'req-00000000-0000-0000-0000-0000000000a2', patch: { host: 'compute', node: 'novasim-node' },
    });

    sim = await startSim({ db });
    try {
      const report = await sim.recovery;
      expect(report.completed).toEqual([{ kind: 'server_action', instance: shelving }]);
      expect(report.rolledBack).toEqual([{ kind: 'server_action', instance: unshelving }]);
      demo = await client(sim, 'demo');
      const admin = await client(sim, 'admin');
      expect(await server(admin, shelving)).toMatchObject({ status: 'SHELVED_OFFLOADED', 'OS-EXT-STS:task_state': null, 'OS-EXT-SRV-ATTR:host': null });
      expect((await demo.req('GET', `/image/v2/images/${img.id}`)).json()).toMatchObject({ status: 'active' });
      expect((await lastAction(admin, shelving)).events.every((e) => e.event === 'compute_shelve_instance' && e.result === 'Success')).toBe(true);
      expect(await server(admin, unshelving)).toMatchObject({ status: 'SHELVED_OFFLOADED', 'OS-EXT-STS:task_state': null, 'OS-EXT-SRV-ATTR:host': null });
      expect(await lastAction(admin, unshelving)).toMatchObject({ action: 'unshelve', message: 'Error' });
      // The volume stays reserved for the server by an attachment without a connector.
      const cinder2 = await client(sim, 'demo', null);
      const v = (await cinder2.req('GET', `/volume/v3/${demo.projectId}/volumes/${vol.id}`)).json().volume;
      expect(v.status).toBe('reserved');
      expect(sim.services.db.prepare('SELECT COUNT(*) AS n FROM compute_tasks').get()).toEqual({ n: 0 });
      // And it can be unshelved for real now.
      await act(sim, demo, unshelving, { unshelve: null });
      expect(await server(admin, unshelving)).toMatchObject({ status: 'ACTIVE' });
      expect((await cinder2.req('GET', `/volume/v3/${demo.projectId}/volumes/${vol.id}`)).json().volume.status).toBe('in-use');
    } finally {
      await sim.close();
    }
  });
});

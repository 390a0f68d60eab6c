// Start-up recovery of server actions a crash interrupted (compute/recovery.ts, Nova's _init_instance):
// the cast is still in compute_tasks with the instance in its task_state. POWERING_OFF runs
// stop_instance again; PAUSING is cleared back to task_state None with a fault and an Error event.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { bootServer, client, startSim } from '../../helpers/sim.js';
import { lastAction, server } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'novasim-actions-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Leave the database as a crash right after the API's commit would: task_state set, action recorded, cast pending. */
function interrupt(db: string, uuid: string, action: string, instanceAction: string, taskState: string, requestId: string) {
  const d = new Database(db);
  const ctx = d.prepare("SELECT user_id, project_id FROM instances WHERE uuid = ?").get(uuid) as { user_id: string; project_id: string };
  const now = new Date().toISOString();
  d.prepare('UPDATE instances SET task_state = ? WHERE uuid = ?').run(taskState, uuid);
  d.prepare('INSERT INTO instance_actions (action, instance_uuid, request_id, user_id, project_id, start_time, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
    .run(instanceAction, uuid, requestId, ctx.user_id, ctx.project_id, now, now);
  const context = { requestId, userId: ctx.user_id, projectId: ctx.project_id, roles: ['member'], isAdmin: false, authToken: 'gone' };
  d.prepare('INSERT INTO compute_tasks (instance_uuid, kind, args, context, created_at) VALUES (?, ?, ?, ?, ?)')
    .run(uuid, 'server_action', JSON.stringify({ kind: 'server_action', uuid, action, args: {} }), JSON.stringify(context), now);
  d.close();
}

describe('recovery of interrupted server actions', () => {
  it('retries an interrupted stop and clears an interrupted pause', async () => {
    const db = join(dir, 'crash.db');
    let sim = await startSim({ db });
    let demo = await client(sim, 'demo');
    const stopped = await bootServer(sim, demo, 'was-stopping');
    const paused = await bootServer(sim, demo, 'was-pausing');
    await sim.close();

    interrupt(db, stopped, 'os-stop', 'stop', 'powering-off', 'req-00000000-0000-0000-0000-000000000001');
    interrupt(db, paused, 'pause', 'pause', 'pausing', 'req-00000000-0000-0000-0000-000000000002');

    sim = await startSim({ db });
    try {
      const report = await sim.recovery;
      expect(report.completed).toEqual([{ kind: 'server_action', instance: stopped }]);
      expect(report.rolledBack).toEqual([{ kind: 'server_action', instance: paused }]);
      demo = await client(sim, 'demo');
      const admin = await client(sim, 'admin');
      expect(await server(demo, stopped)).toMatchObject({ status: 'SHUTOFF', 'OS-EXT-STS:task_state': null });
      expect(await server(demo, paused)).toMatchObject({ status: 'ACTIVE', 'OS-EXT-STS:task_state': null });
      const stopAction = await lastAction(admin, stopped);
      expect(stopAction.action).toBe('stop');
      expect(stopAction.events.every((e) => e.event === 'compute_stop_instance' && e.result === 'Success')).toBe(true);
      const pauseAction = await lastAction(admin, paused);
      expect(pauseAction).toMatchObject({ action: 'pause', message: 'Error' });
      expect(pauseAction.events).toEqual([expect.objectContaining({ event: 'compute_pause_instance', result: 'Error' })]);
      expect(sim.services.db.prepare('SELECT COUNT(*) AS n FROM compute_tasks').get()).toEqual({ n: 0 });
    } finally {
      await sim.close();
    }
  });
});

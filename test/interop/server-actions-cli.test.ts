// Debian's `openstack` CLI (OSC 6.0) driving the declared server actions on one server against
// `novasim serve`: each command must reach its status, and `server event list` must show them
// (console log, crash dump and reset-state included).
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { Cli, OPENSTACK, ok } from './helpers/cli.js';
import { api, distProblem, login, startNovasim, waitFor, type Novasim, type Session } from './helpers/novasim.js';
import { describeIf, missingExecutables } from './helpers/prereq.js';

// ~10 CLI commands per `it`, 2–8 s each on a loaded machine.
vi.setConfig({ testTimeout: 240_000 });

const missing = missingExecutables([OPENSTACK]);
const problems = [missing.length ? `${missing.join(', ')} missing` : null, distProblem()];

// Both release profiles: Zed 26.2.2 (max 2.93) and master.
for (const profile of ['master', 'zed'] as const) {
  describeIf('openstack CLI interop', problems)(`openstack server actions against novasim (${profile} profile)`, () => {
    let sim: Novasim;
    let admin: Session;
    let cli: Cli;

    beforeAll(async () => {
      sim = await startNovasim({ profile });
      admin = await login(sim.url, 'admin');
      cli = new Cli(sim.url);
    });
    afterAll(async () => {
      await sim?.stop();
    });

    let id: string;
    type Shown = { status: string; locked: boolean; 'OS-EXT-STS:task_state': string | null };
    const status = async () => (await api(sim.url, admin, 'GET', `/compute/v2.1/servers/${id}`, undefined, '2.73')).body.server as Shown;
    async function drive(steps: [string[], (s: Shown) => boolean][]) {
      for (const [args, reached] of steps) {
        ok(await cli.openstack(...args));
        await waitFor(args.join(' '), async () => reached(await status()));
      }
    }

    it('server stop, start, reboot (hard and soft), pause, unpause, suspend, resume', async () => {
      id = (await cli.json('server', 'create', '--flavor', 'm1.tiny', '--image', 'cirros', '--wait', 'cli-actions')).id;
      await drive([
        [['server', 'stop', id], (s) => s.status === 'SHUTOFF'],
        [['server', 'start', id], (s) => s.status === 'ACTIVE'],
        [['server', 'reboot', '--hard', id], (s) => s.status === 'ACTIVE' && s['OS-EXT-STS:task_state'] === null],
        [['server', 'reboot', id], (s) => s.status === 'ACTIVE' && s['OS-EXT-STS:task_state'] === null],
        [['server', 'pause', id], (s) => s.status === 'PAUSED'],
        [['server', 'unpause', id], (s) => s.status === 'ACTIVE'],
        [['server', 'suspend', id], (s) => s.status === 'SUSPENDED'],
        [['server', 'resume', id], (s) => s.status === 'ACTIVE'],
      ]);
    });

    it('server lock --reason, unlock, rescue --image, unrescue; server event list/show show every action', async () => {
      await drive([
        [['--os-compute-api-version', '2.73', 'server', 'lock', '--reason', 'cli test', id], (s) => s.locked],
        [['server', 'unlock', id], (s) => !s.locked],
        [['server', 'rescue', '--image', 'cirros', id], (s) => s.status === 'RESCUE'],
        [['server', 'unrescue', id], (s) => s.status === 'ACTIVE'],
      ]);
      const events: { Action: string; 'Request ID': string }[] = await cli.json('server', 'event', 'list', id);
      expect(events.map((e) => e.Action)).toEqual(['unrescue', 'rescue', 'unlock', 'lock', 'resume', 'suspend', 'unpause', 'pause', 'reboot', 'reboot', 'start', 'stop', 'create']);
      const stop = await cli.json('server', 'event', 'show', id, events[events.length - 2]['Request ID']);
      expect(stop).toMatchObject({ action: 'stop' });
      expect(JSON.stringify(stop.events)).toContain('compute_stop_instance');
    });

    it('console log show --lines, server dump create (2.17), server set --state error/active (os-resetState)', async () => {
      // os-getConsoleOutput answers nova.virt.fake's console text; --lines keeps the tail (_tail_log).
      const log = await cli.openstack('console', 'log', 'show', '--lines', '2', id);
      ok(log);
      expect(log.stdout.trim()).toBe('ANOTHER\nLAST LINE');
      // trigger_crash_dump leaves the server ACTIVE; its events are recorded under the action name.
      await drive([
        [['--os-compute-api-version', '2.17', 'server', 'dump', 'create', id], (s) => s.status === 'ACTIVE' && s['OS-EXT-STS:task_state'] === null],
        [['server', 'set', '--state', 'error', id], (s) => s.status === 'ERROR'],
        [['server', 'set', '--state', 'active', id], (s) => s.status === 'ACTIVE'],
      ]);
      const events: { Action: string }[] = await cli.json('server', 'event', 'list', id);
      expect(events.slice(0, 3).map((e) => e.Action)).toEqual(['resetState', 'resetState', 'trigger_crash_dump']);
    });
  });
}

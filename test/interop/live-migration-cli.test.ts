// Debian's `openstack` CLI (OSC 6.0) driving live migration against `novasim serve` on both profiles:
// `server migrate --live-migration [--host]`, `server migration list`, `server migration force
// complete`, `server migration abort`, and `server event list` showing the actions. The live
// migration runs for --live-migration-ms (long here), so force complete / abort end it.
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { Cli, OPENSTACK, ok } from './helpers/cli.js';
import { api, distProblem, login, startNovasim, waitFor, type Novasim, type Session } from './helpers/novasim.js';
import { describeIf, missingExecutables } from './helpers/prereq.js';

vi.setConfig({ testTimeout: 240_000 });

const missing = missingExecutables([OPENSTACK]);
const problems = [missing.length ? `${missing.join(', ')} missing` : null, distProblem()];

for (const profile of ['master', 'zed'] as const) {
  describeIf('openstack CLI interop', problems)(`openstack server migrate --live-migration against novasim (${profile} profile)`, () => {
    let sim: Novasim;
    let admin: Session;
    let cli: Cli;
    let id: string;
    // 2.80: migrations with user/project ids, host allowed with --live-migration (2.30+); Zed's maximum is 2.93.
    const V = ['--os-compute-api-version', '2.80'];

    beforeAll(async () => {
      sim = await startNovasim({ profile, args: ['--live-migration-ms', '120000'] });
      admin = await login(sim.url, 'admin');
      cli = new Cli(sim.url);
    });
    afterAll(async () => {
      await sim?.stop();
    });

    type Shown = { status: string; 'OS-EXT-STS:task_state': string | null; 'OS-EXT-SRV-ATTR:host': string };
    const shown = async () => (await api(sim.url, admin, 'GET', `/compute/v2.1/servers/${id}`, undefined, '2.80')).body.server as Shown;
    /** The in-progress live migration once the hypervisor is copying (status running). */
    const running = () => waitFor('running live migration', async () => {
      const list: { Id: number; Status: string; Type?: string }[] = await cli.json(...V, 'server', 'migration', 'list', '--server', id, '--type', 'live-migration');
      return list.find((m) => m.Status === 'running');
    });

    it('server migrate --live-migration --host, server migration list, server migration force complete', async () => {
      id = (await cli.json('server', 'create', '--flavor', 'm1.tiny', '--image', 'cirros', '--wait', `cli-lm-${profile}`)).id;
      const source = (await shown())['OS-EXT-SRV-ATTR:host'];
      const dest = source === 'compute' ? 'compute-2' : 'compute';
      ok(await cli.openstack(...V, 'server', 'migrate', '--live-migration', '--host', dest, '--block-migration', id));
      expect((await shown()).status).toBe('MIGRATING');
      const m = await running();
      ok(await cli.openstack(...V, 'server', 'migration', 'force', 'complete', id, String(m.Id)));
      await waitFor('ACTIVE on the destination', async () => {
        const s = await shown();
        return s.status === 'ACTIVE' && s['OS-EXT-SRV-ATTR:host'] === dest;
      });
      const all: { Id: number; Status: string }[] = await cli.json(...V, 'server', 'migration', 'list', '--server', id);
      expect(all.find((x) => x.Id === m.Id)?.Status).toBe('completed');
    });

    it('server migrate --live-migration (scheduler), server migration abort; server event list shows every action', async () => {
      const before = (await shown())['OS-EXT-SRV-ATTR:host'];
      ok(await cli.openstack(...V, 'server', 'migrate', '--live-migration', id));
      const m = await running();
      ok(await cli.openstack(...V, 'server', 'migration', 'abort', id, String(m.Id)));
      await waitFor('ACTIVE again, not migrated', async () => {
        const s = await shown();
        return s.status === 'ACTIVE' && s['OS-EXT-STS:task_state'] === null && s['OS-EXT-SRV-ATTR:host'] === before;
      });
      const all: { Id: number; Status: string }[] = await cli.json(...V, 'server', 'migration', 'list', '--server', id);
      expect(all.find((x) => x.Id === m.Id)?.Status).toBe('cancelled');
      const events: { Action: string; 'Request ID': string }[] = await cli.json('server', 'event', 'list', id);
      const actions = events.map((e) => e.Action);
      expect(actions.filter((a) => a === 'live-migration')).toHaveLength(2);
      expect(actions).toEqual(expect.arrayContaining(['live_migration_force_complete', 'live_migration_cancel', 'create']));
    });
  });
}

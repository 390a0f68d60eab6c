// Debian's `openstack` CLI (OSC 6.0) driving the shelve / deferred-delete / password / console family
// against `novasim serve --reclaim-instance-interval 60` on both profiles: each command reaches its
// status and `server event list` shows the actions.
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { Cli, OPENSTACK, ok } from './helpers/cli.js';
import { api, distProblem, login, startNovasim, waitFor, type Novasim, type Session } from './helpers/novasim.js';
import { describeIf, missingExecutables } from './helpers/prereq.js';

// ~8 CLI commands per `it`, 2–8 s each on a loaded machine.
vi.setConfig({ testTimeout: 240_000 });

const missing = missingExecutables([OPENSTACK]);
const problems = [missing.length ? `${missing.join(', ')} missing` : null, distProblem()];

for (const profile of ['master', 'zed'] as const) {
  describeIf('openstack CLI interop', problems)(`openstack shelve, soft delete, password and consoles against novasim (${profile})`, () => {
    let sim: Novasim;
    let admin: Session;
    let cli: Cli;
    let id: string;

    beforeAll(async () => {
      sim = await startNovasim({ profile, args: ['--reclaim-instance-interval', '60'] });
      admin = await login(sim.url, 'admin');
      cli = new Cli(sim.url);
    });
    afterAll(async () => {
      await sim?.stop();
    });

    type Shown = { status: string; 'OS-EXT-SRV-ATTR:host': string | null; 'OS-EXT-STS:task_state': string | null };
    const status = async () => (await api(sim.url, admin, 'GET', `/compute/v2.1/servers/${id}`)).body.server as Shown;
    async function drive(steps: [string[], (s: Shown) => boolean][]) {
      for (const [args, reached] of steps) {
        ok(await cli.openstack(...args));
        await waitFor(args.join(' '), async () => reached(await status()));
      }
    }

    it('server shelve (offloaded at once: shelved_offload_time 0), server unshelve', async () => {
      id = (await cli.json('server', 'create', '--flavor', 'm1.tiny', '--image', 'cirros', '--wait', `cli-shelve-${profile}`)).id;
      await drive([
        [['server', 'shelve', id], (s) => s.status === 'SHELVED_OFFLOADED' && s['OS-EXT-SRV-ATTR:host'] === null],
        [['server', 'unshelve', id], (s) => s.status === 'ACTIVE' && s['OS-EXT-SRV-ATTR:host'] !== null],
      ]);
      // The snapshot image was deleted by the unshelve.
      const images: { Name: string }[] = await cli.json('image', 'list');
      expect(images.map((i) => i.Name)).not.toContain(`cli-shelve-${profile}-shelved`);
    });

    it('server set --password (changePassword), console url show (os-getVNCConsole at 2.1, remote-consoles at 2.6)', async () => {
      ok(await cli.openstack('server', 'set', '--password', 'n3w-s3cret', id));
      expect((await status()).status).toBe('ACTIVE');
      const old = await cli.json('console', 'url', 'show', id);
      expect(old).toMatchObject({ type: 'novnc' });
      expect(old.url).toMatch(/^http:\/\/127\.0\.0\.1:6080\/vnc_auto\.html\?path=%3Ftoken%3D[0-9a-f-]{36}$/);
      const rc = await cli.json('--os-compute-api-version', '2.6', 'console', 'url', 'show', '--novnc', id);
      expect(rc).toMatchObject({ protocol: 'vnc', type: 'novnc' });
      // The token resolves for an admin (2.31+).
      const token = decodeURIComponent(String(rc.url).split('path=')[1]).replace('?token=', '');
      const shown = await api(sim.url, admin, 'GET', `/compute/v2.1/os-console-auth-tokens/${token}`, undefined, '2.31');
      expect(shown.body.console).toMatchObject({ instance_uuid: id, port: 6969 });
    });

    it('server delete soft-deletes (SOFT_DELETED), server restore, server delete --force; server event list shows every action', async () => {
      await drive([
        [['server', 'delete', id], (s) => s.status === 'SOFT_DELETED'],
        [['server', 'restore', id], (s) => s.status === 'ACTIVE' && s['OS-EXT-STS:task_state'] === null],
      ]);
      const events: { Action: string }[] = await cli.json('server', 'event', 'list', id);
      expect(events.map((e) => e.Action)).toEqual(['restore', 'delete', 'changePassword', 'unshelve', 'shelve', 'create']);
      ok(await cli.openstack('server', 'delete', id));
      await waitFor('SOFT_DELETED again', async () => (await status()).status === 'SOFT_DELETED');
      // server delete --force is forceDelete (deferred_delete.py _force_delete): gone without waiting for reclaim.
      ok(await cli.openstack('server', 'delete', '--force', id));
      await waitFor('force-deleted', async () => (await api(sim.url, admin, 'GET', `/compute/v2.1/servers/${id}`)).status === 404);
    });
  });
}

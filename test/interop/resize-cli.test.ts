// Debian's `openstack` CLI (OSC 6.0) driving resize, resize confirm/revert, cold migrate (+ confirm) and
// `server migration list` against `novasim serve` on both profiles: each command reaches its status, the
// server moves between the two simulated hosts, and `server event list` shows every action.
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { Cli, OPENSTACK, ok } from './helpers/cli.js';
import { api, distProblem, login, startNovasim, waitFor, type Novasim, type Session } from './helpers/novasim.js';
import { describeIf, missingExecutables } from './helpers/prereq.js';

// ~8 CLI commands per `it`, 2–8 s each on a loaded machine.
vi.setConfig({ testTimeout: 300_000 });

const missing = missingExecutables([OPENSTACK]);
const problems = [missing.length ? `${missing.join(', ')} missing` : null, distProblem()];

for (const profile of ['master', 'zed'] as const) {
  describeIf('openstack CLI interop', problems)(`openstack server resize / migrate against novasim (${profile} profile)`, () => {
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

    type Shown = { status: string; flavor: { original_name: string }; 'OS-EXT-SRV-ATTR:host': string; 'OS-EXT-STS:task_state': string | null };
    const shown = async (id: string) => (await api(sim.url, admin, 'GET', `/compute/v2.1/servers/${id}`, undefined, '2.47')).body.server as Shown;

    let id: string;
    it('server resize --wait, resize confirm; server resize --wait, resize revert', async () => {
      id = (await cli.json('server', 'create', '--flavor', 'm1.tiny', '--image', 'cirros', '--wait', 'cli-resize')).id;
      const source = (await shown(id))['OS-EXT-SRV-ATTR:host'];
      ok(await cli.openstack('server', 'resize', '--flavor', 'm1.small', '--wait', id));
      let s = await shown(id);
      expect(s.status).toBe('VERIFY_RESIZE');
      expect(s.flavor.original_name).toBe('m1.small');
      expect(s['OS-EXT-SRV-ATTR:host']).not.toBe(source);
      ok(await cli.openstack('server', 'resize', 'confirm', id));
      await waitFor('ACTIVE after confirm', async () => (await shown(id)).status === 'ACTIVE');
      const afterConfirm = (await shown(id))['OS-EXT-SRV-ATTR:host'];
      ok(await cli.openstack('server', 'resize', '--flavor', 'm1.medium', '--wait', id));
      expect((await shown(id)).status).toBe('VERIFY_RESIZE');
      ok(await cli.openstack('server', 'resize', 'revert', id));
      await waitFor('ACTIVE after revert', async () => (await shown(id)).status === 'ACTIVE');
      s = await shown(id);
      expect(s.flavor.original_name).toBe('m1.small');
      expect(s['OS-EXT-SRV-ATTR:host']).toBe(afterConfirm);
    });

    it('server migrate --wait, server migrate confirm; server migration list; server event list shows every action', async () => {
      const before = (await shown(id))['OS-EXT-SRV-ATTR:host'];
      ok(await cli.openstack('server', 'migrate', '--wait', id));
      expect((await shown(id)).status).toBe('VERIFY_RESIZE');
      expect((await shown(id))['OS-EXT-SRV-ATTR:host']).not.toBe(before);
      ok(await cli.openstack('server', 'migrate', 'confirm', id));
      await waitFor('ACTIVE after migrate confirm', async () => (await shown(id)).status === 'ACTIVE');
      const list: Record<string, unknown>[] = await cli.json('--os-compute-api-version', '2.59', 'server', 'migration', 'list', '--server', id);
      const rows = list.map((m) => [m['Migration Type'] ?? m['Type'], m.Status]);
      expect(rows).toEqual([['migration', 'confirmed'], ['resize', 'reverted'], ['resize', 'confirmed']]);
      const events: { Action: string }[] = await cli.json('server', 'event', 'list', id);
      expect(events.map((e) => e.Action)).toEqual(['confirmResize', 'migrate', 'revertResize', 'resize', 'confirmResize', 'resize', 'create']);
    });
  });
}

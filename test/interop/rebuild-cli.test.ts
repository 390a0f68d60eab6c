// Debian's `openstack` CLI (OSC 6.0) driving rebuild, createImage, createBackup and evacuate against
// `novasim serve` on both profiles: each reaches its status and `server event list` shows it
// (evacuate through novaclient's `nova evacuate`: OSC 6.0's command crashes on novaclient's result, OSC Story 2010204).
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { Cli, NOVA, OPENSTACK, ok } from './helpers/cli.js';
import { api, distProblem, login, startNovasim, waitFor, type Novasim, type Session } from './helpers/novasim.js';
import { describeIf, missingExecutables } from './helpers/prereq.js';

vi.setConfig({ testTimeout: 300_000 });

const missing = missingExecutables([OPENSTACK, NOVA]);
const problems = [missing.length ? `${missing.join(', ')} missing` : null, distProblem()];

for (const profile of ['master', 'zed'] as const) {
  describeIf('openstack CLI interop', problems)(`openstack server rebuild/image/backup/evacuate against novasim (${profile})`, () => {
    let sim: Novasim;
    let admin: Session;
    let cli: Cli;
    let id: string;

    beforeAll(async () => {
      sim = await startNovasim({ profile });
      admin = await login(sim.url, 'admin');
      cli = new Cli(sim.url);
    });
    afterAll(async () => {
      await sim?.stop();
    });

    const shown = async () => (await api(sim.url, admin, 'GET', `/compute/v2.1/servers/${id}`)).body.server as Record<string, unknown>;

    it('server rebuild --wait, server image create --wait, server backup create; server event list shows them', async () => {
      id = (await cli.json('server', 'create', '--flavor', 'm1.tiny', '--image', 'cirros', '--wait', `cli-rebuild-${profile}`)).id;
      ok(await cli.openstack('server', 'rebuild', '--image', 'cirros', '--password', 'n3wpass', '--wait', id));
      expect(await shown()).toMatchObject({ status: 'ACTIVE', 'OS-EXT-STS:task_state': null });
      const image = await cli.json('server', 'image', 'create', '--name', `snap-${profile}`, '--wait', id);
      expect(image).toMatchObject({ name: `snap-${profile}`, status: 'active' });
      ok(await cli.openstack('server', 'backup', 'create', '--name', `bk-${profile}`, '--type', 'daily', '--rotate', '1', id));
      await waitFor('backup done', async () => (await shown())['OS-EXT-STS:task_state'] === null);
      const listed = await cli.json('image', 'list', '--name', `bk-${profile}`);
      expect(listed).toHaveLength(1);
      const events: { Action: string }[] = await cli.json('server', 'event', 'list', id);
      expect(events.map((e) => e.Action)).toEqual(['createBackup', 'createImage', 'rebuild', 'create']);
    });

    it('nova evacuate after compute service set --down; the server comes up on the other host', async () => {
      const src = (await shown())['OS-EXT-SRV-ATTR:host'] as string;
      ok(await cli.openstack('--os-compute-api-version', '2.11', 'compute', 'service', 'set', '--down', src, 'nova-compute'));
      try {
        // OSC 6.0's `server evacuate` sends the request, then fails on novaclient's result: `server = server.evacuate()`
        // is a TupleWithMeta, and _prep_server_detail calls its to_dict() ("'TupleWithMeta' object has no attribute
        // 'to_dict'", whatever the response). An OSC bug, Story 2010204, fixed by python-openstackclient 4592d2c78
        // "Fix server evacuate command" in 6.1.0; Debian ships 6.0.0, so the evacuation is driven with `nova evacuate`.
        ok(await cli.nova('evacuate', id));
        await waitFor('evacuated', async () => (await shown())['OS-EXT-STS:task_state'] === null && (await shown())['OS-EXT-SRV-ATTR:host'] !== src);
        const after = await shown();
        expect(after).toMatchObject({ status: 'ACTIVE' });
        expect(after['OS-EXT-SRV-ATTR:host']).not.toBe(src);
        const events: { Action: string }[] = await cli.json('server', 'event', 'list', id);
        expect(events[0].Action).toBe('evacuate');
        const migrations = await cli.json('--os-compute-api-version', '2.23', 'server', 'migration', 'list', '--server', id);
        expect(JSON.stringify(migrations)).toContain('evacuation');
      } finally {
        ok(await cli.openstack('--os-compute-api-version', '2.11', 'compute', 'service', 'set', '--up', src, 'nova-compute'));
      }
    });
  });
}

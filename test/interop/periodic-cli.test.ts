// Debian's `openstack` CLI (OSC 6.0) against `novasim serve`, both profiles, for the host side of
// issue #17/#13: a nova-compute started at run time shows in `compute service list` and goes with
// `compute service delete` (service.create/delete), and server groups place servers through the
// scheduler's affinity filters (`server group create --policy`, `server create --hint group=`).
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { Cli, OPENSTACK, ok } from './helpers/cli.js';
import { api, distProblem, login, startNovasim, type Novasim, type Session } from './helpers/novasim.js';
import { describeIf, missingExecutables } from './helpers/prereq.js';

vi.setConfig({ testTimeout: 240_000 });

const missing = missingExecutables([OPENSTACK]);
const problems = [missing.length ? `${missing.join(', ')} missing` : null, distProblem()];

for (const profile of ['master', 'zed'] as const) {
  describeIf('openstack CLI interop', problems)(`compute services and server groups via the openstack CLI (${profile})`, () => {
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

    it('a nova-compute started at run time: compute service list / hypervisor list show it, compute service delete removes it', async () => {
      const started = await api(sim.url, null, 'POST', '/_novasim/compute-services', { host: 'host3' });
      expect(started.status, started.text).toBe(201);
      const services: { Host: string; Binary: string; State: string; ID: string | number }[] = await cli.json('--os-compute-api-version', '2.53', 'compute', 'service', 'list', '--service', 'nova-compute');
      const mine = services.find((s) => s.Host === 'host3');
      expect(mine).toMatchObject({ Binary: 'nova-compute', State: 'up' });
      const hv: { 'Hypervisor Hostname': string }[] = await cli.json('hypervisor', 'list');
      expect(hv.map((h) => h['Hypervisor Hostname'])).toContain('host3');
      ok(await cli.openstack('--os-compute-api-version', '2.53', 'compute', 'service', 'delete', String(mine!.ID)));
      const after: { Host: string }[] = await cli.json('compute', 'service', 'list', '--service', 'nova-compute');
      expect(after.map((s) => s.Host)).not.toContain('host3');
      const notes = (await api(sim.url, null, 'GET', '/_novasim/notifications?event_type=service.create')).body;
      const deleted = (await api(sim.url, null, 'GET', '/_novasim/notifications?event_type=service.delete')).body;
      expect(JSON.stringify(notes)).toContain('nova-compute:host3');
      expect(JSON.stringify(deleted)).toContain('nova-compute:host3');
    });

    it('server group create --policy anti-affinity / affinity; server create --hint group= places the members; server event list shows the create', async () => {
      const anti = await cli.json('server', 'group', 'create', '--policy', 'anti-affinity', 'cli-anti');
      const aff = await cli.json('server', 'group', 'create', '--policy', 'affinity', 'cli-aff');
      const host = async (id: string) => (await api(sim.url, admin, 'GET', `/compute/v2.1/servers/${id}`)).body.server['OS-EXT-SRV-ATTR:host'] as string;
      const a1 = (await cli.json('server', 'create', '--flavor', 'm1.tiny', '--image', 'cirros', '--hint', `group=${anti.id}`, '--wait', 'anti-1')).id;
      const a2 = (await cli.json('server', 'create', '--flavor', 'm1.tiny', '--image', 'cirros', '--hint', `group=${anti.id}`, '--wait', 'anti-2')).id;
      expect(await host(a1)).not.toBe(await host(a2));
      const f1 = (await cli.json('server', 'create', '--flavor', 'm1.tiny', '--image', 'cirros', '--hint', `group=${aff.id}`, '--wait', 'aff-1')).id;
      const f2 = (await cli.json('server', 'create', '--flavor', 'm1.tiny', '--image', 'cirros', '--hint', `group=${aff.id}`, '--wait', 'aff-2')).id;
      expect(await host(f1)).toBe(await host(f2));
      // Both hosts hold an anti-affinity member: a third has nowhere to go.
      // (OSC 6.0's --wait logs "Error creating server" but exits 0, so the status is what tells.)
      await cli.openstack('server', 'create', '--flavor', 'm1.tiny', '--image', 'cirros', '--hint', `group=${anti.id}`, '--wait', 'anti-3');
      const shown = await cli.json('server', 'show', 'anti-3');
      expect(shown.status).toBe('ERROR');
      expect(JSON.stringify(shown.fault)).toContain('No valid host was found. There are not enough hosts available.');
      const events: { Action: string }[] = await cli.json('server', 'event', 'list', a2);
      expect(events.map((e) => e.Action)).toEqual(['create']);
    });
  });
}

// Debian's openstack and nova CLIs against `novasim serve`: flavors (list/show/create/set/unset/
// delete, private flavors and project access through flavor set --project), server properties (metadata) and usage, as admin
// and as the member `demo`, who gets Nova's refusals.
import { afterAll, afterEach, beforeAll, expect, it, vi } from 'vitest';
import { Cli, NOVA, OPENSTACK, ok, parseTable } from './helpers/cli.js';
import { api, distProblem, login, Setup, startNovasim, type Novasim, type Session } from './helpers/novasim.js';
import { describeIf, missingExecutables } from './helpers/prereq.js';

vi.setConfig({ testTimeout: 120_000 });

const missing = missingExecutables([OPENSTACK, NOVA]);
const problems = [missing.length ? `${missing.join(', ')} missing` : null, distProblem()];

// Both release profiles: Zed 26.2.2 (max 2.93, Zed's policy defaults) and master.
for (const profile of ['master', 'zed'] as const) {
  describeIf('openstack flavor interop', problems)(`OpenStack CLIs: flavors, server properties, usage (${profile} profile)`, () => {
    let sim: Novasim;
    let admin: Session;
    let demoSession: Session;
    let setup: Setup;
    let cli: Cli;
    let demo: Cli;

    beforeAll(async () => {
      sim = await startNovasim({ profile });
      admin = await login(sim.url, 'admin');
      demoSession = await login(sim.url, 'demo');
      setup = new Setup(sim.url, admin);
      cli = new Cli(sim.url);
      demo = new Cli(sim.url, { user: 'demo' });
    });

    afterAll(async () => {
      await sim?.stop();
    });

    afterEach((ctx) => {
      if (ctx.task.result?.state === 'fail' && sim) console.error(`--- novasim output (tail) ---\n${sim.output().slice(-20_000)}`);
    });

    it('flavor list/show/create --property/set/unset/--private/delete, flavor set --project, nova flavor-list/flavor-key; demo is refused', async () => {
      const [list, novaList] = await Promise.all([cli.json('flavor', 'list', '--long'), cli.nova('flavor-list')]);
      expect(list.map((f: any) => f.Name)).toEqual(['m1.tiny', 'm1.small', 'm1.medium', 'm1.large', 'm1.xlarge']);
      expect(parseTable(ok(novaList).stdout).map((r) => r.Name)).toEqual(['m1.tiny', 'm1.small', 'm1.medium', 'm1.large', 'm1.xlarge']);

      const created = await cli.json('flavor', 'create', '--ram', '256', '--vcpus', '1', '--disk', '1', '--property', 'hw:cpu_policy=dedicated', 'cli-flavor');
      expect(created).toMatchObject({ name: 'cli-flavor', ram: 256, vcpus: 1, disk: 1, 'os-flavor-access:is_public': true });
      ok(await cli.openstack('flavor', 'set', '--property', 'hw:numa_nodes=1', '--description', 'from the cli', 'cli-flavor'));
      ok(await cli.openstack('flavor', 'unset', '--property', 'hw:cpu_policy', 'cli-flavor'));
      const shown = await cli.json('flavor', 'show', 'cli-flavor');
      expect(shown.properties).toEqual({ 'hw:numa_nodes': '1' });
      expect(shown.description).toBe('from the cli');
      // From 2.86 Nova validates known namespaces: a bad value is Nova's 400 (OSC talks 2.1 here).
      const bad = await cli.nova('--os-compute-api-version', '2.86', 'flavor-key', 'cli-flavor', 'set', 'hw:cpu_policy=bogus');
      expect(bad.code).toBe(1);
      expect(bad.stderr).toContain("Validation failed; 'bogus' is not one of: dedicated, shared, mixed.");

      const priv = await cli.json('flavor', 'create', '--ram', '128', '--vcpus', '1', '--disk', '0', '--private', 'cli-private');
      expect(priv['os-flavor-access:is_public']).toBe(false);
      const hidden = await demo.openstack('flavor', 'show', 'cli-private');
      expect(hidden.code).toBe(1);
      // `openstack flavor set --project` resolves the project by name in Keystone (GET /v3/projects?name=),
      // then adds the tenant access; novaclient takes the id, as Nova's API does.
      ok(await cli.openstack('flavor', 'set', '--project', 'demo', 'cli-private'));
      const access = await api(sim.url, admin, 'GET', `/compute/v2.1/flavors/${priv.id}/os-flavor-access`);
      expect(access.body.flavor_access).toEqual([{ flavor_id: priv.id, tenant_id: demoSession.projectId }]);
      expect((await demo.json('flavor', 'show', 'cli-private')).id).toBe(priv.id);

      const [refused, refusedDelete] = await Promise.all([
        demo.openstack('flavor', 'create', '--ram', '128', '--vcpus', '1', '--disk', '0', 'demo-flavor'),
        demo.openstack('flavor', 'delete', 'cli-flavor'),
      ]);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain("Policy doesn't allow os_compute_api:os-flavor-manage:create to be performed.");
      expect(refusedDelete.code).toBe(1);

      ok(await cli.openstack('flavor', 'delete', 'cli-flavor', 'cli-private'));
      const after = await api(sim.url, admin, 'GET', '/compute/v2.1/flavors?is_public=None');
      expect(after.body.flavors.map((f: any) => f.name)).not.toContain('cli-flavor');
      const events = (await setup.notifications({})).map((n: any) => n.event_type);
      expect(events).toEqual(expect.arrayContaining(['flavor.create', 'flavor.update', 'flavor.delete']));
    });

    it('server set/unset --property as demo, usage show', async () => {
      const created = await demo.json('server', 'create', '--flavor', 'm1.tiny', '--image', 'cirros', '--wait', 'prop-vm');
      ok(await demo.openstack('server', 'set', '--property', 'role=web', '--property', 'tier=1', 'prop-vm'));
      ok(await demo.openstack('server', 'unset', '--property', 'tier', 'prop-vm'));
      const shown = await api(sim.url, demoSession, 'GET', `/compute/v2.1/servers/${created.id}/metadata`);
      expect(shown.body).toEqual({ metadata: { role: 'web' } });
      const usage = await demo.json('usage', 'show', '--start', '2000-01-01');
      expect(usage.Servers).toEqual([expect.objectContaining({ name: 'prop-vm', flavor: 'm1.tiny', state: 'active' })]);
      // Listing every project's usage is an admin API.
      const all = await demo.openstack('usage', 'list', '--start', '2000-01-01');
      expect(all.code).toBe(1);
      expect(all.stderr).toContain("Policy doesn't allow os_compute_api:os-simple-tenant-usage:list to be performed.");
    });
  });
}

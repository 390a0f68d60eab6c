// Debian's `openstack` and `nova` CLIs on the host APIs (services, hypervisors, zones, aggregates) as
// admin and as a member (Nova's 403), and a boot that the scheduler places on the second host.
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { Cli, NOVA, OPENSTACK, ok } from './helpers/cli.js';
import { api, distProblem, login, startNovasim, type Novasim, type Session } from './helpers/novasim.js';
import { describeIf, missingExecutables } from './helpers/prereq.js';

vi.setConfig({ testTimeout: 120_000 });

const missing = missingExecutables([OPENSTACK, NOVA]);
const problems = [missing.length ? `${missing.join(', ')} missing` : null, distProblem()];

// Both release profiles: Zed 26.2.2 (max 2.93, Zed's policy defaults) and master.
for (const profile of ['master', 'zed'] as const) {
  describeIf('openstack CLI interop', problems)(`host APIs through the CLIs (${profile} profile)`, () => {
    let sim: Novasim;
    let admin: Session;
    let cli: Cli;
    let demo: Cli;

    beforeAll(async () => {
      sim = await startNovasim({ profile });
      admin = await login(sim.url, 'admin');
      cli = new Cli(sim.url);
      demo = new Cli(sim.url, { user: 'demo' });
    });
    afterAll(async () => sim?.stop());

    it('services, hypervisors, zones and aggregates as admin; Nova 403s for a member', async () => {
      const [services, hypervisors, zones, demoZones, novaHv, novaSvc, refused, refusedNova] = await Promise.all([
        cli.json('compute', 'service', 'list'),
        cli.json('hypervisor', 'list'),
        cli.json('availability', 'zone', 'list', '--compute'),
        demo.json('availability', 'zone', 'list', '--compute'),
        cli.nova('hypervisor-list'),
        cli.nova('service-list'),
        demo.openstack('compute', 'service', 'list'),
        demo.nova('hypervisor-list'),
      ]);
      expect(services).toEqual(expect.arrayContaining([
        expect.objectContaining({ Binary: 'nova-compute', Host: 'compute', Zone: 'nova', Status: 'enabled', State: 'up' }),
        expect.objectContaining({ Binary: 'nova-compute', Host: 'compute-2', Zone: 'nova', Status: 'enabled', State: 'up' }),
        expect.objectContaining({ Binary: 'nova-scheduler', Zone: 'internal' }),
      ]));
      expect(hypervisors.map((h: Record<string, string>) => h['Hypervisor Hostname'])).toEqual(['novasim-node', 'novasim-node-2']);
      // Admins get /detail (the internal zone of the control services too); a member the plain list.
      expect(zones.map((z: Record<string, string>) => z['Zone Name']).sort()).toEqual(['internal', 'nova']);
      expect(demoZones).toEqual([expect.objectContaining({ 'Zone Name': 'nova', 'Zone Status': 'available' })]);
      expect(ok(novaHv).stdout).toMatch(/novasim-node-2\s*\|\s*up\s*\|\s*enabled/);
      expect(ok(novaSvc).stdout).toMatch(/nova-compute\s*\|\s*compute-2\s*\|\s*nova\s*\|\s*enabled\s*\|\s*up/);
      expect(refused.code).not.toBe(0);
      expect(refused.stderr).toContain("Policy doesn't allow os_compute_api:os-services:list to be performed.");
      expect(refusedNova.code).not.toBe(0);
      expect(refusedNova.stderr).toContain("Policy doesn't allow os_compute_api:os-hypervisors:list to be performed. (HTTP 403)");

      const shown = await cli.json('hypervisor', 'show', 'novasim-node-2');
      expect(shown).toMatchObject({ hypervisor_hostname: 'novasim-node-2', state: 'up', status: 'enabled' });

      const agg = await cli.json('aggregate', 'create', '--zone', 'az1', 'agg1');
      expect(agg).toMatchObject({ name: 'agg1', availability_zone: 'az1' });
      ok(await cli.openstack('aggregate', 'add', 'host', 'agg1', 'compute-2'));
      ok(await cli.openstack('aggregate', 'set', '--property', 'ssd=true', 'agg1'));
      const aggShown = await cli.json('aggregate', 'show', 'agg1');
      expect(aggShown).toMatchObject({ name: 'agg1', availability_zone: 'az1', hosts: ['compute-2'] });
      expect(JSON.stringify(aggShown.properties)).toContain('ssd');
      const demoAgg = await demo.openstack('aggregate', 'create', 'nope');
      expect(demoAgg.stderr).toContain("Policy doesn't allow os_compute_api:os-aggregates:create to be performed.");
      ok(await cli.openstack('aggregate', 'remove', 'host', 'agg1', 'compute-2'));
      ok(await cli.openstack('aggregate', 'delete', 'agg1'));
      const left = await api(sim.url, admin, 'GET', '/compute/v2.1/os-aggregates');
      expect(left.body).toEqual({ aggregates: [] });
    });

    it('service set --disable --disable-reason sends the next boot to the other host; --enable undoes it', async () => {
      ok(await cli.openstack('compute', 'service', 'set', '--disable', '--disable-reason', 'maintenance', 'compute', 'nova-compute'));
      const svc = (await cli.json('compute', 'service', 'list', '--long')).find((x: Record<string, string>) => x.Host === 'compute' && x.Binary === 'nova-compute');
      expect(svc).toMatchObject({ Status: 'disabled', 'Disabled Reason': 'maintenance' });
      const created = await cli.json('server', 'create', '--flavor', 'm1.tiny', '--image', 'cirros', '--wait', 'placed');
      const shown = await api(sim.url, admin, 'GET', `/compute/v2.1/servers/${created.id}`);
      expect(shown.body.server['OS-EXT-SRV-ATTR:host']).toBe('compute-2');
      ok(await cli.openstack('compute', 'service', 'set', '--enable', 'compute', 'nova-compute'));
      const again = (await cli.json('compute', 'service', 'list')).find((x: Record<string, string>) => x.Host === 'compute' && x.Binary === 'nova-compute');
      expect(again.Status).toBe('enabled');
    });
  });
}

// Debian's `openstack` (OSC 6.0) network commands and openstacksdk's cloud layer against the fake
// Neutron and Nova's network side of `novasim serve` (both profiles), as the demo user.
import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { Cli, OPENSTACK, ok } from './helpers/cli.js';
import { api, distProblem, login, startNovasim, type Novasim, type Session } from './helpers/novasim.js';
import { describeIf, missingExecutables, PYTHON, pythonProblem } from './helpers/prereq.js';

vi.setConfig({ testTimeout: 120_000 });

const PY = join(dirname(fileURLToPath(import.meta.url)), 'py');
const missing = missingExecutables([OPENSTACK]);
const problems = [missing.length ? `${missing.join(', ')} missing` : null, distProblem(), await pythonProblem(['openstack'])];

for (const profile of ['master', 'zed'] as const) describeIf('neutron interop', problems)(`openstack network commands and openstacksdk against the fake Neutron (${profile} profile)`, () => {
  let sim: Novasim;
  let demo: Session;
  let cli: Cli;

  beforeAll(async () => {
    sim = await startNovasim({ profile });
    demo = await login(sim.url, 'demo');
    cli = new Cli(sim.url, { user: 'demo' });
  });
  afterAll(async () => {
    await sim?.stop();
  });

  it('networks, subnets, ports, security groups, floating IPs; server create --network, add floating ip / port, remove port', async () => {
    const nets = await cli.json('network', 'list');
    expect(nets.map((n: { Name: string }) => n.Name).sort()).toEqual(['private', 'public']);
    const net = await cli.json('network', 'create', 'cli-net');
    expect(net).toMatchObject({ name: 'cli-net', status: 'ACTIVE' });
    const sub = await cli.json('subnet', 'create', '--network', 'cli-net', '--subnet-range', '10.55.0.0/24', 'cli-sub');
    expect(sub).toMatchObject({ cidr: '10.55.0.0/24', gateway_ip: '10.55.0.1' });
    expect((await cli.json('subnet', 'list')).map((s: { Name: string }) => s.Name)).toContain('cli-sub');
    const port = await cli.json('port', 'create', '--network', 'cli-net', '--fixed-ip', 'ip-address=10.55.0.77', 'cli-port');
    expect(port.fixed_ips).toEqual([{ subnet_id: sub.id, ip_address: '10.55.0.77' }]);
    expect((await cli.json('port', 'show', 'cli-port')).status).toBe('DOWN');
    const sg = await cli.json('security', 'group', 'create', 'cli-sg');
    const rule = await cli.json('security', 'group', 'rule', 'create', '--protocol', 'tcp', '--dst-port', '22', 'cli-sg');
    expect(rule).toMatchObject({ security_group_id: sg.id, protocol: 'tcp', port_range_min: 22, port_range_max: 22, direction: 'ingress' });
    expect((await cli.json('security', 'group', 'list')).map((g: { Name: string }) => g.Name).sort()).toEqual(['cli-sg', 'default']);
    const fip = await cli.json('floating', 'ip', 'create', 'public');
    expect(fip.floating_ip_address).toMatch(/^172\.24\.4\./);
    expect((await cli.json('floating', 'ip', 'list')).map((f: { 'Floating IP Address': string }) => f['Floating IP Address'])).toContain(fip.floating_ip_address);

    const server = await cli.json('server', 'create', '--flavor', 'm1.tiny', '--image', 'cirros', '--network', 'private', '--wait', 'cli-netvm');
    expect(server.status).toBe('ACTIVE');
    ok(await cli.openstack('server', 'add', 'floating', 'ip', 'cli-netvm', fip.floating_ip_address));
    const shown = await cli.json('floating', 'ip', 'show', fip.floating_ip_address);
    expect(shown.fixed_ip_address).toMatch(/^10\.0\.0\./);
    ok(await cli.openstack('server', 'add', 'port', 'cli-netvm', 'cli-port'));
    const onServer = await cli.json('port', 'list', '--server', 'cli-netvm');
    expect(onServer.map((p: { Name: string }) => p.Name).sort()).toEqual(['', 'cli-port']);
    const detail = (await api(sim.url, demo, 'GET', `/compute/v2.1/servers/${server.id}`)).body.server;
    expect(detail.addresses['cli-net']).toEqual([expect.objectContaining({ addr: '10.55.0.77', 'OS-EXT-IPS:type': 'fixed' })]);
    expect(detail.addresses.private).toContainEqual(expect.objectContaining({ addr: fip.floating_ip_address, 'OS-EXT-IPS:type': 'floating' }));
    ok(await cli.openstack('server', 'remove', 'port', 'cli-netvm', 'cli-port'));
    await expect.poll(async () => (await cli.json('port', 'list', '--server', 'cli-netvm')).length, { timeout: 20_000 }).toBe(1);
    // The user's port survives the detach; the network can only go once it is deleted.
    ok(await cli.openstack('port', 'delete', 'cli-port'));
    ok(await cli.openstack('network', 'delete', 'cli-net'));
    expect((await cli.json('network', 'list')).map((n: { Name: string }) => n.Name).sort()).toEqual(['private', 'public']);
  });

  it("openstacksdk's create_server(network='private', auto_ip=True, wait=True) gets a floating IP", async () => {
    const out = await new Promise<string>((resolve, reject) => {
      execFile(PYTHON, [join(PY, 'create_server.py'), sim.url, 'sdk-vm'], { timeout: 110_000, env: { ...process.env, PYTHONPATH: '', PYTHONHOME: '', NO_PROXY: '*', no_proxy: '*' } },
        (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout)));
    });
    const seen = JSON.parse(out.trim().split('\n').at(-1)!);
    expect(seen.status).toBe('ACTIVE');
    expect(seen.private_v4).toMatch(/^10\.0\.0\./);
    expect(seen.public_v4).toMatch(/^172\.24\.4\./);
    const fips = (await api(sim.url, demo, 'GET', `/networking/v2.0/floatingips?floating_ip_address=${seen.public_v4}`)).body.floatingips;
    expect(fips[0]).toMatchObject({ fixed_ip_address: seen.private_v4, status: 'ACTIVE' });
  });
});

// Key pairs, limits, quotas and server groups through Debian's `openstack` and `nova` CLIs and
// openstacksdk's cloud layer, as admin and as the member user demo, on both release profiles.
import { execFile } from 'node:child_process';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, expect, it, vi } from 'vitest';
import { Cli, NOVA, OPENSTACK, ok, osEnv, parseTable } from './helpers/cli.js';
import { api, distProblem, login, REPO, startNovasim, type Novasim, type Session } from './helpers/novasim.js';
import { describeIf, missingExecutables, PYTHON, pythonProblem } from './helpers/prereq.js';

// About 15 CLI runs of 1–10 s each on a loaded machine.
vi.setConfig({ testTimeout: 300_000 });

const missing = missingExecutables([OPENSTACK, NOVA]);
const problems = [missing.length ? `${missing.join(', ')} missing` : null, distProblem(), await pythonProblem(['openstack'])];
const PUB = 'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQDx8nkQv/zgGgB4rMYmIf+6A4l6Rr+o/6lHBQdW5aYd44bd8JttDCE/F/pNRr0lRE+PiqSPO8nDPHw0010JeMH9gYgnnFlyY3/OcJ02RhIPyyxYpv9FhY+2YiUkpwFOcLImyrxEsYXpD/0d3ac30bNH6Sw9JD9UZHYcpSxsIbECHw== Generated-by-Nova';

for (const profile of ['master', 'zed'] as const) {
  describeIf('keypair/quota/server group interop', problems)(`key pairs, limits, quotas and server groups with real clients (${profile} profile)`, () => {
    const sims: Novasim[] = [];
    let sim: Novasim;
    let admin: Session;
    let demo: Session;

    beforeAll(async () => {
      sim = await startNovasim({ profile });
      sims.push(sim);
      [admin, demo] = await Promise.all([login(sim.url, 'admin'), login(sim.url, 'demo')]);
    });
    afterAll(async () => {
      await Promise.all(sims.map((s) => s.stop()));
    });
    afterEach((ctx) => {
      if (ctx.task.result?.state === 'fail') for (const s of sims) console.error(`--- novasim output (tail) ---\n${s.output().slice(-20_000)}`);
    });

    it('openstack keypair / limits / quota / server group and nova keypair-list, admin and member', async () => {
      const cli = new Cli(sim.url);
      const member = new Cli(sim.url, { user: 'demo' });
      const dir = mkdtempSync(join(tmpdir(), 'novasim-kp-'));
      writeFileSync(join(dir, 'id.pub'), `${PUB}\n`);

      // keypair create prints the private key; it opens the public key novasim stored.
      const created = ok(await cli.openstack('keypair', 'create', 'cli-key'));
      expect(created.stdout).toMatch(/^-----BEGIN RSA PRIVATE KEY-----/);
      const imported = await cli.json('keypair', 'create', '--public-key', join(dir, 'id.pub'), 'cli-imported');
      const [list, shown, nova] = await Promise.all([
        cli.json('keypair', 'list'),
        cli.json('keypair', 'show', 'cli-key'),
        cli.nova('keypair-list'),
      ]);
      expect(imported).toMatchObject({ name: 'cli-imported', fingerprint: '1e:2c:9b:56:79:4b:45:77:f9:ca:7a:98:2c:b0:d5:3c', type: 'ssh' });
      expect(list.map((k: { Name: string }) => k.Name).sort()).toEqual(['cli-imported', 'cli-key']);
      const pub = createPublicKey(createPrivateKey(created.stdout)).export({ format: 'jwk' }) as { n: string };
      const stored = (await api(sim.url, admin, 'GET', '/compute/v2.1/os-keypairs/cli-key')).body.keypair.public_key as string;
      expect(Buffer.from(stored.split(' ')[1], 'base64').toString('hex')).toContain(Buffer.from(pub.n, 'base64url').toString('hex'));
      expect(shown).toMatchObject({ name: 'cli-key', user_id: admin.userId, type: 'ssh' });
      expect(parseTable(ok(nova).stdout).map((r) => r.Name).sort()).toEqual(['cli-imported', 'cli-key']);
      ok(await cli.openstack('keypair', 'delete', 'cli-key'));

      // Limits and quotas (compute and the fake Cinder's), an admin quota update, a member's refusal.
      ok(await cli.nova('quota-update', '--instances', '3', demo.projectId));
      // OSC finds the project by name in Keystone (GET /v3/projects?name=demo), then PUTs the quota set.
      ok(await cli.openstack('quota', 'set', '--cores', '15', 'demo'));
      const [limits, quota, denied, memberKeys] = await Promise.all([
        member.json('limits', 'show', '--absolute'),
        member.json('quota', 'show'),
        member.nova('quota-update', '--instances', '30', demo.projectId),
        member.nova('keypair-list', '--user', admin.userId),
      ]);
      const limit = (name: string) => limits.find((l: { Name: string }) => l.Name === name)?.Value;
      expect([limit('maxTotalInstances'), limit('totalInstancesUsed'), limit('maxTotalVolumes')]).toEqual([3, 0, 10]);
      expect(quota).toMatchObject({ instances: 3, cores: 15, 'key-pairs': 100, 'server-groups': 10, volumes: 10 });
      expect(denied.code).not.toBe(0);
      expect(denied.stderr).toContain("Policy doesn't allow os_compute_api:os-quota-sets:update to be performed. (HTTP 403)");
      expect(memberKeys.code).not.toBe(0);
      expect(memberKeys.stderr).toContain("Policy doesn't allow os_compute_api:os-keypairs:index to be performed. (HTTP 403)");

      // Server groups: the member creates one, sees it, the quota counts it, and deletes it.
      const group = await member.json('server', 'group', 'create', '--policy', 'anti-affinity', 'cli-group');
      expect(group).toMatchObject({ name: 'cli-group', policy: 'anti-affinity', members: [], project_id: demo.projectId });
      const [groups, showGroup, used] = await Promise.all([
        member.json('server', 'group', 'list'),
        member.json('server', 'group', 'show', 'cli-group'),
        api(sim.url, demo, 'GET', '/compute/v2.1/limits'),
      ]);
      expect(groups).toEqual([{ ID: group.id, Name: 'cli-group', Policy: 'anti-affinity' }]);
      expect(showGroup.id).toBe(group.id);
      expect(used.body.limits.absolute.totalServerGroupsUsed).toBe(1);
      ok(await member.openstack('server', 'group', 'delete', 'cli-group'));
      expect((await api(sim.url, demo, 'GET', '/compute/v2.1/os-server-groups')).body.server_groups).toEqual([]);
    });

    it(`openstacksdk cloud layer: list_flavors, list_hypervisors (admin; a member's 403), create_keypair, get_compute_limits, create_server_group (${profile})`, async () => {
      const fresh = await startNovasim({ profile });
      sims.push(fresh);
      const env = { ...osEnv(fresh.url, { user: 'demo' }), PYTHONPATH: '', PYTHONHOME: '' };
      const out = await new Promise<string>((resolve, reject) => {
        execFile(PYTHON, [join(REPO, 'test/interop/py/sdk_tenant_resources.py')], { env, timeout: 90_000 }, (err, stdout, stderr) =>
          err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout));
      });
      const r = JSON.parse(out.trim().split('\n').at(-1)!);
      expect(r.flavors).toEqual(['m1.tiny', 'm1.small', 'm1.medium', 'm1.large', 'm1.xlarge']);
      expect(r.hypervisors).toHaveLength(2);
      for (const h of r.hypervisors) expect(h).toMatchObject({ state: 'up', status: 'enabled' });
      expect(r.member_hypervisors).toBe("403: Policy doesn't allow os_compute_api:os-hypervisors:list-detail to be performed.");
      expect(r.keypair.name).toBe('sdk-key');
      expect(r.keypair.private_key).toMatch(/^-----BEGIN RSA PRIVATE KEY-----/);
      expect(r.keypair.public_key).toMatch(/^ssh-rsa /);
      expect(r.limits).toEqual({ max_total_instances: 10, max_total_keypairs: 100, total_instances_used: 0 });
      expect(r.group).toMatchObject({ name: 'sdk-group', policies: ['anti-affinity'] });
      expect(r.group.found).toBe(r.group.id);
      expect(r.after).toEqual({ keypairs: [], groups: [] });
    });
  });
}

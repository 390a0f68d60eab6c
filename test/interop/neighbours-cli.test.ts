// Debian's `openstack` CLI (OSC 6.0) against novasim's Keystone admin subset, Glance writes and Cinder
// snapshots: what a new user tries first (issue 14).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { Cli, OPENSTACK, ok } from './helpers/cli.js';
import { api, distProblem, login, Setup, startNovasim, waitFor, type Novasim, type Session } from './helpers/novasim.js';
import { describeIf, missingExecutables } from './helpers/prereq.js';

vi.setConfig({ testTimeout: 120_000 });

const missing = missingExecutables([OPENSTACK]);
const problems = [missing.length ? `${missing.join(', ')} missing` : null, distProblem()];

for (const profile of ['master', 'zed'] as const) describeIf('openstack CLI interop (identity, image, snapshots)', problems)(`openstack project/user/role/image/snapshot commands against novasim (${profile} profile)`, () => {
  let sim: Novasim;
  let admin: Session;
  let cli: Cli;
  let dir: string;

  beforeAll(async () => {
    sim = await startNovasim({ profile });
    admin = await login(sim.url, 'admin');
    cli = new Cli(sim.url);
    dir = mkdtempSync(join(tmpdir(), 'novasim-neighbours-'));
  });
  afterAll(async () => {
    await sim?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('project list/create/show/delete, user list/create, role assignment list', async () => {
    const projects = await cli.json('project', 'list');
    expect(projects.map((p: { Name: string }) => p.Name).sort()).toEqual(['admin', 'demo', 'service']);
    const created = await cli.json('project', 'create', '--description', 'from the CLI', 'cli-proj');
    expect(created).toMatchObject({ name: 'cli-proj', description: 'from the CLI', domain_id: 'default', enabled: true });
    expect(await cli.json('project', 'show', 'cli-proj')).toMatchObject({ id: created.id, name: 'cli-proj' });

    const user = await cli.json('user', 'create', '--password', 'pw', '--project', 'cli-proj', 'cli-user');
    expect(user).toMatchObject({ name: 'cli-user', default_project_id: created.id, enabled: true });
    ok(await cli.openstack('role', 'add', '--project', 'cli-proj', '--user', 'cli-user', 'member'));
    const [users, assignments] = await Promise.all([cli.json('user', 'list'), cli.json('role', 'assignment', 'list', '--project', 'cli-proj', '--names')]);
    expect(users.map((u: { Name: string }) => u.Name)).toContain('cli-user');
    expect(assignments).toEqual([expect.objectContaining({ Role: 'member', User: 'cli-user@Default', Project: 'cli-proj@Default' })]);
    // The new user can log in and is scoped to its project.
    const alice = await login(sim.url, 'cli-user', 'cli-proj', 'pw');
    expect(alice.projectId).toBe(created.id);

    ok(await cli.openstack('project', 'delete', 'cli-proj'));
    const gone = await api(sim.url, admin, 'GET', `/identity/v3/projects/${created.id}`);
    expect(gone.status).toBe(404);
  });

  it('image create --file, show, save, set --property, delete; volume snapshot create/list/delete', async () => {
    const file = join(dir, 'disk.qcow2');
    const data = Buffer.from(Array.from({ length: 65_536 }, (_, i) => (i * 31) % 251));
    writeFileSync(file, data);
    const created = await cli.json('image', 'create', '--file', file, '--disk-format', 'qcow2', 'cli-image');
    expect(created).toMatchObject({ name: 'cli-image', disk_format: 'qcow2', container_format: 'bare' });
    const shown = await cli.json('image', 'show', 'cli-image');
    expect(shown).toMatchObject({ status: 'active', size: data.length, checksum: createHash('md5').update(data).digest('hex') });
    expect(shown.properties.os_hash_value).toBe(createHash('sha512').update(data).digest('hex'));
    const out = join(dir, 'saved.qcow2');
    ok(await cli.openstack('image', 'save', '--file', out, 'cli-image'));
    expect(readFileSync(out).equals(data)).toBe(true);
    ok(await cli.openstack('image', 'set', '--property', 'os_distro=cirros', 'cli-image'));
    expect((await api(sim.url, admin, 'GET', `/image/v2/images/${created.id}`)).body.os_distro).toBe('cirros');
    ok(await cli.openstack('image', 'delete', 'cli-image'));
    expect((await api(sim.url, admin, 'GET', `/image/v2/images/${created.id}`)).status).toBe(404);

    const setup = new Setup(sim.url, admin);
    const volume = await setup.volume('cli-snap-vol');
    const snap = await cli.json('volume', 'snapshot', 'create', '--volume', 'cli-snap-vol', 'cli-snap');
    expect(snap).toMatchObject({ name: 'cli-snap', volume_id: volume, size: 1 });
    await waitFor('snapshot available', async () => {
      const r = await api(sim.url, admin, 'GET', `/volume/v3/{project}/snapshots/${snap.id}`);
      return r.body.snapshot?.status === 'available';
    });
    const list = await cli.json('volume', 'snapshot', 'list');
    expect(list).toEqual([expect.objectContaining({ ID: snap.id, Name: 'cli-snap', Status: 'available', Size: 1 })]);
    ok(await cli.openstack('volume', 'snapshot', 'delete', 'cli-snap'));
    await waitFor('snapshot gone', async () => (await api(sim.url, admin, 'GET', `/volume/v3/{project}/snapshots/${snap.id}`)).status === 404);
  });
});

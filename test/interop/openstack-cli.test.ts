// Debian's real OpenStack clients (python3-openstackclient 6.0, novaclient 18.1, cinderclient 9.1)
// against `novasim serve --profile master`, started as a separate process like a user would.
// Each scenario asserts on what the client printed AND on novasim's state (its API, /_novasim).
import { afterAll, afterEach, beforeAll, expect, it, vi } from 'vitest';
import { Cli, CINDER, NOVA, OPENSTACK, ok } from './helpers/cli.js';
import { api, distProblem, login, Setup, startNovasim, waitFor, type Novasim, type Session } from './helpers/novasim.js';
import { describeIf, missingExecutables } from './helpers/prereq.js';

// The CLIs take 1–2 s per command to start; a loaded CI machine needs headroom.
vi.setConfig({ testTimeout: 60_000 });

const missing = missingExecutables([OPENSTACK, NOVA, CINDER]);
const problems = [missing.length ? `${missing.join(', ')} missing` : null, distProblem()];

describeIf('openstack CLI interop', problems)('OpenStack CLIs against novasim (master profile)', () => {
  let sim: Novasim;
  let admin: Session;
  let setup: Setup;
  let cli: Cli;

  beforeAll(async () => {
    sim = await startNovasim({ profile: 'master' });
    admin = await login(sim.url, 'admin');
    setup = new Setup(sim.url, admin);
    cli = new Cli(sim.url);
  });

  afterAll(async () => {
    await sim?.stop();
  });

  // With NOVASIM_INTEROP_LOG=info novasim logs every request it received: show them for a failure.
  afterEach((ctx) => {
    if (ctx.task.result?.state === 'fail' && sim) console.error(`--- novasim output (tail) ---\n${sim.output().slice(-20_000)}`);
  });

  it('authenticates with a versioned and an unversioned OS_AUTH_URL', async () => {
    const unversioned = new Cli(sim.url, { authUrl: 'unversioned' });
    const [v3, bare, list] = await Promise.all([
      cli.json('token', 'issue'),
      unversioned.json('token', 'issue'),
      // Catalog and version discovery through the unversioned URL (300 Multiple Choices).
      unversioned.json('server', 'list'),
    ]);
    expect(list).toEqual([]);
    for (const t of [v3, bare]) {
      expect(t).toMatchObject({ project_id: admin.projectId, user_id: admin.userId });
      expect(Number.isNaN(Date.parse(t.expires))).toBe(false);
      // The token the client got works against novasim.
      const r = await api(sim.url, { ...admin, token: t.id }, 'GET', '/compute/v2.1/servers');
      expect(r.status, r.text).toBe(200);
    }
  });

  it('server create --wait, list, show, delete', async () => {
    const created = await cli.json('server', 'create', '--flavor', 'm1.tiny', '--image', 'cirros', '--wait', 'cli-vm1');
    expect(created).toMatchObject({ name: 'cli-vm1', status: 'ACTIVE' });
    expect(created.flavor).toMatch(/^m1\.tiny \(1\)$/);
    expect(created.image).toMatch(/^cirros \(155d900f-4e14-4e4c-a73d-069cbf4541e6\)$/);
    const id: string = created.id;
    const state = await api(sim.url, admin, 'GET', `/compute/v2.1/servers/${id}`);
    expect(state.body.server).toMatchObject({ id, name: 'cli-vm1', status: 'ACTIVE', tenant_id: admin.projectId });

    const [list, shown] = await Promise.all([cli.json('server', 'list'), cli.json('server', 'show', 'cli-vm1')]);
    expect(list).toContainEqual(expect.objectContaining({ ID: id, Name: 'cli-vm1', Status: 'ACTIVE', Image: 'cirros', Flavor: 'm1.tiny' }));
    expect(shown).toMatchObject({ id, name: 'cli-vm1', status: 'ACTIVE', 'OS-EXT-STS:vm_state': 'active' });

    ok(await cli.openstack('server', 'delete', '--wait', 'cli-vm1'));
    const gone = await api(sim.url, admin, 'GET', `/compute/v2.1/servers/${id}`);
    expect(gone.status).toBe(404);
    const events = await setup.notifications({ instance_uuid: id });
    expect(events.map((n) => n.event_type)).toEqual(expect.arrayContaining([
      'instance.create.start', 'instance.create.end', 'instance.delete.start', 'instance.delete.end',
    ]));
  });

  it('volume create, show, list, delete', async () => {
    const created = await cli.json('volume', 'create', '--size', '1', 'cli-vol1');
    // cinderclient prints the POST answer as is: still creating.
    expect(created).toMatchObject({ name: 'cli-vol1', size: 1, status: 'creating' });
    const id: string = created.id;
    await setup.volumeStatus(id, 'available');
    const [shown, list] = await Promise.all([cli.json('volume', 'show', 'cli-vol1'), cli.json('volume', 'list')]);
    expect(shown).toMatchObject({ id, name: 'cli-vol1', status: 'available', size: 1, type: 'lvmdriver-1' });
    expect(list).toContainEqual(expect.objectContaining({ ID: id, Name: 'cli-vol1', Status: 'available', Size: 1 }));

    ok(await cli.openstack('volume', 'delete', 'cli-vol1'));
    await waitFor('volume deleted', async () => (await setup.getVolume(id)) === null);
  });

  it('server add volume, server event list/show, server remove volume', async () => {
    const [server, volume] = await Promise.all([setup.server('cli-vm2'), setup.volume('cli-vol2')]);
    const attached = await cli.json('server', 'add', 'volume', 'cli-vm2', 'cli-vol2');
    // Nova's POST answer has `id` = the volume id at every microversion (2.89 never reached it), so
    // OSC's ID column shows the volume id, as against a real Nova.
    expect(attached).toMatchObject({ ID: volume, 'Server ID': server, 'Volume ID': volume, 'Delete On Termination': false });
    expect(attached.Device).toMatch(/^\/dev\/[a-z]+b$/);
    const v = await setup.volumeStatus(volume, 'in-use');
    expect(v.attachments).toEqual([expect.objectContaining({ server_id: server, volume_id: volume })]);
    expect(await setup.attachments(server)).toEqual([expect.objectContaining({ serverId: server, volumeId: volume })]);

    const events = await cli.json('server', 'event', 'list', 'cli-vm2');
    expect(events.map((e: any) => e.Action)).toEqual(expect.arrayContaining(['create', 'attach_volume']));
    const attachAction = events.find((e: any) => e.Action === 'attach_volume');
    expect(attachAction['Server ID']).toBe(server);
    const detail = await cli.json('server', 'event', 'show', 'cli-vm2', attachAction['Request ID']);
    expect(detail).toMatchObject({ action: 'attach_volume', instance_uuid: server, request_id: attachAction['Request ID'] });
    expect(detail.events).toEqual([expect.objectContaining({ event: 'compute_attach_volume', result: 'Success' })]);

    ok(await cli.openstack('server', 'remove', 'volume', 'cli-vm2', 'cli-vol2'));
    await setup.volumeStatus(volume, 'available', (x) => x.attachments.length === 0);
    expect(await setup.attachments(server)).toEqual([]);
  });

  it('nova volume-update (a direct swap) is refused with 409: master only lets Cinder swap migrating volumes', async () => {
    const [server, a, b] = await Promise.all([setup.server('cli-vm3'), setup.volume('cli-vol3a'), setup.volume('cli-vol3b')]);
    await setup.attach(server, a);
    const r = await cli.nova('volume-update', server, a, b);
    expect(r.code, r.stdout).toBe(1);
    expect(r.stderr).toMatch(
      new RegExp(`^ERROR \\(Conflict\\): volume ${a} is not migrating; this API should only be called by Cinder \\(HTTP 409\\) \\(Request-ID: req-[0-9a-f-]+\\)$`, 'm'),
    );
    expect((await setup.attachments(server)).map((x) => x.volumeId)).toEqual([a]);
    expect(await setup.notifications({ event_type: 'instance.volume_swap.start', instance_uuid: server })).toEqual([]);
  });

  it('a member (demo) is refused the swap with the 403 policy message (service_or_admin)', async () => {
    const demo = await login(sim.url, 'demo');
    const mine = new Setup(sim.url, demo);
    const [server, a, b] = await Promise.all([mine.server('demo-vm'), mine.volume('demo-a'), mine.volume('demo-b')]);
    await mine.attach(server, a);
    const r = await new Cli(sim.url, { user: 'demo', project: 'demo' }).nova('volume-update', 'demo-vm', a, b);
    expect(r.code, r.stdout).toBe(1);
    expect(r.stderr).toMatch(
      /^ERROR \(Forbidden\): Policy doesn't allow os_compute_api:os-volumes-attachments:swap to be performed\. \(HTTP 403\) \(Request-ID: req-[0-9a-f-]+\)$/m,
    );
    expect((await mine.attachments(server)).map((x) => x.volumeId)).toEqual([a]);
  });

  it('a retype with on-demand migration of an attached volume swaps through Nova and keeps the volume id', async () => {
    // Two servers, one retyped with the cinder CLI, one with OSC's `volume set --type … --retype-policy`.
    const [s1, s2, v1, v2] = await Promise.all([
      setup.server('cli-vm4'), setup.server('cli-vm5'), setup.volume('cli-vol4', 1, 'lvmdriver-1'), setup.volume('cli-vol5', 1, 'lvmdriver-1'),
    ]);
    await Promise.all([setup.attach(s1, v1), setup.attach(s2, v2)]);
    const [r1, r2] = await Promise.all([
      cli.cinder('retype', '--migration-policy', 'on-demand', v1, 'lvmdriver-2'),
      cli.openstack('volume', 'set', '--type', 'lvmdriver-2', '--retype-policy', 'on-demand', v2),
    ]);
    ok(r1);
    ok(r2);
    for (const [server, vol] of [[s1, v1], [s2, v2]]) {
      const v = await setup.volumeStatus(vol, 'in-use', (x) => x.volume_type === 'lvmdriver-2' && x.migration_status === 'success', 30_000);
      expect(v.attachments).toEqual([expect.objectContaining({ server_id: server, volume_id: vol })]);
      expect(v['os-vol-host-attr:host']).toMatch(/@lvmdriver-2#lvmdriver-2$/);
      // Nova kept the BDM on the old volume id (Cinder's completion returned save_volume_id = old).
      expect((await setup.attachments(server)).map((x) => x.volumeId)).toEqual([vol]);
      const [start, end] = await Promise.all([
        setup.waitNotifications('instance.volume_swap.start', 1, server),
        setup.waitNotifications('instance.volume_swap.end', 1, server),
      ]);
      const data = end[0].payload['nova_object.data'];
      expect(start[0].payload['nova_object.data'].old_volume_id).toBe(vol);
      expect(data.old_volume_id).toBe(vol);
      expect(data.new_volume_id).not.toBe(vol);
      expect(data.block_devices.map((bd: any) => bd['nova_object.data'].volume_id)).toEqual([vol]);
      // The temporary migration target is gone.
      await waitFor('migration target deleted', async () => (await setup.getVolume(data.new_volume_id)) === null);
    }
    // The `nova` CLI shows the attachment under the old id too.
    const table = ok(await cli.nova('volume-attachments', s1)).stdout;
    expect(table).toContain(v1);
  }, 120_000);
});

// The `nova` CLI's swap (`nova volume-update`, microversion 2.92 negotiated) and friends against
// `novasim serve --profile zed`, where an admin may swap any attached volume directly.
import { afterAll, afterEach, beforeAll, expect, it, vi } from 'vitest';
import { Cli, NOVA, OPENSTACK, ok, parseTable } from './helpers/cli.js';
import { api, distProblem, login, Setup, startNovasim, type Novasim, type Session } from './helpers/novasim.js';
import { describeIf, missingExecutables } from './helpers/prereq.js';

// The CLIs take 1–2 s per command to start; a loaded CI machine needs headroom.
vi.setConfig({ testTimeout: 60_000 });

const missing = missingExecutables([OPENSTACK, NOVA]);
const problems = [missing.length ? `${missing.join(', ')} missing` : null, distProblem()];

describeIf('nova CLI interop (zed)', problems)('nova CLI swap against novasim (zed profile)', () => {
  let sim: Novasim;
  let admin: Session;
  let setup: Setup;
  let cli: Cli;

  beforeAll(async () => {
    sim = await startNovasim({ profile: 'zed' });
    admin = await login(sim.url, 'admin');
    setup = new Setup(sim.url, admin);
    cli = new Cli(sim.url);
  });

  afterAll(async () => {
    await sim?.stop();
  });

  afterEach((ctx) => {
    if (ctx.task.result?.state === 'fail' && sim) console.error(`--- novasim output (tail) ---\n${sim.output().slice(-20_000)}`);
  });

  it('nova volume-attachments, volume-update (2.92), and the swap’s instance action', async () => {
    const [server, a, b, c] = await Promise.all([
      setup.server('zed-vm1'), setup.volume('zed-a'), setup.volume('zed-b'), setup.volume('zed-c', 2),
    ]);
    await setup.attach(server, a);

    const rows = parseTable(ok(await cli.nova('volume-attachments', 'zed-vm1')).stdout);
    const bdm = (await setup.attachments(server))[0];
    // 2.92 columns (novaclient 18.1): no ID, attachment/BDM ids, tag, delete_on_termination.
    expect(rows).toEqual([{
      DEVICE: bdm.device, 'SERVER ID': server, 'VOLUME ID': a, 'ATTACHMENT ID': bdm.attachment_id,
      'BDM UUID': bdm.bdm_uuid, TAG: '-', 'DELETE ON TERMINATION': 'False',
    }]);

    // The swap: nothing printed, rc 0 (202 with an empty body).
    const swap = ok(await cli.nova('volume-update', 'zed-vm1', a, b));
    expect(swap.stdout).toBe('');
    const [start, end] = await Promise.all([
      setup.waitNotifications('instance.volume_swap.start', 1, server),
      setup.waitNotifications('instance.volume_swap.end', 1, server),
    ]);
    for (const n of [start[0], end[0]]) {
      expect(n).toMatchObject({ priority: 'INFO', publisher_id: 'nova-compute:compute' });
      expect(n.payload['nova_object.data']).toMatchObject({ old_volume_id: a, new_volume_id: b });
    }
    expect((await setup.attachments(server)).map((x) => x.volumeId)).toEqual([b]);
    await setup.volumeStatus(a, 'available', (v) => v.attachments.length === 0);
    await setup.volumeStatus(b, 'in-use');

    // --delete-on-termination (≥ 2.85) swaps again and flags the new BDM.
    ok(await cli.nova('volume-update', '--delete-on-termination', 'zed-vm1', b, c));
    await setup.waitNotifications('instance.volume_swap.end', 2, server);
    const after = await setup.attachments(server);
    expect(after).toEqual([expect.objectContaining({ volumeId: c, delete_on_termination: true })]);

    // OSC shows the swaps as instance actions with a successful compute_swap_volume event.
    const actions = await cli.json('server', 'event', 'list', 'zed-vm1');
    const swaps = actions.filter((x: any) => x.Action === 'swap_volume');
    expect(swaps).toHaveLength(2);
    const detail = await cli.json('server', 'event', 'show', 'zed-vm1', swaps[0]['Request ID']);
    expect(detail).toMatchObject({ action: 'swap_volume', instance_uuid: server });
    expect(detail.events).toEqual([expect.objectContaining({ event: 'compute_swap_volume', result: 'Success' })]);
  }, 90_000);

  it('a member (demo) is refused the swap with Nova’s 403 policy message', async () => {
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
    const actions = await api(sim.url, demo, 'GET', `/compute/v2.1/servers/${server}/os-instance-actions`);
    expect(actions.body.instanceActions.map((x: any) => x.action)).not.toContain('swap_volume');
  });
});

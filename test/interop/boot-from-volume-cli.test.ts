// Debian's `openstack` CLI (OSC 6.0) booting servers from volumes against `novasim serve`, on both
// profiles, as the demo user: --boot-from-volume, --volume, --block-device (issue 14).
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { Cli, OPENSTACK, ok } from './helpers/cli.js';
import { distProblem, startNovasim, type Novasim } from './helpers/novasim.js';
import { describeIf, missingExecutables } from './helpers/prereq.js';

vi.setConfig({ testTimeout: 180_000, hookTimeout: 60_000 });

const missing = missingExecutables([OPENSTACK]);
const problems = [missing.length ? `${missing.join(', ')} missing` : null, distProblem()];

for (const profile of ['master', 'zed'] as const) {
  describeIf('openstack CLI interop (boot from volume)', problems)(`openstack server create from volumes (${profile} profile)`, () => {
    let sim: Novasim;
    let cli: Cli;
    beforeAll(async () => {
      sim = await startNovasim({ profile });
      cli = new Cli(sim.url, { user: 'demo' });
    });
    afterAll(async () => {
      await sim?.stop();
    });

    it('--boot-from-volume 1 and --volume reach ACTIVE with image "N/A (booted from volume)"; the root volume stays attached', async () => {
      const [bfv, bootvol] = await Promise.all([
        cli.json('server', 'create', '--flavor', 'm1.tiny', '--image', 'cirros', '--boot-from-volume', '1', '--network', 'private', '--wait', 'bfv1'),
        cli.json('volume', 'create', '--image', 'cirros', '--size', '1', 'bootvol'),
      ]);
      expect(bfv).toMatchObject({ status: 'ACTIVE', image: 'N/A (booted from volume)' });
      expect(bfv.volumes_attached).toHaveLength(1);
      const root = await cli.json('volume', 'show', bfv.volumes_attached[0].id);
      expect(root).toMatchObject({ status: 'in-use', size: 1, bootable: 'true' });
      expect(root.attachments[0]).toMatchObject({ server_id: bfv.id, device: '/dev/vda' });

      const fromVol = await cli.json('server', 'create', '--flavor', 'm1.tiny', '--volume', bootvol.id, '--network', 'private', '--wait', 'bfv2');
      expect(fromVol).toMatchObject({ status: 'ACTIVE', image: 'N/A (booted from volume)', volumes_attached: [{ id: bootvol.id }] });
      // Nova refuses to detach a root volume (volume_attachments.py delete: "Cannot detach a root device volume").
      const detach = await cli.openstack('server', 'remove', 'volume', 'bfv2', bootvol.id);
      expect(detach.code).not.toBe(0);
      expect(detach.stderr).toContain('Cannot detach a root device volume');

      ok(await cli.openstack('server', 'delete', '--wait', 'bfv1', 'bfv2'));
      // OSC asks for delete_on_termination=false: both root volumes are left available.
      const vols = await cli.json('volume', 'list');
      expect(vols.filter((v: { ID: string }) => [root.id, bootvol.id].includes(v.ID)).map((v: { Status: string }) => v.Status)).toEqual(['available', 'available']);
    });

    it('--block-device with a blank volume (delete_on_termination) is created, attached at vdb and deleted with the server', async () => {
      const srv = await cli.json(
        'server', 'create', '--flavor', 'm1.tiny', '--image', 'cirros', '--network', 'private', '--wait',
        '--block-device', 'source_type=blank,destination_type=volume,volume_size=1,delete_on_termination=true', 'bfv3',
      );
      expect(srv.status).toBe('ACTIVE');
      expect(srv.volumes_attached).toHaveLength(1);
      const blank = await cli.json('volume', 'show', srv.volumes_attached[0].id);
      expect(blank).toMatchObject({ name: `${srv.id}-blank-vol`, status: 'in-use' });
      expect(blank.attachments[0].device).toBe('/dev/vdb');
      ok(await cli.openstack('server', 'delete', '--wait', 'bfv3'));
      const gone = await cli.openstack('volume', 'show', blank.id);
      expect(gone.code).not.toBe(0);
    });
  });
}

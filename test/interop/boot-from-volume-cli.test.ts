// Debian's `openstack` CLI (OSC 6.0) booting servers from volumes against `novasim serve`, on both
// profiles, as the demo user: --boot-from-volume, --volume, --block-device (issue 14); the volume-backed rebuild with
// a new image and cinderclient's `reimage` (issue 17).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { CINDER, Cli, OPENSTACK, ok } from './helpers/cli.js';
import { distProblem, startNovasim, type Novasim } from './helpers/novasim.js';
import { describeIf, missingExecutables } from './helpers/prereq.js';

vi.setConfig({ testTimeout: 180_000, hookTimeout: 60_000 });

const missing = missingExecutables([OPENSTACK, CINDER]);
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

    it('rebuild --image of a volume-backed server: 400 up to 2.92 (novaclient stops there); cinder reimage (3.68) re-images a volume', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'novasim-img-'));
      try {
        writeFileSync(join(dir, 'img.raw'), 'data');
        const img = await cli.json('image', 'create', '--file', join(dir, 'img.raw'), '--disk-format', 'raw', '--container-format', 'bare', 'other-image');
        const bfv = await cli.json('server', 'create', '--flavor', 'm1.tiny', '--image', 'cirros', '--boot-from-volume', '1', '--network', 'private', '--wait', 'bfv4');
        // OSC 6.0 rebuilds through novaclient 18.1 (API_MAX_VERSION 2.92): the new-image rebuild of a volume-backed
        // server gets Nova's pre-2.93 refusal, and 2.93 (reimage_boot_volume) is refused by the client itself.
        for (const version of [[], ['--os-compute-api-version', '2.92']]) {
          const refused = await cli.openstack(...version, 'server', 'rebuild', '--image', img.id, '--wait', 'bfv4');
          expect(refused.code).not.toBe(0);
          expect(refused.stderr).toContain(`Image ${img.id} is unacceptable: Unable to rebuild with a different image for a volume-backed server. (HTTP 400)`);
        }
        const mv93 = await cli.openstack('--os-compute-api-version', '2.93', 'server', 'rebuild', '--image', img.id, 'bfv4');
        expect(mv93.code).not.toBe(0);
        expect(mv93.stderr).toContain('versions supported by client: 2.1 - 2.92');
        // cinderclient's `reimage` (3.68): an available volume is re-imaged, its image metadata replaced.
        const vol = await cli.json('volume', 'create', '--size', '1', 'reimage-me');
        const tooOld = await cli.cinder('--os-volume-api-version', '3.67', 'reimage', vol.id, img.id);
        expect(tooOld.code).not.toBe(0);
        ok(await cli.cinder('--os-volume-api-version', '3.68', 'reimage', vol.id, img.id));
        const deadline = Date.now() + 30_000;
        let shown = await cli.json('volume', 'show', vol.id);
        while (shown.status !== 'available' && Date.now() < deadline) shown = await cli.json('volume', 'show', vol.id);
        expect(shown).toMatchObject({ status: 'available', bootable: 'true' });
        expect(shown.volume_image_metadata).toMatchObject({ image_id: img.id, image_name: 'other-image', disk_format: 'raw', size: '4' });
        // The root volume is in-use: refused even with --reimage-reserved (Cinder's status rule).
        const inUse = await cli.cinder('--os-volume-api-version', '3.68', 'reimage', '--reimage-reserved', 'True', bfv.volumes_attached[0].id, img.id);
        expect(inUse.code).not.toBe(0);
        expect(inUse.stderr).toContain('status must be available or error or reserved, but current status is in-use. (HTTP 400)');
        ok(await cli.openstack('server', 'delete', '--wait', 'bfv4'));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
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

// The root volume of a server booted from volume is a swap target like any other (compute/api.py
// swap_volume has no root check; the BDM keeps boot_index 0 and /dev/vda), while detaching it is refused.
import { afterAll, beforeAll, expect, it, describe } from 'vitest';
import type { Simulator } from '../../../src/index.js';
import { client, startSim, type Client } from '../../helpers/sim.js';
import { createVolume, getVolume } from '../../helpers/volumes.js';

const IMAGE = '155d900f-4e14-4e4c-a73d-069cbf4541e6';

describe('root volume swap (zed: an admin swaps directly)', () => {
  let sim: Simulator;
  let admin: Client;
  let demo: Client;
  beforeAll(async () => {
    sim = await startSim({ profile: 'zed' });
    admin = await client(sim, 'admin', null);
    demo = await client(sim, 'demo', null);
  });
  afterAll(() => sim.close());

  it('swaps the boot volume: the BDM stays the root at /dev/vda, the old volume becomes available', async () => {
    const res = await demo.req('POST', '/compute/v2.1/servers', {
      server: { name: 'rootswap', flavorRef: '1', networks: 'none', imageRef: '', block_device_mapping_v2: [{ boot_index: 0, uuid: IMAGE, source_type: 'image', destination_type: 'volume', volume_size: 1 }] },
    }, { 'openstack-api-version': 'compute 2.37' });
    expect(res.statusCode).toBe(202);
    const server = res.json().server.id;
    await sim.idle();
    const oldVol = sim.services.bdms.listForInstance(server)[0].volume_id!;
    const newVol = await createVolume(sim, demo, 2, 'new-root');
    const swap = await admin.req('PUT', `/compute/v2.1/servers/${server}/os-volume_attachments/${oldVol}`, { volumeAttachment: { volumeId: newVol } });
    expect(swap.statusCode).toBe(202);
    await sim.idle();
    const bdm = sim.services.bdms.getByVolumeAndInstance(newVol, server)!;
    expect(bdm).toMatchObject({ boot_index: 0, device_name: '/dev/vda', volume_size: 2 });
    expect((await getVolume(sim, demo, oldVol)).volume.status).toBe('available');
    expect((await getVolume(sim, demo, newVol)).volume.attachments[0]).toMatchObject({ server_id: server, device: '/dev/vda' });
    const detach = await demo.req('DELETE', `/compute/v2.1/servers/${server}/os-volume_attachments/${newVol}`);
    expect(detach.json()).toEqual({ badRequest: { code: 400, message: 'Cannot detach a root device volume' } });
  });
});

describe('rescue of a volume-backed server', () => {
  it('is refused as compute_api.rescue refuses it (no stable device rescue image)', async () => {
    const sim = await startSim();
    try {
      const demo = await client(sim, 'demo', null);
      const res = await demo.req('POST', '/compute/v2.1/servers', {
        server: { name: 'bfv-rescue', flavorRef: '1', imageRef: '', block_device_mapping_v2: [{ boot_index: 0, uuid: IMAGE, source_type: 'image', destination_type: 'volume', volume_size: 1, delete_on_termination: true }] },
      });
      const id = res.json().server.id;
      await sim.idle();
      const rescue = await demo.req('POST', `/compute/v2.1/servers/${id}/action`, { rescue: null });
      expect(rescue.json()).toEqual({ badRequest: { code: 400, message: `Instance ${id} cannot be rescued: Cannot rescue a volume-backed instance` } });
      const srv = (await demo.req('GET', `/compute/v2.1/servers/${id}`)).json().server;
      expect(srv).toMatchObject({ status: 'ACTIVE', 'OS-EXT-STS:task_state': null });
    } finally {
      await sim.close();
    }
  });
});

describe('root volume migration (master: Cinder retypes with migration and calls Nova swap)', () => {
  it('the boot volume moves to the other backend, keeps its id and stays the root at /dev/vda', async () => {
    const sim = await startSim({ profile: 'master', volumeCreateDelayMs: 0 });
    try {
      const demo = await client(sim, 'demo', null);
      const res = await demo.req('POST', '/compute/v2.1/servers', {
        server: { name: 'migrate-root', flavorRef: '1', imageRef: '', block_device_mapping_v2: [{ boot_index: 0, uuid: IMAGE, source_type: 'image', destination_type: 'volume', volume_size: 1 }] },
      });
      const server = res.json().server.id;
      await sim.idle();
      const root = sim.services.bdms.listForInstance(server)[0].volume_id!;
      sim.notifications.clear();
      const retype = await sim.app.inject({
        method: 'POST', url: `/volume/v3/${demo.projectId}/volumes/${root}/action`, headers: { 'x-auth-token': demo.token },
        payload: { 'os-retype': { new_type: 'lvmdriver-2', migration_policy: 'on-demand' } },
      });
      expect(retype.statusCode).toBe(202);
      await sim.idle();
      const vol = (await getVolume(sim, demo, root)).volume;
      expect(vol).toMatchObject({ id: root, status: 'in-use', volume_type: 'lvmdriver-2' });
      expect(vol.attachments[0]).toMatchObject({ server_id: server, device: '/dev/vda' });
      expect(sim.services.bdms.getByVolumeAndInstance(root, server)).toMatchObject({ boot_index: 0, device_name: '/dev/vda' });
      expect(sim.notifications.list().map((n) => n.envelope.event_type)).toEqual(expect.arrayContaining(['instance.volume_swap.start', 'instance.volume_swap.end']));
      expect((await demo.req('GET', `/compute/v2.1/servers/${server}`)).json().server.status).toBe('ACTIVE');
    } finally {
      await sim.close();
    }
  });
});

// Boot from volume over HTTP: block_device_mapping_v2 validated as Nova's API does (servers.py,
// block_device.py from_api, compute/api.py _validate_bdm), volumes created/attached in the fake Cinder
// by the compute side, image "" in the view, BDMs in instance.create payloads, delete_on_termination.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Simulator } from '../../../src/index.js';
import { client, startSim, type Client } from '../../helpers/sim.js';
import { createVolume, getVolume } from '../../helpers/volumes.js';

const IMAGE = '155d900f-4e14-4e4c-a73d-069cbf4541e6';
const MISSING = '00000000-0000-4000-8000-000000000000';

describe('boot from volume (block_device_mapping_v2)', () => {
  let sim: Simulator;
  let demo: Client;
  beforeAll(async () => {
    sim = await startSim();
    demo = await client(sim, 'demo', '2.67');
  });
  afterAll(() => sim.close());

  const boot = (server: Record<string, unknown>, version?: string) =>
    demo.req('POST', '/compute/v2.1/servers', { server: { name: 'bfv', flavorRef: '1', networks: 'none', ...server } }, version ? { 'openstack-api-version': `compute ${version}` } : {});
  const show = async (id: string) => (await demo.req('GET', `/compute/v2.1/servers/${id}`)).json().server;
  const volumesOf = async () =>
    (await sim.app.inject({ url: `/volume/v3/${demo.projectId}/volumes/detail`, headers: { 'x-auth-token': demo.token } })).json().volumes as Record<string, unknown>[];

  it('boots from an image-backed volume: the compute side creates, waits for and attaches it', async () => {
    sim.notifications.clear();
    const res = await boot({ imageRef: '', block_device_mapping_v2: [{ boot_index: 0, uuid: IMAGE, source_type: 'image', destination_type: 'volume', volume_size: 1, delete_on_termination: true, tag: 'root' }] });
    expect(res.statusCode).toBe(202);
    const id = res.json().server.id;
    await sim.idle();
    const srv = await show(id);
    expect(srv.status).toBe('ACTIVE');
    expect(srv.image).toBe('');
    const attached = srv['os-extended-volumes:volumes_attached'];
    expect(attached).toHaveLength(1);
    expect(attached[0].delete_on_termination).toBe(true);
    const vol = (await getVolume(sim, demo, attached[0].id)).volume;
    expect(vol).toMatchObject({ status: 'in-use', size: 1, bootable: 'true', name: '' });
    expect(vol.attachments[0]).toMatchObject({ server_id: id, device: '/dev/vda' });
    const bdm = sim.services.bdms.getByVolumeAndInstance(vol.id, id)!;
    expect(bdm).toMatchObject({ boot_index: 0, source_type: 'image', destination_type: 'volume', tag: 'root', device_name: '/dev/vda' });
    expect(JSON.parse(bdm.connection_info!).serial).toBe(vol.id);
    // create.start has no volume yet; create.end lists the root volume.
    const create = sim.notifications.list().filter((n) => n.envelope.event_type.startsWith('instance.create'));
    const blocks = (n: (typeof create)[number]) => (n.envelope.payload as { 'nova_object.data': { block_devices: unknown[] } })['nova_object.data'].block_devices;
    expect(create.map((n) => n.envelope.event_type)).toEqual(['instance.create.start', 'instance.create.end']);
    expect(blocks(create[0])).toEqual([]);
    expect(blocks(create[1])).toEqual([
      expect.objectContaining({ 'nova_object.data': { boot_index: 0, delete_on_termination: true, device_name: '/dev/vda', tag: 'root', volume_id: vol.id } }),
    ]);
    // Detaching the root volume is refused; deleting the server deletes the volume (delete_on_termination).
    const detach = await demo.req('DELETE', `/compute/v2.1/servers/${id}/os-volume_attachments/${vol.id}`);
    expect(detach.statusCode).toBe(400);
    expect(detach.json().badRequest.message).toBe('Cannot detach a root device volume');
    expect((await demo.req('DELETE', `/compute/v2.1/servers/${id}`)).statusCode).toBe(204);
    await sim.idle();
    expect((await getVolume(sim, demo, vol.id)).status).toBe(404);
  });

  it('boots from an existing volume (reserved at the API), keeps it on delete without delete_on_termination', async () => {
    const volId = await createVolume(sim, demo, 2, 'boot', { imageRef: IMAGE });
    const res = await boot({ block_device_mapping_v2: [{ boot_index: '0', uuid: volId, source_type: 'volume', destination_type: 'volume' }] });
    expect(res.statusCode).toBe(202);
    const id = res.json().server.id;
    await sim.idle();
    expect((await show(id)).status).toBe('ACTIVE');
    const vol = (await getVolume(sim, demo, volId)).volume;
    expect(vol.status).toBe('in-use');
    expect(sim.services.bdms.getByVolumeAndInstance(volId, id)).toMatchObject({ volume_size: 2, delete_on_termination: false });
    // A second server cannot take the in-use volume.
    const again = await boot({ block_device_mapping_v2: [{ boot_index: 0, uuid: volId, source_type: 'volume', destination_type: 'volume' }] });
    expect(again.statusCode).toBe(400);
    await demo.req('DELETE', `/compute/v2.1/servers/${id}`);
    await sim.idle();
    expect((await getVolume(sim, demo, volId)).volume.status).toBe('available');
  });

  it('boots from a snapshot and attaches a blank volume; volume_type at 2.67', async () => {
    const src = await createVolume(sim, demo, 1, 'src', { imageRef: IMAGE });
    const snapRes = await sim.app.inject({ method: 'POST', url: `/volume/v3/${demo.projectId}/snapshots`, headers: { 'x-auth-token': demo.token }, payload: { snapshot: { volume_id: src, name: 's1' } } });
    expect(snapRes.statusCode).toBe(202);
    const snap = snapRes.json().snapshot.id;
    await sim.idle();
    const res = await boot({
      block_device_mapping_v2: [
        { boot_index: 0, uuid: snap, source_type: 'snapshot', destination_type: 'volume', delete_on_termination: true },
        { boot_index: -1, source_type: 'blank', destination_type: 'volume', volume_size: 1, volume_type: 'lvmdriver-2', delete_on_termination: true },
      ],
    });
    expect(res.statusCode).toBe(202);
    const id = res.json().server.id;
    await sim.idle();
    expect((await show(id)).status).toBe('ACTIVE');
    const bdms = sim.services.bdms.listForInstance(id);
    expect(bdms.map((b) => [b.source_type, b.device_name, b.volume_size])).toEqual([['snapshot', '/dev/vda', 1], ['blank', '/dev/vdb', 1]]);
    const blank = (await getVolume(sim, demo, bdms[1].volume_id!)).volume;
    expect(blank).toMatchObject({ name: `${id}-blank-vol`, volume_type: 'lvmdriver-2', status: 'in-use' });
    expect((await getVolume(sim, demo, bdms[0].volume_id!)).volume.snapshot_id).toBe(snap);
    await demo.req('DELETE', `/compute/v2.1/servers/${id}`);
    await sim.idle();
    expect((await getVolume(sim, demo, bdms[0].volume_id!)).status).toBe(404);
    expect((await getVolume(sim, demo, bdms[1].volume_id!)).status).toBe(404);
  });

  it('a volume-backed server uses no local root disk (placement DISK_GB, hypervisor local_gb_used)', async () => {
    const admin = await client(sim, 'admin', '2.87');
    const used = async () => ((await admin.req('GET', '/compute/v2.1/os-hypervisors/detail')).json().hypervisors as { local_gb_used: number }[]).reduce((n, h) => n + h.local_gb_used, 0);
    const before = await used();
    // m1.large: 80 GB root disk.
    const res = await demo.req('POST', '/compute/v2.1/servers', {
      server: { name: 'big', flavorRef: '4', networks: 'none', block_device_mapping_v2: [{ boot_index: 0, uuid: IMAGE, source_type: 'image', destination_type: 'volume', volume_size: 1, delete_on_termination: true }] },
    });
    const id = res.json().server.id;
    await sim.idle();
    expect((await show(id)).status).toBe('ACTIVE');
    expect(await used()).toBe(before);
    await demo.req('DELETE', `/compute/v2.1/servers/${id}`);
    await sim.idle();
  });

  it('two boots racing for one volume: one wins, the other gets 400 and leaves nothing', async () => {
    const volId = await createVolume(sim, demo, 1, 'contended', { imageRef: IMAGE });
    const body = { block_device_mapping_v2: [{ boot_index: 0, uuid: volId, source_type: 'volume', destination_type: 'volume' }] };
    const [a, b] = await Promise.all([boot(body), boot(body)]);
    expect([a.statusCode, b.statusCode].sort()).toEqual([202, 400]);
    const loser = a.statusCode === 400 ? a : b;
    expect(loser.json().badRequest.message).toMatch(/^Invalid volume: /);
    await sim.idle();
    const vol = (await getVolume(sim, demo, volId)).volume;
    expect(vol.status).toBe('in-use');
    expect(vol.attachments).toHaveLength(1);
    const winner = (a.statusCode === 202 ? a : b).json().server.id;
    await demo.req('DELETE', `/compute/v2.1/servers/${winner}`);
    await sim.idle();
    expect((await getVolume(sim, demo, volId)).volume.status).toBe('available');
  });

  it('min_count 2 from an image-backed volume: each server gets its own root volume', async () => {
    const res = await boot({ imageRef: '', min_count: 2, block_device_mapping_v2: [{ boot_index: 0, uuid: IMAGE, source_type: 'image', destination_type: 'volume', volume_size: 1, delete_on_termination: true }] });
    expect(res.statusCode).toBe(202);
    await sim.idle();
    const servers = (await demo.req('GET', '/compute/v2.1/servers/detail?name=^bfv-[12]$')).json().servers as { id: string; status: string }[];
    expect(servers.map((x) => x.status)).toEqual(['ACTIVE', 'ACTIVE']);
    const roots = servers.map((x) => sim.services.bdms.listForInstance(x.id)[0].volume_id);
    expect(new Set(roots).size).toBe(2);
    for (const x of servers) await demo.req('DELETE', `/compute/v2.1/servers/${x.id}`);
    await sim.idle();
    for (const v of roots) expect((await getVolume(sim, demo, v!)).status).toBe(404);
  });

  it('accepts the legacy block_device_mapping (volume at vda is the root; from_legacy_mapping)', async () => {
    const volId = await createVolume(sim, demo, 1, 'legacy-root', { imageRef: IMAGE });
    const res = await boot({ imageRef: '', block_device_mapping: [{ volume_id: volId, device_name: 'vda', delete_on_termination: '1' }] }, '2.1');
    expect(res.statusCode).toBe(202);
    const id = res.json().server.id;
    await sim.idle();
    expect((await show(id)).status).toBe('ACTIVE');
    expect(sim.services.bdms.getByVolumeAndInstance(volId, id)).toMatchObject({ boot_index: 0, source_type: 'volume', device_name: '/dev/vda', delete_on_termination: true });
    // A volume Cinder does not call bootable cannot be the root (get_bdm_image_metadata).
    const plain = await createVolume(sim, demo, 1, 'plain');
    const refused = await boot({ imageRef: '', block_device_mapping: [{ volume_id: plain, device_name: '/dev/vda' }] }, '2.1');
    expect(refused.json()).toEqual({ badRequest: { code: 400, message: `Block Device ${plain} is not bootable.` } });
    const unknown = await boot({ imageRef: IMAGE, block_device_mapping: [{ device_name: 'vdb' }] }, '2.1');
    expect(unknown.json().badRequest.message).toBe('Block Device Mapping is Invalid: Unrecognized legacy format.');
    await demo.req('DELETE', `/compute/v2.1/servers/${id}`);
    await sim.idle();
    expect((await getVolume(sim, demo, volId)).status).toBe(404);
  });

  it("answers Nova's 400s for malformed mappings, touching nothing", async () => {
    const before = (await volumesOf()).length;
    const cases: [Record<string, unknown>, string, string?][] = [
      [{}, 'Missing imageRef attribute'],
      [{ imageRef: '', block_device_mapping_v2: [{ boot_index: 0, source_type: 'blank', uuid: IMAGE, destination_type: 'volume', volume_size: 1 }] }, 'Block Device Mapping is Invalid: Invalid device UUID.'],
      [{ imageRef: '', block_device_mapping_v2: [{ boot_index: 0, source_type: 'volume', destination_type: 'volume' }] }, 'Block Device Mapping is Invalid: Missing device UUID.'],
      [{ imageRef: '', block_device_mapping_v2: [{ boot_index: 0, source_type: 'image', uuid: IMAGE, destination_type: 'local' }] }, 'Block Device Mapping is Invalid: Mapping image to local is not supported.'],
      [{ imageRef: '', block_device_mapping_v2: [{ boot_index: 0, source_type: 'image', uuid: IMAGE, destination_type: 'volume' }] }, "Images with destination_type 'volume' need to have a non-zero size specified"],
      [{ imageRef: '', block_device_mapping_v2: [{ boot_index: 1, source_type: 'image', uuid: IMAGE, destination_type: 'volume', volume_size: 1 }] }, 'Block Device Mapping is Invalid: Boot sequence for the instance and image/block device mapping combination is not valid.'],
      [{ imageRef: '', block_device_mapping_v2: [{ boot_index: 0, source_type: 'blank', destination_type: 'volume' }] }, "Blank volumes (source: 'blank', dest: 'volume') need to have non-zero size"],
      [{ imageRef: '', block_device_mapping_v2: [{ boot_index: 0, source_type: 'volume', uuid: MISSING, destination_type: 'volume' }] }, `Block Device Mapping is Invalid: failed to get volume ${MISSING}.`],
      // Without imageRef the root snapshot is read first (get_bdm_image_metadata): SnapshotNotFound.
      [{ imageRef: '', block_device_mapping_v2: [{ boot_index: 0, source_type: 'snapshot', uuid: MISSING, destination_type: 'volume' }] }, `Snapshot ${MISSING} could not be found.`],
      [{ imageRef: IMAGE, block_device_mapping_v2: [{ boot_index: 0, source_type: 'image', uuid: IMAGE, destination_type: 'local' }, { boot_index: -1, source_type: 'snapshot', uuid: MISSING, destination_type: 'volume' }] }, `Block Device Mapping is Invalid: failed to get snapshot ${MISSING}.`],
      [{ imageRef: '', block_device_mapping_v2: [{ boot_index: 0, source_type: 'image', uuid: MISSING, destination_type: 'volume', volume_size: 1 }] }, `Block Device Mapping is Invalid: failed to get image ${MISSING}.`],
      [{ imageRef: '', block_device_mapping_v2: [{ boot_index: 0, source_type: 'image', uuid: IMAGE, destination_type: 'volume', volume_size: 1, volume_type: 'gold' }] }, 'Volume type gold could not be found.'],
      [{ imageRef: '', block_device_mapping_v2: [{ boot_index: 0, source_type: 'image', uuid: IMAGE, destination_type: 'volume', volume_size: 1, disk_bus: 'nvme0' }] }, 'Block Device Mapping is Invalid.'],
      [{ imageRef: '', block_device_mapping_v2: [{ boot_index: 0, source_type: 'volume', uuid: IMAGE, destination_type: 'volume', volume_type: 'x' }] }, 'Block Device Mapping is Invalid: Specifying volume type to existing volume is not supported.'],
      [{ imageRef: IMAGE, block_device_mapping_v2: [{ boot_index: 0, source_type: 'image', uuid: IMAGE, destination_type: 'local' }, { boot_index: -1, source_type: 'blank', destination_type: 'volume', volume_size: 1, device_name: 'vda' }] }, 'The volume cannot be assigned the same device name as the root device vda'],
      [{ imageRef: IMAGE, block_device_mapping_v2: [{ boot_index: -1, source_type: 'blank', destination_type: 'volume', volume_size: 1 }] }, 'Block Device Mapping is Invalid: Boot sequence for the instance and image/block device mapping combination is not valid.'],
      [{ imageRef: '', block_device_mapping: [{ volume_id: MISSING, device_name: 'vda' }], block_device_mapping_v2: [{ boot_index: 0, source_type: 'volume', uuid: MISSING, destination_type: 'volume' }] }, 'Using different block_device_mapping syntaxes is not allowed in the same request.'],
      // Flavor m1.tiny has no ephemeral disk and no swap.
      [{ imageRef: IMAGE, block_device_mapping_v2: [{ boot_index: 0, source_type: 'image', uuid: IMAGE, destination_type: 'local' }, { boot_index: -1, source_type: 'blank', destination_type: 'local', volume_size: 1 }] }, 'Ephemeral disks requested are larger than the instance type allows. If no size is given in one block device mapping, flavor ephemeral size will be used.'],
      [{ imageRef: IMAGE, block_device_mapping_v2: [{ boot_index: 0, source_type: 'image', uuid: IMAGE, destination_type: 'local' }, { boot_index: -1, source_type: 'blank', destination_type: 'local', guest_format: 'swap', volume_size: 1 }] }, 'Swap drive requested is larger than instance type allows.'],
      [{ imageRef: IMAGE, block_device_mapping_v2: [{ boot_index: 0, source_type: 'image', uuid: IMAGE, destination_type: 'local' }, { boot_index: -1, source_type: 'blank', destination_type: 'local', guest_format: 'swap' }, { boot_index: -1, source_type: 'blank', destination_type: 'local', guest_format: 'swap' }] }, 'Block Device Mapping is Invalid: More than one swap drive requested.'],
      [{ imageRef: IMAGE, block_device_mapping_v2: [{ boot_index: 0, source_type: 'image', uuid: IMAGE, destination_type: 'local' }, ...[1, 2, 3].map(() => ({ boot_index: -1, source_type: 'blank', destination_type: 'local' }))] }, 'Block Device Mapping is Invalid: You specified more local devices than the limit allows'],
      [{ imageRef: '', min_count: 2, block_device_mapping_v2: [{ boot_index: 0, source_type: 'volume', uuid: MISSING, destination_type: 'volume' }] }, `Block Device Mapping is Invalid: failed to get volume ${MISSING}.`],
      [{ imageRef: IMAGE, min_count: 2, block_device_mapping_v2: [{ boot_index: 0, source_type: 'image', uuid: IMAGE, destination_type: 'local' }, { boot_index: -1, source_type: 'volume', uuid: MISSING, destination_type: 'volume' }] }, 'Cannot attach one or more volumes to multiple instances'],
      [{ imageRef: '', trusted_image_certificates: ['c1'], block_device_mapping_v2: [{ boot_index: 0, source_type: 'image', uuid: IMAGE, destination_type: 'volume', volume_size: 1 }] }, 'Image certificate validation is not supported when booting from volume'],
      [{ imageRef: '', block_device_mapping_v2: [{ boot_index: 0, source_type: 'disk', uuid: IMAGE }] }, "Invalid input for field/attribute source_type. Value: disk. 'disk' is not one of ['volume', 'image', 'snapshot', 'blank']"],
      [{ imageRef: '', block_device_mapping_v2: [{ boot_index: 'first', source_type: 'image', uuid: IMAGE }] }, "Invalid input for field/attribute boot_index. Value: first. 'first' does not match '^-?[0-9]+$'"],
      [{ imageRef: '', block_device_mapping_v2: [{ boot_index: 0, source_type: 'image', uuid: IMAGE, destination_type: 'volume', volume_size: 1, tag: 't' }] }, "Additional properties are not allowed ('tag' was unexpected)", '2.41'],
      [{ imageRef: '', block_device_mapping_v2: [{ boot_index: 0, source_type: 'image', uuid: IMAGE, destination_type: 'volume', volume_size: 1, volume_type: 'lvmdriver-1' }] }, "Additional properties are not allowed ('volume_type' was unexpected)", '2.66'],
    ];
    for (const [server, message, version] of cases) {
      const res = await boot(server, version);
      expect({ status: res.statusCode, message: res.json().badRequest?.message }).toEqual({ status: 400, message: expect.stringContaining(message) });
    }
    // Tags in BDMs: 2.32 only, then again from 2.42.
    const v232 = await boot({ imageRef: '', block_device_mapping_v2: [{ boot_index: 0, source_type: 'image', uuid: IMAGE, destination_type: 'volume', volume_size: 1, tag: 't', delete_on_termination: true }] }, '2.32');
    expect(v232.statusCode).toBe(202);
    await sim.idle();
    await demo.req('DELETE', `/compute/v2.1/servers/${v232.json().server.id}`);
    await sim.idle();
    expect((await volumesOf()).length).toBe(before);
  });

  it("aborts the build when Cinder cannot create the volume (quota): ERROR with Nova's fault, volumes cleaned up", async () => {
    // Cinder's default quota is 1000 GB per project: 2000 GB is refused by Cinder (413) on the compute side.
    const before = (await volumesOf()).length;
    const res = await boot({ imageRef: '', block_device_mapping_v2: [{ boot_index: 0, uuid: IMAGE, source_type: 'image', destination_type: 'volume', volume_size: 2000, delete_on_termination: true }] });
    expect(res.statusCode).toBe(202);
    const id = res.json().server.id;
    await sim.idle();
    const srv = await show(id);
    expect(srv.status).toBe('ERROR');
    expect(srv.fault.message).toBe(`Build of instance ${id} aborted: VolumeSizeExceedsAvailableQuota: Requested volume or snapshot exceeds allowed gigabytes quota. Requested 2000G, quota is 1000G and ${srv.fault.message.match(/and (\d+)G/)?.[1]}G has been consumed.`);
    expect(sim.services.bdms.listForInstance(id).every((b) => b.volume_id === null)).toBe(true);
    expect((await volumesOf()).length).toBe(before);
    const errors = sim.notifications.list().filter((n) => n.envelope.event_type === 'instance.create.error');
    const data = (errors.at(-1)!.envelope.payload as { 'nova_object.data': { fault: { 'nova_object.data': Record<string, unknown> } } })['nova_object.data'];
    expect(data.fault['nova_object.data']).toMatchObject({ exception: 'BuildAbortException', exception_message: srv.fault.message });
  });
});

describe('boot from volume: Cinder fails to create the volume', () => {
  it("VolumeNotCreated aborts the build with Nova's message; the errored volume is deleted (delete_on_termination)", async () => {
    const sim = await startSim();
    try {
      const demo = await client(sim, 'demo', '2.67');
      sim.faults.add({ service: 'cinder', operation: 'volume_create_task' });
      const res = await demo.req('POST', '/compute/v2.1/servers', {
        server: { name: 'nocreate', flavorRef: '1', networks: 'none', block_device_mapping_v2: [{ boot_index: 0, uuid: IMAGE, source_type: 'image', destination_type: 'volume', volume_size: 1, delete_on_termination: true }] },
      });
      const id = res.json().server.id;
      await sim.idle();
      const srv = (await demo.req('GET', `/compute/v2.1/servers/${id}`)).json().server;
      expect(srv.status).toBe('ERROR');
      expect(srv.fault.message).toMatch(new RegExp(`^Build of instance ${id} aborted: Volume [0-9a-f-]{36} did not finish being created even after we waited \\d+ seconds or \\d+ attempts\\. And its status is error\\.$`));
      const vols = (await sim.app.inject({ url: `/volume/v3/${demo.projectId}/volumes`, headers: { 'x-auth-token': demo.token } })).json().volumes;
      expect(vols).toEqual([]);
      expect(sim.services.bdms.listForInstance(id).filter((b) => b.volume_id)).toEqual([]);
    } finally {
      await sim.close();
    }
  });
});

describe('boot from volume: delete before the build reaches a host (_local_delete)', () => {
  let sim: Simulator;
  afterAll(() => sim.close());

  it('gives back the attachment made at the API', async () => {
    sim = await startSim({ buildDelayMs: 300 });
    const demo = await client(sim, 'demo', '2.67');
    const keep = await createVolume(sim, demo, 1, 'keep', { imageRef: IMAGE });
    const res = await demo.req('POST', '/compute/v2.1/servers', {
      server: { name: 'early', flavorRef: '1', networks: 'none', block_device_mapping_v2: [{ boot_index: 0, uuid: keep, source_type: 'volume', destination_type: 'volume' }] },
    });
    expect(res.statusCode).toBe(202);
    const id = res.json().server.id;
    expect((await getVolume(sim, demo, keep)).volume.status).toBe('reserved');
    expect((await demo.req('DELETE', `/compute/v2.1/servers/${id}`)).statusCode).toBe(204);
    await sim.idle();
    expect((await getVolume(sim, demo, keep)).volume).toMatchObject({ status: 'available', attachments: [] });
    expect((await demo.req('GET', `/compute/v2.1/servers/${id}`)).statusCode).toBe(404);
  });
});

// Rebuilding a volume-backed server with a new image (compute 2.93): nova-compute re-images the root
// volume through Cinder's os-reimage (3.68, reimage_reserved) and waits for `volume-reimaged`
// (ComputeManager._rebuild_volume_backed_instance); below 2.93 the API refuses (ImageUnacceptable).
// Also os-reimage itself, as Cinder's volume_actions.py _reimage / volume/api.py reimage answer it.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Simulator } from '../../../src/index.js';
import { externalEvents } from '../../../src/compute/external-events.js';
import { bootServer, client, startSim, type Client } from '../../helpers/sim.js';
import { attach, createVolume, getVolume, volumeAction } from '../../helpers/volumes.js';
import { action, lastAction } from '../actions/helpers.js';

const CIRROS = '155d900f-4e14-4e4c-a73d-069cbf4541e6';
const MISSING = '00000000-0000-4000-8000-000000000000';

let sim: Simulator;
let admin: Client;
let demo: Client;
let other: string;

async function makeImage(c: Client, name: string, extra: Record<string, unknown> = {}): Promise<string> {
  const res = await c.req('POST', '/image/v2/images', { name, disk_format: 'qcow2', container_format: 'bare', visibility: 'public', ...extra });
  expect(res.statusCode, res.body).toBe(201);
  const id = res.json().id as string;
  expect((await c.req('PUT', `/image/v2/images/${id}/file`, 'data', { 'content-type': 'application/octet-stream' })).statusCode).toBe(204);
  return id;
}

async function bootFromVolume(name: string): Promise<{ id: string; vol: string }> {
  const res = await demo.req('POST', '/compute/v2.1/servers', {
    server: { name, flavorRef: '1', networks: 'none', imageRef: '', block_device_mapping_v2: [{ boot_index: 0, uuid: CIRROS, source_type: 'image', destination_type: 'volume', volume_size: 1, delete_on_termination: true }] },
  });
  expect(res.statusCode, res.body).toBe(202);
  const id = res.json().server.id as string;
  await sim.idle();
  const vol = sim.services.bdms.listForInstance(id).find((b) => b.boot_index === 0)!.volume_id!;
  return { id, vol };
}

const show = async (id: string) => (await demo.req('GET', `/compute/v2.1/servers/${id}`)).json().server;
const eventTypes = () => sim.notifications.list().map((n) => n.envelope.event_type);

beforeAll(async () => {
  // 2 s per GiB: the failure case below waits for the timeout (Nova's default is 20).
  sim = await startSim({ reimageTimeoutPerGb: 2, instanceQuota: -1, coresQuota: -1, ramQuota: -1, volumeQuota: -1 });
  admin = await client(sim, 'admin');
  demo = await client(sim, 'demo');
  other = await makeImage(admin, 'other-image', { min_disk: 1 });
});
afterAll(() => sim.close());
beforeEach(() => sim.notifications.clear());

describe('volume-backed rebuild with a new image', () => {
  it('before 2.93: 400 ImageUnacceptable, the volume untouched', async () => {
    const { id, vol } = await bootFromVolume('vb-old');
    const res = await action(demo, id, { rebuild: { imageRef: other } }, '2.92');
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ badRequest: { code: 400, message: `Image ${other} is unacceptable: Unable to rebuild with a different image for a volume-backed server.` } });
    expect((await getVolume(sim, demo, vol)).volume.volume_image_metadata).toEqual({ image_id: CIRROS });
    expect((await show(id))['OS-EXT-STS:task_state']).toBeNull();
  });

  it('2.93: the root volume is re-imaged by Cinder (os-reimage, volume-reimaged), reattached, the server ACTIVE', async () => {
    const { id, vol } = await bootFromVolume('vb-new');
    const before = sim.services.bdms.listForInstance(id)[0].attachment_id!;
    sim.notifications.clear();
    const res = await action(demo, id, { rebuild: { imageRef: other } }, '2.93');
    expect(res.statusCode, res.body).toBe(202);
    await sim.idle();
    const srv = await show(id);
    expect(srv.status).toBe('ACTIVE');
    // An empty image_ref still says "volume-backed" (compute/api.py keeps it over a rebuild).
    expect(srv.image).toBe('');
    const v = (await getVolume(sim, demo, vol)).volume;
    expect(v.status).toBe('in-use');
    expect(v.bootable).toBe('true');
    // _refresh_volume_glance_meta: get_volume_image_metadata of the new image, values as text.
    expect(v.volume_image_metadata).toMatchObject({ image_id: other, image_name: 'other-image', container_format: 'bare', disk_format: 'qcow2', min_disk: '1', size: '4' });
    // A new attachment: the BDM's, attached, the only one.
    const bdm = sim.services.bdms.listForInstance(id)[0];
    expect(bdm.attachment_id).not.toBe(before);
    expect(v.attachments).toEqual([expect.objectContaining({ server_id: id, attachment_id: bdm.attachment_id, device: '/dev/vda' })]);
    expect(externalEvents(sim.services).list(id)).toEqual([expect.objectContaining({ name: 'volume-reimaged', tag: vol, status: 'completed' })]);
    // A new image goes through the scheduler (its own host forced); no volume_detach/attach notifications for the root.
    expect(eventTypes()).toEqual(['scheduler.select_destinations.start', 'scheduler.select_destinations.end', 'instance.rebuild_scheduled', 'instance.exists', 'instance.rebuild.start', 'instance.rebuild.end']);
    const a = await lastAction(admin, id);
    expect(a.action).toBe('rebuild');
    expect(a.events.map((e) => [e.event, e.result])).toContainEqual(['compute_rebuild_instance', 'Success']);
    // The same image at 2.93 is re-imaged too (reimage_boot_volume is set by the microversion alone).
    expect((await action(demo, id, { rebuild: { imageRef: other } }, '2.93')).statusCode).toBe(202);
    await sim.idle();
    expect(externalEvents(sim.services).list(id)).toHaveLength(2);
    expect((await show(id)).status).toBe('ACTIVE');
  });

  it('a failed re-image: no event, the wait times out → BuildAbortException, server ERROR, volume error', async () => {
    const { id, vol } = await bootFromVolume('vb-fail');
    sim.faults.add({ service: 'cinder', operation: 'volume_reimage_task' });
    sim.notifications.clear();
    expect((await action(demo, id, { rebuild: { imageRef: other } }, '2.93')).statusCode).toBe(202);
    await sim.idle();
    const srv = (await admin.req('GET', `/compute/v2.1/servers/${id}`)).json().server;
    expect(srv.status).toBe('ERROR');
    expect(srv.fault.message).toBe(`Build of instance ${id} aborted: Failed to rebuild volume backed instance.`);
    expect((await getVolume(sim, demo, vol)).volume.status).toBe('error');
    expect(eventTypes()).toContain('instance.rebuild.error');
  }, 20_000);
});

describe('os-reimage (Cinder 3.68)', () => {
  const reimage = (id: string, body: unknown, version = '3.68') => volumeAction(sim, demo, id, { 'os-reimage': body }, version);

  it('re-images an available volume: downloading, then available with the new image metadata; no event to Nova', async () => {
    const vol = await createVolume(sim, demo, 1, 'plain');
    await sim.idle();
    const res = await reimage(vol, { image_id: other });
    expect(res.statusCode, res.body).toBe(202);
    expect((await getVolume(sim, demo, vol)).volume.status).toBe('downloading');
    await sim.idle();
    const v = (await getVolume(sim, demo, vol)).volume;
    expect(v).toMatchObject({ status: 'available', bootable: 'true' });
    expect(v.volume_image_metadata).toMatchObject({ image_id: other, image_name: 'other-image' });
  });

  it('is a 3.68 action: 404 below it', async () => {
    const vol = await createVolume(sim, demo, 1, 'old-mv');
    await sim.idle();
    const res = await reimage(vol, { image_id: other }, '3.67');
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ itemNotFound: { code: 404, message: 'The resource could not be found.' } });
  });

  it('400s and 404s in Cinder\'s order: schema, unknown volume/image, status, image checks (status rolled back)', async () => {
    const vol = await createVolume(sim, demo, 1, 'checks');
    await sim.idle();
    expect((await reimage(vol, {})).statusCode).toBe(400);
    expect((await reimage(vol, { image_id: other, reimage_reserved: 'maybe' })).statusCode).toBe(400);
    expect((await reimage(vol, { image_id: 'not-a-uuid' })).statusCode).toBe(400);
    expect((await reimage(MISSING, { image_id: other })).json()).toEqual({ itemNotFound: { code: 404, message: `Volume ${MISSING} could not be found.` } });
    expect((await reimage(vol, { image_id: MISSING })).json()).toEqual({ itemNotFound: { code: 404, message: `Image ${MISSING} could not be found.` } });
    const big = await makeImage(admin, 'big', { min_disk: 5 });
    expect((await reimage(vol, { image_id: big })).json()).toEqual({
      badRequest: { code: 400, message: 'Invalid input received: Volume size 1GB cannot be smaller than the image minDisk size 5GB.' },
    });
    expect((await getVolume(sim, demo, vol)).volume.status).toBe('available');
    // reserved without reimage_reserved (an attachment without a connector reserves the volume).
    const { id: serverId } = await bootFromVolume('holder');
    const att = await sim.app.inject({
      method: 'POST', url: `/volume/v3/${demo.projectId}/attachments`,
      headers: { 'x-auth-token': demo.token, 'openstack-api-version': 'volume 3.44' },
      payload: { attachment: { volume_uuid: vol, instance_uuid: serverId } },
    });
    expect(att.statusCode, att.body).toBe(200);
    expect((await getVolume(sim, demo, vol)).volume.status).toBe('reserved');
    expect((await reimage(vol, { image_id: other, reimage_reserved: false })).json()).toEqual({
      badRequest: { code: 400, message: `Invalid volume: Volume ${vol} status must be available or error, but current status is reserved.` },
    });
    // With reimage_reserved the reserved volume is re-imaged and its server told (volume-reimaged).
    expect((await reimage(vol, { image_id: other, reimage_reserved: 'True' })).statusCode).toBe(202);
    await sim.idle();
    expect((await getVolume(sim, demo, vol)).volume.status).toBe('reserved');
    expect(externalEvents(sim.services).list(serverId)).toEqual([expect.objectContaining({ name: 'volume-reimaged', tag: vol })]);
  });

  it('409 for a volume attached to more than one server (multiattach), before any status check', async () => {
    const vol = await createVolume(sim, demo, 1, 'shared', { volume_type: 'multiattach' });
    await sim.idle();
    for (const name of ['m1', 'm2']) await attach(sim, demo, await bootServer(sim, demo, name), vol);
    expect((await getVolume(sim, demo, vol)).volume.attachments).toHaveLength(2);
    expect((await reimage(vol, { image_id: other, reimage_reserved: true })).json()).toEqual({
      conflictingRequest: { code: 409, message: 'Cannot re-image a volume which is attached to more than one server.' },
    });
  });

  it('an in-use volume is refused even with reimage_reserved', async () => {
    const { vol } = await bootFromVolume('inuse');
    expect((await reimage(vol, { image_id: other, reimage_reserved: true })).json()).toEqual({
      badRequest: { code: 400, message: `Invalid volume: Volume ${vol} status must be available or error or reserved, but current status is in-use.` },
    });
  });
});

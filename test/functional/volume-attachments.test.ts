import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Simulator } from '../../src/index.js';
import { bootServer, client, startSim, type Client } from '../helpers/sim.js';
import { attach, createVolume, getVolume } from '../helpers/volumes.js';

describe('os-volume_attachments: attach, list, show, detach', () => {
  let sim: Simulator;
  let demo: Client;
  let admin: Client;
  let server: string;
  beforeAll(async () => {
    sim = await startSim();
    demo = await client(sim, 'demo', null);
    admin = await client(sim, 'admin', null);
    server = await bootServer(sim, demo);
  });
  afterAll(() => sim.close());

  it('attaches through Cinder attachments (create → update → complete) and emits attach notifications', async () => {
    const vol = await createVolume(sim, demo, 1, 'data');
    sim.notifications.clear();
    const res = await attach(sim, demo, server, vol);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ volumeAttachment: { id: vol, serverId: server, volumeId: vol, device: '/dev/vdb' } });
    const v = (await getVolume(sim, demo, vol)).volume;
    expect(v.status).toBe('in-use');
    expect(v.attachments).toHaveLength(1);
    expect(v.attachments[0]).toMatchObject({ server_id: server, volume_id: vol, device: '/dev/vdb' });
    const types = sim.notifications.list().map((n) => n.envelope.event_type);
    expect(types).toEqual(['instance.volume_attach.start', 'instance.volume_attach.end']);
    const bdm = sim.services.bdms.getByVolumeAndInstance(vol, server)!;
    expect(bdm.attachment_id).toBe(v.attachments[0].attachment_id);
    expect(JSON.parse(bdm.connection_info!).serial).toBe(vol);
  });

  it('shapes the attachment view by microversion', async () => {
    const url = `/compute/v2.1/servers/${server}/os-volume_attachments`;
    const v21 = (await demo.req('GET', url)).json().volumeAttachments[0];
    expect(Object.keys(v21).sort()).toEqual(['device', 'id', 'serverId', 'volumeId']);
    const v279 = (await demo.req('GET', url, undefined, { 'openstack-api-version': 'compute 2.79' })).json().volumeAttachments[0];
    expect(Object.keys(v279).sort()).toEqual(['delete_on_termination', 'device', 'id', 'serverId', 'tag', 'volumeId']);
    const v289 = (await demo.req('GET', url, undefined, { 'openstack-api-version': 'compute 2.89' })).json().volumeAttachments[0];
    expect(Object.keys(v289).sort()).toEqual(['attachment_id', 'bdm_uuid', 'delete_on_termination', 'device', 'serverId', 'tag', 'volumeId']);
    const show = await demo.req('GET', `${url}/${v21.volumeId}`);
    expect(show.json().volumeAttachment.volumeId).toBe(v21.volumeId);
    const missing = await demo.req('GET', `${url}/00000000-0000-4000-8000-000000000000`);
    expect(missing.statusCode).toBe(404);
    expect(missing.json().itemNotFound.message).toBe(`Instance ${server} is not attached to volume 00000000-0000-4000-8000-000000000000`);
    const badq = await demo.req('GET', `${url}?limit=-1`);
    expect(badq.statusCode).toBe(400);
    expect(badq.json().badRequest.message).toBe("Invalid input for query parameters limit. Value: -1. '-1' does not match '^[0-9]*$'");
    const unknown = await demo.req('GET', `${url}?foo=1`, undefined, { 'openstack-api-version': 'compute 2.75' });
    expect(unknown.statusCode).toBe(400);
    const old = await demo.req('GET', `${url}?foo=1`, undefined, { 'openstack-api-version': 'compute 2.74' });
    expect(old.statusCode).toBe(200);
  });

  it('validates attach bodies like Nova', async () => {
    const url = `/compute/v2.1/servers/${server}/os-volume_attachments`;
    const bad = await demo.req('POST', url, { volumeAttachment: { volumeId: 'nope' } });
    expect(bad.json()).toEqual({ badRequest: { code: 400, message: "Invalid input for field/attribute volumeId. Value: nope. 'nope' is not a 'uuid'" } });
    const tag = await demo.req('POST', url, { volumeAttachment: { volumeId: '00000000-0000-4000-8000-000000000000', tag: 'x' } });
    expect(tag.json().badRequest.message).toContain("Additional properties are not allowed ('tag' was unexpected)");
    const missing = await demo.req('POST', url, { volumeAttachment: { volumeId: '00000000-0000-4000-8000-000000000000' } });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().itemNotFound.message).toBe('Volume 00000000-0000-4000-8000-000000000000 could not be found.');
  });

  it('refuses to attach an in-use volume to a second server (400) and the same volume twice', async () => {
    const vol = await createVolume(sim, demo, 1, 'busy');
    await attach(sim, demo, server, vol);
    const other = await bootServer(sim, demo, 'vm2');
    const res = await demo.req('POST', `/compute/v2.1/servers/${other}/os-volume_attachments`, { volumeAttachment: { volumeId: vol } });
    expect(res.statusCode).toBe(400);
    // compute/api.py _check_volume_already_attached refuses it before Cinder is asked.
    expect(res.json().badRequest.message).toBe(`Invalid volume: volume ${vol} is already attached to instances: ${server}`);
    const twice = await demo.req('POST', `/compute/v2.1/servers/${server}/os-volume_attachments`, { volumeAttachment: { volumeId: vol } });
    expect(twice.json()).toEqual({ badRequest: { code: 400, message: `Invalid volume: volume ${vol} is already attached to instances: ${server}` } });
  });

  it('answers 202 with no body from 2.101 (master)', async () => {
    const vol = await createVolume(sim, demo, 1, 'late');
    const res = await demo.req('POST', `/compute/v2.1/servers/${server}/os-volume_attachments`, { volumeAttachment: { volumeId: vol } }, { 'openstack-api-version': 'compute 2.101' });
    expect(res.statusCode).toBe(202);
    expect(res.body).toBe('');
    await sim.idle();
    expect((await getVolume(sim, demo, vol)).volume.status).toBe('in-use');
  });

  it('detaches (202): begin_detaching, attachment delete, BDM gone, detach notifications', async () => {
    const vol = await createVolume(sim, demo, 1, 'detachme');
    await attach(sim, demo, server, vol);
    sim.notifications.clear();
    // Hold the compute side's attachment_delete so the state between the 202 and the end is observable
    // (in-process the whole detach otherwise completes within a few event-loop turns).
    sim.faults.add({ service: 'cinder', operation: 'attachment_delete', error: { delay_ms: 100 } });
    const res = await demo.req('DELETE', `/compute/v2.1/servers/${server}/os-volume_attachments/${vol}`);
    expect(res.statusCode).toBe(202);
    expect((await getVolume(sim, demo, vol)).volume.status).toBe('detaching');
    await sim.idle();
    const v = (await getVolume(sim, demo, vol)).volume;
    expect(v.status).toBe('available');
    expect(v.attachments).toEqual([]);
    expect(sim.services.bdms.getByVolumeAndInstance(vol, server)).toBeNull();
    expect(sim.notifications.list().map((n) => n.envelope.event_type)).toEqual(['instance.volume_detach.start', 'instance.volume_detach.end']);
    const actions = (await demo.req('GET', `/compute/v2.1/servers/${server}/os-instance-actions`)).json().instanceActions;
    expect(actions[0].action).toBe('detach_volume');
  });

  it('isolates attachments by project', async () => {
    const res = await sim.app.inject({ url: `/compute/v2.1/servers/${server}/os-volume_attachments`, headers: { 'x-auth-token': (await client(sim, 'cinder', null)).token } });
    expect(res.statusCode).toBe(404);
    const adminView = await admin.req('GET', `/compute/v2.1/servers/${server}/os-volume_attachments`);
    expect(adminView.statusCode).toBe(200);
  });
});

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Simulator } from '../../src/index.js';
import { bootServer, client, startSim, type Client } from '../helpers/sim.js';
import { attach, createVolume, getVolume } from '../helpers/volumes.js';

const swapUrl = (server: string, old: string) => `/compute/v2.1/servers/${server}/os-volume_attachments/${old}`;

describe('swap volume (zed profile: admin may swap directly)', () => {
  let sim: Simulator;
  let admin: Client;
  let demo: Client;
  let server: string;
  let oldVol: string;
  let newVol: string;

  beforeAll(async () => {
    sim = await startSim({ profile: 'zed' });
    admin = await client(sim, 'admin', null);
    demo = await client(sim, 'demo', null);
  });
  afterAll(() => sim.close());

  beforeEach(async () => {
    await sim.reset();
    server = await bootServer(sim, demo, 'swapper');
    oldVol = await createVolume(sim, demo, 1, 'old');
    newVol = await createVolume(sim, demo, 2, 'new');
    await attach(sim, demo, server, oldVol);
    sim.notifications.clear();
  });

  it('swaps: 202 empty body, then .start/.end, Cinder states, BDM and instance action as Nova leaves them', async () => {
    const res = await admin.req('PUT', swapUrl(server, oldVol), { volumeAttachment: { volumeId: newVol } }, { 'openstack-api-version': 'compute 2.92' });
    expect(res.statusCode).toBe(202);
    expect(res.body).toBe('');
    await sim.idle();
    const list = (await demo.req('GET', `/compute/v2.1/servers/${server}/os-volume_attachments`)).json().volumeAttachments;
    expect(list.map((a: { volumeId: string }) => a.volumeId)).toEqual([newVol]);
    expect((await getVolume(sim, demo, oldVol)).volume).toMatchObject({ status: 'available', attachments: [] });
    const nv = (await getVolume(sim, demo, newVol)).volume;
    expect(nv.status).toBe('in-use');
    expect(nv.attachments[0]).toMatchObject({ server_id: server, device: '/dev/vdb' });
    const bdm = sim.services.bdms.getByVolumeAndInstance(newVol, server)!;
    expect(bdm.attachment_id).toBe(nv.attachments[0].attachment_id);
    expect(bdm.volume_size).toBe(2); // resized to the larger volume
    const cinfo = JSON.parse(bdm.connection_info!);
    expect(cinfo.serial).toBe(newVol);
    expect(cinfo.volume_id).toBe(newVol);
    const notes = sim.notifications.list().map((n) => n.envelope);
    expect(notes.map((n) => n.event_type)).toEqual(['instance.volume_swap.start', 'instance.volume_swap.end']);
    const start = notes[0].payload as { 'nova_object.version': string; 'nova_object.data': Record<string, unknown> };
    expect(start['nova_object.version']).toBe('1.8');
    expect(Object.keys(start['nova_object.data'])).toHaveLength(38);
    expect(start['nova_object.data']).toMatchObject({ old_volume_id: oldVol, new_volume_id: newVol, fault: null });
    const endBd = (notes[1].payload as { 'nova_object.data': { block_devices: { 'nova_object.data': { volume_id: string } }[] } })['nova_object.data'].block_devices;
    expect(endBd.map((b) => b['nova_object.data'].volume_id)).toEqual([newVol]);
    const actions = (await admin.req('GET', `/compute/v2.1/servers/${server}/os-instance-actions`)).json().instanceActions;
    expect(actions[0]).toMatchObject({ action: 'swap_volume', message: null });
    const detail = (await admin.req('GET', `/compute/v2.1/servers/${server}/os-instance-actions/${actions[0].request_id}`)).json().instanceAction;
    expect(detail.events).toHaveLength(1);
    expect(detail.events[0]).toMatchObject({ event: 'compute_swap_volume', result: 'Success', traceback: null });
    expect(detail.events[0].finish_time).not.toBeNull();
  });

  it('refuses a non-admin swap with Nova\'s policy message (403) and changes nothing', async () => {
    const res = await demo.req('PUT', swapUrl(server, oldVol), { volumeAttachment: { volumeId: newVol } });
    expect(res.statusCode).toBe(403);
    expect(res.json()).toEqual({ forbidden: { code: 403, message: "Policy doesn't allow os_compute_api:os-volumes-attachments:swap to be performed." } });
    expect((await getVolume(sim, demo, oldVol)).volume.status).toBe('in-use');
  });

  it('maps the error table: 404 old, 400 new missing, 400 attached/smaller/other instance, 409 state', async () => {
    const ghost = '00000000-0000-4000-8000-000000000000';
    const r404 = await admin.req('PUT', swapUrl(server, ghost), { volumeAttachment: { volumeId: newVol } });
    expect(r404.json()).toEqual({ itemNotFound: { code: 404, message: `Volume ${ghost} could not be found.` } });
    const r400 = await admin.req('PUT', swapUrl(server, oldVol), { volumeAttachment: { volumeId: ghost } });
    expect(r400.json()).toEqual({ badRequest: { code: 400, message: `Volume ${ghost} could not be found.` } });
    const small = await createVolume(sim, demo, 1, 'small');
    const bigOld = await createVolume(sim, demo, 3, 'big');
    await attach(sim, demo, server, bigOld);
    const rSmall = await admin.req('PUT', swapUrl(server, bigOld), { volumeAttachment: { volumeId: small } });
    expect(rSmall.json()).toEqual({ badRequest: { code: 400, message: 'Invalid volume: New volume must be the same size or larger.' } });
    const rAttached = await admin.req('PUT', swapUrl(server, oldVol), { volumeAttachment: { volumeId: bigOld } });
    expect(rAttached.json()).toEqual({ badRequest: { code: 400, message: 'Invalid volume: New volume must be detached in order to swap.' } });
    const other = await bootServer(sim, demo, 'other');
    const rOther = await admin.req('PUT', swapUrl(other, oldVol), { volumeAttachment: { volumeId: newVol } });
    expect(rOther.json()).toEqual({ badRequest: { code: 400, message: 'Invalid volume: Old volume is attached to a different instance.' } });
    // none of the rejected requests left the old volume detaching
    expect((await getVolume(sim, demo, oldVol)).volume.status).toBe('in-use');
    const bad = await admin.req('PUT', swapUrl(server, oldVol), { volumeAttachment: { volumeId: newVol, device: '/dev/vdc' } }, { 'openstack-api-version': 'compute 2.84' });
    expect(bad.json().badRequest.message).toContain("Additional properties are not allowed ('device' was unexpected)");
    sim.services.instances.update(server, { task_state: 'rebooting' });
    const r409 = await admin.req('PUT', swapUrl(server, oldVol), { volumeAttachment: { volumeId: newVol } });
    expect(r409.json()).toEqual({ conflictingRequest: { code: 409, message: `Cannot 'swap_volume' instance ${server} while it is in task_state rebooting` } });
    sim.services.instances.update(server, { task_state: null });
  });

  it('at ≥2.85 updates delete_on_termination first, with the "not mutable" checks', async () => {
    const v = { 'openstack-api-version': 'compute 2.85' };
    const dot = await demo.req('PUT', swapUrl(server, oldVol), { volumeAttachment: { volumeId: oldVol, delete_on_termination: true } }, v);
    expect(dot.statusCode).toBe(202);
    expect(sim.services.bdms.getByVolumeAndInstance(oldVol, server)!.delete_on_termination).toBe(true);
    const dev = await demo.req('PUT', swapUrl(server, oldVol), { volumeAttachment: { volumeId: oldVol, device: '/dev/vdz' } }, v);
    expect(dev.json()).toEqual({ badRequest: { code: 400, message: 'The device property is not mutable' } });
    const idm = await demo.req('PUT', swapUrl(server, oldVol), { volumeAttachment: { volumeId: oldVol, id: newVol } }, v);
    expect(idm.json()).toEqual({ badRequest: { code: 400, message: 'The id property is not mutable' } });
    const noBdm = await demo.req('PUT', swapUrl(server, newVol), { volumeAttachment: { volumeId: newVol } }, v);
    expect(noBdm.json()).toEqual({ itemNotFound: { code: 404, message: `No volume Block Device Mapping with id ${newVol}.` } });
    // A member changing the volume id needs the swap rule.
    const swap = await demo.req('PUT', swapUrl(server, oldVol), { volumeAttachment: { volumeId: newVol } }, v);
    expect(swap.statusCode).toBe(403);
  });

  it('a locked server refuses a non-admin but not an admin (admin is allowed by the lock check)', async () => {
    await demo.req('POST', `/compute/v2.1/servers/${server}/action`, { lock: null });
    const res = await admin.req('PUT', swapUrl(server, oldVol), { volumeAttachment: { volumeId: newVol } });
    expect(res.statusCode).toBe(202);
    await sim.idle();
  });

  it('a driver failure inside the swap emits .error and compute.exception, rolls Cinder back and records the fault', async () => {
    sim.faults.add({ service: 'compute', operation: 'driver.swap_volume', match: { instance_uuid: server }, error: { exception: 'VolumeDriverException', message: 'disk went away' } });
    const res = await admin.req('PUT', swapUrl(server, oldVol), { volumeAttachment: { volumeId: newVol } });
    expect(res.statusCode).toBe(202);
    await sim.idle();
    const notes = sim.notifications.list().map((n) => n.envelope);
    expect(notes.map((n) => [n.event_type, n.priority])).toEqual([
      ['instance.volume_swap.start', 'INFO'],
      ['instance.volume_swap.error', 'ERROR'],
      ['compute.exception', 'ERROR'],
    ]);
    const fault = (notes[1].payload as { 'nova_object.data': { fault: { 'nova_object.data': Record<string, string> } } })['nova_object.data'].fault['nova_object.data'];
    expect(fault).toMatchObject({ exception: 'VolumeDriverException', exception_message: 'disk went away', function_name: 'swap_volume' });
    expect(fault.traceback).toContain('_swap_volume');
    expect(notes[2].publisher_id).toBe('nova-compute:novasim');
    expect((await getVolume(sim, demo, oldVol)).volume.status).toBe('in-use');
    expect((await getVolume(sim, demo, newVol)).volume).toMatchObject({ status: 'available', attachments: [] });
    expect(sim.services.bdms.getByVolumeAndInstance(oldVol, server)).not.toBeNull();
    const f = sim.services.actions.latestFaultFor(server)!;
    expect(f).toMatchObject({ code: 500, message: 'VolumeDriverException', host: 'novasim' });
    const action = sim.services.actions.list(server)[0];
    expect(action).toMatchObject({ action: 'swap_volume', message: 'Error' });
    const ev = sim.services.actions.events(action.id)[0];
    expect(ev).toMatchObject({ event: 'compute_swap_volume', result: 'Error', details: 'VolumeDriverException' });
    // a failed swap leaves the server ACTIVE, so GET /servers/{id} shows no fault
    const show = (await admin.req('GET', `/compute/v2.1/servers/${server}`)).json().server;
    expect(show.status).toBe('ACTIVE');
    expect(show.fault).toBeUndefined();
  });

  it('serialises two swaps on one instance (never interleaved): the second sees the first one\'s result', async () => {
    const third = await createVolume(sim, demo, 2, 'third');
    const [a, b] = await Promise.all([
      admin.req('PUT', swapUrl(server, oldVol), { volumeAttachment: { volumeId: newVol } }),
      admin.req('PUT', swapUrl(server, oldVol), { volumeAttachment: { volumeId: third } }),
    ]);
    await sim.idle();
    const codes = [a.statusCode, b.statusCode].sort();
    // The second is refused by Cinder's begin_detaching (old volume already detaching) → 400.
    expect(codes).toEqual([202, 400]);
    const starts = sim.notifications.list({ eventType: 'instance.volume_swap.start' });
    const ends = sim.notifications.list({ eventType: 'instance.volume_swap.end' });
    expect(starts).toHaveLength(1);
    expect(ends).toHaveLength(1);
    const attached = (await demo.req('GET', `/compute/v2.1/servers/${server}/os-volume_attachments`)).json().volumeAttachments;
    expect(attached).toHaveLength(1);
  });
});

describe('swap volume (master profile)', () => {
  let sim: Simulator;
  let admin: Client;
  let demo: Client;
  beforeAll(async () => {
    sim = await startSim({ profile: 'master' });
    admin = await client(sim, 'admin', null);
    demo = await client(sim, 'demo', null);
  });
  afterAll(() => sim.close());

  it('refuses a direct swap of a volume that is not migrating (409, bug 2112187)', async () => {
    const server = await bootServer(sim, demo);
    const oldVol = await createVolume(sim, demo, 1, 'old');
    const newVol = await createVolume(sim, demo, 1, 'new');
    await attach(sim, demo, server, oldVol);
    const res = await admin.req('PUT', swapUrl(server, oldVol), { volumeAttachment: { volumeId: newVol } });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toEqual({ conflictingRequest: { code: 409, message: `volume ${oldVol} is not migrating; this API should only be called by Cinder` } });
    expect((await getVolume(sim, demo, oldVol)).volume.status).toBe('in-use');
  });

  it('refuses the swap rule to a project member (403) on their own server', async () => {
    const server = await bootServer(sim, demo);
    const member = await demo.req('PUT', swapUrl(server, '00000000-0000-4000-8000-000000000001'), { volumeAttachment: { volumeId: '00000000-0000-4000-8000-000000000002' } });
    expect(member.statusCode).toBe(403);
    expect(member.json().forbidden.message).toBe("Policy doesn't allow os_compute_api:os-volumes-attachments:swap to be performed.");
  });

  it('swaps when Cinder retypes an attached volume: the volume keeps its id, notifications carry the request ids', async () => {
    const server = await bootServer(sim, demo);
    const vol = await createVolume(sim, demo, 1, 'moving');
    await attach(sim, demo, server, vol);
    const before = sim.services.bdms.getByVolumeAndInstance(vol, server)!;
    sim.notifications.clear();
    const res = await sim.app.inject({
      method: 'POST',
      url: `/volume/v3/${demo.projectId}/volumes/${vol}/action`,
      headers: { 'x-auth-token': demo.token },
      payload: { 'os-retype': { new_type: 'lvmdriver-2', migration_policy: 'on-demand' } },
    });
    expect(res.statusCode).toBe(202);
    const [end] = await sim.notifications.waitFor('instance.volume_swap.end', { timeoutMs: 5000 });
    await sim.idle();
    const data = (end.envelope.payload as { 'nova_object.data': { old_volume_id: string; new_volume_id: string; block_devices: { 'nova_object.data': { volume_id: string } }[] } })['nova_object.data'];
    expect(data.old_volume_id).toBe(vol);
    expect(data.new_volume_id).not.toBe(vol);
    // save_volume_id = old id: the BDM and block_devices keep the original volume id
    expect(data.block_devices.map((b) => b['nova_object.data'].volume_id)).toEqual([vol]);
    const after = sim.services.bdms.getByVolumeAndInstance(vol, server)!;
    expect(after.id).toBe(before.id);
    expect(after.attachment_id).not.toBe(before.attachment_id);
    const v = (await getVolume(sim, admin, vol)).volume;
    expect(v).toMatchObject({ status: 'in-use', migration_status: 'success', volume_type: 'lvmdriver-2' });
    expect(v.attachments[0].attachment_id).toBe(after.attachment_id);
    const actions = sim.services.actions.list(server);
    expect(actions[0]).toMatchObject({ action: 'swap_volume', message: null });
  });

  it('a locked server makes Cinder\'s swap fail (the nova service user is admin here, so it passes the lock check)', async () => {
    const server = await bootServer(sim, demo);
    const vol = await createVolume(sim, demo, 1, 'locked');
    await attach(sim, demo, server, vol);
    await demo.req('POST', `/compute/v2.1/servers/${server}/action`, { lock: null });
    await sim.app.inject({
      method: 'POST',
      url: `/volume/v3/${demo.projectId}/volumes/${vol}/action`,
      headers: { 'x-auth-token': demo.token },
      payload: { 'os-retype': { new_type: 'lvmdriver-2', migration_policy: 'on-demand' } },
    });
    await sim.notifications.waitFor('instance.volume_swap.end', { timeoutMs: 5000, instanceUuid: server });
    await sim.idle();
    expect((await getVolume(sim, admin, vol)).volume.migration_status).toBe('success');
  });
});

describe('swap of a legacy BDM (attachment_id null, pre-3.44 attach)', () => {
  let sim: Simulator;
  let admin: Client;
  let demo: Client;
  beforeAll(async () => {
    sim = await startSim({ profile: 'zed', legacyVolumeAttach: true });
    admin = await client(sim, 'admin', null);
    demo = await client(sim, 'demo', null);
  });
  afterAll(() => sim.close());

  it('attaches with os-reserve/os-attach and swaps through initialize/terminate_connection and migrate_volume_completion', async () => {
    const server = await bootServer(sim, demo);
    const oldVol = await createVolume(sim, demo, 1, 'old');
    const newVol = await createVolume(sim, demo, 1, 'new');
    await attach(sim, demo, server, oldVol);
    const bdm = sim.services.bdms.getByVolumeAndInstance(oldVol, server)!;
    expect(bdm.attachment_id).toBeNull();
    expect((await getVolume(sim, demo, oldVol)).volume.status).toBe('in-use');
    sim.notifications.clear();
    const res = await admin.req('PUT', swapUrl(server, oldVol), { volumeAttachment: { volumeId: newVol } });
    expect(res.statusCode).toBe(202);
    await sim.idle();
    // Cinder's legacy completion (not migrating): old detached, new attached, save_volume_id = new.
    expect((await getVolume(sim, demo, oldVol)).volume).toMatchObject({ status: 'available', attachments: [] });
    const nv = (await getVolume(sim, demo, newVol)).volume;
    expect(nv.status).toBe('in-use');
    expect(nv.attachments[0].server_id).toBe(server);
    const after = sim.services.bdms.getByVolumeAndInstance(newVol, server)!;
    expect(after.id).toBe(bdm.id);
    expect(after.attachment_id).toBeNull();
    expect(sim.notifications.list().map((n) => n.envelope.event_type)).toEqual(['instance.volume_swap.start', 'instance.volume_swap.end']);
  });
});

// The attachments API (3.27+/3.44) and its state machine (cinder-fake.md §2.5, §3.2, §3.3, §6.3).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeNova, startCinder, type CinderHarness, type CinderUser } from './harness.js';

const SERVER = '9d1c2a4e-5b6f-4a7e-8c9d-0e1f2a3b4c5d';
const OTHER_SERVER = '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5e';
const CONNECTOR = { host: 'compute', ip: '10.0.0.5', initiator: 'iqn.1993-08.org.debian:01:abc', multipath: false, platform: 'x86_64', os_type: 'linux' };
const V44 = { version: '3.44' };

describe('fake Cinder attachments (master)', () => {
  let h: CinderHarness;
  let demo: CinderUser;
  let admin: CinderUser;
  const nova = new FakeNova();
  beforeAll(async () => {
    h = await startCinder({ nova, config: { volumeQuota: 100 } });
    demo = await h.as('demo');
    admin = await h.as('admin');
  });
  afterAll(() => h.close());

  const reserve = (volumeId: unknown, server = SERVER, connector: unknown = null) =>
    demo.post('/attachments', { attachment: { volume_uuid: volumeId, instance_uuid: server, connector } }, V44);

  it('is not there below 3.27 and os-complete not below 3.44 (404)', async () => {
    const v = await demo.createVolume();
    const old = await demo.post('/attachments', { attachment: { volume_uuid: v.id } }, { version: '3.26' });
    expect(old.statusCode).toBe(404);
    expect(old.json()).toEqual({ itemNotFound: { code: 404, message: 'The resource could not be found.' } });
    expect((await demo.get('/attachments', { version: '3.0' })).statusCode).toBe(404);
    const att = await demo.post('/attachments', { attachment: { volume_uuid: v.id, instance_uuid: SERVER } }, { version: '3.27' });
    expect(att.statusCode).toBe(200);
    const early = await demo.post(`/attachments/${att.json().attachment.id}/action`, { 'os-complete': null }, { version: '3.43' });
    expect(early.statusCode).toBe(404);
  });

  it('walks reserved → attaching → attached → deleted with the exact volume statuses', async () => {
    const v = await demo.createVolume();
    const created = await reserve(v.id);
    expect(created.statusCode).toBe(200);
    const a = created.json().attachment;
    expect(a).toEqual({ id: a.id, status: 'reserved', instance: SERVER, volume_id: v.id, attached_at: '', detached_at: '', attach_mode: 'null', connection_info: {} });
    let vol = await demo.volume(v.id as string);
    expect(vol.status).toBe('reserved');
    // A reserved attachment is not listed on the volume.
    expect(vol.attachments).toEqual([]);
    expect(h.backend.volume(v.id as string)?.attach_status).toBe('detached');

    const upd = await demo.put(`/attachments/${a.id}`, { attachment: { connector: { ...CONNECTOR, mountpoint: '/dev/vdb' } } }, V44);
    expect(upd.statusCode).toBe(200);
    const ci = upd.json().attachment.connection_info;
    expect(ci).toMatchObject({ driver_volume_type: 'iscsi', target_discovered: false, target_lun: 0, volume_id: v.id, attachment_id: a.id, access_mode: 'rw', encrypted: false, qos_specs: null, enforce_multipath: false });
    expect(ci.target_iqn).toBe(`iqn.2010-10.org.openstack:volume-${v.id}`);
    // The API answers with the row it loaded before the manager's writes.
    expect(upd.json().attachment.status).toBe('reserved');
    const stored = (await demo.get(`/attachments/${a.id}`, V44)).json().attachment;
    expect(stored).toMatchObject({ status: 'attaching', attach_mode: 'rw', detached_at: '' });
    expect(stored.attached_at).toMatch(/^\d{4}-.*\.\d{6}$/);
    expect(h.backend.volume(v.id as string)).toMatchObject({ status: 'attaching', attach_status: 'attaching' });
    expect(h.backend.attachment(a.id)).toMatchObject({ attached_host: 'compute', mountpoint: '/dev/vdb' });

    const done = await demo.post(`/attachments/${a.id}/action`, { 'os-complete': null }, V44);
    expect(done.statusCode).toBe(204);
    expect(done.body).toBe('');
    vol = await demo.volume(v.id as string);
    expect(vol.status).toBe('in-use');
    expect(vol.attachments).toEqual([{ id: v.id, attachment_id: a.id, volume_id: v.id, server_id: SERVER, host_name: null, device: '/dev/vdb', attached_at: stored.attached_at }]);
    const asAdmin = await admin.volume(v.id as string);
    expect((asAdmin.attachments as { host_name: string }[])[0].host_name).toBe('compute');

    const list = await demo.get(`/attachments?volume_id=${v.id}`, V44);
    expect(list.json().attachments).toEqual([{ id: a.id, status: 'attached', instance: SERVER, volume_id: v.id }]);
    const detail = await demo.get(`/attachments/detail?instance_id=${SERVER}&volume_id=${v.id}`, V44);
    expect(detail.json().attachments[0]).toMatchObject({ id: a.id, attach_mode: 'rw' });

    const del = await demo.delete(`/attachments/${a.id}`, V44);
    expect(del.statusCode).toBe(200);
    expect(del.json()).toEqual({ attachments: [] });
    expect(h.backend.volume(v.id as string)).toMatchObject({ status: 'available', attach_status: 'detached' });
    expect((await demo.get(`/attachments/${a.id}`, V44)).json()).toEqual({
      itemNotFound: { code: 404, message: `Volume attachment could not be found with filter: attachment_id = ${a.id}.` },
    });
  });

  it('connects at create time when a connector comes with it (volume attaching, answer still reserved)', async () => {
    const v = await demo.createVolume();
    const res = await reserve(v.id, SERVER, CONNECTOR);
    expect(res.json().attachment).toMatchObject({ status: 'reserved', attach_mode: 'null' });
    expect(res.json().attachment.connection_info.driver_volume_type).toBe('iscsi');
    expect(h.backend.volume(v.id as string)).toMatchObject({ status: 'attaching', attach_status: 'attaching' });
  });

  it('refuses a second attachment of an in-use non-multiattach volume, but lets the same instance re-reserve', async () => {
    const v = await demo.createVolume();
    const a = (await reserve(v.id)).json().attachment;
    await demo.put(`/attachments/${a.id}`, { attachment: { connector: CONNECTOR } }, V44);
    await demo.post(`/attachments/${a.id}/action`, { 'os-complete': null }, V44);
    const other = await reserve(v.id, OTHER_SERVER);
    expect(other.statusCode).toBe(400);
    expect(other.json().badRequest.message).toBe(`Invalid volume: Volume ${v.id} status must be available or downloading to reserve, but the current status is in-use.`);
    const same = await reserve(v.id, SERVER);
    expect(same.statusCode).toBe(200);
    // Two attachments on a non-multiattach volume, one connected: the second update is a conflict.
    const dup = await demo.put(`/attachments/${same.json().attachment.id}`, { attachment: { connector: CONNECTOR } }, V44);
    expect(dup.statusCode).toBe(409);
    expect(dup.json()).toEqual({ conflictingRequest: { code: 409, message: `Resource conflict: duplicate connectors detected on volume ${v.id}` } });
  });

  it('multiattach volumes take a second attachment while in-use', async () => {
    const v = await demo.createVolume({ volume_type: 'multiattach' });
    const a = (await reserve(v.id)).json().attachment;
    await demo.put(`/attachments/${a.id}`, { attachment: { connector: CONNECTOR } }, V44);
    await demo.post(`/attachments/${a.id}/action`, { 'os-complete': null }, V44);
    const b = await reserve(v.id, OTHER_SERVER);
    expect(b.statusCode).toBe(200);
    expect(h.backend.volume(v.id as string)?.status).toBe('reserved');
  });

  it('refuses attachments of volumes in an error state (trailing space included)', async () => {
    const v = await demo.createVolume();
    await admin.action(v.id as string, { 'os-reset_status': { status: 'error' } });
    const res = await reserve(v.id);
    expect(res.json().badRequest.message).toBe(`Invalid volume: Volume attachments can not be created if the volume is in an error state. The Volume ${v.id} currently has a status of: error `);
  });

  it('answers update of a volume in error with 409 ResourceConflict on master', async () => {
    const v = await demo.createVolume();
    const a = (await reserve(v.id)).json().attachment;
    await admin.action(v.id as string, { 'os-reset_status': { status: 'error' } });
    const res = await demo.put(`/attachments/${a.id}`, { attachment: { connector: CONNECTOR } }, V44);
    expect(res.statusCode).toBe(409);
    expect(res.json().conflictingRequest.message).toBe(`Resource conflict: Volume attachments can not be updated if the volume is in an error state. The Volume ${v.id} currently has a status of: error `);
  });

  it('validates the update body and the connector', async () => {
    const v = await demo.createVolume();
    const a = (await reserve(v.id)).json().attachment;
    const empty = await demo.put(`/attachments/${a.id}`, { attachment: { connector: {} } }, V44);
    expect(empty.json().badRequest.message).toBe('Invalid input for field/attribute connector. Value: {}. {} should be non-empty');
    const noInitiator = await demo.put(`/attachments/${a.id}`, { attachment: { connector: { host: 'compute' } } }, V44);
    expect(noInitiator.statusCode).toBe(400);
    expect(noInitiator.json().badRequest.message).toBe("Invalid input received: Connector doesn't have required information: initiator");
    const noHost = await demo.put(`/attachments/${a.id}`, { attachment: { connector: { initiator: 'iqn.x' } } }, V44);
    expect(noHost.statusCode).toBe(500);
    expect(noHost.json()).toEqual({ computeFault: { code: 500, message: 'Unable to update the attachment.' } });
    const mode = await demo.post('/attachments', { attachment: { volume_uuid: v.id, mode: 'ro' } }, V44);
    expect(mode.json().badRequest.message).toBe("Invalid input for field/attribute attachment. Value: {'volume_uuid': '" + v.id + "', 'mode': 'ro'}. Additional properties are not allowed ('mode' was unexpected)");
    const mode54 = await demo.post('/attachments', { attachment: { volume_uuid: v.id, instance_uuid: SERVER, mode: 'ro' } }, { version: '3.54' });
    expect(mode54.json().attachment.attach_mode).toBe('ro');
  });

  it('404s unknown attachments and other projects’ attachments', async () => {
    const missing = '00000000-0000-4000-8000-000000000001';
    const complete = await demo.post(`/attachments/${missing}/action`, { 'os-complete': null }, V44);
    expect(complete.statusCode).toBe(404);
    expect(complete.json().itemNotFound.message).toBe(`Volume attachment could not be found with filter: attachment_id = ${missing}.`);
    const theirs = await admin.createVolume();
    const att = await admin.post('/attachments', { attachment: { volume_uuid: theirs.id, instance_uuid: SERVER } }, V44);
    expect((await demo.get(`/attachments/${att.json().attachment.id}`, V44)).statusCode).toBe(404);
    expect((await demo.post('/attachments', { attachment: { volume_uuid: theirs.id } }, V44)).statusCode).toBe(404);
    const unknownAction = await demo.post(`/attachments/${att.json().attachment.id}/action`, { 'os-bogus': null }, V44);
    expect(unknownAction.json().badRequest.message).toBe('There is no such action: os-bogus. Verify the request body and Content-Type header and try again.');
  });

  it('protects an attachment Nova still uses (bug 2004555) unless the caller sends a service token', async () => {
    const v = await demo.createVolume();
    const a = (await reserve(v.id)).json().attachment;
    await demo.put(`/attachments/${a.id}`, { attachment: { connector: CONNECTOR } }, V44);
    await demo.post(`/attachments/${a.id}/action`, { 'os-complete': null }, V44);
    nova.attachments.set(`${SERVER}/${v.id}`, a.id);
    const refused = await demo.delete(`/attachments/${a.id}`, V44);
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toEqual({ conflictingRequest: { code: 409, message: `ConflictNovaUsingAttachment: Detach volume from instance ${SERVER} using the Compute API` } });
    const svc = await h.login('nova');
    const allowed = await demo.delete(`/attachments/${a.id}`, { ...V44, headers: { 'x-service-token': svc.token } });
    expect(allowed.statusCode).toBe(200);
  });

  it('lets a user delete an attachment Nova does not know (404) or maps to another id', async () => {
    const v = await demo.createVolume();
    const a = (await reserve(v.id)).json().attachment;
    await demo.put(`/attachments/${a.id}`, { attachment: { connector: CONNECTOR } }, V44);
    nova.attachments.set(`${SERVER}/${v.id}`, 'another-attachment');
    expect((await demo.delete(`/attachments/${a.id}`, V44)).statusCode).toBe(200);
  });

  it('applies the new policy defaults: a service-only user may not create volumes on master', async () => {
    const svc = await h.as('cinder');
    const res = await svc.post('/volumes', { volume: { size: 1 } });
    expect(res.statusCode).toBe(403);
    expect(res.json()).toEqual({ forbidden: { code: 403, message: "Policy doesn't allow volume:create to be performed." } });
  });

  it('returns the remaining attachments of the volume on delete', async () => {
    const v = await demo.createVolume({ volume_type: 'multiattach' });
    const a = (await reserve(v.id)).json().attachment;
    // While `reserved`, even a multiattach volume takes no new reservation from another instance.
    expect((await reserve(v.id, OTHER_SERVER)).statusCode).toBe(400);
    await demo.put(`/attachments/${a.id}`, { attachment: { connector: CONNECTOR } }, V44);
    await demo.post(`/attachments/${a.id}/action`, { 'os-complete': null }, V44);
    const b = (await reserve(v.id, OTHER_SERVER)).json().attachment;
    const res = await demo.delete(`/attachments/${a.id}`, V44);
    expect(res.json()).toEqual({ attachments: [{ id: b.id, status: 'reserved', instance: OTHER_SERVER, volume_id: v.id }] });
    expect(h.backend.volume(v.id as string)).toMatchObject({ status: 'reserved', attach_status: 'reserved' });
  });
});

describe('fake Cinder attachments (zed)', () => {
  it('wraps attachment_update errors in a 500 and hides host_name from the service role', async () => {
    const h = await startCinder({ profile: 'zed', nova: new FakeNova() });
    try {
      const demo = await h.as('demo');
      const admin = await h.as('admin');
      const v = await demo.createVolume();
      const a = (await demo.post('/attachments', { attachment: { volume_uuid: v.id, instance_uuid: SERVER } }, V44)).json().attachment;
      await admin.action(v.id as string, { 'os-reset_status': { status: 'error' } });
      const res = await demo.put(`/attachments/${a.id}`, { attachment: { connector: CONNECTOR } }, V44);
      expect(res.statusCode).toBe(500);
      expect(res.json().computeFault.message).toBe(
        `Unable to update attachment.(Invalid volume: Volume attachments can not be updated if the volume is in an error state. The Volume ${v.id} currently has a status of: error ).`,
      );
      const noInit = await demo.put(`/attachments/${a.id}`, { attachment: { connector: {} } }, V44);
      expect(noInit.json().badRequest.message).toBe('Invalid input for field/attribute connector. Value: {}. {} does not have enough properties');
      // host_name: zed shows it to admins only, not to the service role; the deprecated
      // admin_or_owner fallback lets the service-only user work on its own project's volumes.
      const svc = await h.as('cinder');
      const own = await svc.createVolume();
      const sa = (await svc.post('/attachments', { attachment: { volume_uuid: own.id, instance_uuid: SERVER } }, V44)).json().attachment;
      await svc.put(`/attachments/${sa.id}`, { attachment: { connector: CONNECTOR } }, V44);
      await svc.post(`/attachments/${sa.id}/action`, { 'os-complete': null }, V44);
      expect(((await svc.volume(own.id as string)).attachments as { host_name: string | null }[])[0].host_name).toBeNull();
      const ci = (await svc.get(`/attachments/${sa.id}`, V44)).json().attachment.connection_info;
      expect(ci).not.toHaveProperty('enforce_multipath');
    } finally {
      await h.close();
    }
  });
});

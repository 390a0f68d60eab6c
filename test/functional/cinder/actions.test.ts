// Legacy volume actions and admin actions (cinder-fake.md §2.6, §3.2).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeNova, startCinder, type CinderHarness, type CinderUser } from './harness.js';

const SERVER = '3f2e1d0c-9b8a-4765-8432-10fedcba9876';
const CONNECTOR = { host: 'compute', ip: '10.0.0.5', initiator: 'iqn.1993-08.org.debian:01:abc', multipath: false };

describe('fake Cinder volume actions', () => {
  let h: CinderHarness;
  let demo: CinderUser;
  let admin: CinderUser;
  beforeAll(async () => {
    h = await startCinder({ nova: new FakeNova(), config: { volumeQuota: 100 } });
    demo = await h.as('demo');
    admin = await h.as('admin');
  });
  afterAll(() => h.close());

  it('os-reserve: available → attaching; twice → 400; os-unreserve back to available', async () => {
    const v = await demo.createVolume();
    const first = await demo.action(v.id as string, { 'os-reserve': null });
    expect(first.statusCode).toBe(202);
    expect(first.body).toBe('');
    expect((await demo.volume(v.id as string)).status).toBe('attaching');
    const twice = await demo.action(v.id as string, { 'os-reserve': {} });
    expect(twice.statusCode).toBe(400);
    expect(twice.json().badRequest.message).toBe('Invalid volume: Volume status must be available to reserve, but the status is attaching.');
    expect((await demo.action(v.id as string, { 'os-unreserve': null })).statusCode).toBe(202);
    expect((await demo.volume(v.id as string)).status).toBe('available');
    // Not attaching: a silent no-op.
    expect((await demo.action(v.id as string, { 'os-unreserve': null })).statusCode).toBe(202);
  });

  it('legacy attach/detach: os-attach puts it in-use, a second instance is refused, os-detach frees it', async () => {
    const v = await demo.createVolume();
    await demo.action(v.id as string, { 'os-reserve': null });
    const init = await demo.action(v.id as string, { 'os-initialize_connection': { connector: CONNECTOR } });
    expect(init.statusCode).toBe(200);
    expect(init.json().connection_info).toMatchObject({ driver_volume_type: 'iscsi', enforce_multipath: false, data: { volume_id: v.id, access_mode: 'rw', enforce_multipath: false } });
    const att = await demo.action(v.id as string, { 'os-attach': { instance_uuid: SERVER, mountpoint: '/dev/vdc', mode: 'rw' } });
    expect(att.statusCode).toBe(202);
    const vol = await demo.volume(v.id as string);
    expect(vol).toMatchObject({ status: 'in-use', metadata: { readonly: 'False', attached_mode: 'rw' } });
    expect(vol.attachments).toMatchObject([{ server_id: SERVER, device: '/dev/vdc' }]);
    const other = await demo.action(v.id as string, { 'os-attach': { instance_uuid: '11111111-2222-4333-8444-555555555555', mountpoint: '/dev/vdd' } });
    expect(other.statusCode).toBe(400);
    expect(other.json().badRequest.message).toBe('Invalid volume: volume is already attached and multiple attachments are not enabled');
    // Same instance again: just in-use.
    expect((await demo.action(v.id as string, { 'os-attach': { instance_uuid: SERVER, mountpoint: '/dev/vdc' } })).statusCode).toBe(202);

    expect((await demo.action(v.id as string, { 'os-begin_detaching': null })).statusCode).toBe(202);
    expect((await demo.volume(v.id as string)).status).toBe('detaching');
    expect((await demo.action(v.id as string, { 'os-roll_detaching': null })).statusCode).toBe(202);
    expect((await demo.volume(v.id as string)).status).toBe('in-use');
    expect((await demo.action(v.id as string, { 'os-terminate_connection': { connector: CONNECTOR } })).statusCode).toBe(202);
    const attachmentId = (vol.attachments as { attachment_id: string }[])[0].attachment_id;
    expect((await demo.action(v.id as string, { 'os-detach': { attachment_id: attachmentId } })).statusCode).toBe(202);
    const after = await demo.volume(v.id as string);
    expect(after).toMatchObject({ status: 'available', attachments: [], metadata: { readonly: 'False' } });
    expect(after.metadata).not.toHaveProperty('attached_mode');
  });

  it('os-begin_detaching needs in-use/attached', async () => {
    const v = await demo.createVolume();
    const res = await demo.action(v.id as string, { 'os-begin_detaching': null });
    expect(res.statusCode).toBe(400);
    expect(res.json().badRequest.message).toBe("Invalid volume: Unable to detach volume. Volume status must be 'in-use' and attach_status must be 'attached' to detach.");
    // roll_detaching of a non-detaching volume is a no-op.
    expect((await demo.action(v.id as string, { 'os-roll_detaching': null })).statusCode).toBe(202);
    expect((await demo.volume(v.id as string)).status).toBe('available');
  });

  it('os-detach without an id on a volume with two attachments is refused', async () => {
    const v = await demo.createVolume({ volume_type: 'multiattach' });
    await demo.action(v.id as string, { 'os-attach': { instance_uuid: SERVER, mountpoint: '/dev/vdb' } });
    await demo.action(v.id as string, { 'os-attach': { instance_uuid: '22222222-3333-4444-8555-666666666666', mountpoint: '/dev/vdb' } });
    // attachment_deletion_allowed runs first: with no id and two attachments it cannot tell, so 409.
    const user = await demo.action(v.id as string, { 'os-detach': { attachment_id: null } });
    expect(user.json()).toEqual({ conflictingRequest: { code: 409, message: 'ConflictNovaUsingAttachment: Detach volume from instance  using the Compute API' } });
    const svc = await h.login('nova');
    const res = await demo.action(v.id as string, { 'os-detach': { attachment_id: null } }, { headers: { 'x-service-token': svc.token } });
    expect(res.json().badRequest.message).toBe('Invalid volume: Detach volume failed: More than one attachment, but no attachment_id provided.');
  });

  it('os-extend: bigger only, available only (in-use from 3.42)', async () => {
    const v = await demo.createVolume({ size: 2 });
    const small = await demo.action(v.id as string, { 'os-extend': { new_size: 2 } });
    expect(small.json().badRequest.message).toBe('Invalid input received: New size for extend must be greater than current size. (current: 2, extended: 2).');
    expect((await demo.action(v.id as string, { 'os-extend': { new_size: '3' } })).statusCode).toBe(202);
    expect((await demo.volume(v.id as string)).status).toBe('extending');
    await h.idle();
    expect(await demo.volume(v.id as string)).toMatchObject({ status: 'available', size: 3 });
    await demo.action(v.id as string, { 'os-attach': { instance_uuid: SERVER, mountpoint: '/dev/vdb' } });
    const inUse = await demo.action(v.id as string, { 'os-extend': { new_size: 4 } });
    expect(inUse.json().badRequest.message).toBe(`Invalid volume: Volume ${v.id} status must be '{'status': 'available'}' to extend, currently in-use.`);
    expect((await demo.action(v.id as string, { 'os-extend': { new_size: 4 } }, { version: '3.42' })).statusCode).toBe(202);
    await h.idle();
    expect(await demo.volume(v.id as string)).toMatchObject({ status: 'in-use', size: 4 });
  });

  it('os-reset_status and os-force_delete are admin-only; reset validates its body', async () => {
    const v = await demo.createVolume();
    const denied = await demo.action(v.id as string, { 'os-reset_status': { status: 'error' } });
    expect(denied.statusCode).toBe(403);
    expect(denied.json().forbidden.message).toBe("Policy doesn't allow volume_extension:volume_admin_actions:reset_status to be performed.");
    const empty = await admin.action(v.id as string, { 'os-reset_status': {} });
    expect(empty.json().badRequest.message).toBe("Must specify 'status', 'attach_status' or 'migration_status' for update.");
    const bogus = await admin.action(v.id as string, { 'os-reset_status': { status: 'bogus' } });
    expect(bogus.json().badRequest.message).toMatch(/^Volume status: bogus is invalid, valid statuses are: \('creating', 'available', /);
    const deleting = await admin.action(v.id as string, { 'os-reset_status': { status: 'deleting' } });
    expect(deleting.json().badRequest.message).toBe('Cannot reset-state to deleting');
    const inUse = await admin.action(v.id as string, { 'os-reset_status': { status: 'in-use' } });
    expect(inUse.json().badRequest.message).toBe('Cannot reset-state to in-use because volume does not have any attachments.');
    expect((await admin.action(v.id as string, { 'os-reset_status': { status: 'error', migration_status: 'none' } })).statusCode).toBe(202);
    expect((await demo.volume(v.id as string)).status).toBe('error');
    expect((await demo.action(v.id as string, { 'os-force_delete': null })).statusCode).toBe(403);
    expect((await admin.action(v.id as string, { 'os-force_delete': {} })).statusCode).toBe(202);
    await h.idle();
    expect((await demo.get(`/volumes/${v.id}`)).statusCode).toBe(404);
  });

  it('reset to detached drops every attachment', async () => {
    const v = await demo.createVolume();
    await demo.action(v.id as string, { 'os-attach': { instance_uuid: SERVER, mountpoint: '/dev/vdb' } });
    await admin.action(v.id as string, { 'os-reset_status': { status: 'available', attach_status: 'detached' } });
    expect(h.backend.attachmentsOf(v.id as string)).toEqual([]);
    expect(await demo.volume(v.id as string)).toMatchObject({ status: 'available', attachments: [] });
  });

  it('dispatches on exactly one known key', async () => {
    const v = await demo.createVolume();
    const unknown = await demo.action(v.id as string, { 'os-frobnicate': null });
    expect(unknown.json().badRequest.message).toBe('There is no such action: os-frobnicate. Verify the request body and Content-Type header and try again.');
    const two = await demo.action(v.id as string, { 'os-reserve': null, 'os-unreserve': null });
    expect(two.json().badRequest.message).toBe('Malformed request body');
    const missing = await demo.action('0b0b0b0b-0000-4000-8000-000000000000', { 'os-reserve': null });
    expect(missing.statusCode).toBe(404);
    const schema = await demo.action(v.id as string, { 'os-attach': { mountpoint: '/dev/vdb' } });
    expect(schema.json().badRequest.message).toBe("Invalid input for field/attribute os-attach. Value: {'mountpoint': '/dev/vdb'}. {'mountpoint': '/dev/vdb'} is not valid under any of the given schemas");
    const nullDetach = await demo.action(v.id as string, { 'os-detach': null });
    expect(nullDetach.statusCode).toBe(500);
  });

  it('refuses os-initialize_connection without an initiator', async () => {
    const v = await demo.createVolume();
    const res = await demo.action(v.id as string, { 'os-initialize_connection': { connector: { host: 'h' } } });
    expect(res.json().badRequest.message).toBe("Invalid input received: Connector doesn't have required information: initiator");
  });
});

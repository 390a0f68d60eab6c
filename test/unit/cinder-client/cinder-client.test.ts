// The compute side's Cinder client against the real fake on a real port; nock only breaks a hop.
import net from 'node:net';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CinderClient } from '../../../src/compute/cinder-client.js';
import { CinderClientError } from '../../../src/compute/volume-api.js';
import type { RequestContext } from '../../../src/domain.js';
import { FakeNova, startCinder, type CinderHarness, type CinderUser } from '../../functional/cinder/harness.js';

const SERVER = '4d3c2b1a-0f9e-4d8c-9b7a-6f5e4d3c2b1a';
const CONNECTOR = { host: 'compute', ip: '10.0.0.5', initiator: 'iqn.1993-08.org.debian:01:abc', multipath: false };

async function failure(p: Promise<unknown>): Promise<CinderClientError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(CinderClientError);
    return e as CinderClientError;
  }
  throw new Error('expected a CinderClientError');
}

describe('CinderClient (nova/volume/cinder.py over HTTP)', () => {
  let h: CinderHarness;
  let demo: CinderUser;
  let base: string;
  let ctx: RequestContext;
  let adminCtx: RequestContext;
  let client: CinderClient;
  const nova = new FakeNova();

  const ctxOf = (u: CinderUser, admin: boolean): RequestContext => ({
    requestId: 'req-11111111-2222-4333-8444-555555555555', userId: u.userId, projectId: u.projectId,
    roles: admin ? ['admin', 'member', 'reader'] : ['member', 'reader'], isAdmin: admin, authToken: u.token,
  });

  beforeAll(async () => {
    // nock intercepts sockets: this suite breaks the HTTP hop, so the calls must travel over HTTP.
    h = await startCinder({ nova, config: { volumeQuota: 100, cinderRetryDelayMs: 0, transport: 'http' } });
    base = await h.url();
    demo = await h.as('demo');
    ctx = ctxOf(demo, false);
    adminCtx = ctxOf(await h.as('admin'), true);
    client = new CinderClient(h.services);
  });
  afterEach(() => nock.cleanAll());
  afterAll(() => h.close());

  it('translates a volume like _untranslate_volume_summary_view', async () => {
    const v = await demo.createVolume({ name: 'data', metadata: { k: 'v' } });
    const got = await client.get(ctx, v.id as string);
    expect(got).toEqual({
      id: v.id, status: 'available', size: 1, availability_zone: 'nova', created_at: v.created_at, attach_time: '', mountpoint: '',
      multiattach: false, attach_status: 'detached', display_name: 'data', display_description: null, volume_type_id: 'lvmdriver-1',
      snapshot_id: null, bootable: false, volume_metadata: { k: 'v' },
    });
    // migration_status is an admin-only key: present only when Cinder sent it.
    expect((await client.get(adminCtx, v.id as string)).migration_status).toBeNull();
  });

  it('runs the attachment flow at 3.44 and rebuilds connection_info like _translate_attachment_ref', async () => {
    const v = await demo.createVolume();
    const a = await client.attachmentCreate(ctx, v.id as string, SERVER);
    expect(a).toMatchObject({ volume_id: v.id, instance: SERVER, status: 'reserved', attach_mode: 'null', connection_info: {} });
    const u = await client.attachmentUpdate(ctx, a.id, CONNECTOR, '/dev/vdb');
    expect(u.connection_info).toMatchObject({ driver_volume_type: 'iscsi', status: 'reserved', instance: SERVER, volume_id: v.id, data: { volume_id: v.id, access_mode: 'rw' } });
    expect(u.connection_info?.data).not.toHaveProperty('attachment_id');
    expect(h.backend.attachment(a.id)?.mountpoint).toBe('/dev/vdb');
    await client.attachmentComplete(ctx, a.id);
    const got = await client.get(ctx, v.id as string);
    expect(got).toMatchObject({ status: 'in-use', attach_status: 'attached', attachments: { [SERVER]: { attachment_id: a.id, mountpoint: '/dev/vdb' } } });
    expect((await client.attachmentGet(ctx, a.id)).status).toBe('attached');
    // Nova still maps the attachment: only the service token gets the delete through.
    nova.attachments.set(`${SERVER}/${v.id}`, a.id);
    await client.attachmentDelete(ctx, a.id);
    expect(h.backend.volume(v.id as string)?.status).toBe('available');
    // A missing attachment is ignored.
    await client.attachmentDelete(ctx, a.id);
  });

  it('re-authenticates once when its cached service token was revoked (keystoneauth reauth on 401)', async () => {
    const v = await demo.createVolume();
    const a = await client.attachmentCreate(ctx, v.id as string, SERVER);
    const novaUser = await h.login('nova');
    h.services.db.prepare('UPDATE tokens SET revoked = 1 WHERE user_id = ?').run(novaUser.userId);
    h.services.tokens.clearCache();
    await client.attachmentUpdate(ctx, a.id, CONNECTOR, '/dev/vdb');
    nova.attachments.set(`${SERVER}/${v.id}`, a.id);
    await client.attachmentDelete(ctx, a.id);
    expect(h.backend.attachment(a.id)).toBeUndefined();
  });

  it('without the service token the same delete is a 409 conflict', async () => {
    const noSvc = new CinderClient(h.services, { sendServiceToken: false });
    const v = await demo.createVolume();
    const a = await noSvc.attachmentCreate(ctx, v.id as string, SERVER);
    await noSvc.attachmentUpdate(ctx, a.id, CONNECTOR, '/dev/vdb');
    nova.attachments.set(`${SERVER}/${v.id}`, a.id);
    const err = await failure(noSvc.attachmentDelete(ctx, a.id));
    expect(err).toMatchObject({ kind: 'conflict', status: 409, operation: 'attachment_delete', message: `ConflictNovaUsingAttachment: Detach volume from instance ${SERVER} using the Compute API` });
  });

  it('reports Cinder errors with kind, status, message and request id (cinderclient str())', async () => {
    const missing = '6a6a6a6a-0000-4000-8000-000000000000';
    const nf = await failure(client.get(ctx, missing));
    expect(nf).toMatchObject({ kind: 'not_found', status: 404, operation: 'get', message: `Volume ${missing} could not be found.` });
    expect(nf.requestId).toMatch(/^req-/);
    expect(nf.str()).toBe(`Volume ${missing} could not be found. (HTTP 404) (Request-ID: ${nf.requestId})`);

    const v = await demo.createVolume();
    await client.reserveVolume(ctx, v.id as string);
    const bad = await failure(client.reserveVolume(ctx, v.id as string));
    expect(bad).toMatchObject({ kind: 'bad_request', status: 400, message: 'Invalid volume: Volume status must be available to reserve, but the status is attaching.' });
    await client.unreserveVolume(ctx, v.id as string);

    const forbidden = await failure(client.migrateVolumeCompletion(ctx, v.id as string, v.id as string, false));
    expect(forbidden).toMatchObject({ kind: 'forbidden', status: 403 });
    const begin = await failure(client.beginDetaching(ctx, v.id as string));
    expect(begin.message).toBe("Invalid volume: Unable to detach volume. Volume status must be 'in-use' and attach_status must be 'attached' to detach.");
  });

  it('drives the legacy actions: reserve, initialize_connection (+connector), attach, completion', async () => {
    const oldV = await demo.createVolume();
    const newV = await demo.createVolume();
    await client.attach(ctx, oldV.id as string, SERVER, '/dev/vdb');
    await client.beginDetaching(ctx, oldV.id as string);
    await client.reserveVolume(ctx, newV.id as string);
    const info = await client.initializeConnection(ctx, newV.id as string, CONNECTOR);
    expect(info).toMatchObject({ driver_volume_type: 'iscsi', connector: CONNECTOR, data: { volume_id: newV.id } });
    await client.terminateConnection(ctx, oldV.id as string, CONNECTOR);
    const r = await client.migrateVolumeCompletion(adminCtx, oldV.id as string, newV.id as string, false);
    expect(r).toEqual({ save_volume_id: newV.id });
    expect((await client.get(ctx, newV.id as string)).attachments).toEqual({ [SERVER]: { attachment_id: expect.any(String), mountpoint: '/dev/vdb' } });
    await client.detach(ctx, newV.id as string, SERVER);
    expect((await client.get(ctx, newV.id as string)).attach_status).toBe('detached');
  });

  it('retries connection resets ([cinder] http_retries) and then gives up with kind connection', async () => {
    const v = await demo.createVolume();
    const path = `/volume/v3/${demo.projectId}/volumes/${v.id}`;
    // An Error, not a plain object: nock 14's node:http interception drops non-Error reasons (nock#2789).
    const reset = () => Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    const scope = nock(base, { allowUnmocked: true }).get(path).times(3).replyWithError(reset());
    expect((await client.get(ctx, v.id as string)).id).toBe(v.id);
    expect(scope.isDone()).toBe(true);
    nock(base, { allowUnmocked: true }).get(path).times(4).replyWithError(reset());
    const err = await failure(client.get(ctx, v.id as string));
    expect(err.kind).toBe('connection');
    expect(err.status).toBeNull();
    expect(err.message).toMatch(/^Unable to establish connection to http:\/\/127\.0\.0\.1:\d+\/volume\/v3\/.*: socket hang up$/);
  });

  it('refused connections are kind connection', async () => {
    // A port that was just free: nothing listens there.
    const probe = net.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()));
    const port = (probe.address() as net.AddressInfo).port;
    await new Promise((r) => probe.close(r));
    const dead = new CinderClient(h.services, { baseUrl: `http://127.0.0.1:${port}/volume/v3/x`, httpRetries: 0 });
    const err = await failure(dead.get(ctx, 'x'));
    expect(err.kind).toBe('connection');
    expect(err.message).toContain('ECONNREFUSED');
  });

  it('times out slow answers (kind timeout)', async () => {
    const v = await demo.createVolume();
    nock(base, { allowUnmocked: true }).get(`/volume/v3/${demo.projectId}/volumes/${v.id}`).delay(300).reply(200, { volume: {} });
    const quick = new CinderClient(h.services, { timeoutMs: 50, httpRetries: 0 });
    const err = await failure(quick.get(ctx, v.id as string));
    expect(err).toMatchObject({ kind: 'timeout', status: null, message: `Request to ${base}/volume/v3/${demo.projectId}/volumes/${v.id} timed out` });
  });

  it('retries attachment_update on 500 up to five times (one injected 500 is absorbed)', async () => {
    const v = await demo.createVolume();
    const a = await client.attachmentCreate(ctx, v.id as string, SERVER);
    const path = `/volume/v3/${demo.projectId}/attachments/${a.id}`;
    nock(base, { allowUnmocked: true }).put(path).reply(500, { computeFault: { code: 500, message: 'Unable to update attachment (boom).' } });
    expect((await client.attachmentUpdate(ctx, a.id, CONNECTOR, '/dev/vdb')).id).toBe(a.id);
    const five = nock(base, { allowUnmocked: true }).put(path).times(5).reply(504, { computeFault: { code: 504, message: 'The gateway has timed out.' } });
    const err = await failure(client.attachmentUpdate(ctx, a.id, CONNECTOR, '/dev/vdb'));
    expect(five.isDone()).toBe(true);
    expect(err).toMatchObject({ kind: 'server', status: 504, message: 'The gateway has timed out.', operation: 'attachment_update' });
  });

  it('does not retry attachment_complete; a 500 there is kind server', async () => {
    const v = await demo.createVolume();
    const a = await client.attachmentCreate(ctx, v.id as string, SERVER);
    nock(base, { allowUnmocked: true }).post(`/volume/v3/${demo.projectId}/attachments/${a.id}/action`).reply(500, { computeFault: { code: 500, message: 'boom' } });
    const err = await failure(client.attachmentComplete(ctx, a.id));
    expect(err).toMatchObject({ kind: 'server', status: 500, message: 'boom' });
    await client.attachmentComplete(ctx, a.id);
  });

  it('reports unparsable answers as kind malformed', async () => {
    const v = await demo.createVolume();
    nock(base, { allowUnmocked: true }).get(`/volume/v3/${demo.projectId}/volumes/${v.id}`).reply(200, '{"volume": ', { 'content-type': 'application/json' });
    const err = await failure(client.get(ctx, v.id as string));
    expect(err.kind).toBe('malformed');
  });

  it('refuses attachment_create when the version document offers less than 3.44', async () => {
    const v = await demo.createVolume();
    nock(base, { allowUnmocked: true }).get('/volume/').reply(300, { versions: [{ id: 'v3.0', status: 'CURRENT', version: '3.27', min_version: '3.0' }] });
    const err = await failure(client.attachmentCreate(ctx, v.id as string, SERVER));
    expect(err).toMatchObject({ operation: 'attachment_create', message: 'Cinder API version 3.44 is not available.' });
  });
});

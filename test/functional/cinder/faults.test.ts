// Fault injection points of the fake Cinder (cinder-fake.md §7).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeNova, startCinder, type CinderHarness, type CinderUser } from './harness.js';

const SERVER = '8a7b6c5d-4e3f-4a1b-9c8d-7e6f5a4b3c2d';
const CONNECTOR = { host: 'compute', ip: '10.0.0.5', initiator: 'iqn.1993-08.org.debian:01:abc' };
const V44 = { version: '3.44' };

describe('fake Cinder fault injection', () => {
  let h: CinderHarness;
  let demo: CinderUser;
  beforeAll(async () => {
    h = await startCinder({ nova: new FakeNova(), config: { volumeQuota: 100 } });
    demo = await h.as('demo');
  });
  afterAll(() => h.close());

  it('makes GET /volumes/{id} fail once with the given status, in Cinder’s envelope', async () => {
    const v = await demo.createVolume();
    h.faults.add({ service: 'cinder', operation: 'get_volume', match: { volume_id: v.id as string }, error: { status: 500, message: 'boom' } });
    const res = await demo.get(`/volumes/${v.id}`);
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({ computeFault: { code: 500, message: 'boom' } });
    expect(res.headers['x-compute-request-id']).toMatch(/^req-/);
    expect((await demo.get(`/volumes/${v.id}`)).statusCode).toBe(200);
  });

  it('accepts the spec’s dotted names and only hits matching targets', async () => {
    const v = await demo.createVolume();
    const w = await demo.createVolume();
    h.faults.add({ service: 'cinder', operation: 'volumes.action.os-begin_detaching', match: { volume_id: v.id as string }, error: { status: 400, message: 'Invalid volume: nope' } });
    expect((await demo.action(w.id as string, { 'os-begin_detaching': null })).json().badRequest.message).toMatch(/^Invalid volume: Unable to detach/);
    const res = await demo.action(v.id as string, { 'os-begin_detaching': null });
    expect(res.json()).toEqual({ badRequest: { code: 400, message: 'Invalid volume: nope' } });
  });

  it('fails attachment_update n times (Nova retries 500 five times)', async () => {
    const v = await demo.createVolume();
    const a = (await demo.post('/attachments', { attachment: { volume_uuid: v.id, instance_uuid: SERVER } }, V44)).json().attachment;
    h.faults.add({ service: 'cinder', operation: 'attachments.update', match: { attachment_id: a.id }, times: 2, error: { status: 500, message: 'Unable to update attachment (backend).' } });
    expect((await demo.put(`/attachments/${a.id}`, { attachment: { connector: CONNECTOR } }, V44)).statusCode).toBe(500);
    expect((await demo.put(`/attachments/${a.id}`, { attachment: { connector: CONNECTOR } }, V44)).statusCode).toBe(500);
    expect((await demo.put(`/attachments/${a.id}`, { attachment: { connector: CONNECTOR } }, V44)).statusCode).toBe(200);
  });

  it('delays a call by delay_ms and then proceeds', async () => {
    const v = await demo.createVolume();
    h.faults.add({ service: 'cinder', operation: 'reserve', error: { delay_ms: 120 } });
    const t0 = performance.now();
    const res = await demo.action(v.id as string, { 'os-reserve': null });
    expect(performance.now() - t0).toBeGreaterThanOrEqual(100);
    expect(res.statusCode).toBe(202);
    expect((await demo.volume(v.id as string)).status).toBe('attaching');
  });

  it('injects into attachment_create, attachment_complete, attachment_delete and migrate_volume_completion', async () => {
    const v = await demo.createVolume();
    h.faults.add({ service: 'cinder', operation: 'attachment_create', error: { status: 500, message: 'Unable to create attachment for volume (x).' } });
    expect((await demo.post('/attachments', { attachment: { volume_uuid: v.id, instance_uuid: SERVER } }, V44)).statusCode).toBe(500);
    const a = (await demo.post('/attachments', { attachment: { volume_uuid: v.id, instance_uuid: SERVER } }, V44)).json().attachment;
    h.faults.add({ service: 'cinder', operation: 'attachment_complete', error: { status: 404, message: 'gone' } });
    expect((await demo.post(`/attachments/${a.id}/action`, { 'os-complete': null }, V44)).statusCode).toBe(404);
    h.faults.add({ service: 'cinder', operation: 'attachment_delete', error: { status: 409, message: 'ConflictNovaUsingAttachment: Detach volume from instance x using the Compute API' } });
    expect((await demo.delete(`/attachments/${a.id}`, V44)).statusCode).toBe(409);
    const admin = await h.as('admin');
    h.faults.add({ service: 'cinder', operation: 'migrate_volume_completion', error: { status: 400, message: 'Invalid volume: Source volume not mid-migration.' } });
    const res = await admin.action(v.id as string, { 'os-migrate_volume_completion': { new_volume: v.id } });
    expect(res.json()).toEqual({ badRequest: { code: 400, message: 'Invalid volume: Source volume not mid-migration.' } });
  });
});

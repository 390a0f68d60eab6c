// Volumes: create/list/show/update/delete, the view per microversion and caller, isolation, quota.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCinder, type CinderHarness, type CinderUser } from './harness.js';

const ref = (p: string) => JSON.parse(readFileSync(new URL(`../../../fixtures/reference/cinder/volumes/${p}`, import.meta.url), 'utf8'));
const keys = (o: object) => Object.keys(o).sort();

describe('fake Cinder volumes', () => {
  let h: CinderHarness;
  let demo: CinderUser;
  let admin: CinderUser;
  beforeAll(async () => {
    // Cinder's default quota_volumes is 10; these tests create more.
    h = await startCinder({ config: { volumeQuota: 100 } });
    demo = await h.as('demo');
    admin = await h.as('admin');
  });
  afterAll(() => h.close());

  it('creates with 202 in "creating" and the manager makes it available', async () => {
    const res = await demo.post('/volumes', {
      volume: { size: 1, consistencygroup_id: null, snapshot_id: null, name: 'vol1', description: null, volume_type: null, availability_zone: null, metadata: {}, imageRef: null, source_volid: null, backup_id: null },
    });
    expect(res.statusCode).toBe(202);
    const v = res.json().volume;
    expect(v).toMatchObject({ status: 'creating', name: 'vol1', size: 1, volume_type: 'lvmdriver-1', metadata: {}, attachments: [], bootable: 'false', updated_at: null });
    expect(Object.keys(v).some((k) => k.startsWith('os-vol'))).toBe(false);
    expect(h.backend.volume(v.id)?.status).toBe('creating');
    await h.idle();
    const shown = await demo.volume(v.id);
    expect(shown.status).toBe('available');
    expect(shown.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/);
    expect(h.backend.volume(v.id)?.host).toBe('novasim@lvmdriver-1#lvmdriver-1');
  });

  it('matches the golden key sets per microversion for an admin (create/show/update/detail)', async () => {
    for (const [dir, version] of [['.', '3.0'], ['v3.13', '3.13'], ['v3.21', '3.21'], ['v3.48', '3.48'], ['v3.61', '3.61'], ['v3.63', '3.63'], ['v3.65', '3.65'], ['v3.69', '3.69']]) {
      const created = await admin.post('/volumes', { volume: { size: 1 } }, { version });
      expect(keys(created.json().volume), `create ${version}`).toEqual(keys(ref(`${dir}/volume-create-response.json`).volume));
      const id = created.json().volume.id;
      await h.idle();
      const shown = await admin.get(`/volumes/${id}`, { version });
      expect(keys(shown.json().volume), `show ${version}`).toEqual(keys(ref(`${dir}/volume-show-response.json`).volume));
      const updated = await admin.put(`/volumes/${id}`, { volume: { name: 'x' } }, { version });
      expect(keys(updated.json().volume), `update ${version}`).toEqual(keys(ref(`${dir}/volume-update-response.json`).volume));
      const detail = await admin.get('/volumes/detail', { version });
      expect(keys(detail.json().volumes[0]), `detail ${version}`).toEqual(keys(ref(`${dir}/volumes-list-detailed-response.json`).volumes[0]));
    }
  });

  it('hides admin-only keys from members and shows the tenant attribute to readers', async () => {
    const v = await demo.createVolume({ name: 'mine' }, { version: '3.65' });
    expect(v).not.toHaveProperty('migration_status');
    expect(v).not.toHaveProperty('os-vol-host-attr:host');
    expect(v).not.toHaveProperty('os-vol-mig-status-attr:migstat');
    expect(v).not.toHaveProperty('provider_id');
    expect(v).not.toHaveProperty('cluster_name');
    expect(v['os-vol-tenant-attr:tenant_id']).toBe(demo.projectId);
    expect(v).toMatchObject({ shared_targets: false, volume_type: 'lvmdriver-1', consumes_quota: true });
    expect(typeof v.service_uuid).toBe('string');
  });

  it('lists summaries and details, newest first, with limit/marker and a next link', async () => {
    const a = await demo.createVolume({ name: 'page-a' });
    const b = await demo.createVolume({ name: 'page-b' });
    const list = await demo.get('/volumes?limit=1');
    expect(list.statusCode).toBe(200);
    expect(list.json().volumes).toEqual([{ id: b.id, name: 'page-b', links: expect.any(Array) }]);
    expect(list.json().volumes_links[0].rel).toBe('next');
    expect(list.json().volumes_links[0].href).toBe(`http://localhost:80/volume/v3/${demo.projectId}/volumes?limit=1&marker=${b.id}`);
    const next = await demo.get(`/volumes/detail?limit=1&marker=${b.id}`);
    expect(next.json().volumes[0].id).toBe(a.id);
    const bad = await demo.get('/volumes?limit=x');
    expect(bad.json()).toEqual({ badRequest: { code: 400, message: 'limit param must be an integer' } });
    const neg = await demo.get('/volumes?limit=-1');
    expect(neg.json().badRequest.message).toBe('limit param must be positive');
  });

  it('filters by name and status; with_count from 3.45', async () => {
    await demo.createVolume({ name: 'findme' });
    const byName = await demo.get('/volumes/detail?name=findme');
    expect(byName.json().volumes.map((v: { name: string }) => v.name)).toEqual(['findme']);
    const byStatus = await demo.get('/volumes?status=error');
    expect(byStatus.json().volumes).toEqual([]);
    const counted = await demo.get('/volumes?name=findme&with_count=true', { version: '3.45' });
    expect(counted.json().count).toBe(1);
    const old = await demo.get('/volumes?name=findme&with_count=true', { version: '3.44' });
    expect(old.json()).not.toHaveProperty('count');
  });

  it('keeps projects apart: demo cannot see admin volumes (404), admin sees all with all_tenants', async () => {
    const adminVol = await admin.createVolume({ name: 'admins' });
    const res = await demo.get(`/volumes/${adminVol.id}`);
    expect(res.statusCode).toBe(404);
    expect(res.json().itemNotFound.message).toBe(`Volume ${adminVol.id} could not be found.`);
    const demoList = await demo.get('/volumes/detail?all_tenants=1');
    expect(demoList.json().volumes.some((v: { id: string }) => v.id === adminVol.id)).toBe(false);
    const mine = await demo.createVolume({ name: 'demos' });
    const adminOwn = await admin.get('/volumes');
    expect(adminOwn.json().volumes.some((v: { id: string }) => v.id === mine.id)).toBe(false);
    const adminAll = await admin.get('/volumes/detail?all_tenants=True');
    expect(adminAll.json().volumes.some((v: { id: string }) => v.id === mine.id)).toBe(true);
    const adminShow = await admin.get(`/volumes/${mine.id}`);
    expect(adminShow.statusCode).toBe(200);
    expect(adminShow.json().volume.links[0].href).toContain(`/volume/v3/${admin.projectId}/volumes/${mine.id}`);
  });

  it('validates bodies with Cinder’s jsonschema texts', async () => {
    const zero = await demo.post('/volumes', { volume: { size: 0 } });
    expect(zero.json()).toEqual({ badRequest: { code: 400, message: 'Invalid input for field/attribute size. Value: 0. 0 is less than the minimum of 1' } });
    const word = await demo.post('/volumes', { volume: { size: 'abc' } });
    expect(word.json().badRequest.message).toBe("Invalid input for field/attribute size. Value: abc. 'abc' does not match '^[0-9]+$'");
    const extra = await demo.post('/volumes', { volume: { size: 1 }, x: 1 });
    expect(extra.json().badRequest.message).toBe("Additional properties are not allowed ('x' was unexpected)");
    const noVol = await demo.post('/volumes', {});
    expect(noVol.json().badRequest.message).toBe("'volume' is a required property");
    const unknownKey = await demo.post('/volumes', { volume: { size: 1, colour: 'red' } }, { version: '3.53' });
    expect(unknownKey.json().badRequest.message).toBe("Invalid input for field/attribute volume. Value: {'size': 1, 'colour': 'red'}. Additional properties are not allowed ('colour' was unexpected)");
    const okOld = await demo.post('/volumes', { volume: { size: '1', colour: 'red' } }, { version: '3.52' });
    expect(okOld.statusCode).toBe(202);
    await h.idle();
    const noSize = await demo.post('/volumes', { volume: { name: 'x' } });
    expect(noSize.json().badRequest.message).toBe("Invalid input received: Volume size 'None' must be an integer and greater than 0");
  });

  it('refuses unknown types (404), the multiattach flag and unknown zones (400)', async () => {
    const t = await demo.post('/volumes', { volume: { size: 1, volume_type: 'gold' } });
    expect(t.json()).toEqual({ itemNotFound: { code: 404, message: 'Volume type with name gold could not be found.' } });
    const m = await demo.post('/volumes', { volume: { size: 1, multiattach: true } });
    expect(m.statusCode).toBe(400);
    expect(m.json().badRequest.message).toMatch(/^multiattach parameter has been removed\. The default behavior is to use multiattach enabled volume types\./);
    const az = await demo.post('/volumes', { volume: { size: 1, availability_zone: 'mars' } });
    expect(az.json().badRequest.message).toBe("Availability zone 'mars' is invalid.");
    const mt = await demo.createVolume({ volume_type: 'multiattach' });
    expect(mt.multiattach).toBe(true);
  });

  it('enforces the gigabytes quota with 413 overLimit and Retry-After', async () => {
    const res = await demo.post('/volumes', { volume: { size: 5000 } });
    expect(res.statusCode).toBe(413);
    expect(res.headers['retry-after']).toBe('0');
    expect(res.json().overLimit).toMatchObject({ code: 413, retryAfter: '0' });
    expect(res.json().overLimit.message).toMatch(/^VolumeSizeExceedsAvailableQuota: Requested volume or snapshot exceeds allowed gigabytes quota\. Requested 5000G, quota is 1000G and \d+G has been consumed\.$/);
  });

  it('updates name, description and metadata (and refuses unknown keys)', async () => {
    const v = await demo.createVolume({ name: 'before' });
    const res = await demo.put(`/volumes/${v.id}`, { volume: { name: ' after ', description: 'd', metadata: { k: 'v' } } });
    expect(res.statusCode).toBe(200);
    expect(res.json().volume).toMatchObject({ name: 'after', description: 'd', metadata: { k: 'v' } });
    const bad = await demo.put(`/volumes/${v.id}`, { volume: { size: 3 } });
    expect(bad.json().badRequest.message).toBe("Invalid input for field/attribute volume. Value: {'size': 3}. Additional properties are not allowed ('size' was unexpected)");
    const none = await demo.put(`/volumes/${v.id}`, { volume: {} }, { version: '3.53' });
    expect(none.json().badRequest.message).toBe('Invalid input for field/attribute volume. Value: {}. {} is not valid under any of the given schemas');
  });

  it('deletes an available volume (202, then 404) and refuses an attached one with Cinder’s text', async () => {
    const v = await demo.createVolume();
    const del = await demo.delete(`/volumes/${v.id}`);
    expect(del.statusCode).toBe(202);
    expect(del.body).toBe('');
    expect(h.backend.volume(v.id as string)?.status).toBe('deleting');
    await h.idle();
    expect((await demo.get(`/volumes/${v.id}`)).statusCode).toBe(404);

    const used = await demo.createVolume();
    const att = await demo.post('/attachments', { attachment: { volume_uuid: used.id, instance_uuid: '6e3b5c5c-8d4e-4b0e-9c8f-2f0a2d5c7a11', connector: null } }, { version: '3.44' });
    await demo.put(`/attachments/${att.json().attachment.id}`, { attachment: { connector: { host: 'compute', initiator: 'iqn.x', ip: '10.0.0.1' } } }, { version: '3.44' });
    await demo.post(`/attachments/${att.json().attachment.id}/action`, { 'os-complete': null }, { version: '3.44' });
    const refused = await demo.delete(`/volumes/${used.id}`);
    expect(refused.statusCode).toBe(400);
    expect(refused.json().badRequest.message).toBe(
      'Invalid volume: Volume status must be available or error or error_restoring or error_extending or error_managing and must not be migrating, attached, belong to a group, have snapshots, awaiting a transfer, or be disassociated from snapshots after volume transfer.',
    );
  });

  it('destroys a never-scheduled volume at once', async () => {
    const res = await demo.post('/volumes', { volume: { size: 1 } });
    const id = res.json().volume.id;
    expect((await demo.delete(`/volumes/${id}`)).statusCode).toBe(202);
    expect(h.backend.volume(id)).toBeUndefined();
    await h.idle();
    expect(h.backend.volume(id)).toBeUndefined();
  });

  it('reads volume types: list, show by id, default; a name is a 404', async () => {
    const list = await demo.get('/types');
    const names = list.json().volume_types.map((t: { name: string }) => t.name);
    expect(names).toEqual(expect.arrayContaining(['lvmdriver-1', 'lvmdriver-2', '__DEFAULT__']));
    const one = list.json().volume_types.find((t: { name: string }) => t.name === 'lvmdriver-1');
    // Readers see only user-visible extra specs; no qos_specs_id.
    expect(one).toEqual({ id: one.id, name: 'lvmdriver-1', is_public: true, description: null, extra_specs: {}, 'os-volume-type-access:is_public': true });
    const adminView = (await admin.get(`/types/${one.id}`)).json().volume_type;
    expect(adminView).toMatchObject({ extra_specs: { volume_backend_name: 'lvmdriver-1' }, qos_specs_id: null });
    expect((await demo.get('/types/default')).json().volume_type.name).toBe('lvmdriver-1');
    const byName = await demo.get('/types/lvmdriver-1');
    expect(byName.json()).toEqual({ itemNotFound: { code: 404, message: 'Volume type lvmdriver-1 could not be found.' } });
  });
});

describe('fake Cinder volumes: quota_volumes', () => {
  it('refuses the eleventh volume of a project with VolumeLimitExceeded', async () => {
    const h = await startCinder();
    try {
      const demo = await h.as('demo');
      for (let i = 0; i < 10; i++) expect((await demo.post('/volumes', { volume: { size: 1 } })).statusCode).toBe(202);
      const res = await demo.post('/volumes', { volume: { size: 1 } });
      expect(res.statusCode).toBe(413);
      expect(res.json()).toEqual({ overLimit: { code: 413, message: "VolumeLimitExceeded: Maximum number of volumes allowed (10) exceeded for quota 'volumes'.", retryAfter: '0' } });
    } finally {
      await h.close();
    }
  });
});

describe('fake Cinder volumes: async faults', () => {
  it('a volume_create_task fault ends in error; volume_delete_task in error_deleting', async () => {
    const h = await startCinder();
    try {
      const demo = await h.as('demo');
      h.faults.add({ service: 'cinder', operation: 'volumes.create', error: { status: 500, message: 'backend full' } });
      const v = await demo.createVolume();
      expect(v.status).toBe('error');
      h.faults.add({ service: 'cinder', operation: 'volume_delete_task', error: { status: 500, message: 'lvremove failed' } });
      const w = await demo.createVolume();
      await demo.delete(`/volumes/${w.id}`);
      await h.idle();
      expect((await demo.volume(w.id as string)).status).toBe('error_deleting');
    } finally {
      await h.close();
    }
  });
});

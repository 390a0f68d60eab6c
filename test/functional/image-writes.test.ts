// Glance writes over HTTP: create, upload/download, JSON-patch, tags, members, visibility, delete — and the
// compute side booting an image uploaded this way.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Simulator } from '../../src/index.js';
import { client, type Client, startSim } from '../helpers/sim.js';

const PATCH = { 'content-type': 'application/openstack-images-v2.1-json-patch' };

describe('Glance writes', () => {
  let sim: Simulator;
  let admin: Client;
  let demo: Client;
  beforeAll(async () => {
    sim = await startSim();
  });
  beforeEach(async () => {
    await sim.reset();
    admin = await client(sim, 'admin', null);
    demo = await client(sim, 'demo', null);
  });
  afterAll(() => sim.close());

  const create = async (c: Client, body: Record<string, unknown> = {}) => {
    const res = await c.req('POST', '/image/v2/images', { name: 'img', disk_format: 'qcow2', container_format: 'bare', ...body });
    expect(res.statusCode, res.body).toBe(201);
    return res.json();
  };
  const upload = (c: Client, id: string, data: Buffer) => c.req('PUT', `/image/v2/images/${id}/file`, data, { 'content-type': 'application/octet-stream' });

  it('creates a queued image, uploads data (queued → active, md5 + sha512), downloads it, and Nova boots it', async () => {
    const img = await create(demo, { name: 'mine', min_ram: 0, hw_disk_bus: 'virtio', tags: ['x', 'x'] });
    expect(img).toMatchObject({
      name: 'mine', status: 'queued', visibility: 'shared', owner: demo.projectId, size: null, checksum: null, os_hash_algo: null, os_hash_value: null,
      disk_format: 'qcow2', container_format: 'bare', protected: false, os_hidden: false, tags: ['x'], hw_disk_bus: 'virtio',
      self: `/v2/images/${img.id}`, file: `/v2/images/${img.id}/file`, schema: '/v2/schemas/image',
    });
    expect((await demo.req('GET', `/image/v2/images/${img.id}/file`)).statusCode).toBe(204);
    // Nova refuses an image that has no data yet.
    const early = await demo.req('POST', '/compute/v2.1/servers', { server: { name: 'vm', imageRef: img.id, flavorRef: '1', networks: 'none' } }, { 'openstack-api-version': 'compute 2.37' });
    expect(early.statusCode).toBe(400);
    expect(early.json().badRequest.message).toBe(`Image ${img.id} is not active.`);

    const data = Buffer.from('QFI\xfb fake qcow2 image bytes '.repeat(100), 'latin1');
    expect((await upload(demo, img.id, data)).statusCode).toBe(204);
    const shown = (await demo.req('GET', `/image/v2/images/${img.id}`)).json();
    expect(shown).toMatchObject({
      status: 'active', size: data.length, checksum: createHash('md5').update(data).digest('hex'), os_hash_algo: 'sha512',
      os_hash_value: createHash('sha512').update(data).digest('hex'),
    });
    const again = await upload(demo, img.id, data);
    expect(again.statusCode).toBe(409);
    expect(again.body).toBe('409 Conflict\n\nImage status transition from active to saving is not allowed\n\n   ');

    const dl = await demo.req('GET', `/image/v2/images/${img.id}/file`);
    expect(dl.statusCode).toBe(200);
    expect(dl.headers['content-type']).toBe('application/octet-stream');
    expect(dl.headers['content-md5']).toBe(shown.checksum);
    expect(dl.rawPayload.equals(data)).toBe(true);

    const boot = await demo.req('POST', '/compute/v2.1/servers', { server: { name: 'vm', imageRef: img.id, flavorRef: '1', networks: 'none' } }, { 'openstack-api-version': 'compute 2.37' });
    expect(boot.statusCode).toBe(202);
    await sim.idle();
    const server = (await demo.req('GET', `/compute/v2.1/servers/${boot.json().server.id}`)).json().server;
    expect(server.status).toBe('ACTIVE');
    expect(server.image.id).toBe(img.id);
  });

  it('updates with JSON patch (add/replace/remove), tags, and refuses read-only or missing properties', async () => {
    const img = await create(demo);
    const patch = (ops: unknown, headers: Record<string, string> = PATCH) => demo.req('PATCH', `/image/v2/images/${img.id}`, JSON.stringify(ops), headers);
    const ok = await patch([
      { op: 'replace', path: '/name', value: 'renamed' },
      { op: 'add', path: '/os_distro', value: 'cirros' },
      { op: 'add', path: '/min_disk', value: 2 },
    ]);
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ name: 'renamed', os_distro: 'cirros', min_disk: 2 });
    expect((await patch([{ op: 'remove', path: '/os_distro' }])).json()).not.toHaveProperty('os_distro');
    const cases: [unknown, number, string][] = [
      [[{ op: 'remove', path: '/os_distro' }], 409, 'Property os_distro does not exist.'],
      [[{ op: 'replace', path: '/nope', value: 'x' }], 409, 'Property nope does not exist.'],
      [[{ op: 'replace', path: '/status', value: 'active' }], 403, "Attribute 'status' is read-only."],
      [[{ op: 'remove', path: '/name' }], 403, 'Property name may not be removed.'],
      [[{ op: 'add', path: '/deleted', value: 'x' }], 403, "Attribute 'deleted' is reserved."],
      [[{ op: 'move', path: '/name', value: 'x' }], 400, 'Invalid operation: `move`. It must be one of the following: add, remove, replace.'],
      [[{ op: 'add', path: 'name', value: 'x' }], 400, 'Pointer `name` does not start with "/".'],
      [[{ op: 'add', path: '/name' }], 400, 'Operation "add" requires a member named "value".'],
      [[{ op: 'add', path: '/min_ram', value: -1 }], 400, "Invalid value '-1' for parameter 'min_ram': Cannot be a negative value"],
      [[{ op: 'add', path: '/visibility', value: 'public' }], 403, 'You are not authorized to complete publicize_image action.'],
      [[{ op: 'add', path: '/x', value: 1 }], 400, "Provided object does not match schema 'image': 1 is not of type 'string'"],
      [{ op: 'add' }, 400, 'Request body must be a JSON array of operation objects.'],
    ];
    for (const [ops, status, text] of cases) {
      const res = await patch(ops);
      expect(res.statusCode, JSON.stringify(ops)).toBe(status);
      expect(res.headers['content-type']).toBe('text/plain; charset=UTF-8');
      expect(res.body).toContain(`\n\n${text}\n\n`);
    }
    const wrongType = await patch([{ op: 'add', path: '/a', value: 'b' }], { 'content-type': 'application/json' });
    expect(wrongType.statusCode).toBe(415);
    expect(wrongType.headers['accept-patch']).toBe('application/openstack-images-v2.0-json-patch, application/openstack-images-v2.1-json-patch');

    expect((await demo.req('PUT', `/image/v2/images/${img.id}/tags/blue`)).statusCode).toBe(204);
    expect((await demo.req('GET', `/image/v2/images/${img.id}`)).json().tags).toEqual(['blue']);
    expect((await demo.req('GET', '/image/v2/images?tag=blue')).json().images.map((i: { id: string }) => i.id)).toEqual([img.id]);
    expect((await demo.req('DELETE', `/image/v2/images/${img.id}/tags/blue`)).statusCode).toBe(204);
    expect((await demo.req('DELETE', `/image/v2/images/${img.id}/tags/blue`)).statusCode).toBe(404);
  });

  it('keeps private images to their project, shares through members, and protects protected images from delete', async () => {
    const priv = await create(admin, { visibility: 'private', name: 'secret' });
    expect((await demo.req('GET', `/image/v2/images/${priv.id}`)).statusCode).toBe(404);
    expect((await demo.req('GET', '/image/v2/images')).json().images.map((i: { name: string }) => i.name)).not.toContain('secret');
    const refusedPublic = await demo.req('POST', '/image/v2/images', { name: 'pub', visibility: 'public' });
    expect(refusedPublic.statusCode).toBe(403);
    expect(refusedPublic.body).toBe('403 Forbidden\n\nYou are not authorized to complete publicize_image action.\n\n   ');

    const notShared = await admin.req('POST', `/image/v2/images/${priv.id}/members`, { member: demo.projectId });
    expect(notShared.statusCode).toBe(403);
    expect(notShared.body).toContain('Only shared images have members.');

    const shared = await create(admin, { name: 'shared-one' });
    const m = await admin.req('POST', `/image/v2/images/${shared.id}/members`, { member: demo.projectId });
    expect(m.statusCode).toBe(200);
    expect(m.json()).toMatchObject({ image_id: shared.id, member_id: demo.projectId, status: 'pending', schema: '/v2/schemas/member' });
    expect((await admin.req('POST', `/image/v2/images/${shared.id}/members`, { member: demo.projectId })).statusCode).toBe(409);
    // Visible to the member at once, listed only once accepted.
    expect((await demo.req('GET', `/image/v2/images/${shared.id}`)).statusCode).toBe(200);
    expect((await demo.req('GET', '/image/v2/images')).json().images.map((i: { id: string }) => i.id)).not.toContain(shared.id);
    expect((await demo.req('GET', '/image/v2/images?member_status=pending')).json().images.map((i: { id: string }) => i.id)).toContain(shared.id);
    expect((await admin.req('PUT', `/image/v2/images/${shared.id}/members/${demo.projectId}`, { status: 'accepted' })).statusCode).toBe(200);
    const byOwnerOnly = await demo.req('DELETE', `/image/v2/images/${shared.id}/members/${demo.projectId}`);
    expect(byOwnerOnly.statusCode).toBe(403);
    const bad = await demo.req('PUT', `/image/v2/images/${shared.id}/members/${demo.projectId}`, { status: 'maybe' });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('Incorrect request: Status must be "pending", "accepted" or "rejected".');
    expect((await demo.req('GET', '/image/v2/images')).json().images.map((i: { id: string }) => i.id)).toContain(shared.id);
    expect((await demo.req('GET', `/image/v2/images/${shared.id}/members`)).json().members).toHaveLength(1);
    // Nova finds what Glance shows the member: a shared image it belongs to, not another project's private one.
    const boot = (imageRef: string) => demo.req('POST', '/compute/v2.1/servers', { server: { name: 'vm', imageRef, flavorRef: '1', networks: 'none' } }, { 'openstack-api-version': 'compute 2.37' });
    await upload(admin, shared.id, Buffer.from('shared bytes'));
    expect((await boot(shared.id)).statusCode).toBe(202);
    const hidden = await boot(priv.id);
    expect(hidden.statusCode).toBe(400);
    expect(hidden.json().badRequest.message).toBe('Can not find requested image');
    await sim.idle();
    const delByMember = await demo.req('DELETE', `/image/v2/images/${shared.id}`);
    expect(delByMember.statusCode).toBe(403);
    expect(delByMember.body).toContain('You are not authorized to complete delete_image action.');

    await admin.req('PATCH', `/image/v2/images/${shared.id}`, JSON.stringify([{ op: 'replace', path: '/protected', value: true }]), PATCH);
    const prot = await admin.req('DELETE', `/image/v2/images/${shared.id}`);
    expect(prot.statusCode).toBe(403);
    expect(prot.body).toContain(`Image ${shared.id} is protected and cannot be deleted.`);
    await admin.req('PATCH', `/image/v2/images/${shared.id}`, JSON.stringify([{ op: 'replace', path: '/protected', value: false }]), PATCH);
    expect((await admin.req('DELETE', `/image/v2/images/${shared.id}`)).statusCode).toBe(204);
    const gone = await admin.req('GET', `/image/v2/images/${shared.id}`);
    expect(gone.statusCode).toBe(404);
    expect((await admin.req('DELETE', `/image/v2/images/${shared.id}`)).body).toContain(`Failed to find image ${shared.id} to delete`);
  });

  it('answers bad create bodies in Glance plain text, never a 5xx', async () => {
    const cases: [unknown, number, string][] = [
      [{ name: 'x', disk_format: 'floppy' }, 400, "Provided object does not match schema 'image': 'floppy' is not one of [None, 'ami', 'ari', 'aki', 'vhd', 'vhdx', 'vmdk', 'raw', 'qcow2', 'vdi', 'iso', 'ploop']"],
      [{ name: 'x', status: 'active' }, 403, "Attribute 'status' is read-only."],
      [{ name: 'x', self: '/x' }, 403, "Attribute 'self' is read-only."],
      [{ name: 'x', location: 'http://x' }, 403, "Attribute 'location' is reserved."],
      [{ name: 'x', id: 'not-a-uuid' }, 400, "Provided object does not match schema 'image': 'not-a-uuid' does not match"],
      [{ name: 'x', min_disk: 'big' }, 400, "Provided object does not match schema 'image': 'big' is not of type 'integer'"],
      [{ name: 'x', prop: 5 }, 400, "Provided object does not match schema 'image': 5 is not of type 'string'"],
      [[1], 400, "Provided object does not match schema 'image': [1] is not of type 'object'"],
    ];
    for (const [body, status, text] of cases) {
      const res = await demo.req('POST', '/image/v2/images', body);
      expect(res.statusCode, JSON.stringify(body)).toBe(status);
      expect(res.body).toContain(text);
    }
    const img = await create(demo, { disk_format: null, container_format: null });
    const noFormat = await upload(demo, img.id, Buffer.from('abc'));
    expect(noFormat.statusCode).toBe(400);
    expect(noFormat.body).toContain('Properties disk_format, container_format must be set prior to saving data.');
    const fixed = await create(demo, { id: '7f2a3c1e-0b4d-4e5f-8a9b-0c1d2e3f4a5b' });
    expect(fixed.id).toBe('7f2a3c1e-0b4d-4e5f-8a9b-0c1d2e3f4a5b');
    const dup = await demo.req('POST', '/image/v2/images', { id: fixed.id });
    expect(dup.statusCode).toBe(409);
    expect(dup.body).toContain(`Image ID ${fixed.id} already exists!`);
    expect((await demo.req('GET', '/image/v2/info/import')).json()['import-methods'].value).toEqual([]);
    expect((await demo.req('GET', '/image/v2/info/stores')).body).toContain('Multi backend is not supported at this site.');
  });
});

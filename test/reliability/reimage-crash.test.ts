// Issue 17: a volume-backed rebuild with a new image (compute 2.93) killed while Cinder re-images the root
// volume (os-reimage held in the volume manager, nova-compute waiting for volume-reimaged). After a restart:
// - cinder-volume's clean-up turns the `downloading` volume to `error` (volume/manager.py _do_cleanup:
//   "For Volume creating and downloading ... we have to set status to error"), its workers row gone;
// - nova-compute's _init_instance finds the server REBUILDING ("failed to rebuild correctly") → ERROR, the
//   recorded task is gone, and the root BDM points at the attachment Cinder has (the only one of the volume).
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { type Child, IMAGE_ID, http, loginHttp, removeDb, report, startChild, tempDbPath, until } from '../helpers/reliability.js';

const env = { NOVASIM_VOLUME_CREATE_DELAY_MS: '0', NOVASIM_BUILD_DELAY_MS: '0' };
const children: Child[] = [];
const dbs: string[] = [];

afterAll(async () => {
  for (const c of children) await c.kill('SIGKILL');
  for (const d of dbs) removeDb(d);
});

describe('volume-backed rebuild crash safety (SIGKILL during os-reimage, master)', () => {
  it('restart: volume error, server ERROR, one attachment behind the root BDM, no task or worker left', async () => {
    const db = tempDbPath('reimage-crash');
    dbs.push(db);
    const first = await startChild(['--db', db, '--profile', 'master'], env);
    children.push(first);
    let base = first.url;
    const admin = await loginHttp(base, 'admin');
    const demo = await loginHttp(base, 'demo');
    // A second image, uploaded as an operator would.
    const img = await http(base, 'POST', '/image/v2/images', { token: admin.token, body: { name: 'other', disk_format: 'raw', container_format: 'bare', visibility: 'public' } });
    expect(img.status, img.text).toBe(201);
    const imageId = img.json().id as string;
    const up = await http(base, 'PUT', `/image/v2/images/${imageId}/file`, { token: admin.token, body: 'data', headers: { 'content-type': 'application/octet-stream' } });
    expect(up.status, up.text).toBe(204);
    const created = await http(base, 'POST', '/compute/v2.1/servers', {
      token: demo.token,
      body: { server: { name: 'vb', flavorRef: '1', networks: 'none', imageRef: '', block_device_mapping_v2: [{ boot_index: 0, uuid: IMAGE_ID, source_type: 'image', destination_type: 'volume', volume_size: 1 }] } },
    });
    expect(created.status, created.text).toBe(202);
    const id = created.json().server.id as string;
    const show = async () => (await http(base, 'GET', `/compute/v2.1/servers/${id}`, { token: admin.token })).json().server;
    await until('vb ACTIVE', async () => (await show()).status === 'ACTIVE');
    const vol = (await show())['os-extended-volumes:volumes_attached'][0].id as string;

    const f = await http(base, 'POST', '/_novasim/faults', { body: { service: 'cinder', operation: 'volume_reimage_task', error: { delay_ms: 60_000 }, times: 1 } });
    expect(f.status, f.text).toBe(201);
    const rebuilt = await http(base, 'POST', `/compute/v2.1/servers/${id}/action`, { token: demo.token, body: { rebuild: { imageRef: imageId } }, headers: { 'openstack-api-version': 'compute 2.93' } });
    expect(rebuilt.status, rebuilt.text).toBe(202);
    await until('the re-image is held in the volume manager', async () => {
      const v = (await http(base, 'GET', `/volume/v3/${admin.projectId}/volumes/${vol}`, { token: admin.token })).json().volume;
      return v.status === 'downloading';
    }, 15_000, 10);
    await first.kill('SIGKILL');

    const second = await startChild(['--db', db, '--profile', 'master'], env);
    children.push(second);
    base = second.url;
    report(`reimage crash: restart printed ${JSON.stringify(second.stdout().split('\n').filter((l) => /recovered|cleaned/.test(l)))}`);
    expect(second.stdout()).toMatch(/novasim cinder cleaned up 1 interrupted create\(s\) \(now error\)/);
    expect(second.stdout()).toMatch(/novasim recovered 0 completed, 1 rolled back operation\(s\)/);
    const v = (await http(base, 'GET', `/volume/v3/${admin.projectId}/volumes/${vol}`, { token: admin.token })).json().volume;
    expect(v.status).toBe('error');
    // The volume keeps the image it had: the re-image never finished.
    expect(v.volume_image_metadata.image_id).toBe(IMAGE_ID);
    const srv = (await http(base, 'GET', `/compute/v2.1/servers/${id}`, { token: admin.token })).json().server;
    expect([srv.status, srv['OS-EXT-STS:task_state']]).toEqual(['ERROR', null]);
    const bdms = (await http(base, 'GET', `/compute/v2.1/servers/${id}/os-volume_attachments`, { token: admin.token, headers: { 'openstack-api-version': 'compute 2.89' } })).json().volumeAttachments as { volumeId: string; attachment_id: string }[];
    const atts = ((await http(base, 'GET', `/volume/v3/${admin.projectId}/attachments/detail?all_tenants=1`, { token: admin.token, headers: { 'openstack-api-version': 'volume 3.44' } })).json().attachments as { id: string; volume_id: string }[])
      .filter((a) => a.volume_id === vol);
    expect(bdms.map((b) => b.volumeId)).toEqual([vol]);
    expect(atts.map((a) => a.id)).toEqual([bdms[0].attachment_id]);
    await second.kill('SIGTERM');
    const file = new Database(db, { readonly: true });
    try {
      expect((file.prepare('SELECT COUNT(*) AS n FROM cinder_workers').get() as { n: number }).n).toBe(0);
      expect((file.prepare('SELECT COUNT(*) AS n FROM compute_tasks').get() as { n: number }).n).toBe(0);
    } finally {
      file.close();
    }
  });
});

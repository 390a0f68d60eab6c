// Fake-Cinder helpers for compute tests: create volumes over the real Volume API.
import type { Simulator } from '../../src/index.js';
import type { Client } from './sim.js';

export async function createVolume(sim: Simulator, c: Client, size = 1, name = 'vol', extra: Record<string, unknown> = {}): Promise<string> {
  const res = await sim.app.inject({
    method: 'POST',
    url: `/volume/v3/${c.projectId}/volumes`,
    headers: { 'x-auth-token': c.token },
    payload: { volume: { size, name, ...extra } },
  });
  if (res.statusCode !== 202) throw new Error(`volume create failed: ${res.statusCode} ${res.body}`);
  const id = res.json().volume.id as string;
  await sim.idle();
  return id;
}

export async function getVolume(sim: Simulator, c: Client, id: string, version = '3.0') {
  const res = await sim.app.inject({
    url: `/volume/v3/${c.projectId}/volumes/${id}`,
    headers: { 'x-auth-token': c.token, 'openstack-api-version': `volume ${version}` },
  });
  return { status: res.statusCode, volume: res.statusCode === 200 ? res.json().volume : null, body: res.body };
}

export async function volumeAction(sim: Simulator, c: Client, id: string, body: unknown, version = '3.0') {
  return sim.app.inject({
    method: 'POST',
    url: `/volume/v3/${c.projectId}/volumes/${id}/action`,
    headers: { 'x-auth-token': c.token, 'openstack-api-version': `volume ${version}` },
    payload: body as Record<string, unknown>,
  });
}

/** Attach through Nova and wait for the compute flow to finish. */
export async function attach(sim: Simulator, c: Client, serverId: string, volumeId: string, extra: Record<string, unknown> = {}) {
  const res = await c.req('POST', `/compute/v2.1/servers/${serverId}/os-volume_attachments`, { volumeAttachment: { volumeId, ...extra } });
  if (res.statusCode !== 200 && res.statusCode !== 202) throw new Error(`attach failed: ${res.statusCode} ${res.body}`);
  await sim.idle();
  return res;
}

// Nova's notification-sample environment (nova/tests/functional/notification_sample_tests):
// project 6f70656e…, user "fake", flavor test_flavor, key my-key, port_1 on 192.168.1.3, node
// fake-mini, devices /dev/sd*, frozen time 2012-10-29T13:42:11Z, fixed request id. With it, the
// swap notifications match Nova's golden samples with only the replacements Nova's own test uses
// (uuid, reservation_id) plus our volume ids — which is what test_volume_swap_server asserts.
import { fileURLToPath } from 'node:url';
import type { ConfigInput } from '../../src/index.js';
import { matchesNotificationSample } from '../../src/testing/index.js';
import { type Requester, expectStatus, json } from './client.js';

export const SAMPLE_SEED = fileURLToPath(new URL('../sample-seed.json', import.meta.url));
export const IMAGE = '155d900f-4e14-4e4c-a73d-069cbf4541e6';
export const FLAVOR = 'a22d5517-147c-4147-a0d1-e698df5cd4e3';
export const PORT_1 = 'ce531f90-199f-48c0-816c-13e38010b442';
export const COMPUTE_292 = { 'openstack-api-version': 'compute 2.92' };

/** Options making the simulator look like Nova's functional-test environment. */
export const SAMPLE_CONFIG: ConfigInput = {
  profile: 'zed',
  logLevel: 'silent',
  seed: SAMPLE_SEED,
  deterministic: true,
  frozenTime: '2012-10-29T13:42:11Z',
  fixedRequestId: 'req-5b6c791d-5709-4f36-8fbe-c3e02869e35d',
  node: 'fake-mini',
  computeHost: 'compute',
  diskPrefix: 'sd',
  buildDelayMs: 0,
  volumeCreateDelayMs: 0,
  volumeDeleteDelayMs: 0,
  volumeQuota: -1,
  gigabytesQuota: -1,
};

export interface Session {
  token: string;
  projectId: string;
  headers: Record<string, string>;
}

export async function login(r: Requester, user = 'fake', project = 'openstack'): Promise<Session> {
  const res = expectStatus(
    await r('POST', '/identity/v3/auth/tokens', {
      auth: {
        identity: { methods: ['password'], password: { user: { name: user, password: 'secret', domain: { name: 'Default' } } } },
        scope: { project: { name: project, domain: { name: 'Default' } } },
      },
    }),
    201,
    `login ${user}`,
  );
  const token = res.headers['x-subject-token'] as string;
  return { token, projectId: json(res).token.project.id, headers: { 'x-auth-token': token, ...COMPUTE_292 } };
}

export interface BootOptions {
  name?: string;
  flavorRef?: string;
  keyName?: string | null;
  port?: string | null;
}

/** POST /servers; returns the id and reservation id (the caller waits for ACTIVE its own way). */
export async function boot(r: Requester, s: Session, o: BootOptions = {}): Promise<{ id: string }> {
  const name = o.name ?? 'some-server';
  const server: Record<string, unknown> = {
    name, description: name, imageRef: IMAGE, flavorRef: o.flavorRef ?? FLAVOR,
    networks: o.port ? [{ port: o.port }] : 'none',
  };
  if (o.keyName) server.key_name = o.keyName;
  const res = expectStatus(await r('POST', '/compute/v2.1/servers', { server }, s.headers), 202, 'boot');
  return { id: json(res).server.id };
}

export async function serverStatus(r: Requester, s: Session, id: string): Promise<{ status: string; reservation_id: string }> {
  const sv = json(expectStatus(await r('GET', `/compute/v2.1/servers/${id}`, undefined, s.headers), 200, 'show server')).server;
  return { status: sv.status, reservation_id: sv['OS-EXT-SRV-ATTR:reservation_id'] };
}

export async function createVolume(r: Requester, s: Session, size = 1): Promise<string> {
  const res = expectStatus(await r('POST', `/volume/v3/${s.projectId}/volumes`, { volume: { size } }, { 'x-auth-token': s.token }), 202, 'volume create');
  return json(res).volume.id;
}

export async function volumeStatus(r: Requester, s: Session, id: string): Promise<string> {
  return json(expectStatus(await r('GET', `/volume/v3/${s.projectId}/volumes/${id}`, undefined, { 'x-auth-token': s.token }), 200, 'volume show')).volume.status;
}

export async function attach(r: Requester, s: Session, serverId: string, volumeId: string): Promise<void> {
  expectStatus(await r('POST', `/compute/v2.1/servers/${serverId}/os-volume_attachments`, { volumeAttachment: { volumeId } }, s.headers), 200, 'attach');
}

export const swapPath = (serverId: string, oldVolumeId: string) => `/compute/v2.1/servers/${serverId}/os-volume_attachments/${oldVolumeId}`;

export async function swap(r: Requester, s: Session, serverId: string, oldVolumeId: string, newVolumeId: string): Promise<void> {
  expectStatus(await r('PUT', swapPath(serverId, oldVolumeId), { volumeAttachment: { volumeId: newVolumeId } }, s.headers), 202, 'swap');
}

/** Poll until `check` is true (for HTTP clients, which have no sim.idle()). */
export async function until(check: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((res) => setTimeout(res, 1));
  }
}

/** The block_devices list the samples hold, with our volume id. */
const blockDevices = (volumeId: string) => [
  {
    'nova_object.data': { boot_index: null, delete_on_termination: false, device_name: '/dev/sdb', tag: null, volume_id: volumeId },
    'nova_object.name': 'BlockDevicePayload',
    'nova_object.namespace': 'nova',
    'nova_object.version': '1.0',
  },
];

/**
 * Nova's test_volume_swap_server assertions: the .start and .end notifications equal the golden
 * samples (zed copies) after replacements. Throws with the diff when they do not.
 */
export function assertSwapSamples(
  start: unknown, end: unknown,
  ids: { uuid: string; reservation_id: string; oldVolumeId: string; newVolumeId: string },
): void {
  const common = { uuid: ids.uuid, reservation_id: ids.reservation_id, old_volume_id: ids.oldVolumeId, new_volume_id: ids.newVolumeId };
  const checks = [
    ['instance-volume_swap-start', start, ids.oldVolumeId],
    ['instance-volume_swap-end', end, ids.newVolumeId],
  ] as const;
  for (const [name, n, bdVolume] of checks) {
    const r = matchesNotificationSample(n, name, { profile: 'zed', replacements: { ...common, block_devices: blockDevices(bdVolume) } });
    if (!r.pass) throw new Error(`${name} does not match the sample:\n${r.diff}`);
  }
}

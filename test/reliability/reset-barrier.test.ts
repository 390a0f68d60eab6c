// Issue 15 item 3: POST /_novasim/reset is a barrier. It stops new requests, drains the API requests
// and tasks already in flight, then empties; a request arriving meanwhile waits and runs against the
// emptied state, or (past resetWaitMs) gets a 503 in its service's envelope. Never a 500, never state
// crossing the reset (before the barrier: attaches in flight answered 500 "FOREIGN KEY constraint
// failed" or 200 for a server the reset had removed, and a volume stayed `reserved`).
import { afterEach, describe, expect, it } from 'vitest';
import type { Simulator } from '../../src/index.js';
import { http, IMAGE_ID, loginHttp, sleep, until } from '../helpers/reliability.js';
import { startSim } from '../helpers/sim.js';

type Who = Awaited<ReturnType<typeof loginHttp>>;

async function bootHttp(base: string, who: Who, name: string): Promise<string> {
  const r = await http(base, 'POST', '/compute/v2.1/servers', { token: who.token, body: { server: { name, imageRef: IMAGE_ID, flavorRef: '1', networks: 'none' } } });
  expect(r.status, r.text).toBe(202);
  const id = r.json().server.id as string;
  await until(`${name} ACTIVE`, async () => (await http(base, 'GET', `/compute/v2.1/servers/${id}`, { token: who.token })).json().server.status === 'ACTIVE');
  return id;
}

async function volumeHttp(base: string, who: Who): Promise<string> {
  const r = await http(base, 'POST', `/volume/v3/${who.projectId}/volumes`, { token: who.token, body: { volume: { size: 1 } } });
  expect(r.status, r.text).toBe(202);
  const id = r.json().volume.id as string;
  await until('volume available', async () => (await http(base, 'GET', `/volume/v3/${who.projectId}/volumes/${id}`, { token: who.token })).json().volume.status === 'available');
  return id;
}

function rowCounts(sim: Simulator) {
  const n = (t: string) => (sim.services.db.prepare(`SELECT COUNT(*) AS n FROM ${t}`).get() as { n: number }).n;
  return { instances: n('instances'), bdms: n('block_device_mappings'), tasks: n('compute_tasks'), volumes: n('volumes'), attachments: n('volume_attachments') };
}

describe('reset barrier', () => {
  let sim: Simulator | undefined;
  afterEach(async () => {
    await sim?.close();
    sim = undefined;
  });

  it('drains attaches in flight (held in Cinder), holds requests arriving meanwhile, then empties: no 5xx, nothing crosses', async () => {
    sim = await startSim({ profile: 'master', volumeCreateDelayMs: 0, volumeDeleteDelayMs: 0 });
    const base = await sim.listen();
    const demo = await loginHttp(base, 'demo');
    const [s1, s2, v1, v2] = await Promise.all([bootHttp(base, demo, 'a'), bootHttp(base, demo, 'b'), volumeHttp(base, demo), volumeHttp(base, demo)]);
    // Hold both attaches inside Cinder's attachment_create (the compute API request is in flight).
    sim.faults.add({ service: 'cinder', operation: 'attachment_create', error: { delay_ms: 200 }, times: 2 });
    const attaches = [[s1, v1], [s2, v2]].map(([s, v]) =>
      http(base, 'POST', `/compute/v2.1/servers/${s}/os-volume_attachments`, { token: demo.token, body: { volumeAttachment: { volumeId: v } } }));
    await sleep(50);
    const reset = http(base, 'POST', '/_novasim/reset');
    await sleep(20);
    // Arrive during the reset: they wait and then see the emptied cloud.
    const during = [
      http(base, 'GET', '/compute/v2.1/servers', { token: demo.token }),
      http(base, 'POST', `/volume/v3/${demo.projectId}/volumes`, { token: demo.token, body: { volume: { size: 1, name: 'after' } } }),
      http(base, 'GET', '/_novasim/faults'),
    ];
    const answers = await Promise.all(attaches);
    expect((await reset).status).toBe(204);
    const [list, created, faults] = await Promise.all(during);
    // Both attaches finished before the reset emptied anything: answered as Nova answers them.
    expect(answers.map((a) => a.status)).toEqual([200, 200]);
    expect(list.status).toBe(200);
    expect(list.json().servers).toEqual([]);
    expect(created.status, created.text).toBe(202);
    expect(faults.json().faults).toEqual([]);
    await sim.idle();
    await sleep(100);
    // Only the volume created after the reset exists; no server, BDM, attachment or task crossed it.
    expect(rowCounts(sim)).toEqual({ instances: 0, bdms: 0, tasks: 0, volumes: 1, attachments: 0 });
    const vol = sim.services.db.prepare('SELECT display_name, status FROM volumes').get() as { display_name: string; status: string };
    expect(vol).toEqual({ display_name: 'after', status: 'available' });
  });

  it('a request that waits longer than resetWaitMs gets a 503 in its service envelope, never a 500', async () => {
    sim = await startSim({ profile: 'zed', volumeCreateDelayMs: 0, resetWaitMs: 50 });
    const base = await sim.listen();
    const demo = await loginHttp(base, 'demo');
    const v = await volumeHttp(base, demo);
    // A slow in-flight Cinder request keeps the reset draining for 400 ms.
    sim.faults.add({ service: 'cinder', operation: 'get_volume', error: { delay_ms: 400 }, times: 1 });
    const slow = http(base, 'GET', `/volume/v3/${demo.projectId}/volumes/${v}`, { token: demo.token });
    await sleep(50);
    const reset = http(base, 'POST', '/_novasim/reset');
    await sleep(20);
    const [compute, volume, identity, control] = await Promise.all([
      http(base, 'GET', '/compute/v2.1/servers', { token: demo.token }),
      http(base, 'GET', `/volume/v3/${demo.projectId}/volumes`, { token: demo.token }),
      http(base, 'GET', '/identity/v3/auth/tokens', { token: demo.token, headers: { 'x-subject-token': demo.token } }),
      http(base, 'GET', '/_novasim/clock'),
    ]);
    expect((await slow).status).toBe(200);
    expect((await reset).status).toBe(204);
    const msg = 'The simulator is resetting; retry the request.';
    expect([compute.status, volume.status, identity.status, control.status]).toEqual([503, 503, 503, 503]);
    expect(compute.json()).toEqual({ serviceUnavailable: { code: 503, message: msg } });
    expect(volume.json()).toEqual({ serviceUnavailable: { code: 503, message: msg } });
    expect(identity.json().error).toMatchObject({ code: 503, message: msg });
    expect(control.json()).toEqual({ error: { code: 503, message: msg } });
    expect(compute.headers.get('retry-after')).toBe('1');
    // Health stays answerable during a reset (it is exempt), and the cloud works right after.
    expect((await http(base, 'GET', '/compute/v2.1/servers', { token: demo.token })).status).toBe(200);
  });

  it('sim.reset() with concurrent callers shares one run; requests during it are not lost', async () => {
    sim = await startSim({ profile: 'master', volumeCreateDelayMs: 0 });
    const base = await sim.listen();
    const demo = await loginHttp(base, 'demo');
    await volumeHttp(base, demo);
    const s = sim;
    const runs = await Promise.all([s.reset(), s.reset(), http(base, 'POST', `/volume/v3/${demo.projectId}/volumes`, { token: demo.token, body: { volume: { size: 1 } } })]);
    expect((runs[2] as { status: number }).status).toBe(202);
    await s.idle();
    expect(rowCounts(s).volumes).toBeLessThanOrEqual(1);
  });
});

// Issue 15 item 6: races end in a consistent state (refusal with the upstream error, or completion).
import { afterEach, describe, expect, it } from 'vitest';
import type { Simulator } from '../../src/index.js';
import { sleep } from '../helpers/reliability.js';
import { bootServer, client, startSim } from '../helpers/sim.js';
import { createVolume } from '../helpers/volumes.js';

describe('races', () => {
  let sim: Simulator | undefined;
  afterEach(async () => {
    await sim?.close();
    sim = undefined;
  });

  // Before: the terminate ran while the attach API waited for Cinder's attachment_create; the API then
  // saved the attachment on the destroyed BDM and the Cinder attachment stayed `reserved` for ever
  // (the storm found 57 of them). Nova: compute attach_volume fails for the gone instance and
  // _attach_volume's except calls attachment_delete(bdm.attachment_id).
  it('server delete while an attach waits in Cinder: the reserved attachment is deleted, the volume is available', async () => {
    sim = await startSim({ profile: 'master', volumeCreateDelayMs: 0, volumeDeleteDelayMs: 0 });
    const demo = await client(sim, 'demo', '2.79');
    const server = await bootServer(sim, demo, 'race');
    const vol = await createVolume(sim, demo, 1, 'race');
    sim.faults.add({ service: 'cinder', operation: 'attachment_create', error: { delay_ms: 150 }, times: 1 });
    const attach = demo.req('POST', `/compute/v2.1/servers/${server}/os-volume_attachments`, { volumeAttachment: { volumeId: vol } });
    await sleep(30);
    const del = await demo.req('DELETE', `/compute/v2.1/servers/${server}`);
    expect(del.statusCode).toBe(204);
    expect((await attach).statusCode).toBe(200);
    await sim.idle();
    const cinder = sim.services.db.prepare('SELECT COUNT(*) AS n FROM volume_attachments WHERE volume_id = ?').get(vol) as { n: number };
    expect(cinder.n).toBe(0);
    const v = sim.services.db.prepare('SELECT status, attach_status FROM volumes WHERE id = ?').get(vol);
    expect(v).toEqual({ status: 'available', attach_status: 'detached' });
  });
});

// [quota] instances / cores / ram from the configuration: the defaults a project gets before any
// quota class or os-quota-sets row (nova.conf.quota), enforced at boot like Nova's
// check_num_instances_quota.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Simulator } from '../../src/index.js';
import { bootServer, client, startSim, type Client } from '../helpers/sim.js';

describe('configured quota defaults', () => {
  let sim: Simulator;
  let demo: Client;
  beforeAll(async () => {
    sim = await startSim({ instanceQuota: 1, coresQuota: -1, ramQuota: -1 });
    demo = await client(sim, 'demo');
  });
  afterAll(() => sim?.close());

  it('shows the configured limits and refuses the boot past instanceQuota with Nova\'s 403', async () => {
    const limits = (await demo.req('GET', '/compute/v2.1/limits')).json().limits.absolute;
    expect(limits).toMatchObject({ maxTotalInstances: 1, maxTotalCores: -1, maxTotalRAMSize: -1 });
    await bootServer(sim, demo, 'one');
    const res = await demo.req('POST', '/compute/v2.1/servers', { server: { name: 'two', imageRef: '155d900f-4e14-4e4c-a73d-069cbf4541e6', flavorRef: '1', networks: 'none' } });
    expect(res.statusCode).toBe(403);
    expect(res.json()).toEqual({ forbidden: { code: 403, message: 'Quota exceeded for instances: Requested 1, but already used 1 of 1 instances' } });
  });

  it('rejects a quota below -1 at start-up', async () => {
    await expect(startSim({ instanceQuota: -2 })).rejects.toThrow();
  });
});

// QuotaEngine.checkUpsize (compute API _check_quota_for_upsize): what a resize will call for cores/ram.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { QuotaEngine } from '../../../src/compute/quotas.js';
import type { Simulator } from '../../../src/index.js';
import { KeypairStore } from '../../../src/store/keypairs.js';
import { ServerGroupStore } from '../../../src/store/server-groups.js';
import { bootServer, client, startSim } from '../../helpers/sim.js';

let sim: Simulator;
beforeAll(async () => {
  sim = await startSim();
});
afterAll(async () => {
  await sim?.close();
});

it('checks only the growth in cores and ram, with Nova\'s TooManyInstances text', async () => {
  const demo = await client(sim, 'demo');
  const admin = await client(sim, 'admin');
  await bootServer(sim, demo); // m1.tiny: 1 vcpu, 512 MB
  await admin.req('PUT', `/compute/v2.1/os-quota-sets/${demo.projectId}`, { quota_set: { cores: 2, ram: 4096 } });
  const db = sim.services.db;
  const q = new QuotaEngine(db, new KeypairStore(db), new ServerGroupStore(db));
  const ctx = { projectId: demo.projectId, userId: demo.userId, requestId: 'req-x', roles: ['member'], isAdmin: false, authToken: '' };
  const tiny = { vcpus: 1, memory_mb: 512 };
  expect(() => q.checkUpsize(ctx, tiny, { vcpus: 2, memory_mb: 2048 })).not.toThrow();
  expect(() => q.checkUpsize(ctx, { vcpus: 4, memory_mb: 8192 }, tiny)).not.toThrow(); // a downsize needs no quota
  expect(() => q.checkUpsize(ctx, tiny, { vcpus: 4, memory_mb: 8192 })).toThrow('Quota exceeded for cores, ram: Requested 3, 7680, but already used 1, 512 of 2, 4096 cores, ram');
});

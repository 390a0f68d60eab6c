// Server-group placement in the scheduler (nova/scheduler/filters/affinity_filter.py,
// nova/scheduler/weights/affinity.py, scheduler_utils._get_group_details), over HTTP on two hosts.
import { afterAll, describe, expect, it } from 'vitest';
import type { ConfigInput, Simulator } from '../../../src/index.js';
import { client, startSim, type Client } from '../../helpers/sim.js';

const IMAGE = '155d900f-4e14-4e4c-a73d-069cbf4541e6';
type Placed = [string, string | null, string | undefined];
const sims: Simulator[] = [];
afterAll(async () => {
  for (const s of sims) await s.close();
});

async function setup(opts: ConfigInput = {}) {
  const sim = await startSim(opts);
  sims.push(sim);
  const admin = await client(sim, 'admin');
  return { sim, admin };
}

async function group(admin: Client, policy: string, rules?: Record<string, number>): Promise<string> {
  const res = await admin.req('POST', '/compute/v2.1/os-server-groups', { server_group: { name: `g-${policy}`, policy, ...(rules ? { rules } : {}) } });
  expect(res.statusCode).toBe(200);
  return res.json().server_group.id as string;
}

/** Boot into the group; returns [status, host, fault message]. */
async function boot(sim: Simulator, admin: Client, groupId: string, name: string): Promise<Placed> {
  const res = await admin.req('POST', '/compute/v2.1/servers', {
    server: { name, imageRef: IMAGE, flavorRef: '1', networks: 'none' }, 'os:scheduler_hints': { group: groupId },
  });
  expect(res.statusCode, res.body).toBe(202);
  await sim.idle();
  const s = (await admin.req('GET', `/compute/v2.1/servers/${res.json().server.id}`)).json().server;
  return [s.status, s['OS-EXT-SRV-ATTR:host'], s.fault?.message];
}

describe('ServerGroupAntiAffinityFilter / ServerGroupAffinityFilter', () => {
  it('anti-affinity spreads members over the hosts, then NoValidHost (ERROR with its fault)', async () => {
    const { sim, admin } = await setup();
    const g = await group(admin, 'anti-affinity');
    const a = await boot(sim, admin, g, 'a');
    const b = await boot(sim, admin, g, 'b');
    expect([a[0], b[0]]).toEqual(['ACTIVE', 'ACTIVE']);
    expect(new Set([a[1], b[1]])).toEqual(new Set(['compute', 'compute-2']));
    const c = await boot(sim, admin, g, 'c');
    expect(c).toEqual(['ERROR', null, 'No valid host was found. There are not enough hosts available.']);
    // A server outside the group still fits anywhere.
    const other = await admin.req('POST', '/compute/v2.1/servers', { server: { name: 'free', imageRef: IMAGE, flavorRef: '1', networks: 'none' } });
    await sim.idle();
    expect((await admin.req('GET', `/compute/v2.1/servers/${other.json().server.id}`)).json().server.status).toBe('ACTIVE');
  });

  it("anti-affinity with 2.64's max_server_per_host 2: two per host, the fifth has no host", async () => {
    const { sim, admin } = await setup();
    const g = await group(admin, 'anti-affinity', { max_server_per_host: 2 });
    const placed: Placed[] = [];
    for (const n of ['a', 'b', 'c', 'd']) placed.push(await boot(sim, admin, g, n));
    expect(placed.map((p) => p[0])).toEqual(['ACTIVE', 'ACTIVE', 'ACTIVE', 'ACTIVE']);
    expect(placed.filter((p) => p[1] === 'compute')).toHaveLength(2);
    expect(placed.filter((p) => p[1] === 'compute-2')).toHaveLength(2);
    expect((await boot(sim, admin, g, 'e'))[0]).toBe('ERROR');
  });

  it('affinity keeps every member on the first member\'s host, even when the other host is emptier', async () => {
    const { sim, admin } = await setup();
    const g = await group(admin, 'affinity');
    const hosts: Placed[] = [];
    for (const n of ['a', 'b', 'c']) hosts.push(await boot(sim, admin, g, n));
    expect(hosts.every((h) => h[0] === 'ACTIVE' && h[1] === hosts[0][1])).toBe(true);
    // Once that host is disabled, the group has nowhere to go.
    const svc = (await admin.req('GET', `/compute/v2.1/os-services?host=${hosts[0][1]}&binary=nova-compute`)).json().services[0];
    expect((await admin.req('PUT', `/compute/v2.1/os-services/${svc.id}`, { status: 'disabled' })).statusCode).toBe(200);
    expect((await boot(sim, admin, g, 'd'))[0]).toBe('ERROR');
  });

  it("a policy whose filter is not enabled: UnsupportedPolicyException, the instance buried with Nova's text", async () => {
    const { sim, admin } = await setup({ schedulerEnabledFilters: ['ComputeFilter'] });
    const g = await group(admin, 'affinity');
    const [status, host, fault] = await boot(sim, admin, g, 'a');
    expect([status, host, fault]).toEqual(['ERROR', null, 'ServerGroup policy is not supported: ServerGroupAffinityFilter not configured']);
    const n = sim.notifications.list({ eventType: 'compute_task.build_instances.error' });
    expect(n).toHaveLength(1);
    expect((n[0].envelope.payload as any)['nova_object.data'].reason['nova_object.data'].exception).toBe('UnsupportedPolicyException');
    // No scheduling happened.
    expect(sim.notifications.list({ eventType: 'scheduler.select_destinations.start' })).toHaveLength(0);
  });
});

describe('ServerGroupSoftAffinityWeigher / ServerGroupSoftAntiAffinityWeigher', () => {
  it('soft-affinity co-locates when its multiplier outweighs the resource weighers, spreads at 0', async () => {
    for (const [mult, together] of [[10, true], [0, false]] as const) {
      const { sim, admin } = await setup({ softAffinityWeightMultiplier: mult });
      const g = await group(admin, 'soft-affinity');
      const a = await boot(sim, admin, g, 'a');
      const b = await boot(sim, admin, g, 'b');
      expect([a[0], b[0]]).toEqual(['ACTIVE', 'ACTIVE']);
      expect(a[1] === b[1]).toBe(together);
    }
  });

  it('soft-anti-affinity spreads but, unlike anti-affinity, never refuses a host', async () => {
    const { sim, admin } = await setup();
    const g = await group(admin, 'soft-anti-affinity');
    const placed: Placed[] = [];
    for (const n of ['a', 'b', 'c']) placed.push(await boot(sim, admin, g, n));
    expect(placed.map((p) => p[0])).toEqual(['ACTIVE', 'ACTIVE', 'ACTIVE']);
    expect(new Set(placed.slice(0, 2).map((p) => p[1]))).toEqual(new Set(['compute', 'compute-2']));
  });
});

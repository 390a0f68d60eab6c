// Host-side notifications against Nova's golden samples (set up like test_aggregate.py and the
// scheduler checks of notification_sample_base.py), and the capacity half of the scheduler.
import { afterEach, describe, expect, it } from 'vitest';
import type { Simulator } from '../../src/index.js';
import { scenarioConfig } from '../../src/scenarios/nova-fixtures.js';
import { ANY, matchesNotificationSample } from '../../src/testing/index.js';
import { client, login, startSim } from '../helpers/sim.js';

const C = '/compute/v2.1';
const IMAGE = '155d900f-4e14-4e4c-a73d-069cbf4541e6';

describe.each(['master', 'zed'] as const)('aggregate notifications match Nova samples (%s)', (profile) => {
  let sim: Simulator | undefined;
  afterEach(async () => {
    await sim?.close();
    sim = undefined;
  });

  it('test_create_delete_aggregate, test_add_remove_host_to_aggregate and the AggregateNameExists compute.exception', async () => {
    sim = await startSim(scenarioConfig(profile));
    const l = await login(sim, 'admin', 'openstack', 'admin');
    const s = sim;
    const admin = { req: (method: 'GET' | 'POST' | 'DELETE', url: string, payload?: unknown) => s.app.inject({ method, url, payload: payload as object, headers: { 'x-auth-token': l.token, 'openstack-api-version': 'compute latest' } }) };
    sim.notifications.clear();
    const agg = (await admin.req('POST', `${C}/os-aggregates`, { aggregate: { name: 'my-aggregate', availability_zone: 'nova' } })).json().aggregate;
    await admin.req('POST', `${C}/os-aggregates/${agg.id}/action`, { add_host: { host: 'compute' } });
    await admin.req('POST', `${C}/os-aggregates/${agg.id}/action`, { remove_host: { host: 'compute' } });
    await admin.req('DELETE', `${C}/os-aggregates/${agg.id}`);
    const dup = await admin.req('POST', `${C}/os-aggregates`, { aggregate: { name: 'versioned_exc_aggregate' } });
    expect(dup.statusCode).toBe(200);
    expect((await admin.req('POST', `${C}/os-aggregates`, { aggregate: { name: 'versioned_exc_aggregate' } })).statusCode).toBe(409);
    const ns = sim.notifications.list().map((n) => n.envelope);
    const names = ['aggregate-create-start', 'aggregate-create-end', 'aggregate-add_host-start', 'aggregate-add_host-end', 'aggregate-remove_host-start', 'aggregate-remove_host-end', 'aggregate-delete-start', 'aggregate-delete-end'];
    names.forEach((name, i) => {
      const r = matchesNotificationSample(ns[i], name, { profile, replacements: { uuid: agg.uuid, ...(name === 'aggregate-create-start' ? {} : { id: agg.id }) } });
      expect(r.pass, `${name}\n${r.diff}`).toBe(true);
    });
    const exc = ns.find((n) => n.event_type === 'compute.exception');
    const r = matchesNotificationSample(exc, 'compute-exception', { profile, replacements: { traceback: ANY } });
    expect(r.pass, r.diff).toBe(true);
  });
});

describe('capacity and ComputeFilter', () => {
  let sim: Simulator | undefined;
  afterEach(async () => {
    await sim?.close();
    sim = undefined;
  });

  it('a full cloud answers NoValidHost with Nova reasons: placement ("") and filters ("There are not enough hosts available.")', async () => {
    // 1024 MB nodes minus 512 reserved: one m1.tiny each.
    sim = await startSim({ hostMemoryMb: 1024 });
    const demo = await client(sim, 'demo');
    const admin = await client(sim, 'admin');
    const boot = async (name: string) => {
      const id = (await demo.req('POST', `${C}/servers`, { server: { name, imageRef: IMAGE, flavorRef: '1', networks: 'none' } })).json().server.id as string;
      await sim!.idle();
      return (await admin.req('GET', `${C}/servers/${id}`)).json().server;
    };
    const [a, b] = [await boot('a'), await boot('b')];
    expect([a['OS-EXT-SRV-ATTR:host'], b['OS-EXT-SRV-ATTR:host']].sort()).toEqual(['compute', 'compute-2']);
    const c = await boot('c');
    expect(c.status).toBe('ERROR');
    expect(c.fault.message).toBe('No valid host was found. ');
    await admin.req('DELETE', `${C}/servers/${a.id}`);
    await sim.idle();
    // compute's room is back, but it is forced down: ComputeFilter removes it.
    const svc = (await admin.req('GET', `${C}/os-services?host=${a['OS-EXT-SRV-ATTR:host']}&binary=nova-compute`)).json().services[0];
    await admin.req('PUT', `${C}/os-services/${svc.id}`, { forced_down: true });
    const d = await boot('d');
    expect(d.fault.message).toBe('No valid host was found. There are not enough hosts available.');
    const hv = (await admin.req('GET', `${C}/os-hypervisors`)).json().hypervisors;
    expect(hv.map((h: { state: string }) => h.state).sort()).toEqual(['down', 'up']);
  });
});

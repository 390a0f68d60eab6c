import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { externalEvents } from '../../src/compute/external-events.js';
import type { Simulator } from '../../src/index.js';
import { bootServer, client, login, startSim, type Client } from '../helpers/sim.js';

const C = '/compute/v2.1';
const CIRROS = '155d900f-4e14-4e4c-a73d-069cbf4541e6';

describe('read surface: extensions, images proxy, usage, audit log, diagnostics, password, console tokens, external events', () => {
  let sim: Simulator;
  let admin: Client;
  let demo: Client;
  let server: string;
  beforeAll(async () => {
    sim = await startSim();
    admin = await client(sim, 'admin', '2.1');
    demo = await client(sim, 'demo', '2.1');
    server = await bootServer(sim, demo);
  });
  afterAll(() => sim.close());
  const v = (c: Client, mv: string) => (m: 'GET' | 'POST' | 'DELETE', url: string, body?: unknown) => c.req(m, url, body, { 'openstack-api-version': `compute ${mv}` });

  it('lists the legacy extensions and shows one by alias', async () => {
    const list = await demo.req('GET', `${C}/extensions`);
    expect(list.statusCode).toBe(200);
    expect(list.json().extensions).toHaveLength(99);
    expect((await demo.req('GET', `${C}/extensions/os-agents`)).json().extension.name).toBe('Agents');
    expect((await demo.req('GET', `${C}/extensions/nope`)).statusCode).toBe(404);
  });

  it('proxies images from the image service up to 2.35, then 404', async () => {
    const list = await demo.req('GET', `${C}/images?name=cirros`);
    expect(list.statusCode).toBe(200);
    expect(list.json().images.map((i: { id: string }) => i.id)).toEqual([CIRROS]);
    expect(list.json().images[0].links.map((l: { rel: string }) => l.rel)).toEqual(['self', 'bookmark', 'alternate']);
    const detail = (await demo.req('GET', `${C}/images/detail`)).json().images[0];
    expect(detail).toMatchObject({ id: CIRROS, status: 'ACTIVE', progress: 100, minRam: 0, minDisk: 0, 'OS-EXT-IMG-SIZE:size': 21430272 });
    expect((await demo.req('GET', `${C}/images/${CIRROS}`)).json().image.name).toBe('cirros');
    expect((await demo.req('GET', `${C}/images/00000000-0000-0000-0000-000000000000`)).json()).toEqual({ itemNotFound: { code: 404, message: 'Image not found.' } });
    expect((await v(demo, '2.36')('GET', `${C}/images`)).json()).toEqual({ itemNotFound: { code: 404, message: 'The resource could not be found.' } });
    expect((await demo.req('GET', `${C}/images/${CIRROS}/metadata`)).json()).toEqual({ metadata: {} });
    expect((await demo.req('GET', `${C}/images/${CIRROS}/metadata/nope`)).statusCode).toBe(404);
    // Image metadata outlives the proxy by three microversions (2.38).
    expect((await v(demo, '2.38')('GET', `${C}/images/${CIRROS}/metadata`)).statusCode).toBe(200);
    expect((await v(demo, '2.39')('GET', `${C}/images/${CIRROS}/metadata`)).statusCode).toBe(404);
  });

  it('reports simple tenant usage for the project (member) and all projects (admin only)', async () => {
    const mine = await demo.req('GET', `${C}/os-simple-tenant-usage/${demo.projectId}?start=2000-01-01T00:00:00`);
    expect(mine.statusCode).toBe(200);
    const u = mine.json().tenant_usage;
    expect(u.tenant_id).toBe(demo.projectId);
    expect(u.server_usages.map((s: { instance_id: string }) => s.instance_id)).toEqual([server]);
    expect(u.server_usages[0]).toMatchObject({ flavor: 'm1.tiny', memory_mb: 512, vcpus: 1, local_gb: 1, state: 'active', ended_at: null });
    expect((await demo.req('GET', `${C}/os-simple-tenant-usage`)).json().forbidden.message).toBe("Policy doesn't allow os_compute_api:os-simple-tenant-usage:list to be performed.");
    expect((await admin.req('GET', `${C}/os-simple-tenant-usage?start=2000-01-01T00:00:00&detailed=1`)).json().tenant_usages[0].server_usages).toHaveLength(1);
    expect((await admin.req('GET', `${C}/os-simple-tenant-usage?start=yesterday`)).json().badRequest.message).toBe('Invalid datetime string: Datetime is in invalid format');
    expect((await admin.req('GET', `${C}/os-simple-tenant-usage?start=2100-01-01T00:00:00&end=2000-01-01T00:00:00`)).json().badRequest.message).toBe(
      'Invalid start time. The start time cannot occur after the end time.',
    );
    const paged = await v(admin, '2.40')('GET', `${C}/os-simple-tenant-usage?start=2000-01-01T00:00:00&limit=1`);
    expect(paged.json().tenant_usages_links[0].href).toContain(`marker=${server}`);
  });

  it('answers the audit log, diagnostics, server password and console tokens with Nova policy and texts', async () => {
    const audit = (await admin.req('GET', `${C}/os-instance-usage-audit-log`)).json().instance_usage_audit_logs;
    // Every nova-compute host (two by default) is listed as not yet audited.
    expect(audit).toMatchObject({ num_hosts: 2, num_hosts_done: 0, hosts_not_run: ['compute', 'compute-2'], overall_status: '0 of 2 hosts done. 0 errors.' });
    expect((await admin.req('GET', `${C}/os-instance-usage-audit-log/2012-07-05 10:00:00`)).json().instance_usage_audit_log).toMatchObject({
      period_beginning: '2012-06-01 00:00:00', period_ending: '2012-07-01 00:00:00',
    });
    expect((await admin.req('GET', `${C}/os-instance-usage-audit-log/bogus`)).json().badRequest.message).toBe('Invalid timestamp for date bogus');
    expect((await demo.req('GET', `${C}/os-instance-usage-audit-log`)).statusCode).toBe(403);

    expect((await admin.req('GET', `${C}/servers/${server}/diagnostics`)).json()).toMatchObject({ memory: 524288, cpu0_time: 17300000000 });
    expect((await v(admin, '2.48')('GET', `${C}/servers/${server}/diagnostics`)).json()).toMatchObject({ state: 'running', num_cpus: 1, memory_details: { maximum: 524288, used: 0 } });
    expect((await demo.req('GET', `${C}/servers/${server}/diagnostics`)).json().forbidden.message).toBe("Policy doesn't allow os_compute_api:os-server-diagnostics to be performed.");

    expect((await demo.req('GET', `${C}/servers/${server}/os-server-password`)).json()).toEqual({ password: '' });
    expect((await demo.req('DELETE', `${C}/servers/${server}/os-server-password`)).statusCode).toBe(204);

    expect((await admin.req('GET', `${C}/os-console-auth-tokens/abc`)).statusCode).toBe(400);
    expect((await v(admin, '2.31')('GET', `${C}/os-console-auth-tokens/abc`)).json()).toEqual({ itemNotFound: { code: 404, message: 'Token not found' } });
    expect((await v(demo, '2.31')('GET', `${C}/os-console-auth-tokens/abc`)).statusCode).toBe(403);
  });

  it('accepts external events from the service user per event (200/400/404/207) and lets flows await them', async () => {
    const nova = await login(sim, 'nova');
    const post = (token: string, mv: string, events: unknown[]) =>
      sim.app.inject({ method: 'POST', url: `${C}/os-server-external-events`, payload: { events }, headers: { 'x-auth-token': token, 'openstack-api-version': `compute ${mv}` } });
    const waiting = externalEvents(sim.services).waitFor(server, 'network-vif-plugged', { tag: 'port-1', timeoutMs: 2000 });
    const ok = await post(nova.token, '2.1', [{ name: 'network-vif-plugged', server_uuid: server, tag: 'port-1' }]);
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toEqual({ events: [{ name: 'network-vif-plugged', server_uuid: server, tag: 'port-1', status: 'completed', code: 200 }] });
    expect((await waiting).tag).toBe('port-1');
    const mixed = await post(nova.token, '2.93', [
      { name: 'volume-extended', server_uuid: server },
      { name: 'volume-reimaged', server_uuid: '00000000-0000-0000-0000-000000000000', tag: 'v' },
    ]);
    expect(mixed.statusCode).toBe(207);
    expect(mixed.json().events.map((e: { code: number }) => e.code)).toEqual([400, 404]);
    // volume-extended is not an event name before 2.51.
    expect((await post(nova.token, '2.50', [{ name: 'volume-extended', server_uuid: server, tag: 'v' }])).statusCode).toBe(400);
    expect(externalEvents(sim.services).list(server).map((e) => e.name)).toEqual(['network-vif-plugged']);
    const refused = await post(demo.token, '2.1', [{ name: 'network-changed', server_uuid: server }]);
    expect(refused.json().forbidden.message).toBe("Policy doesn't allow os_compute_api:os-server-external-events:create to be performed.");
  });

  it('forgets external events of servers a reset removed (deterministic runs reuse uuids)', async () => {
    const det = await startSim({ deterministic: true });
    try {
      const c = await client(det, 'demo', '2.1');
      const vm = await bootServer(det, c);
      const nova = await login(det, 'nova');
      const r = await det.app.inject({
        method: 'POST', url: `${C}/os-server-external-events`, payload: { events: [{ name: 'network-changed', server_uuid: vm }] }, headers: { 'x-auth-token': nova.token },
      });
      expect(r.statusCode).toBe(200);
      expect(externalEvents(det.services).list(vm)).toHaveLength(1);
      await det.reset();
      expect(externalEvents(det.services).list(vm)).toEqual([]);
    } finally {
      await det.close();
    }
  });
});

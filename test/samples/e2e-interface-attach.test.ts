// _test_interface_attach_and_detach and _test_interface_attach_error (steps of test_instance_action),
// end to end through the HTTP API in both profiles, with the port state checked in the fake Neutron.
import { afterEach, describe, expect, it } from 'vitest';
import { SampleHarness, type Server } from '../../src/scenarios/harness.js';
import { PORT_1, PORT_2, SWAP_OLD_VOL } from '../../src/scenarios/nova-fixtures.js';
import { neutronBackend } from '../../src/neutron-fake/plugin.js';
import { ANY } from '../../src/testing/index.js';
import '../../src/testing/vitest.js';

describe.each(['master', 'zed'] as const)('interface attach/detach samples, end to end (%s)', (profile) => {
  let h: SampleHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  async function setUp(): Promise<Server> {
    h = await SampleHarness.start(profile);
    const server = await h.bootServer({ networks: [{ port: PORT_1 }] });
    await h.attachVolume(server, SWAP_OLD_VOL);
    return server;
  }
  const port = (id: string) => neutronBackend(h!.sim.services).store.t.ports.get(id)!;

  it('_test_interface_attach_and_detach: attach.start/.end (both IPs), detach.start/.end; port_2 bound, then unbound and kept', async () => {
    const server = await setUp();
    const replacements = { reservation_id: server.reservation_id, uuid: server.id };
    h!.resetNotifications();
    await h!.attachInterface(server, { interfaceAttachment: { port_id: PORT_2 } });
    const attach = h!.notifications();
    expect(attach).toHaveLength(2);
    expect(attach[0]).toMatchNotificationSample('instance-interface_attach-start', { profile, replacements });
    expect(attach[1]).toMatchNotificationSample('instance-interface_attach-end', { profile, replacements });
    expect(port(PORT_2)).toMatchObject({ device_id: server.id, device_owner: 'compute:nova', 'binding:host_id': 'compute', status: 'ACTIVE' });
    const listed = await h!.request('GET', `/compute/v2.1/servers/${server.id}/os-interface`, undefined, 200);
    expect((listed.interfaceAttachments as { port_id: string }[]).map((a) => a.port_id).sort()).toEqual([PORT_1, PORT_2].sort());

    h!.resetNotifications();
    await h!.detachInterface(server, PORT_2);
    const detach = h!.notifications();
    expect(detach).toHaveLength(2);
    expect(detach[0]).toMatchNotificationSample('instance-interface_detach-start', { profile, replacements });
    expect(detach[1]).toMatchNotificationSample('instance-interface_detach-end', { profile, replacements });
    // The user's port survives, unbound (Nova's _unbind_ports).
    expect(port(PORT_2)).toMatchObject({ device_id: '', device_owner: '', 'binding:host_id': '', status: 'DOWN' });
  });

  it('_test_interface_attach_error: start and error (the driver\'s "dummy"), a 500 to the API, the port released', async () => {
    const server = await setUp();
    h!.sim.faults.add({
      service: 'compute', operation: 'driver.attach_interface', match: { instance_uuid: server.id },
      error: { exception: 'InterfaceAttachFailed', message: 'dummy', module: 'nova.tests.functional.notification_sample_tests.test_instance', function: '_unsuccessful_attach_interface' },
    });
    h!.resetNotifications();
    const res = await h!.sim.app.inject({
      method: 'POST', url: `/compute/v2.1/servers/${server.id}/os-interface`, payload: { interfaceAttachment: { port_id: PORT_2 } },
      headers: { 'x-auth-token': (h as unknown as { api: { token: string } }).api.token },
    });
    expect(res.statusCode).toBe(500);
    expect(res.json().computeFault.message).toBe(`Failed to attach network adapter device to ${server.id}`);
    const ns = h!.notifications();
    expect(ns.map((n) => n.event_type)).toEqual(['instance.interface_attach.start', 'instance.interface_attach.error', 'compute.exception']);
    const replacements = { reservation_id: server.reservation_id, uuid: server.id };
    expect(ns[0]).toMatchNotificationSample('instance-interface_attach-start', { profile, replacements });
    expect(ns[1]).toMatchNotificationSample('instance-interface_attach-error', { profile, replacements: { ...replacements, 'fault.traceback': ANY } });
    expect(port(PORT_2)).toMatchObject({ device_id: '', 'binding:host_id': '' });
  });
});

// _test_interface_attach_and_detach and _test_interface_attach_error, two steps of test_instance.py
// TestInstanceNotificationSample.test_instance_action (boot with port_1, attach SWAP_OLD_VOL, then
// the notifier is reset before every step).
import { ANY } from '../testing/match-sample.js';
import { expectEventTypes, notCompared, record, serverReplacements } from './expect.js';
import type { SampleHarness, Server } from './harness.js';
import { PORT_1, PORT_2, SWAP_OLD_VOL } from './nova-fixtures.js';
import type { Scenario } from './types.js';

const STEP_NOTE =
  'Nova runs this step inside test_instance_action after other actions novasim does not implement; they leave the instance as booted, so the step runs right after the boot and attach.';
const PORT_NOTE =
  "Nova's test attaches with net_id=network_1 and NeutronFixture.create_port answers with port_2 (fixed MAC, IP and id); a real Neutron creates a new port with its own MAC and address, so the scenario attaches port_2 by port_id (seeded on network_1 with the fixture's MAC and IP): the notifications are the same, except that Nova unbinds rather than deletes a port the user brought.";

async function bootAndAttach(h: SampleHarness): Promise<Server> {
  const server = await h.bootServer({ networks: [{ port: PORT_1 }] });
  await h.attachVolume(server, SWAP_OLD_VOL);
  return server;
}

export const interfaceAttachDetach: Scenario = {
  name: 'interface-attach-detach',
  nova: 'test_instance.py TestInstanceNotificationSample.test_instance_action / _test_interface_attach_and_detach',
  async run(h) {
    const server = await bootAndAttach(h);
    const replacements = serverReplacements(server);
    h.resetNotifications();
    await h.attachInterface(server, { interfaceAttachment: { port_id: PORT_2 } });
    const attach = h.notifications();
    h.resetNotifications();
    await h.detachInterface(server, PORT_2);
    const detach = h.notifications();
    return {
      name: this.name,
      nova: this.nova,
      problems: [
        ...expectEventTypes(attach, ['instance.interface_attach.start', 'instance.interface_attach.end']),
        ...expectEventTypes(detach, ['instance.interface_detach.start', 'instance.interface_detach.end']),
      ],
      recorded: [
        ...record(attach, ['instance-interface_attach-start', 'instance-interface_attach-end'].map((sample) => [sample, { kind: 'sample', sample, replacements }])),
        ...record(detach, ['instance-interface_detach-start', 'instance-interface_detach-end'].map((sample) => [sample, { kind: 'sample', sample, replacements }])),
      ],
      notes: [STEP_NOTE, PORT_NOTE],
    };
  },
};

export const interfaceAttachError: Scenario = {
  name: 'interface-attach-error',
  nova: 'test_instance.py TestInstanceNotificationSample.test_instance_action / _test_interface_attach_error',
  async run(h) {
    const server = await bootAndAttach(h);
    // Nova's test mocks SmallFakeDriver.attach_interface with _unsuccessful_attach_interface raising InterfaceAttachFailed("dummy").
    h.sim.faults.add({
      service: 'compute',
      operation: 'driver.attach_interface',
      match: { instance_uuid: server.id },
      error: {
        exception: 'InterfaceAttachFailed', message: 'dummy',
        module: 'nova.tests.functional.notification_sample_tests.test_instance', function: '_unsuccessful_attach_interface',
      },
    });
    h.resetNotifications();
    await h.attachInterface(server, { interfaceAttachment: { port_id: PORT_2 } }, 500);
    const ns = h.notifications();
    return {
      name: this.name,
      nova: this.nova,
      problems: expectEventTypes(ns, ['instance.interface_attach.start', 'instance.interface_attach.error', 'compute.exception'], { atLeast: 2 }),
      recorded: record(ns, [
        ['instance-interface_attach-start', { kind: 'sample', sample: 'instance-interface_attach-start', replacements: serverReplacements(server) }],
        ['instance-interface_attach-error', { kind: 'sample', sample: 'instance-interface_attach-error', replacements: { ...serverReplacements(server), 'fault.traceback': ANY }, tracebackContains: 'InterfaceAttachFailed' }],
        ['compute-exception', notCompared("Nova's test: at least start and error; the exception notification is not compared")],
      ]),
      notes: [STEP_NOTE, PORT_NOTE],
    };
  },
};

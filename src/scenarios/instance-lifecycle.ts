// test_create_delete_server and test_create_server_error (nova/tests/functional/
// notification_sample_tests/test_instance.py, TestInstanceNotificationSample).
import { ANY } from '../testing/match-sample.js';
import { expectEventTypes, record, serverReplacements } from './expect.js';
import { PORT_1, SWAP_OLD_VOL } from './nova-fixtures.js';
import type { Scenario } from './types.js';

const BOOT_PARAMS = { networks: [{ port: PORT_1 }], tags: ['tag'], trusted_image_certificates: ['cert-id-1', 'cert-id-2'] };

/** Boot (tags, trusted certs, port_1), attach SWAP_OLD_VOL, delete: 9 notifications, each checked. */
export const createDelete: Scenario = {
  name: 'create-delete',
  nova: 'test_instance.py TestInstanceNotificationSample.test_create_delete_server',
  async run(h) {
    h.resetNotifications();
    const server = await h.bootServer(BOOT_PARAMS);
    await h.attachVolume(server, SWAP_OLD_VOL);
    await h.deleteServer(server);
    const ns = h.notifications();
    const order = [
      'instance-create-start', 'instance-create-end', 'instance-update-tags-action', 'instance-volume_attach-start',
      'instance-volume_attach-end', 'instance-delete-start', 'instance-shutdown-start', 'instance-shutdown-end', 'instance-delete-end',
    ];
    const eventTypes = order.map((s) => (s === 'instance-update-tags-action' ? 'instance.update' : s.replace(/-/g, '.')));
    const replacements = serverReplacements(server);
    return {
      name: this.name,
      nova: this.nova,
      problems: expectEventTypes(ns, eventTypes),
      recorded: record(ns, order.map((sample) => [sample, { kind: 'sample', sample, replacements }])),
      notes: ["Nova's keypair-import and scheduler-select_destinations notifications precede this window; novasim seeds the keypair (no keypair-import) and the harness pops the scheduler's two as Nova's test does before counting."],
    };
  },
};

/** _build_resources raises FlavorDiskTooSmall (a mock in Nova's test; a compute fault point here). */
export const createError: Scenario = {
  name: 'create-error',
  nova: 'test_instance.py TestInstanceNotificationSample.test_create_server_error',
  async run(h) {
    h.sim.faults.add({
      service: 'compute',
      operation: 'manager._build_resources',
      error: {
        exception: 'FlavorDiskTooSmall',
        message: "The created instance's disk would be too small.",
        // Where Nova's mocked _build_resources raised it (ExceptionPayload module/function).
        module: 'nova.tests.functional.notification_sample_tests.test_instance',
        function: '_build_resources',
      },
    });
    h.resetNotifications();
    const server = await h.bootServer(BOOT_PARAMS, 'ERROR');
    const ns = h.notifications();
    const replacements = serverReplacements(server);
    // self.notifier.reset(); self._delete_server(server): a local delete in nova-api (never scheduled).
    h.resetNotifications();
    await h.deleteServer(server);
    const deleted = h.notifications();
    return {
      name: this.name,
      nova: this.nova,
      // _boot_a_server does not pop the scheduler's pair for an ERROR boot: Nova counts 4.
      problems: [...expectEventTypes(ns, ['scheduler.select_destinations.start', 'scheduler.select_destinations.end', 'instance.create.start', 'instance.create.error']), ...expectEventTypes(deleted, ['instance.delete.start', 'instance.delete.end'])],
      recorded: [
        ...record(ns.slice(2), [
          ['instance-create-start', { kind: 'sample', sample: 'instance-create-start', replacements }],
          [
            'instance-create-error',
            // Nova asserts the traceback holds its mock's source line `raise exception.FlavorDiskTooSmall()`;
            // novasim has no Python source, so the exception line is asserted instead.
            { kind: 'sample', sample: 'instance-create-error', replacements: { ...replacements, 'fault.traceback': ANY }, tracebackContains: "FlavorDiskTooSmall: The created instance's disk would be too small." },
          ],
        ]),
        ...record(deleted, [
          ['instance-delete-start_not_scheduled', { kind: 'sample', sample: 'instance-delete-start_not_scheduled', replacements }],
          ['instance-delete-end_not_scheduled', { kind: 'sample', sample: 'instance-delete-end_not_scheduled', replacements }],
        ]),
      ],
      notes: [
        "Nova asserts the traceback contains its mock's source line 'raise exception.FlavorDiskTooSmall()'; novasim asserts the exception line instead.",
      ],
    };
  },
};

// _test_volume_detach_attach_server and _test_attach_volume_error, two steps of
// test_instance.py TestInstanceNotificationSample.test_instance_action (which boots with port_1,
// attaches SWAP_OLD_VOL, then resets the notifier before every step).
import { ANY } from '../testing/match-sample.js';
import { blockDevice, expectEventTypes, notCompared, record, serverReplacements } from './expect.js';
import type { SampleHarness, Server } from './harness.js';
import { PORT_1, SWAP_NEW_VOL, SWAP_OLD_VOL } from './nova-fixtures.js';
import type { Scenario } from './types.js';

const STEP_NOTE =
  "Nova runs this step inside test_instance_action after eleven other actions (power off/on, shelve, resize, …) that novasim does not implement; they leave the instance as booted, so the step runs right after the boot and attach.";

async function bootAndAttach(h: SampleHarness): Promise<Server> {
  const server = await h.bootServer({ networks: [{ port: PORT_1 }] });
  await h.attachVolume(server, SWAP_OLD_VOL);
  return server;
}

export const volumeDetachAttach: Scenario = {
  name: 'volume-detach-attach',
  nova: 'test_instance.py TestInstanceNotificationSample.test_instance_action / _test_volume_detach_attach_server',
  async run(h) {
    const server = await bootAndAttach(h);
    const replacements = serverReplacements(server);
    h.resetNotifications();
    await h.detachVolume(server, SWAP_OLD_VOL);
    const detach = h.notifications();
    h.resetNotifications();
    await h.attachVolume(server, SWAP_OLD_VOL);
    const attach = h.notifications();
    return {
      name: this.name,
      nova: this.nova,
      problems: [
        ...expectEventTypes(detach, ['instance.volume_detach.start', 'instance.volume_detach.end']),
        ...expectEventTypes(attach, ['instance.volume_attach.start', 'instance.volume_attach.end']),
      ],
      recorded: [
        ...record(detach, ['instance-volume_detach-start', 'instance-volume_detach-end'].map((sample) => [sample, { kind: 'sample', sample, replacements }])),
        ...record(attach, ['instance-volume_attach-start', 'instance-volume_attach-end'].map((sample) => [sample, { kind: 'sample', sample, replacements }])),
      ],
      notes: [STEP_NOTE],
    };
  },
};

export const volumeAttachError: Scenario = {
  name: 'volume-attach-error',
  nova: 'test_instance.py TestInstanceNotificationSample.test_instance_action / _test_attach_volume_error',
  async run(h) {
    const server = await bootAndAttach(h);
    // Nova's test replaces cinder.API.attachment_update with a function `attach_volume` (in the test
    // module) raising CinderConnectionFailed; the compute fault point raises it from the same place.
    h.sim.faults.add({
      service: 'compute',
      operation: 'driver.attach_volume',
      match: { volume_id: SWAP_NEW_VOL },
      error: {
        exception: 'CinderConnectionFailed',
        message: 'Connection to cinder host failed: Connection timed out',
        module: 'nova.tests.functional.notification_sample_tests.test_instance',
        function: 'attach_volume',
      },
    });
    h.resetNotifications();
    await h.attachVolume(server, SWAP_NEW_VOL);
    const ns = h.notifications();
    const replacements = {
      ...serverReplacements(server),
      block_devices: [blockDevice(SWAP_OLD_VOL), blockDevice(SWAP_NEW_VOL, '/dev/sdc')],
      volume_id: SWAP_NEW_VOL,
    };
    return {
      name: this.name,
      nova: this.nova,
      problems: expectEventTypes(ns, ['instance.volume_attach.start', 'instance.volume_attach.error', 'compute.exception'], { atLeast: 2 }),
      recorded: record(ns, [
        ['instance-volume_attach-start', { kind: 'sample', sample: 'instance-volume_attach-start', replacements }],
        ['instance-volume_attach-error', { kind: 'sample', sample: 'instance-volume_attach-error', replacements: { ...replacements, 'fault.traceback': ANY }, tracebackContains: 'CinderConnectionFailed:' }],
        ['compute-exception', notCompared("Nova's test: \"we don't care about the exception notification\"")],
      ]),
      notes: [
        STEP_NOTE,
        "Nova's mock replaces cinder.API.attachment_update; novasim raises the same exception from the driver.attach_volume fault point, which runs right after attachment_update inside the same attach (same notifications; the Cinder attachment had its connector set before the rollback deletes it).",
      ],
    };
  },
};

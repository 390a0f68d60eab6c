// test_volume_swap_server and test_volume_swap_server_with_error (test_instance.py).
import type { ProfileName } from '../profiles/index.js';
import { ANY } from '../testing/match-sample.js';
import { blockDevice, expectEventTypes, notCompared, record, serverReplacements } from './expect.js';
import type { SampleHarness, Server } from './harness.js';
import { PORT_1, SWAP_ERR_NEW_VOL, SWAP_ERR_OLD_VOL, SWAP_NEW_VOL, SWAP_OLD_VOL } from './nova-fixtures.js';
import type { Check, Scenario } from './types.js';

/** The five notifications of _boot_a_server + _attach_volume_to_server, counted but not compared. */
const SETUP: [string, string][] = [
  ['instance-create-start', 'instance.create.start'],
  ['instance-create-end', 'instance.create.end'],
  ['instance-update-tags-action', 'instance.update'],
  ['instance-volume_attach-start', 'instance.volume_attach.start'],
  ['instance-volume_attach-end', 'instance.volume_attach.end'],
];
const setupPlan = (): [string, Check][] => SETUP.map(([file]) => [file, notCompared()]);

const MIGRATING_NOTE =
  "master: HEAD's CinderFixture reports the attached old volume as migration_status 'migrating'; the scenario sets that through Cinder's os-reset_status and runs the fake Cinder with cinderCompat 'nova-fixture', so Nova's API check passes and migrate_volume_completion answers save_volume_id = new volume as the fixture does.";

/** Boot, attach `old`, and (master) mark it migrating as HEAD's CinderFixture reports it. */
async function prepare(h: SampleHarness, profile: ProfileName, old: string): Promise<Server> {
  h.resetNotifications();
  const server = await h.bootServer({ networks: [{ port: PORT_1 }] });
  await h.attachVolume(server, old);
  if (profile === 'master') await h.resetVolumeStatus(old, { migration_status: 'migrating' });
  return server;
}

export const volumeSwap: Scenario = {
  name: 'volume-swap',
  nova: 'test_instance.py TestInstanceNotificationSample.test_volume_swap_server',
  async run(h, profile) {
    const server = await prepare(h, profile, SWAP_OLD_VOL);
    await h.swapVolume(server, SWAP_OLD_VOL, SWAP_NEW_VOL);
    const problems: string[] = [];
    // _wait_until_swap_volume
    if (!(await h.attachedVolumes(server)).includes(SWAP_NEW_VOL)) problems.push('Volume swap operation failed.');
    const ns = h.notifications();
    problems.push(...expectEventTypes(ns, [...SETUP.map(([, e]) => e), 'instance.volume_swap.start', 'instance.volume_swap.end']));
    const replacements = serverReplacements(server);
    return {
      name: this.name,
      nova: this.nova,
      problems,
      recorded: record(ns, [
        ...setupPlan(),
        ['instance-volume_swap-start', { kind: 'sample', sample: 'instance-volume_swap-start', replacements }],
        ['instance-volume_swap-end', { kind: 'sample', sample: 'instance-volume_swap-end', replacements }],
      ]),
      notes: profile === 'master' ? [MIGRATING_NOTE] : [],
    };
  },
};

export const volumeSwapError: Scenario = {
  name: 'volume-swap-error',
  nova: 'test_instance.py TestInstanceNotificationSample.test_volume_swap_server_with_error',
  async run(h, profile) {
    const server = await prepare(h, profile, SWAP_ERR_OLD_VOL);
    // Nova's fixture answers attachment_update for SWAP_ERR_ATTACH_ID with connection_info (),
    // and _init_volume_connection fails on new_cinfo['serial'] = …; the fault point raises the same.
    h.sim.faults.add({
      service: 'compute',
      operation: 'manager._init_volume_connection',
      match: { instance_uuid: server.id },
      error: { exception: 'TypeError', message: "'tuple' object does not support item assignment", module: 'nova.compute.manager', function: '_init_volume_connection' },
    });
    await h.swapVolume(server, SWAP_ERR_OLD_VOL, SWAP_ERR_NEW_VOL);
    const ns = h.notifications();
    const problems = expectEventTypes(ns, [...SETUP.map(([, e]) => e), 'instance.volume_swap.start', 'instance.volume_swap.error', 'compute.exception'], { atLeast: 7 });
    // "the block device mapping is using SWAP_ERR_OLD_VOL because this is the cinder volume migrate workflow"
    const blockDevices = [blockDevice(SWAP_ERR_OLD_VOL)];
    const replacements = serverReplacements(server);
    return {
      name: this.name,
      nova: this.nova,
      problems,
      recorded: record(ns, [
        ...setupPlan(),
        [
          'instance-volume_swap-start',
          { kind: 'sample', sample: 'instance-volume_swap-start', replacements: { new_volume_id: SWAP_ERR_NEW_VOL, old_volume_id: SWAP_ERR_OLD_VOL, block_devices: blockDevices, ...replacements } },
        ],
        [
          'instance-volume_swap-error',
          { kind: 'sample', sample: 'instance-volume_swap-error', replacements: { reservation_id: server.reservation_id, block_devices: blockDevices, uuid: server.id, 'fault.traceback': ANY }, tracebackContains: '_swap_volume' },
        ],
        [
          'compute-exception',
          {
            kind: 'exception',
            sample: 'compute-exception',
            publisherId: `nova-compute:${h.sim.config.confHost}`,
            faultOf: 'instance-volume_swap-error',
            tracebackContains: '_swap_volume',
            note:
              "compute-exception.json is nova-api's AggregateNameExists (test_exception_notification.py, checked against the sample by the exception-notification scenario); " +
              "this is nova-compute's compute.exception of the swap error, which Nova's test only checks for '_swap_volume' in the traceback. " +
              "Checked: event type, priority, publisher nova-compute:<CONF.host>, ExceptionPayload name/namespace/version and keys equal to the sample's, " +
              "exception fields equal to the swap error's fault (instance-volume_swap-error.json), '_swap_volume' in the traceback.",
          },
        ],
      ]),
      notes: profile === 'master' ? [MIGRATING_NOTE] : [],
    };
  },
};

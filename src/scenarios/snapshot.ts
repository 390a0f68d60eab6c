// test_instance.py TestInstanceNotificationSample.test_instance_action / _test_snapshot_server:
// createImage {"name": "test-snap"} as `api`, wait for instance.snapshot.end, exactly 2 notifications.
import { expectEventTypes, record, serverReplacements } from './expect.js';
import type { SampleHarness } from './harness.js';
import { PORT_1, SWAP_OLD_VOL } from './nova-fixtures.js';
import type { Scenario, ScenarioResult } from './types.js';

const COMPUTE = '/compute/v2.1';

export const snapshotServer: Scenario = {
  name: 'snapshot',
  nova: 'test_instance.py TestInstanceNotificationSample.test_instance_action / _test_snapshot_server',
  async run(h: SampleHarness): Promise<ScenarioResult> {
    const server = await h.bootServer({ networks: [{ port: PORT_1 }] });
    await h.attachVolume(server, SWAP_OLD_VOL);
    h.resetNotifications();
    const response = await h.request('POST', `${COMPUTE}/servers/${server.id}/action`, { createImage: { name: 'test-snap' } }, 202);
    await h.sim.idle();
    const ns = h.notifications();
    const replacements = { ...serverReplacements(server), snapshot_image_id: response.image_id };
    return {
      name: this.name,
      nova: this.nova,
      problems: [
        ...expectEventTypes(ns, ['instance.snapshot.start', 'instance.snapshot.end']),
        ...(typeof response.image_id === 'string' ? [] : [`createImage answered ${JSON.stringify(response)}, expected {"image_id": …}`]),
      ],
      recorded: record(ns, [
        ['instance-snapshot-start', { kind: 'sample', sample: 'instance-snapshot-start', replacements }],
        ['instance-snapshot-end', { kind: 'sample', sample: 'instance-snapshot-end', replacements }],
      ]),
      notes: ['Nova runs this step inside test_instance_action on one server after the earlier steps; novasim runs it on a freshly booted server with SWAP_OLD_VOL attached, the state every step starts from.'],
    };
  },
};

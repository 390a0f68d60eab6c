// test_compute_task.py TestComputeTaskNotificationSample.test_rebuild_fault: a server on a NUMA flavor,
// its (only) nova-compute forced down, evacuated without a host: the scheduler starts, ignore_hosts
// leaves nothing, and the conductor sends compute_task.rebuild_server.error.
import { ANY } from '../testing/match-sample.js';
import { expectEventTypes, notCompared, record } from './expect.js';
import type { SampleHarness } from './harness.js';
import { PORT_1, TEST_FLAVOR } from './nova-fixtures.js';
import type { Scenario, ScenarioResult } from './types.js';

const COMPUTE = '/compute/v2.1';

export const computeTaskRebuildFault: Scenario = {
  name: 'compute-task-rebuild-fault',
  nova: 'test_compute_task.py TestComputeTaskNotificationSample.test_rebuild_fault',
  async run(h: SampleHarness): Promise<ScenarioResult> {
    await h.request('POST', `${COMPUTE}/flavors/${TEST_FLAVOR}/os-extra_specs`, { extra_specs: { 'hw:numa_nodes': '1', 'hw:numa_cpus.0': '0', 'hw:numa_mem.0': '512' } }, 200, { admin: true });
    const server = await h.bootServer({ networks: [{ port: PORT_1 }] });
    const svc = (await h.request('GET', `${COMPUTE}/os-services?binary=nova-compute`, undefined, 200, { admin: true })).services as { id: string }[];
    await h.request('PUT', `${COMPUTE}/os-services/${svc[0].id}`, { forced_down: true }, 200, { admin: true, version: '2.53' });
    h.resetNotifications();
    await h.request('POST', `${COMPUTE}/servers/${server.id}/action`, { evacuate: {} }, 200, { admin: true });
    await h.sim.idle();
    const ns = h.notifications();
    return {
      name: this.name,
      nova: this.nova,
      problems: expectEventTypes(ns, ['instance.evacuate', 'scheduler.select_destinations.start', 'compute_task.rebuild_server.error']),
      recorded: record(ns, [
        ['instance-evacuate-fault', notCompared()],
        ['scheduler-select_destinations-start-fault', notCompared()],
        ['compute_task-rebuild_server-error', {
          kind: 'sample', sample: 'compute_task-rebuild_server-error',
          replacements: {
            instance_uuid: server.id, 'request_spec.instance_uuid': server.id, 'request_spec.security_groups': [],
            'request_spec.numa_topology.instance_uuid': server.id, 'request_spec.pci_requests.instance_uuid': server.id,
            'reason.function_name': ANY, 'reason.module_name': ANY, 'reason.traceback': ANY,
          },
        }],
      ]),
      notes: [],
    };
  },
};

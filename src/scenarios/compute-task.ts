// nova/tests/functional/notification_sample_tests/test_compute_task.py
// TestComputeTaskNotificationSample.test_build_instances_fault: the only nova-compute is forced
// down, a server asking for a one-cell NUMA topology is booted and goes to ERROR; the conductor
// sends compute_task.build_instances.error with the RequestSpec and NoValidHost.
// (test_rebuild_fault needs evacuate, which belongs to the rebuild/evacuate family.)
import { ANY } from '../testing/match-sample.js';
import { PORT_1 } from './nova-fixtures.js';
import { expectEventTypes, record } from './expect.js';
import type { Scenario } from './types.js';

export const buildInstancesFault: Scenario = {
  name: 'compute_task-build_instances-error',
  nova: 'test_compute_task.py TestComputeTaskNotificationSample.test_build_instances_fault',
  async run(h) {
    const found = await h.request('GET', '/compute/v2.1/os-services?binary=nova-compute', undefined, 200, { admin: true });
    const serviceId = (found.services as { id: string }[])[0]?.id ?? '';
    await h.request('PUT', `/compute/v2.1/os-services/${serviceId}`, { forced_down: true }, 200, { admin: true });
    h.resetNotifications();
    const server = await h.bootServer({ networks: [{ port: PORT_1 }] }, 'ERROR', {
      additionalExtraSpecs: { 'hw:numa_nodes': 1, 'hw:numa_cpus.0': '0', 'hw:numa_mem.0': 512 },
    });
    const ns = h.notifications();
    return {
      name: this.name, nova: this.nova, notes: [],
      // 0. scheduler.select_destinations.start  1. compute_task.build_instances.error
      problems: expectEventTypes(ns, ['scheduler.select_destinations.start', 'compute_task.build_instances.error']),
      recorded: record(ns.slice(1), [[
        'compute_task-build_instances-error',
        {
          kind: 'sample', sample: 'compute_task-build_instances-error',
          replacements: {
            instance_uuid: server.id,
            'request_spec.instance_uuid': server.id,
            'request_spec.security_groups': [],
            'request_spec.numa_topology.instance_uuid': server.id,
            'request_spec.pci_requests.instance_uuid': server.id,
            'reason.function_name': ANY,
            'reason.module_name': ANY,
            'reason.traceback': ANY,
          },
        },
      ]]),
    };
  },
};

// test_instance.py (nova/tests/functional/notification_sample_tests) steps of the shelve and
// deferred-delete family: _test_shelve_and_shelve_offload_server, _test_unshelve_server,
// _test_restore_server, _test_soft_delete_server (steps of test_instance_action, each run here on
// a freshly booted server with SWAP_OLD_VOL attached) and test_delete_server_while_compute_is_down.
import { expectEventTypes, notCompared, record, serverReplacements } from './expect.js';
import { ScenarioError, type SampleHarness, type Server } from './harness.js';
import { expectServer, serverAction } from './instance-actions.js';
import { PORT_1, SWAP_OLD_VOL } from './nova-fixtures.js';
import type { Check, Recorded, Scenario, ScenarioResult } from './types.js';

const COMPUTE = '/compute/v2.1';
const NOVA = 'test_instance.py TestInstanceNotificationSample';
const STEP_NOTE = 'Nova runs this step inside test_instance_action on one server after the earlier steps; novasim runs it on a freshly booted server with SWAP_OLD_VOL attached, the state every step starts from.';

async function bootAndAttach(h: SampleHarness): Promise<Server> {
  const server = await h.bootServer({ networks: [{ port: PORT_1 }] });
  await h.attachVolume(server, SWAP_OLD_VOL);
  return server;
}

const sample = (server: Server, name: string): [string, Check] => [name, { kind: 'sample', sample: name, replacements: serverReplacements(server) }];

/** _wait_for_server_parameter(server, {'status': …, 'OS-EXT-SRV-ATTR:host': None}). */
async function expectOffloaded(h: SampleHarness, server: Server): Promise<void> {
  const shown = (await h.request('GET', `${COMPUTE}/servers/${server.id}`, undefined, 200, { admin: true })).server as Record<string, unknown>;
  if (shown.status !== 'SHELVED_OFFLOADED' || shown['OS-EXT-SRV-ATTR:host'] !== null) {
    throw new ScenarioError(`server ${server.id}: status ${String(shown.status)}, host ${String(shown['OS-EXT-SRV-ATTR:host'])}; expected SHELVED_OFFLOADED without a host`);
  }
}

export const shelveAndOffload: Scenario = {
  name: 'shelve-and-shelve-offload',
  nova: `${NOVA}.test_instance_action / _test_shelve_and_shelve_offload_server`,
  flags: { shelvedOffloadTime: -1 },
  async run(h): Promise<ScenarioResult> {
    const server = await bootAndAttach(h);
    h.resetNotifications();
    await serverAction(h, server, { shelve: {} });
    await expectServer(h, server, { status: 'SHELVED' });
    const shelveNs = h.notifications();
    const problems = expectEventTypes(shelveNs, ['instance.exists', 'instance.shelve.start', 'instance.shelve.end']);
    const recorded: Recorded[] = record(shelveNs, [['instance-exists-shelve', notCompared()], sample(server, 'instance-shelve-start'), sample(server, 'instance-shelve-end')]);
    h.resetNotifications();
    await serverAction(h, server, { shelveOffload: {} });
    await expectOffloaded(h, server);
    const offloadNs = h.notifications();
    problems.push(...expectEventTypes(offloadNs, ['instance.shelve_offload.start', 'instance.shelve_offload.end']));
    recorded.push(...record(offloadNs, [sample(server, 'instance-shelve_offload-start'), sample(server, 'instance-shelve_offload-end')]));
    await serverAction(h, server, { unshelve: null });
    await expectServer(h, server, { status: 'ACTIVE' });
    if (!h.notifications().some((n) => n.event_type === 'instance.unshelve.end')) problems.push('no instance.unshelve.end after the final unshelve');
    return { name: this.name, nova: this.nova, problems, recorded, notes: [STEP_NOTE, 'The first window starts with instance.exists (notify_usage_exists), counted but not compared by Nova.'] };
  },
};

export const unshelveServer: Scenario = {
  name: 'unshelve',
  nova: `${NOVA}.test_instance_action / _test_unshelve_server`,
  flags: { shelvedOffloadTime: 0 },
  async run(h): Promise<ScenarioResult> {
    const server = await bootAndAttach(h);
    h.resetNotifications();
    await serverAction(h, server, { shelve: {} });
    await expectOffloaded(h, server);
    await serverAction(h, server, { unshelve: null });
    await expectServer(h, server, { status: 'ACTIVE' });
    const ns = h.notifications();
    const order = [
      'instance.exists', 'instance.shelve.start', 'instance.shelve.end', 'instance.shelve_offload.start', 'instance.shelve_offload.end',
      'scheduler.select_destinations.start', 'scheduler.select_destinations.end', 'instance.unshelve.start', 'instance.unshelve.end',
    ];
    return { name: this.name, nova: this.nova, problems: expectEventTypes(ns, order),
      recorded: ns.length === order.length ? record(ns.slice(7), [sample(server, 'instance-unshelve-start'), sample(server, 'instance-unshelve-end')]) : [], notes: [STEP_NOTE, "Nova counts 9 notifications and compares the last two; the first seven are checked for type and order only."] };
  },
};

export const restoreServer: Scenario = {
  name: 'restore',
  nova: `${NOVA}.test_instance_action / _test_restore_server`,
  flags: { reclaimInstanceInterval: 30 },
  async run(h): Promise<ScenarioResult> {
    const server = await bootAndAttach(h);
    await h.request('DELETE', `${COMPUTE}/servers/${server.id}`, undefined, 204);
    await h.sim.idle();
    await expectServer(h, server, { status: 'SOFT_DELETED' });
    h.resetNotifications();
    await serverAction(h, server, { restore: {} });
    await expectServer(h, server, { status: 'ACTIVE' });
    const ns = h.notifications();
    return {
      name: this.name, nova: this.nova,
      problems: expectEventTypes(ns, ['instance.restore.start', 'instance.restore.end']),
      recorded: record(ns, [sample(server, 'instance-restore-start'), sample(server, 'instance-restore-end')]),
      notes: [STEP_NOTE],
    };
  },
};

export const softDeleteServer: Scenario = {
  name: 'soft-delete',
  nova: `${NOVA}.test_instance_action / _test_soft_delete_server`,
  flags: { reclaimInstanceInterval: 30 },
  async run(h): Promise<ScenarioResult> {
    const server = await bootAndAttach(h);
    h.resetNotifications();
    await h.request('DELETE', `${COMPUTE}/servers/${server.id}`, undefined, 204);
    await h.sim.idle();
    await expectServer(h, server, { status: 'SOFT_DELETED' });
    const ns = h.notifications();
    const problems = expectEventTypes(ns, ['instance.soft_delete.start', 'instance.soft_delete.end']);
    const recorded = record(ns, [sample(server, 'instance-soft_delete-start'), sample(server, 'instance-soft_delete-end')]);
    // "Leave instance in normal, active state".
    await serverAction(h, server, { restore: {} });
    await expectServer(h, server, { status: 'ACTIVE' });
    return { name: this.name, nova: this.nova, problems, recorded, notes: [STEP_NOTE] };
  },
};

export const deleteWhileComputeDown: Scenario = {
  name: 'delete-compute-down',
  nova: `${NOVA}.test_delete_server_while_compute_is_down`,
  async run(h): Promise<ScenarioResult> {
    const server = await bootAndAttach(h);
    const services = (await h.request('GET', `${COMPUTE}/os-services?binary=nova-compute`, undefined, 200, { admin: true })).services as { id: string }[];
    const serviceId = services[0]?.id;
    if (!serviceId) throw new ScenarioError('no nova-compute service');
    await h.request('PUT', `${COMPUTE}/os-services/${serviceId}`, { forced_down: true }, 200, { admin: true });
    h.resetNotifications();
    await h.deleteServer(server);
    const ns = h.notifications();
    await h.request('PUT', `${COMPUTE}/os-services/${serviceId}`, { forced_down: false }, 200, { admin: true });
    return {
      name: this.name, nova: this.nova,
      problems: expectEventTypes(ns, ['instance.delete.start', 'instance.delete.end']),
      recorded: record(ns, [sample(server, 'instance-delete-start_compute_down'), sample(server, 'instance-delete-end_compute_down')]),
      notes: [],
    };
  },
};

export const SHELVE_DELETE_SCENARIOS: readonly Scenario[] = [shelveAndOffload, unshelveServer, restoreServer, softDeleteServer, deleteWhileComputeDown];

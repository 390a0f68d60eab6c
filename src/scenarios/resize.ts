// Resize samples (test_instance.py TestInstanceNotificationSample): _test_resize_and_revert_server
// (a step of test_instance_action: the server has SWAP_OLD_VOL attached) and test_resize_confirm_server.
// Both set allow_resize_to_same_host (Nova's self.flags); the sample environment has one compute host.
import { expectEventTypes, notCompared, record, serverReplacements } from './expect.js';
import { ScenarioError, type SampleHarness, type Server } from './harness.js';
import { IMAGE_1, PORT_1, SWAP_OLD_VOL, TEST_FLAVOR } from './nova-fixtures.js';
import { ANY } from '../testing/match-sample.js';
import type { Check, Recorded, Recorded4, Scenario } from './types.js';

const COMPUTE = '/compute/v2.1';
const NOVA = 'test_instance.py TestInstanceNotificationSample';

/** self.flags(allow_resize_to_same_host=True). */
function allowSameHost(h: SampleHarness): void {
  h.sim.services.config.allowResizeToSameHost = true;
}

async function postAction(h: SampleHarness, server: Server, body: Record<string, unknown>, status = 202): Promise<void> {
  await h.request('POST', `${COMPUTE}/servers/${server.id}/action`, body, status);
  await h.sim.idle();
}

/** _wait_for_state_change(server, status). */
async function waitStatus(h: SampleHarness, server: Server, status: string): Promise<void> {
  const shown = (await h.request('GET', `${COMPUTE}/servers/${server.id}`, undefined, 200)).server as { status: string };
  if (shown.status !== status) throw new ScenarioError(`server ${server.id} is ${shown.status}, expected ${status}`);
}

const checks = (server: Server, samples: string[]): [string, Check][] =>
  samples.map((sample) => [sample, { kind: 'sample', sample, replacements: serverReplacements(server) }]);

/** versioned_notifications.pop(0) of the instance.exists Nova's test ignores (not compared: no sample for this step). */
function popExists(ns: Recorded4[], problems: string[]): Recorded4[] {
  if (ns[0]?.event_type !== 'instance.exists') {
    problems.push(`notification [0] is ${ns[0]?.event_type ?? 'missing'}, expected instance.exists`);
    return ns;
  }
  return ns.slice(1);
}

export const resizeAndRevert: Scenario = {
  name: 'resize-revert',
  nova: `${NOVA}.test_instance_action / _test_resize_and_revert_server`,
  async run(h) {
    const server = await h.bootServer({ networks: [{ port: PORT_1 }] });
    await h.attachVolume(server, SWAP_OLD_VOL);
    allowSameHost(h);
    const flavor = { name: 'other_flavor', ram: 256, vcpus: 1, disk: 1, id: 'd5a8bb54-365a-45ae-abdb-38d249df7845' };
    await h.request('POST', `${COMPUTE}/flavors`, { flavor }, 200, { admin: true });
    await h.request('POST', `${COMPUTE}/flavors/${flavor.id}/os-extra_specs`, { extra_specs: { 'hw:watchdog_action': 'reset' } }, 200, { admin: true });
    h.resetNotifications();
    await postAction(h, server, { resize: { flavorRef: flavor.id } });
    await waitStatus(h, server, 'VERIFY_RESIZE');
    h.popSchedulerNotifications();
    const problems: string[] = [];
    const resized = h.notifications();
    // 7: instance.exists (popped, ignored) and the six below.
    const resizeSamples = ['instance-resize_prep-start', 'instance-resize_prep-end', 'instance-resize-start', 'instance-resize-end', 'instance-resize_finish-start', 'instance-resize_finish-end'];
    problems.push(...expectEventTypes(resized, ['instance.exists', ...resizeSamples.map((s) => s.replace(/-/g, '.'))]));
    const afterExists = popExists(resized, problems);
    const recorded: Recorded[] = [
      ...(resized[0] ? [{ file: 'instance-exists', notification: resized[0], check: notCompared("Nova's test pops this instance.exists and ignores it") }] : []),
      ...record(afterExists, checks(server, resizeSamples)),
    ];
    h.resetNotifications();
    await postAction(h, server, { revertResize: null });
    await waitStatus(h, server, 'ACTIVE');
    const reverted = h.notifications();
    problems.push(...expectEventTypes(reverted, ['instance.exists', 'instance.resize_revert.start', 'instance.resize_revert.end']));
    const revertWindow = popExists(reverted, problems);
    recorded.push(...record(revertWindow, checks(server, ['instance-resize_revert-start', 'instance-resize_revert-end'])));
    return {
      name: this.name, nova: this.nova, problems, recorded,
      notes: [
        'Nova runs this step inside test_instance_action after the earlier steps; novasim runs it on a freshly booted server with SWAP_OLD_VOL attached.',
        'instance.exists comes from compute_utils.notify_usage_exists in prep_resize and revert_resize; Nova pops it unchecked, and so does this scenario.',
      ],
    };
  },
};

export const resizeConfirm: Scenario = {
  name: 'resize-confirm',
  nova: `${NOVA}.test_resize_confirm_server`,
  async run(h) {
    // Nova's functional database has the default flavors; the sample environment here seeds only
    // test_flavor, so m1.small (id 2) is created as Nova's defaults define it.
    await h.request('POST', `${COMPUTE}/flavors`, { flavor: { name: 'm1.small', ram: 2048, vcpus: 1, disk: 20, id: '2' } }, 200, { admin: true });
    const server = await h.bootServer({ networks: [{ port: PORT_1 }] });
    await h.attachVolume(server, SWAP_OLD_VOL);
    await h.request('POST', `${COMPUTE}/flavors/2/os-extra_specs`, { extra_specs: { 'hw:watchdog_action': 'disabled' } }, 200, { admin: true });
    allowSameHost(h);
    await postAction(h, server, { resize: { flavorRef: '2' } });
    await waitStatus(h, server, 'VERIFY_RESIZE');
    h.resetNotifications();
    await postAction(h, server, { confirmResize: null }, 204);
    await waitStatus(h, server, 'ACTIVE');
    const ns = h.notifications();
    const samples = ['instance-resize_confirm-start', 'instance-resize_confirm-end'];
    return {
      name: this.name, nova: this.nova,
      problems: expectEventTypes(ns, samples.map((s) => s.replace(/-/g, '.'))),
      recorded: record(ns, checks(server, samples)),
      notes: ["m1.small (id 2) is created through the API before the boot: Nova's functional database has it as a default flavor."],
    };
  },
};

/**
 * test_resize_server_error_but_reschedule_was_success: _prep_resize raises FlavorDiskTooSmall on the
 * chosen host and the resize is rescheduled. Nova mocks conductor's resize_instance (its environment
 * has no alternate host); here a second compute host is the alternate the reschedule really goes to,
 * so `compute` must be the scheduler's first choice: a filler server on compute-2 leaves it less free RAM.
 */
export const resizeErrorRescheduled: Scenario = {
  name: 'resize-error-rescheduled',
  nova: `${NOVA}.test_resize_server_error_but_reschedule_was_success`,
  flags: { computeHosts: 2 },
  async run(h) {
    await h.request('POST', `${COMPUTE}/flavors`, { flavor: { name: 'filler', ram: 4096, vcpus: 1, disk: 1, id: 'filler' } }, 200, { admin: true });
    await h.request('POST', `${COMPUTE}/servers`, { server: { name: 'filler', imageRef: IMAGE_1, flavorRef: 'filler', networks: 'none', availability_zone: 'nova:compute-2' } }, 202, { admin: true });
    await h.sim.idle();
    // The filler is not part of Nova's test: its notifications go before the test's boot is counted.
    h.resetNotifications();
    const server = await h.bootServer({ networks: [{ port: PORT_1 }] });
    allowSameHost(h);
    const flavor = { name: 'other_flavor_error', ram: 512, vcpus: 1, disk: 1, id: 'a22d5517-147c-4147-a0d1-e698df5cd4e9' };
    await h.request('POST', `${COMPUTE}/flavors`, { flavor }, 200, { admin: true });
    h.resetNotifications();
    // mock.patch('nova.compute.manager.ComputeManager._prep_resize', side_effect=_build_resources).
    h.sim.faults.add({
      service: 'compute', operation: 'compute.prep_resize', match: { instance_uuid: server.id },
      error: { exception: 'FlavorDiskTooSmall', message: "The created instance's disk would be too small.", module: 'nova.tests.functional.notification_sample_tests.test_instance', function: '_build_resources' },
    });
    await postAction(h, server, { resize: { flavorRef: flavor.id } });
    // The rescheduled resize completes on the alternate.
    await waitStatus(h, server, 'VERIFY_RESIZE');
    h.popSchedulerNotifications();
    const ns = h.notifications();
    // 0: instance-exists, 1: instance-resize_prep-start, 2: instance-resize-error, 3: instance-resize_prep-end
    const problems = expectEventTypes(ns, ['instance.exists', 'instance.resize_prep.start', 'instance.resize.error', 'instance.resize_prep.end'], { atLeast: 2 });
    const recorded: Recorded[] = ns[2]
      ? [{
          file: 'instance-resize-error', notification: ns[2],
          check: { kind: 'sample', sample: 'instance-resize-error', replacements: { ...serverReplacements(server), 'fault.traceback': ANY }, tracebackContains: "FlavorDiskTooSmall: The created instance's disk would be too small." },
        }]
      : [];
    return {
      name: this.name, nova: this.nova, problems, recorded,
      notes: [
        "Nova's test has one compute host and mocks the reschedule; novasim runs two and reschedules to compute-2 for real (a filler server on compute-2 makes compute the first choice).",
        "Nova asserts the traceback contains its mock's source line 'raise exception.FlavorDiskTooSmall()'; novasim asserts the exception line instead.",
      ],
    };
  },
};

/**
 * test_compute_task.py test_migrate_fault: a server whose flavor asks for one NUMA node, its only
 * compute service disabled, then an admin cold migrate: 202, and conductor's NoValidHost as
 * compute_task.migrate_server.error (placement offers no candidate, so the scheduler sends nothing).
 */
export const migrateFault: Scenario = {
  name: 'compute-task-migrate-fault',
  nova: 'test_compute_task.py TestComputeTaskNotificationSample.test_migrate_fault',
  async run(h) {
    // _boot_a_server(additional_extra_specs=…): test_flavor gets them next to hw:watchdog_action.
    await h.request('POST', `${COMPUTE}/flavors/${TEST_FLAVOR}/os-extra_specs`, { extra_specs: { 'hw:numa_nodes': '1', 'hw:numa_cpus.0': '0', 'hw:numa_mem.0': '512' } }, 200, { admin: true });
    const server = await h.bootServer({ networks: [{ port: PORT_1 }] });
    const services = (await h.request('GET', `${COMPUTE}/os-services?binary=nova-compute`, undefined, 200, { admin: true })).services as { id: string }[];
    await h.request('PUT', `${COMPUTE}/os-services/${services[0].id}`, { status: 'disabled' }, 200, { admin: true, version: '2.53' });
    h.resetNotifications();
    await h.request('POST', `${COMPUTE}/servers/${server.id}/action`, { migrate: null }, 202, { admin: true });
    await h.sim.idle();
    await waitStatus(h, server, 'ACTIVE');
    const ns = h.notifications();
    const replacements = {
      instance_uuid: server.id, 'request_spec.instance_uuid': server.id, 'request_spec.security_groups': [],
      'request_spec.numa_topology.instance_uuid': server.id, 'request_spec.pci_requests.instance_uuid': server.id,
      'reason.exception_message': 'No valid host was found. ', 'reason.function_name': ANY, 'reason.module_name': ANY, 'reason.traceback': ANY,
    };
    return {
      name: this.name, nova: this.nova,
      problems: expectEventTypes(ns, ['compute_task.migrate_server.error']),
      recorded: record(ns, [['compute_task-migrate_server-error', { kind: 'sample', sample: 'compute_task-migrate_server-error', replacements }]]),
      notes: [],
    };
  },
};

export const RESIZE_SCENARIOS: readonly Scenario[] = [resizeAndRevert, resizeConfirm, resizeErrorRescheduled, migrateFault];

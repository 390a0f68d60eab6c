// The server-action steps of test_instance.py TestInstanceNotificationSample.test_instance_action
// (nova/tests/functional/notification_sample_tests): Nova boots one server with port_1, attaches
// SWAP_OLD_VOL, then resets the notifier before each step. Here each step is its own scenario on
// a fresh, identically prepared server, so one step can be run (and fail) on its own.
import { ANY } from '../testing/match-sample.js';
import { expectEventTypes, record, serverReplacements } from './expect.js';
import { ScenarioError, type SampleHarness, type Server } from './harness.js';
import { PORT_1, SWAP_OLD_VOL } from './nova-fixtures.js';
import type { Check, Recorded4, Scenario, ScenarioResult } from './types.js';

const COMPUTE = '/compute/v2.1';
const NOVA = 'test_instance.py TestInstanceNotificationSample.test_instance_action';

async function bootAndAttach(h: SampleHarness): Promise<Server> {
  const server = await h.bootServer({ networks: [{ port: PORT_1 }] });
  await h.attachVolume(server, SWAP_OLD_VOL);
  return server;
}

/** api.post_server_action(id, body), then let nova-compute finish (the test's _wait_for_*). */
export async function serverAction(h: SampleHarness, server: Server, body: Record<string, unknown>, opts: { admin?: boolean } = {}): Promise<void> {
  await h.request('POST', `${COMPUTE}/servers/${server.id}/action`, body, 202, opts);
  await h.sim.idle();
}

/** _wait_for_state_change(server, status) / _wait_for_server_parameter. */
export async function expectServer(h: SampleHarness, server: Server, want: Record<string, unknown>): Promise<void> {
  const shown = (await h.request('GET', `${COMPUTE}/servers/${server.id}`, undefined, 200)).server as Record<string, unknown>;
  for (const [k, v] of Object.entries(want)) {
    if (shown[k] !== v) throw new ScenarioError(`server ${server.id}: ${k} is ${JSON.stringify(shown[k])}, expected ${JSON.stringify(v)}`);
  }
}

interface Step {
  name: string;
  /** The _test_* method of test_instance_action. */
  method: string;
  /** Drive the API; return the notification window Nova's step inspects. */
  act(h: SampleHarness, server: Server): Promise<void>;
  /** The samples, in the order Nova's step checks them (one per notification). */
  samples: string[];
  /** Extra replacements for a sample (e.g. the fault traceback). */
  replace?: Record<string, Record<string, unknown>>;
  /** Nova asserts the count when the last awaited notification arrives; later ones may follow. */
  atLeast?: number;
  tracebackContains?: Record<string, string>;
  notes?: string[];
}

function stepScenario(step: Step): Scenario {
  return {
    name: step.name,
    nova: `${NOVA} / ${step.method}`,
    async run(h): Promise<ScenarioResult> {
      const server = await bootAndAttach(h);
      h.resetNotifications();
      await step.act(h, server);
      const ns: Recorded4[] = h.notifications();
      const replacements = serverReplacements(server);
      const eventTypes = step.samples.map((s) => eventTypeOf(s));
      return {
        name: this.name,
        nova: this.nova,
        problems: expectEventTypes(ns, eventTypes, step.atLeast !== undefined ? { atLeast: step.atLeast } : {}),
        recorded: record(
          ns,
          step.samples.map((sample): [string, Check] => [
            sample,
            { kind: 'sample', sample, replacements: { ...replacements, ...step.replace?.[sample] }, ...(step.tracebackContains?.[sample] ? { tracebackContains: step.tracebackContains[sample] } : {}) },
          ]),
        ),
        notes: [
          'Nova runs this step inside test_instance_action on one server after the earlier steps; novasim runs it on a freshly booted server with SWAP_OLD_VOL attached, the state every step starts from.',
          ...(step.notes ?? []),
        ],
      };
    },
  };
}

/** instance-power_off-start → instance.power_off.start; instance-lock-with-reason → instance.lock. */
function eventTypeOf(sample: string): string {
  if (sample === 'instance-lock-with-reason') return 'instance.lock';
  return sample.replace(/-/g, '.');
}

export const powerOffOn = stepScenario({
  name: 'power-off-on',
  method: '_test_power_off_on_server',
  async act(h, server) {
    await serverAction(h, server, { 'os-stop': {} });
    await expectServer(h, server, { status: 'SHUTOFF' });
    await serverAction(h, server, { 'os-start': {} });
    await expectServer(h, server, { status: 'ACTIVE' });
  },
  samples: ['instance-power_off-start', 'instance-power_off-end', 'instance-power_on-start', 'instance-power_on-end'],
});

export const suspendResume = stepScenario({
  name: 'suspend-resume',
  method: '_test_suspend_resume_server',
  async act(h, server) {
    await serverAction(h, server, { suspend: {} });
    await expectServer(h, server, { status: 'SUSPENDED' });
    await serverAction(h, server, { resume: null });
    await expectServer(h, server, { status: 'ACTIVE' });
  },
  samples: ['instance-suspend-start', 'instance-suspend-end', 'instance-resume-start', 'instance-resume-end'],
});

export const pauseUnpause = stepScenario({
  name: 'pause-unpause',
  method: '_test_pause_unpause_server',
  async act(h, server) {
    await serverAction(h, server, { pause: {} });
    await expectServer(h, server, { status: 'PAUSED' });
    await serverAction(h, server, { unpause: {} });
    await expectServer(h, server, { status: 'ACTIVE' });
  },
  samples: ['instance-pause-start', 'instance-pause-end', 'instance-unpause-start', 'instance-unpause-end'],
});

export const rebootServer = stepScenario({
  name: 'reboot',
  method: '_test_reboot_server',
  async act(h, server) {
    await serverAction(h, server, { reboot: { type: 'HARD' } });
  },
  samples: ['instance-reboot-start', 'instance-reboot-end'],
});

export const rebootServerError = stepScenario({
  name: 'reboot-error',
  method: '_test_reboot_server_error',
  async act(h, server) {
    // Nova mocks SmallFakeDriver.reboot to raise UnsupportedVirtType(virt="FakeVirt") from _hard_reboot.
    h.sim.faults.add({
      service: 'compute',
      operation: 'driver.reboot',
      match: { instance_uuid: server.id },
      error: {
        exception: 'UnsupportedVirtType',
        message: "Virtualization type 'FakeVirt' is not supported by this compute driver",
        module: 'nova.tests.functional.notification_sample_tests.test_instance',
        function: '_hard_reboot',
      },
    });
    await serverAction(h, server, { reboot: { type: 'HARD' } });
  },
  samples: ['instance-reboot-start', 'instance-reboot-error'],
  replace: { 'instance-reboot-error': { 'fault.traceback': ANY } },
  tracebackContains: { 'instance-reboot-error': "UnsupportedVirtType: Virtualization type 'FakeVirt' is not supported by this compute driver" },
  atLeast: 2,
  notes: [
    "Nova's _reboot_instance swallows the error while the guest still runs and goes on to instance.reboot.end; its test asserts the count (2) as soon as instance.reboot.error arrives, before that third notification. novasim sends all three; the first two are compared.",
    "Nova asserts the traceback contains its mock's source line 'raise exception.UnsupportedVirtType'; novasim asserts the exception line instead.",
  ],
});

export const triggerCrashDump = stepScenario({
  name: 'trigger-crash-dump',
  method: '_test_trigger_crash_dump',
  async act(h, server) {
    await serverAction(h, server, { trigger_crash_dump: null });
  },
  samples: ['instance-trigger_crash_dump-start', 'instance-trigger_crash_dump-end'],
});

export const lockUnlock = stepScenario({
  name: 'lock-unlock',
  method: '_test_lock_unlock_instance',
  async act(h, server) {
    await serverAction(h, server, { lock: {} });
    await expectServer(h, server, { locked: true });
    await serverAction(h, server, { unlock: {} });
    await expectServer(h, server, { locked: false });
  },
  samples: ['instance-lock', 'instance-unlock'],
});

export const lockUnlockWithReason = stepScenario({
  name: 'lock-unlock-with-reason',
  method: '_test_lock_unlock_instance_with_reason',
  async act(h, server) {
    await serverAction(h, server, { lock: { locked_reason: 'global warming' } });
    await expectServer(h, server, { locked: true });
    await serverAction(h, server, { unlock: {} });
    await expectServer(h, server, { locked: false });
  },
  samples: ['instance-lock-with-reason', 'instance-unlock'],
});


/** Nova's test reads [0] and [2]; [1] is instance.exists (notify_usage_exists), counted only. */
export const rescueUnrescue: Scenario = {
  name: 'rescue-unrescue',
  nova: `${NOVA} / _test_rescue_unrescue_server`,
  async run(h): Promise<ScenarioResult> {
    const server = await bootAndAttach(h);
    const replacements = serverReplacements(server);
    h.resetNotifications();
    await h.request('POST', `${COMPUTE}/servers/${server.id}/action`, { rescue: { rescue_image_ref: 'a2459075-d96c-40d5-893e-577ff92e721c' } }, 200);
    await h.sim.idle();
    await expectServer(h, server, { status: 'RESCUE' });
    const rescue = h.notifications();
    h.resetNotifications();
    await serverAction(h, server, { unrescue: null });
    await expectServer(h, server, { status: 'ACTIVE' });
    const unrescue = h.notifications();
    const sample = (name: string): Check => ({ kind: 'sample', sample: name, replacements });
    return {
      name: this.name,
      nova: this.nova,
      problems: [
        ...expectEventTypes(rescue, ['instance.rescue.start', 'instance.exists', 'instance.rescue.end']),
        ...expectEventTypes(unrescue, ['instance.unrescue.start', 'instance.unrescue.end']),
      ],
      recorded: [
        ...record([rescue[0], rescue[2]].filter(Boolean), [['instance-rescue-start', sample('instance-rescue-start')], ['instance-rescue-end', sample('instance-rescue-end')]]),
        ...record(unrescue, [['instance-unrescue-start', sample('instance-unrescue-start')], ['instance-unrescue-end', sample('instance-unrescue-end')]]),
      ],
      notes: ['Nova runs this step inside test_instance_action on one server after the earlier steps; novasim runs it on a freshly booted server with SWAP_OLD_VOL attached.', "instance.exists between rescue.start and rescue.end is counted but, as in Nova's test, not compared."],
    };
  },
};

export const INSTANCE_ACTION_SCENARIOS: readonly Scenario[] = [
  powerOffOn, suspendResume, pauseUnpause, rebootServer, rebootServerError, triggerCrashDump, lockUnlock, lockUnlockWithReason, rescueUnrescue,
];

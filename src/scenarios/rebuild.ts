// test_instance.py TestInstanceNotificationSample: test_rebuild_server, test_rebuild_server_with_trusted_cert,
// test_rebuild_server_exc and test_instance_exists (nova/tests/functional/notification_sample_tests).
// Each boots a server with port_1, attaches SWAP_OLD_VOL, resets the notifier and rebuilds with image
// a2459075-… (a new image: conductor asks the scheduler, whose two notifications Nova pops first).
import { ANY } from '../testing/match-sample.js';
import { expectEventTypes, notCompared, record, serverReplacements } from './expect.js';
import { ScenarioError, type SampleHarness, type Server } from './harness.js';
import { PORT_1, REBUILD_IMAGE, SWAP_OLD_VOL } from './nova-fixtures.js';
import type { Check, Recorded4, Scenario, ScenarioResult } from './types.js';

const COMPUTE = '/compute/v2.1';
const NOVA = 'test_instance.py TestInstanceNotificationSample';

async function bootAndAttach(h: SampleHarness, extra: Record<string, unknown> = {}): Promise<Server> {
  const server = await h.bootServer({ networks: [{ port: PORT_1 }], ...extra });
  await h.attachVolume(server, SWAP_OLD_VOL);
  return server;
}

/** api.post_server_action(rebuild) as `api`, then _wait_for_state_change REBUILD → final status. */
async function postRebuild(h: SampleHarness, server: Server, extra: Record<string, unknown> = {}): Promise<string> {
  await h.request('POST', `${COMPUTE}/servers/${server.id}/action`, { rebuild: { imageRef: REBUILD_IMAGE, metadata: {}, ...extra } }, 202);
  const mid = ((await h.request('GET', `${COMPUTE}/servers/${server.id}`, undefined, 200)).server as { status: string }).status;
  await h.sim.idle();
  const end = ((await h.request('GET', `${COMPUTE}/servers/${server.id}`, undefined, 200)).server as { status: string }).status;
  return `${mid}->${end}`;
}

/** _pop_and_verify_dest_select_notification: take scheduler.select_destinations.start/.end out of the list. */
function popScheduler(ns: Recorded4[]): { rest: Recorded4[]; popped: number } {
  const rest = ns.filter((n) => !n.event_type.startsWith('scheduler.select_destinations.'));
  return { rest, popped: ns.length - rest.length };
}

function rebuildScenario(name: string, method: string, bootExtra: Record<string, unknown>, rebuildExtra: Record<string, unknown>, certs: boolean): Scenario {
  return {
    name,
    nova: `${NOVA}.${method}`,
    async run(h): Promise<ScenarioResult> {
      const server = await bootAndAttach(h, bootExtra);
      h.resetNotifications();
      const states = await postRebuild(h, server, rebuildExtra);
      const problems: string[] = states === 'REBUILD->ACTIVE' ? [] : [`server went ${states}, expected REBUILD->ACTIVE`];
      const { rest, popped } = popScheduler(h.notifications());
      if (popped !== 2) problems.push(`expected scheduler.select_destinations.start/.end, got ${popped} scheduler notifications`);
      problems.push(...expectEventTypes(rest, ['instance.rebuild_scheduled', 'instance.exists', 'instance.rebuild.start', 'instance.volume_detach.start', 'instance.volume_detach.end', 'instance.rebuild.end']));
      const base = serverReplacements(server);
      const r = certs ? base : { ...base, trusted_image_certificates: null };
      const detach = { ...base, task_state: 'rebuilding', architecture: null, image_uuid: REBUILD_IMAGE };
      const sample = (s: string, replacements = r): Check => ({ kind: 'sample', sample: s, replacements });
      return {
        name: this.name,
        nova: this.nova,
        problems,
        recorded: record(rest, [
          ['instance-rebuild_scheduled', sample('instance-rebuild_scheduled')],
          ['instance-exists', notCompared("Nova's test counts instance.exists here; test_instance_exists compares it")],
          ['instance-rebuild-start', sample('instance-rebuild-start')],
          ['instance-volume_detach-start', sample('instance-volume_detach-start', detach)],
          ['instance-volume_detach-end', sample('instance-volume_detach-end', detach)],
          ['instance-rebuild-end', sample('instance-rebuild-end')],
        ]),
        notes: ['The scheduler notifications Nova pops (select_destinations with _nova_check_type=rebuild) are counted, not compared.'],
      };
    },
  };
}

export const rebuildServer = rebuildScenario('rebuild', 'test_rebuild_server', {}, {}, false);
export const rebuildServerTrustedCerts = rebuildScenario(
  'rebuild-trusted-certs', 'test_rebuild_server_with_trusted_cert',
  { trusted_image_certificates: ['cert-id-1', 'cert-id-2'] }, { trusted_image_certificates: ['rebuild-cert-id-1', 'rebuild-cert-id-2'] }, true,
);

export const rebuildServerError: Scenario = {
  name: 'rebuild-error',
  nova: `${NOVA}.test_rebuild_server_exc`,
  async run(h): Promise<ScenarioResult> {
    const server = await bootAndAttach(h);
    h.resetNotifications();
    // Nova mocks ComputeManager._do_rebuild_instance_with_claim to raise VirtualInterfaceCreateException.
    h.sim.faults.add({
      service: 'compute', operation: 'manager.rebuild_claim', match: { instance_uuid: server.id },
      error: {
        exception: 'VirtualInterfaceCreateException', message: 'Virtual Interface creation failed',
        module: 'nova.tests.functional.notification_sample_tests.test_instance', function: '_virtual_interface_create_failed',
      },
    });
    const states = await postRebuild(h, server);
    const problems: string[] = states.endsWith('->ERROR') ? [] : [`server went ${states}, expected ERROR`];
    const errors = h.notifications().filter((n) => n.event_type === 'instance.rebuild.error');
    if (errors.length !== 1) problems.push(`expected 1 instance.rebuild.error, got ${errors.length}`);
    return {
      name: this.name,
      nova: this.nova,
      problems,
      recorded: record(errors, [[
        'instance-rebuild-error',
        {
          kind: 'sample', sample: 'instance-rebuild-error',
          replacements: { ...serverReplacements(server), trusted_image_certificates: null, 'fault.traceback': ANY },
          tracebackContains: 'VirtualInterfaceCreateException: Virtual Interface creation failed',
        },
      ]]),
      notes: ["Nova asserts the traceback contains its mock's line 'raise exception.VirtualInterfaceCreateException()'; novasim asserts the exception line instead."],
    };
  },
};

export const instanceExists: Scenario = {
  name: 'instance-exists',
  nova: `${NOVA}.test_instance_exists`,
  async run(h): Promise<ScenarioResult> {
    const server = await bootAndAttach(h);
    h.resetNotifications();
    const states = await postRebuild(h, server);
    if (states !== 'REBUILD->ACTIVE') throw new ScenarioError(`server went ${states}, expected REBUILD->ACTIVE`);
    const exists = h.notifications().filter((n) => n.event_type === 'instance.exists');
    return {
      name: this.name,
      nova: this.nova,
      problems: exists.length ? [] : ['no instance.exists'],
      recorded: record(exists, [['instance-exists', { kind: 'sample', sample: 'instance-exists', replacements: serverReplacements(server) }]]),
      notes: [],
    };
  },
};

export const REBUILD_SCENARIOS: readonly Scenario[] = [rebuildServer, rebuildServerTrustedCerts, rebuildServerError, instanceExists];

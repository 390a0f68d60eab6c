// test_instance.py TestInstanceNotificationSampleWithMultipleCompute.test_multiple_compute_actions
// (nova/tests/functional/notification_sample_tests): compute_driver FakeLiveMigrateDriver,
// bdms_in_notifications, a server booted on `compute` with port_1 and SWAP_OLD_VOL attached, then
// start_service('compute', host='host2'), and the live-migration steps, each after notifier.reset().
// Here each step runs on a freshly prepared server (Nova chains them on one, with an evacuate
// between), so one step can be run (and fail) on its own.
import { expectEventTypes, record, serverReplacements } from './expect.js';
import { ScenarioError, type SampleHarness, type Server } from './harness.js';
import { PORT_1, SWAP_OLD_VOL } from './nova-fixtures.js';
import type { Check, Recorded4, Scenario, ScenarioResult } from './types.js';

const COMPUTE = '/compute/v2.1';
const NOVA = 'test_instance.py TestInstanceNotificationSampleWithMultipleCompute.test_multiple_compute_actions';
const NOTE = 'Nova runs this step inside test_multiple_compute_actions on one server after the earlier steps; novasim runs it on a freshly booted server with SWAP_OLD_VOL attached and host2 started, the state the first step starts from.';

async function prepare(h: SampleHarness): Promise<Server> {
  const server = await h.bootServer({ networks: [{ port: PORT_1 }] });
  await h.attachVolume(server, SWAP_OLD_VOL);
  // "server will boot on the 'compute' host"; then self.compute2 = self.start_service('compute', host='host2').
  h.startCompute('host2');
  h.resetNotifications();
  return server;
}

const migrateLive = (h: SampleHarness, server: Server, blockMigration: boolean) =>
  h.request('POST', `${COMPUTE}/servers/${server.id}/action`, { 'os-migrateLive': { host: 'host2', block_migration: blockMigration } }, 202, { admin: true });

/** _wait_and_get_migrations, until the driver is migrating (status `running`). */
async function waitForRunningMigration(h: SampleHarness, server: Server): Promise<number> {
  const until = Date.now() + 20_000;
  for (;;) {
    const body = await h.request('GET', `${COMPUTE}/servers/${server.id}/migrations`, undefined, 200, { admin: true });
    const m = (body.migrations as { id: number; status: string }[])[0];
    if (m && m.status === 'running') return m.id;
    if (Date.now() > until) throw new ScenarioError(`server ${server.id}: no running live migration`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

async function expectStatus(h: SampleHarness, server: Server, status: string): Promise<void> {
  const shown = (await h.request('GET', `${COMPUTE}/servers/${server.id}`, undefined, 200)).server as { status: string };
  if (shown.status !== status) throw new ScenarioError(`server ${server.id} is ${shown.status}, expected ${status}`);
}

/** Each notification of `actual` compared with the sample file of the same place in `files`, under the server's replacements. */
const samples = (server: Server, actual: Recorded4[], files: string[]) =>
  record(actual, files.map((file): [string, Check] => [file, { kind: 'sample', sample: file, replacements: serverReplacements(server) }]));
const ofType = (ns: Recorded4[], t: string) => ns.filter((n) => n.event_type === t);

/** _test_live_migration_rollback: ComputeAPI.pre_live_migration mocked to raise DestinationDiskExists; cleanup flags (True, False). */
export const liveMigrationRollback: Scenario = {
  name: 'live-migration-rollback',
  nova: `${NOVA} / _test_live_migration_rollback`,
  flags: { liveMigrationMs: 20_000 },
  async run(h): Promise<ScenarioResult> {
    const server = await prepare(h);
    // The RPC call to the destination fails before the destination does anything.
    h.sim.faults.add({
      service: 'compute', operation: 'rpc.pre_live_migration', match: { instance_uuid: server.id },
      error: { exception: 'DestinationDiskExists', message: 'The supplied disk path (path) already exists, it is expected not to exist.' },
    });
    await migrateLive(h, server, true);
    await h.waitForNotification('instance.live_migration_rollback_dest.end');
    await h.waitForNotification('instance.live_migration_rollback.end');
    await h.sim.idle();
    await expectStatus(h, server, 'ACTIVE');
    const ns = h.notifications();
    const problems = expectEventTypes(ns, ['scheduler.select_destinations.start', 'scheduler.select_destinations.end', 'instance.live_migration_rollback.start', 'instance.live_migration_rollback.end', 'instance.live_migration_rollback_dest.start', 'instance.live_migration_rollback_dest.end']);
    const single = (t: string) => {
      const found = ofType(ns, t);
      if (found.length !== 1) problems.push(`expected one ${t}, got ${found.length}`);
      return found.slice(0, 1);
    };
    return {
      name: this.name, nova: this.nova, problems,
      recorded: [
        ...samples(server, ns.slice(2, 3), ['instance-live_migration_rollback-start']),
        ...samples(server, single('instance.live_migration_rollback.end'), ['instance-live_migration_rollback-end']),
        ...samples(server, single('instance.live_migration_rollback_dest.start'), ['instance-live_migration_rollback_dest-start']),
        ...samples(server, single('instance.live_migration_rollback_dest.end'), ['instance-live_migration_rollback_dest-end']),
      ],
      notes: [NOTE, "Nova mocks _live_migration_cleanup_flags to (True, False); novasim cleans up the destination after a block migration (block_migration true here), which gives the same rollback_dest notifications.", 'The failure is injected at the fault point rpc.pre_live_migration (the source\'s call to the destination), as Nova mocks ComputeAPI.pre_live_migration.'],
    };
  },
};

/** _test_live_migration_success: FakeLiveMigrateDriver finishes on its own (here after liveMigrationMs). */
export const liveMigrationSuccess: Scenario = {
  name: 'live-migration-success',
  nova: `${NOVA} / _test_live_migration_success`,
  flags: { liveMigrationMs: 300 },
  async run(h): Promise<ScenarioResult> {
    const server = await prepare(h);
    await migrateLive(h, server, true);
    await h.waitForNotification('instance.live_migration_pre.end');
    const pre = h.notifications();
    const problems = expectEventTypes(pre, ['scheduler.select_destinations.start', 'scheduler.select_destinations.end', 'instance.live_migration_pre.start', 'instance.live_migration_pre.end']);
    const active = await h.request('GET', `${COMPUTE}/servers/${server.id}/migrations`, undefined, 200, { admin: true });
    if ((active.migrations as unknown[]).length !== 1) problems.push(`expected 1 in-progress migration, got ${(active.migrations as unknown[]).length}`);
    await h.waitForNotification('instance.live_migration_post.end');
    await h.sim.idle();
    const ns = h.notifications();
    problems.push(...expectEventTypes(ns, [
      'scheduler.select_destinations.start', 'scheduler.select_destinations.end', 'instance.live_migration_pre.start', 'instance.live_migration_pre.end',
      'instance.live_migration_post.start', 'instance.live_migration_post_dest.start', 'instance.live_migration_post_dest.end', 'instance.live_migration_post.end',
    ]));
    return {
      name: this.name, nova: this.nova, problems,
      recorded: samples(server, ns.slice(2), [
        'instance-live_migration_pre-start',
        'instance-live_migration_pre-end',
        'instance-live_migration_post-start',
        'instance-live_migration_post_dest-start',
        'instance-live_migration_post_dest-end',
        'instance-live_migration_post-end',
      ]),
      notes: [NOTE, 'FakeLiveMigrateDriver migrates for up to 5 s; this scenario runs with --live-migration-ms 300.'],
    };
  },
};

/** _test_live_migration_abort: DELETE the running migration; the driver rolls back (shared storage: no rollback_dest). */
export const liveMigrationAbort: Scenario = {
  name: 'live-migration-abort',
  nova: `${NOVA} / _test_live_migration_abort`,
  flags: { liveMigrationMs: 20_000 },
  async run(h): Promise<ScenarioResult> {
    const server = await prepare(h);
    await migrateLive(h, server, false);
    await expectStatus(h, server, 'MIGRATING');
    const id = await waitForRunningMigration(h, server);
    await h.request('DELETE', `${COMPUTE}/servers/${server.id}/migrations/${id}`, undefined, 202, { admin: true });
    await h.waitForNotification('instance.live_migration_abort.start');
    await h.waitForNotification('instance.live_migration_rollback.end');
    await h.sim.idle();
    await expectStatus(h, server, 'ACTIVE');
    const ns = h.notifications();
    const problems = expectEventTypes(ns, [
      'scheduler.select_destinations.start', 'scheduler.select_destinations.end', 'instance.live_migration_pre.start', 'instance.live_migration_pre.end',
      'instance.live_migration_abort.start', 'instance.live_migration_abort.end', 'instance.live_migration_rollback.start', 'instance.live_migration_rollback.end',
    ]);
    return {
      name: this.name, nova: this.nova, problems,
      recorded: samples(server, ns.slice(2), [
        'instance-live_migration_pre-start',
        'instance-live_migration_pre-end',
        'instance-live_migration_abort-start',
        'instance-live_migration_abort-end',
        'instance-live_migration_rollback-start',
        'instance-live_migration_rollback-end',
      ]),
      notes: [NOTE],
    };
  },
};

/** _test_live_migration_force_complete: at least 6 notifications; [4] and [5] are compared. */
export const liveMigrationForceComplete: Scenario = {
  name: 'live-migration-force-complete',
  nova: `${NOVA} / _test_live_migration_force_complete`,
  flags: { liveMigrationMs: 20_000 },
  async run(h): Promise<ScenarioResult> {
    const server = await prepare(h);
    await migrateLive(h, server, true);
    await expectStatus(h, server, 'MIGRATING');
    const id = await waitForRunningMigration(h, server);
    await h.request('POST', `${COMPUTE}/servers/${server.id}/migrations/${id}/action`, { force_complete: null }, 202, { admin: true });
    await h.waitForNotification('instance.live_migration_force_complete.end');
    await h.sim.idle();
    const ns = h.notifications();
    const problems = expectEventTypes(ns, [
      'scheduler.select_destinations.start', 'scheduler.select_destinations.end', 'instance.live_migration_pre.start', 'instance.live_migration_pre.end',
      'instance.live_migration_force_complete.start', 'instance.live_migration_force_complete.end',
    ], { atLeast: 6 });
    return {
      name: this.name, nova: this.nova, problems,
      recorded: samples(server, ns.slice(4, 6), [
        'instance-live_migration_force_complete-start',
        'instance-live_migration_force_complete-end',
      ]),
      notes: [NOTE, 'Nova starts the server first (the evacuate step before it stopped it); here it is already ACTIVE.', 'The post notifications that follow force_complete are sent too (Nova asserts at least 6).'],
    };
  },
};

export const LIVE_MIGRATION_SCENARIOS: readonly Scenario[] = [liveMigrationRollback, liveMigrationAbort, liveMigrationSuccess, liveMigrationForceComplete];

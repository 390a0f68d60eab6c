// test_instance.py TestInstanceNotificationSample.test_instance_action / _test_evacuate_server: the
// server runs on host2 (compute2, node host2; Nova's test moved it there with the live-migration
// steps), host2's nova-compute is stopped and forced down, and admin evacuates to `compute`.
// CONF.host is 'host2' at that point of Nova's test (the last service started set it), hence the
// sample's publisher nova-api:host2; the scenario runs with confHost host2 likewise.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expectEventTypes, notCompared, record, serverReplacements } from './expect.js';
import { ScenarioError, type SampleHarness } from './harness.js';
import { PORT_1, SEED_PATH, SWAP_OLD_VOL } from './nova-fixtures.js';
import type { Scenario, ScenarioResult } from './types.js';

const COMPUTE = '/compute/v2.1';

/** nova-samples-seed.json plus the two compute services of test_instance_action (compute/fake-mini, host2/host2). */
function twoHostSeed(): string {
  const seed = JSON.parse(readFileSync(SEED_PATH, 'utf8')) as Record<string, unknown>;
  seed.computeHosts = [{ host: 'compute', node: 'fake-mini' }, { host: 'host2', node: 'host2' }];
  const dir = mkdtempSync(join(tmpdir(), 'novasim-evacuate-'));
  seedDirs.push(dir);
  const path = join(dir, 'seed.json');
  writeFileSync(path, JSON.stringify(seed));
  return path;
}
/** Temporary seed directories, removed once the simulator has read them. */
const seedDirs: string[] = [];

async function serviceId(h: SampleHarness, host: string): Promise<string> {
  const body = await h.request('GET', `${COMPUTE}/os-services?binary=nova-compute&host=${host}`, undefined, 200, { admin: true });
  const id = (body.services as { id: string }[])[0]?.id;
  if (!id) throw new ScenarioError(`no nova-compute service on ${host}`);
  return id;
}

const putService = (h: SampleHarness, id: string, body: Record<string, unknown>) =>
  h.request('PUT', `${COMPUTE}/os-services/${id}`, body, 200, { admin: true, version: '2.53' });

export const evacuateServer: Scenario = {
  name: 'evacuate',
  nova: 'test_instance.py TestInstanceNotificationSample.test_instance_action / _test_evacuate_server',
  config: () => ({ seed: twoHostSeed(), confHost: 'host2', computeHosts: 2 }),
  async run(h): Promise<ScenarioResult> {
    for (const dir of seedDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
    // Put the server on host2: the scheduler may only pick it while `compute` is disabled.
    const computeId = await serviceId(h, 'compute');
    const host2Id = await serviceId(h, 'host2');
    await putService(h, computeId, { status: 'disabled' });
    // This boot's scheduler runs with CONF.host host2 (the scenario's second compute), not Nova's fake-mini:
    // its pair is popped, not compared.
    const server = await h.bootServer({ networks: [{ port: PORT_1 }] }, 'ACTIVE', { compareScheduler: false });
    await putService(h, computeId, { status: 'enabled' });
    await h.attachVolume(server, SWAP_OLD_VOL);
    const before = (await h.request('GET', `${COMPUTE}/servers/${server.id}`, undefined, 200, { admin: true })).server as Record<string, unknown>;
    if (before['OS-EXT-SRV-ATTR:host'] !== 'host2') throw new ScenarioError(`server is on ${String(before['OS-EXT-SRV-ATTR:host'])}, expected host2`);
    // self.compute2.stop(); admin_api.put_service(service_id, {'forced_down': True}).
    await putService(h, host2Id, { forced_down: true });
    h.resetNotifications();
    await h.request('POST', `${COMPUTE}/servers/${server.id}/action`, { evacuate: { host: 'compute' } }, 200, { admin: true });
    await h.sim.idle();
    const after = (await h.request('GET', `${COMPUTE}/servers/${server.id}`, undefined, 200, { admin: true })).server as Record<string, unknown>;
    const problems: string[] = after['OS-EXT-SRV-ATTR:host'] === 'compute' ? [] : [`server ended on ${String(after['OS-EXT-SRV-ATTR:host'])}, expected compute`];
    const ns = h.notifications();
    const evac = ns.filter((n) => n.event_type === 'instance.evacuate');
    if (evac.length !== 1) problems.push(`expected 1 instance.evacuate, got ${evac.length}`);
    const migrations = (await h.request('GET', `${COMPUTE}/os-migrations?instance_uuid=${server.id}`, undefined, 200, { admin: true })).migrations as { status: string; migration_type: string }[];
    const m = migrations.find((x) => x.migration_type === 'evacuation');
    if (m?.status !== 'done') problems.push(`evacuation migration is ${m?.status ?? 'missing'}, expected done (Nova's _wait_for_migration_status completed/done)`);
    problems.push(...expectEventTypes(ns.filter((n) => n.event_type.startsWith('instance.rebuild')), ['instance.rebuild_scheduled', 'instance.rebuild.start', 'instance.rebuild.end']));
    await putService(h, host2Id, { forced_down: false });
    return {
      name: this.name,
      nova: this.nova,
      problems,
      recorded: [
        ...record(evac, [['instance-evacuate', { kind: 'sample', sample: 'instance-evacuate', replacements: serverReplacements(server) }]]),
        ...record(ns.filter((n) => n.event_type === 'instance.rebuild_scheduled'), [['instance-rebuild_scheduled-evacuate', notCompared("Nova's evacuate step checks only instance.evacuate")]]),
      ],
      notes: ["Nova's test reaches host2 through live migration; novasim boots there with `compute` disabled."],
    };
  },
};

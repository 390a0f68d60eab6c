// _test_share_attach_detach and _test_share_attach_detach_error, two steps of test_instance.py
// TestInstanceNotificationSample.test_instance_action (master only: server shares are 2.97). Nova's
// ManilaFixture serves share e8debdc0… (NFS, 10.0.0.50:/mnt/foo); here it is seeded in the fake Manila and
// Nova reaches it over HTTP. The error step mocks nova.share.manila.API.allow/deny and FakeDriver.mount_share;
// here those are compute fault points raising the same exceptions from the same place (unittest.mock).
import { ANY, type Replacements } from '../testing/match-sample.js';
import { expectEventTypes, notCompared, record, serverReplacements } from './expect.js';
import { ScenarioError, type SampleHarness, type Server } from './harness.js';
import { expectServer, serverAction } from './instance-actions.js';
import { PORT_1, SHARE_ID, SWAP_OLD_VOL } from './nova-fixtures.js';
import type { Check, Recorded, Scenario } from './types.js';

const COMPUTE = '/compute/v2.1';
const NOVA = 'test_instance.py TestInstanceNotificationSample.test_instance_action';
/** The share id Nova's mocks put in their exception messages (not the attached share's). */
const MOCK_SHARE_ID = '8db0037b-e98f-4bde-ae71-f96a077c19a4';
const STEP_NOTE =
  'Nova runs this step inside test_instance_action after the earlier steps; novasim runs it on a freshly booted server with SWAP_OLD_VOL attached, the state every step starts from.';

async function bootAndAttach(h: SampleHarness): Promise<Server> {
  const server = await h.bootServer({ networks: [{ port: PORT_1 }] });
  await h.attachVolume(server, SWAP_OLD_VOL);
  return server;
}

/** expected_shares of the test: one SharePayload with the mapping's uuid (read as admin) and a status. */
function sharesReplacement(mappingUuid: string, status: string) {
  return [
    {
      'nova_object.name': 'SharePayload',
      'nova_object.namespace': 'nova',
      'nova_object.version': '1.0',
      'nova_object.data': { share_mapping_uuid: mappingUuid, share_id: SHARE_ID, status, tag: SHARE_ID },
    },
  ];
}

/** _attach_share / _attach_share_with_error: POST the share, wait for compute; _get_share(admin=True) gives its uuid. */
async function attachShare(h: SampleHarness, server: Server): Promise<string> {
  await h.request('POST', `${COMPUTE}/servers/${server.id}/shares`, { share: { share_id: SHARE_ID } }, 201);
  await h.sim.idle();
  const shown = (await h.request('GET', `${COMPUTE}/servers/${server.id}/shares/${SHARE_ID}`, undefined, 200, { admin: true })).share as { uuid?: string };
  if (!shown.uuid) throw new ScenarioError('admin GET of the share shows no uuid');
  return shown.uuid;
}

async function detachShare(h: SampleHarness, server: Server): Promise<void> {
  await h.request('DELETE', `${COMPUTE}/servers/${server.id}/shares/${SHARE_ID}`, undefined, 200);
  await h.sim.idle();
}

async function stop(h: SampleHarness, server: Server): Promise<void> {
  await serverAction(h, server, { 'os-stop': {} });
  await expectServer(h, server, { status: 'SHUTOFF' });
}

const sample = (name: string, replacements: Replacements, tracebackContains?: string): Check => ({
  kind: 'sample', sample: name, replacements, ...(tracebackContains ? { tracebackContains } : {}),
});

export const shareAttachDetach: Scenario = {
  name: 'share-attach-detach',
  nova: `${NOVA} / _test_share_attach_detach`,
  profiles: ['master'],
  async run(h) {
    const server = await bootAndAttach(h);
    const base = serverReplacements(server);
    const stopped = { ...base, state: 'stopped', power_state: 'shutdown' };
    const running = { ...base, state: 'active', power_state: 'running' };
    const problems: string[] = [];
    const recorded: Recorded[] = [];

    await stop(h, server);
    h.resetNotifications();
    const uuid = await attachShare(h, server);
    const attach = h.notifications();
    problems.push(...expectEventTypes(attach, ['instance.share_attach.start', 'instance.share_attach.end']));
    recorded.push(...record(attach, [
      ['instance-share_attach-start', sample('instance-share_attach-start', { ...stopped, shares: sharesReplacement(uuid, 'attaching') })],
      ['instance-share_attach-end', sample('instance-share_attach-end', { ...stopped, shares: sharesReplacement(uuid, 'inactive') })],
    ]));

    h.resetNotifications();
    await serverAction(h, server, { 'os-start': {} });
    await expectServer(h, server, { status: 'ACTIVE' });
    const start = h.notifications();
    problems.push(...expectEventTypes(start, ['instance.power_on.start', 'instance.power_on.end']));
    recorded.push(...record(start, [
      ['instance-power_on_share-start', sample('instance-power_on_share-start', { ...stopped, shares: sharesReplacement(uuid, 'inactive') })],
      ['instance-power_on_share-end', sample('instance-power_on_share-end', { ...running, shares: sharesReplacement(uuid, 'active') })],
    ]));

    h.resetNotifications();
    await stop(h, server);
    const off = h.notifications();
    problems.push(...expectEventTypes(off, ['instance.power_off.start', 'instance.power_off.end']));
    recorded.push(...record(off, [
      ['instance-power_off-start', sample('instance-power_off-start', { ...running, shares: sharesReplacement(uuid, 'active') })],
      ['instance-power_off-end', sample('instance-power_off-end', { ...stopped, shares: sharesReplacement(uuid, 'inactive') })],
    ]));

    h.resetNotifications();
    await detachShare(h, server);
    const detach = h.notifications();
    problems.push(...expectEventTypes(detach, ['instance.share_detach.start', 'instance.share_detach.end']));
    recorded.push(...record(detach, [
      ['instance-share_detach-start', sample('instance-share_detach-start', { ...stopped, shares: sharesReplacement(uuid, 'detaching') })],
      ['instance-share_detach-end', sample('instance-share_detach-end', stopped)],
    ]));

    h.resetNotifications();
    await serverAction(h, server, { 'os-start': {} });
    await expectServer(h, server, { status: 'ACTIVE' });
    const again = h.notifications();
    problems.push(...expectEventTypes(again, ['instance.power_on.start', 'instance.power_on.end']));
    recorded.push(...record(again, [
      ['instance-power_on-start', sample('instance-power_on-start', stopped)],
      ['instance-power_on-end', sample('instance-power_on-end', running)],
    ]));
    return { name: this.name, nova: this.nova, problems, recorded, notes: [STEP_NOTE] };
  },
};

export const shareAttachDetachError: Scenario = {
  name: 'share-attach-detach-error',
  nova: `${NOVA} / _test_share_attach_detach_error`,
  profiles: ['master'],
  async run(h) {
    const server = await bootAndAttach(h);
    const base = serverReplacements(server);
    const stopped = { ...base, state: 'stopped', power_state: 'shutdown' };
    const problems: string[] = [];
    const recorded: Recorded[] = [];
    const mock = { module: 'unittest.mock', function: '_execute_mock_call' };

    await stop(h, server);
    h.resetNotifications();
    // mock.patch FakeDriver.mount_share (ShareMountError) and mock_allow.side_effect = ShareAccessGrantError.
    h.sim.faults.add({
      service: 'compute', operation: 'driver.mount_share', match: { instance_uuid: server.id }, times: 1_000_000,
      error: { exception: 'ShareMountError', message: `Share id ${MOCK_SHARE_ID} mount error from server ${server.id}.\nReason: Unexpected error while running command.\nCommand: mount\nExit code: 1\nStdout: 'This is stdout'\nStderr: 'This is stderror'.`, ...mock },
    });
    h.sim.faults.add({
      service: 'compute', operation: 'manila.allow', match: { instance_uuid: server.id }, times: 1_000_000,
      error: { exception: 'ShareAccessGrantError', message: `Share access could not be granted to share id ${MOCK_SHARE_ID}.\nReason: Connection timed out.`, ...mock },
    });
    const uuid = await attachShare(h, server);
    const attach = h.notifications();
    problems.push(...expectEventTypes(attach, ['instance.share_attach.start', 'instance.share_attach.error', 'compute.exception']));
    recorded.push(...record(attach, [
      ['instance-share_attach-start', sample('instance-share_attach-start', { ...stopped, shares: sharesReplacement(uuid, 'attaching') })],
      ['instance-share_attach-error', sample('instance-share_attach-error', { ...stopped, shares: sharesReplacement(uuid, 'error'), 'fault.traceback': ANY }, 'ShareAccessGrantError')],
      ['compute-exception-attach', notCompared("Nova's test waits for it but does not compare it with a sample")],
    ]));

    // Restart: the mount fails, the instance goes to ERROR with a compute.exception.
    h.resetNotifications();
    await serverAction(h, server, { 'os-start': {} });
    await expectServer(h, server, { status: 'ERROR' });
    if (!h.notifications().some((n) => n.event_type === 'compute.exception')) problems.push('no compute.exception after the failed mount');

    // Detach despite the share error (the instance is in ERROR).
    h.resetNotifications();
    await detachShare(h, server);
    const inError = { ...base, state: 'error', power_state: 'shutdown' };
    const detach = h.notifications();
    problems.push(...expectEventTypes(detach, ['instance.share_detach.start', 'instance.share_detach.end']));
    recorded.push(...record(detach, [
      ['instance-share_detach-start-in-error', sample('instance-share_detach-start', { ...inError, shares: sharesReplacement(uuid, 'detaching') })],
      ['instance-share_detach-end-in-error', sample('instance-share_detach-end', inError)],
    ]));

    h.resetNotifications();
    await serverAction(h, server, { reboot: { type: 'HARD' } });
    h.sim.faults.clear();

    // Attach again (the mock removed), then make the deny fail.
    await stop(h, server);
    h.resetNotifications();
    const uuid2 = await attachShare(h, server);
    const attach2 = h.notifications();
    problems.push(...expectEventTypes(attach2, ['instance.share_attach.start', 'instance.share_attach.end']));
    recorded.push(...record(attach2, [
      ['instance-share_attach-start-again', sample('instance-share_attach-start', { ...stopped, shares: sharesReplacement(uuid2, 'attaching') })],
      ['instance-share_attach-end-again', sample('instance-share_attach-end', { ...stopped, shares: sharesReplacement(uuid2, 'inactive') })],
    ]));
    h.sim.faults.add({
      service: 'compute', operation: 'manila.deny', match: { instance_uuid: server.id }, times: 1_000_000,
      error: { exception: 'ShareAccessRemovalError', message: `Share access could not be removed from share id ${MOCK_SHARE_ID}.\nReason: Connection timed out.`, ...mock },
    });
    h.resetNotifications();
    await detachShare(h, server);
    const detach2 = h.notifications();
    // Nova asserts 2 as soon as .error arrives; compute.exception follows.
    problems.push(...expectEventTypes(detach2, ['instance.share_detach.start', 'instance.share_detach.error'], { atLeast: 2 }));
    recorded.push(...record(detach2, [
      ['instance-share_detach-start', sample('instance-share_detach-start', { ...stopped, shares: sharesReplacement(uuid2, 'detaching') })],
      ['instance-share_detach-error', sample('instance-share_detach-error', { ...stopped, shares: sharesReplacement(uuid2, 'error'), 'fault.traceback': ANY }, 'ShareAccessRemovalError')],
      ['compute-exception-detach', notCompared("Nova's test waits for it but does not compare it with a sample")],
    ]));
    return { name: this.name, nova: this.nova, problems, recorded, notes: [STEP_NOTE] };
  },
};

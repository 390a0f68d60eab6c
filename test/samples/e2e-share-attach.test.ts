// _test_share_attach_detach and _test_share_attach_detach_error (steps of test_instance_action), end to end
// through the HTTP API on master, with Nova's access rule checked in the fake Manila; and the scenarios'
// absence on zed (no 2.97 there).
import { afterEach, describe, expect, it } from 'vitest';
import { manilaBackend } from '../../src/manila-fake/plugin.js';
import { SampleHarness } from '../../src/scenarios/harness.js';
import { SHARE_ID } from '../../src/scenarios/nova-fixtures.js';
import { runScenario, runSamples, SCENARIOS } from '../../src/scenarios/samples.js';
import { shareAttachDetach, shareAttachDetachError } from '../../src/scenarios/share-attach.js';

describe('share attach/detach samples, end to end (master)', () => {
  let h: SampleHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('_test_share_attach_detach: the boot\'s scheduler pair, then its ten notifications in order; both share scenarios give 22 MATCH', async () => {
    const result = await runScenario(shareAttachDetach, 'master');
    expect(result.problems).toEqual([]);
    expect(result.recorded.map((r) => r.file)).toEqual([
      // _boot_a_server verifies the scheduler's pair (scheduler-select_destinations-start/-end).
      'scheduler-select_destinations-start', 'scheduler-select_destinations-end',
      'instance-share_attach-start', 'instance-share_attach-end', 'instance-power_on_share-start', 'instance-power_on_share-end',
      'instance-power_off-start', 'instance-power_off-end', 'instance-share_detach-start', 'instance-share_detach-end',
      'instance-power_on-start', 'instance-power_on-end',
    ]);
    const lines: string[] = [];
    expect(await runSamples({ check: true, profile: 'master', scenarios: ['share-attach-detach', 'share-attach-detach-error'], log: (l) => lines.push(l) })).toBe(0);
    expect(lines.filter((l) => /\.json: MATCH$/.test(l))).toHaveLength(22);
  }, 60_000);

  it('the access rule Nova asks for: ip of host `compute`, rw, locked by nova; gone after the detach', async () => {
    h = await SampleHarness.start('master');
    const server = await h.bootServer({});
    await h.request('POST', `/compute/v2.1/servers/${server.id}/action`, { 'os-stop': {} }, 202);
    await h.sim.idle();
    await h.request('POST', `/compute/v2.1/servers/${server.id}/shares`, { share: { share_id: SHARE_ID } }, 201);
    await h.sim.idle();
    const rules = manilaBackend(h.sim.services).store.rules(SHARE_ID);
    expect(rules).toHaveLength(1);
    const ip = h.sim.services.hosts.nodesByHost('compute')[0].host_ip;
    expect(rules[0]).toMatchObject({ access_type: 'ip', access_to: ip, access_level: 'rw', state: 'active', lock_deletion: 1, lock_visibility: 1, lock_reason: 'Lock by nova' });
    await h.request('DELETE', `/compute/v2.1/servers/${server.id}/shares/${SHARE_ID}`, undefined, 200);
    await h.sim.idle();
    expect(manilaBackend(h.sim.services).store.rules(SHARE_ID)).toEqual([]);
  });

  it('the error step ends with the mapping in error and Nova\'s fault texts', async () => {
    const result = await runScenario(shareAttachDetachError, 'master');
    expect(result.problems).toEqual([]);
    const err = result.recorded.find((r) => r.file === 'instance-share_attach-error')!.notification.payload as { 'nova_object.data': { fault: { 'nova_object.data': Record<string, string> } } };
    expect(err['nova_object.data'].fault['nova_object.data']).toMatchObject({
      exception: 'ShareAccessGrantError', module_name: 'unittest.mock', function_name: '_execute_mock_call',
      exception_message: 'Share access could not be granted to share id 8db0037b-e98f-4bde-ae71-f96a077c19a4.\nReason: Connection timed out.',
    });
  }, 60_000);

  it('zed runs neither share scenario', async () => {
    const lines: string[] = [];
    expect(await runSamples({ check: true, profile: 'zed', scenarios: ['share-attach-detach', 'share-attach-detach-error'], log: (l) => lines.push(l) })).toBe(0);
    expect(lines.join('\n')).not.toContain('share-attach');
    expect(SCENARIOS.filter((s) => s.profiles && !s.profiles.includes('zed')).map((s) => s.name)).toEqual(['share-attach-detach', 'share-attach-detach-error']);
  });
});

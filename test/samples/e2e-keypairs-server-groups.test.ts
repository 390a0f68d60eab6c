// test_keypair.py and test_server_group.py end to end in both profiles: the scenarios `novasim
// samples --check` runs, each notification equal to its golden sample under Nova's replacements.
import { describe, expect, it } from 'vitest';
import { runScenario } from '../../src/scenarios/samples.js';
import { checkRecorded } from '../../src/scenarios/check.js';
import { keypairCreateDelete, keypairImport } from '../../src/scenarios/keypairs.js';
import { serverGroupAddMember, serverGroupCreateDelete } from '../../src/scenarios/server-groups.js';
import type { Scenario } from '../../src/scenarios/types.js';

describe.each(['master', 'zed'] as const)('keypair and server group samples (%s)', (profile) => {
  const cases: [Scenario, string[]][] = [
    [keypairCreateDelete, ['keypair-create-start', 'keypair-create-end', 'keypair-delete-start', 'keypair-delete-end']],
    [keypairImport, ['keypair-import-start', 'keypair-import-end']],
    [serverGroupCreateDelete, ['server_group-create', 'server_group-delete']],
    [serverGroupAddMember, ['server_group-add_member']],
  ];
  it.each(cases.map(([s, f]) => [s.name, s, f] as const))('%s', async (_name, scenario, files) => {
    const result = await runScenario(scenario, profile);
    expect(result.problems).toEqual([]);
    expect(result.recorded.map((r) => r.file)).toEqual(files);
    for (const r of result.recorded) expect(checkRecorded(r, profile), r.file).toEqual({ status: 'match', detail: [] });
    expect(result.recorded.every((r) => r.notification.publisher_id === 'nova-api:fake-mini')).toBe(true);
  });
});

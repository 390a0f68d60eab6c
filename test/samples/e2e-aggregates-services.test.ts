// test_aggregate.py, test_exception_notification.py and test_service.py end to end in both
// profiles: the scenarios `novasim samples --check` runs.
import { describe, expect, it } from 'vitest';
import { runScenario } from '../../src/scenarios/samples.js';
import { checkRecorded } from '../../src/scenarios/check.js';
import {
  aggregateAddRemoveHost, aggregateCacheImages, aggregateCreateDelete, aggregateUpdateMetadata, aggregateUpdateProps, exceptionNotification,
} from '../../src/scenarios/aggregates.js';
import { SERVICE_SCENARIOS } from '../../src/scenarios/services.js';
import type { Scenario } from '../../src/scenarios/types.js';

type Data = Record<string, unknown>;
const data = (n: { payload: Data }) => n.payload['nova_object.data'] as Data;

describe.each(['master', 'zed'] as const)('aggregate, exception and service samples (%s)', (profile) => {
  const cases: [Scenario, string[]][] = [
    [aggregateCreateDelete, ['aggregate-create-start', 'aggregate-create-end', 'aggregate-delete-start', 'aggregate-delete-end']],
    [aggregateAddRemoveHost, ['aggregate-add_host-start', 'aggregate-add_host-end', 'aggregate-remove_host-start', 'aggregate-remove_host-end']],
    [aggregateUpdateMetadata, ['aggregate-update_metadata-start', 'aggregate-update_metadata-end']],
    [aggregateUpdateProps, ['aggregate-update_prop-start', 'aggregate-update_prop-end']],
    [aggregateCacheImages, ['aggregate-cache_images-start', 'aggregate-cache_images-progress', 'aggregate-cache_images-end']],
    [exceptionNotification, ['compute-exception']],
  ];
  it.each(cases.map(([s, f]) => [s.name, s, f] as const))('%s matches its golden samples', async (_name, scenario, files) => {
    const result = await runScenario(scenario, profile);
    expect(result.problems).toEqual([]);
    expect(result.recorded.map((r) => r.file)).toEqual(files);
    for (const r of result.recorded) expect(checkRecorded(r, profile), r.file).toEqual({ status: 'match', detail: [] });
  });

  it('compute-exception is the AggregateNameExists of the second create, and a traceback without it mismatches', async () => {
    const result = await runScenario(exceptionNotification, profile);
    const [r] = result.recorded;
    expect(data(r!.notification).exception).toBe('AggregateNameExists');
    expect(data(r!.notification).exception_message).toBe('Aggregate versioned_exc_aggregate already exists.');
    const check = r!.check.kind === 'sample' ? { ...r!.check, tracebackContains: 'NoSuchThing' } : r!.check;
    expect(checkRecorded({ ...r!, check }, profile).status).toBe('mismatch');
  });

  it("each test_service.py update changes host1's nova-compute (Nova's fake row) and matches service-update.json", async () => {
    // The fake row starts disabled with reason test2 (test_services.fake_services_list); each update applies to it.
    const expected: Record<string, Data> = {
      'service-enable-v2_52': { disabled: false, disabled_reason: null, forced_down: false },
      'service-disabled-v2_52': { disabled: true, disabled_reason: null, forced_down: false },
      'service-disabled-log-reason-v2_52': { disabled: true, disabled_reason: 'test2', forced_down: false },
      'service-force-down-v2_52': { disabled: true, disabled_reason: 'test2', forced_down: true },
      'service-enable': { disabled: false, disabled_reason: null, forced_down: false },
      'service-disabled': { disabled: true, disabled_reason: null, forced_down: false },
      'service-disabled-log-reason': { disabled: true, disabled_reason: 'test2', forced_down: false },
      'service-force-down': { disabled: true, disabled_reason: 'test2', forced_down: true },
    };
    expect(SERVICE_SCENARIOS.map((s) => s.name)).toEqual(Object.keys(expected));
    for (const scenario of SERVICE_SCENARIOS) {
      const result = await runScenario(scenario, profile);
      expect(result.problems, scenario.name).toEqual([]);
      expect(result.recorded.map((r) => [r.file, r.notification.event_type, r.notification.publisher_id, checkRecorded(r, profile).status])).toEqual([
        ['service-update', 'service.update', 'nova-compute:host1', 'match'],
      ]);
      expect(data(result.recorded[0]!.notification), scenario.name).toMatchObject({ host: 'host1', binary: 'nova-compute', report_count: 1, ...expected[scenario.name] });
    }
  });
});

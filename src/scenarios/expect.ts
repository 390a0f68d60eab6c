// Small helpers the scenarios share: Nova's count assertions and the usual replacements.
import type { Replacements } from '../testing/match-sample.js';
import type { Server } from './harness.js';
import type { Check, Recorded, Recorded4 } from './types.js';

/** {'reservation_id': server['reservation_id'], 'uuid': server['id']}: what every instance sample check replaces. */
export const serverReplacements = (server: Server): Replacements => ({ reservation_id: server.reservation_id, uuid: server.id });

/** BlockDevicePayload 1.0 as the tests spell it out for replacements. */
export const blockDevice = (volumeId: string, deviceName = '/dev/sdb') => ({
  'nova_object.data': { boot_index: null, delete_on_termination: false, device_name: deviceName, tag: null, volume_id: volumeId },
  'nova_object.name': 'BlockDevicePayload',
  'nova_object.namespace': 'nova',
  'nova_object.version': '1.0',
});

/**
 * Nova's `assertEqual(n, len(versioned_notifications))` (or assertLessEqual with `atLeast`),
 * plus the event types its comments list, position by position.
 */
export function expectEventTypes(actual: Recorded4[], expected: string[], opts: { atLeast?: number } = {}): string[] {
  const got = actual.map((n) => n.event_type);
  const countOk = opts.atLeast !== undefined ? got.length >= opts.atLeast : got.length === expected.length;
  const problems: string[] = [];
  if (!countOk) {
    const want = opts.atLeast !== undefined ? `at least ${opts.atLeast}` : String(expected.length);
    problems.push(`expected ${want} versioned notifications, got ${got.length}: ${got.join(', ') || 'none'}`);
  }
  expected.forEach((eventType, i) => {
    if (got[i] !== undefined && got[i] !== eventType) problems.push(`notification [${i}] is ${got[i]}, expected ${eventType}`);
  });
  return problems;
}

/** Pair the window's notifications with (file, check) by position; missing ones are skipped (already reported). */
export function record(actual: Recorded4[], plan: [file: string, check: Check][]): Recorded[] {
  return plan.flatMap(([file, check], i) => (actual[i] ? [{ file, notification: actual[i], check }] : []));
}

export const notCompared = (why = "Nova's test counts it but does not compare it with a sample"): Check => ({ kind: 'none', note: why });

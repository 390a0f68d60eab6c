// Compare an emitted notification with a Nova golden sample exactly as Nova's sample tests do
// (nova/tests/functional/notification_sample_tests/notification_sample_base.py
// _verify_notification): resolve the sample's $refs, apply the replacements, then assertJsonEqual.
import type { Profile, ProfileName } from '../profiles/index.js';
import { loadSample, type NotificationSample } from '../notifier/samples.js';
import { compareJson, formatDifferences, type JsonDifference } from './json-equal.js';

/** Replacement value meaning "ignore this field": the key is deleted from both sides (Nova's ANY). */
export const ANY: unique symbol = Symbol.for('novasim.testing.ANY');

/** Dotted path → value; `a.b` selects payload["nova_object.data"].a["nova_object.data"].b. */
export type Replacements = Record<string, unknown>;

export interface MatchOptions {
  replacements?: Replacements;
  /** Which release's samples (default 'master'). */
  profile?: Profile | ProfileName;
}

export interface MatchResult {
  pass: boolean;
  /** Human-readable differences, one per line ('' when pass). */
  diff: string;
  differences: JsonDifference[];
  /** The sample after $ref resolution and replacements. */
  expected: unknown;
  /** The actual notification reduced to the sample's keys, after ANY deletions. */
  actual: unknown;
}

const RECORDED_KEYS = ['event_type', 'payload', 'priority', 'publisher_id'] as const;

/**
 * Accepts a CapturedNotification (`{seq, envelope, …}`), an envelope, a control-route item
 * (`{seq, ...envelope}`) or Nova's four-key record; returns a copy with only the keys Nova's fake
 * notifier records (message_id, timestamp, seq and metadata are not part of the comparison).
 */
export function toRecordedNotification(actual: unknown): Record<string, unknown> {
  const source = isDict(actual) && isDict(actual.envelope) ? actual.envelope : actual;
  if (!isDict(source)) throw new TypeError(`not a notification: ${JSON.stringify(actual)}`);
  const out: Record<string, unknown> = {};
  for (const key of RECORDED_KEYS) if (key in source) out[key] = structuredClone(source[key]);
  return out;
}

function isDict(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Walk `payload` then `nova_object.data.<k>` per path element; returns the data dict holding the last key. */
function dataHolder(doc: Record<string, unknown>, keys: string[]): Record<string, unknown> | string {
  let obj: unknown = doc.payload;
  for (const key of keys) {
    const data = isDict(obj) ? obj['nova_object.data'] : undefined;
    if (!isDict(data) || !(key in data)) return `no nova_object.data.${key}`;
    obj = data[key];
  }
  const data = isDict(obj) ? obj['nova_object.data'] : undefined;
  return isDict(data) ? data : 'no nova_object.data';
}

function applyReplacements(expected: Record<string, unknown>, actual: Record<string, unknown>, replacements: Replacements): JsonDifference[] {
  const problems: JsonDifference[] = [];
  for (const [dotted, value] of Object.entries(replacements)) {
    const keys = dotted.split('.');
    const last = keys.pop()!;
    const e = dataHolder(expected, keys);
    const a = dataHolder(actual, keys);
    const where = `replacement ${dotted}`;
    if (typeof e === 'string') {
      problems.push({ path: where, kind: 'replacement', message: `sample has ${e}` });
      continue;
    }
    if (typeof a === 'string') {
      problems.push({ path: where, kind: 'replacement', message: `notification has ${a}` });
      continue;
    }
    if (value === ANY) {
      // Nova deletes on both sides (a KeyError if either lacks it).
      if (!(last in e)) problems.push({ path: where, kind: 'replacement', message: `sample has no ${last} to ignore` });
      if (!(last in a)) problems.push({ path: where, kind: 'replacement', message: `notification has no ${last} to ignore` });
      delete e[last];
      delete a[last];
    } else {
      e[last] = structuredClone(value);
    }
  }
  return problems;
}

export function matchesNotificationSample(actual: unknown, sampleName: string, opts: MatchOptions = {}): MatchResult {
  const sample: NotificationSample = loadSample(sampleName, opts.profile ?? 'master');
  const expected = sample as unknown as Record<string, unknown>;
  const recorded = toRecordedNotification(actual);
  // Only the keys the sample has (event_type, payload, priority, publisher_id) are compared.
  for (const key of Object.keys(recorded)) if (!(key in expected)) delete recorded[key];
  const differences = [
    ...applyReplacements(expected, recorded, opts.replacements ?? {}),
    ...compareJson(expected, recorded),
  ];
  return {
    pass: differences.length === 0,
    diff: formatDifferences(differences),
    differences,
    expected,
    actual: recorded,
  };
}

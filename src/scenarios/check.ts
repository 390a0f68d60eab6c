// --check: each recorded notification against Nova's golden sample, exactly as its Nova test
// compares it (matchesNotificationSample = _verify_notification), or structurally where no
// sample reproduces it.
import type { ProfileName } from '../profiles/index.js';
import { loadSample } from '../notifier/samples.js';
import { matchesNotificationSample } from '../testing/match-sample.js';
import type { Recorded, Recorded4 } from './types.js';

export interface CheckResult {
  status: 'match' | 'mismatch' | 'not-compared';
  /** Differences (mismatch) or the reason it is not compared. */
  detail: string[];
}

type Dict = Record<string, unknown>;
const isDict = (v: unknown): v is Dict => typeof v === 'object' && v !== null && !Array.isArray(v);
const data = (payload: unknown): Dict => (isDict(payload) && isDict(payload['nova_object.data']) ? payload['nova_object.data'] : {});

/** The fault's traceback; an ExceptionPayload (compute.exception) carries its own. */
function faultTraceback(n: Recorded4): unknown {
  const d = data(n.payload);
  return isDict(n.payload) && n.payload['nova_object.name'] === 'ExceptionPayload' ? d.traceback : data(d.fault).traceback;
}

export function checkRecorded(r: Recorded, profile: ProfileName): CheckResult {
  const c = r.check;
  if (c.kind === 'none') return { status: 'not-compared', detail: [c.note] };
  if (c.kind === 'exception') return checkException(r.notification, c, profile);
  const detail: string[] = [];
  if (c.tracebackContains !== undefined) {
    const tb = faultTraceback(r.notification);
    if (typeof tb !== 'string' || !tb.includes(c.tracebackContains)) detail.push(`traceback does not contain ${JSON.stringify(c.tracebackContains)}: ${JSON.stringify(tb)}`);
  }
  const result = matchesNotificationSample(r.notification, c.sample, { replacements: c.replacements, profile });
  if (!result.pass) detail.push(...result.diff.split('\n'));
  return { status: detail.length ? 'mismatch' : 'match', detail };
}

function checkException(n: Recorded4, c: Extract<Recorded['check'], { kind: 'exception' }>, profile: ProfileName): CheckResult {
  const sample = loadSample(c.sample, profile);
  const detail: string[] = [];
  const same = (what: string, expected: unknown, actual: unknown) => {
    if (JSON.stringify(expected) !== JSON.stringify(actual)) detail.push(`${what}: expected ${JSON.stringify(expected)}, actual ${JSON.stringify(actual)}`);
  };
  same('event_type', sample.event_type, n.event_type);
  same('priority', sample.priority, n.priority);
  same('publisher_id', c.publisherId, n.publisher_id);
  same('keys', Object.keys(sample).sort(), Object.keys(n).sort());
  for (const key of ['nova_object.name', 'nova_object.namespace', 'nova_object.version']) same(`payload["${key}"]`, sample.payload[key], n.payload[key]);
  same('payload keys', Object.keys(sample.payload).sort(), Object.keys(n.payload).sort());
  const actual = data(n.payload);
  same('nova_object.data keys', Object.keys(data(sample.payload)).sort(), Object.keys(actual).sort());
  const fault = data(data(loadSample(c.faultOf, profile).payload).fault);
  for (const key of ['exception', 'exception_message', 'module_name', 'function_name']) same(`nova_object.data.${key} (${c.faultOf} fault)`, fault[key], actual[key]);
  const tb = actual.traceback;
  if (typeof tb !== 'string' || !tb.includes(c.tracebackContains)) detail.push(`traceback does not contain ${JSON.stringify(c.tracebackContains)}: ${JSON.stringify(tb)}`);
  return { status: detail.length ? 'mismatch' : 'match', detail };
}

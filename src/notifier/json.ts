// The serializer every novasim notification output goes through (JSONL sink, control routes, SSE).
//
// Why not JSON.stringify: Nova's FloatFields arrive as Python floats, so the wire says
// `"rxtx_factor": 1.0`; JavaScript has one number type and prints `1`. A byte-level comparison with
// Nova output (or a strictly-typed consumer) would see the difference (spec §10 pitfall 8).
// Node 20 has no JSON.rawJSON, so this is a small recursive writer that is otherwise identical to
// JSON.stringify (compact, toJSON honoured, undefined/functions/symbols skipped in objects and
// written as null in arrays, circular structures rejected).
//
// Float-ness is decided by schema, not by a marker on the value: inside any object carrying
// `nova_object.name: X`, numbers under `nova_object.data` whose key is a FloatField of X (see
// payloads/index.ts FLOAT_FIELDS) print in Python's float repr. So the output is the same for a
// freshly built payload and for one that went through JSON.parse, e.g. on an HTTP client.
import { FLOAT_FIELDS } from './payloads/index.js';

/** Python's repr() of a float: `1.0`, `0.5`, `1e-05`, `1e+16`, `NaN`, `Infinity`. */
export function pyFloatRepr(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (!Number.isFinite(n)) return n > 0 ? 'Infinity' : '-Infinity';
  if (n === 0) return Object.is(n, -0) ? '-0.0' : '0.0';
  // toExponential() with no argument gives the shortest round-trip digits, like Python's repr.
  const [mantissa, expText] = Math.abs(n).toExponential().split('e');
  const exp = Number(expText);
  const digits = mantissa.replace('.', '');
  let body: string;
  if (exp < -4 || exp >= 16) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    body = `${m}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  } else if (exp < 0) {
    body = `0.${'0'.repeat(-exp - 1)}${digits}`;
  } else if (digits.length <= exp + 1) {
    body = `${digits}${'0'.repeat(exp + 1 - digits.length)}.0`;
  } else {
    body = `${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
  }
  return n < 0 ? `-${body}` : body;
}

type Floats = ReadonlySet<string> | null;

function floatsOf(obj: Record<string, unknown>): Floats {
  const name = obj['nova_object.name'];
  return typeof name === 'string' ? FLOAT_FIELDS.get(name) ?? null : null;
}

function write(value: unknown, isFloat: boolean, stack: Set<object>): string | undefined {
  if (value !== null && typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    value = (value as { toJSON: () => unknown }).toJSON();
  }
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      if (isFloat) return pyFloatRepr(value);
      return Number.isFinite(value) ? String(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      throw new TypeError('Do not know how to serialize a BigInt');
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
  }
  if (value === null) return 'null';
  const obj = value as object;
  if (stack.has(obj)) throw new TypeError('Converting circular structure to JSON');
  stack.add(obj);
  try {
    if (Array.isArray(obj)) return `[${obj.map((item) => write(item, false, stack) ?? 'null').join(',')}]`;
    const record = obj as Record<string, unknown>;
    const floats = floatsOf(record);
    const parts: string[] = [];
    for (const key of Object.keys(record)) {
      const inner = key === 'nova_object.data' && floats ? writeData(record[key], floats, stack) : write(record[key], false, stack);
      if (inner !== undefined) parts.push(`${JSON.stringify(key)}:${inner}`);
    }
    return `{${parts.join(',')}}`;
  } finally {
    stack.delete(obj);
  }
}

/** The `nova_object.data` dict of an object that has float fields. */
function writeData(data: unknown, floats: Floats, stack: Set<object>): string | undefined {
  if (data === null || typeof data !== 'object' || Array.isArray(data) || !floats) return write(data, false, stack);
  const record = data as Record<string, unknown>;
  if (stack.has(record)) throw new TypeError('Converting circular structure to JSON');
  stack.add(record);
  const parts: string[] = [];
  for (const key of Object.keys(record)) {
    const v = record[key];
    const inner = write(v, typeof v === 'number' && floats.has(key), stack);
    if (inner !== undefined) parts.push(`${JSON.stringify(key)}:${inner}`);
  }
  stack.delete(record);
  return `{${parts.join(',')}}`;
}

/** JSON text of `value`, compact, with Nova FloatFields printed as Python floats. */
export function toJson(value: unknown): string {
  const out = write(value, false, new Set());
  if (out === undefined) throw new TypeError('value is not serializable to JSON');
  return out;
}

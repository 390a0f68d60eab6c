// The subset of jsonschema (Draft 4) that Cinder's request schemas use, with jsonschema's own error
// texts, wrapped the way cinder/api/validation/validators.py does:
//   "Invalid input for field/attribute <last path item>. Value: <str(instance)>. <message>"
// (bare message at the top level). Cinder's schemas are copied as plain objects in schemas.ts, so the
// first reported error is the one jsonschema's iter_errors yields first (keywords in schema order).
import { pyRepr } from '../validation.js';

export interface Schema {
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean;
  patternProperties?: Record<string, Schema>;
  enum?: unknown[];
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  pattern?: string;
  format?: 'uuid';
  oneOf?: Schema[];
  anyOf?: Schema[];
  minProperties?: number;
}

interface Failure {
  path: string[];
  instance: unknown;
  message: string;
}

export interface SchemaWording {
  /** jsonschema ≥4.21 says "should be non-empty" where older releases say "is too short". */
  nonEmpty: boolean;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function isType(v: unknown, t: string): boolean {
  switch (t) {
    case 'object': return isObject(v);
    case 'array': return Array.isArray(v);
    case 'string': return typeof v === 'string';
    case 'boolean': return typeof v === 'boolean';
    case 'null': return v === null;
    case 'integer': return typeof v === 'number' && Number.isInteger(v);
    case 'number': return typeof v === 'number';
    default: return false;
  }
}

/** oslo uuidutils.is_uuid_like: hex digits, hyphens optional, any case, urn/braces stripped. */
export function isUuidLike(v: unknown): boolean {
  if (typeof v !== 'string') return false;
  const s = v.toLowerCase().replace(/^urn:uuid:/, '').replace(/[{}]/g, '');
  return /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/.test(s) && s.replace(/-/g, '').length === 32;
}

/** Cinder's validator compares strings holding numbers as numbers (_validate_minimum/_maximum). */
function asNumber(v: unknown): number | null {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Number(v))) return Number(v);
  return null;
}

function* errors(schema: Schema, v: unknown, path: string[], w: SchemaWording): Generator<Failure> {
  for (const key of Object.keys(schema) as (keyof Schema)[]) {
    const fail = (message: string): Failure => ({ path, instance: v, message });
    switch (key) {
      case 'type': {
        const types = Array.isArray(schema.type) ? schema.type : [schema.type!];
        if (!types.some((t) => isType(v, t))) yield fail(`${pyRepr(v)} is not of type ${types.map((t) => pyRepr(t)).join(', ')}`);
        break;
      }
      case 'properties':
        if (isObject(v)) {
          for (const [name, sub] of Object.entries(schema.properties!)) {
            if (name in v) yield* errors(sub, v[name], [...path, name], w);
          }
        }
        break;
      case 'patternProperties':
        if (isObject(v)) {
          for (const [pattern, sub] of Object.entries(schema.patternProperties!)) {
            const re = new RegExp(pattern);
            for (const [k, x] of Object.entries(v)) if (re.test(k)) yield* errors(sub, x, [...path, k], w);
          }
        }
        break;
      case 'required':
        if (isObject(v)) for (const r of schema.required!) if (!(r in v)) yield fail(`${pyRepr(r)} is a required property`);
        break;
      case 'additionalProperties': {
        if (!isObject(v) || schema.additionalProperties !== false) break;
        const props = schema.properties ?? {};
        const patterns = Object.keys(schema.patternProperties ?? {});
        const extras = Object.keys(v).filter((k) => !(k in props) && !patterns.some((p) => new RegExp(p).test(k))).sort();
        if (extras.length === 0) break;
        if (patterns.length > 0) {
          const verb = extras.length === 1 ? 'does' : 'do';
          yield fail(`${extras.map((e) => pyRepr(e)).join(', ')} ${verb} not match any of the regexes: ${[...patterns].sort().map((p) => pyRepr(p)).join(', ')}`);
        } else {
          yield fail(`Additional properties are not allowed (${extras.map((e) => pyRepr(e)).join(', ')} ${extras.length === 1 ? 'was' : 'were'} unexpected)`);
        }
        break;
      }
      case 'enum':
        if (!schema.enum!.some((e) => e === v)) yield fail(`${pyRepr(v)} is not one of ${pyRepr(schema.enum)}`);
        break;
      case 'minLength':
        if (typeof v === 'string' && [...v].length < schema.minLength!) {
          yield fail(w.nonEmpty && schema.minLength === 1 ? `${pyRepr(v)} should be non-empty` : `${pyRepr(v)} is too short`);
        }
        break;
      case 'maxLength':
        if (typeof v === 'string' && [...v].length > schema.maxLength!) {
          yield fail(w.nonEmpty && schema.maxLength === 0 ? `${pyRepr(v)} is expected to be empty` : `${pyRepr(v)} is too long`);
        }
        break;
      case 'minProperties':
        if (isObject(v) && Object.keys(v).length < schema.minProperties!) {
          yield fail(w.nonEmpty && schema.minProperties === 1 ? `${pyRepr(v)} should be non-empty` : `${pyRepr(v)} does not have enough properties`);
        }
        break;
      case 'minimum': {
        const n = typeof v === 'boolean' ? null : asNumber(v);
        if (n !== null && n < schema.minimum!) yield { path, instance: v, message: `${n} is less than the minimum of ${schema.minimum}` };
        break;
      }
      case 'maximum': {
        const n = typeof v === 'boolean' ? null : asNumber(v);
        if (n !== null && n > schema.maximum!) yield { path, instance: v, message: `${n} is greater than the maximum of ${schema.maximum}` };
        break;
      }
      case 'pattern':
        if (typeof v === 'string' && !new RegExp(schema.pattern!).test(v)) yield fail(`${pyRepr(v)} does not match ${pyRepr(schema.pattern)}`);
        break;
      case 'format':
        if (schema.format === 'uuid' && typeof v === 'string' && !isUuidLike(v)) yield fail(`${pyRepr(v)} is not a 'uuid'`);
        break;
      case 'oneOf': {
        const ok = schema.oneOf!.filter((s) => errors(s, v, path, w).next().done).length;
        if (ok === 0) yield fail(`${pyRepr(v)} is not valid under any of the given schemas`);
        else if (ok > 1) yield fail(`${pyRepr(v)} is valid under each of ${schema.oneOf!.map((s) => pyRepr(s)).join(', ')}`);
        break;
      }
      case 'anyOf':
        if (!schema.anyOf!.some((s) => errors(s, v, path, w).next().done)) yield fail(`${pyRepr(v)} is not valid under any of the given schemas`);
        break;
    }
  }
}

/** Python's str() of the offending value, as `%(value)s` prints it (strings bare, the rest like repr). */
const pyStr = (v: unknown) => (typeof v === 'string' ? v : pyRepr(v));

/** The validator's message for the first error, or null when the body is valid. */
export function validate(schema: Schema, body: unknown, wording: SchemaWording): string | null {
  const first = errors(schema, body, [], wording).next();
  if (first.done) return null;
  const e = first.value;
  if (e.path.length === 0) return e.message;
  return `Invalid input for field/attribute ${e.path[e.path.length - 1]}. Value: ${pyStr(e.instance)}. ${e.message}`;
}

// Turn zod issues into the jsonschema-style messages Nova and Cinder return
// (nova/api/validation/validators.py): "Invalid input for field/attribute <x>. Value: <v>. <msg>".
import type { z } from 'zod';

/** Python repr of a JSON value, as the validator prints it. */
export function pyRepr(v: unknown, depth = 0): string {
  if (depth > 32) return '...';
  if (v === null || v === undefined) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (typeof v === 'string') return `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  if (typeof v === 'number') return String(v);
  if (Array.isArray(v)) return `[${v.map((x) => pyRepr(x, depth + 1)).join(', ')}]`;
  if (typeof v === 'object') return `{${Object.entries(v as object).map(([k, x]) => `${pyRepr(k)}: ${pyRepr(x, depth + 1)}`).join(', ')}}`;
  return String(v);
}

/** Python str() of a JSON value: what "%s" prints in "Value: %(value)s". */
export function pyStr(v: unknown): string {
  return typeof v === 'string' ? v : pyRepr(v);
}

function valueAt(root: unknown, path: PropertyKey[]): unknown {
  let cur: unknown = root;
  for (const p of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[p];
  }
  return cur;
}

const TYPE_NAMES: Record<string, string> = { string: 'string', number: 'number', boolean: 'boolean', object: 'object', array: 'array', int: 'integer' };

/** One jsonschema-like message for the first issue, in Nova's wording. */
export function formatValidationError(error: z.ZodError, input: unknown, queryParam = false): string {
  const issue = error.issues[0];
  const path = issue.path;
  const value = valueAt(input, path);
  let msg: string;
  if (value === undefined && path.length > 0 && issue.code !== 'unrecognized_keys') {
    // A missing key (whatever its schema): jsonschema's "required" error, reported at the parent.
    return withField(path.slice(0, -1), input, `${pyRepr(String(path[path.length - 1]))} is a required property`, queryParam, true);
  }
  switch (issue.code) {
    case 'unrecognized_keys':
      return withField(path, input, `Additional properties are not allowed (${issue.keys.map((k) => pyRepr(k)).join(', ')} ${issue.keys.length > 1 ? 'were' : 'was'} unexpected)`, queryParam, true);
    case 'invalid_type':
      if (value === undefined) {
        // jsonschema: "'<name>' is a required property", reported at the parent level.
        const parent = path.slice(0, -1);
        return withField(parent, input, `${pyRepr(String(path[path.length - 1]))} is a required property`, queryParam, true);
      }
      msg = `${pyRepr(value)} is not of type ${pyRepr(TYPE_NAMES[issue.expected] ?? issue.expected)}`;
      break;
    case 'invalid_format':
      msg = issue.format === 'regex' ? `${pyRepr(value)} does not match ${pyRepr((issue as { pattern?: string }).pattern ?? '')}` : `${pyRepr(value)} is not a ${pyRepr(issue.format)}`;
      break;
    case 'too_small':
      msg = issue.origin === 'string' ? `${pyRepr(value)} is too short` : `${pyRepr(value)} is less than the minimum of ${String(issue.minimum)}`;
      break;
    case 'too_big':
      msg = issue.origin === 'string' ? `${pyRepr(value)} is too long` : `${pyRepr(value)} is greater than the maximum of ${String(issue.maximum)}`;
      break;
    case 'invalid_value':
      msg = `${pyRepr(value)} is not one of ${pyRepr(issue.values as unknown[])}`;
      break;
    default:
      msg = issue.message.startsWith('PY:') ? issue.message.slice(3).replace('{value}', pyRepr(value)) : `${pyRepr(value)} is not valid under any of the given schemas`;
  }
  return withField(path, input, msg, queryParam, false);
}

function withField(path: PropertyKey[], input: unknown, msg: string, queryParam: boolean, parentLevel: boolean): string {
  if (path.length === 0) return msg;
  const field = String(path[path.length - 1]);
  const value = valueAt(input, path);
  const head = queryParam ? `Invalid input for query parameters ${field}` : `Invalid input for field/attribute ${field}`;
  void parentLevel;
  return `${head}. Value: ${pyStr(value)}. ${msg}`;
}

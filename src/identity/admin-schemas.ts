// The request bodies of Keystone's admin API (keystone/{resource,identity,assignment}/schema.py), checked
// the way keystone.common.validation does: jsonschema's message, prefixed with the field path when there is one.
import { KeystoneError } from './errors.js';

type FieldType = 'name' | 'string' | 'nullable-string' | 'boolean' | 'tags';
export interface BodySchema { key: string; fields: Record<string, FieldType>; required?: string[]; minProperties?: boolean }

/** Python's repr() of a JSON value, as jsonschema's messages print it. */
export function pyRepr(v: unknown): string {
  if (v === null || v === undefined) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (typeof v === 'string') return `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  if (typeof v === 'number') return String(v);
  if (Array.isArray(v)) return `[${v.map(pyRepr).join(', ')}]`;
  return `{${Object.entries(v as Record<string, unknown>).map(([k, x]) => `${pyRepr(k)}: ${pyRepr(x)}`).join(', ')}}`;
}

function invalid(path: string, message: string): never {
  throw new KeystoneError(400, path ? `Invalid input for field '${path}': ${message}` : message);
}

function checkField(path: string, type: FieldType, v: unknown): void {
  if (type === 'boolean') {
    if (typeof v !== 'boolean') invalid(path, `${pyRepr(v)} is not of type 'boolean'`);
    return;
  }
  if (type === 'tags') {
    if (!Array.isArray(v)) invalid(path, `${pyRepr(v)} is not of type 'array'`);
    if (v.length > 80) invalid(path, `${pyRepr(v)} is too long`);
    v.forEach((t, i) => {
      if (typeof t !== 'string') invalid(`${path}/${i}`, `${pyRepr(t)} is not of type 'string'`);
      if (t.length < 1) invalid(`${path}/${i}`, `${pyRepr(t)} should be non-empty`);
      if (t.length > 255) invalid(`${path}/${i}`, `${pyRepr(t)} is too long`);
      if (/[,/]/.test(t)) invalid(`${path}/${i}`, `${pyRepr(t)} does not match '^[^,/]*$'`);
    });
    if (new Set(v).size !== v.length) invalid(path, `${pyRepr(v)} has non-unique elements`);
    return;
  }
  if (v === null && type === 'nullable-string') return;
  if (typeof v !== 'string') invalid(path, `${pyRepr(v)} is not of type ${type === 'nullable-string' ? "'string', 'null'" : "'string'"}`);
  if (type === 'name') {
    if (v.length < 1) invalid(path, `${pyRepr(v)} should be non-empty`);
    if (v.length > 64) invalid(path, `${pyRepr(v)} is too long`);
    if (!/\S/.test(v)) invalid(path, `${pyRepr(v)} does not match '[\\\\S]+'`);
  } else if (v.length > 255 && type === 'string') {
    invalid(path, `${pyRepr(v)} is too long`);
  }
}

/** Validates `{"<key>": {...}}` and returns the inner object. */
export function validateBody(body: unknown, schema: BodySchema): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) invalid('', `${pyRepr(body ?? null)} is not of type 'object'`);
  const outer = body as Record<string, unknown>;
  if (!(schema.key in outer)) invalid('', `'${schema.key}' is a required property`);
  const extra = Object.keys(outer).filter((k) => k !== schema.key);
  if (extra.length) invalid('', `Additional properties are not allowed (${extra.map(pyRepr).join(', ')} ${extra.length === 1 ? 'was' : 'were'} unexpected)`);
  const inner = outer[schema.key];
  if (typeof inner !== 'object' || inner === null || Array.isArray(inner)) invalid(schema.key, `${pyRepr(inner)} is not of type 'object'`);
  const obj = inner as Record<string, unknown>;
  for (const r of schema.required ?? []) if (!(r in obj)) invalid(schema.key, `'${r}' is a required property`);
  if (schema.minProperties && Object.keys(obj).length === 0) invalid(schema.key, '{} should be non-empty');
  for (const [k, type] of Object.entries(schema.fields)) if (k in obj) checkField(`${schema.key}/${k}`, type, obj[k]);
  return obj;
}

const PROJECT_FIELDS: Record<string, FieldType> = {
  name: 'name', description: 'nullable-string', domain_id: 'nullable-string', enabled: 'boolean', is_domain: 'boolean', parent_id: 'nullable-string', tags: 'tags',
};
const USER_FIELDS: Record<string, FieldType> = {
  name: 'name', description: 'nullable-string', domain_id: 'string', enabled: 'boolean', default_project_id: 'nullable-string', password: 'nullable-string',
};
const ROLE_FIELDS: Record<string, FieldType> = { name: 'name', description: 'nullable-string', domain_id: 'nullable-string' };
const DOMAIN_FIELDS: Record<string, FieldType> = { name: 'name', description: 'nullable-string', enabled: 'boolean', tags: 'tags' };

export const SCHEMAS = {
  projectCreate: { key: 'project', fields: PROJECT_FIELDS, required: ['name'] },
  projectUpdate: { key: 'project', fields: PROJECT_FIELDS, minProperties: true },
  userCreate: { key: 'user', fields: USER_FIELDS, required: ['name'] },
  userUpdate: { key: 'user', fields: USER_FIELDS, minProperties: true },
  roleCreate: { key: 'role', fields: ROLE_FIELDS, required: ['name'] },
  roleUpdate: { key: 'role', fields: ROLE_FIELDS, minProperties: true },
  domainCreate: { key: 'domain', fields: DOMAIN_FIELDS, required: ['name'] },
  domainUpdate: { key: 'domain', fields: DOMAIN_FIELDS, minProperties: true },
} satisfies Record<string, BodySchema>;

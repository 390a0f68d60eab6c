// Glance's image schema (glance/api/v2/images.py get_base_properties, default image_format options) and
// RequestDeserializer's checks, with jsonschema's first message line as Glance prints it.
import { pyRepr } from '../identity/admin-schemas.js';
import { GlanceError } from './errors.js';

export const DISK_FORMATS = [null, 'ami', 'ari', 'aki', 'vhd', 'vhdx', 'vmdk', 'raw', 'qcow2', 'vdi', 'iso', 'ploop'];
export const CONTAINER_FORMATS = [null, 'ami', 'ari', 'aki', 'bare', 'ovf', 'ova', 'docker', 'compressed'];
const VISIBILITIES = ['community', 'public', 'private', 'shared'];
const UUID_PATTERN = '^([0-9a-fA-F]){8}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-([0-9a-fA-F]){12}$';

export const DISALLOWED = ['direct_url', 'self', 'file', 'schema', 'stores'];
export const READONLY = ['created_at', 'updated_at', 'status', 'checksum', 'size', 'virtual_size', 'direct_url', 'self', 'file', 'schema', 'id', 'os_hash_algo', 'os_hash_value'];
export const RESERVED = ['location', 'deleted', 'deleted_at'];
export const BASE = ['checksum', 'created_at', 'container_format', 'disk_format', 'id', 'min_disk', 'min_ram', 'name', 'size', 'virtual_size', 'status', 'tags', 'owner', 'updated_at', 'visibility', 'protected', 'os_hidden'];
/** Attributes of the domain Image object (PATCH sets them; `remove` refuses them). */
export const IMAGE_ATTRS = [...BASE, 'os_hash_algo', 'os_hash_value', 'locations'];

const invalid = (reason: string): never => {
  throw new GlanceError(400, `Provided object does not match schema 'image': ${reason}`);
};

/** Validates one (partial) image document as glance.schema.Schema.validate does. */
export function validateImageDoc(doc: unknown): asserts doc is Record<string, unknown> {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) invalid(`${pyRepr(doc)} is not of type 'object'`);
  for (const [k, v] of Object.entries(doc as Record<string, unknown>)) {
    switch (k) {
      case 'id':
        if (typeof v !== 'string') invalid(`${pyRepr(v)} is not of type 'string'`);
        if (!new RegExp(UUID_PATTERN).test(v as string)) invalid(`${pyRepr(v)} does not match ${pyRepr(UUID_PATTERN)}`);
        break;
      case 'name':
      case 'owner':
        if (v !== null && typeof v !== 'string') invalid(`${pyRepr(v)} is not of type 'null', 'string'`);
        if (typeof v === 'string' && v.length > 255) invalid(`${pyRepr(v)} is too long`);
        break;
      case 'visibility':
        if (!VISIBILITIES.includes(v as string)) invalid(`${pyRepr(v)} is not one of ${pyRepr(VISIBILITIES)}`);
        break;
      case 'protected':
      case 'os_hidden':
        if (typeof v !== 'boolean') invalid(`${pyRepr(v)} is not of type 'boolean'`);
        break;
      case 'min_disk':
      case 'min_ram':
        if (!Number.isInteger(v)) invalid(`${pyRepr(v)} is not of type 'integer'`);
        if ((v as number) < 0) throw new GlanceError(400, `Invalid value '${v}' for parameter '${k}': Cannot be a negative value`);
        if ((v as number) > 2 ** 31 - 1) invalid(`${pyRepr(v)} is greater than the maximum of 2147483647`);
        break;
      case 'disk_format':
        if (!DISK_FORMATS.includes(v as string | null)) invalid(`${pyRepr(v)} is not one of ${pyRepr(DISK_FORMATS)}`);
        break;
      case 'container_format':
        if (!CONTAINER_FORMATS.includes(v as string | null)) invalid(`${pyRepr(v)} is not one of ${pyRepr(CONTAINER_FORMATS)}`);
        break;
      case 'tags':
        if (!Array.isArray(v)) invalid(`${pyRepr(v)} is not of type 'array'`);
        for (const t of v as unknown[]) {
          if (typeof t !== 'string') invalid(`${pyRepr(t)} is not of type 'string'`);
          if ((t as string).length > 255) invalid(`${pyRepr(t)} is too long`);
        }
        break;
      default:
        if (BASE.includes(k) || READONLY.includes(k)) break;
        // additionalProperties: {"type": "string"}
        if (typeof v !== 'string') invalid(`${pyRepr(v)} is not of type 'string'`);
    }
  }
}

/** RequestDeserializer.create + ImageFactory.new_image's read-only and reserved checks. */
export function checkCreateBody(body: unknown): Record<string, unknown> {
  if (body === undefined || body === null) throw new GlanceError(400, 'Body expected in request.');
  if (typeof body === 'object' && !Array.isArray(body)) {
    for (const k of DISALLOWED) if (k in body) throw new GlanceError(403, `Attribute '${k}' is read-only.`);
  }
  validateImageDoc(body);
  for (const k of Object.keys(body)) {
    if (!BASE.includes(k) && k.length > 255) throw new GlanceError(400, 'Custom property should not be greater than 255 characters.');
    if (RESERVED.includes(k) || k.startsWith('os_glance')) throw new GlanceError(403, `Attribute '${k}' is reserved.`);
    if (READONLY.includes(k) && k !== 'id') throw new GlanceError(403, `Attribute '${k}' is read-only.`);
  }
  return body;
}

export interface Change { op: 'add' | 'replace' | 'remove'; path: string[]; value?: unknown }

export const PATCH_TYPES: Record<string, 4 | 10> = {
  'application/openstack-images-v2.0-json-patch': 4,
  'application/openstack-images-v2.1-json-patch': 10,
};

function decodePointer(p: unknown): string[] {
  if (typeof p !== 'string') throw new GlanceError(400, `Pointer \`${String(p)}\` does not start with "/".`);
  if (!p.startsWith('/')) throw new GlanceError(400, `Pointer \`${p}\` does not start with "/".`);
  if (/\/\s*?\//.test(p.slice(1))) throw new GlanceError(400, `Pointer \`${p}\` contains adjacent "/".`);
  if (p.length > 1 && p.endsWith('/')) throw new GlanceError(400, `Pointer \`${p}\` end with "/".`);
  if (/~[^01]/.test(p) || p.endsWith('~')) throw new GlanceError(400, `Pointer \`${p}\` contains "~" not part of a recognized escape sequence.`);
  return p.replace(/^\/+/, '').split('/').map((x) => x.replace(/~1/g, '/').replace(/~0/g, '~').trim());
}

/** RequestDeserializer.update: a JSON array of add/replace/remove operations (draft 10 or draft 4 form). */
export function parseChanges(body: unknown, draft: 4 | 10): Change[] {
  if (!Array.isArray(body)) throw new GlanceError(400, 'Request body must be a JSON array of operation objects.');
  return body.map((raw) => {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new GlanceError(400, 'Operations must be JSON objects.');
    const r = raw as Record<string, unknown>;
    let op: string;
    let pointer: unknown;
    if (draft === 10) {
      if (r.op === undefined) throw new GlanceError(400, 'Unable to find `op` in JSON Schema change. It must be one of the following: add, remove, replace.');
      if (!['add', 'remove', 'replace'].includes(r.op as string)) {
        throw new GlanceError(400, `Invalid operation: \`${String(r.op)}\`. It must be one of the following: add, remove, replace.`);
      }
      op = r.op as string;
      if (!('path' in r)) throw new GlanceError(400, "Unable to find 'path' in JSON Schema change");
      pointer = r.path;
    } else {
      const ops = ['add', 'remove', 'replace'].filter((k) => k in r);
      if (ops.length > 1) throw new GlanceError(400, 'Operation objects must contain only one member named "add", "remove", or "replace".');
      if (ops.length === 0) throw new GlanceError(400, 'Operation objects must contain exactly one member named "add", "remove", or "replace".');
      op = ops[0];
      pointer = r[op];
    }
    const path = decodePointer(pointer);
    if (path.length !== 1 || path[0] === '') throw new GlanceError(400, `Invalid JSON pointer for this resource: '/${path.join('/')}'`);
    const change: Change = { op: op as Change['op'], path };
    if (op !== 'remove') {
      if (!('value' in r)) throw new GlanceError(400, `Operation "${op}" requires a member named "value".`);
      change.value = r.value;
    }
    const root = path[0];
    if (READONLY.includes(root)) throw new GlanceError(403, `Attribute '${root}' is read-only.`);
    if (RESERVED.includes(root) || root.startsWith('os_glance')) throw new GlanceError(403, `Attribute '${root}' is reserved.`);
    if (op !== 'remove') validateImageDoc({ [root]: change.value });
    return change;
  });
}

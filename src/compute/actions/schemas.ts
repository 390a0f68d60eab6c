// Body schemas of the server actions, copied from nova/api/openstack/compute/schemas/*.py.
// `{}` in Nova's JSON schema accepts any value; `{'type': 'null'}` only null.
import { z } from 'zod';

/** {'type': 'object', 'properties': {<key>: {}}, 'required': [<key>], 'additionalProperties': False}. */
export const anyValue = (key: string) => z.object({ [key]: z.unknown() }).strict().refine((b) => key in b, { message: `'${key}' is a required property` });

/** The same with {'type': 'null'}: only null (trigger_crash_dump, unrescue at some versions). */
export const nullValue = (key: string) => z.object({ [key]: z.null() }).strict();

export const lockV273 = z.object({
  lock: z.union([z.null(), z.object({ locked_reason: z.string().min(1).max(255).optional() }).strict()]),
}).strict();

export const reboot = z.object({
  reboot: z.object({ type: z.enum(['HARD', 'Hard', 'hard', 'SOFT', 'Soft', 'soft']) }).strict(),
}).strict();

/** oslo uuidutils.is_uuid_like (the same check as src/api/schemas/common.ts `uuid`, kept here so compute imports nothing from api/). */
function isUuidLike(v: string): boolean {
  const s = v.toLowerCase().replace(/^urn:uuid:/, '').replace(/[{}]/g, '');
  return /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/.test(s) && (s.length === 32 || s.length === 36);
}
const uuidLike = z.string().refine(isUuidLike, { message: "PY:{value} is not a 'uuid'" });

export const rescue = z.object({
  rescue: z.union([z.null(), z.object({ adminPass: z.string().optional(), rescue_image_ref: uuidLike.optional() }).strict()]),
}).strict();

/** servers.py resize: flavorRef (parameter_types.flavor_ref: string or integer, minLength 1) and OS-DCF:diskConfig. */
export const resize = z.object({
  resize: z.object({
    flavorRef: z.union([z.string().min(1), z.number().int()]),
    'OS-DCF:diskConfig': z.enum(['AUTO', 'MANUAL']).optional(),
  }).strict(),
}).strict();

/** migrate_server.py migrate (2.56): null or {host: fqdn-or-null}. */
export const migrateV256 = z.object({
  migrate: z.union([
    z.null(),
    z.object({ host: z.union([z.null(), z.string().min(1).max(255).regex(/^[a-zA-Z0-9-._]*$/)]).optional() }).strict(),
  ]),
}).strict();

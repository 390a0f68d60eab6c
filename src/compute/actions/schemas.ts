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

/** parameter_types.name: 1..255 printable characters, no leading/trailing space. */
const pyName = z
  .string()
  .refine((v) => v.length >= 1, { message: 'PY:{value} is too short' })
  .refine((v) => v.length <= 255, { message: 'PY:{value} is too long' })
  .refine((v) => v.trim() === v, { message: "PY:{value} does not match '^(?![\\ ])[\\ -~]*(?<![\\ ])$'" });

/** parameter_types.metadata: keys '^[a-zA-Z0-9-_:. ]{1,255}$', string values ≤255. */
const metadata = z.record(
  z.string().regex(/^[a-zA-Z0-9-_:. ]{1,255}$/, { message: "PY:Additional properties are not allowed ({value} was unexpected)" }),
  z.string().max(255),
);

/** parameter_types.boolean (True/False and their string spellings). */
const pyBoolean = z.union([
  z.boolean(),
  z.enum(['True', 'true', 'TRUE', 'False', 'false', 'FALSE', '1', '0', 'ON', 'On', 'on', 'OFF', 'Off', 'off', 'YES', 'Yes', 'yes', 'NO', 'No', 'no']),
]).transform((v) => (typeof v === 'boolean' ? v : ['true', '1', 'on', 'yes'].includes(v.toLowerCase())));

const personality = z.array(z.object({ path: z.string().max(255), contents: z.string() }).strict());
const accessIp = z.string();
const trustedCerts = z
  .array(z.string().min(1))
  .min(1)
  .max(50)
  .refine((a) => new Set(a).size === a.length, { message: 'PY:{value} has non-unique elements' })
  .nullable();

const rebuildBase = {
  name: pyName.optional(),
  imageRef: uuidLike,
  adminPass: z.string().optional(),
  metadata: metadata.optional(),
  preserve_ephemeral: pyBoolean.optional(),
  'OS-DCF:diskConfig': z.enum(['AUTO', 'MANUAL']).optional(),
  accessIPv4: accessIp.optional(),
  accessIPv6: accessIp.optional(),
  personality: personality.optional(),
};
const wrapRebuild = <T extends z.ZodRawShape>(shape: T) => z.object({ rebuild: z.object(shape).strict() }).strict();
const { personality: _dropped, ...rebuildV254NoPersonality } = { ...rebuildBase, description: z.string().max(255).nullable().optional(), key_name: pyName.nullable().optional() };
void _dropped;

/** schemas/servers.py rebuild, rebuild_v219, v254, v257, v263, v290, v294. */
export const rebuildV21 = wrapRebuild(rebuildBase);
export const rebuildV219 = wrapRebuild({ ...rebuildBase, description: z.string().max(255).nullable().optional() });
export const rebuildV254 = wrapRebuild({ ...rebuildBase, description: z.string().max(255).nullable().optional(), key_name: pyName.nullable().optional() });
const v257 = { ...rebuildV254NoPersonality, user_data: z.string().max(65535).nullable().optional() };
export const rebuildV257 = wrapRebuild(v257);
const v263 = { ...v257, trusted_image_certificates: trustedCerts.optional() };
export const rebuildV263 = wrapRebuild(v263);
/** parameter_types.hostname (2.90) and fqdn (2.94). */
export const rebuildV290 = wrapRebuild({ ...v263, hostname: z.string().min(2).max(63).regex(/^[a-zA-Z0-9-._]*$/).optional() });
export const rebuildV294 = wrapRebuild({ ...v263, hostname: z.string().min(1).max(255).regex(/^[a-zA-Z0-9-._]*$/).optional() });

/** schemas/servers.py create_image; schemas/create_backup.py create_backup. */
export const createImage = z.object({ createImage: z.object({ name: pyName, metadata: metadata.optional() }).strict() }).strict();
export const createBackup = z.object({
  createBackup: z.object({
    name: pyName,
    backup_type: z.string(),
    // parameter_types.non_negative_integer: an integer or a digit string, ≥ 0.
    rotation: z.union([z.number().int().min(0), z.string().regex(/^[0-9]+$/)]).transform((v) => Number(v)),
    metadata: metadata.optional(),
  }).strict(),
}).strict();

/** schemas/evacuate.py evacuate (2.1–2.13), v214, v229, v268, v295. */
const evacuateBase = { host: z.string().min(1).max(255).optional(), adminPass: z.string().optional() };
export const evacuateV21 = z.object({ evacuate: z.object({ ...evacuateBase, onSharedStorage: pyBoolean }).strict() }).strict();
export const evacuateV214 = z.object({ evacuate: z.object(evacuateBase).strict() }).strict();
export const evacuateV229 = z.object({ evacuate: z.object({ ...evacuateBase, force: pyBoolean.optional() }).strict() }).strict();
export const evacuateV268 = evacuateV214;

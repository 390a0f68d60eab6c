// Nova's parameter_types (nova/api/validation/parameter_types.py) as zod.
import { z } from 'zod';

/** oslo uuidutils.is_uuid_like: canonical or hyphen-less hex, case-insensitive. */
export function isUuidLike(v: string): boolean {
  const s = v.toLowerCase().replace(/^urn:uuid:/, '').replace(/[{}]/g, '');
  return /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/.test(s) && (s.length === 32 || s.length === 36);
}

export const uuid = z.string().refine(isUuidLike, { message: "PY:{value} is not a 'uuid'" });

// Exactly Nova's enum (master and 26.2.2 alike): unlike Cinder's, it has no 'y', 't', 'n', 'f'.
const TRUE_VALUES = [true, 'True', 'TRUE', 'true', '1', 'ON', 'On', 'on', 'YES', 'Yes', 'yes'] as const;
const FALSE_VALUES = [false, 'False', 'FALSE', 'false', '0', 'OFF', 'Off', 'off', 'NO', 'No', 'no'] as const;
const BOOL_ENUM = [...TRUE_VALUES, ...FALSE_VALUES];

/** parameter_types.boolean: a boolean or one of the boolean-like strings, parsed strictly. */
export const booleanLike = z
  .union([z.boolean(), z.string()])
  .refine((v) => (BOOL_ENUM as readonly unknown[]).includes(v), {
    message: `PY:{value} is not one of [${BOOL_ENUM.map((v) => (typeof v === 'string' ? `'${v}'` : v ? 'True' : 'False')).join(', ')}]`,
  })
  .transform((v) => (TRUE_VALUES as readonly unknown[]).includes(v));

/** parameter_types.tag. */
export const tag = z
  .string()
  .refine((v) => v.length >= 1, { message: 'PY:{value} is too short' })
  .refine((v) => v.length <= 60, { message: 'PY:{value} is too long' })
  .refine((v) => /^[^,/]*$/.test(v), { message: "PY:{value} does not match '^[^,/]*$'" });

/** Device path pattern of os-volume_attachments create/update. */
export const DEVICE_PATTERN = '(^/dev/x{0,1}[a-z]{0,1}d{0,1})([a-z]+)[0-9]*$';
export const device = z
  .union([z.string(), z.null()])
  .refine((v) => v === null || new RegExp(DEVICE_PATTERN).test(v), { message: `PY:{value} does not match '${DEVICE_PATTERN}'` });

/** Query strings arrive as a string or a list of strings (multi_params): take the last, as Nova does. */
const lastOf = (v: unknown) => (Array.isArray(v) ? v[v.length - 1] : v);

/** parameter_types.non_negative_integer for query strings. */
export const nonNegativeIntQuery = z.preprocess(
  lastOf,
  z
    .string()
    .refine((v) => /^[0-9]*$/.test(v) && v.length >= 1, { message: "PY:{value} does not match '^[0-9]*$'" })
    .transform((v) => Number.parseInt(v, 10)),
);

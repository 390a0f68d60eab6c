// nova/api/openstack/compute/schemas/keypairs.py.
import { z } from 'zod';
import { nonNegativeIntQuery } from './common.js';

/** parameter_types.name (printable, no leading/trailing whitespace) then the key-name pattern. */
function keypairName(pattern: string) {
  const re = new RegExp(pattern);
  return z
    .string()
    .refine((v) => v.length >= 1, { message: 'PY:{value} is too short' })
    .refine((v) => v.length <= 255, { message: 'PY:{value} is too long' })
    .refine((v) => v.trim() === v, { message: "PY:{value} does not match '^(?![\\\\ ])[\\\\ -~]*(?<![\\\\ ])$'" })
    .refine((v) => re.test(v), { message: `PY:{value} does not match '${pattern.replace(/\\/g, '\\\\')}'` });
}

const NAME = keypairName('^[_\\- a-zA-Z0-9]+$');
const NAME_V292 = keypairName('^[_\\-\\@\\. a-zA-Z0-9]+$');
const type = z.enum(['ssh', 'x509']);

const wrap = (shape: z.ZodRawShape) => z.object({ keypair: z.object(shape).strict() }).strict();

export const createV21 = wrap({ name: NAME, public_key: z.string().optional() });
export const createV22 = wrap({ name: NAME, type: type.optional(), public_key: z.string().optional() });
export const createV210 = wrap({ name: NAME, type: type.optional(), public_key: z.string().optional(), user_id: z.string().optional() });
export const createV292 = wrap({ name: NAME_V292, type: type.optional(), public_key: z.string(), user_id: z.string().optional() });

export function createSchema(v: { matches(min: string): boolean }) {
  return v.matches('2.92') ? createV292 : v.matches('2.10') ? createV210 : v.matches('2.2') ? createV22 : createV21;
}

const userIdQ = z.union([z.string(), z.array(z.string())]).optional();
/** index/show/delete queries: loose before 2.75, closed from 2.75; limit/marker on index from 2.35. */
export function querySchema(v: { matches(min: string): boolean }, paging: boolean) {
  const shape: z.ZodRawShape = v.matches('2.10') ? { user_id: userIdQ } : {};
  if (paging && v.matches('2.35')) Object.assign(shape, { limit: nonNegativeIntQuery.optional(), marker: z.union([z.string(), z.array(z.string())]).optional() });
  const o = z.object(shape);
  return v.matches('2.75') ? o.strict() : o.passthrough();
}

// nova/api/openstack/compute/schemas/server_groups.py.
import { z } from 'zod';
import { nonNegativeIntQuery } from './common.js';

/** parameter_types.name: 1–255 printable characters, no leading/trailing whitespace. */
const name = z
  .string()
  .refine((v) => v.length >= 1, { message: 'PY:{value} is too short' })
  .refine((v) => v.length <= 255, { message: 'PY:{value} is too long' })
  .refine((v) => v.trim() === v, { message: "PY:{value} does not match '^(?![\\\\ ])[\\\\ -~]*(?<![\\\\ ])$'" });

function policies(allowed: string[]) {
  return z
    .array(z.unknown())
    .refine((a) => a.length >= 1, { message: 'PY:{value} is too short' })
    .refine((a) => a.length <= 1, { message: 'PY:{value} is too long' })
    .refine((a) => typeof a[0] === 'string' && allowed.includes(a[0]), { message: `PY:{value} is not valid under any of the given schemas` })
    .transform((a) => a as string[]);
}

const positiveInt = z
  .unknown()
  .refine((v) => (typeof v === 'number' && Number.isInteger(v)) || (typeof v === 'string' && /^[0-9]*$/.test(v) && v !== ''), { message: "PY:{value} is not of type 'integer', 'string'" })
  .transform((v) => Number(v))
  .refine((v) => v >= 1, { message: 'PY:{value} is less than the minimum of 1' });

export const createV21 = z.object({ server_group: z.object({ name, policies: policies(['anti-affinity', 'affinity']) }).strict() }).strict();
export const createV215 = z.object({ server_group: z.object({ name, policies: policies(['anti-affinity', 'affinity', 'soft-anti-affinity', 'soft-affinity']) }).strict() }).strict();
export const createV264 = z
  .object({
    server_group: z
      .object({
        name,
        policy: z.enum(['anti-affinity', 'affinity', 'soft-anti-affinity', 'soft-affinity']),
        rules: z.object({ max_server_per_host: positiveInt.optional() }).strict().optional(),
      })
      .strict(),
  })
  .strict();

export function createSchema(v: { matches(min: string): boolean }) {
  return v.matches('2.64') ? createV264 : v.matches('2.15') ? createV215 : createV21;
}

const multi = z.union([z.string(), z.array(z.string())]).optional();
export function indexQuery(v: { matches(min: string): boolean }) {
  const o = z.object({ all_projects: multi, limit: nonNegativeIntQuery.optional(), offset: nonNegativeIntQuery.optional() });
  return v.matches('2.75') ? o.strict() : o.passthrough();
}

export function showQuery(v: { matches(min: string): boolean }) {
  return v.matches('2.102') ? z.object({}).strict() : z.object({}).passthrough();
}

// nova/api/openstack/compute/schemas/quota_sets.py and quota_classes.py.
import { z } from 'zod';
import { booleanLike } from './common.js';

/** _common_quota: an integer or an integer-looking string, -1 (unlimited) … 0x7FFFFFFF. */
const quotaValue = z
  .unknown()
  .refine((v) => (typeof v === 'number' && Number.isInteger(v)) || typeof v === 'string', { message: "PY:{value} is not of type 'integer', 'string'" })
  .refine((v) => typeof v !== 'string' || /^-?[0-9]+$/.test(v), { message: "PY:{value} does not match '^-?[0-9]+$'" })
  .refine((v) => typeof v !== 'number' || v >= -1, { message: 'PY:{value} is less than the minimum of -1' })
  .refine((v) => typeof v !== 'number' || v <= 0x7fffffff, { message: 'PY:{value} is greater than the maximum of 2147483647' })
  .transform((v) => Number(v));

const ALL = [
  'instances', 'cores', 'ram', 'floating_ips', 'fixed_ips', 'metadata_items', 'key_pairs', 'security_groups', 'security_group_rules',
  'injected_files', 'injected_file_content_bytes', 'injected_file_path_bytes', 'server_groups', 'server_group_members',
] as const;
const NETWORK = ['fixed_ips', 'floating_ips', 'security_groups', 'security_group_rules'];
const FILES = ['injected_files', 'injected_file_content_bytes', 'injected_file_path_bytes'];

function resources(without: string[]): z.ZodRawShape {
  return Object.fromEntries(ALL.filter((r) => !without.includes(r)).map((r) => [r, quotaValue.optional()]));
}

/** os-quota-sets update: 2.36 drops the nova-network resources, 2.57 the injected files. */
export function quotaSetUpdate(v: { matches(min: string): boolean }) {
  const without = v.matches('2.57') ? [...NETWORK, ...FILES] : v.matches('2.36') ? NETWORK : [];
  return z.object({ quota_set: z.object({ ...resources(without), force: booleanLike.optional() }).strict() }).strict();
}

/** os-quota-class-sets update: the same removals at 2.50 and 2.57. */
export function quotaClassUpdate(v: { matches(min: string): boolean }) {
  const without = v.matches('2.57') ? [...NETWORK, ...FILES] : v.matches('2.50') ? NETWORK : [];
  return z.object({ quota_class_set: z.object(resources(without)).strict() }).strict();
}

/** show/detail/update/delete queries: user_id; additional keys refused from 2.75. */
export function quotaQuery(v: { matches(min: string): boolean }) {
  const o = z.object({ user_id: z.union([z.string(), z.array(z.string())]).optional() });
  return v.matches('2.75') ? o.strict() : o.passthrough();
}

export const FILTERED_V236 = NETWORK;
export const FILTERED_V257 = [...NETWORK, ...FILES];

/** GET /limits: tenant_id; additional keys refused from 2.75 (schemas/limits.py). */
export function limitsQuery(v: { matches(min: string): boolean }) {
  const o = z.object({ tenant_id: z.union([z.string(), z.array(z.string())]).optional() });
  return v.matches('2.75') ? o.strict() : o.passthrough();
}

/** os-quota-class-sets show: no query keys from 2.102. */
export function quotaClassQuery(v: { matches(min: string): boolean }) {
  return v.matches('2.102') ? z.object({}).strict() : z.object({}).passthrough();
}

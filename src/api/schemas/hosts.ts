// Request bodies of os-services and os-aggregates (nova/api/openstack/compute/schemas/{services,aggregates}.py).
import { z } from 'zod';

const host = z.string().min(1).max(255);
const reason = z.string().min(1).max(255);
/** parameter_types.boolean: JSON booleans and the strings oslo's bool_from_string accepts. */
export const boolish = z.union([z.boolean(), z.enum(['True', 'true', 'TRUE', '1', 'on', 'On', 'ON', 'yes', 'Yes', 'YES', 'y', 't', 'False', 'false', 'FALSE', '0', 'off', 'Off', 'OFF', 'no', 'No', 'NO', 'n', 'f'])]);
export type Boolish = z.infer<typeof boolish>;
export const asBool = (v: z.infer<typeof boolish>) => (typeof v === 'boolean' ? v : ['true', '1', 'on', 'yes', 'y', 't'].includes(v.toLowerCase()));

export const serviceUpdate = z.object({ host, binary: z.string().min(1).max(255), disabled_reason: reason.optional() }).strict();
export const serviceUpdateV211 = z.object({ host, binary: z.string().min(1).max(255), disabled_reason: reason.optional(), forced_down: boolish.optional() }).strict();
export const serviceUpdateV253 = z.object({ status: z.enum(['enabled', 'disabled']).optional(), disabled_reason: reason.optional(), forced_down: boolish.optional() }).strict();

// parameter_types.name: no leading/trailing whitespace (the v2.0 form allows them).
const name = z.string().min(1).max(255).regex(/^(?!\s)[\s\S]*(?<!\s)$/);
// parameter_types.az_name: like name, and no ':'.
const azName = z.string().min(1).max(255).regex(/^(?!\s)[^:]*(?<!\s)$/);

export const aggregateCreate = z.object({ aggregate: z.object({ name, availability_zone: azName.nullable().optional() }).strict() }).strict();
export const aggregateUpdate = z
  .object({
    aggregate: z
      .object({ name: name.optional(), availability_zone: azName.nullable().optional() })
      .strict()
      .refine((a) => a.name !== undefined || a.availability_zone !== undefined, { message: 'name or availability_zone is required' }),
  })
  .strict();
export const aggregateAddHost = z.object({ add_host: z.object({ host }).strict() }).strict();
export const aggregateRemoveHost = z.object({ remove_host: z.object({ host }).strict() }).strict();
// parameter_types.metadata_with_null: keys 1-255 chars, values strings up to 255 or null.
export const aggregateSetMetadata = z
  .object({ set_metadata: z.object({ metadata: z.record(z.string().min(1).max(255), z.string().max(255).nullable()) }).strict() })
  .strict();
export const aggregateImages = z.object({ cache: z.array(z.object({ id: z.string().uuid() }).strict()).min(1) }).strict();

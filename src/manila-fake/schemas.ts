// Request bodies of the fake Manila. Manila validates by hand in its controllers (no jsonschema): a body
// without its top-level key is webob's 422, wrong values are InvalidInput (400) with Manila's texts.
import { z } from 'zod';

const str = z.string().max(255);

export const shareCreate = z.object({
  share: z
    .object({
      share_proto: z.string().max(255),
      size: z.union([z.number(), z.string()]),
      name: str.nullish(),
      display_name: str.nullish(),
      description: z.string().max(1024).nullish(),
      display_description: z.string().max(1024).nullish(),
      share_type: str.nullish(),
      volume_type: str.nullish(),
      availability_zone: str.nullish(),
      share_network_id: str.nullish(),
      snapshot_id: str.nullish(),
      is_public: z.union([z.boolean(), z.string()]).optional(),
      metadata: z.record(z.string().max(255), z.string().max(1023)).optional(),
    })
    .passthrough(),
});

export const allowAccess = z
  .object({
    access_type: z.string().max(255),
    access_to: z.string().max(255),
    access_level: z.string().max(255).optional(),
    metadata: z.record(z.string().max(255), z.string().max(1023)).optional(),
    lock_visibility: z.boolean().optional(),
    lock_deletion: z.boolean().optional(),
    lock_reason: z.string().max(1023).nullish(),
  })
  .passthrough();

export const denyAccess = z.object({ access_id: z.string().max(255), unrestrict: z.boolean().optional() }).passthrough();

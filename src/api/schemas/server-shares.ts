// nova/api/openstack/compute/schemas/server_shares.py (2.97) with parameter_types.share_id / share_tag.
import { z } from 'zod';
import { uuid } from './common.js';

/** parameter_types.share_tag: 1–255 characters of [a-zA-Z0-9-]. */
const shareTag = z
  .string()
  .refine((v) => v.length >= 1, { message: 'PY:{value} is too short' })
  .refine((v) => v.length <= 255, { message: 'PY:{value} is too long' })
  .refine((v) => /^[a-zA-Z0-9-]*$/.test(v), { message: "PY:{value} does not match '^[a-zA-Z0-9-]*$'" });

export const create = z.object({ share: z.object({ share_id: uuid, tag: shareTag.optional() }).strict() }).strict();

/** index_query / show_query: no parameters at all. */
export const noQuery = z.object({}).strict();

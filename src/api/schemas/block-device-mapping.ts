// nova/api/openstack/compute/schemas/servers.py: _legacy_block_device_mapping and
// _block_device_mapping_v2 (tag at 2.32 only and from 2.42, volume_type from 2.67).
import { z } from 'zod';
import { booleanLike, tag, uuid } from './common.js';

const DEVICE_NAME = '^[a-zA-Z0-9._/-]*$';
const UUID_FIELD = '^[a-zA-Z0-9._-]*$';

/** parameter_types.volume_size: an integer or digit string, 1..0x7FFFFFFF. */
const volumeSize = z
  .union([z.number().int(), z.string()])
  .refine((v) => typeof v === 'number' || /^[0-9]+$/.test(v), { message: "PY:{value} does not match '^[0-9]+$'" })
  .refine((v) => typeof v !== 'number' || v >= 1, { message: 'PY:{value} is less than the minimum of 1' })
  .refine((v) => typeof v !== 'number' || v <= 0x7fffffff, { message: `PY:{value} is greater than the maximum of ${0x7fffffff}` })
  .transform((v) => Number(v));

const legacyShape = {
  virtual_name: z.string().max(255).optional(),
  volume_id: uuid.optional(),
  snapshot_id: uuid.optional(),
  volume_size: volumeSize.optional(),
  // Do not allow empty device names or spaces in name (block_device.validate_device_name).
  device_name: z
    .string()
    .refine((v) => v.length >= 1, { message: 'PY:{value} is too short' })
    .refine((v) => v.length <= 255, { message: 'PY:{value} is too long' })
    .refine((v) => new RegExp(DEVICE_NAME).test(v), { message: `PY:{value} does not match '${DEVICE_NAME}'` })
    .optional(),
  delete_on_termination: booleanLike.optional(),
  no_device: z.unknown().optional(),
  connection_info: z.string().max(16777215).optional(),
};

export const legacyBdmItem = z.object(legacyShape).strict();

const v2Shape = {
  ...legacyShape,
  source_type: z.enum(['volume', 'image', 'snapshot', 'blank']).optional(),
  uuid: z
    .string()
    .refine((v) => v.length >= 1, { message: 'PY:{value} is too short' })
    .refine((v) => v.length <= 255, { message: 'PY:{value} is too long' })
    .refine((v) => new RegExp(UUID_FIELD).test(v), { message: `PY:{value} does not match '${UUID_FIELD}'` })
    .optional(),
  image_id: uuid.optional(),
  destination_type: z.enum(['local', 'volume']).optional(),
  guest_format: z.string().max(255).optional(),
  device_type: z.string().max(255).optional(),
  disk_bus: z.string().max(255).optional(),
  // boot_index=None is also accepted for backward compatibility with the legacy v2 API.
  boot_index: z
    .union([z.number().int(), z.string(), z.null()])
    .refine((v) => typeof v !== 'string' || /^-?[0-9]+$/.test(v), { message: "PY:{value} does not match '^-?[0-9]+$'" })
    .optional(),
};

/** The v2 item schema of a microversion. */
export function bdmV2ItemFor(o: { tag: boolean; volumeType: boolean }) {
  return z
    .object({
      ...v2Shape,
      ...(o.tag ? { tag: tag.optional() } : {}),
      // parameter_types.volume_type: null or a string of at most 255 characters.
      ...(o.volumeType ? { volume_type: z.string().max(255).nullable().optional() } : {}),
    })
    .strict();
}

export type BdmV2Item = z.output<ReturnType<typeof bdmV2ItemFor>> & { tag?: string; volume_type?: string | null };
export type LegacyBdmItem = z.output<typeof legacyBdmItem>;

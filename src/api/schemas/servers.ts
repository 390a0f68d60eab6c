// nova/api/openstack/compute/schemas/servers.py, trimmed to what novasim serves.
import { z } from 'zod';
import { booleanLike, tag, uuid } from './common.js';
import { bdmV2ItemFor, legacyBdmItem } from './block-device-mapping.js';

const name = z
  .string()
  .refine((v) => v.length >= 1, { message: 'PY:{value} is too short' })
  .refine((v) => v.length <= 255, { message: 'PY:{value} is too long' })
  .refine((v) => v.trim() === v, { message: "PY:{value} does not match '^(?![\\ ])[\\ -~]*(?<![\\ ])$'" });

const count = z.union([z.number().int().min(1), z.string().regex(/^[0-9]*$/).min(1)]).transform((v) => Number(v));

const network = z
  .object({ uuid: z.string().optional(), port: uuid.nullable().optional(), fixed_ip: z.string().optional(), tag: tag.optional() })
  .strict();

const serverBase = {
  name,
  // image_id_or_empty_string, optional: a server booted from volume needs none (servers.py _image_from_req_data).
  imageRef: z.union([uuid, z.literal('')]).optional(),
  flavorRef: z.union([z.string().min(1), z.number().int()]).transform(String),
  adminPass: z.string().optional(),
  metadata: z.record(z.string().min(1).max(255), z.string().max(255)).optional(),
  networks: z.union([z.literal('auto'), z.literal('none'), z.array(network)]).optional(),
  availability_zone: z.string().min(1).max(255).optional(),
  key_name: z.string().min(1).max(255).optional(),
  user_data: z.string().max(65535).optional(),
  min_count: count.optional(),
  max_count: count.optional(),
  return_reservation_id: booleanLike.optional(),
  config_drive: booleanLike.optional(),
  security_groups: z.array(z.object({ name: z.string() }).strict()).optional(),
  'OS-DCF:diskConfig': z.enum(['AUTO', 'MANUAL']).optional(),
  accessIPv4: z.string().optional(),
  accessIPv6: z.string().optional(),
  block_device_mapping: z.array(legacyBdmItem).optional(),
  block_device_mapping_v2: z.array(bdmV2ItemFor({ tag: false, volumeType: false })).optional(),
};

const wrap = <T extends z.ZodRawShape>(shape: T) =>
  z.object({ server: z.object(shape).strict(), 'os:scheduler_hints': z.record(z.string(), z.unknown()).optional(), 'OS-SCH-HNT:scheduler_hints': z.record(z.string(), z.unknown()).optional() }).strict();

export const createV21 = wrap(serverBase);
export const createV219 = wrap({ ...serverBase, description: z.string().max(255).nullable().optional() });
/** 2.37: `networks` becomes required. */
export const createV237 = wrap({ ...serverBase, description: z.string().max(255).nullable().optional(), networks: serverBase.networks.unwrap() });
export const createV252 = wrap({
  ...serverBase,
  description: z.string().max(255).nullable().optional(),
  networks: serverBase.networks.unwrap(),
  tags: z.array(tag).max(50).optional(),
});

/** 2.63: trusted_image_certificates (parameter_types.trusted_certs: null or 1..50 unique non-empty strings). */
export const createV263 = wrap({
  ...createV252.shape.server.shape,
  trusted_image_certificates: z
    .array(z.string().min(1))
    .min(1)
    .max(50)
    .refine((a) => new Set(a).size === a.length, { message: 'PY:{value} has non-unique elements' })
    .nullable()
    .optional(),
});

/**
 * The create schema of a microversion: the BDM v2 items carry `tag` at 2.32 only (Nova's create_v232)
 * and again from 2.42, `volume_type` from 2.67.
 */
export function createSchemaFor(v: { matches(min: string): boolean; toString(): string }) {
  const base = v.matches('2.63') ? createV263 : v.matches('2.52') ? createV252 : v.matches('2.37') ? createV237 : v.matches('2.19') ? createV219 : createV21;
  const bdmTag = v.matches('2.42') || v.toString() === '2.32';
  const volumeType = v.matches('2.67');
  if (!bdmTag && !volumeType) return base;
  // Built once per combination: zod schemas are immutable, and building one (plus the fast path zod
  // compiles on its first parse) cost more than the parse itself on every POST /servers.
  const key = `${VERSIONED.indexOf(base)}:${bdmTag}:${volumeType}`;
  let schema = withBdmV2.get(key) as ReturnType<typeof build> | undefined;
  if (!schema) {
    schema = build();
    withBdmV2.set(key, schema);
  }
  return schema;

  function build() {
    return wrap({ ...base.shape.server.shape, block_device_mapping_v2: z.array(bdmV2ItemFor({ tag: bdmTag, volumeType })).optional() });
  }
}

const VERSIONED: unknown[] = [createV21, createV219, createV237, createV252, createV263];
/** createSchemaFor's schemas with versioned BDM v2 items, by base and item variant (at most 5 × 3). */
const withBdmV2 = new Map<string, unknown>();

export const updateServer = z
  .object({ server: z.object({ name: name.optional(), description: z.string().max(255).nullable().optional(), 'OS-DCF:diskConfig': z.enum(['AUTO', 'MANUAL']).optional(), accessIPv4: z.string().optional(), accessIPv6: z.string().optional() }).strict() })
  .strict();

export const lockV21 = z.object({ lock: z.null() }).strict();
export const lockV273 = z.object({ lock: z.union([z.null(), z.object({ locked_reason: z.string().min(1).max(255).optional() }).strict()]) }).strict();

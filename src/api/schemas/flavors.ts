// nova/api/openstack/compute/schemas/flavors.py, flavors_extraspecs.py and flavor_access.py.
import { z } from 'zod';
import { FLAVOR_SORT_KEYS } from '../../store/flavors.js';
import { booleanLike } from './common.js';

const MAX_INT = 0x7fffffff;

/** parameter_types.flavor_param_positive / _non_negative: an integer or a digit string, ≤ MAX_INT. */
const flavorParam = (minimum: 0 | 1) =>
  z
    .union([z.number().int(), z.string()])
    .refine((v) => typeof v === 'number' || /^[0-9]+$/.test(v), { message: "PY:{value} does not match '^[0-9]+$'" })
    .refine((v) => Number(v) >= minimum, { message: `PY:{value} is less than the minimum of ${minimum}` })
    .refine((v) => Number(v) <= MAX_INT, { message: `PY:{value} is greater than the maximum of ${MAX_INT}` })
    .transform(Number);

/** parameter_types.name (the 'name' format is checked by the route: InvalidName has its own text). */
const name = z
  .string()
  .refine((v) => v.length >= 1, { message: 'PY:{value} is too short' })
  .refine((v) => v.length <= 255, { message: 'PY:{value} is too long' });

const flavorId = z
  .union([z.string(), z.number(), z.null()])
  .refine((v) => typeof v !== 'string' || v.length >= 1, { message: 'PY:{value} is too short' })
  .refine((v) => typeof v !== 'string' || v.length <= 255, { message: 'PY:{value} is too long' })
  .refine((v) => typeof v !== 'string' || /^(?! )[a-zA-Z0-9. _-]+(?<! )$/.test(v), { message: "PY:{value} does not match '^(?! )[a-zA-Z0-9. _-]+(?<! )$'" });

const rxtxFactor = z
  .union([z.number(), z.string()])
  .refine((v) => typeof v === 'number' || /^[0-9]+(\.[0-9]+)?$/.test(v), { message: "PY:{value} does not match '^[0-9]+(\\.[0-9]+)?$'" })
  .refine((v) => Number(v) > 0, { message: 'PY:{value} is less than or equal to the minimum of 0' })
  .refine((v) => Number(v) <= 3.40282e38, { message: 'PY:{value} is greater than the maximum of 3.40282e+38' })
  .transform(Number);

/** valid_description_regex: printable characters (no control characters), up to 65535. */
export const flavorDescription = z
  .string()
  .max(65535)
  // eslint-disable-next-line no-control-regex
  .refine((v) => !/[\u0000-\u001f\u007f-\u009f]/.test(v), { message: 'PY:{value} does not match the description pattern' })
  .nullable();

const createShape = {
  name,
  id: flavorId.optional(),
  ram: flavorParam(1),
  vcpus: flavorParam(1),
  disk: flavorParam(0),
  'OS-FLV-EXT-DATA:ephemeral': flavorParam(0).optional(),
  swap: flavorParam(0).optional(),
  rxtx_factor: rxtxFactor.optional(),
  'os-flavor-access:is_public': booleanLike.optional(),
};

const wrapFlavor = <T extends z.ZodRawShape>(shape: T) => z.object({ flavor: z.object(shape).strict() }).strict();

export const create = wrapFlavor(createShape);
export const createV255 = wrapFlavor({ ...createShape, description: flavorDescription.optional() });
const { rxtx_factor: _dropped, ...createV2102Shape } = createShape;
void _dropped;
export const createV2102 = wrapFlavor({ ...createV2102Shape, description: flavorDescription.optional() });

export const update = wrapFlavor({ description: flavorDescription });

export const SORT_KEYS_V2102 = FLAVOR_SORT_KEYS.filter((k) => k !== 'rxtx_factor');

/** flavors_extraspecs._metadata: keys '^[a-zA-Z0-9-_:. ]{1,255}$', string (≤255) or number values. */
const EXTRA_SPEC_KEY = /^[a-zA-Z0-9-_:. ]{1,255}$/;
const extraSpecValue = z.union([z.string().max(255), z.number()]);
export const extraSpecs = z.record(z.string(), z.unknown()).superRefine((obj, ctx) => {
  for (const [k, v] of Object.entries(obj)) {
    if (!EXTRA_SPEC_KEY.test(k)) {
      ctx.addIssue({ code: 'custom', path: [], message: `PY:Additional properties are not allowed ('${k}' was unexpected)` });
      return;
    }
    const r = extraSpecValue.safeParse(v);
    if (!r.success) {
      const msg = typeof v === 'string' ? 'PY:{value} is too long' : "PY:{value} is not of type 'string', 'number'";
      ctx.addIssue({ code: 'custom', path: [k], message: msg });
      return;
    }
  }
});

export const extraSpecsCreate = z.object({ extra_specs: extraSpecs }).strict();

export const tenantAccess = (action: 'addTenantAccess' | 'removeTenantAccess') =>
  z.object({ [action]: z.object({ tenant: z.string().min(1).max(255) }).strict() }).strict();

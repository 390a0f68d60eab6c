// nova/api/openstack/compute/schemas/server_metadata.py with parameter_types.metadata:
// keys '^[a-zA-Z0-9-_:. ]{1,255}$' (others are "additional properties"), string values ≤ 255.
import { z } from 'zod';

const KEY = /^[a-zA-Z0-9-_:. ]{1,255}$/;

/** parameter_types.metadata (optionally with min/maxProperties 1, as `meta` has). */
export const metadata = (exactlyOne = false) =>
  z.record(z.string(), z.unknown()).superRefine((obj, ctx) => {
    const bad = Object.keys(obj).filter((k) => !KEY.test(k));
    if (bad.length) {
      ctx.addIssue({ code: 'custom', path: [], message: `PY:Additional properties are not allowed (${bad.map((k) => `'${k}'`).join(', ')} ${bad.length > 1 ? 'were' : 'was'} unexpected)` });
      return;
    }
    for (const [k, v] of Object.entries(obj)) {
      if (typeof v !== 'string') {
        ctx.addIssue({ code: 'custom', path: [k], message: "PY:{value} is not of type 'string'" });
        return;
      }
      if (v.length > 255) {
        ctx.addIssue({ code: 'custom', path: [k], message: 'PY:{value} is too long' });
        return;
      }
    }
    const n = Object.keys(obj).length;
    if (exactlyOne && n === 0) ctx.addIssue({ code: 'custom', path: [], message: 'PY:{value} should be non-empty' });
    if (exactlyOne && n > 1) ctx.addIssue({ code: 'custom', path: [], message: 'PY:{value} has too many properties' });
  }) as z.ZodType<Record<string, string>>;

export const create = z.object({ metadata: metadata() }).strict();
export const updateAll = create;
export const update = z.object({ meta: metadata(true) }).strict();

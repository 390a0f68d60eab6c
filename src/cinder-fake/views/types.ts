// Volume type representation (cinder/api/v3/views/types.py + volume_type_access extension).
import type { CinderCtx, CinderPolicy } from '../context.js';
import type { VolumeType } from '../store.js';

/** types_extra_specs.USER_VISIBLE_EXTRA_SPECS: what readers may see of extra_specs. */
const USER_VISIBLE_EXTRA_SPECS = ['RESKEY:availability_zones', 'multiattach', 'replication_enabled'];

export function volumeTypeView(t: VolumeType, ctx: CinderCtx, policy: CinderPolicy): Record<string, unknown> {
  const out: Record<string, unknown> = { id: t.id, name: t.name, is_public: t.is_public, description: t.description };
  if (policy.check('volume_extension:access_types_extra_specs', ctx)) {
    out.extra_specs = policy.check('volume_extension:types_extra_specs:read_sensitive', ctx)
      ? t.extra_specs
      : Object.fromEntries(Object.entries(t.extra_specs).filter(([k]) => USER_VISIBLE_EXTRA_SPECS.includes(k)));
  }
  if (policy.check('volume_extension:access_types_qos_specs_id', ctx)) out.qos_specs_id = t.qos_specs_id;
  if (policy.check('volume_extension:volume_type_access', ctx)) out['os-volume-type-access:is_public'] = t.is_public;
  return out;
}

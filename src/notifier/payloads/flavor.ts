// FlavorPayload 1.4 (nova/notifications/objects/flavor.py), built from the instance's embedded flavor
// or, for flavor.create/update/delete, from the API's Flavor object (see flavorNotificationPayload).
import type { FlavorSnapshot } from '../../domain.js';
import type { Profile } from '../../profiles/index.js';
import { novaObject, type NovaObject } from '../primitive.js';
import { floatField, populate, type FieldMap } from './field-map.js';

/**
 * The flavor as the payload sees it. `extra_specs` and `projects` are null when the Flavor object
 * had them unloaded (populate_schema leaves unset fields None): projects for an instance's flavor
 * and on delete, extra_specs on create and delete.
 */
export type FlavorPayloadSource = Omit<FlavorSnapshot, 'extra_specs'> & { extra_specs: Record<string, string> | null; projects?: string[] | null };

export const FLAVOR_FIELDS: FieldMap<FlavorPayloadSource> = {
  flavorid: (f) => f.flavorid,
  memory_mb: (f) => f.memory_mb,
  vcpus: (f) => f.vcpus,
  root_gb: (f) => f.root_gb,
  ephemeral_gb: (f) => f.ephemeral_gb,
  name: (f) => f.name,
  swap: (f) => f.swap,
  // FloatField: Nova sends 1.0, which JSON.stringify would print as 1.
  rxtx_factor: floatField((f) => f.rxtx_factor),
  vcpu_weight: (f) => f.vcpu_weight,
  disabled: (f) => f.disabled,
  is_public: (f) => f.is_public,
  extra_specs: (f) => (f.extra_specs ? { ...f.extra_specs } : null),
  // An instance's flavor never has `projects` loaded, and populate_schema turns that into null.
  projects: (f) => (f.projects ? [...f.projects] : null),
  description: (f) => f.description,
};

export function flavorPayload(flavor: FlavorPayloadSource, profile: Profile): NovaObject {
  return novaObject('FlavorPayload', populate(FLAVOR_FIELDS, flavor), profile);
}

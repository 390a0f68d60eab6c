// The payload families and the float-field registry the serializer needs.
import { floatFieldNames } from './field-map.js';
import { FLAVOR_FIELDS } from './flavor.js';

export * from './block-device.js';
export * from './exception.js';
export * from './flavor.js';
export * from './instance.js';
export * from './instance-update.js';
export * from './ip.js';
export * from './keypair.js';
export * from './instance-rescue-exists.js';
export * from './instance-resize-prep.js';
export * from './instance-rebuild-snapshot.js';
export { OMIT, extendFields, floatField, populate, type FieldGetter, type FieldMap } from './field-map.js';

/** nova_object.name → names of its FloatFields; derived from the field maps so it cannot drift. */
export const FLOAT_FIELDS: ReadonlyMap<string, ReadonlySet<string>> = new Map(
  ([['FlavorPayload', FLAVOR_FIELDS]] as const)
    .map(([name, map]) => [name, new Set(floatFieldNames(map))] as const)
    .filter(([, names]) => names.size > 0),
);
export * from './server-group.js';
export * from './periodic.js';

// Declarative field maps, the TypeScript form of Nova's payload `fields` + `SCHEMA`
// (nova/notifications/objects/base.py NotificationPayloadBase.populate_schema).
//
// A map is an ordered record `field name → getter(source)`. Its key order is the wire order of
// `nova_object.data`: oslo.versionedobjects serialises `fields` in dict order, and
// make_class_properties() builds a subclass's dict as "own fields first, then inherited ones not
// redeclared". `extendFields` reproduces exactly that, so InstanceActionVolumeSwapPayload starts
// with old_volume_id, new_volume_id, fault, request_id, uuid, … like Nova's.

/** Returned by a getter when the field does not exist in this profile's payload version. */
export const OMIT: unique symbol = Symbol('novasim.notifier.OMIT');

export type FieldGetter<S> = ((src: S) => unknown) & { readonly float?: true };
export type FieldMap<S> = Readonly<Record<string, FieldGetter<S>>>;

/** Mark a getter as a Nova FloatField so the serializer prints `1.0`, not `1` (see ../json.ts). */
export function floatField<S>(get: (src: S) => number | null): FieldGetter<S> {
  return Object.assign((src: S) => get(src), { float: true as const });
}

/** Subclass fields first, then the parent's in its order, skipping redeclared names (oslo.versionedobjects make_class_properties). */
export function extendFields<S extends P, P>(own: FieldMap<S>, parent: FieldMap<P>): FieldMap<S> {
  const merged: Record<string, FieldGetter<S>> = { ...own };
  for (const [name, get] of Object.entries(parent)) if (!(name in merged)) merged[name] = get;
  return merged;
}

/** Run every getter in declaration order; getters answering OMIT leave the key out. */
/** Object.entries of each map, computed once (maps are read-only module constants). */
const entriesOf = new WeakMap<object, readonly (readonly [string, FieldGetter<never>])[]>();

export function populate<S>(map: FieldMap<S>, src: S): Record<string, unknown> {
  let entries = entriesOf.get(map) as readonly (readonly [string, FieldGetter<S>])[] | undefined;
  if (entries === undefined) {
    entries = Object.entries(map);
    entriesOf.set(map, entries as readonly (readonly [string, FieldGetter<never>])[]);
  }
  const data: Record<string, unknown> = {};
  for (let i = 0; i < entries.length; i++) {
    const [name, get] = entries[i];
    const value = get(src);
    if (value !== OMIT) data[name] = value;
  }
  return data;
}

/** Names of the float fields of a map (drives the float-preserving serializer). */
export function floatFieldNames<S>(map: FieldMap<S>): string[] {
  return Object.entries(map).filter(([, get]) => get.float === true).map(([name]) => name);
}

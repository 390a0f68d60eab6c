// InstanceActionResizePrepPayload (instance.resize_prep.*), nova/notifications/objects/instance.py:
// InstanceActionPayload plus `new_flavor` (the flavor being resized to; the current one for a cold migration).
import type { FlavorSnapshot } from '../../domain.js';
import { novaObject } from '../primitive.js';
import { extendFields, populate } from './field-map.js';
import { flavorPayload } from './flavor.js';
import { INSTANCE_ACTION_FIELDS, type InstanceActionSource } from './instance.js';

export interface InstanceActionResizePrepSource extends InstanceActionSource {
  newFlavor: FlavorSnapshot;
}

export const INSTANCE_ACTION_RESIZE_PREP_FIELDS = extendFields<InstanceActionResizePrepSource, InstanceActionSource>(
  // FlavorPayload(flavor=new_flavor): a flavor read by id has its extra_specs loaded, projects not (null).
  { new_flavor: (s) => flavorPayload({ ...s.newFlavor, projects: null }, s.profile) },
  INSTANCE_ACTION_FIELDS,
);

export const instanceActionResizePrepPayload = (s: InstanceActionResizePrepSource) =>
  novaObject('InstanceActionResizePrepPayload', populate(INSTANCE_ACTION_RESIZE_PREP_FIELDS, s), s.profile);

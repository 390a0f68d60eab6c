// BlockDevicePayload 1.0. Nova lists only BDMs that have a volume_id (BlockDevicePayload.from_bdms),
// so image/blank/swap mappings never appear.
import type { BlockDeviceMapping } from '../../domain.js';
import type { Profile } from '../../profiles/index.js';
import { novaObject, type NovaObject } from '../primitive.js';
import { populate, type FieldMap } from './field-map.js';

export const BLOCK_DEVICE_FIELDS: FieldMap<BlockDeviceMapping> = {
  device_name: (b) => b.device_name,
  boot_index: (b) => b.boot_index,
  delete_on_termination: (b) => b.delete_on_termination ?? false,
  volume_id: (b) => b.volume_id,
  tag: (b) => b.tag,
};

export function blockDevicePayloads(bdms: readonly BlockDeviceMapping[], profile: Profile): NovaObject[] {
  return bdms
    .filter((b) => b.volume_id !== null && b.volume_id !== undefined)
    .map((b) => novaObject('BlockDevicePayload', populate(BLOCK_DEVICE_FIELDS, b), profile));
}

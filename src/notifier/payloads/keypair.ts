// KeypairPayload 1.0 (nova/notifications/objects/keypair.py), used by InstanceCreatePayload.keypairs.
import type { Profile } from '../../profiles/index.js';
import { novaObject, type NovaObject } from '../primitive.js';
import { populate, type FieldMap } from './field-map.js';

/** The keypair as Nova embeds it in the instance (instance.keypairs). */
export interface KeypairInfo {
  user_id: string | null;
  name: string;
  fingerprint: string | null;
  public_key: string | null;
  type: 'ssh' | 'x509';
}

export const KEYPAIR_FIELDS: FieldMap<KeypairInfo> = {
  user_id: (k) => k.user_id,
  name: (k) => k.name,
  fingerprint: (k) => k.fingerprint,
  public_key: (k) => k.public_key,
  type: (k) => k.type,
};

export function keypairPayload(keypair: KeypairInfo, profile: Profile): NovaObject {
  return novaObject('KeypairPayload', populate(KEYPAIR_FIELDS, keypair), profile);
}

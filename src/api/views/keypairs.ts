// nova/api/openstack/compute/views/keypairs.py: which attributes each microversion shows.
import type { KeypairRow } from '../../store/keypairs.js';
import { isoMicro } from '../../time-format.js';

type V = { matches(min: string): boolean };

const pick = (k: Record<string, unknown>, attrs: string[]) => Object.fromEntries(attrs.map((a) => [a, k[a]]));

export function createView(v: V, k: KeypairRow, privateKey: string | null) {
  const attrs = [...(privateKey !== null ? ['private_key'] : []), ...(v.matches('2.2') ? ['type'] : []), 'name', 'public_key', 'fingerprint', 'user_id'];
  return { keypair: pick({ ...k, private_key: privateKey }, attrs) };
}

export function indexItem(v: V, k: KeypairRow) {
  return { keypair: pick(k as unknown as Record<string, unknown>, ['name', 'public_key', 'fingerprint', ...(v.matches('2.2') ? ['type'] : [])]) };
}

/** show: the soft-delete fields exist but are never populated (no way to show a deleted key). */
export function showView(v: V, k: KeypairRow) {
  const full = { ...k, created_at: isoMicro(new Date(k.created_at)), deleted: false, deleted_at: null, updated_at: null };
  const attrs = ['name', 'public_key', 'fingerprint', 'user_id', 'created_at', 'deleted', 'deleted_at', 'id', 'updated_at', ...(v.matches('2.2') ? ['type'] : [])];
  return { keypair: pick(full, attrs) };
}

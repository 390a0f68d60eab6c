// ServerGroupPayload 1.1 (nova/notifications/objects/server_group.py), built from the group as stored.
import type { Profile } from '../../profiles/index.js';
import { novaObject, type NovaObject } from '../primitive.js';
import { populate, type FieldMap } from './field-map.js';

export interface ServerGroupInfo {
  uuid: string;
  name: string | null;
  user_id: string;
  project_id: string;
  policy: string;
  rules: Record<string, number | string>;
  members: readonly string[];
}

export const SERVER_GROUP_FIELDS: FieldMap<ServerGroupInfo> = {
  uuid: (g) => g.uuid,
  name: (g) => g.name,
  user_id: (g) => g.user_id,
  project_id: (g) => g.project_id,
  // Deprecated in 1.1 but still sent: the one policy as a list.
  policies: (g) => [g.policy],
  members: (g) => [...g.members],
  // The group is orphaned before populate_schema, so the lazy-loaded hosts are never there.
  hosts: () => null,
  policy: (g) => g.policy,
  // DictOfStringsField: {"max_server_per_host": "3"}.
  rules: (g) => Object.fromEntries(Object.entries(g.rules).map(([k, v]) => [k, String(v)])),
};

export function serverGroupPayload(group: ServerGroupInfo, profile: Profile): NovaObject {
  return novaObject('ServerGroupPayload', populate(SERVER_GROUP_FIELDS, group), profile);
}

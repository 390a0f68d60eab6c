// ServerGroupController._format_server_group: policies + metadata before 2.64, policy + rules from
// 2.64, project_id/user_id from 2.13; only members whose server still exists are shown.
import type { ServerGroup } from '../../store/server-groups.js';

type V = { matches(min: string): boolean };

export function serverGroupView(v: V, g: ServerGroup, liveMembers: string[]) {
  const out: Record<string, unknown> = { id: g.uuid, name: g.name };
  if (v.matches('2.64')) {
    out.policy = g.policy;
    out.rules = g.rules;
  } else {
    out.policies = [g.policy];
    out.metadata = {};
  }
  out.members = liveMembers;
  if (v.matches('2.13')) {
    out.project_id = g.project_id;
    out.user_id = g.user_id;
  }
  return out;
}

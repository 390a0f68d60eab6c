// Server-group placement (nova/scheduler/filters/affinity_filter.py, nova/scheduler/weights/affinity.py):
// ServerGroupAffinityFilter, ServerGroupAntiAffinityFilter (with 2.64's max_server_per_host),
// ServerGroupSoftAffinityWeigher and ServerGroupSoftAntiAffinityWeigher, plugged in through the
// scheduler's registerFilter / registerWeigher hook like any other filter.
import type { HostFilter, HostWeigher } from './filters.js';
import type { HostState, RequestSpec } from './host-state.js';

/** RequestSpec.instance_group as setup_instance_group fills it: policy, rules, members, hosts. */
export interface InstanceGroupSpec {
  uuid: string;
  policy: 'affinity' | 'anti-affinity' | 'soft-affinity' | 'soft-anti-affinity';
  rules: Record<string, number>;
  /** Every member's uuid, this instance's included (InstanceGroup.members). */
  members: string[];
  /** Hosts the other members run on (InstanceGroup.hosts / get_hosts). */
  hosts: string[];
}

const groupOf = (spec: RequestSpec): InstanceGroupSpec | null => spec.instanceGroup ?? null;

/** _GroupAntiAffinityFilter.host_passes. */
export const SERVER_GROUP_ANTI_AFFINITY_FILTER: HostFilter = {
  name: 'ServerGroupAntiAffinityFilter',
  hostPasses(h: HostState, spec: RequestSpec): boolean {
    const g = groupOf(spec);
    if (g?.policy !== 'anti-affinity') return true;
    // A move may land back on its source: the instance itself is not counted against the host.
    if (h.instances.includes(spec.instanceUuid)) return true;
    const members = new Set(g.members);
    const onHost = h.instances.filter((u) => members.has(u)).length;
    const max = g.rules.max_server_per_host ?? 1;
    return onHost < max;
  },
  // FilterScheduler._consume_selected_host: instance_group.hosts.append(selected host).
  consume(h: HostState, spec: RequestSpec): void {
    const g = groupOf(spec);
    if (g && !g.hosts.includes(h.host)) g.hosts.push(h.host);
  },
};

/** _GroupAffinityFilter.host_passes: once a member runs somewhere, only its hosts pass. */
export const SERVER_GROUP_AFFINITY_FILTER: HostFilter = {
  name: 'ServerGroupAffinityFilter',
  hostPasses(h: HostState, spec: RequestSpec): boolean {
    const g = groupOf(spec);
    if (g?.policy !== 'affinity') return true;
    return g.hosts.length ? g.hosts.includes(h.host) : true;
  },
  consume(h: HostState, spec: RequestSpec): void {
    const g = groupOf(spec);
    if (g && !g.hosts.includes(h.host)) g.hosts.push(h.host);
  },
};

/** _SoftAffinityWeigherBase._weigh_object: members of the group already on the host. */
function membersOnHost(h: HostState, spec: RequestSpec, policy: InstanceGroupSpec['policy']): number {
  const g = groupOf(spec);
  if (!g || g.policy !== policy) return 0;
  const members = new Set(g.members);
  return h.instances.filter((u) => members.has(u)).length;
}

/** [filter_scheduler] soft_affinity_weight_multiplier / soft_anti_affinity_weight_multiplier (Nova: 1.0). */
export function serverGroupWeighers(multipliers: { softAffinity: number; softAntiAffinity: number }): HostWeigher[] {
  return [
    { name: 'ServerGroupSoftAffinityWeigher', multiplier: () => multipliers.softAffinity, weigh: (h, spec) => membersOnHost(h, spec, 'soft-affinity') },
    // "return -1 * weight": fewer members on a host is better.
    { name: 'ServerGroupSoftAntiAffinityWeigher', multiplier: () => multipliers.softAntiAffinity, weigh: (h, spec) => -membersOnHost(h, spec, 'soft-anti-affinity') },
  ];
}

// The quota_set / quota_class_set / limits bodies (quota_sets.py _format_quota_set,
// quota_classes.py _format_quota_set, views/limits.py ViewBuilder).
import { QUOTA_RESOURCES, type QuotaValue } from '../../compute/quotas.js';
import { FILTERED_V236, FILTERED_V257 } from '../schemas/quotas.js';

type V = { matches(min: string): boolean };

export function quotaSetFiltered(v: V): string[] {
  return v.matches('2.57') ? FILTERED_V257 : v.matches('2.36') ? FILTERED_V236 : [];
}

export function formatQuotaSet<T>(id: string | null, values: Record<string, T>, filtered: string[]) {
  const out: Record<string, unknown> = id !== null ? { id } : {};
  for (const r of QUOTA_RESOURCES) if (!filtered.includes(r) && r in values) out[r] = values[r];
  return { quota_set: out };
}

/** Before 2.50 the class view leaves out server_groups and server_group_members. */
export function formatQuotaClassSet(v: V, id: string | null, values: Record<string, number>) {
  const filtered = v.matches('2.57') ? FILTERED_V257 : v.matches('2.50') ? FILTERED_V236 : ['server_groups', 'server_group_members'];
  const out: Record<string, unknown> = id !== null ? { id } : {};
  for (const r of QUOTA_RESOURCES) if (!filtered.includes(r) && r in values) out[r] = values[r];
  return { quota_class_set: out };
}

const LIMIT_NAMES: Record<string, string[]> = {
  ram: ['maxTotalRAMSize'], instances: ['maxTotalInstances'], cores: ['maxTotalCores'], key_pairs: ['maxTotalKeypairs'],
  floating_ips: ['maxTotalFloatingIps'], metadata_items: ['maxServerMeta', 'maxImageMeta'], injected_files: ['maxPersonality'],
  injected_file_content_bytes: ['maxPersonalitySize'], security_groups: ['maxSecurityGroups'], security_group_rules: ['maxSecurityGroupRules'],
  server_groups: ['maxServerGroups'], server_group_members: ['maxServerGroupMembers'],
};

const USED: [string, string][] = [
  ['totalRAMUsed', 'ram'], ['totalCoresUsed', 'cores'], ['totalInstancesUsed', 'instances'], ['totalFloatingIpsUsed', 'floating_ips'],
  ['totalSecurityGroupsUsed', 'security_groups'], ['totalServerGroupsUsed', 'server_groups'],
];

/** GET /limits: 2.36 drops network limits, 2.39 maxImageMeta, 2.57 the personality limits. */
export function limitsView(v: V, quotas: Record<string, QuotaValue>) {
  const filtered = v.matches('2.57')
    ? ['floating_ips', 'security_groups', 'security_group_rules', 'injected_files', 'injected_file_content_bytes']
    : v.matches('2.36') ? ['floating_ips', 'security_groups', 'security_group_rules'] : [];
  const maxImageMeta = !v.matches('2.39');
  const absolute: Record<string, number> = {};
  for (const [name, q] of Object.entries(quotas)) {
    if (!(name in LIMIT_NAMES) || filtered.includes(name)) continue;
    for (const n of LIMIT_NAMES[name]) if (maxImageMeta || n !== 'maxImageMeta') absolute[n] = q.limit;
  }
  for (const [display, key] of USED) if (key in quotas && !filtered.includes(key)) absolute[display] = quotas[key].in_use ?? 0;
  return { limits: { rate: [], absolute } };
}

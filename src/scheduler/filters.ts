// Host filters and weighers (nova/scheduler/filters/*, nova/scheduler/weights/*). A filter is the hook
// through which other features (server groups) constrain placement: implement HostFilter, register it
// with Scheduler.registerFilter under its Nova class name and list that name in enabled filters.
import type { HostState, RequestSpec } from './host-state.js';

export interface HostFilter {
  /** Nova's class name, e.g. 'ServerGroupAntiAffinityFilter' (what [filter_scheduler] enabled_filters lists). */
  readonly name: string;
  /** BaseHostFilter.host_passes. */
  hostPasses(host: HostState, spec: RequestSpec): boolean;
  /**
   * Called once a host is chosen for one instance of the request (FilterScheduler._consume_selected_host
   * also adds it to spec.instance_group.hosts), so later instances of a multi-create see it.
   */
  consume?(host: HostState, spec: RequestSpec): void;
}

export interface HostWeigher {
  readonly name: string;
  /** The weigher's multiplier ([filter_scheduler] *_weight_multiplier). */
  multiplier(host: HostState): number;
  /** Raw weight; the scheduler normalises each weigher's weights to 0..1 across hosts (weights.normalize). */
  weigh(host: HostState, spec: RequestSpec): number;
}

const UP_AND_ENABLED: HostFilter = {
  // ComputeFilter: the service is enabled and up.
  name: 'ComputeFilter',
  hostPasses: (h) => !h.service.disabled && h.up,
};

const CAPABILITIES: HostFilter = {
  // ComputeCapabilitiesFilter: flavor extra specs scoped "capabilities:" (or unscoped non-namespaced keys)
  // must match the host state's attributes; novasim's host state exposes hypervisor_type/version and cpu_info.
  name: 'ComputeCapabilitiesFilter',
  hostPasses: (h, spec) => {
    for (const [key, want] of Object.entries(spec.flavor.extra_specs)) {
      const parts = key.split(':');
      if (parts.length > 1 && parts[0] !== 'capabilities') continue;
      const path = parts.length > 1 ? parts.slice(1) : parts;
      const have = capability(h, path);
      if (have === undefined) return false;
      if (!matchesSpec(String(have), want)) return false;
    }
    return true;
  },
};

function capability(h: HostState, path: string[]): unknown {
  const attrs: Record<string, unknown> = {
    hypervisor_type: h.node.hypervisor_type, hypervisor_version: h.node.hypervisor_version, hypervisor_hostname: h.nodename,
    cpu_info: JSON.parse(h.node.cpu_info), vcpus_total: h.vcpusTotal, vcpus_used: h.vcpusUsed, free_ram_mb: h.freeRamMb,
    free_disk_mb: h.freeDiskMb, num_instances: h.numInstances, host_ip: h.node.host_ip,
  };
  let cur: unknown = attrs;
  for (const p of path) {
    if (cur === null || typeof cur !== 'object' || !(p in (cur as object))) return undefined;
    cur = (cur as Record<string, unknown>)[p];
  }
  return cur;
}

/** nova/scheduler/filters/extra_specs_ops.match: "<op> value" operators, else string equality. */
export function matchesSpec(value: string, req: string): boolean {
  const words = req.trim().split(/\s+/);
  const op = words[0];
  const rest = words.slice(1);
  const num = (s: string) => Number(s);
  switch (op) {
    case '=':
      return num(value) >= num(rest[0]);
    case '==':
      return num(value) === num(rest[0]);
    case '!=':
      return num(value) !== num(rest[0]);
    case '>=':
      return num(value) >= num(rest[0]);
    case '<=':
      return num(value) <= num(rest[0]);
    case 's==':
      return value === rest[0];
    case 's!=':
      return value !== rest[0];
    case 's<':
      return value < rest[0];
    case 's<=':
      return value <= rest[0];
    case 's>':
      return value > rest[0];
    case 's>=':
      return value >= rest[0];
    case '<in>':
      return value.includes(rest[0]);
    case '<all-in>':
      return rest.every((w) => value.includes(w));
    case '<or>':
      return rest.filter((w) => w !== '<or>').includes(value);
    default:
      return value === req;
  }
}

const IMAGE_PROPERTIES: HostFilter = {
  // ImagePropertiesFilter: hw_architecture / img_hv_type must be supported by the node
  // (supported_instances of a QEMU/KVM node: its cpu arch, hypervisor type, vm_mode hvm).
  name: 'ImagePropertiesFilter',
  hostPasses: (h, spec) => {
    const props = spec.image?.properties ?? {};
    const arch = props.hw_architecture ?? props.architecture;
    const hvType = props.img_hv_type ?? props.hypervisor_type;
    const vmMode = props.hw_vm_mode ?? props.vm_mode;
    if (!arch && !hvType && !vmMode) return true;
    const cpu = JSON.parse(h.node.cpu_info) as { arch?: string };
    if (arch && cpu.arch && arch.toLowerCase() !== cpu.arch.toLowerCase()) return false;
    if (hvType && hvType.toLowerCase() !== h.node.hypervisor_type.toLowerCase() && !(hvType === 'kvm' && h.node.hypervisor_type === 'QEMU')) return false;
    if (vmMode && vmMode !== 'hvm') return false;
    return true;
  },
};

const AVAILABILITY_ZONE: HostFilter = {
  // AvailabilityZoneFilter (not enabled by default; placement's AZ aggregate mapping is).
  name: 'AvailabilityZoneFilter',
  hostPasses: (h, spec) => !spec.availabilityZone || h.availabilityZone.split(',').includes(spec.availabilityZone),
};

const AGGREGATE_EXTRA_SPECS: HostFilter = {
  // AggregateInstanceExtraSpecsFilter: flavor extra specs (unscoped or "aggregate_instance_extra_specs:")
  // must be among the values of the host's aggregates' metadata.
  name: 'AggregateInstanceExtraSpecsFilter',
  hostPasses: (h, spec) => {
    for (const [key, req] of Object.entries(spec.flavor.extra_specs)) {
      const parts = key.split(':');
      if (parts.length > 1 && parts[0] !== 'aggregate_instance_extra_specs') continue;
      const k = parts.length > 1 ? parts.slice(1).join(':') : key;
      const values = h.aggregates.map((a) => a.metadata[k]).filter((v): v is string => v !== undefined).flatMap((v) => v.split(','));
      if (!values.length) return false;
      if (!values.some((v) => matchesSpec(v.trim(), req))) return false;
    }
    return true;
  },
};

const MULTI_TENANCY: HostFilter = {
  // AggregateMultiTenancyIsolation: hosts in aggregates with filter_tenant_id only take those tenants.
  name: 'AggregateMultiTenancyIsolation',
  hostPasses: (h, spec) => {
    const tenants = h.aggregates.flatMap((a) => Object.entries(a.metadata).filter(([k]) => k.startsWith('filter_tenant_id')).flatMap(([, v]) => v.split(',')));
    return !tenants.length || tenants.includes(spec.projectId);
  },
};

export const BUILTIN_FILTERS: readonly HostFilter[] = [UP_AND_ENABLED, CAPABILITIES, IMAGE_PROPERTIES, AVAILABILITY_ZONE, AGGREGATE_EXTRA_SPECS, MULTI_TENANCY];

/** RAMWeigher, CPUWeigher, DiskWeigher: more free is better (multipliers 1.0). */
export const BUILTIN_WEIGHERS: readonly HostWeigher[] = [
  { name: 'RAMWeigher', multiplier: () => 1.0, weigh: (h) => h.freeRamMb },
  { name: 'CPUWeigher', multiplier: () => 1.0, weigh: (h) => h.vcpusTotal - h.vcpusUsed },
  { name: 'DiskWeigher', multiplier: () => 1.0, weigh: (h) => h.freeDiskMb },
];

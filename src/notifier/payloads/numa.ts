// InstanceNUMATopologyPayload / InstanceNUMACellPayload (nova/notifications/objects/instance.py) for a
// RequestSpec's numa_topology, from the flavor the way hardware.numa_get_constraints builds it for the
// common cases: hw:numa_nodes with explicit hw:numa_cpus.N / hw:numa_mem.N, or split evenly
// (_get_numa_topology_auto). Pinning, hugepages and mixed policies are not modelled (cpu_policy stays null).
import type { FlavorSnapshot } from '../../domain.js';
import type { NovaObject } from '../primitive.js';

const obj = (name: string, version: string, data: Record<string, unknown>): NovaObject =>
  ({ 'nova_object.name': name, 'nova_object.namespace': 'nova', 'nova_object.version': version, 'nova_object.data': data }) as NovaObject;

/** hardware.parse_cpu_spec: "0-3,^2,5" → [0, 1, 3, 5]. */
export function parseCpuSpec(spec: string): number[] {
  const take = new Set<number>();
  const drop = new Set<number>();
  for (const raw of spec.split(',').map((p) => p.trim()).filter(Boolean)) {
    const neg = raw.startsWith('^');
    const part = neg ? raw.slice(1) : raw;
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!m) continue;
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    for (let c = lo; c <= hi; c++) (neg ? drop : take).add(c);
  }
  return [...take].filter((c) => !drop.has(c)).sort((a, b) => a - b);
}

/** numa_get_constraints(flavor, image_meta) as a payload, or null when the flavor asks for no NUMA topology. */
export function numaTopologyPayload(flavor: FlavorSnapshot, instanceUuid: string): NovaObject | null {
  const specs = flavor.extra_specs ?? {};
  const nodes = Number(specs['hw:numa_nodes'] ?? 0);
  if (!Number.isInteger(nodes) || nodes < 1) return null;
  const cells: { cpuset: number[]; memory: number }[] = [];
  const explicit = specs['hw:numa_cpus.0'] !== undefined;
  for (let n = 0; n < nodes; n++) {
    if (explicit) {
      cells.push({ cpuset: parseCpuSpec(specs[`hw:numa_cpus.${n}`] ?? ''), memory: Number(specs[`hw:numa_mem.${n}`] ?? 0) });
    } else {
      // _get_numa_topology_auto: vCPUs and memory divided evenly (the flavor must divide).
      const per = Math.floor(flavor.vcpus / nodes);
      cells.push({ cpuset: Array.from({ length: per }, (_, i) => n * per + i), memory: Math.floor(flavor.memory_mb / nodes) });
    }
  }
  return obj('InstanceNUMATopologyPayload', '1.0', {
    cells: cells.map((c, id) =>
      obj('InstanceNUMACellPayload', '1.2', {
        cpu_pinning_raw: null, cpu_policy: null, cpu_thread_policy: null, cpu_topology: null, cpuset: c.cpuset, pcpuset: [],
        cpuset_reserved: null, id, memory: c.memory, pagesize: null,
      }),
    ),
    emulator_threads_policy: null,
    instance_uuid: instanceUuid,
  });
}

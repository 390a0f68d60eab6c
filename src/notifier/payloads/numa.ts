// InstanceNUMATopologyPayload 1.0 / InstanceNUMACellPayload 1.2 (nova/notifications/objects/request_spec.py)
// for a RequestSpec's numa_topology, built as nova/virt/hardware.py numa_get_constraints does from the
// flavor's hw:numa_nodes / hw:numa_cpus.N / hw:numa_mem.N (novasim has no image NUMA properties, no
// CPU pinning: cpu_policy and the pinning fields stay None, pcpuset empty).
import type { FlavorSnapshot } from '../../domain.js';
import type { NovaObject } from '../primitive.js';

const nova = (name: string, version: string, data: Record<string, unknown>): NovaObject =>
  ({ 'nova_object.name': name, 'nova_object.namespace': 'nova', 'nova_object.version': version, 'nova_object.data': data });

/** hardware.parse_cpu_spec: "0-3,^2,5" → [0, 1, 3, 5]. */
export function parseCpuSpec(spec: string): number[] {
  const include = new Set<number>();
  const exclude = new Set<number>();
  for (const raw of spec.split(',').map((s) => s.trim()).filter(Boolean)) {
    const neg = raw.startsWith('^');
    const part = neg ? raw.slice(1) : raw;
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!m) continue;
    const lo = Number(m[1]);
    const hi = m[2] !== undefined ? Number(m[2]) : lo;
    for (let c = lo; c <= hi; c++) (neg ? exclude : include).add(c);
  }
  return [...include].filter((c) => !exclude.has(c)).sort((a, b) => a - b);
}

/** numa_get_constraints(flavor, image_meta) for the flavor's extra specs; null without hw:numa_nodes. */
export function numaCells(flavor: FlavorSnapshot): { id: number; cpuset: number[]; memory: number }[] | null {
  const specs = (flavor.extra_specs ?? {}) as Record<string, string>;
  const nodes = Number.parseInt(specs['hw:numa_nodes'] ?? '', 10);
  if (!Number.isFinite(nodes) || nodes < 1) return null;
  const explicit = Array.from({ length: nodes }, (_, i) => specs[`hw:numa_cpus.${i}`] !== undefined);
  if (explicit.every(Boolean)) {
    return Array.from({ length: nodes }, (_, i) => ({ id: i, cpuset: parseCpuSpec(specs[`hw:numa_cpus.${i}`]), memory: Number(specs[`hw:numa_mem.${i}`] ?? Math.floor(flavor.memory_mb / nodes)) }));
  }
  // _get_numa_topology_auto: vCPUs and memory split evenly across the nodes.
  const perCpu = Math.floor(flavor.vcpus / nodes);
  const perMem = Math.floor(flavor.memory_mb / nodes);
  return Array.from({ length: nodes }, (_, i) => ({ id: i, cpuset: Array.from({ length: perCpu }, (_, k) => i * perCpu + k), memory: perMem }));
}

export function instanceNumaTopologyPayload(instanceUuid: string, flavor: FlavorSnapshot): NovaObject | null {
  const cells = numaCells(flavor);
  if (!cells) return null;
  return nova('InstanceNUMATopologyPayload', '1.0', {
    cells: cells.map((c) => nova('InstanceNUMACellPayload', '1.2', {
      cpu_pinning_raw: null, cpu_policy: null, cpu_thread_policy: null, cpu_topology: null,
      cpuset: c.cpuset, pcpuset: [], cpuset_reserved: null, id: c.id, memory: c.memory, pagesize: null,
    })),
    emulator_threads_policy: null,
    instance_uuid: instanceUuid,
  });
}

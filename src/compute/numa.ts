// nova/virt/hardware.py numa_get_constraints, for the flavor's hw:numa_* extra specs with shared
// CPUs: the guest NUMA topology a RequestSpec carries (InstanceNUMATopology). Image properties and
// dedicated-CPU policies are not modelled (they do not change which cells a shared guest asks for).

export interface NumaCell {
  id: number;
  cpuset: number[];
  pcpuset: number[];
  memory: number;
}

/** hardware.parse_cpu_spec: "1-4,^3,6" → [1, 2, 4, 6]. Returns null on a malformed spec. */
export function parseCpuSpec(spec: string): number[] | null {
  const take = new Set<number>();
  const reject = new Set<number>();
  for (const raw of spec.split(',')) {
    let rule = raw.trim();
    if (!rule) continue;
    const neg = rule.startsWith('^');
    if (neg) rule = rule.slice(1);
    const m = /^(\d+)\s*(?:-\s*(\d+))?$/.exec(rule);
    if (!m) return null;
    const start = Number(m[1]);
    const end = m[2] === undefined ? start : Number(m[2]);
    if (start > end) return null;
    for (let c = start; c <= end; c++) (neg ? reject : take).add(c);
  }
  return [...take].filter((c) => !reject.has(c)).sort((a, b) => a - b);
}

/**
 * _get_numa_topology_auto / _get_numa_topology_manual: null without hw:numa_nodes. `hw:numa_cpus.N`
 * and `hw:numa_mem.N` give each cell explicitly; otherwise CPUs and memory are split evenly.
 */
export function numaCells(flavor: { vcpus: number; memory_mb: number; extra_specs: Record<string, string> }): NumaCell[] | null {
  const spec = flavor.extra_specs ?? {};
  const nodes = Number.parseInt(spec['hw:numa_nodes'] ?? '', 10);
  if (!Number.isInteger(nodes) || nodes < 1) return null;
  const manual = Array.from({ length: nodes }, (_, n) => spec[`hw:numa_cpus.${n}`]).some((v) => v !== undefined);
  if (manual) {
    return Array.from({ length: nodes }, (_, n) => ({
      id: n,
      cpuset: parseCpuSpec(spec[`hw:numa_cpus.${n}`] ?? '') ?? [],
      pcpuset: [],
      memory: Number.parseInt(spec[`hw:numa_mem.${n}`] ?? '0', 10),
    }));
  }
  const ncpus = Math.floor(flavor.vcpus / nodes);
  const mem = Math.floor(flavor.memory_mb / nodes);
  return Array.from({ length: nodes }, (_, n) => ({
    id: n, cpuset: Array.from({ length: ncpus }, (_, i) => n * ncpus + i), pcpuset: [], memory: mem,
  }));
}

// The RequestSpec parts resize's compute_task.migrate_server.error needed: numa_get_constraints as a
// payload, parse_cpu_spec, and ImageMetaProps.from_dict's legacy names / known fields.
import { describe, expect, it } from 'vitest';
import type { FlavorSnapshot } from '../../../src/domain.js';
import { imageMetaProps } from '../../../src/notifier/payloads/image-meta-props.js';
import { numaTopologyPayload, parseCpuSpec } from '../../../src/notifier/payloads/numa.js';

const flavor = (extra: Record<string, string>, vcpus = 4, memory = 2048): FlavorSnapshot => ({
  id: 1, flavorid: 'f', name: 'f', memory_mb: memory, vcpus, root_gb: 1, ephemeral_gb: 0, swap: 0, rxtx_factor: 1, vcpu_weight: 0,
  disabled: false, is_public: true, extra_specs: extra, description: null,
});
const cells = (p: ReturnType<typeof numaTopologyPayload>) =>
  ((p!['nova_object.data'] as { cells: { 'nova_object.data': { id: number; cpuset: number[]; memory: number } }[] }).cells).map((c) => c['nova_object.data']);

describe('parseCpuSpec', () => {
  it('reads ranges, lists and exclusions like hardware.parse_cpu_spec', () => {
    expect(parseCpuSpec('0')).toEqual([0]);
    expect(parseCpuSpec('0-3,^2,5')).toEqual([0, 1, 3, 5]);
    expect(parseCpuSpec(' 1 , 3-4 ')).toEqual([1, 3, 4]);
  });
});

describe('numaTopologyPayload', () => {
  it('is null without hw:numa_nodes', () => {
    expect(numaTopologyPayload(flavor({ 'hw:watchdog_action': 'disabled' }), 'u')).toBeNull();
  });
  it('takes explicit cells from hw:numa_cpus.N / hw:numa_mem.N', () => {
    const p = numaTopologyPayload(flavor({ 'hw:numa_nodes': '2', 'hw:numa_cpus.0': '0', 'hw:numa_mem.0': '512', 'hw:numa_cpus.1': '1-3', 'hw:numa_mem.1': '1536' }), 'uuid-1');
    expect(p!['nova_object.name']).toBe('InstanceNUMATopologyPayload');
    expect((p!['nova_object.data'] as { instance_uuid: string }).instance_uuid).toBe('uuid-1');
    expect(cells(p)).toMatchObject([{ id: 0, cpuset: [0], memory: 512 }, { id: 1, cpuset: [1, 2, 3], memory: 1536 }]);
  });
  it('splits vCPUs and memory evenly when the cells are not given', () => {
    expect(cells(numaTopologyPayload(flavor({ 'hw:numa_nodes': '2' }), 'u'))).toMatchObject([{ id: 0, cpuset: [0, 1], memory: 1024 }, { id: 1, cpuset: [2, 3], memory: 1024 }]);
  });
});

describe('imageMetaProps', () => {
  it('maps legacy names to their fields and drops what ImageMetaProps has no field for', () => {
    expect(imageMetaProps({ architecture: 'x86_64', kernel_id: 'nokernel', ramdisk_id: 'nokernel', hw_disk_bus: 'virtio', os_distro: 'cirros', foo: 'bar' }))
      .toEqual({ hw_architecture: 'x86_64', hw_disk_bus: 'virtio', os_distro: 'cirros' });
  });
});

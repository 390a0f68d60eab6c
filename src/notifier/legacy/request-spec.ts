// RequestSpec.to_legacy_request_spec_dict (nova/objects/request_spec.py): the legacy
// `scheduler.select_destinations.*` payload's `request_spec`.
import type { RequestSpecSource } from '../payloads/hosts.js';
import { isNovaObject, type NovaObject } from '../primitive.js';

/** obj_to_primitive: a versioned object as the plain dict of its fields. */
function plain(v: unknown): unknown {
  if (isNovaObject(v)) return plain((v as NovaObject)['nova_object.data']);
  if (Array.isArray(v)) return v.map(plain);
  if (v && typeof v === 'object' && !(v instanceof Date)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v;
}

export function legacyRequestSpec(spec: RequestSpecSource, versioned: NovaObject): Record<string, unknown> {
  const data = versioned['nova_object.data'] as Record<string, unknown>;
  const f = spec.flavor;
  return {
    num_instances: spec.numInstances,
    // _to_legacy_image: obj_to_primitive(self.image) or {}
    image: data.image ? plain(data.image) : {},
    // _to_legacy_instance: the few Instance fields a RequestSpec persists, then the flavor's sizes
    instance_properties: {
      numa_topology: data.numa_topology ? plain(data.numa_topology) : null,
      pci_requests: plain(data.pci_requests),
      project_id: spec.projectId,
      user_id: spec.userId,
      availability_zone: spec.availabilityZone,
      uuid: spec.instanceUuid,
      root_gb: f.root_gb,
      ephemeral_gb: f.ephemeral_gb,
      memory_mb: f.memory_mb,
      vcpus: f.vcpus,
    },
    // self.flavor (to_primitive: the Flavor's fields)
    instance_type: {
      id: f.id, name: f.name, memory_mb: f.memory_mb, vcpus: f.vcpus, root_gb: f.root_gb, ephemeral_gb: f.ephemeral_gb,
      flavorid: f.flavorid, swap: f.swap, rxtx_factor: f.rxtx_factor, vcpu_weight: f.vcpu_weight, disabled: f.disabled,
      is_public: f.is_public, extra_specs: { ...f.extra_specs }, description: f.description,
    },
  };
}

// Payloads about hosts and scheduling: ServiceStatusPayload (nova/notifications/objects/service.py),
// AggregatePayload / AggregateCachePayload (aggregate.py), RequestSpecPayload with ImageMetaPayload and
// InstancePCIRequestsPayload (request_spec.py, image.py) and ComputeTaskPayload (compute_task.py).
import type { FlavorSnapshot } from '../../domain.js';
import type { Profile } from '../../profiles/index.js';
import type { AggregateRow, ServiceRow } from '../../store/hosts.js';
import type { NovaObject } from '../primitive.js';
import { payloadTime } from '../primitive.js';
import { exceptionPayload, type ExceptionInfo } from './exception.js';
import { flavorPayload } from './flavor.js';
import { populate, type FieldMap } from './field-map.js';

/** Versions of these payloads per release (the same in master and Zed except ImageMetaPropsPayload). */
const VERSIONS: Record<Profile['name'], Record<string, string>> = {
  master: {
    ServiceStatusPayload: '1.1', AggregatePayload: '1.1', AggregateCachePayload: '1.0', RequestSpecPayload: '1.1',
    ImageMetaPayload: '1.0', ImageMetaPropsPayload: '1.19', InstancePCIRequestsPayload: '1.0', ComputeTaskPayload: '1.0',
  },
  zed: {
    ServiceStatusPayload: '1.1', AggregatePayload: '1.1', AggregateCachePayload: '1.0', RequestSpecPayload: '1.1',
    ImageMetaPayload: '1.0', ImageMetaPropsPayload: '1.12', InstancePCIRequestsPayload: '1.0', ComputeTaskPayload: '1.0',
  },
};

function obj(name: string, data: Record<string, unknown>, profile: Profile): NovaObject {
  return { 'nova_object.name': name, 'nova_object.namespace': 'nova', 'nova_object.version': VERSIONS[profile.name][name], 'nova_object.data': data };
}

export interface ServiceStatusSource {
  service: ServiceRow;
  /** The service's zone as Service objects carry it (None unless set_availability_zones ran). */
  availabilityZone: string | null;
}

export const SERVICE_STATUS_FIELDS: FieldMap<ServiceStatusSource> = {
  host: (s) => s.service.host,
  binary: (s) => s.service.binary,
  topic: (s) => s.service.topic,
  report_count: (s) => s.service.report_count,
  disabled: (s) => s.service.disabled,
  disabled_reason: (s) => s.service.disabled_reason,
  availability_zone: (s) => s.availabilityZone,
  last_seen_up: (s) => payloadTime(s.service.last_seen_up),
  forced_down: (s) => s.service.forced_down,
  version: (s) => s.service.version,
  uuid: (s) => s.service.uuid,
};

export function serviceStatusPayload(src: ServiceStatusSource, profile: Profile): NovaObject {
  return obj('ServiceStatusPayload', populate(SERVICE_STATUS_FIELDS, src), profile);
}

/** The aggregate as the object is at the moment of the notification (create.start has no id and no hosts yet). */
export interface AggregateSource {
  id: number | null;
  uuid: string;
  name: string;
  hosts: string[] | null;
  metadata: Record<string, string>;
}

export const AGGREGATE_FIELDS: FieldMap<AggregateSource> = {
  id: (a) => a.id,
  uuid: (a) => a.uuid,
  name: (a) => a.name,
  hosts: (a) => (a.hosts ? [...a.hosts] : null),
  metadata: (a) => ({ ...a.metadata }),
};

export function aggregatePayload(a: AggregateSource | AggregateRow, profile: Profile): NovaObject {
  return obj('AggregatePayload', populate(AGGREGATE_FIELDS, a), profile);
}

export interface AggregateCacheSource {
  aggregate: AggregateRow;
  host: string;
  index: number;
  total: number;
  imagesCached: string[];
  imagesFailed: string[];
}

export const AGGREGATE_CACHE_FIELDS: FieldMap<AggregateCacheSource> = {
  id: (c) => c.aggregate.id,
  uuid: (c) => c.aggregate.uuid,
  name: (c) => c.aggregate.name,
  host: (c) => c.host,
  index: (c) => c.index,
  total: (c) => c.total,
  images_cached: (c) => [...c.imagesCached],
  images_failed: (c) => [...c.imagesFailed],
};

export function aggregateCachePayload(c: AggregateCacheSource, profile: Profile): NovaObject {
  return obj('AggregateCachePayload', populate(AGGREGATE_CACHE_FIELDS, c), profile);
}

/** The image as ImageMeta.from_image_ref sees it. */
export interface ImageMetaSource {
  id: string; name: string; status: string; visibility: string; owner: string | null; checksum: string | null; size: number;
  container_format: string; disk_format: string; min_ram: number; min_disk: number; created_at: string; updated_at: string;
  properties: Record<string, string>;
  /** Glance tags (a JSON list as the images table stores it, or the list). */
  tags?: string | string[];
}

const imageTags = (i: ImageMetaSource): string[] => (Array.isArray(i.tags) ? [...i.tags] : i.tags ? (JSON.parse(i.tags) as string[]) : []);

/**
 * ImageMetaProps.from_dict: legacy Glance property names become their ImageMetaProps fields
 * (_legacy_property_map), and Glance properties that are not ImageMetaProps fields are dropped (the
 * ones novasim's images carry: kernel_id and ramdisk_id live on the image, not in its props).
 */
const LEGACY_PROPS: Record<string, string> = {
  architecture: 'hw_architecture', owner_id: 'img_owner_id', vmware_disktype: 'hw_vmware_disktype', vmware_image_version: 'img_version',
  vmware_ostype: 'os_distro', auto_disk_config: 'hw_auto_disk_config', ipxe_boot: 'hw_ipxe_boot', xenapi_device_id: 'hw_device_id',
  xenapi_image_compression_level: 'img_compression_level', vmware_linked_clone: 'img_linked_clone', xenapi_use_agent: 'img_use_agent',
  hypervisor_type: 'img_hv_type', hypervisor_version_requires: 'img_hv_requested_version', vm_mode: 'hw_vm_mode',
};
const NOT_PROPS = new Set(['kernel_id', 'ramdisk_id', 'base_image_ref', 'image_type', 'instance_uuid', 'user_id', 'image_location', 'image_state', 'backup_type', 'owner_project_name', 'owner_user_name']);
function imageMetaProps(props: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(props)) {
    if (NOT_PROPS.has(k)) continue;
    const name = LEGACY_PROPS[k] ?? k;
    // A legacy name never overrides the field set under its new name.
    if (LEGACY_PROPS[k] && name in props) continue;
    out[name] = v;
  }
  return out;
}

export const IMAGE_META_FIELDS: FieldMap<ImageMetaSource> = {
  id: (i) => i.id,
  name: (i) => i.name,
  status: (i) => i.status,
  visibility: (i) => i.visibility,
  protected: () => false,
  checksum: (i) => i.checksum,
  owner: (i) => i.owner,
  size: (i) => i.size,
  virtual_size: () => null,
  container_format: (i) => i.container_format,
  disk_format: (i) => i.disk_format,
  created_at: (i) => payloadTime(i.created_at),
  updated_at: (i) => payloadTime(i.updated_at),
  tags: (i) => imageTags(i),
  direct_url: () => null,
  min_ram: (i) => i.min_ram,
  min_disk: (i) => i.min_disk,
};

export function imageMetaPayload(image: ImageMetaSource, profile: Profile): NovaObject {
  // ImageMetaPropsPayload carries only the properties that are set.
  const props = obj('ImageMetaPropsPayload', imageMetaProps(image.properties), profile);
  return obj('ImageMetaPayload', { ...populate(IMAGE_META_FIELDS, image), properties: props }, profile);
}

/** What the scheduler is asked (RequestSpec, reduced to the fields novasim fills). */
export interface RequestSpecSource {
  instanceUuid: string;
  projectId: string;
  userId: string;
  availabilityZone: string | null;
  flavor: FlavorSnapshot;
  image: ImageMetaSource | null;
  numInstances: number;
  forceHosts: string[] | null;
  forceNodes: string[] | null;
  ignoreHosts: string[] | null;
  schedulerHints: Record<string, string[]>;
  securityGroups: string[];
  /** ServerGroupPayload of the instance's group, when the group filter provides one. */
  instanceGroup: NovaObject | null;
  /** InstanceNUMATopologyPayload from the flavor's hw:numa_* (numa.ts), or null. */
  numaTopology?: NovaObject | null;
}

export function requestSpecPayload(r: RequestSpecSource, profile: Profile): NovaObject {
  return obj('RequestSpecPayload', {
    ignore_hosts: r.ignoreHosts,
    instance_uuid: r.instanceUuid,
    project_id: r.projectId,
    user_id: r.userId,
    availability_zone: r.availabilityZone,
    num_instances: r.numInstances,
    scheduler_hints: r.schedulerHints,
    flavor: flavorPayload(r.flavor, profile),
    image: r.image ? imageMetaPayload(r.image, profile) : null,
    numa_topology: r.numaTopology ?? null,
    pci_requests: obj('InstancePCIRequestsPayload', { instance_uuid: r.instanceUuid, requests: [] }, profile),
    requested_destination: null,
    retry: null,
    security_groups: [...r.securityGroups],
    instance_group: r.instanceGroup,
    force_hosts: r.forceHosts?.[0] ?? null,
    force_nodes: r.forceNodes?.[0] ?? null,
  }, profile);
}

/** ComputeTaskPayload (notify_about_compute_task_error). */
export function computeTaskPayload(instanceUuid: string, spec: RequestSpecSource, state: string, reason: ExceptionInfo, profile: Profile): NovaObject {
  return obj('ComputeTaskPayload', {
    instance_uuid: instanceUuid,
    reason: exceptionPayload(reason, profile),
    request_spec: requestSpecPayload(spec, profile),
    state,
  }, profile);
}

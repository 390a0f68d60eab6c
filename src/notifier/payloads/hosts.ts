// Payloads about hosts and scheduling: ServiceStatusPayload (nova/notifications/objects/service.py),
// AggregatePayload / AggregateCachePayload (aggregate.py), RequestSpecPayload with ImageMetaPayload and
// InstancePCIRequestsPayload (request_spec.py, image.py) and ComputeTaskPayload (compute_task.py).
import { numaCells } from '../../compute/numa.js';
import { imageMetaProps } from './image-meta-props.js';
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
    InstanceNUMATopologyPayload: '1.0', InstanceNUMACellPayload: '1.2',
  },
  zed: {
    ServiceStatusPayload: '1.1', AggregatePayload: '1.1', AggregateCachePayload: '1.0', RequestSpecPayload: '1.1',
    ImageMetaPayload: '1.0', ImageMetaPropsPayload: '1.12', InstancePCIRequestsPayload: '1.0', ComputeTaskPayload: '1.0',
    InstanceNUMATopologyPayload: '1.0', InstanceNUMACellPayload: '1.2',
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
  /** Glance's tags (the images row keeps them as JSON text). */
  tags?: string | readonly string[] | null;
}

const imageTags = (i: ImageMetaSource): string[] => {
  if (!i.tags) return [];
  return typeof i.tags === 'string' ? (JSON.parse(i.tags) as string[]) : [...i.tags];
};

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
  // ImageMeta.from_dict → ImageMetaProps.from_dict: legacy names mapped, non-fields dropped, types coerced.
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
  /** InstanceNUMATopologyPayload (numa.ts) when the flavor asks for a NUMA topology; absent/null otherwise. */
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
    // The conductor's spec carries it (resize: the new flavor's); else numa_get_constraints of the spec's flavor.
    numa_topology: r.numaTopology !== undefined ? r.numaTopology : numaTopologyPayload(r, profile),
    pci_requests: obj('InstancePCIRequestsPayload', { instance_uuid: r.instanceUuid, requests: [] }, profile),
    requested_destination: null,
    retry: null,
    security_groups: [...r.securityGroups],
    instance_group: r.instanceGroup,
    force_hosts: r.forceHosts?.[0] ?? null,
    force_nodes: r.forceNodes?.[0] ?? null,
  }, profile);
}

/** InstanceNUMATopologyPayload 1.0 of the request's guest topology (null when the flavor asks for none). */
function numaTopologyPayload(r: RequestSpecSource, profile: Profile): NovaObject | null {
  const cells = numaCells(r.flavor);
  if (!cells) return null;
  return obj('InstanceNUMATopologyPayload', {
    instance_uuid: r.instanceUuid,
    cells: cells.map((c) => obj('InstanceNUMACellPayload', {
      id: c.id, cpuset: c.cpuset, pcpuset: c.pcpuset, cpuset_reserved: null, memory: c.memory, pagesize: null,
      cpu_topology: null, cpu_pinning_raw: null, cpu_policy: null, cpu_thread_policy: null,
    }, profile)),
    emulator_threads_policy: null,
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

// HostState (nova/scheduler/host_manager.py): what the scheduler knows of one compute node when it
// places a request, and the RequestSpec it places.
import type { FlavorSnapshot } from '../domain.js';
import type { AggregateRow, ComputeNodeRow, ServiceRow } from '../store/hosts.js';
import type { InstanceGroupSpec } from './server-group-filters.js';

export interface RequestSpec {
  instanceUuid: string;
  projectId: string;
  userId: string;
  /** The requested zone (None when the user asked for none). */
  availabilityZone: string | null;
  flavor: FlavorSnapshot;
  image: { id: string; properties: Record<string, string> } | null;
  numInstances: number;
  /** `az:host` / `az:host:node` / `az::node` (admin): hosts and nodes the request is pinned to. */
  forceHosts: string[] | null;
  forceNodes: string[] | null;
  /** Hosts the request must avoid (a retry or a move's source). */
  ignoreHosts: string[] | null;
  /** requested_destination.host (a cold migration to a given host): only that host is a candidate. */
  requestedHost?: string | null;
  /**
   * RequestSpec.requested_destination (a move to a named host, not forced): placement only offers
   * that host's node (in_tree), the filters still run.
   */
  requestedDestination?: { host: string; node: string | null } | null;
  /** os:scheduler_hints, each value a list as Nova stores them (group, different_host, …). */
  schedulerHints: Record<string, string[]>;
  /** The instance's server group (setup_instance_group), or null/absent. Filters may append to its hosts. */
  instanceGroup?: InstanceGroupSpec | null;
  /** RequestSpec.is_bfv: a volume-backed server asks placement for no root disk. */
  isBfv?: boolean;
}

export interface HostState {
  host: string;
  nodename: string;
  nodeUuid: string;
  node: ComputeNodeRow;
  service: ServiceRow;
  /** Service up: it heartbeats (novasim's always do) and is not forced down (servicegroup DB driver). */
  up: boolean;
  aggregates: AggregateRow[];
  /** The host's availability zone (its AZ aggregates, else the default zone). */
  availabilityZone: string;
  totalUsableRamMb: number;
  freeRamMb: number;
  freeDiskMb: number;
  vcpusTotal: number;
  vcpusUsed: number;
  numInstances: number;
  /** Instances on this host (uuids), as HostState.instances. */
  instances: string[];
}

/** Placement's resources for a flavor (scheduler/utils.py ResourceRequest): VCPU, MEMORY_MB, DISK_GB (no root disk when is_bfv). */
export function flavorResources(f: FlavorSnapshot, isBfv = false): { vcpus: number; memoryMb: number; diskGb: number } {
  return { vcpus: f.vcpus, memoryMb: f.memory_mb, diskGb: (isBfv ? 0 : f.root_gb) + f.ephemeral_gb + Math.ceil(f.swap / 1024) };
}

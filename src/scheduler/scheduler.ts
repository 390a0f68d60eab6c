// nova-scheduler's select_destinations (nova/scheduler/manager.py SchedulerManager): placement's
// allocation candidates (capacity, the COMPUTE_STATUS_DISABLED trait, AZ aggregates, forced hosts),
// then the enabled filters, the weighers, host_subset_size 1, and the chosen host's claim.
import { SERVER_GROUP_AFFINITY_FILTER, SERVER_GROUP_ANTI_AFFINITY_FILTER, serverGroupWeighers } from './server-group-filters.js';
import { legacyRequestSpec } from '../notifier/legacy/request-spec.js';
import type { RequestContext } from '../domain.js';
import type { Notifier } from '../notifier/notifier.js';
import { requestSpecPayload, type RequestSpecSource } from '../notifier/payloads/hosts.js';
import type { Services } from '../services.js';
import type { ComputeNodeRow } from '../store/hosts.js';
import { BUILTIN_FILTERS, BUILTIN_WEIGHERS, type HostFilter, type HostWeigher } from './filters.js';
import { flavorResources, type HostState, type RequestSpec } from './host-state.js';

/** Nova's [filter_scheduler] enabled_filters default (master and Zed). */
export const DEFAULT_ENABLED_FILTERS = ['ComputeFilter', 'ComputeCapabilitiesFilter', 'ImagePropertiesFilter', 'ServerGroupAntiAffinityFilter', 'ServerGroupAffinityFilter'];

/** exception.NoValidHost: "No valid host was found. %(reason)s". */
export class NoValidHost extends Error {
  readonly pyClass = 'NoValidHost';
  constructor(readonly reason: string) {
    super(`No valid host was found. ${reason}`);
  }
}

export interface Selection {
  host: string;
  node: string;
  nodeUuid: string;
  availabilityZone: string;
  /** The other hosts that passed, best first (host_list alternates, CONF.scheduler.max_attempts - 1 of them). */
  alternates?: Selection[];
}

export interface SchedulerDeps {
  services: Services;
  notifier: Notifier;
}

export class Scheduler {
  private filters = new Map<string, HostFilter>(BUILTIN_FILTERS.map((f) => [f.name, f]));
  private weighers: HostWeigher[] = [...BUILTIN_WEIGHERS];
  /** Placement allocations made for instances whose build has not yet claimed its node. */
  private claims = new Map<string, { node: string; vcpus: number; memoryMb: number; diskGb: number }>();

  constructor(private d: SchedulerDeps) {
    // Server-group placement goes through the same hook any feature uses.
    this.registerFilter(SERVER_GROUP_AFFINITY_FILTER);
    this.registerFilter(SERVER_GROUP_ANTI_AFFINITY_FILTER);
    const c = d.services.config;
    for (const w of serverGroupWeighers({ softAffinity: c.softAffinityWeightMultiplier, softAntiAffinity: c.softAntiAffinityWeightMultiplier })) {
      this.registerWeigher(w);
    }
  }

  /**
   * scheduler_utils._get_group_details: a group policy whose filter (or weigher) is not configured
   * is UnsupportedPolicyException's reason, e.g. "ServerGroupAffinityFilter not configured".
   */
  unsupportedGroupPolicy(policy: string): string | null {
    const need: Record<string, [kind: 'filter' | 'weigher', name: string]> = {
      affinity: ['filter', 'ServerGroupAffinityFilter'],
      'anti-affinity': ['filter', 'ServerGroupAntiAffinityFilter'],
      'soft-affinity': ['weigher', 'ServerGroupSoftAffinityWeigher'],
      'soft-anti-affinity': ['weigher', 'ServerGroupSoftAntiAffinityWeigher'],
    };
    const n = need[policy];
    if (!n) return null;
    const ok = n[0] === 'filter' ? this.enabledFilters().some((f) => f.name === n[1]) : this.weighers.some((w) => w.name === n[1]);
    return ok ? null : `${n[1]} not configured`;
  }

  get notifier(): Notifier {
    return this.d.notifier;
  }

  /** Make a filter available under its Nova class name (it runs when enabled_filters lists it). */
  registerFilter(filter: HostFilter): void {
    this.filters.set(filter.name, filter);
  }

  registerWeigher(weigher: HostWeigher): void {
    this.weighers.push(weigher);
  }

  /** The filters that run, in enabled_filters order; names nothing registered are skipped. */
  enabledFilters(): HostFilter[] {
    const names = this.d.services.config.schedulerEnabledFilters ?? DEFAULT_ENABLED_FILTERS;
    return names.map((n) => this.filters.get(n)).filter((f): f is HostFilter => f !== undefined);
  }

  /** The scheduler's view of every compute node (HostManager.get_all_host_states), usage included. */
  hostStates(): HostState[] {
    const s = this.d.services;
    const out: HostState[] = [];
    for (const node of s.hosts.nodes()) {
      const service = s.hosts.computeService(node.host);
      if (!service) continue;
      const used = s.hosts.usage(node.hypervisor_hostname);
      const pending = this.pendingOn(node);
      const ram = node.memory_mb * node.ram_allocation_ratio;
      const memUsed = s.config.reservedHostMemoryMb + used.memory_mb_used + pending.memoryMb;
      const aggregates = s.hosts.aggregatesByHost(node.host);
      out.push({
        host: node.host, nodename: node.hypervisor_hostname, nodeUuid: node.uuid, node, service,
        up: !service.forced_down, aggregates, availabilityZone: s.hosts.hostAvailabilityZone(node.host, s.config.availabilityZone),
        totalUsableRamMb: ram, freeRamMb: ram - memUsed,
        freeDiskMb: (node.local_gb * node.disk_allocation_ratio - used.local_gb_used - pending.diskGb) * 1024,
        vcpusTotal: node.vcpus * node.cpu_allocation_ratio, vcpusUsed: used.vcpus_used + pending.vcpus,
        numInstances: used.running_vms + pending.count,
        // Placement allocations not yet claimed by their build count as instances on the node.
        instances: [...new Set([...s.hosts.instancesOnHost(node.host).map((i) => i.uuid), ...pending.uuids])],
      });
    }
    return out;
  }

  /**
   * select_destinations for one instance: scheduler.select_destinations.start/.end around the filtering
   * and weighing (only when placement offered candidates, as in Nova), NoValidHost otherwise.
   */
  selectDestination(ctx: RequestContext, spec: RequestSpec, payloadSpec: RequestSpecSource): Selection {
    const res = flavorResources(spec.flavor, spec.isBfv);
    const states = this.hostStates();
    // Members placed but not yet claimed by their build (a multi-create's earlier instances) run
    // where placement allocated them: their hosts are group hosts too (Nova's consume step).
    const g = spec.instanceGroup;
    if (g) {
      for (const h of states) {
        if (!g.hosts.includes(h.host) && h.instances.some((u) => u !== spec.instanceUuid && g.members.includes(u))) g.hosts.push(h.host);
      }
    }
    const candidates = states.filter((h) => this.placementAllows(h, spec, res));
    if (!candidates.length) throw new NoValidHost('');
    this.notify(ctx, payloadSpec, 'start');
    // HostManager.get_filtered_hosts: ignore_hosts, then forced hosts/nodes bypass the filters.
    let hosts = candidates.filter((h) => !spec.ignoreHosts?.includes(h.host));
    const forced = !!(spec.forceHosts?.length || spec.forceNodes?.length);
    if (!forced) for (const f of this.enabledFilters()) hosts = hosts.filter((h) => f.hostPasses(h, spec));
    if (!hosts.length) throw new NoValidHost('There are not enough hosts available.');
    const weighed = this.weigh(hosts, spec);
    const chosen = weighed[0];
    for (const f of this.enabledFilters()) f.consume?.(chosen, spec);
    this.claims.set(spec.instanceUuid, { node: chosen.nodename, vcpus: res.vcpus, memoryMb: res.memoryMb, diskGb: res.diskGb });
    this.notify(ctx, payloadSpec, 'end');
    const alternates = weighed.slice(1, 3).map((h) => ({ host: h.host, node: h.nodename, nodeUuid: h.nodeUuid, availabilityZone: h.availabilityZone }));
    return { host: chosen.host, node: chosen.nodename, nodeUuid: chosen.nodeUuid, availabilityZone: chosen.availabilityZone, alternates };
  }

  /** The build claimed (instance.node is set) or gave up: placement's allocation is now the instance's own. */
  release(instanceUuid: string): void {
    this.claims.delete(instanceUuid);
  }

  /** GET /allocation_candidates: resources fit, COMPUTE_STATUS_DISABLED forbidden, AZ aggregates, in_tree for forced hosts. */
  private placementAllows(h: HostState, spec: RequestSpec, res: { vcpus: number; memoryMb: number; diskGb: number }): boolean {
    if (h.service.disabled) return false; // compute_status_filter
    if (spec.forceHosts?.length && !spec.forceHosts.includes(h.host)) return false;
    if (spec.forceNodes?.length && !spec.forceNodes.includes(h.nodename)) return false;
    // RequestSpec.requested_destination (cold migrate with a host): placement's in_tree, the filters still run.
    if (spec.requestedHost && h.host !== spec.requestedHost) return false;
    const dest = spec.requestedDestination;
    if (dest && (h.host !== dest.host || (dest.node !== null && h.nodename !== dest.node))) return false;
    if (spec.availabilityZone) {
      // map_az_to_placement_aggregate: only when some aggregate carries that zone.
      const azAggs = this.d.services.hosts.aggregates().filter((a) => a.metadata.availability_zone === spec.availabilityZone);
      if (azAggs.length && !azAggs.some((a) => a.hosts.includes(h.host))) return false;
    }
    return res.vcpus <= h.vcpusTotal - h.vcpusUsed && res.memoryMb <= h.freeRamMb && res.diskGb * 1024 <= h.freeDiskMb;
  }

  /** Weighers with weights normalised to 0..1 per weigher; ties keep the node order (stable sort). */
  private weigh(hosts: HostState[], spec: RequestSpec): HostState[] {
    const totals = hosts.map(() => 0);
    for (const w of this.weighers) {
      const raw = hosts.map((h) => w.weigh(h, spec));
      const min = Math.min(...raw);
      const max = Math.max(...raw);
      raw.forEach((v, i) => {
        const norm = max === min ? 0 : (v - min) / (max - min);
        totals[i] += w.multiplier(hosts[i]) * norm;
      });
    }
    return hosts.map((h, i) => ({ h, w: totals[i], i })).sort((a, b) => b.w - a.w || a.i - b.i).map((x) => x.h);
  }

  private pendingOn(node: ComputeNodeRow): { vcpus: number; memoryMb: number; diskGb: number; count: number; uuids: string[] } {
    const out = { vcpus: 0, memoryMb: 0, diskGb: 0, count: 0, uuids: [] as string[] };
    for (const [uuid, c] of this.claims) {
      const inst = this.d.services.instances.get(uuid);
      if (!inst || inst.node !== null || inst.vm_state === 'error') {
        this.claims.delete(uuid);
        continue;
      }
      if (c.node !== node.hypervisor_hostname) continue;
      out.vcpus += c.vcpus;
      out.memoryMb += c.memoryMb;
      out.diskGb += c.diskGb;
      out.count++;
      out.uuids.push(uuid);
    }
    return out;
  }

  /** notify_about_scheduler_action: published by nova-scheduler:<CONF.host>. */
  private notify(ctx: RequestContext, spec: RequestSpecSource, phase: 'start' | 'end'): void {
    const n = this.d.notifier;
    const payload = requestSpecPayload(spec, this.d.services.profile);
    n.emit({
      context: ctx, eventType: `scheduler.select_destinations.${phase}`, priority: 'INFO', source: 'nova-scheduler',
      host: this.d.services.config.confHost, payload, instanceUuid: spec.instanceUuid, projectId: spec.projectId,
      // SchedulerManager.select_destinations: notifier.info(ctx, 'scheduler.select_destinations.<phase>',
      // {'request_spec': spec_obj.to_legacy_request_spec_dict()}) right before the versioned one.
      legacy: { kind: 'payload', payload: { request_spec: legacyRequestSpec(spec, payload) } },
    });
  }
}

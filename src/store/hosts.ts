// Where the compute hosts live: nova-compute (and scheduler/conductor) services, their compute nodes
// (hypervisors), host aggregates and migration records. SQL and rows only.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Config } from '../config.js';
import type { Db } from './db.js';
import { prepared } from './statement-cache.js';

/** One simulated compute host in a seed's `computeHosts` list (one node per host). */
export const HostSeedSchema = z
  .object({
    host: z.string().min(1).max(255),
    node: z.string().min(1).max(255).optional(),
    vcpus: z.number().int().min(1).optional(),
    memory_mb: z.number().int().min(1).optional(),
    local_gb: z.number().int().min(1).optional(),
    hypervisor_type: z.string().min(1).default('QEMU'),
    hypervisor_version: z.number().int().min(0).default(8002000),
    cpu_info: z.record(z.string(), z.unknown()).optional(),
    host_ip: z.string().min(1).optional(),
  })
  .strict();
export type HostSeed = z.output<typeof HostSeedSchema>;

export interface ServiceRow {
  id: number;
  uuid: string;
  host: string;
  binary: string;
  topic: string | null;
  disabled: boolean;
  disabled_reason: string | null;
  forced_down: boolean;
  report_count: number;
  last_seen_up: string | null;
  version: number;
  created_at: string;
  updated_at: string | null;
}

export interface ComputeNodeRow {
  id: number;
  uuid: string;
  service_id: number | null;
  host: string;
  hypervisor_hostname: string;
  vcpus: number;
  memory_mb: number;
  local_gb: number;
  hypervisor_type: string;
  hypervisor_version: number;
  cpu_info: string;
  host_ip: string;
  cpu_allocation_ratio: number;
  ram_allocation_ratio: number;
  disk_allocation_ratio: number;
  created_at: string;
}

/** What the instances on a node consume (the resource tracker's / placement's usage). */
export interface NodeUsage {
  vcpus_used: number;
  memory_mb_used: number;
  local_gb_used: number;
  running_vms: number;
}

export interface AggregateRow {
  id: number;
  uuid: string;
  name: string;
  created_at: string;
  updated_at: string | null;
  hosts: string[];
  metadata: Record<string, string>;
}

export interface MigrationRow {
  id: number;
  uuid: string;
  instance_uuid: string;
  source_compute: string | null;
  dest_compute: string | null;
  source_node: string | null;
  dest_node: string | null;
  dest_host: string | null;
  old_instance_type_id: number | null;
  new_instance_type_id: number | null;
  status: string;
  migration_type: string;
  hidden: boolean;
  user_id: string | null;
  project_id: string | null;
  /** Live-migration progress (bytes), as the driver reports it. */
  memory_total: number | null;
  memory_processed: number | null;
  memory_remaining: number | null;
  disk_total: number | null;
  disk_processed: number | null;
  disk_remaining: number | null;
  created_at: string;
  updated_at: string | null;
}

/** A stable uuid derived from a name, so hosts keep their ids across restarts and resets without using the id stream. */
export function nameUuid(kind: string, name: string): string {
  const h = createHash('sha1').update(`novasim:${kind}:${name}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h[16], 16) & 0x3) | 0x8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const DEFAULT_CPU_INFO = {
  arch: 'x86_64', model: 'Nehalem', vendor: 'Intel', features: ['pge', 'clflush'], topology: { cores: 1, threads: 1, sockets: 4 },
};

/** Nova's service versions (nova/objects/service.py SERVICE_VERSION) per release. */
export const SERVICE_VERSION = { master: 73, zed: 64 } as const;

/** The hosts a configuration describes: the seed's list, else `computeHosts` generated ones. */
export interface HostSpec {
  host: string;
  node: string;
  vcpus: number;
  memory_mb: number;
  local_gb: number;
  hypervisor_type: string;
  hypervisor_version: number;
  cpu_info: Record<string, unknown>;
  host_ip: string;
}

export function hostsFromConfig(config: Config, seeded?: HostSeed[]): HostSpec[] {
  const list: HostSeed[] = seeded ?? Array.from({ length: config.computeHosts }, (_, i) => ({
    host: i === 0 ? config.computeHost : `${config.computeHost}-${i + 1}`,
    node: i === 0 ? config.node : `${config.node}-${i + 1}`,
    hypervisor_type: 'QEMU',
    hypervisor_version: 8002000,
  }));
  return list.map((h, i) => ({
    host: h.host,
    node: h.node ?? h.host,
    vcpus: h.vcpus ?? config.hostVcpus,
    memory_mb: h.memory_mb ?? config.hostMemoryMb,
    local_gb: h.local_gb ?? config.hostLocalGb,
    hypervisor_type: h.hypervisor_type,
    hypervisor_version: h.hypervisor_version,
    cpu_info: h.cpu_info ?? DEFAULT_CPU_INFO,
    host_ip: h.host_ip ?? `192.168.1.${10 + (i % 240)}`,
  }));
}

type Raw = Record<string, unknown>;

/** ResourceTracker._get_usage_dict: a volume-backed instance (no image, or a volume root BDM) uses no local root disk. */
const VOLUME_BACKED = `(instances.image_ref = '' OR EXISTS (SELECT 1 FROM block_device_mappings b WHERE b.instance_uuid = instances.uuid
  AND b.deleted = 0 AND b.boot_index = 0 AND b.destination_type = 'volume'))`;
/** The same test for an instance row aliased `i` (the migrations' side of the usage query). */
const VOLUME_BACKED_I = VOLUME_BACKED.replaceAll('instances.', 'i.');

export class HostStore {
  private q;

  constructor(private db: Db) {
    this.q = {
      services: prepared(db, 'SELECT * FROM services ORDER BY id'),
      serviceById: prepared(db, 'SELECT * FROM services WHERE id = ?'),
      serviceByUuid: prepared(db, 'SELECT * FROM services WHERE uuid = ?'),
      serviceByHostBinary: prepared(db, 'SELECT * FROM services WHERE host = ? AND "binary" = ?'),
      nodes: prepared(db, 'SELECT * FROM compute_nodes ORDER BY id'),
      nodeById: prepared(db, 'SELECT * FROM compute_nodes WHERE id = ?'),
      nodeByUuid: prepared(db, 'SELECT * FROM compute_nodes WHERE uuid = ?'),
      // The resource tracker's view: the node's instances, plus the moves it holds a claim for (resize/cold
      // migration): the new flavor on the destination until resize_instance hands the instance over, the old
      // flavor on the source until the move is confirmed or reverted (a same-host resize holds both); only an
      // instance's newest migration counts (_update_usage_from_migrations).
      usage: prepared(db,
        `SELECT COALESCE(SUM(json_extract(f, '$.vcpus')), 0) AS vcpus, COALESCE(SUM(json_extract(f, '$.memory_mb')), 0) AS ram,
                COALESCE(SUM(CASE WHEN bfv THEN 0 ELSE json_extract(f, '$.root_gb') END + json_extract(f, '$.ephemeral_gb')), 0) AS disk, COALESCE(SUM(vm), 0) AS n
           FROM (
             SELECT flavor AS f, 1 AS vm, ${VOLUME_BACKED} AS bfv FROM instances WHERE node = @node AND deleted = 0
             UNION ALL
             SELECT i.old_flavor, 0, ${VOLUME_BACKED_I} FROM migrations m JOIN instances i ON i.uuid = m.instance_uuid AND i.deleted = 0
              WHERE m.deleted = 0 AND m.source_node = @node AND m.migration_type IN ('resize', 'migration')
                AND m.id = (SELECT MAX(id) FROM migrations l WHERE l.instance_uuid = m.instance_uuid AND l.deleted = 0)
                AND m.status IN ('post-migrating', 'finished', 'confirming', 'reverting') AND i.old_flavor IS NOT NULL AND i.old_flavor != 'null'
             UNION ALL
             SELECT i.new_flavor, 0, ${VOLUME_BACKED_I} FROM migrations m JOIN instances i ON i.uuid = m.instance_uuid AND i.deleted = 0
              WHERE m.deleted = 0 AND m.dest_node = @node AND m.migration_type IN ('resize', 'migration')
                AND m.id = (SELECT MAX(id) FROM migrations l WHERE l.instance_uuid = m.instance_uuid AND l.deleted = 0)
                AND m.status IN ('pre-migrating', 'migrating') AND i.new_flavor IS NOT NULL AND i.new_flavor != 'null'
           )`,
      ),
      instancesOnHost: prepared(db, 'SELECT uuid, display_name FROM instances WHERE host = ? AND deleted = 0 ORDER BY id'),
      countOnHost: prepared(db, 'SELECT COUNT(*) AS n FROM instances WHERE host = ? AND deleted = 0'),
      aggregates: prepared(db, 'SELECT * FROM aggregates ORDER BY id'),
      aggregateById: prepared(db, 'SELECT * FROM aggregates WHERE id = ?'),
      aggregateByName: prepared(db, 'SELECT * FROM aggregates WHERE name = ?'),
      aggHosts: prepared(db, 'SELECT host FROM aggregate_hosts WHERE aggregate_id = ? ORDER BY rowid'),
      aggMeta: prepared(db, 'SELECT key, value FROM aggregate_metadata WHERE aggregate_id = ? ORDER BY key'),
      migrations: prepared(db, 'SELECT * FROM migrations WHERE deleted = 0 ORDER BY created_at DESC, id DESC'),
    };
  }

  /** Insert the configured services and nodes (fresh database or reset). Runs inside the caller's transaction. */
  seed(config: Config, profileName: 'master' | 'zed', nowIso: string, seeded?: HostSeed[]): void {
    const version = SERVICE_VERSION[profileName];
    const insService = prepared(this.db,
      'INSERT OR IGNORE INTO services (uuid, host, "binary", topic, report_count, last_seen_up, version, created_at, updated_at) VALUES (?, ?, ?, ?, 0, ?, ?, ?, ?)',
    );
    const insNode = prepared(this.db,
      `INSERT OR IGNORE INTO compute_nodes (uuid, service_id, host, hypervisor_hostname, vcpus, memory_mb, local_gb, hypervisor_type, hypervisor_version,
         cpu_info, host_ip, cpu_allocation_ratio, ram_allocation_ratio, disk_allocation_ratio, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    // The control services run on CONF.host (their zone is the internal one).
    for (const binary of ['nova-scheduler', 'nova-conductor']) {
      insService.run(nameUuid('service', `${config.confHost}/${binary}`), config.confHost, binary, binary.slice(5), nowIso, version, nowIso, nowIso);
    }
    for (const h of hostsFromConfig(config, seeded)) this.insertComputeHost(h, config, version, nowIso, insService, insNode);
  }

  /**
   * Start one more nova-compute with its node at run time (Nova's tests: start_service('compute',
   * host='host2')); capacity and cpu_info as generated hosts have. Runs inside the caller's transaction.
   */
  addComputeHost(host: string, node: string, config: Config, profileName: 'master' | 'zed', nowIso: string): void {
    const [spec] = hostsFromConfig({ ...config, computeHosts: 1, computeHost: host, node }, undefined);
    this.insertComputeHost({ ...spec, host_ip: `192.168.1.${10 + (this.nodes().length % 240)}` }, config, SERVICE_VERSION[profileName], nowIso);
  }

  private insertComputeHost(h: HostSpec, config: Config, version: number, nowIso: string, insService = prepared(this.db,
    'INSERT OR IGNORE INTO services (uuid, host, "binary", topic, report_count, last_seen_up, version, created_at, updated_at) VALUES (?, ?, ?, ?, 0, ?, ?, ?, ?)',
  ), insNode = prepared(this.db,
    `INSERT OR IGNORE INTO compute_nodes (uuid, service_id, host, hypervisor_hostname, vcpus, memory_mb, local_gb, hypervisor_type, hypervisor_version,
       cpu_info, host_ip, cpu_allocation_ratio, ram_allocation_ratio, disk_allocation_ratio, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  )): void {
    insService.run(nameUuid('service', `${h.host}/nova-compute`), h.host, 'nova-compute', 'compute', nowIso, version, nowIso, nowIso);
    const svc = this.serviceByHostBinary(h.host, 'nova-compute')!;
    insNode.run(
      nameUuid('node', h.node), svc.id, h.host, h.node, h.vcpus, h.memory_mb, h.local_gb, h.hypervisor_type, h.hypervisor_version,
      JSON.stringify(h.cpu_info), h.host_ip, config.cpuAllocationRatio, config.ramAllocationRatio, config.diskAllocationRatio, nowIso,
    );
  }

  /**
   * A nova-compute started at run time: Service.create (a fresh row, never reported: last_seen_up
   * NULL, report_count 0) and its compute node (ResourceTracker's first update). Runs inside the
   * caller's transaction; the caller checks the host is new.
   */
  insertComputeService(config: Config, profileName: 'master' | 'zed', nowIso: string, h: HostSpec): ServiceRow {
    prepared(this.db, 'INSERT INTO services (uuid, host, "binary", topic, report_count, last_seen_up, version, created_at, updated_at) VALUES (?, ?, ?, ?, 0, NULL, ?, ?, NULL)')
      .run(nameUuid('service', `${h.host}/nova-compute`), h.host, 'nova-compute', 'compute', SERVICE_VERSION[profileName], nowIso);
    const svc = this.serviceByHostBinary(h.host, 'nova-compute')!;
    prepared(
      this.db,
      `INSERT INTO compute_nodes (uuid, service_id, host, hypervisor_hostname, vcpus, memory_mb, local_gb, hypervisor_type, hypervisor_version,
         cpu_info, host_ip, cpu_allocation_ratio, ram_allocation_ratio, disk_allocation_ratio, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
        nameUuid('node', h.node), svc.id, h.host, h.node, h.vcpus, h.memory_mb, h.local_gb, h.hypervisor_type, h.hypervisor_version,
        JSON.stringify(h.cpu_info), h.host_ip, config.cpuAllocationRatio, config.ramAllocationRatio, config.diskAllocationRatio, nowIso,
      );
    return svc;
  }


  services(): ServiceRow[] {
    return this.q.services.all().map((r) => service(r as Raw));
  }

  serviceById(id: number): ServiceRow | null {
    const r = this.q.serviceById.get(id) as Raw | undefined;
    return r ? service(r) : null;
  }

  serviceByUuid(uuid: string): ServiceRow | null {
    const r = this.q.serviceByUuid.get(uuid) as Raw | undefined;
    return r ? service(r) : null;
  }

  serviceByHostBinary(host: string, binary: string): ServiceRow | null {
    const r = this.q.serviceByHostBinary.get(host, binary) as Raw | undefined;
    return r ? service(r) : null;
  }

  /** Service.get_by_compute_host. */
  computeService(host: string): ServiceRow | null {
    return this.serviceByHostBinary(host, 'nova-compute');
  }

  updateService(id: number, changes: Partial<Pick<ServiceRow, 'disabled' | 'disabled_reason' | 'forced_down' | 'updated_at'>>): void {
    const cols = Object.keys(changes);
    if (!cols.length) return;
    const vals = cols.map((c) => {
      const v = (changes as Record<string, unknown>)[c];
      return typeof v === 'boolean' ? (v ? 1 : 0) : v;
    });
    prepared(this.db, `UPDATE services SET ${cols.map((c) => `${c} = ?`).join(', ')} WHERE id = ?`).run(...vals, id);
  }

  /** Service.destroy: the compute nodes of a compute service go with it (as their resource providers do). */
  deleteService(id: number): void {
    const svc = this.serviceById(id);
    if (!svc) return;
    if (svc.binary === 'nova-compute') prepared(this.db, 'DELETE FROM compute_nodes WHERE host = ?').run(svc.host);
    prepared(this.db, 'DELETE FROM services WHERE id = ?').run(id);
  }

  nodes(): ComputeNodeRow[] {
    return this.q.nodes.all() as ComputeNodeRow[];
  }

  nodeById(id: number): ComputeNodeRow | null {
    return (this.q.nodeById.get(id) as ComputeNodeRow | undefined) ?? null;
  }

  nodeByUuid(uuid: string): ComputeNodeRow | null {
    return (this.q.nodeByUuid.get(uuid) as ComputeNodeRow | undefined) ?? null;
  }

  nodesByHost(host: string): ComputeNodeRow[] {
    return this.nodes().filter((n) => n.host === host);
  }

  usage(node: string): NodeUsage {
    const r = this.q.usage.get({ node }) as { vcpus: number; ram: number; disk: number; n: number };
    return { vcpus_used: r.vcpus, memory_mb_used: r.ram, local_gb_used: r.disk, running_vms: r.n };
  }

  instancesOnHost(host: string): { uuid: string; name: string }[] {
    return (this.q.instancesOnHost.all(host) as { uuid: string; display_name: string }[]).map((r) => ({ uuid: r.uuid, name: r.display_name }));
  }

  countInstancesOnHost(host: string): number {
    return (this.q.countOnHost.get(host) as { n: number }).n;
  }

  aggregates(): AggregateRow[] {
    return this.q.aggregates.all().map((r) => this.aggregate(r as Raw));
  }

  aggregateById(id: number): AggregateRow | null {
    const r = this.q.aggregateById.get(id) as Raw | undefined;
    return r ? this.aggregate(r) : null;
  }

  aggregateByName(name: string): AggregateRow | null {
    const r = this.q.aggregateByName.get(name) as Raw | undefined;
    return r ? this.aggregate(r) : null;
  }

  /** AggregateList.get_by_host. */
  aggregatesByHost(host: string): AggregateRow[] {
    return this.aggregates().filter((a) => a.hosts.includes(host));
  }

  /** The host's availability zone: its AZ aggregates' names, else the default zone (availability_zones.get_host_availability_zone). */
  hostAvailabilityZone(host: string, defaultZone: string): string {
    const azs = [...new Set(this.aggregatesByHost(host).map((a) => a.metadata.availability_zone).filter((z): z is string => !!z))];
    return azs.length ? azs.sort().join(',') : defaultZone;
  }

  createAggregate(uuid: string, name: string, metadata: Record<string, string>, nowIso: string): number {
    const id = Number(prepared(this.db, 'INSERT INTO aggregates (uuid, name, created_at) VALUES (?, ?, ?)').run(uuid, name, nowIso).lastInsertRowid);
    this.setMetadata(id, metadata);
    return id;
  }

  updateAggregate(id: number, changes: { name?: string; updated_at?: string }): void {
    if (changes.name !== undefined) prepared(this.db, 'UPDATE aggregates SET name = ? WHERE id = ?').run(changes.name, id);
    if (changes.updated_at !== undefined) prepared(this.db, 'UPDATE aggregates SET updated_at = ? WHERE id = ?').run(changes.updated_at, id);
  }

  /** Aggregate.update_metadata: a null value deletes the key. */
  setMetadata(id: number, updates: Record<string, string | null>): void {
    for (const [key, value] of Object.entries(updates)) {
      if (value === null) prepared(this.db, 'DELETE FROM aggregate_metadata WHERE aggregate_id = ? AND key = ?').run(id, key);
      else prepared(this.db, 'INSERT INTO aggregate_metadata (aggregate_id, key, value) VALUES (?, ?, ?) ON CONFLICT (aggregate_id, key) DO UPDATE SET value = excluded.value').run(id, key, value);
    }
  }

  deleteAggregate(id: number): void {
    prepared(this.db, 'DELETE FROM aggregates WHERE id = ?').run(id);
  }

  addAggregateHost(id: number, host: string): void {
    prepared(this.db, 'INSERT INTO aggregate_hosts (aggregate_id, host) VALUES (?, ?)').run(id, host);
  }

  removeAggregateHost(id: number, host: string): void {
    prepared(this.db, 'DELETE FROM aggregate_hosts WHERE aggregate_id = ? AND host = ?').run(id, host);
  }

  migrations(): MigrationRow[] {
    return this.q.migrations.all().map((r) => ({ ...(r as MigrationRow), hidden: !!(r as Raw).hidden }));
  }

  private aggregate(r: Raw): AggregateRow {
    const id = r.id as number;
    return {
      id, uuid: r.uuid as string, name: r.name as string, created_at: r.created_at as string, updated_at: (r.updated_at as string | null) ?? null,
      hosts: (this.q.aggHosts.all(id) as { host: string }[]).map((h) => h.host),
      metadata: Object.fromEntries((this.q.aggMeta.all(id) as { key: string; value: string }[]).map((m) => [m.key, m.value])),
    };
  }
}

function service(r: Raw): ServiceRow {
  return { ...(r as unknown as ServiceRow), disabled: !!r.disabled, forced_down: !!r.forced_down };
}

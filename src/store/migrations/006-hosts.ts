import type { Migration } from './migration.js';

// The simulated nova-compute services, their compute nodes, host aggregates and migration records
// (nova/db/main/models.py Service, ComputeNode, Migration; nova/db/api/models.py Aggregate*, trimmed).
export const hosts: Migration = {
  id: 6,
  name: 'hosts',
  sql: `
CREATE TABLE services (
  id INTEGER PRIMARY KEY AUTOINCREMENT, uuid TEXT NOT NULL UNIQUE, host TEXT NOT NULL, "binary" TEXT NOT NULL, topic TEXT,
  disabled INTEGER NOT NULL DEFAULT 0, disabled_reason TEXT, forced_down INTEGER NOT NULL DEFAULT 0,
  report_count INTEGER NOT NULL DEFAULT 0, last_seen_up TEXT, version INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL, updated_at TEXT, UNIQUE (host, "binary"));
CREATE TABLE compute_nodes (
  id INTEGER PRIMARY KEY AUTOINCREMENT, uuid TEXT NOT NULL UNIQUE, service_id INTEGER REFERENCES services(id) ON DELETE SET NULL,
  host TEXT NOT NULL, hypervisor_hostname TEXT NOT NULL UNIQUE, vcpus INTEGER NOT NULL, memory_mb INTEGER NOT NULL,
  local_gb INTEGER NOT NULL, hypervisor_type TEXT NOT NULL, hypervisor_version INTEGER NOT NULL, cpu_info TEXT NOT NULL,
  host_ip TEXT NOT NULL, cpu_allocation_ratio REAL NOT NULL, ram_allocation_ratio REAL NOT NULL, disk_allocation_ratio REAL NOT NULL,
  created_at TEXT NOT NULL, updated_at TEXT);
CREATE INDEX compute_nodes_host ON compute_nodes(host);
CREATE TABLE aggregates (
  id INTEGER PRIMARY KEY AUTOINCREMENT, uuid TEXT NOT NULL UNIQUE, name TEXT NOT NULL UNIQUE, created_at TEXT NOT NULL, updated_at TEXT);
CREATE TABLE aggregate_hosts (
  aggregate_id INTEGER NOT NULL REFERENCES aggregates(id) ON DELETE CASCADE, host TEXT NOT NULL, PRIMARY KEY (aggregate_id, host));
CREATE TABLE aggregate_metadata (
  aggregate_id INTEGER NOT NULL REFERENCES aggregates(id) ON DELETE CASCADE, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (aggregate_id, key));
CREATE TABLE migrations (
  id INTEGER PRIMARY KEY AUTOINCREMENT, uuid TEXT NOT NULL UNIQUE, instance_uuid TEXT NOT NULL, source_compute TEXT, dest_compute TEXT,
  source_node TEXT, dest_node TEXT, dest_host TEXT, old_instance_type_id INTEGER, new_instance_type_id INTEGER, status TEXT NOT NULL,
  migration_type TEXT NOT NULL, hidden INTEGER NOT NULL DEFAULT 0, user_id TEXT, project_id TEXT,
  memory_total INTEGER, memory_processed INTEGER, memory_remaining INTEGER, disk_total INTEGER, disk_processed INTEGER, disk_remaining INTEGER,
  created_at TEXT NOT NULL, updated_at TEXT, deleted INTEGER NOT NULL DEFAULT 0);
CREATE INDEX migrations_instance ON migrations(instance_uuid);
`,
};

import type { Migration } from './migration.js';

// Identity, flavors, images and Nova's instance-side tables (nova/db/main/models.py, trimmed).
export const core: Migration = {
  id: 1,
  name: 'core',
  sql: `
CREATE TABLE projects (id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, domain_id TEXT NOT NULL DEFAULT 'default');
CREATE TABLE users (id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, password TEXT NOT NULL, domain_id TEXT NOT NULL DEFAULT 'default', default_project_id TEXT);
CREATE TABLE roles (id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE);
CREATE TABLE role_assignments (user_id TEXT NOT NULL REFERENCES users(id), project_id TEXT NOT NULL REFERENCES projects(id), role_id TEXT NOT NULL REFERENCES roles(id), PRIMARY KEY (user_id, project_id, role_id));
CREATE TABLE tokens (id TEXT PRIMARY KEY, user_id TEXT NOT NULL, project_id TEXT NOT NULL, roles TEXT NOT NULL, issued_at TEXT NOT NULL, expires_at TEXT NOT NULL, audit_id TEXT NOT NULL, methods TEXT NOT NULL, revoked INTEGER NOT NULL DEFAULT 0);
CREATE INDEX tokens_expires ON tokens(expires_at);

CREATE TABLE flavors (
  id INTEGER PRIMARY KEY AUTOINCREMENT, flavorid TEXT NOT NULL UNIQUE, name TEXT NOT NULL UNIQUE,
  memory_mb INTEGER NOT NULL, vcpus INTEGER NOT NULL, root_gb INTEGER NOT NULL, ephemeral_gb INTEGER NOT NULL DEFAULT 0,
  swap INTEGER NOT NULL DEFAULT 0, rxtx_factor REAL NOT NULL DEFAULT 1.0, vcpu_weight INTEGER, disabled INTEGER NOT NULL DEFAULT 0,
  is_public INTEGER NOT NULL DEFAULT 1, extra_specs TEXT NOT NULL DEFAULT '{}', description TEXT);
CREATE TABLE images (
  id TEXT PRIMARY KEY, name TEXT NOT NULL, status TEXT NOT NULL DEFAULT 'active', visibility TEXT NOT NULL DEFAULT 'public',
  owner TEXT, disk_format TEXT NOT NULL DEFAULT 'qcow2', container_format TEXT NOT NULL DEFAULT 'bare', size INTEGER NOT NULL DEFAULT 0,
  min_disk INTEGER NOT NULL DEFAULT 0, min_ram INTEGER NOT NULL DEFAULT 0, checksum TEXT, properties TEXT NOT NULL DEFAULT '{}',
  created_at TEXT NOT NULL, updated_at TEXT NOT NULL);

CREATE TABLE instances (
  id INTEGER PRIMARY KEY AUTOINCREMENT, uuid TEXT NOT NULL UNIQUE, project_id TEXT NOT NULL, user_id TEXT NOT NULL,
  display_name TEXT NOT NULL, display_description TEXT, hostname TEXT NOT NULL, reservation_id TEXT NOT NULL,
  launch_index INTEGER NOT NULL DEFAULT 0, host TEXT, node TEXT, availability_zone TEXT, image_ref TEXT NOT NULL DEFAULT '',
  kernel_id TEXT NOT NULL DEFAULT '', ramdisk_id TEXT NOT NULL DEFAULT '', key_name TEXT, os_type TEXT, architecture TEXT,
  vm_state TEXT NOT NULL, task_state TEXT, power_state INTEGER NOT NULL DEFAULT 0, progress INTEGER NOT NULL DEFAULT 0,
  locked INTEGER NOT NULL DEFAULT 0, locked_by TEXT, auto_disk_config INTEGER NOT NULL DEFAULT 0, config_drive TEXT NOT NULL DEFAULT '',
  root_device_name TEXT, flavor TEXT NOT NULL, metadata TEXT NOT NULL DEFAULT '{}', system_metadata TEXT NOT NULL DEFAULT '{}',
  tags TEXT NOT NULL DEFAULT '[]', network_info TEXT NOT NULL DEFAULT '[]',
  created_at TEXT NOT NULL, updated_at TEXT, launched_at TEXT, terminated_at TEXT, deleted_at TEXT, deleted INTEGER NOT NULL DEFAULT 0);
CREATE INDEX instances_project ON instances(project_id, deleted, created_at);
CREATE INDEX instances_reservation ON instances(reservation_id);

CREATE TABLE block_device_mappings (
  id INTEGER PRIMARY KEY AUTOINCREMENT, uuid TEXT NOT NULL UNIQUE, instance_uuid TEXT NOT NULL REFERENCES instances(uuid),
  source_type TEXT NOT NULL, destination_type TEXT NOT NULL, device_name TEXT, boot_index INTEGER,
  delete_on_termination INTEGER NOT NULL DEFAULT 0, volume_id TEXT, volume_size INTEGER, snapshot_id TEXT, image_id TEXT,
  attachment_id TEXT, connection_info TEXT, tag TEXT, no_device INTEGER, created_at TEXT NOT NULL, updated_at TEXT,
  deleted INTEGER NOT NULL DEFAULT 0);
CREATE INDEX bdm_instance ON block_device_mappings(instance_uuid, deleted);
CREATE INDEX bdm_volume ON block_device_mappings(volume_id, deleted);

CREATE TABLE instance_actions (
  id INTEGER PRIMARY KEY AUTOINCREMENT, action TEXT NOT NULL, instance_uuid TEXT NOT NULL, request_id TEXT NOT NULL,
  user_id TEXT, project_id TEXT, start_time TEXT NOT NULL, finish_time TEXT, message TEXT, updated_at TEXT, created_at TEXT NOT NULL);
CREATE INDEX actions_instance ON instance_actions(instance_uuid, request_id);
CREATE TABLE instance_actions_events (
  id INTEGER PRIMARY KEY AUTOINCREMENT, action_id INTEGER NOT NULL REFERENCES instance_actions(id), event TEXT NOT NULL,
  start_time TEXT NOT NULL, finish_time TEXT, result TEXT, traceback TEXT, host TEXT, details TEXT);
CREATE INDEX events_action ON instance_actions_events(action_id);
CREATE TABLE instance_faults (
  id INTEGER PRIMARY KEY AUTOINCREMENT, instance_uuid TEXT NOT NULL, code INTEGER NOT NULL, message TEXT NOT NULL,
  details TEXT NOT NULL DEFAULT '', host TEXT, created_at TEXT NOT NULL);
CREATE INDEX faults_instance ON instance_faults(instance_uuid, id);

CREATE TABLE keypairs (
  id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, user_id TEXT NOT NULL, fingerprint TEXT NOT NULL, public_key TEXT NOT NULL,
  type TEXT NOT NULL DEFAULT 'ssh', created_at TEXT NOT NULL, UNIQUE (user_id, name));

-- Pre-created Neutron ports a server may be booted on (networks: [{"port": id}]).
CREATE TABLE ports (
  id TEXT PRIMARY KEY, network_label TEXT NOT NULL, mac TEXT NOT NULL, address TEXT NOT NULL, version INTEGER NOT NULL DEFAULT 4,
  device_name TEXT, project_id TEXT, instance_uuid TEXT);

-- Operations cast to the compute manager but not yet finished: what nova-compute's startup cleans up after a crash.
CREATE TABLE compute_tasks (
  id INTEGER PRIMARY KEY AUTOINCREMENT, instance_uuid TEXT NOT NULL, kind TEXT NOT NULL, args TEXT NOT NULL,
  context TEXT NOT NULL, state TEXT NOT NULL DEFAULT 'queued', created_at TEXT NOT NULL);
`,
};

import type { Migration } from './migration.js';

// The fake Cinder's own tables (cinder/db/sqlalchemy/models.py, trimmed to what the fake serves).
// Metadata and admin metadata are JSON columns: Cinder keeps them in side tables, but the fake only
// ever reads/writes them whole (views, finish_volume_migration's exchange). Rows are hard-deleted:
// the API shows a soft-deleted Cinder row as 404 anyway. No foreign keys, so reset can empty the
// tables in any order and migration completion can move attachments between volume ids.
export const cinder: Migration = {
  id: 2,
  name: 'cinder',
  sql: `
CREATE TABLE volume_types (
  id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, description TEXT, is_public INTEGER NOT NULL DEFAULT 1,
  qos_specs_id TEXT, extra_specs TEXT NOT NULL DEFAULT '{}', is_default INTEGER NOT NULL DEFAULT 0, created_at TEXT NOT NULL);

CREATE TABLE volumes (
  id TEXT PRIMARY KEY, name_id TEXT, project_id TEXT NOT NULL, user_id TEXT NOT NULL,
  display_name TEXT, display_description TEXT, size INTEGER NOT NULL, availability_zone TEXT,
  status TEXT NOT NULL, attach_status TEXT NOT NULL, migration_status TEXT, previous_status TEXT,
  host TEXT, cluster_name TEXT, volume_type_id TEXT, multiattach INTEGER NOT NULL DEFAULT 0, bootable INTEGER NOT NULL DEFAULT 0,
  encryption_key_id TEXT, provider_id TEXT, provider_location TEXT, provider_auth TEXT, replication_status TEXT,
  service_uuid TEXT, shared_targets INTEGER, use_quota INTEGER NOT NULL DEFAULT 1, group_id TEXT, consistencygroup_id TEXT,
  snapshot_id TEXT, source_volid TEXT, metadata TEXT NOT NULL DEFAULT '{}', admin_metadata TEXT NOT NULL DEFAULT '{}',
  glance_metadata TEXT, created_at TEXT NOT NULL, updated_at TEXT, launched_at TEXT, terminated_at TEXT);
CREATE INDEX volumes_project ON volumes(project_id, created_at);

CREATE TABLE volume_attachments (
  id TEXT PRIMARY KEY, volume_id TEXT NOT NULL, instance_uuid TEXT, attached_host TEXT, mountpoint TEXT,
  attach_time TEXT, detach_time TEXT, attach_status TEXT NOT NULL, attach_mode TEXT, connection_info TEXT,
  connector TEXT, volume_host TEXT, created_at TEXT NOT NULL, updated_at TEXT);
CREATE INDEX volume_attachments_volume ON volume_attachments(volume_id);
CREATE INDEX volume_attachments_instance ON volume_attachments(instance_uuid);
`,
};

import type { Migration } from './migration.js';

// Keystone's admin subset (keystone/resource/backends/sql_model.py, identity/backends/sql_model.py,
// trimmed): project/user/role attributes beyond what login needs, and domains (the `default` domain is
// seeded). Glance's writes (glance/db/sqlalchemy/models.py): image data, os_hash_*, tags and members.
// The fake Cinder's snapshots, backups and per-project quota limits (cinder/db/sqlalchemy/models.py, trimmed;
// no foreign keys, as in 002-cinder).
export const neighbours: Migration = {
  id: 10,
  name: 'neighbours',
  sql: `
ALTER TABLE projects ADD COLUMN description TEXT NOT NULL DEFAULT '';
ALTER TABLE projects ADD COLUMN enabled INTEGER NOT NULL DEFAULT 1;
ALTER TABLE projects ADD COLUMN tags TEXT NOT NULL DEFAULT '[]';
ALTER TABLE projects ADD COLUMN extra TEXT NOT NULL DEFAULT '{}';
ALTER TABLE users ADD COLUMN enabled INTEGER NOT NULL DEFAULT 1;
ALTER TABLE users ADD COLUMN extra TEXT NOT NULL DEFAULT '{}';
ALTER TABLE roles ADD COLUMN description TEXT;
ALTER TABLE roles ADD COLUMN extra TEXT NOT NULL DEFAULT '{}';
CREATE TABLE domains (id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, description TEXT NOT NULL DEFAULT '', enabled INTEGER NOT NULL DEFAULT 1,
  tags TEXT NOT NULL DEFAULT '[]', extra TEXT NOT NULL DEFAULT '{}');
INSERT OR IGNORE INTO domains (id, name, description) VALUES ('default', 'Default', 'The default domain');

ALTER TABLE images ADD COLUMN os_hash_algo TEXT;
ALTER TABLE images ADD COLUMN os_hash_value TEXT;
ALTER TABLE images ADD COLUMN protected INTEGER NOT NULL DEFAULT 0;
ALTER TABLE images ADD COLUMN os_hidden INTEGER NOT NULL DEFAULT 0;
ALTER TABLE images ADD COLUMN virtual_size INTEGER;
ALTER TABLE images ADD COLUMN tags TEXT NOT NULL DEFAULT '[]';
CREATE TABLE image_data (image_id TEXT PRIMARY KEY, data BLOB NOT NULL);
CREATE TABLE image_members (image_id TEXT NOT NULL, member TEXT NOT NULL, status TEXT NOT NULL DEFAULT 'pending',
  created_at TEXT NOT NULL, updated_at TEXT NOT NULL, PRIMARY KEY (image_id, member));

CREATE TABLE snapshots (
  id TEXT PRIMARY KEY, volume_id TEXT NOT NULL, project_id TEXT NOT NULL, user_id TEXT NOT NULL, display_name TEXT, display_description TEXT,
  status TEXT NOT NULL, progress TEXT NOT NULL DEFAULT '0%', volume_size INTEGER NOT NULL, volume_type_id TEXT, metadata TEXT NOT NULL DEFAULT '{}',
  use_quota INTEGER NOT NULL DEFAULT 1, group_snapshot_id TEXT, created_at TEXT NOT NULL, updated_at TEXT);
CREATE INDEX snapshots_volume ON snapshots(volume_id);
CREATE TABLE backups (
  id TEXT PRIMARY KEY, volume_id TEXT NOT NULL, snapshot_id TEXT, project_id TEXT NOT NULL, user_id TEXT NOT NULL, display_name TEXT,
  display_description TEXT, status TEXT NOT NULL, size INTEGER NOT NULL, object_count INTEGER NOT NULL DEFAULT 0, container TEXT,
  availability_zone TEXT, is_incremental INTEGER NOT NULL DEFAULT 0, fail_reason TEXT, restore_volume_id TEXT, metadata TEXT NOT NULL DEFAULT '{}',
  data_timestamp TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT);
CREATE TABLE volume_quotas (project_id TEXT NOT NULL, resource TEXT NOT NULL, hard_limit INTEGER NOT NULL, PRIMARY KEY (project_id, resource));
`,
};

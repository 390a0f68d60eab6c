import type { Migration } from './migration.js';

// Nova's share_mapping table (nova/db/main/models.py ShareMapping: one row per share attached to an
// instance, unique per (instance_uuid, share_id); status attaching/inactive/active/detaching/error)
// and the fake Manila's own tables (manila/db/sqlalchemy/models.py, trimmed: shares with their one
// instance folded in, export locations, access rules with their lock flags; no foreign keys, as in 002-cinder).
export const shares: Migration = {
  id: 17,
  name: 'shares',
  sql: `
CREATE TABLE share_mapping (
  id INTEGER PRIMARY KEY AUTOINCREMENT, uuid TEXT NOT NULL UNIQUE, instance_uuid TEXT NOT NULL, share_id TEXT NOT NULL,
  status TEXT NOT NULL, tag TEXT NOT NULL, export_location TEXT NOT NULL, share_proto TEXT NOT NULL,
  created_at TEXT NOT NULL, updated_at TEXT,
  UNIQUE (instance_uuid, share_id), UNIQUE (instance_uuid, tag));
CREATE INDEX share_mapping_share ON share_mapping(share_id);

CREATE TABLE manila_shares (
  id TEXT PRIMARY KEY, seq INTEGER NOT NULL, project_id TEXT NOT NULL, user_id TEXT NOT NULL, name TEXT, description TEXT,
  size INTEGER NOT NULL, share_proto TEXT NOT NULL, status TEXT NOT NULL, share_type TEXT, share_type_name TEXT,
  availability_zone TEXT, share_network_id TEXT, snapshot_id TEXT, is_public INTEGER NOT NULL DEFAULT 0,
  metadata TEXT NOT NULL DEFAULT '{}', host TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT);
CREATE TABLE manila_export_locations (
  id TEXT PRIMARY KEY, share_id TEXT NOT NULL, seq INTEGER NOT NULL, path TEXT NOT NULL, preferred INTEGER NOT NULL DEFAULT 0,
  is_admin_only INTEGER NOT NULL DEFAULT 0, created_at TEXT NOT NULL, updated_at TEXT);
CREATE INDEX manila_export_locations_share ON manila_export_locations(share_id);
CREATE TABLE manila_access_rules (
  id TEXT PRIMARY KEY, share_id TEXT NOT NULL, seq INTEGER NOT NULL, access_type TEXT NOT NULL, access_to TEXT NOT NULL,
  access_level TEXT NOT NULL, access_key TEXT, state TEXT NOT NULL, lock_visibility INTEGER NOT NULL DEFAULT 0,
  lock_deletion INTEGER NOT NULL DEFAULT 0, lock_reason TEXT, lock_user_id TEXT, lock_project_id TEXT, metadata TEXT NOT NULL DEFAULT '{}',
  created_at TEXT NOT NULL, updated_at TEXT);
CREATE INDEX manila_access_rules_share ON manila_access_rules(share_id);
`,
};

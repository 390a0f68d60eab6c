import type { Migration } from './migration.js';

// Nova API-database quota tables (quotas, project_user_quotas, quota_classes) and server groups
// (instance_groups, instance_group_policy, instance_group_member), trimmed: nova/db/api/models.py.
export const quotasServerGroups: Migration = {
  id: 5,
  name: 'quotas-server-groups',
  sql: `
CREATE TABLE quotas (
  id INTEGER PRIMARY KEY AUTOINCREMENT, project_id TEXT NOT NULL, resource TEXT NOT NULL, hard_limit INTEGER NOT NULL,
  UNIQUE (project_id, resource));
CREATE TABLE project_user_quotas (
  id INTEGER PRIMARY KEY AUTOINCREMENT, project_id TEXT NOT NULL, user_id TEXT NOT NULL, resource TEXT NOT NULL, hard_limit INTEGER NOT NULL,
  UNIQUE (project_id, user_id, resource));
CREATE TABLE quota_classes (
  id INTEGER PRIMARY KEY AUTOINCREMENT, class_name TEXT NOT NULL, resource TEXT NOT NULL, hard_limit INTEGER NOT NULL,
  UNIQUE (class_name, resource));
CREATE TABLE instance_groups (
  id INTEGER PRIMARY KEY AUTOINCREMENT, uuid TEXT NOT NULL UNIQUE, name TEXT, project_id TEXT NOT NULL, user_id TEXT NOT NULL,
  policy TEXT NOT NULL, rules TEXT NOT NULL DEFAULT '{}', created_at TEXT NOT NULL);
CREATE INDEX instance_groups_project ON instance_groups(project_id, id);
CREATE TABLE instance_group_member (
  id INTEGER PRIMARY KEY AUTOINCREMENT, group_id INTEGER NOT NULL, instance_uuid TEXT NOT NULL, UNIQUE (group_id, instance_uuid));
CREATE INDEX instance_group_member_instance ON instance_group_member(instance_uuid);
`,
};

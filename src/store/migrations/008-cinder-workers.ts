import type { Migration } from './migration.js';

// The fake Cinder's workers table (cinder/db/sqlalchemy/models.py Worker): one row per volume whose
// cleanable operation (create, delete) is running, so a restart can clean it up as
// CleanableManager.do_cleanup / VolumeManager._do_cleanup do.
export const cinderWorkers: Migration = {
  id: 8,
  name: 'cinder-workers',
  sql: `
CREATE TABLE cinder_workers (
  resource_type TEXT NOT NULL,
  resource_id TEXT NOT NULL,
  status TEXT NOT NULL,
  created_at TEXT NOT NULL,
  PRIMARY KEY (resource_type, resource_id)
);`,
};

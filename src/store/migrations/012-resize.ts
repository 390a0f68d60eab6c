import type { Migration } from './migration.js';

// Resize / cold migration (nova/db/main/models.py Instance: the flavor columns of
// instance_extra — old_flavor and new_flavor, JSON, NULL when no move is in progress).
// The migrations table itself came with 006-hosts.
export const resize: Migration = {
  id: 12,
  name: 'resize',
  sql: `
ALTER TABLE instances ADD COLUMN old_flavor TEXT;
ALTER TABLE instances ADD COLUMN new_flavor TEXT;
`,
};

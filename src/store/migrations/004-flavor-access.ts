import type { Migration } from './migration.js';

// Nova API database flavor_projects (private flavor access) and the flavors' timestamps
// (sort keys created_at/updated_at of GET /flavors).
export const flavorAccess: Migration = {
  id: 4,
  name: 'flavor-access',
  sql: `
CREATE TABLE flavor_projects (
  flavor_id INTEGER NOT NULL REFERENCES flavors(id) ON DELETE CASCADE, project_id TEXT NOT NULL,
  PRIMARY KEY (flavor_id, project_id));
ALTER TABLE flavors ADD COLUMN created_at TEXT;
ALTER TABLE flavors ADD COLUMN updated_at TEXT;
`,
};

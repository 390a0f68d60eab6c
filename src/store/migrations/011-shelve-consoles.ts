import type { Migration } from './migration.js';

// RequestSpec.availability_zone (nova_api request_specs, the one field novasim needs): the zone a
// server is pinned to — the one asked for at boot, or set/unset by unshelve (2.77/2.91). A row only
// exists for a pinned server. Console auth tokens (nova/db/main/models.py ConsoleAuthToken): the
// token's sha256, what it connects to and when it expires (epoch seconds, as Nova stores it).
export const shelveConsoles: Migration = {
  id: 11,
  name: 'shelve-consoles',
  sql: `
CREATE TABLE request_spec_az (instance_uuid TEXT PRIMARY KEY, availability_zone TEXT);
CREATE TABLE console_auth_tokens (
  id INTEGER PRIMARY KEY AUTOINCREMENT, token_hash TEXT NOT NULL UNIQUE, console_type TEXT NOT NULL, host TEXT NOT NULL,
  port INTEGER NOT NULL, tls_port INTEGER, internal_access_path TEXT, instance_uuid TEXT NOT NULL, access_url_base TEXT,
  expires INTEGER NOT NULL, created_at TEXT NOT NULL);
CREATE INDEX console_auth_tokens_instance ON console_auth_tokens(instance_uuid);
`,
};

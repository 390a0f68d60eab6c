// reset()'s emptying of the database (src/store/empty-tables.ts): referencing tables first, so no
// PRAGMA defer_foreign_keys (which would expire every prepared statement of the connection).
import { describe, expect, it } from 'vitest';
import { allDataTables, openDatabase, type Db } from '../../../src/store/db.js';
import { emptyDataTables } from '../../../src/store/empty-tables.js';

const T = '2024-01-01T00:00:00.000Z';

/** One row in every table that has a foreign key, and in each table it references, plus a token. */
function fill(db: Db): void {
  db.exec(`
    INSERT INTO projects (id, name) VALUES ('p1', 'one');
    INSERT INTO users (id, name, password) VALUES ('u1', 'user', 'x');
    INSERT INTO roles (id, name) VALUES ('r1', 'member');
    INSERT INTO role_assignments (user_id, project_id, role_id) VALUES ('u1', 'p1', 'r1');
    INSERT INTO tokens (id, user_id, project_id, roles, issued_at, expires_at, audit_id, methods) VALUES ('t1', 'u1', 'p1', '[]', '${T}', '${T}', 'a', '[]');
    INSERT INTO instances (uuid, project_id, user_id, display_name, hostname, reservation_id, vm_state, flavor, created_at)
      VALUES ('i1', 'p1', 'u1', 'vm', 'vm', 'r-1', 'active', '{}', '${T}');
    INSERT INTO block_device_mappings (uuid, instance_uuid, source_type, destination_type, created_at) VALUES ('b1', 'i1', 'volume', 'volume', '${T}');
    INSERT INTO instance_actions (action, instance_uuid, request_id, start_time, created_at) VALUES ('create', 'i1', 'req-1', '${T}', '${T}');
    INSERT INTO instance_actions_events (action_id, event, start_time) VALUES (last_insert_rowid(), 'compute__do_build_and_run_instance', '${T}');
    INSERT INTO flavors (flavorid, name, memory_mb, vcpus, root_gb) VALUES ('f1', 'tiny', 512, 1, 1);
    INSERT INTO flavor_projects (flavor_id, project_id) VALUES (last_insert_rowid(), 'p1');
    INSERT INTO services (uuid, host, "binary", created_at) VALUES ('s1', 'compute', 'nova-compute', '${T}');
    INSERT INTO compute_nodes (uuid, service_id, host, hypervisor_hostname, vcpus, memory_mb, local_gb, hypervisor_type, hypervisor_version, cpu_info,
      host_ip, cpu_allocation_ratio, ram_allocation_ratio, disk_allocation_ratio, created_at)
      VALUES ('n1', last_insert_rowid(), 'compute', 'node', 1, 1, 1, 'fake', 1, '{}', '127.0.0.1', 1, 1, 1, '${T}');
    INSERT INTO aggregates (uuid, name, created_at) VALUES ('a1', 'agg', '${T}');
    INSERT INTO aggregate_hosts (aggregate_id, host) VALUES (last_insert_rowid(), 'compute');
    INSERT INTO aggregate_metadata (aggregate_id, key, value) SELECT id, 'k', 'v' FROM aggregates;
  `);
}

const count = (db: Db, t: string) => (db.prepare(`SELECT COUNT(*) AS n FROM "${t}"`).get() as { n: number }).n;

describe('emptyDataTables', () => {
  it('empties every data table but the kept ones with foreign keys checked at each statement', () => {
    const db = openDatabase(':memory:');
    fill(db);
    let deferred: unknown;
    db.transaction(() => {
      emptyDataTables(db, ['tokens']);
      deferred = db.prepare('PRAGMA defer_foreign_keys').get();
    })();
    expect(deferred).toEqual({ defer_foreign_keys: 0 });
    const left = allDataTables(db).filter((t) => t !== 'tokens' && count(db, t) > 0);
    expect(left).toEqual([]);
    expect(count(db, 'tokens')).toBe(1);
    expect(db.prepare('PRAGMA foreign_key_check').all()).toEqual([]);
    // Again on the emptied database (nothing to delete) and after refilling: the cached plan still holds.
    db.transaction(() => emptyDataTables(db, ['tokens']))();
    db.exec('DELETE FROM tokens');
    fill(db);
    db.transaction(() => emptyDataTables(db, ['tokens']))();
    expect(allDataTables(db).filter((t) => t !== 'tokens' && count(db, t) > 0)).toEqual([]);
    db.close();
  });

  it('a kept table referencing an emptied one: the check waits for COMMIT, when the rows are back', () => {
    const db = openDatabase(':memory:');
    db.exec("CREATE TABLE parent (id TEXT PRIMARY KEY); CREATE TABLE child (parent_id TEXT NOT NULL REFERENCES parent(id)); INSERT INTO parent VALUES ('x'); INSERT INTO child VALUES ('x')");
    db.transaction(() => {
      emptyDataTables(db, ['tokens', 'child']);
      expect(db.prepare('PRAGMA defer_foreign_keys').get()).toEqual({ defer_foreign_keys: 1 });
      expect(count(db, 'parent')).toBe(0);
      db.prepare("INSERT INTO parent VALUES ('x')").run();
    })();
    expect(count(db, 'child')).toBe(1);
    db.close();
  });
});

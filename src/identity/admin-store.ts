// Keystone's resource, identity and assignment backends (keystone/{resource,identity,assignment}/backends/sql.py),
// trimmed to the admin subset: projects, users, roles, domains and project-scoped role grants.
import type { Db } from '../store/db.js';
import { prepared } from '../store/statement-cache.js';

export interface ProjectRec { id: string; name: string; domain_id: string; description: string; enabled: number; tags: string; extra: string }
export interface UserRec { id: string; name: string; password: string; domain_id: string; default_project_id: string | null; enabled: number; extra: string }
export interface RoleRec { id: string; name: string; description: string | null; extra: string }
export interface DomainRec { id: string; name: string; description: string; enabled: number; tags: string; extra: string }
export interface GrantRec { user_id: string; project_id: string; role_id: string }

export type Kind = 'projects' | 'users' | 'roles' | 'domains';

export class IdentityAdminStore {
  constructor(private db: Db) {}

  get<T>(kind: Kind, id: string): T | undefined {
    return prepared(this.db, `SELECT * FROM ${kind} WHERE id = ?`).get(id) as T | undefined;
  }

  byName<T>(kind: Kind, name: string): T | undefined {
    return prepared(this.db, `SELECT * FROM ${kind} WHERE name = ?`).get(name) as T | undefined;
  }

  list<T>(kind: Kind): T[] {
    return prepared(this.db, `SELECT * FROM ${kind} ORDER BY name, id`).all() as T[];
  }

  insert(kind: Kind, row: Record<string, unknown>): void {
    const cols = Object.keys(row);
    prepared(this.db, `INSERT INTO ${kind} (${cols.join(', ')}) VALUES (${cols.map((c) => `@${c}`).join(', ')})`).run(row);
  }

  update(kind: Kind, id: string, changes: Record<string, unknown>): void {
    const cols = Object.keys(changes);
    if (cols.length === 0) return;
    prepared(this.db, `UPDATE ${kind} SET ${cols.map((c) => `${c} = @${c}`).join(', ')} WHERE id = @__id`).run({ ...changes, __id: id });
  }

  /** True when another row of this kind already holds the name (Keystone's unique name per domain). */
  nameTaken(kind: Kind, name: string, exceptId?: string): boolean {
    return !!prepared(this.db, `SELECT 1 FROM ${kind} WHERE name = ? AND id != ?`).get(name, exceptId ?? '');
  }

  grants(filter: { user_id?: string; project_id?: string; role_id?: string } = {}): GrantRec[] {
    const where: string[] = [];
    const args: string[] = [];
    for (const [k, v] of Object.entries(filter)) {
      if (v === undefined) continue;
      where.push(`${k} = ?`);
      args.push(v);
    }
    return prepared(this.db, `SELECT user_id, project_id, role_id FROM role_assignments ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY user_id, project_id, role_id`)
      .all(...args) as GrantRec[];
  }

  grant(g: GrantRec): void {
    prepared(this.db, 'INSERT OR IGNORE INTO role_assignments (user_id, project_id, role_id) VALUES (?, ?, ?)').run(g.user_id, g.project_id, g.role_id);
  }

  /** Removes the grant; Keystone then revokes that user's tokens on that project (a revocation event). */
  revokeGrant(g: GrantRec): boolean {
    const n = prepared(this.db, 'DELETE FROM role_assignments WHERE user_id = ? AND project_id = ? AND role_id = ?').run(g.user_id, g.project_id, g.role_id).changes;
    if (n) prepared(this.db, 'UPDATE tokens SET revoked = 1 WHERE user_id = ? AND project_id = ?').run(g.user_id, g.project_id);
    return n > 0;
  }

  /** Deletes a project, user or role with its grants and revokes the tokens that relied on it. */
  delete(kind: Kind, id: string): void {
    const col = kind === 'projects' ? 'project_id' : kind === 'users' ? 'user_id' : kind === 'roles' ? 'role_id' : null;
    if (col) prepared(this.db, `DELETE FROM role_assignments WHERE ${col} = ?`).run(id);
    if (kind === 'projects' || kind === 'users') prepared(this.db, `UPDATE tokens SET revoked = 1 WHERE ${col} = ?`).run(id);
    prepared(this.db, `DELETE FROM ${kind} WHERE id = ?`).run(id);
  }

  /** Tokens of a user (or on a project) stop validating once it is disabled (Keystone's revocation events). */
  revokeTokensOf(kind: 'projects' | 'users', id: string): void {
    prepared(this.db, `UPDATE tokens SET revoked = 1 WHERE ${kind === 'projects' ? 'project_id' : 'user_id'} = ?`).run(id);
  }

  projectsInDomain(domainId: string): number {
    return (prepared(this.db, 'SELECT COUNT(*) AS n FROM projects WHERE domain_id = ?').get(domainId) as { n: number }).n;
  }

  deleteDomainContents(domainId: string): void {
    for (const p of prepared(this.db, 'SELECT id FROM projects WHERE domain_id = ?').all(domainId) as { id: string }[]) this.delete('projects', p.id);
    for (const u of prepared(this.db, 'SELECT id FROM users WHERE domain_id = ?').all(domainId) as { id: string }[]) this.delete('users', u.id);
    prepared(this.db, 'DELETE FROM domains WHERE id = ?').run(domainId);
  }
}

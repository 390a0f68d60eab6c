// Users, projects and role assignments — what Keystone's password and token methods look up.
import type { Db } from './db.js';
import { prepared } from './statement-cache.js';

export interface UserRow { id: string; name: string; password: string; domain_id: string; default_project_id: string | null }
export interface ProjectRow { id: string; name: string; domain_id: string }

export class IdentityStore {
  private userByName;
  private userById;
  private projectByName;
  private projectById;
  private rolesFor;

  constructor(db: Db) {
    this.userByName = prepared(db, 'SELECT * FROM users WHERE name = ?');
    this.userById = prepared(db, 'SELECT * FROM users WHERE id = ?');
    this.projectByName = prepared(db, 'SELECT * FROM projects WHERE name = ?');
    this.projectById = prepared(db, 'SELECT * FROM projects WHERE id = ?');
    this.rolesFor = prepared(db,
      'SELECT r.name FROM role_assignments a JOIN roles r ON r.id = a.role_id WHERE a.user_id = ? AND a.project_id = ? ORDER BY r.name',
    );
  }

  user(ref: { id?: string; name?: string }): UserRow | undefined {
    if (ref.id) return this.userById.get(ref.id) as UserRow | undefined;
    if (ref.name) return this.userByName.get(ref.name) as UserRow | undefined;
    return undefined;
  }

  project(ref: { id?: string; name?: string }): ProjectRow | undefined {
    if (ref.id) return this.projectById.get(ref.id) as ProjectRow | undefined;
    if (ref.name) return this.projectByName.get(ref.name) as ProjectRow | undefined;
    return undefined;
  }

  roles(userId: string, projectId: string): string[] {
    return this.rolesFor.all(userId, projectId).map((r) => (r as { name: string }).name);
  }
}

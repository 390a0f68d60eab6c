// Quota limits set through the API (nova/db/main/api.py quota_* on the API database tables
// quotas, project_user_quotas, quota_classes). Usage is never stored: it is counted (count-based quotas).
import type { Db } from './db.js';
import { prepared } from './statement-cache.js';

export type Limits = Record<string, number>;

export class QuotaStore {
  private projectAll;
  private userAll;
  private classAll;
  private upProject;
  private upUser;
  private upClass;
  private delProject;
  private delProjectUsers;
  private delUser;
  private userLimitsInProject;

  constructor(db: Db) {
    this.projectAll = prepared(db, 'SELECT resource, hard_limit FROM quotas WHERE project_id = ?');
    this.userAll = prepared(db, 'SELECT resource, hard_limit FROM project_user_quotas WHERE project_id = ? AND user_id = ?');
    this.classAll = prepared(db, 'SELECT resource, hard_limit FROM quota_classes WHERE class_name = ?');
    this.upProject = prepared(db, 'INSERT INTO quotas (project_id, resource, hard_limit) VALUES (?, ?, ?) ON CONFLICT (project_id, resource) DO UPDATE SET hard_limit = excluded.hard_limit');
    this.upUser = prepared(db, 'INSERT INTO project_user_quotas (project_id, user_id, resource, hard_limit) VALUES (?, ?, ?, ?) ON CONFLICT (project_id, user_id, resource) DO UPDATE SET hard_limit = excluded.hard_limit');
    this.upClass = prepared(db, 'INSERT INTO quota_classes (class_name, resource, hard_limit) VALUES (?, ?, ?) ON CONFLICT (class_name, resource) DO UPDATE SET hard_limit = excluded.hard_limit');
    this.delProject = prepared(db, 'DELETE FROM quotas WHERE project_id = ?');
    this.delProjectUsers = prepared(db, 'DELETE FROM project_user_quotas WHERE project_id = ?');
    this.delUser = prepared(db, 'DELETE FROM project_user_quotas WHERE project_id = ? AND user_id = ?');
    this.userLimitsInProject = prepared(db, 'SELECT resource, hard_limit FROM project_user_quotas WHERE project_id = ?');
  }

  private static toMap(rows: unknown[]): Limits {
    return Object.fromEntries((rows as { resource: string; hard_limit: number }[]).map((r) => [r.resource, r.hard_limit]));
  }

  /** Quotas.get_all_by_project. */
  project(projectId: string): Limits {
    return QuotaStore.toMap(this.projectAll.all(projectId));
  }

  /** Quotas.get_all_by_project_and_user (the user's own rows only). */
  user(projectId: string, userId: string): Limits {
    return QuotaStore.toMap(this.userAll.all(projectId, userId));
  }

  /** Every per-user limit in a project (Quotas.get_all: what "remains" subtracts). */
  allUserLimits(projectId: string): { resource: string; hard_limit: number }[] {
    return this.userLimitsInProject.all(projectId) as { resource: string; hard_limit: number }[];
  }

  quotaClass(name: string): Limits {
    return QuotaStore.toMap(this.classAll.all(name));
  }

  setProject(projectId: string, resource: string, limit: number): void {
    this.upProject.run(projectId, resource, limit);
  }

  setUser(projectId: string, userId: string, resource: string, limit: number): void {
    this.upUser.run(projectId, userId, resource, limit);
  }

  setClass(name: string, resource: string, limit: number): void {
    this.upClass.run(name, resource, limit);
  }

  /** destroy_all_by_project (with its users) or destroy_all_by_project_and_user. */
  destroy(projectId: string, userId?: string): void {
    if (userId !== undefined) {
      this.delUser.run(projectId, userId);
      return;
    }
    this.delProject.run(projectId);
    this.delProjectUsers.run(projectId);
  }
}

/** Nova's count functions (nova/quota.py _instances_cores_ram_count, _server_group_count_members_by_user). */
export class UsageCounter {
  private icrProject;
  private icrUser;
  private membersByUser;

  constructor(db: Db) {
    // InstanceList._get_counts_in_db: SOFT_DELETED instances do not count (restore checks them back in).
    const sel = "SELECT COUNT(*) AS instances, COALESCE(SUM(json_extract(flavor, '$.vcpus')), 0) AS cores, COALESCE(SUM(json_extract(flavor, '$.memory_mb')), 0) AS ram FROM instances WHERE deleted = 0 AND vm_state != 'soft-delete'";
    this.icrProject = prepared(db, `${sel} AND project_id = ?`);
    this.icrUser = prepared(db, `${sel} AND project_id = ? AND user_id = ?`);
    this.membersByUser = prepared(db,
      'SELECT COUNT(*) AS n FROM instance_group_member m JOIN instances i ON i.uuid = m.instance_uuid AND i.deleted = 0 WHERE m.group_id = ? AND i.user_id = ?',
    );
  }

  instancesCoresRam(projectId: string, userId?: string): { instances: number; cores: number; ram: number } {
    return (userId === undefined ? this.icrProject.get(projectId) : this.icrUser.get(projectId, userId)) as { instances: number; cores: number; ram: number };
  }

  groupMembersOfUser(groupId: number, userId: string): number {
    return (this.membersByUser.get(groupId, userId) as { n: number }).n;
  }
}

// Nova's instance_groups / instance_group_member tables (API database), members kept in insertion order.
import type { Db } from './db.js';
import { prepared } from './statement-cache.js';

export type ServerGroupPolicy = 'affinity' | 'anti-affinity' | 'soft-affinity' | 'soft-anti-affinity';

export interface ServerGroup {
  id: number;
  uuid: string;
  name: string | null;
  project_id: string;
  user_id: string;
  policy: ServerGroupPolicy;
  rules: Record<string, number>;
  /** Member instance uuids (including members whose instance was deleted but not yet removed). */
  members: string[];
  created_at: string;
}

type Row = Omit<ServerGroup, 'rules' | 'members'> & { rules: string };

export class ServerGroupStore {
  private byUuid;
  private byProject;
  private all;
  private membersOf;
  private groupOfInstance;
  private ins;
  private del;
  private delMembers;
  private addMember;
  private removeMember;
  private countProject;
  private countUser;

  constructor(db: Db) {
    this.byUuid = prepared(db, 'SELECT * FROM instance_groups WHERE uuid = ?');
    this.byProject = prepared(db, 'SELECT * FROM instance_groups WHERE project_id = ? ORDER BY id');
    this.all = prepared(db, 'SELECT * FROM instance_groups ORDER BY id');
    this.membersOf = prepared(db, 'SELECT instance_uuid FROM instance_group_member WHERE group_id = ? ORDER BY id');
    this.groupOfInstance = prepared(db, 'SELECT g.* FROM instance_groups g JOIN instance_group_member m ON m.group_id = g.id WHERE m.instance_uuid = ? ORDER BY g.id LIMIT 1');
    this.ins = prepared(db, 'INSERT INTO instance_groups (uuid, name, project_id, user_id, policy, rules, created_at) VALUES (@uuid, @name, @project_id, @user_id, @policy, @rules, @created_at)');
    this.del = prepared(db, 'DELETE FROM instance_groups WHERE id = ?');
    this.delMembers = prepared(db, 'DELETE FROM instance_group_member WHERE group_id = ?');
    this.addMember = prepared(db, 'INSERT OR IGNORE INTO instance_group_member (group_id, instance_uuid) VALUES (?, ?)');
    this.removeMember = prepared(db, 'DELETE FROM instance_group_member WHERE instance_uuid = ?');
    this.countProject = prepared(db, 'SELECT COUNT(*) AS n FROM instance_groups WHERE project_id = ?');
    this.countUser = prepared(db, 'SELECT COUNT(*) AS n FROM instance_groups WHERE project_id = ? AND user_id = ?');
  }

  private hydrate(r: Row | undefined): ServerGroup | null {
    if (!r) return null;
    const members = (this.membersOf.all(r.id) as { instance_uuid: string }[]).map((m) => m.instance_uuid);
    return { ...r, rules: JSON.parse(r.rules), members };
  }

  get(uuid: string): ServerGroup | null {
    return this.hydrate(this.byUuid.get(uuid) as Row | undefined);
  }

  list(projectId: string | null): ServerGroup[] {
    const rows = (projectId === null ? this.all.all() : this.byProject.all(projectId)) as Row[];
    return rows.map((r) => this.hydrate(r)!);
  }

  /** The group an instance belongs to (Nova: InstanceGroup.get_by_instance_uuid). */
  forInstance(instanceUuid: string): ServerGroup | null {
    return this.hydrate(this.groupOfInstance.get(instanceUuid) as Row | undefined);
  }

  insert(g: Omit<ServerGroup, 'id' | 'members'>): ServerGroup {
    const info = this.ins.run({ ...g, rules: JSON.stringify(g.rules) });
    return { ...g, id: Number(info.lastInsertRowid), members: [] };
  }

  destroy(id: number): void {
    this.delMembers.run(id);
    this.del.run(id);
  }

  addMembers(id: number, uuids: string[]): void {
    for (const u of uuids) this.addMember.run(id, u);
  }

  /** Drop an instance from whatever group holds it (instance delete). */
  removeInstance(instanceUuid: string): void {
    this.removeMember.run(instanceUuid);
  }

  count(projectId: string, userId?: string): number {
    return ((userId === undefined ? this.countProject.get(projectId) : this.countUser.get(projectId, userId)) as { n: number }).n;
  }
}

// Glance's image repository (glance/db/sqlalchemy/api.py, trimmed): image rows in the shared `images` table
// (the compute side reads the same rows, as Nova reads Glance), their data, tags and members.
import type { Db } from '../store/db.js';
import type { ImageRow } from '../store/catalog.js';
import { prepared } from '../store/statement-cache.js';

export interface ImageRec extends ImageRow {
  os_hash_algo: string | null; os_hash_value: string | null; protected: number; os_hidden: number; virtual_size: number | null; tags: string;
}
export interface MemberRec { image_id: string; member: string; status: string; created_at: string; updated_at: string }

export class ImageStore {
  constructor(private db: Db) {}

  get(id: string): ImageRec | undefined {
    return prepared(this.db, 'SELECT * FROM images WHERE id = ?').get(id) as ImageRec | undefined;
  }

  all(): ImageRec[] {
    return prepared(this.db, 'SELECT * FROM images ORDER BY created_at DESC, id').all() as ImageRec[];
  }

  insert(row: Record<string, unknown>): void {
    const cols = Object.keys(row);
    prepared(this.db, `INSERT INTO images (${cols.join(', ')}) VALUES (${cols.map((c) => `@${c}`).join(', ')})`).run(row);
  }

  update(id: string, changes: Record<string, unknown>): void {
    const cols = Object.keys(changes);
    if (!cols.length) return;
    prepared(this.db, `UPDATE images SET ${cols.map((c) => `${c} = @${c}`).join(', ')} WHERE id = @__id`).run({ ...changes, __id: id });
  }

  delete(id: string): void {
    prepared(this.db, 'DELETE FROM image_data WHERE image_id = ?').run(id);
    prepared(this.db, 'DELETE FROM image_members WHERE image_id = ?').run(id);
    prepared(this.db, 'DELETE FROM images WHERE id = ?').run(id);
  }

  putData(id: string, data: Buffer): void {
    prepared(this.db, 'INSERT OR REPLACE INTO image_data (image_id, data) VALUES (?, ?)').run(id, data);
  }

  data(id: string): Buffer | undefined {
    return (prepared(this.db, 'SELECT data FROM image_data WHERE image_id = ?').get(id) as { data: Buffer } | undefined)?.data;
  }

  members(imageId: string): MemberRec[] {
    return prepared(this.db, 'SELECT * FROM image_members WHERE image_id = ? ORDER BY created_at, member').all(imageId) as MemberRec[];
  }

  member(imageId: string, member: string): MemberRec | undefined {
    return prepared(this.db, 'SELECT * FROM image_members WHERE image_id = ? AND member = ?').get(imageId, member) as MemberRec | undefined;
  }

  /** image id → member status for one project (which shared images it may see). */
  membershipsOf(project: string): Map<string, string> {
    const rows = prepared(this.db, 'SELECT image_id, status FROM image_members WHERE member = ?').all(project) as { image_id: string; status: string }[];
    return new Map(rows.map((r) => [r.image_id, r.status]));
  }

  addMember(m: MemberRec): void {
    prepared(this.db, 'INSERT INTO image_members (image_id, member, status, created_at, updated_at) VALUES (@image_id, @member, @status, @created_at, @updated_at)').run(m);
  }

  setMemberStatus(imageId: string, member: string, status: string, now: string): void {
    prepared(this.db, 'UPDATE image_members SET status = ?, updated_at = ? WHERE image_id = ? AND member = ?').run(status, now, imageId, member);
  }

  deleteMember(imageId: string, member: string): void {
    prepared(this.db, 'DELETE FROM image_members WHERE image_id = ? AND member = ?').run(imageId, member);
  }
}

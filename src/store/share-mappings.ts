// Nova's share_mapping rows (nova/db/main/api.py share_mapping_* and nova/objects/share_mapping.py).
import type { Db } from './db.js';
import { StatementCache } from './statement-cache.js';

/** fields.ShareMappingStatus. */
export type ShareMappingStatus = 'attaching' | 'inactive' | 'active' | 'detaching' | 'error';

export interface ShareMapping {
  id: number;
  uuid: string;
  instance_uuid: string;
  share_id: string;
  status: ShareMappingStatus;
  tag: string;
  export_location: string;
  share_proto: string;
  created_at: string;
  updated_at: string | null;
}

export class ShareMappingStore {
  private readonly stmts: StatementCache;

  constructor(db: Db) {
    this.stmts = new StatementCache(db);
  }

  /** ShareMappingList.get_by_instance_uuid (id order). */
  listForInstance(instanceUuid: string): ShareMapping[] {
    return this.stmts.get('SELECT * FROM share_mapping WHERE instance_uuid = ? ORDER BY id').all(instanceUuid) as ShareMapping[];
  }

  /** ShareMappingList.get_by_share_id. */
  listForShare(shareId: string): ShareMapping[] {
    return this.stmts.get('SELECT * FROM share_mapping WHERE share_id = ? ORDER BY id').all(shareId) as ShareMapping[];
  }

  /** ShareMapping.get_by_instance_uuid_and_share_id (null: ShareNotFound). */
  get(instanceUuid: string, shareId: string): ShareMapping | null {
    return (this.stmts.get('SELECT * FROM share_mapping WHERE instance_uuid = ? AND share_id = ?').get(instanceUuid, shareId) as ShareMapping | undefined) ?? null;
  }

  /** Whether (instance, share) or (instance, tag) is taken: the unique constraints' DBDuplicateEntry. */
  conflicts(instanceUuid: string, shareId: string, tag: string): boolean {
    return !!this.stmts.get('SELECT 1 FROM share_mapping WHERE instance_uuid = ? AND (share_id = ? OR tag = ?)').get(instanceUuid, shareId, tag);
  }

  create(m: Omit<ShareMapping, 'id' | 'updated_at'>): ShareMapping {
    this.stmts
      .get('INSERT INTO share_mapping (uuid, instance_uuid, share_id, status, tag, export_location, share_proto, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
      .run(m.uuid, m.instance_uuid, m.share_id, m.status, m.tag, m.export_location, m.share_proto, m.created_at);
    return this.get(m.instance_uuid, m.share_id)!;
  }

  /** share_mapping.status = …; save(). */
  setStatus(instanceUuid: string, shareId: string, status: ShareMappingStatus, at: Date): void {
    this.stmts.get('UPDATE share_mapping SET status = ?, updated_at = ? WHERE instance_uuid = ? AND share_id = ?').run(status, at.toISOString(), instanceUuid, shareId);
  }

  /** share_mapping_delete_by_instance_uuid_and_share_id. */
  delete(instanceUuid: string, shareId: string): void {
    this.stmts.get('DELETE FROM share_mapping WHERE instance_uuid = ? AND share_id = ?').run(instanceUuid, shareId);
  }
}

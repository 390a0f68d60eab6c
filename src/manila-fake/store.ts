// The fake Manila's rows (017-shares): shares, export locations, access rules. Knows SQL, nothing of HTTP.
import type { Db } from '../store/db.js';
import { prepared } from '../store/statement-cache.js';

export interface ShareRow {
  id: string;
  seq: number;
  project_id: string;
  user_id: string;
  name: string | null;
  description: string | null;
  size: number;
  share_proto: string;
  status: string;
  share_type: string | null;
  share_type_name: string | null;
  availability_zone: string | null;
  share_network_id: string | null;
  snapshot_id: string | null;
  is_public: number;
  metadata: string;
  host: string;
  created_at: string;
  updated_at: string | null;
}

export interface ExportLocationRow {
  id: string;
  share_id: string;
  seq: number;
  path: string;
  preferred: number;
  is_admin_only: number;
  created_at: string;
  updated_at: string | null;
}

export interface AccessRuleRow {
  id: string;
  share_id: string;
  seq: number;
  access_type: string;
  access_to: string;
  access_level: string;
  access_key: string | null;
  state: string;
  lock_visibility: number;
  lock_deletion: number;
  lock_reason: string | null;
  lock_user_id: string | null;
  lock_project_id: string | null;
  metadata: string;
  created_at: string;
  updated_at: string | null;
}

const nextSeq = (db: Db, table: string) => (prepared(db, `SELECT COALESCE(MAX(seq), 0) + 1 AS n FROM ${table}`).get() as { n: number }).n;

function insert(db: Db, table: string, row: object): void {
  const cols = Object.keys(row);
  prepared(db, `INSERT INTO ${table} (${cols.join(', ')}) VALUES (${cols.map((c) => `@${c}`).join(', ')})`).run(row);
}

function update(db: Db, table: string, id: string, patch: object): void {
  const cols = Object.keys(patch);
  if (!cols.length) return;
  prepared(db, `UPDATE ${table} SET ${cols.map((c) => `${c} = @${c}`).join(', ')} WHERE id = @__id`).run({ ...patch, __id: id });
}

export class ManilaStore {
  constructor(readonly db: Db) {}

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  share(id: string): ShareRow | null {
    return (prepared(this.db, 'SELECT * FROM manila_shares WHERE id = ?').get(id) as ShareRow | undefined) ?? null;
  }

  shares(projectId: string | null): ShareRow[] {
    return (projectId === null
      ? prepared(this.db, 'SELECT * FROM manila_shares ORDER BY seq').all()
      : prepared(this.db, 'SELECT * FROM manila_shares WHERE project_id = ? OR is_public = 1 ORDER BY seq').all(projectId)) as ShareRow[];
  }

  insertShare(row: Omit<ShareRow, 'seq'>): void {
    insert(this.db, 'manila_shares', { ...row, seq: nextSeq(this.db, 'manila_shares') });
  }

  updateShare(id: string, patch: Partial<ShareRow>): void {
    update(this.db, 'manila_shares', id, patch);
  }

  deleteShare(id: string): void {
    prepared(this.db, 'DELETE FROM manila_access_rules WHERE share_id = ?').run(id);
    prepared(this.db, 'DELETE FROM manila_export_locations WHERE share_id = ?').run(id);
    prepared(this.db, 'DELETE FROM manila_shares WHERE id = ?').run(id);
  }

  exportLocations(shareId: string): ExportLocationRow[] {
    return prepared(this.db, 'SELECT * FROM manila_export_locations WHERE share_id = ? ORDER BY seq').all(shareId) as ExportLocationRow[];
  }

  insertExportLocation(row: Omit<ExportLocationRow, 'seq'>): void {
    insert(this.db, 'manila_export_locations', { ...row, seq: nextSeq(this.db, 'manila_export_locations') });
  }

  rules(shareId: string): AccessRuleRow[] {
    return prepared(this.db, 'SELECT * FROM manila_access_rules WHERE share_id = ? ORDER BY seq').all(shareId) as AccessRuleRow[];
  }

  rule(id: string): AccessRuleRow | null {
    return (prepared(this.db, 'SELECT * FROM manila_access_rules WHERE id = ?').get(id) as AccessRuleRow | undefined) ?? null;
  }

  insertRule(row: Omit<AccessRuleRow, 'seq'>): void {
    insert(this.db, 'manila_access_rules', { ...row, seq: nextSeq(this.db, 'manila_access_rules') });
  }

  updateRule(id: string, patch: Partial<AccessRuleRow>): void {
    update(this.db, 'manila_access_rules', id, patch);
  }

  deleteRule(id: string): void {
    prepared(this.db, 'DELETE FROM manila_access_rules WHERE id = ?').run(id);
  }
}

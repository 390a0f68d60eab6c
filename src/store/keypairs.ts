// Nova's key_pairs table (API database): one row per (user, name).
import type { Db } from './db.js';
import { prepared } from './statement-cache.js';

export interface KeypairRow {
  id: number;
  name: string;
  user_id: string;
  fingerprint: string;
  public_key: string;
  type: 'ssh' | 'x509';
  created_at: string;
}

export class KeypairStore {
  private byName;
  private byUser;
  private byUserAfter;
  private countUser;
  private ins;
  private del;

  constructor(db: Db) {
    this.byName = prepared(db, 'SELECT * FROM keypairs WHERE user_id = ? AND name = ?');
    // KeyPairList.get_by_user: ordered by name (the marker is a name).
    this.byUser = prepared(db, 'SELECT * FROM keypairs WHERE user_id = ? ORDER BY name, id LIMIT ?');
    this.byUserAfter = prepared(db, 'SELECT * FROM keypairs WHERE user_id = ? AND name > ? ORDER BY name, id LIMIT ?');
    this.countUser = prepared(db, 'SELECT COUNT(*) AS n FROM keypairs WHERE user_id = ?');
    this.ins = prepared(db, 'INSERT INTO keypairs (name, user_id, fingerprint, public_key, type, created_at) VALUES (@name, @user_id, @fingerprint, @public_key, @type, @created_at)');
    this.del = prepared(db, 'DELETE FROM keypairs WHERE user_id = ? AND name = ?');
  }

  get(userId: string, name: string): KeypairRow | null {
    return (this.byName.get(userId, name) as KeypairRow | undefined) ?? null;
  }

  list(userId: string, limit: number, marker?: string): KeypairRow[] {
    return (marker === undefined ? this.byUser.all(userId, limit) : this.byUserAfter.all(userId, marker, limit)) as KeypairRow[];
  }

  count(userId: string): number {
    return (this.countUser.get(userId) as { n: number }).n;
  }

  insert(k: Omit<KeypairRow, 'id'>): KeypairRow {
    const info = this.ins.run(k);
    return { ...k, id: Number(info.lastInsertRowid) };
  }

  destroy(userId: string, name: string): boolean {
    return this.del.run(userId, name).changes > 0;
  }
}

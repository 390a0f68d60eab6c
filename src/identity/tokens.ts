// Keystone tokens, stored in SQLite with their expiry so a file database keeps sessions across restarts.
import type { Db } from '../store/db.js';
import type { Runtime } from '../runtime.js';
import { prepared } from '../store/statement-cache.js';

export interface TokenInfo {
  id: string;
  userId: string;
  userName: string;
  projectId: string;
  projectName: string;
  roles: { id: string; name: string }[];
  issuedAt: Date;
  expiresAt: Date;
  auditId: string;
  methods: string[];
}

interface TokenRow {
  id: string; user_id: string; project_id: string; roles: string; issued_at: string; expires_at: string;
  audit_id: string; methods: string; revoked: number; user_name: string; project_name: string;
}

/** Keystone's role implications (admin ⇒ member ⇒ reader), expanded into the token as Keystone does. */
const IMPLIES: Record<string, string[]> = { admin: ['member'], member: ['reader'] };

export function expandRoles(names: string[]): string[] {
  const out = new Set<string>();
  const visit = (n: string) => {
    if (out.has(n)) return;
    out.add(n);
    for (const m of IMPLIES[n] ?? []) visit(m);
  };
  names.forEach(visit);
  return [...out];
}

export class TokenStore {
  private insert;
  private byId;
  private revokeStmt;
  private roleIds;
  /** Validated tokens are hot on every request: keep a small cache in front of SQLite. */
  private cache = new Map<string, TokenInfo>();

  constructor(
    private db: Db,
    private runtime: Runtime,
    private ttlSeconds: number,
  ) {
    this.insert = prepared(db,
      'INSERT INTO tokens (id, user_id, project_id, roles, issued_at, expires_at, audit_id, methods) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    );
    this.byId = prepared(db,
      `SELECT t.*, u.name AS user_name, p.name AS project_name FROM tokens t
       JOIN users u ON u.id = t.user_id JOIN projects p ON p.id = t.project_id WHERE t.id = ?`,
    );
    this.revokeStmt = prepared(db, 'UPDATE tokens SET revoked = 1 WHERE id = ?');
    this.roleIds = prepared(db, 'SELECT id, name FROM roles WHERE name = ?');
  }

  issue(user: { id: string; name: string }, project: { id: string; name: string }, roleNames: string[], methods: string[], expiresAt?: Date): TokenInfo {
    const now = this.runtime.now();
    const roles = expandRoles(roleNames).map((name) => {
      const r = this.roleIds.get(name) as { id: string; name: string } | undefined;
      return r ?? { id: name, name };
    });
    const info: TokenInfo = {
      id: `gAAAAA${this.runtime.uuid().replace(/-/g, '')}${this.runtime.uuid().replace(/-/g, '')}`,
      userId: user.id,
      userName: user.name,
      projectId: project.id,
      projectName: project.name,
      roles,
      issuedAt: now,
      expiresAt: expiresAt ?? new Date(now.getTime() + this.ttlSeconds * 1000),
      auditId: Buffer.from(this.runtime.uuid().replace(/-/g, ''), 'hex').toString('base64url').slice(0, 22),
      methods,
    };
    this.insert.run(info.id, info.userId, info.projectId, JSON.stringify(roles), info.issuedAt.toISOString(), info.expiresAt.toISOString(), info.auditId, JSON.stringify(methods));
    return info;
  }

  /** A valid (known, unexpired, unrevoked) token, or null. */
  validate(id: string | undefined): TokenInfo | null {
    if (!id) return null;
    let info = this.cache.get(id);
    if (!info) {
      const row = this.byId.get(id) as TokenRow | undefined;
      if (!row || row.revoked) return null;
      info = {
        id: row.id, userId: row.user_id, userName: row.user_name, projectId: row.project_id, projectName: row.project_name,
        roles: JSON.parse(row.roles), issuedAt: new Date(row.issued_at), expiresAt: new Date(row.expires_at),
        auditId: row.audit_id, methods: JSON.parse(row.methods),
      };
      if (this.cache.size > 10_000) this.cache.clear();
      this.cache.set(id, info);
    }
    if (info.expiresAt.getTime() <= this.runtime.now().getTime()) return null;
    return info;
  }

  revoke(id: string): void {
    this.revokeStmt.run(id);
    this.cache.delete(id);
  }

  clearCache(): void {
    this.cache.clear();
  }
}

// The fake Manila's behaviour, free of HTTP (manila/share/api.py and the v2 controllers, trimmed to what
// Nova's share attach and the CLI use). Share and access-rule transitions are Manila's, applied lazily:
// a share is `creating` in the create answer and `available` from its next read (the driver's
// create_share has run); a rule is `queued_to_apply` in the allow answer and `active` from its next read
// (the share manager's update_access has run). Nothing waits on a timer, so a crash leaves no
// half-finished work.
import { createHash } from 'node:crypto';
import type { Services } from '../services.js';
import { accessExists, accessRuleNotFound, invalidAccess, invalidShare, ManilaError, policyDenied, shareNotFound } from './errors.js';
import { type AccessRuleRow, type ExportLocationRow, ManilaStore, type ShareRow } from './store.js';

export interface ManilaCtx {
  projectId: string;
  userId: string;
  isAdmin: boolean;
  roles: string[];
}

/** manila/common/constants.py SUPPORTED_SHARE_PROTOCOLS. */
export const SHARE_PROTOCOLS = ['NFS', 'CIFS', 'GLUSTERFS', 'HDFS', 'CEPHFS', 'MAPRFS'] as const;
/** constants.ACCESS_LEVELS. */
const ACCESS_LEVELS = ['rw', 'ro'];
/** The share manager's backend host (devstack's generic driver pool). */
const BACKEND_HOST = 'manila@generic1#GENERIC1';

export interface NewShare {
  share_proto: string;
  size: number;
  name?: string | null;
  description?: string | null;
  share_type?: string | null;
  availability_zone?: string | null;
  share_network_id?: string | null;
  snapshot_id?: string | null;
  is_public?: boolean;
  metadata?: Record<string, string>;
}

export interface AllowRequest {
  access_type: string;
  access_to: string;
  access_level?: string;
  metadata?: Record<string, string>;
  lock_visibility?: boolean;
  lock_deletion?: boolean;
  lock_reason?: string | null;
}

/** Seeded shares (known ids, as Nova's ManilaFixture has). */
export interface SeedShare {
  id: string;
  project_id: string;
  user_id: string;
  name: string | null;
  size: number;
  share_proto: string;
  status: string;
  export_locations: string[];
}

/** manila/api/common.py validate_access (2.38+: IPv6 allowed, 2.13+: cephx), webob 400s with these texts. */
function validateAccess(type: string, to: string): void {
  const bad = (m: string) => new ManilaError(400, m);
  switch (type) {
    case 'ip': {
      // ipaddress.ip_network(access_to) (strict): host bits set or garbage → its ValueError text.
      if (!isNetwork(to)) throw bad(`'${to}' does not appear to be an IPv4 or IPv6 network`);
      return;
    }
    case 'user':
      if (/^[\s|.]+$/.test(to)) throw bad('Invalid user or group name,cannot consist solely of periods or spaces.');
      if (!/^.[^"/\\[\]:;|=,+*?<>]{3,254}$/.test(to)) {
        throw bad('Invalid user or group name. Must be 4-255 characters and consist of alphanumeric characters and exclude special characters "/\\[]:;|=,+*?<>');
      }
      return;
    case 'cert':
      if (!to.trim() || to.trim().length > 64) throw bad('Invalid CN (common name). Must be 1-64 chars long.');
      return;
    case 'cephx':
      if (!to) throw bad('Ceph IDs may not be empty.');
      if (!/^[\x20-\x7e\t\n\r\x0b\x0c]*$/.test(to)) throw bad('Ceph IDs must consist of ASCII printable characters.');
      if (to.includes('.')) throw bad('Ceph IDs may not contain periods.');
      return;
    default:
      throw bad("Only 'ip', 'user', 'cert' or 'cephx' access types are supported.");
  }
}

/** An IPv4 dotted quad or IPv6 address with an optional prefix length (ipaddress accepts both forms). */
function isNetwork(s: string): boolean {
  const [addr, len, extra] = s.split('/');
  if (extra !== undefined) return false;
  if (isIPv4(addr)) return len === undefined || (/^\d{1,2}$/.test(len) && Number(len) <= 32);
  if (isIPv6(addr)) return len === undefined || (/^\d{1,3}$/.test(len) && Number(len) <= 128);
  return false;
}

const isIPv4 = (a: string) => /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.test(a) && a.split('.').every((o) => Number(o) <= 255);
const isIPv6 = (a: string) => a.includes(':') && /^[0-9a-fA-F:.]+$/.test(a) && (a.match(/::/g) ?? []).length <= 1 && a.split(':').length <= 8;

export class ManilaBackend {
  readonly store: ManilaStore;

  constructor(private readonly s: Services) {
    this.store = new ManilaStore(s.db);
  }

  private now(): string {
    return this.s.runtime.now().toISOString();
  }

  /** share_api.get: the owner, a public share, or an admin; otherwise ShareNotFound (404). */
  getShare(ctx: ManilaCtx, id: string): ShareRow {
    let row = this.store.share(id);
    if (!row || (!ctx.isAdmin && row.project_id !== ctx.projectId && !row.is_public)) throw shareNotFound(id);
    if (row.status === 'creating') {
      // The share manager's create_share has finished: available, with its export location.
      this.store.transaction(() => {
        this.store.updateShare(id, { status: 'available', updated_at: this.now() });
        this.addExportLocations(row!);
      });
      row = this.store.share(id)!;
    }
    return row;
  }

  private addExportLocations(row: ShareRow): void {
    if (this.store.exportLocations(row.id).length) return;
    const now = this.now();
    // The generic driver's NFS export and the CephFS native path (driver-chosen server addresses).
    const path = row.share_proto === 'CEPHFS' ? `192.168.122.10:6789:/volumes/_nogroup/${row.id}` : `172.24.4.50:/shares/share-${row.id}`;
    this.store.insertExportLocation({ id: this.s.runtime.uuid(), share_id: row.id, path, preferred: 1, is_admin_only: 0, created_at: now, updated_at: now });
  }

  listShares(ctx: ManilaCtx, allTenants: boolean, filters: { name?: string; status?: string; share_proto?: string }): ShareRow[] {
    const rows = this.store.shares(ctx.isAdmin && allTenants ? null : ctx.projectId).map((r) => (r.status === 'creating' ? this.getShare(ctx, r.id) : r));
    return rows.filter((r) => (filters.name === undefined || r.name === filters.name) && (filters.status === undefined || r.status === filters.status)
      && (filters.share_proto === undefined || r.share_proto === filters.share_proto));
  }

  private requireMember(ctx: ManilaCtx, rule: string): void {
    if (!ctx.isAdmin && !ctx.roles.includes('member')) throw policyDenied(rule);
  }

  /** share_api.create: the share starts `creating` on the scheduler's chosen host. */
  createShare(ctx: ManilaCtx, req: NewShare): ShareRow {
    this.requireMember(ctx, 'share:create');
    const now = this.now();
    const row: Omit<ShareRow, 'seq'> = {
      id: this.s.runtime.uuid(), project_id: ctx.projectId, user_id: ctx.userId, name: req.name ?? null, description: req.description ?? null,
      size: req.size, share_proto: req.share_proto.toUpperCase(), status: 'creating', share_type: req.share_type ?? 'default-share-type-id',
      share_type_name: 'default', availability_zone: req.availability_zone ?? 'nova', share_network_id: req.share_network_id ?? null,
      snapshot_id: req.snapshot_id ?? null, is_public: req.is_public ? 1 : 0, metadata: JSON.stringify(req.metadata ?? {}), host: BACKEND_HOST,
      created_at: now, updated_at: null,
    };
    this.store.transaction(() => this.store.insertShare(row));
    return this.store.share(row.id)!;
  }

  /** share_api.delete: only available/error/inactive shares (InvalidShare → 403 in the controller). */
  deleteShare(ctx: ManilaCtx, id: string): void {
    this.requireMember(ctx, 'share:delete');
    const row = this.getShare(ctx, id);
    const statuses = ['available', 'error', 'inactive'];
    if (!statuses.includes(row.status)) throw invalidShare(403, `Share status must be one of ('available', 'error', 'inactive')`);
    const locked = this.store.rules(id).filter((r) => r.lock_deletion);
    if (locked.length) {
      // An access rule's deletion lock also places a deletion lock on its share (_create_access_locks);
      // prevent_locked_action_on_share raises InvalidShare with the lock ids, a 403 in shares.delete.
      throw new ManilaError(403, `Resource lock/s [${locked.map((r) => seededId(`share-lock:${r.id}`, 0)).join(', ')}] prevent delete action.`);
    }
    this.store.transaction(() => this.store.deleteShare(id));
  }

  exportLocations(ctx: ManilaCtx, id: string): ExportLocationRow[] {
    this.getShare(ctx, id);
    return this.store.exportLocations(id).filter((e) => ctx.isAdmin || !e.is_admin_only);
  }

  /** shares._allow_access + share_api.allow_access (+ _create_access_locks from 2.82). */
  allowAccess(ctx: ManilaCtx, id: string, a: AllowRequest): AccessRuleRow {
    this.requireMember(ctx, 'share:allow_access');
    const share = this.getShare(ctx, id);
    if (!(a.lock_visibility || a.lock_deletion) && a.lock_reason) {
      throw new ManilaError(400, 'Lock reason can only be specified when locking the visibility or the deletion of an access rule.');
    }
    validateAccess(a.access_type, a.access_to);
    const level = a.access_level ?? 'rw';
    if (!ACCESS_LEVELS.includes(level)) throw invalidAccess(`Invalid share access level: ${level}.`);
    if (this.store.rules(id).some((r) => r.access_type === a.access_type && r.access_to === a.access_to)) throw accessExists(a.access_type, a.access_to);
    if (share.status !== 'available') {
      throw new ManilaError(400, `Invalid share: Share status must be available, not ${share.status}.`);
    }
    const now = this.now();
    const locked = !!(a.lock_visibility || a.lock_deletion);
    const row: Omit<AccessRuleRow, 'seq'> = {
      id: this.s.runtime.uuid(), share_id: id, access_type: a.access_type, access_to: a.access_to, access_level: level,
      access_key: a.access_type === 'cephx' ? Buffer.from(`AQ${id.replaceAll('-', '')}${a.access_to}`).toString('base64').slice(0, 40) : null,
      state: 'queued_to_apply', lock_visibility: a.lock_visibility ? 1 : 0, lock_deletion: a.lock_deletion ? 1 : 0,
      lock_reason: a.lock_reason ?? null, lock_user_id: locked ? ctx.userId : null, lock_project_id: locked ? ctx.projectId : null,
      metadata: JSON.stringify(a.metadata ?? {}), created_at: now, updated_at: null,
    };
    this.store.transaction(() => this.store.insertRule(row));
    return this.store.rule(row.id)!;
  }

  /** shares._deny_access with _check_for_access_rule_locks: 202, the rule goes (queued_to_deny → gone). */
  denyAccess(ctx: ManilaCtx, id: string, accessId: string, unrestrict: boolean): void {
    this.requireMember(ctx, 'share:deny_access');
    const rule = this.store.rule(accessId);
    if (rule?.lock_deletion) {
      if (!unrestrict) {
        throw new ManilaError(403, `Cannot deny access for share '${id}' since it has been locked. Please remove the locks and retry the operation`);
      }
      if (!ctx.isAdmin && rule.lock_user_id !== ctx.userId) throw new ManilaError(403, 'Unable to drop access rule restrictions that are not placed by you.');
    }
    this.getShare(ctx, id);
    if (!rule || rule.share_id !== id) throw new ManilaError(404, 'Resource could not be found.');
    this.store.transaction(() => this.store.deleteRule(accessId));
  }

  /** share_accesses._index (2.45+): share_id is required; an unknown share is a 400. */
  listRules(ctx: ManilaCtx, shareId: string | undefined, filters: { access_type?: string; access_to?: string; access_level?: string }): AccessRuleRow[] {
    if (!shareId) throw new ManilaError(400, "The field 'share_id' has to be specified.");
    try {
      this.getShare(ctx, shareId);
    } catch (e) {
      if (e instanceof ManilaError && e.status === 404) throw new ManilaError(400, `Share ${shareId} not found.`);
      throw e;
    }
    this.applyRules(shareId);
    return this.store.rules(shareId).filter((r) => (filters.access_type === undefined || r.access_type === filters.access_type)
      && (filters.access_to === undefined || r.access_to === filters.access_to) && (filters.access_level === undefined || r.access_level === filters.access_level));
  }

  showRule(ctx: ManilaCtx, accessId: string): AccessRuleRow {
    const rule = this.store.rule(accessId);
    if (!rule) throw accessRuleNotFound(accessId);
    try {
      this.getShare(ctx, rule.share_id);
    } catch {
      throw accessRuleNotFound(accessId);
    }
    this.applyRules(rule.share_id);
    return this.store.rule(accessId)!;
  }

  /** The share manager's update_access: queued rules become active. */
  private applyRules(shareId: string): void {
    const queued = this.store.rules(shareId).filter((r) => r.state === 'queued_to_apply');
    if (!queued.length) return;
    const now = this.now();
    this.store.transaction(() => queued.forEach((r) => this.store.updateRule(r.id, { state: 'active', updated_at: now })));
  }

  /** Whether access_to/access_key are hidden from this caller (a visibility lock someone else placed). */
  restricted(ctx: ManilaCtx, r: AccessRuleRow): boolean {
    return !!r.lock_visibility && !ctx.isAdmin && r.lock_user_id !== ctx.userId;
  }

  seed(shares: SeedShare[]): void {
    const now = this.now();
    this.store.transaction(() => {
      for (const sh of shares) {
        if (this.store.share(sh.id)) continue;
        this.store.insertShare({
          id: sh.id, project_id: sh.project_id, user_id: sh.user_id, name: sh.name, description: null, size: sh.size, share_proto: sh.share_proto,
          status: sh.status, share_type: 'default-share-type-id', share_type_name: 'default', availability_zone: 'nova', share_network_id: null,
          snapshot_id: null, is_public: 0, metadata: '{}', host: BACKEND_HOST, created_at: now, updated_at: null,
        });
        sh.export_locations.forEach((path, i) => {
          this.store.insertExportLocation({ id: seededId(sh.id, i), share_id: sh.id, path, preferred: i === 0 ? 1 : 0, is_admin_only: 0, created_at: now, updated_at: null });
        });
      }
    });
  }
}

/** Ids derived from a name (export locations of seeded shares, lock ids), so they never move the runtime's id stream. */
function seededId(name: string, i: number): string {
  const h = createHash('sha1').update(`${name}:${i}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h[16], 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

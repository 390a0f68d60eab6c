// Manila's view builders (manila/api/views/shares.py, export_locations.py, share_accesses.py), with the
// microversion modifiers up to the profile's maximum applied as Manila applies them.
import type { ManilaBackend, ManilaCtx } from './backend.js';
import type { ManilaVersion } from './microversion.js';
import type { AccessRuleRow, ExportLocationRow, ShareRow } from './store.js';

const links = (base: string, id: string) => [
  { href: `${base}/shares/${id}`, rel: 'self' },
  { href: `${base.replace(/\/v2$/, '')}/shares/${id}`, rel: 'bookmark' },
];

export function shareSummary(base: string, r: ShareRow) {
  return { id: r.id, name: r.name, links: links(base, r.id) };
}

/** views/shares.py ViewBuilder.detail with its version modifiers (2.2 … 2.99); `exports` are the export paths, preferred first. */
export function shareDetail(base: string, r: ShareRow, ctx: ManilaCtx, v: ManilaVersion, exports: string[]) {
  const out: Record<string, unknown> = {
    id: r.id, size: r.size, availability_zone: r.availability_zone, created_at: r.created_at, status: r.status, name: r.name,
    description: r.description, project_id: r.project_id, snapshot_id: r.snapshot_id, share_network_id: r.share_network_id,
    share_proto: r.share_proto, export_location: exports[0] ?? null, metadata: JSON.parse(r.metadata) as Record<string, string>,
    share_type: r.share_type_name, volume_type: r.share_type_name, links: links(base, r.id), is_public: !!r.is_public, export_locations: exports,
  };
  if (v.matches('2.2')) out.snapshot_support = false;
  if (v.matches('2.5')) out.task_state = null;
  if (v.matches('2.6')) {
    out.share_type_name = r.share_type_name;
    out.share_type = r.share_type;
  }
  if (v.matches('2.9')) {
    delete out.export_location;
    delete out.export_locations;
  }
  if (v.matches('2.10')) out.access_rules_status = 'active';
  if (v.matches('2.11')) {
    out.replication_type = null;
    out.has_replicas = false;
  }
  if (v.matches('2.16')) out.user_id = r.user_id;
  if (v.matches('2.24')) out.create_share_from_snapshot_support = false;
  if (v.matches('2.27')) out.revert_to_snapshot_support = false;
  if (v.matches('2.31')) {
    out.share_group_id = null;
    out.source_share_group_snapshot_member_id = null;
  }
  if (v.matches('2.32')) out.mount_snapshot_support = false;
  if (v.matches('2.54')) out.progress = r.status === 'available' ? '100%' : '0%';
  if (v.matches('2.69')) {
    out.is_soft_deleted = false;
    out.scheduled_to_be_deleted_at = null;
  }
  if (v.matches('2.80')) out.source_backup_id = null;
  if (v.matches('2.90')) out.encryption_key_ref = null;
  if (v.matches('2.99')) out.snapshot_inherit_share_access_support = false;
  if (ctx.isAdmin) {
    out.share_server_id = null;
    out.host = r.host;
  }
  return out;
}

/** views/export_locations.py: the versioned fields, then the admin ones, then (detail) the timestamps. */
export function exportLocationView(e: ExportLocationRow, ctx: ManilaCtx, v: ManilaVersion, detail: boolean) {
  const out: Record<string, unknown> = { id: e.id, path: e.path };
  if (v.matches('2.14')) out.preferred = !!e.preferred;
  if (v.matches('2.87')) out.metadata = {};
  if (ctx.isAdmin) {
    out.share_instance_id = e.share_id;
    out.is_admin_only = !!e.is_admin_only;
  }
  if (detail) {
    out.created_at = e.created_at;
    out.updated_at = e.updated_at;
  }
  return out;
}

export function accessView(rule: AccessRuleRow, ctx: ManilaCtx, v: ManilaVersion, backend: ManilaBackend, withShareId: boolean) {
  const out: Record<string, unknown> = { id: rule.id };
  if (withShareId) out.share_id = rule.share_id;
  Object.assign(out, { access_level: rule.access_level, access_to: rule.access_to, access_type: rule.access_type, state: rule.state });
  if (v.matches('2.21')) out.access_key = rule.access_key;
  if (v.matches('2.33')) {
    out.created_at = rule.created_at;
    out.updated_at = rule.updated_at;
  }
  if (v.matches('2.45')) out.metadata = JSON.parse(rule.metadata) as Record<string, string>;
  if (backend.restricted(ctx, rule)) {
    out.access_to = '******';
    if ('access_key' in out) out.access_key = '******';
  }
  return out;
}

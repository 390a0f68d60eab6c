// The volume representation per microversion and caller (cinder/api/v3/views/volumes.py; zed:
// api/v2/views/volumes.py), plus the show/detail-only extension attributes
// (api/contrib/volume_{tenant,host,mig_status}_attribute.py, volume_image_metadata.py).
import type { CinderCtx, CinderPolicy } from '../context.js';
import { MV, type VolumeVersion } from '../microversion.js';
import type { Attachment, Volume, VolumeType } from '../store.js';

/** Everything a view needs to know about the request. */
export interface ViewRequest {
  ctx: CinderCtx;
  version: VolumeVersion;
  policy: CinderPolicy;
  /** `http://host/volume` — the mount point of the fake. */
  base: string;
  /** The URL contained `/v3/<token project>` (common.ViewBuilder._get_project_id_in_url). */
  projectInUrl: boolean;
  /** attachments[].host_name also for role service (master) or admins only (zed). */
  hostNameForServiceRole: boolean;
  /** Nova's CinderFixture shows migration_status to every caller (config cinderCompat 'nova-fixture'). */
  migrationStatusForAll?: boolean;
}

export interface VolumeBundle {
  volume: Volume;
  type: VolumeType | undefined;
  attachments: Attachment[];
}

const STATUS_MAP: Record<string, string> = { managing: 'creating', error_managing: 'error', error_managing_deleting: 'deleting' };

export function volumeLinks(req: ViewRequest, id: string) {
  const p = req.projectInUrl ? `${req.ctx.projectId}/` : '';
  return [
    { rel: 'self', href: `${req.base}/v3/${p}volumes/${id}` },
    { rel: 'bookmark', href: `${req.base}/${p}volumes/${id}` },
  ];
}

/** api_utils.add_visible_admin_metadata: readonly / attached_mode show up in metadata. */
function visibleMetadata(v: Volume, withAdmin: boolean): Record<string, string> {
  const md = { ...v.metadata };
  if (!withAdmin) return md;
  for (const k of ['readonly', 'attached_mode']) if (v.admin_metadata[k] !== undefined) md[k] = v.admin_metadata[k];
  return md;
}

function attachmentsView(b: VolumeBundle, req: ViewRequest) {
  const showHost = req.ctx.isAdmin || (req.hostNameForServiceRole && req.ctx.roles.includes('service'));
  return b.attachments
    .filter((a) => a.attach_status === 'attached')
    .map((a) => ({
      id: a.volume_id,
      attachment_id: a.id,
      volume_id: a.volume_id,
      server_id: a.instance_uuid,
      host_name: showHost ? a.attached_host : null,
      device: a.mountpoint,
      attached_at: a.attach_time,
    }));
}

function volumeTypeField(b: VolumeBundle, req: ViewRequest): string | null {
  if (req.version.matches(MV.VOLUME_TYPE_ID_IN_VOLUME_DETAIL)) return b.type?.name ?? null;
  return b.volume.volume_type_id && b.type ? b.type.name : b.volume.volume_type_id;
}

export interface DetailOptions {
  /** Show and detail run the attribute extensions; create and update do not. */
  extensions: boolean;
  /** Show, list and update add visible admin metadata; create does not. */
  adminMetadata: boolean;
}

/** ViewBuilder.detail (legacy_detail + microversioned keys) [+ extensions]. */
export function volumeDetail(b: VolumeBundle, req: ViewRequest, o: DetailOptions): Record<string, unknown> {
  const v = b.volume;
  const out: Record<string, unknown> = {
    id: v.id,
    status: STATUS_MAP[v.status] ?? v.status,
    size: v.size,
    availability_zone: v.availability_zone,
    created_at: v.created_at,
    updated_at: v.updated_at,
    name: v.display_name,
    description: v.display_description,
    volume_type: volumeTypeField(b, req),
    snapshot_id: v.snapshot_id,
    source_volid: v.source_volid,
    metadata: visibleMetadata(v, o.adminMetadata),
    links: volumeLinks(req, v.id),
    user_id: v.user_id,
    bootable: String(v.bootable),
    encrypted: v.encryption_key_id !== null,
    replication_status: v.replication_status,
    consistencygroup_id: v.consistencygroup_id,
    multiattach: v.multiattach,
    attachments: attachmentsView(b, req),
  };
  const { ctx, version } = req;
  if (ctx.isAdmin || req.migrationStatusForAll) out.migration_status = v.migration_status;
  if (version.matches(MV.GROUP_VOLUME)) out.group_id = v.group_id;
  if (ctx.isAdmin && version.matches(MV.VOLUME_DETAIL_PROVIDER_ID)) out.provider_id = v.provider_id;
  if (version.matches(MV.VOLUME_SHARED_TARGETS_AND_SERVICE_FIELDS)) {
    // Below 3.69 a null shared_targets is reported as true.
    out.shared_targets = v.shared_targets === null && !version.matches(MV.SHARED_TARGETS_TRISTATE) ? true : v.shared_targets;
    out.service_uuid = v.service_uuid;
  }
  if (ctx.isAdmin && version.matches(MV.VOLUME_CLUSTER_NAME)) out.cluster_name = v.cluster_name;
  if (version.matches(MV.VOLUME_TYPE_ID_IN_VOLUME_DETAIL)) out.volume_type_id = b.type?.id ?? null;
  if (version.matches(MV.ENCRYPTION_KEY_ID_IN_DETAILS) && v.encryption_key_id) out.encryption_key_id = v.encryption_key_id;
  if (version.matches(MV.USE_QUOTA)) out.consumes_quota = v.use_quota;
  if (o.extensions) {
    if (req.policy.check('volume_extension:volume_tenant_attribute', ctx, v.project_id)) out['os-vol-tenant-attr:tenant_id'] = v.project_id;
    if (req.policy.check('volume_extension:volume_host_attribute', ctx, v.project_id)) out['os-vol-host-attr:host'] = v.host;
    if (req.policy.check('volume_extension:volume_mig_status_attribute', ctx, v.project_id)) {
      out['os-vol-mig-status-attr:migstat'] = v.migration_status;
      out['os-vol-mig-status-attr:name_id'] = v.name_id;
    }
    if (v.glance_metadata) out.volume_image_metadata = v.glance_metadata;
  }
  return out;
}

/** ViewBuilder.summary: what GET /volumes lists. */
export function volumeSummary(v: Volume, req: ViewRequest) {
  return { id: v.id, name: v.display_name, links: volumeLinks(req, v.id) };
}

/** _get_collection_links: a `next` link when a full page (limit, or osapi_max_limit) came back. */
export function nextLink(req: ViewRequest, items: { id: string }[], limit: number, count: number, collection: string, query: Record<string, string>) {
  if (items.length === 0 || limit > count) return undefined;
  const params = new URLSearchParams({ ...query, marker: items[items.length - 1].id });
  const p = req.projectInUrl ? `${req.ctx.projectId}/` : '';
  return [{ rel: 'next', href: `${req.base}/v3/${p}${collection}?${params.toString()}` }];
}

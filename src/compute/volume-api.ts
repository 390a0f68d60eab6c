// What the compute side needs from Cinder: Nova's nova/volume/cinder.py API, as a contract.
// The implementation (cinder-client.ts) speaks HTTP to whatever Cinder the catalog points at.
import type { RequestContext } from '../domain.js';

/** nova/volume/cinder.py _untranslate_volume_summary_view. */
export interface NovaVolume {
  id: string;
  status: string;
  size: number;
  availability_zone: string | null;
  created_at: string;
  attach_time: string;
  mountpoint: string;
  multiattach: boolean;
  /** Keyed by server id, present only when Cinder lists attachments (insertion order kept). */
  attachments?: Record<string, { attachment_id: string; mountpoint: string }>;
  attach_status: 'attached' | 'detached';
  display_name: string | null;
  display_description: string | null;
  volume_type_id: string | null;
  snapshot_id: string | null;
  bootable: boolean;
  volume_metadata: Record<string, string>;
  volume_image_metadata?: Record<string, string>;
  shared_targets?: boolean;
  service_uuid?: string | null;
  /** Present only when Cinder returned the attribute (admin callers / any caller at ≥3.x as Cinder shows it). */
  migration_status?: string | null;
}

export interface Connector {
  host: string;
  ip: string;
  initiator?: string;
  multipath: boolean;
  platform?: string;
  os_type?: string;
  mountpoint?: string;
  [k: string]: unknown;
}

export interface ConnectionInfo {
  driver_volume_type: string;
  data: Record<string, unknown>;
  [k: string]: unknown;
}

export interface CinderAttachment {
  id: string;
  volume_id: string;
  instance: string | null;
  status: string;
  attach_mode: string;
  connection_info: ConnectionInfo | null;
  attached_at: string | null;
  detached_at: string | null;
}

/** Why a Cinder call failed, the way nova/volume/cinder.py translates cinderclient exceptions. */
export type CinderFailureKind =
  | 'not_found'      // 404 → VolumeNotFound / VolumeAttachmentNotFound
  | 'bad_request'    // 400 → InvalidInput("Invalid input received: <msg>")
  | 'forbidden'      // 403 → Forbidden
  | 'conflict'       // 409 → translated per call (e.g. InvalidVolume)
  | 'over_limit'     // 413 → OverQuota
  | 'server'         // 5xx → CinderConnectionFailed? no: ClientException (500 in Nova)
  | 'connection'     // refused/reset/DNS → CinderConnectionFailed
  | 'timeout'        // socket timeout → CinderConnectionFailed
  | 'malformed';     // unparsable response

/** `message` is Cinder's own fault message; `str()` renders it as cinderclient's ClientException does. */
export class CinderClientError extends Error {
  constructor(
    readonly kind: CinderFailureKind,
    message: string,
    readonly status: number | null,
    readonly operation: string,
    /** x-openstack-request-id of Cinder's answer, when there was one (cinderclient prints it). */
    readonly requestId: string | null = null,
  ) {
    super(message);
    this.name = 'CinderClientError';
  }

  /** cinderclient ClientException.__str__: "<message> (HTTP <code>) (Request-ID: <id>)". */
  str(): string {
    if (this.status === null) return this.message;
    return `${this.message} (HTTP ${this.status})${this.requestId ? ` (Request-ID: ${this.requestId})` : ''}`;
  }
}

/** nova/volume/cinder.py _untranslate_snapshot_summary_view. */
export interface NovaSnapshot {
  id: string;
  status: string;
  size: number;
  volume_id: string;
  volume_size: number;
  display_name: string | null;
}

/** nova/volume/cinder.py _untranslate_volume_type_view. */
export interface NovaVolumeType {
  id: string;
  name: string;
}

/** nova/volume/cinder.py API.create's keyword arguments. */
export interface VolumeCreateRequest {
  size: number | null;
  name: string;
  description: string;
  snapshotId?: string | null;
  imageId?: string | null;
  volumeType?: string | null;
  availabilityZone?: string | null;
}

export interface VolumeApi {
  get(ctx: RequestContext, volumeId: string): Promise<NovaVolume>;
  /** API.create (translate_create_exception: a 404 is NotFound, a 413 OverQuota). */
  create(ctx: RequestContext, req: VolumeCreateRequest): Promise<NovaVolume>;
  getSnapshot(ctx: RequestContext, snapshotId: string): Promise<NovaSnapshot>;
  getAllVolumeTypes(ctx: RequestContext): Promise<NovaVolumeType[]>;
  reserveVolume(ctx: RequestContext, volumeId: string): Promise<void>;
  unreserveVolume(ctx: RequestContext, volumeId: string): Promise<void>;
  beginDetaching(ctx: RequestContext, volumeId: string): Promise<void>;
  rollDetaching(ctx: RequestContext, volumeId: string): Promise<void>;
  initializeConnection(ctx: RequestContext, volumeId: string, connector: Connector): Promise<ConnectionInfo>;
  terminateConnection(ctx: RequestContext, volumeId: string, connector: Connector): Promise<void>;
  /** Legacy os-attach: marks the volume in-use for the instance. */
  attach(ctx: RequestContext, volumeId: string, instanceUuid: string, mountpoint: string): Promise<void>;
  /** Legacy os-detach. */
  detach(ctx: RequestContext, volumeId: string, instanceUuid: string, attachmentId?: string): Promise<void>;
  attachmentCreate(ctx: RequestContext, volumeId: string, instanceUuid: string, connector?: Connector | null, mountpoint?: string | null): Promise<CinderAttachment>;
  attachmentUpdate(ctx: RequestContext, attachmentId: string, connector: Connector, mountpoint?: string | null): Promise<CinderAttachment>;
  attachmentComplete(ctx: RequestContext, attachmentId: string): Promise<void>;
  attachmentDelete(ctx: RequestContext, attachmentId: string): Promise<void>;
  attachmentGet(ctx: RequestContext, attachmentId: string): Promise<CinderAttachment>;
  /** GET /attachments/detail?volume_id=…&instance_id=… (all projects: recovery runs as Nova's service user). */
  attachmentList(ctx: RequestContext, volumeId: string, instanceUuid: string): Promise<CinderAttachment[]>;
  migrateVolumeCompletion(ctx: RequestContext, oldVolumeId: string, newVolumeId: string, error: boolean): Promise<{ save_volume_id: string }>;
  delete(ctx: RequestContext, volumeId: string): Promise<void>;
  /** os-reimage at Cinder 3.68 (the volume-backed rebuild with a new image, compute 2.93). */
  reimageVolume?(ctx: RequestContext, volumeId: string, imageId: string, reimageReserved: boolean): Promise<void>;
  /** snapshot_volume_backed's Cinder calls (absent in test doubles that never snapshot). */
  createSnapshotForce?(ctx: RequestContext, volumeId: string, name: string, description: string | null): Promise<{ id: string; status: string }>;
  absoluteLimits?(ctx: RequestContext): Promise<Record<string, number>>;
}

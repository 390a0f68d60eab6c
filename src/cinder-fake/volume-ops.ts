// Volume lifecycle: create (creating → available), list/show, update, delete (deleting → gone),
// extend, reset_status, force_delete. cinder/volume/api.py + flows/api/create_volume.py +
// api/v3/volumes.py + api/contrib/admin_actions.py, with the manager steps as timed tasks.
import type { CinderCtx } from './context.js';
import { AVAILABLE_MIGRATION_STATUS, type CinderCore } from './core.js';
import { badRequest, CinderError, invalidInput, invalidVolume, quotaError, volumeNotFound } from './errors.js';
import { volumeDetached } from './attach-ops.js';
import type { Volume } from './store.js';
import { boolFromString } from './schemas.js';
import { quotaLimits, quotaUsage } from './quota-ops.js';
import { getSnapshot, snapshotsBlockDelete } from './snapshot-ops.js';
import { notifyVolumeExtended } from './extend-events.js';
import { setWorker, unsetWorker } from './workers.js';

export interface CreateVolumeRequest {
  size?: unknown;
  name?: string | null;
  description?: string | null;
  display_name?: string | null;
  display_description?: string | null;
  volume_type?: string | null;
  metadata?: Record<string, string> | null;
  availability_zone?: string | null;
  snapshot_id?: string | null;
  source_volid?: string | null;
  consistencygroup_id?: string | null;
  group_id?: string | null;
  backup_id?: string | null;
  imageRef?: string | null;
  image_id?: string | null;
  multiattach?: unknown;
}

/** clean_name_and_description: surrounding whitespace is stripped. */
const clean = (s: string | null | undefined) => (typeof s === 'string' ? s.trim() : s ?? null);

/** utils.as_int: ints and digit strings become numbers, anything else is left as is. */
function asInt(v: unknown): unknown {
  if (typeof v === 'number') return Math.trunc(v);
  if (typeof v === 'string' && /^\s*[-+]?\d+\s*$/.test(v)) return Number(v);
  return v;
}

function checkQuota(core: CinderCore, projectId: string, size: number, volumes = 1): void {
  // Per-project limits (os-quota-sets) over the configured defaults; snapshots consume gigabytes too.
  const usage = quotaUsage(core, projectId);
  const limits = quotaLimits(core, projectId);
  const gbQuota = limits.gigabytes;
  if (gbQuota >= 0 && usage.gigabytes + size > gbQuota) {
    throw quotaError('VolumeSizeExceedsAvailableQuota', `Requested volume or snapshot exceeds allowed gigabytes quota. Requested ${size}G, quota is ${gbQuota}G and ${usage.gigabytes}G has been consumed.`);
  }
  const volQuota = limits.volumes;
  if (volumes > 0 && volQuota >= 0 && usage.volumes + volumes > volQuota) {
    throw quotaError('VolumeLimitExceeded', `Maximum number of volumes allowed (${volQuota}) exceeded for quota 'volumes'.`);
  }
}

export async function createVolume(core: CinderCore, ctx: CinderCtx, req: CreateVolumeRequest): Promise<Volume> {
  await core.faults.check('create_volume');
  // The controller resolves references first (each unknown one is a 404), then the multiattach flag.
  // A snapshot source (snapshot-ops.ts): 404 when unknown; its volume's type unless one is asked for.
  const snapshot = req.snapshot_id ? getSnapshot(core, ctx, req.snapshot_id) : undefined;
  const snapType = snapshot?.volume_type_id ? core.store.typeById(snapshot.volume_type_id) : undefined;
  const type = req.volume_type ? core.typeByNameOrId(req.volume_type) : (snapType ?? (core.ensureTypes(), core.store.defaultType()));
  const source = req.source_volid ? core.getVolume(ctx, req.source_volid) : undefined;
  if (req.consistencygroup_id) throw new CinderError(404, `Group ${req.consistencygroup_id} could not be found.`);
  if (req.group_id) throw new CinderError(404, `Group ${req.group_id} could not be found.`);
  if (req.backup_id) throw new CinderError(404, `Backup ${req.backup_id} could not be found.`);
  if (req.multiattach !== undefined && req.multiattach !== null && boolFromString(req.multiattach)) {
    throw badRequest('multiattach parameter has been removed. The default behavior is to use multiattach enabled volume types. Contact your administrator to create a multiattach enabled volume type and use it to create multiattach volumes.');
  }
  core.policy.authorize('volume:create', ctx);

  const az = req.availability_zone ?? source?.availability_zone ?? core.config.availabilityZone;
  if (az && az !== core.config.availabilityZone) throw new CinderError(400, `Availability zone '${az}' is invalid.`);

  // flows/api/create_volume.py _extract_size.
  // EntryCreateTask._extract_resource: the snapshot must be available.
  if (snapshot && snapshot.status !== 'available') throw new CinderError(400, "Invalid snapshot: Originating snapshot status must be one of 'available' values");
  const size = asInt(!req.size && snapshot ? snapshot.volume_size : !req.size && source ? source.size : (req.size ?? null));
  if (typeof size !== 'number' || size <= 0) throw invalidInput(`Volume size '${size === null ? 'None' : String(size)}' must be an integer and greater than 0`);
  if (snapshot && size < snapshot.volume_size) {
    throw invalidInput(`Volume size '${size}'GB cannot be smaller than the snapshot size ${snapshot.volume_size}GB. They must be >= original snapshot size.`);
  }
  if (source && size < source.size) {
    throw invalidInput(`Volume size '${size}'GB cannot be smaller than original volume size  ${source.size}GB. They must be >= original volume size.`);
  }
  checkQuota(core, ctx.projectId, size);

  const imageRef = req.imageRef ?? req.image_id ?? null;
  const now = core.now();
  const v: Volume = {
    id: core.uuid(),
    name_id: null,
    project_id: ctx.projectId,
    user_id: ctx.userId,
    display_name: clean(req.name !== undefined ? req.name : req.display_name),
    display_description: clean(req.description !== undefined ? req.description : req.display_description),
    size,
    availability_zone: az,
    status: 'creating',
    attach_status: 'detached',
    migration_status: null,
    previous_status: null,
    host: null,
    cluster_name: null,
    volume_type_id: type?.id ?? null,
    multiattach: type?.extra_specs.multiattach === '<is> True',
    bootable: Boolean(imageRef) || (source?.bootable ?? false),
    encryption_key_id: null,
    provider_id: null,
    provider_location: null,
    provider_auth: null,
    replication_status: 'disabled',
    service_uuid: null,
    // The model default; the manager writes the backend's capability once the volume exists.
    shared_targets: true,
    use_quota: true,
    group_id: null,
    consistencygroup_id: null,
    snapshot_id: snapshot?.id ?? null,
    source_volid: source?.id ?? null,
    metadata: req.metadata ?? {},
    admin_metadata: {},
    glance_metadata: imageRef ? { image_id: imageRef } : (source?.glance_metadata ?? null),
    created_at: now,
    updated_at: null,
    launched_at: null,
    terminated_at: null,
  };
  core.store.transaction(() => {
    core.store.insertVolume(v);
    scheduleCreate(core, v.id);
  });
  return v;
}

/** Scheduler + manager create_volume: pick the type's backend and bring the volume to `available`. */
export function scheduleCreate(core: CinderCore, id: string): void {
  // set_workers: the row lives while the volume is `creating` (cleaned up at start-up, workers.ts).
  setWorker(core, id, 'creating');
  core.tasks.schedule(core.config.volumeCreateDelayMs, async () => {
    const v = core.store.getVolume(id);
    if (!v || v.status !== 'creating') return unsetWorker(core, id);
    const failed = await core.faults.take('volume_create_task', { volume_id: id });
    const current = core.store.getVolume(id);
    if (!current || current.status !== 'creating') return unsetWorker(core, id);
    if (failed) {
      core.store.transaction(() => {
        core.saveVolume(id, { status: 'error' });
        unsetWorker(core, id);
      });
      return;
    }
    const backend = current.host ? core.backendOf(current.host) ?? core.backendForType(core.typeOf(current)) : core.backendForType(core.typeOf(current));
    core.saveVolume(id, {
      status: 'available',
      host: core.hostOf(backend),
      service_uuid: backend.serviceUuid,
      shared_targets: false,
      launched_at: core.now(),
      provider_auth: `CHAP user-${id.slice(0, 8)} pass-${id.slice(-8)}`,
    });
    unsetWorker(core, id);
  });
}

/** GET /volumes/{id}. */
export async function showVolume(core: CinderCore, ctx: CinderCtx, id: string): Promise<Volume> {
  await core.faults.check('get_volume', { volume_id: id });
  return core.getVolume(ctx, id);
}

export interface ListQuery {
  allTenants: boolean;
  filters: Record<string, string>;
  limit: number;
  marker: string | null;
  offset: number;
}

/** Filters a non-admin may use (etc/cinder/resource_filters.json "volume"). */
const USER_FILTERS = ['name', 'status', 'metadata', 'bootable', 'migration_status', 'availability_zone', 'group_id', 'size', 'created_at', 'updated_at', 'consumes_quota'];
const COLUMN_OF: Record<string, string> = { name: 'display_name', consumes_quota: 'use_quota', project_id: 'project_id', host: 'host' };

/** ast.literal_eval of a metadata filter such as "{'k': 'v'}". */
function parseMetadataFilter(s: string): Record<string, string> | null {
  try {
    const o = JSON.parse(s.replace(/'/g, '"')) as unknown;
    return o && typeof o === 'object' && !Array.isArray(o) ? (o as Record<string, string>) : null;
  } catch {
    return null;
  }
}

/** API.get_all: project scope (admins: all_tenants), filters, created_at desc/id desc, marker, limit. */
export async function listVolumes(core: CinderCore, ctx: CinderCtx, q: ListQuery): Promise<{ volumes: Volume[]; total: number }> {
  await core.faults.check('list_volumes');
  core.policy.authorize('volume:get_all', ctx);
  const exact: Record<string, string | number | boolean | null> = {};
  let metadata: Record<string, string> | undefined;
  for (const [key, value] of Object.entries(q.filters)) {
    // Non-admins: options outside resource_filters.json are dropped silently.
    if (!ctx.isAdmin && !USER_FILTERS.includes(key)) continue;
    if (key === 'metadata') metadata = parseMetadataFilter(value) ?? undefined;
    else if (key === 'bootable' || key === 'consumes_quota') exact[COLUMN_OF[key] ?? key] = boolFromString(value);
    else if (key === 'size') exact.size = Number(value);
    else if (['status', 'migration_status', 'availability_zone', 'group_id', 'name', 'project_id', 'host'].includes(key)) exact[COLUMN_OF[key] ?? key] = value;
  }
  let volumes = core.store.listVolumes({
    projectId: ctx.isAdmin && q.allTenants ? undefined : ctx.projectId,
    noMigrationTargets: !ctx.isAdmin,
    exact,
    metadata,
  });
  if (q.marker !== null) {
    const i = volumes.findIndex((v) => v.id === q.marker);
    if (i < 0) throw volumeNotFound(q.marker);
    volumes = volumes.slice(i + 1);
  }
  const total = volumes.length;
  return { volumes: volumes.slice(q.offset, q.offset + q.limit), total };
}

/** PUT /volumes/{id}. */
export async function updateVolume(core: CinderCore, ctx: CinderCtx, id: string, fields: Record<string, unknown>): Promise<Volume> {
  await core.faults.check('update_volume', { volume_id: id });
  const v = core.getVolume(ctx, id);
  core.policy.authorize('volume:update', ctx, v.project_id);
  if (v.status === 'maintenance') throw invalidVolume('The volume cannot be updated during maintenance.');
  const patch: Partial<Volume> = {};
  const name = 'name' in fields ? fields.name : fields.display_name;
  const description = 'description' in fields ? fields.description : fields.display_description;
  if ('name' in fields || 'display_name' in fields) patch.display_name = clean(name as string | null);
  if ('description' in fields || 'display_description' in fields) patch.display_description = clean(description as string | null);
  if ('metadata' in fields) patch.metadata = fields.metadata as Record<string, string>;
  core.saveVolume(id, patch);
  return core.reload(id);
}

export interface DeleteOptions {
  cascade: boolean;
  force: boolean;
}

/** API.delete: unscheduled volumes go at once; otherwise the conditional update, then `deleting` → gone. */
export async function deleteVolume(core: CinderCore, ctx: CinderCtx, id: string, o: DeleteOptions): Promise<void> {
  await core.faults.check('delete_volume', { volume_id: id });
  const v = core.getVolume(ctx, id);
  if (o.force) core.policy.authorize('volume:force_delete', ctx, v.project_id);
  // API.delete: volume_has_snapshots_filter (or, with cascade, the snapshots go first).
  snapshotsBlockDelete(core, v, o);
  destroyOrSchedule(core, ctx, v, o.force);
}

function destroyOrSchedule(core: CinderCore, ctx: CinderCtx, v: Volume, force: boolean): void {
  core.policy.authorize('volume:delete', ctx, v.project_id);
  if (!v.host) {
    core.store.transaction(() => {
      for (const a of core.store.attachmentsOf(v.id)) core.store.deleteAttachment(a.id);
      core.store.deleteVolume(v.id);
    });
    return;
  }
  const statusOk = force || ['available', 'error', 'error_restoring', 'error_extending', 'error_managing'].includes(v.status);
  const ok = v.attach_status !== 'attached' && AVAILABLE_MIGRATION_STATUS.includes(v.migration_status) && !v.group_id && !v.consistencygroup_id && statusOk;
  if (!ok) {
    const status = force ? '' : 'status must be available or error or error_restoring or error_extending or error_managing and';
    throw invalidVolume(`Volume ${status} must not be migrating, attached, belong to a group, have snapshots, awaiting a transfer, or be disassociated from snapshots after volume transfer.`);
  }
  core.store.transaction(() => {
    core.saveVolume(v.id, { status: v.status === 'error_managing' ? 'error_managing_deleting' : 'deleting', terminated_at: core.now() });
    scheduleDelete(core, v.id);
  });
}

/** Manager delete_volume (also used for migration leftovers). */
export function scheduleDelete(core: CinderCore, id: string): void {
  // set_workers on delete_volume (rpcapi.delete_volume → volume.create_worker()).
  const v = core.store.getVolume(id);
  if (v) setWorker(core, id, v.status);
  core.tasks.schedule(core.config.volumeDeleteDelayMs, async () => {
    if (!core.store.getVolume(id)) return unsetWorker(core, id);
    const failed = await core.faults.take('volume_delete_task', { volume_id: id });
    if (!core.store.getVolume(id)) return unsetWorker(core, id);
    if (failed) {
      core.store.transaction(() => {
        core.saveVolume(id, { status: 'error_deleting' });
        unsetWorker(core, id);
      });
      return;
    }
    core.store.transaction(() => {
      for (const a of core.store.attachmentsOf(id)) core.store.deleteAttachment(a.id);
      core.store.deleteVolume(id);
      unsetWorker(core, id);
    });
  });
}

/** os-force_delete (admin): delete regardless of status. */
export async function forceDelete(core: CinderCore, ctx: CinderCtx, id: string): Promise<void> {
  await core.faults.check('force_delete', { volume_id: id });
  const v = core.getVolume(ctx, id);
  core.policy.authorize('volume_extension:volume_admin_actions:force_delete', ctx, v.project_id);
  destroyOrSchedule(core, ctx, v, true);
}

/** os-extend (API._extend); in-use volumes from 3.42 (extend_attached_volume). */
export async function extendVolume(core: CinderCore, ctx: CinderCtx, id: string, newSize: number, inUseAllowed: boolean): Promise<void> {
  await core.faults.check('extend', { volume_id: id });
  const v = core.getVolume(ctx, id);
  const attached = inUseAllowed && v.status === 'in-use';
  core.policy.authorize(attached ? 'volume:extend_attached_volume' : 'volume:extend', ctx, v.project_id);
  if (newSize - v.size <= 0) {
    throw invalidInput(`New size for extend must be greater than current size. (current: ${v.size}, extended: ${newSize}).`);
  }
  const expected = attached ? 'in-use' : 'available';
  if (v.status !== expected) {
    throw invalidVolume(`Volume ${v.id} status must be '{'status': '${expected}'}' to extend, currently ${v.status}.`);
  }
  checkQuota(core, v.project_id, newSize - v.size, 0);
  core.saveVolume(id, { status: 'extending', previous_status: v.status });
  core.tasks.schedule(core.config.volumeCreateDelayMs, () => {
    const cur = core.store.getVolume(id);
    if (!cur || cur.status !== 'extending') return;
    core.saveVolume(id, { size: newSize, status: cur.previous_status ?? 'available' });
    notifyVolumeExtended(core, id);
  });
}

const VOLUME_STATUSES = ['creating', 'available', 'deleting', 'error', 'error_deleting', 'error_managing', 'managing', 'attaching', 'in-use', 'detaching', 'maintenance', 'restoring-backup', 'error_restoring', 'reserved', 'awaiting-transfer', 'backing-up', 'error_backing-up', 'error_extending', 'downloading', 'uploading', 'retyping', 'extending'];
const MIGRATION_STATUSES = ['migrating', 'error', 'success', 'completing', 'none', 'starting'];
const pyTuple = (xs: string[]) => `(${xs.map((x) => `'${x}'`).join(', ')})`;

/** The reset-status body's format checkers (api/validation/validators.py) raise InvalidParameterValue. */
export function checkResetBody(body: Record<string, unknown>): void {
  const { status, attach_status: attach, migration_status: mig } = body as Record<string, string | null | undefined>;
  if (!status && !attach && !mig) throw badRequest("Must specify 'status', 'attach_status' or 'migration_status' for update.");
  if (typeof status === 'string' && status && !VOLUME_STATUSES.includes(status.toLowerCase())) {
    throw badRequest(`Volume status: ${status} is invalid, valid statuses are: ${pyTuple(VOLUME_STATUSES)}.`);
  }
  if (typeof attach === 'string' && attach && !['attached', 'detached'].includes(attach.toLowerCase())) {
    throw badRequest(`Volume attach status: ${attach} is invalid, valid statuses are: ['attached', 'detached'].`);
  }
  if (typeof mig === 'string' && mig && !MIGRATION_STATUSES.includes(mig.toLowerCase())) {
    throw badRequest(`Volume migration status: ${mig} is invalid, valid statuses are: ${pyTuple(MIGRATION_STATUSES)}.`);
  }
}

/** os-reset_status (admin_actions._reset_status). */
export async function resetStatus(core: CinderCore, ctx: CinderCtx, id: string, body: Record<string, string | null | undefined>): Promise<void> {
  await core.faults.check('reset_status', { volume_id: id });
  const v = core.loadVolume(ctx, id);
  core.policy.authorize('volume_extension:volume_admin_actions:reset_status', ctx, v.project_id);
  const update: Partial<Volume> = {};
  if (body.status) update.status = body.status.toLowerCase();
  if (body.attach_status) update.attach_status = body.attach_status.toLowerCase();
  if (body.migration_status) {
    const m = body.migration_status.toLowerCase();
    update.migration_status = m === 'none' ? null : m;
  }
  // ('deleting', 'error_deleting' 'detaching') lacks a comma upstream: only "deleting" is refused.
  if (update.status === 'deleting') throw badRequest('Cannot reset-state to deleting');
  if (update.status === 'in-use' && core.store.attachmentsOf(id).length === 0) {
    throw badRequest('Cannot reset-state to in-use because volume does not have any attachments.');
  }
  core.saveVolume(id, update);
  if (update.attach_status === 'detached') {
    // _clean_volume_attachment: every attachment goes through db.volume_detached; attached_mode is dropped.
    for (const a of core.store.attachmentsOf(id)) volumeDetached(core, id, a.id);
    const md = { ...core.reload(id).admin_metadata };
    delete md.attached_mode;
    core.saveVolume(id, { admin_metadata: md });
  }
}

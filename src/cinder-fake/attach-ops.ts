// The attach/detach state machine: the attachments API (3.27+) and the legacy volume actions
// (os-reserve … os-terminate_connection). cinder/volume/api.py, volume/manager.py
// (attach_volume, detach_volume, attachment_update, _connection_create), db/api.py
// (volume_attached, volume_detached, _get_statuses_from_attachments), objects/volume.py.
import { pyStr } from '../validation.js';
import { isServiceRequest, type CinderCtx } from './context.js';
import { flatConnectionInfo, legacyConnectionInfo, missingConnectorField, type ConnectorInfo } from './connection.js';
import { isMigrating, type CinderCore } from './core.js';
import {
  attachmentNotFound,
  CinderError,
  conflictNovaUsingAttachment,
  invalidInput,
  invalidVolume,
  webobError,
} from './errors.js';
import { NovaCallError } from './nova-client.js';
import type { Attachment, Volume } from './store.js';

/** An exception raised inside the manager, before the API decides how to report it. */
class ManagerError extends Error {
  constructor(
    readonly kind: 'InvalidInput' | 'InvalidVolume' | 'ResourceConflict',
    readonly reason: string,
  ) {
    super(reason);
  }

  /** str(exc): the formatted CinderException message. */
  get text(): string {
    return { InvalidInput: 'Invalid input received: ', InvalidVolume: 'Invalid volume: ', ResourceConflict: 'Resource conflict: ' }[this.kind] + this.reason;
  }

  asCinderError(): CinderError {
    return new CinderError(this.kind === 'ResourceConflict' ? 409 : 400, this.text);
  }
}

// ---- db helpers ----

/** VolumeAttachment.get_by_id: non-admins only see attachments of their project's volumes. */
export function loadAttachment(core: CinderCore, ctx: CinderCtx, id: string): Attachment {
  const a = core.store.getAttachment(id);
  if (!a) throw attachmentNotFound(id);
  if (!ctx.isAdmin) {
    const v = core.store.getVolume(a.volume_id);
    if (!v || v.project_id !== ctx.projectId) throw attachmentNotFound(id);
  }
  return a;
}

/** db.volume_attached: the attachment and the volume become attached (or attaching). */
function volumeAttached(core: CinderCore, a: Attachment, o: { instanceUuid: string | null; host: string | null; mountpoint: string | null; mode: string; markAttached: boolean }): void {
  const status = o.markAttached ? 'attached' : 'attaching';
  const now = core.now();
  core.store.updateAttachment(a.id, {
    mountpoint: o.mountpoint,
    attach_status: status,
    instance_uuid: o.instanceUuid,
    attached_host: o.host,
    attach_time: now,
    attach_mode: o.mode,
    updated_at: now,
  });
  core.saveVolume(a.volume_id, { status: o.markAttached ? 'in-use' : 'attaching', attach_status: status });
}

/**
 * db.volume_detached: drop the attachment, then derive the volume's statuses from what is left
 * (alphabetically first non-error attach_status). A migrating volume that loses its last
 * attachment keeps its status (the migration sets it later).
 */
export function volumeDetached(core: CinderCore, volumeId: string, attachmentId: string): void {
  const v = core.store.getVolume(volumeId);
  if (!v) return;
  core.store.deleteAttachment(attachmentId);
  const remaining = core.store
    .attachmentsOf(volumeId)
    .map((a) => a.attach_status)
    .filter((s) => !s.startsWith('error_'))
    .sort();
  const attach = remaining[0] ?? 'detached';
  const status = attach === 'attached' ? 'in-use' : attach === 'detached' ? 'available' : attach;
  const patch: Partial<Volume> = { attach_status: attach };
  if (attach !== 'detached' || (!v.migration_status && v.status !== 'uploading') || ['success', 'error'].includes(v.migration_status ?? '')) {
    patch.status = status;
  }
  core.saveVolume(volumeId, patch);
}

/** Volume.finish_detach: volume_detached + drop admin metadata attached_mode. */
function finishDetach(core: CinderCore, volumeId: string, attachmentId: string): void {
  volumeDetached(core, volumeId, attachmentId);
  const v = core.store.getVolume(volumeId);
  if (v && v.admin_metadata.attached_mode !== undefined) {
    const md = { ...v.admin_metadata };
    delete md.attached_mode;
    core.store.updateVolume(volumeId, { admin_metadata: md });
  }
}

const typeIsMultiattach = (core: CinderCore, v: Volume) => core.typeOf(v)?.extra_specs.multiattach === '<is> True';

// ---- bug 2004555 ----

/** API.attachment_deletion_allowed: service callers pass; else Nova must not be using the attachment. */
export async function attachmentDeletionAllowed(core: CinderCore, ctx: CinderCtx, attachmentOrId: Attachment | string | null, volume?: Volume): Promise<void> {
  if (!core.switches.attachmentDeletionCheck || isServiceRequest(ctx)) return;
  let ref = attachmentOrId;
  if (!ref && volume) {
    const atts = core.store.attachmentsOf(volume.id);
    if (atts.length === 0) return;
    if (atts.length === 1) ref = atts[0];
  }
  const attachment = typeof ref === 'string' ? core.store.getAttachment(ref) ?? null : ref;
  let serverId = '';
  if (attachment) {
    if (volume && volume.id !== attachment.volume_id) throw invalidInput('Mismatched volume and attachment');
    serverId = attachment.instance_uuid ?? '';
    // Not connected to a VM: nothing to protect.
    if (!attachment.instance_uuid || !attachment.connection_info || Object.keys(attachment.connection_info).length === 0) return;
    let nova;
    try {
      nova = await core.nova.getServerVolume(ctx, attachment.instance_uuid, attachment.volume_id);
    } catch (err) {
      // novaclient errors keep their HTTP code through FaultWrapper; unreachable Nova is a 500.
      throw webobError(err instanceof NovaCallError && err.status ? err.status : 500);
    }
    if (nova.notFound || nova.attachmentId !== attachment.id) return;
  }
  throw conflictNovaUsingAttachment(serverId);
}

// ---- the attachments API ----

/** API._attachment_reserve: the volume becomes `reserved`, a `reserved` attachment row is added. */
function attachmentReserve(core: CinderCore, v: Volume, instanceUuid: string | null): Attachment {
  const allowed = v.multiattach ? ['available', 'in-use', 'downloading'] : ['available', 'downloading'];
  if (allowed.includes(v.status)) {
    core.saveVolume(v.id, { status: 'reserved' });
  } else {
    // LP 1694530: the same instance may re-reserve (e.g. while moving between hosts).
    const override = instanceUuid !== null && ['in-use', 'reserved'].includes(v.status) && core.store.attachmentsOf(v.id).some((a) => a.instance_uuid === instanceUuid);
    if (!override) {
      throw invalidVolume(`Volume ${v.id} status must be ${allowed.join(' or ')} to reserve, but the current status is ${v.status}.`);
    }
  }
  const now = core.now();
  const a: Attachment = {
    id: core.uuid(),
    volume_id: v.id,
    instance_uuid: instanceUuid,
    attached_host: null,
    mountpoint: null,
    attach_time: null,
    detach_time: null,
    attach_status: 'reserved',
    attach_mode: null,
    connection_info: null,
    connector: null,
    volume_host: v.host,
    created_at: now,
    updated_at: null,
  };
  core.store.insertAttachment(a);
  return a;
}

/** Manager attachment_update: connect, mark attachment and volume `attaching`, return flat connection_info. */
function managerAttachmentUpdate(core: CinderCore, v: Volume, connector: ConnectorInfo, attachmentId: string): Record<string, unknown> {
  const a = core.store.getAttachment(attachmentId)!;
  let mode = (connector.mode as string | undefined) ?? 'rw';
  if (a.attach_mode !== null && a.attach_mode !== 'null') {
    mode = a.attach_mode;
    connector.mode = mode;
  }
  const missing = missingConnectorField(connector);
  if (missing) throw new ManagerError('InvalidInput', `Connector doesn't have required information: ${missing}`);
  const info = flatConnectionInfo(v, core.typeOf(v), connector, a.id, { portalIp: '127.0.0.1', enforceMultipath: core.switches.enforceMultipath });
  core.store.updateAttachment(a.id, { attach_status: 'attaching', connector });
  volumeAttached(core, a, {
    instanceUuid: a.instance_uuid,
    // String columns: Cinder's DB layer stores str() of whatever the connector carried.
    host: connector.host === undefined || connector.host === null ? '' : pyStr(connector.host),
    mountpoint: connector.mountpoint === undefined || connector.mountpoint === null ? 'na' : pyStr(connector.mountpoint),
    mode: typeof mode === 'string' ? mode : pyStr(mode),
    markAttached: false,
  });
  return info;
}

export interface AttachmentCreateRequest {
  volumeId: string;
  instanceUuid: string | null;
  connector: ConnectorInfo | null;
  /** ≥3.54 `mode`; otherwise the string "null". */
  mode: string;
}

/** POST /attachments. The answer is built from the row as reserved (the manager's writes are not re-read). */
export async function attachmentCreate(core: CinderCore, ctx: CinderCtx, r: AttachmentCreateRequest): Promise<Attachment> {
  const v = core.loadVolume(ctx, r.volumeId);
  await core.faults.check('attachment_create', { volume_id: v.id, instance_uuid: r.instanceUuid });
  core.policy.authorize('volume:attachment_create', ctx, v.project_id);
  if (v.status.includes('error')) {
    throw invalidVolume(`Volume attachments can not be created if the volume is in an error state. The Volume ${v.id} currently has a status of: ${v.status} `);
  }
  // One transaction: a SIGKILL between the volume's `reserved` and the attachment row would leave a
  // `reserved` volume without attachments (storm finding, issue 15).
  const a = core.store.transaction(() => attachmentReserve(core, v, r.instanceUuid));
  let connectionInfo: Record<string, unknown> = {};
  if (r.connector) {
    try {
      connectionInfo = managerAttachmentUpdate(core, core.reload(v.id), { ...r.connector }, a.id);
    } catch (err) {
      // api/v3/attachments.py create: CinderException → 500 "Unable to create attachment for volume (<msg>)."
      if (err instanceof ManagerError) throw new CinderError(500, `Unable to create attachment for volume (${err.text}).`);
      throw err;
    }
  }
  const attachMode = core.reload(v.id).admin_metadata.readonly === 'True' ? 'ro' : r.mode;
  core.store.updateAttachment(a.id, { connection_info: connectionInfo, attach_mode: attachMode });
  return { ...a, connection_info: connectionInfo, attach_mode: attachMode };
}

/** PUT /attachments/{id}: returns the attachment as loaded before the update, with the new connection_info. */
export async function attachmentUpdate(core: CinderCore, ctx: CinderCtx, id: string, connector: ConnectorInfo): Promise<Attachment> {
  const a = loadAttachment(core, ctx, id);
  await core.faults.check('attachment_update', { attachment_id: id, volume_id: a.volume_id, instance_uuid: a.instance_uuid });
  // The coordination lock name formats connector[host]: a KeyError there is "Unable to update the attachment."
  if (!('host' in connector)) throw new CinderError(500, 'Unable to update the attachment.');
  const v = core.loadVolume(ctx, a.volume_id);
  core.policy.authorize('volume:attachment_update', ctx, v.project_id);
  try {
    if (v.status.includes('error')) {
      const reason = `Volume attachments can not be updated if the volume is in an error state. The Volume ${v.id} currently has a status of: ${v.status} `;
      throw new ManagerError(core.switches.attachmentUpdateConflict ? 'ResourceConflict' : 'InvalidVolume', reason);
    }
    const atts = core.store.attachmentsOf(v.id);
    if (atts.length > 1 && !(v.multiattach || typeIsMultiattach(core, v))) {
      const connected = atts.filter((x) => x.connection_info && Object.keys(x.connection_info).length > 0);
      if (connected.length > 0) {
        throw new ManagerError(core.switches.attachmentUpdateConflict ? 'ResourceConflict' : 'InvalidVolume', `duplicate connectors detected on volume ${v.id}`);
      }
    }
    const info = core.store.transaction(() => {
      const out = managerAttachmentUpdate(core, v, { ...connector }, a.id);
      core.store.updateAttachment(a.id, { connection_info: out });
      return out;
    });
    return { ...a, connection_info: info };
  } catch (err) {
    if (!(err instanceof ManagerError)) throw err;
    // master re-raises Invalid (ResourceConflict 409, InvalidInput 400); zed wraps every CinderException.
    if (core.switches.attachmentUpdateConflict) throw err.asCinderError();
    throw new CinderError(500, `Unable to update attachment.(${err.text}).`);
  }
}

/** POST /attachments/{id}/action {"os-complete"} (≥3.44): attachment attached; volume in-use/attached. */
export async function attachmentComplete(core: CinderCore, ctx: CinderCtx, id: string): Promise<void> {
  const a = loadAttachment(core, ctx, id);
  await core.faults.check('attachment_complete', { attachment_id: id, volume_id: a.volume_id, instance_uuid: a.instance_uuid });
  const v = core.loadVolume(ctx, a.volume_id);
  core.policy.authorize('volume:attachment_complete', ctx, v.project_id);
  // One transaction: a kill between the two writes left an `attached` attachment on an `attaching` volume.
  core.store.transaction(() => {
    core.store.updateAttachment(id, { attach_status: 'attached', updated_at: core.now() });
    core.saveVolume(v.id, { status: 'in-use', attach_status: 'attached' });
  });
}

/** DELETE /attachments/{id}: returns the volume's remaining attachments. */
export async function attachmentDelete(core: CinderCore, ctx: CinderCtx, id: string): Promise<Attachment[]> {
  const a = loadAttachment(core, ctx, id);
  await core.faults.check('attachment_delete', { attachment_id: id, volume_id: a.volume_id, instance_uuid: a.instance_uuid });
  const v = core.store.getVolume(a.volume_id);
  core.policy.authorize('volume:attachment_delete', ctx, v?.project_id);
  await attachmentDeletionAllowed(core, ctx, a);
  // One transaction: the row's deletion and the volume's new status land together (see attachmentCreate).
  core.store.transaction(() => finishDetach(core, a.volume_id, a.id));
  return core.store.attachmentsOf(a.volume_id);
}

export async function attachmentGet(core: CinderCore, ctx: CinderCtx, id: string): Promise<Attachment> {
  const a = loadAttachment(core, ctx, id);
  await core.faults.check('attachment_get', { attachment_id: id, volume_id: a.volume_id, instance_uuid: a.instance_uuid });
  return a;
}

/** GET /attachments[/detail]: filters volume_id, status/attach_status, instance_id; admins all_tenants. */
export function attachmentList(core: CinderCore, ctx: CinderCtx, query: Record<string, string>): Attachment[] {
  const exact: Record<string, string> = {};
  if (query.volume_id) exact.volume_id = query.volume_id;
  if (query.instance_id) exact.instance_uuid = query.instance_id;
  if (query.attach_status) exact.attach_status = query.attach_status;
  if (query.status) exact.attach_status = query.status;
  const all = ctx.isAdmin && 'all_tenants' in query;
  return core.store.listAttachments(all ? null : ctx.projectId, exact);
}

// ---- legacy volume actions ----

async function actionVolume(core: CinderCore, ctx: CinderCtx, action: string, id: string, rule: string): Promise<Volume> {
  await core.faults.check(action, { volume_id: id });
  const v = core.getVolume(ctx, id);
  core.policy.authorize(`volume_extension:volume_actions:${rule}`, ctx, v.project_id);
  return v;
}

/** os-reserve: available (multiattach: or in-use) → attaching. */
export async function reserve(core: CinderCore, ctx: CinderCtx, id: string): Promise<void> {
  const v = await actionVolume(core, ctx, 'reserve', id, 'reserve');
  const allowed = v.multiattach ? ['available', 'in-use'] : ['available'];
  if (!allowed.includes(v.status)) {
    throw invalidVolume(`Volume status must be ${allowed.join(' or ')} to reserve, but the status is ${v.status}.`);
  }
  core.saveVolume(id, { status: 'attaching' });
}

/** API.unreserve_volume: only from attaching; in-use if any non-detached attachment remains. */
function unreserveVolume(core: CinderCore, id: string): void {
  const v = core.reload(id);
  if (v.status !== 'attaching') return;
  const busy = core.store.attachmentsOf(id).some((a) => a.attach_status !== 'detached');
  core.saveVolume(id, { status: busy ? 'in-use' : 'available' });
}

export async function unreserve(core: CinderCore, ctx: CinderCtx, id: string): Promise<void> {
  await actionVolume(core, ctx, 'unreserve', id, 'unreserve');
  unreserveVolume(core, id);
}

/** os-begin_detaching: in-use/attached → detaching; a migrating volume is left alone without error. */
export async function beginDetaching(core: CinderCore, ctx: CinderCtx, id: string): Promise<void> {
  const v = await actionVolume(core, ctx, 'begin_detaching', id, 'begin_detaching');
  if (v.status === 'in-use' && v.attach_status === 'attached' && !isMigrating(v)) {
    core.saveVolume(id, { status: 'detaching' });
    return;
  }
  if (!isMigrating(v)) {
    throw invalidVolume("Unable to detach volume. Volume status must be 'in-use' and attach_status must be 'attached' to detach.");
  }
}

/** os-roll_detaching: detaching → in-use, anything else unchanged. */
export async function rollDetaching(core: CinderCore, ctx: CinderCtx, id: string): Promise<void> {
  const v = await actionVolume(core, ctx, 'roll_detaching', id, 'roll_detaching');
  if (v.status === 'detaching') core.saveVolume(id, { status: 'in-use' });
}

/** Manager attach_volume (the os-attach RPC call). */
export function managerAttach(core: CinderCore, id: string, instanceUuid: string | null, hostName: string | null, mountpoint: string | null, mode: string): void {
  const v = core.reload(id);
  if (v.status === 'attaching' && v.admin_metadata.attached_mode && v.admin_metadata.attached_mode !== mode) {
    throw invalidVolume('being attached by different mode');
  }
  const mine = instanceUuid ? core.store.attachmentsOf(id).filter((a) => a.instance_uuid === instanceUuid) : core.store.attachmentsOf(id).filter((a) => a.attached_host === hostName);
  if (mine.length > 0) {
    core.saveVolume(id, { status: 'in-use' });
    return;
  }
  if (v.status === 'in-use' && !v.multiattach && !v.migration_status) {
    throw invalidVolume('volume is already attached and multiple attachments are not enabled');
  }
  // Volume.begin_attach: an attaching row, admin metadata attached_mode.
  const now = core.now();
  const a: Attachment = {
    id: core.uuid(), volume_id: id, instance_uuid: null, attached_host: null, mountpoint: null, attach_time: null,
    detach_time: null, attach_status: 'attaching', attach_mode: null, connection_info: null, connector: null,
    volume_host: v.host, created_at: now, updated_at: null,
  };
  core.store.insertAttachment(a);
  core.store.updateVolume(id, { admin_metadata: { ...v.admin_metadata, attached_mode: mode } });
  if (v.admin_metadata.readonly === 'True' && mode !== 'ro') {
    core.store.updateAttachment(a.id, { attach_status: 'error_attaching' });
    throw new CinderError(400, `Invalid attaching mode '${mode}' for volume ${id}.`);
  }
  volumeAttached(core, a, { instanceUuid, host: hostName, mountpoint, mode, markAttached: true });
}

export interface AttachRequest {
  instanceUuid: string | null;
  hostName: string | null;
  mountpoint: string | null;
  mode: string;
}

/** API.attach after policy: maintenance check, readonly admin metadata defaults to False, then the manager. */
export function attachVolume(core: CinderCore, id: string, o: AttachRequest): void {
  const v = core.reload(id);
  if (v.status === 'maintenance') throw invalidVolume('The volume cannot be attached in maintenance mode.');
  if (v.admin_metadata.readonly === undefined) core.store.updateVolume(id, { admin_metadata: { ...v.admin_metadata, readonly: 'False' } });
  if (core.reload(id).admin_metadata.readonly === 'True' && o.mode !== 'ro') {
    throw new CinderError(400, `Invalid attaching mode '${o.mode}' for volume ${id}.`);
  }
  managerAttach(core, id, o.instanceUuid, o.hostName, o.mountpoint, o.mode);
}

/** os-attach. */
export async function attach(core: CinderCore, ctx: CinderCtx, id: string, o: AttachRequest): Promise<void> {
  await actionVolume(core, ctx, 'attach', id, 'attach');
  attachVolume(core, id, o);
}

/** Manager detach_volume. */
export function managerDetach(core: CinderCore, id: string, attachmentId: string | null): void {
  let attachment: Attachment | undefined;
  if (attachmentId) {
    attachment = core.store.getAttachment(attachmentId);
    if (!attachment) {
      // "Volume detach called, but volume not attached": just fix the volume's statuses.
      finishDetach(core, id, attachmentId);
      return;
    }
  } else {
    const atts = core.store.attachmentsOf(id);
    if (atts.length > 1) throw invalidVolume('Detach volume failed: More than one attachment, but no attachment_id provided.');
    if (atts.length === 0) {
      core.saveVolume(id, { status: 'available', attach_status: 'detached' });
      return;
    }
    attachment = atts[0];
  }
  finishDetach(core, id, attachment.id);
}

/** os-detach (API.detach). */
export async function detach(core: CinderCore, ctx: CinderCtx, id: string, attachmentId: string | null): Promise<void> {
  const v = await actionVolume(core, ctx, 'detach', id, 'detach');
  await attachmentDeletionAllowed(core, ctx, attachmentId, v);
  if (v.status === 'maintenance') throw invalidVolume('The volume cannot be detached in maintenance mode.');
  managerDetach(core, id, attachmentId);
}

/** os-initialize_connection: {driver_volume_type, data} (+ enforce_multipath on master); no state change. */
export async function initializeConnection(core: CinderCore, ctx: CinderCtx, id: string, connector: ConnectorInfo): Promise<Record<string, unknown>> {
  const v = await actionVolume(core, ctx, 'initialize_connection', id, 'initialize_connection');
  if (v.status === 'maintenance') throw invalidVolume('The volume connection cannot be initialized in maintenance mode.');
  const missing = missingConnectorField(connector);
  if (missing) throw invalidInput(`Connector doesn't have required information: ${missing}`);
  const info: Record<string, unknown> = legacyConnectionInfo(v, core.typeOf(v), connector, { portalIp: '127.0.0.1', enforceMultipath: core.switches.enforceMultipath });
  if (core.switches.enforceMultipath) info.enforce_multipath = connector.enforce_multipath ?? false;
  return info;
}

/** os-terminate_connection: bug-2004555 check, driver terminate, then the unreserve logic. */
export async function terminateConnection(core: CinderCore, ctx: CinderCtx, id: string): Promise<void> {
  const v = await actionVolume(core, ctx, 'terminate_connection', id, 'terminate_connection');
  await attachmentDeletionAllowed(core, ctx, null, v);
  unreserveVolume(core, id);
}


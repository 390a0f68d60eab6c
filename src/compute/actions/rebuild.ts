// rebuild (nova/api/openstack/compute/servers.py ServersController._rebuild → compute/api.py
// API.rebuild → conductor/manager.py ComputeTaskManager.rebuild_instance → compute/manager.py
// ComputeManager.rebuild_instance → _do_rebuild_instance → _rebuild_default_impl), with
// nova.virt.fake's behaviour (power states only, a named fault point per step).
import { POWER_STATE, type BlockDeviceMapping, type Instance, type VmState } from '../../domain.js';
import { computeTaskPayload } from '../../notifier/payloads/hosts.js';
import { NoValidHost } from '../../scheduler/scheduler.js';
import { translateAttachmentError } from '../cinder-errors.js';
import { requestSpecFor } from '../conductor.js';
import { serviceZone } from '../availability-zones.js';
import { exceptionInfo } from '../events.js';
import { saveInstance } from '../instance-save.js';
import { asComputeException, ComputeException, frame } from '../exceptions.js';
import { GlanceClient, type NovaImage } from '../glance-client.js';
import { notifyUsageExists } from '../usage-exists.js';
import { updateMigration } from '../evacuations.js';
import { externalEvents } from '../external-events.js';
import { rebuildV21, rebuildV219, rebuildV254, rebuildV257, rebuildV263, rebuildV290, rebuildV294 } from './schemas.js';
import { defineAction, type FlowContext, type NeighbourContext } from './types.js';
import { prepared } from '../../store/statement-cache.js';

const nova = (pyClass: string, message: string, code: number) => new ComputeException(pyClass, message, { novaException: true, code });

export interface RebuildArgs {
  imageRef: string;
  password: string;
  name?: string;
  description?: string | null;
  metadata?: Record<string, string>;
  preserveEphemeral: boolean;
  /** Present (possibly null) only when the request had key_name (≥2.54). */
  keyName?: string | null;
  userData?: string | null;
  trustedCerts?: string[] | null;
  hostname?: string;
  autoDiskConfig?: boolean;
  /** ≥2.93: kwargs['reimage_boot_volume'] = True. */
  reimageBootVolume: boolean;
  /** Filled by the API step. */
  origImageRef?: string;
  /** A new image: conductor asks the scheduler (force_hosts = the instance's host, _nova_check_type rebuild). */
  schedule?: boolean;
  /** The host the conductor chose (evacuate) or the instance's own. */
  computeHost?: string;
  computeNode?: string;
  /** An evacuation (recreate=True): its migration record and the wanted end state (2.95 'stopped'). */
  evacuate?: { migrationId: number | null; targetState: VmState | null; onSharedStorage: boolean | null };
}

/** compute_utils.is_volume_backed_instance / get_root_bdm. */
export function rootBdm(bdms: readonly BlockDeviceMapping[]): BlockDeviceMapping | null {
  return bdms.find((b) => b.boot_index === 0) ?? null;
}
export function isVolumeBacked(instance: Instance, bdms: readonly BlockDeviceMapping[]): boolean {
  const root = rootBdm(bdms);
  return root ? root.destination_type === 'volume' : !instance.image_ref;
}

/** utils.get_system_metadata_from_image(image, flavor): the image's properties and inheritable attributes, prefixed `image_`. */
const SM_SKIP_KEYS = ['mappings', 'block_device_mapping', 'img_mappings', 'img_block_device_mapping'];
function systemMetadataFromImage(image: NovaImage, rootGb: number): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(image.properties)) {
    if (SM_SKIP_KEYS.includes(k)) continue;
    out[`image_${k}`] = (typeof v === 'string' ? v : JSON.stringify(v)).slice(0, 255);
  }
  for (const k of ['min_ram', 'min_disk', 'disk_format', 'container_format'] as const) {
    let v: string | number | null = image[k];
    if (k === 'min_disk') v = Math.max(Number(v ?? 0), rootGb);
    if (v !== null && v !== undefined) out[`image_${k}`] = String(v);
  }
  return out;
}

/**
 * API._checks_for_create_and_rebuild → _validate_flavor_image_nostatus (the checks novasim's images can fail).
 * A volume root (root_bdm.is_volume) skips the flavor's disk: min_disk is checked against the BDM's volume_size.
 */
function checkImageForFlavor(image: NovaImage, instance: Instance, root: BlockDeviceMapping | null): void {
  if (image.status !== 'active') throw nova('ImageNotActive', `Image ${image.id} is not active.`, 400);
  const flavor = instance.flavor;
  if (image.min_ram > flavor.memory_mb) throw nova('FlavorMemoryTooSmall', "Flavor's memory is too small for requested image.", 400);
  if (root?.destination_type === 'volume') {
    const minDisk = image.min_disk * 1024 ** 3;
    if (root.volume_size && minDisk > root.volume_size * 1024 ** 3) {
      throw nova('VolumeSmallerThanImage', `Volume is smaller than the minimum size specified in image metadata. Volume size is ${root.volume_size * 1024 ** 3} bytes, minimum size is ${minDisk} bytes.`, 400);
    }
  } else if (flavor.root_gb > 0) {
    const rootBytes = flavor.root_gb * 1024 ** 3;
    if (image.size > rootBytes) {
      throw nova('FlavorDiskSmallerThanImage', `Flavor's disk is too small for requested image. Flavor disk is ${rootBytes} bytes, image is ${image.size} bytes.`, 400);
    }
    if (image.min_disk > flavor.root_gb) {
      throw nova('FlavorDiskSmallerThanMinDisk', `Flavor's disk is too small for requested image. Flavor disk is ${rootBytes} bytes, minimum requested disk is ${image.min_disk * 1024 ** 3} bytes.`, 400);
    }
  }
}

/** compute/api.py API.rebuild: everything before instance.save(expected_task_state=[None]). */
async function prepareRebuild(p: NeighbourContext<RebuildArgs>) {
  const { s, ctx, instance, args } = p;
  const patch: Partial<Instance> = {};
  if (args.keyName !== undefined) {
    if (args.keyName) {
      // The requester's key (context.user_id), not the owner's.
      const kp = prepared(s.db, 'SELECT name FROM keypairs WHERE user_id = ? AND name = ?').get(ctx.userId, args.keyName) as { name: string } | undefined;
      if (!kp) throw nova('KeypairNotFound', 'Invalid key_name provided.', 400);
      patch.key_name = kp.name;
    } else {
      patch.key_name = null;
    }
  }
  if (args.trustedCerts !== undefined) patch.trusted_certs = args.trustedCerts?.length ? args.trustedCerts : null;
  if (args.hostname !== undefined) patch.hostname = args.hostname;
  let image: NovaImage;
  try {
    image = await p.glance.show(ctx, args.imageRef);
  } catch (e) {
    // servers.py _rebuild: except exception.ImageNotFound → 400 "Cannot find image for rebuild".
    if (e instanceof ComputeException && e.pyClass === 'ImageNotFound') throw nova('ImageNotFound', 'Cannot find image for rebuild', 400);
    throw e;
  }
  const bdms = s.bdms.listForInstance(instance.uuid);
  let origImageRef = instance.image_ref;
  const volumeBacked = isVolumeBacked(instance, bdms);
  if (volumeBacked) {
    if (args.trustedCerts?.length) throw nova('CertificateValidationFailed', 'Image certificate validation failed: Image certificate validation is not supported for volume-backed servers.', 400);
    const root = rootBdm(bdms);
    if (!root?.volume_id) throw nova('NovaException', 'Unable to find root block device mapping for volume-backed instance.', 500);
    const volume = await p.volumes.get(ctx, root.volume_id);
    origImageRef = volume.volume_image_metadata?.image_id ?? '';
    // A different image needs reimage_boot_volume (2.93: the root volume is re-imaged by Cinder's os-reimage).
    if (origImageRef !== args.imageRef && !args.reimageBootVolume) {
      throw nova('ImageUnacceptable', `Image ${args.imageRef} is unacceptable: Unable to rebuild with a different image for a volume-backed server.`, 400);
    }
  }
  checkImageForFlavor(image, instance, volumeBacked ? rootBdm(bdms) : null);
  // _checks_for_create_and_rebuild → _check_metadata_properties_quota.
  if (args.metadata) p.quotas.checkMetadata(ctx, Object.keys(args.metadata).length);
  // _check_volume_status: every attached volume must be in-use.
  for (const b of bdms) {
    if (!b.volume_id) continue;
    const vol = await p.volumes.get(ctx, b.volume_id);
    if (vol.status !== 'in-use') throw nova('InvalidVolume', `Invalid volume: volume '${b.volume_id}' status must be 'in-use'. Currently in '${vol.status}' status`, 400);
  }
  // _handle_kernel_and_ramdisk (None, None, image): the image's, 'nokernel' meaning none.
  const props = image.properties as Record<string, string | undefined>;
  const noKernel = props.kernel_id === 'nokernel';
  // _inherit_properties_from_image.
  patch.os_type = props.os_type ?? null;
  patch.architecture = props.architecture ?? null;
  patch.auto_disk_config = args.autoDiskConfig ?? ['true', '1', 'yes', 'on'].includes(String(props.auto_disk_config ?? '').toLowerCase());
  if (!volumeBacked) patch.image_ref = args.imageRef;
  patch.kernel_id = noKernel ? '' : props.kernel_id ?? '';
  patch.ramdisk_id = noKernel ? '' : props.ramdisk_id ?? '';
  patch.progress = 0;
  if (args.name !== undefined) patch.display_name = args.name;
  if (args.description !== undefined) patch.display_description = args.description;
  if (args.metadata !== undefined) patch.metadata = args.metadata;
  // _reset_image_metadata: drop image_* system metadata, copy in the new image's.
  const sys: Record<string, string> = {};
  for (const [k, v] of Object.entries(instance.system_metadata)) if (!k.startsWith('image_')) sys[k] = v;
  Object.assign(sys, systemMetadataFromImage(image, instance.flavor.root_gb), { image_base_image_ref: image.id });
  patch.system_metadata = sys;
  return { args: { ...args, origImageRef, schedule: origImageRef !== args.imageRef }, patch };
}

/**
 * ComputeTaskManager.rebuild_instance: with a new image, the scheduler checks the instance's own host
 * (RequestSpec force_hosts/force_nodes, _nova_check_type=rebuild); NoValidHost rolls the image back and
 * errors the instance (_set_vm_state_and_notify: compute_task.rebuild_server.error).
 */
async function conductorRebuild(f: FlowContext<RebuildArgs>): Promise<boolean> {
  const s = f.d.services;
  const inst = f.instance();
  let host = inst.host ?? f.host;
  if (f.args.schedule) {
    const { spec, payload } = requestSpecFor(s, inst, { forceHost: inst.host, forceNode: inst.node, schedulerHints: { _nova_check_type: ['rebuild'] }, securityGroups: [] });
    try {
      const dest = f.d.scheduler.selectDestination(f.ctx, spec, payload);
      f.d.scheduler.release(inst.uuid);
      host = dest.host;
    } catch (err) {
      if (!(err instanceof NoValidHost)) throw err;
      setVmStateAndNotify(f, err, payload, { image_ref: f.args.origImageRef });
      throw err;
    }
  }
  f.d.notifier.notifyAboutInstanceRebuild(f.ctx, f.instance(), s.bdms.listForInstance(f.uuid), host, 'rebuild_scheduled', null, null, { source: 'nova-conductor' });
  // instance.availability_zone = get_host_availability_zone(context, host) (saved with the compute side's next save).
  const zone = serviceZone(s, host, 'nova-compute');
  if (zone !== f.instance().availability_zone) f.save({ availability_zone: zone });
  return true;
}

/** ComputeTaskManager._set_vm_state_and_notify(…, 'rebuild_server', {vm_state: ERROR, task_state: None}, ex, request_spec). */
export function setVmStateAndNotify(f: FlowContext<unknown>, err: NoValidHost | ComputeException, payload: ReturnType<typeof requestSpecFor>['payload'], extra: Partial<Instance> = {}): void {
  const s = f.d.services;
  const e = err instanceof ComputeException ? err : new ComputeException('NoValidHost', err.message, {
    novaException: true, code: 500,
    frames: [frame('nova.conductor.manager', 'rebuild_instance', 1380), frame('nova.conductor.manager', '_schedule_instances', 980)],
  });
  const now = s.runtime.now();
  s.db.transaction(() => {
    // rebuild_instance rolls a new image back first (instance.image_ref = orig_image_ref; instance.save()),
    // then set_vm_state_and_notify saves ERROR: two Instance.saves, two instance.update with the option.
    if (Object.keys(extra).length) saveInstance(s, f.d.notifier, f.ctx, f.uuid, { ...extra, updated_at: now });
    saveInstance(s, f.d.notifier, f.ctx, f.uuid, { vm_state: 'error', task_state: null, updated_at: now });
    s.actions.addFault({ instanceUuid: f.uuid, code: e.code, message: e.message, details: e.tracebackLines().join(''), host: s.config.confHost, at: now });
  })();
  const notifier = f.d.scheduler.notifier;
  if (notifier.versionedEnabled) {
    const inst = f.instance();
    notifier.emit({
      context: f.ctx, eventType: 'compute_task.rebuild_server.error', priority: 'ERROR', source: 'nova-conductor', host: s.config.confHost,
      payload: computeTaskPayload(inst.uuid, payload, 'error', exceptionInfo(e), s.profile), instanceUuid: inst.uuid, projectId: inst.project_id,
    });
  }
}

const ENTRY = ['rebuild_instance', '_do_rebuild_instance_with_claim', '_do_rebuild_instance'];

/** ComputeManager.rebuild_instance (for rebuild and evacuate, as upstream: recreate=evacuate). */
export async function rebuildInstanceFlow(f: FlowContext<RebuildArgs>): Promise<void> {
  const s = f.d.services;
  const evacuate = f.args.evacuate ?? null;
  const bdms = () => s.bdms.listForInstance(f.uuid);
  // The state _error_out_instance_on_exception restores on InstanceFaultRollback; anything else → ERROR.
  const instanceState = f.instance().vm_state;
  try {
    // _do_rebuild_instance_with_claim: the (Nop) claim — a named fault point before any guest work.
    await f.d.driver.faultPoint('manager.rebuild_claim', { instance_uuid: f.uuid }, ['rebuild_instance'], frame('nova.compute.manager', '_do_rebuild_instance_with_claim', 4040));
    await doRebuildInstance(f, evacuate);
  } catch (err) {
    const e = asComputeException(err, ENTRY);
    if (evacuate?.migrationId) updateMigration(s, evacuate.migrationId, { status: 'failed' });
    // _notify_instance_rebuild_error, then the context manager's vm_state.
    f.d.notifier.notifyAboutInstanceRebuild(f.ctx, f.instance(), bdms(), f.host, 'rebuild', 'error', exceptionInfo(e), { bdmsPassed: true });
    f.save(e.pyClass === 'InstanceFaultRollback' || e.pyClass === 'NotImplementedError' ? { vm_state: instanceState, task_state: null } : { vm_state: 'error' });
    throw e;
  }
}

async function doRebuildInstance(f: FlowContext<RebuildArgs>, evacuate: RebuildArgs['evacuate'] | null): Promise<void> {
  const s = f.d.services;
  const bdms = () => s.bdms.listForInstance(f.uuid);
  let origVmState = f.instance().vm_state;
  if (evacuate?.targetState && origVmState !== 'error') origVmState = evacuate.targetState;
  // This instance.exists shows the instance as saved by the API (Nova's versioned payload has no image override).
  notifyUsageExists(f.d, f.ctx, f.instance(), f.host, { currentPeriod: true, bdms: bdms() });
  f.d.notifier.notifyAboutInstanceRebuild(f.ctx, f.instance(), bdms(), f.host, 'rebuild', 'start', null, { bdmsPassed: true });
  f.save({ power_state: evacuate ? POWER_STATE.pending : f.instance().power_state, task_state: 'rebuilding' });
  if (evacuate) {
    // The fake driver keeps no disks (instance_on_disk False): onSharedStorage=True cannot be honoured.
    if (evacuate.onSharedStorage === true) throw new ComputeException('InvalidSharedStorage', 'Invalid state of instance files on shared storage', { novaException: true, code: 400 });
    // setup_instance_network_on_host: the ports are bound to the destination (Nova's admin client).
    const ports = await f.d.network.listPorts(f.ctx, { device_id: f.uuid }, { admin: true });
    for (const port of ports) await f.d.network.updatePort(f.ctx, port.id, { 'binding:host_id': f.host });
  }
  // driver.rebuild is NotImplementedError in libvirt and the fake driver: _rebuild_default_impl, which
  // cannot keep an ephemeral partition.
  if (f.args.preserveEphemeral) {
    throw new ComputeException('PreserveEphemeralNotSupported', 'The current driver does not support preserving ephemeral partitions.', {
      novaException: true, code: 400, frames: [frame('nova.compute.manager', '_rebuild_default_impl', 3700)],
    });
  }
  // _rebuild_default_impl: detach_block_devices (a new empty attachment first, so Cinder keeps the volume in-use);
  // with reimage_boot_volume (2.93) the root BDM is left to _rebuild_volume_backed_instance (detach_root_bdm=False).
  const reimage = !evacuate && f.args.reimageBootVolume;
  for (const bdm of bdms()) {
    if (!bdm.volume_id) continue;
    if (reimage && bdm.boot_index === 0) continue;
    await detachForRebuild(f, bdm, evacuate !== null);
  }
  if (!evacuate) await f.d.driver.faultPoint('driver.power_off', { instance_uuid: f.uuid }, [...ENTRY, '_rebuild_default_impl']);
  if (reimage && isVolumeBacked(f.instance(), bdms())) await rebuildVolumeBackedInstance(f);
  f.save({ task_state: 'rebuild_block_device_mapping' });
  for (const bdm of bdms()) {
    if (!bdm.volume_id || !bdm.attachment_id) continue;
    await attachForRebuild(f, bdm);
  }
  f.save({ task_state: 'rebuild_spawning' });
  await f.d.driver.faultPoint('driver.rebuild', { instance_uuid: f.uuid }, [...ENTRY, '_rebuild_default_impl'], frame('nova.virt.libvirt.driver', 'spawn', 4400));
  // _update_instance_after_spawn.
  f.save({ power_state: POWER_STATE.running, vm_state: 'active', task_state: null, launched_at: s.runtime.now() });
  if (origVmState === 'stopped') {
    // "bringing vm to original state": stop_instance's notifications and states.
    f.save({ vm_state: 'active', task_state: 'powering-off', progress: 0 });
    f.notify('power_off', 'start');
    await f.d.driver.faultPoint('driver.power_off', { instance_uuid: f.uuid }, [...ENTRY, 'stop_instance', 'do_stop_instance', '_power_off_instance']);
    f.save({ power_state: POWER_STATE.shutdown, vm_state: 'stopped', task_state: null });
    f.notify('power_off', 'end');
  }
  f.d.notifier.notifyAboutInstanceRebuild(f.ctx, f.instance(), bdms(), f.host, 'rebuild', 'end', null, { bdmsPassed: true });
  if (evacuate) {
    // rt.finish_evacuation: the instance is now the destination's; the migration is done.
    f.save({ host: f.host, node: f.args.computeNode ?? f.instance().node });
    if (evacuate.migrationId) updateMigration(s, evacuate.migrationId, { status: 'done', dest_compute: f.host, dest_node: f.instance().node });
  }
}

const rebuildAbort = (uuid: string, reason: string) =>
  new ComputeException('BuildAbortException', `Build of instance ${uuid} aborted: ${reason}`, {
    novaException: true, code: 500, frames: [frame('nova.compute.manager', '_rebuild_volume_backed_instance', 3700)],
  });

/**
 * ComputeManager._rebuild_volume_backed_instance: the root volume gets a new (reserved) attachment, is
 * detached from the guest and loses its old attachment; then Cinder re-images it (os-reimage,
 * reimage_reserved=True) while nova-compute waits for `volume-reimaged`, reimage_timeout_per_gb × the
 * image's GiB. Any Cinder failure, a missing image, a timeout or a `failed` event (_reimage_failed_callback)
 * is BuildAbortException "Failed to rebuild volume backed instance.".
 */
async function rebuildVolumeBackedInstance(f: FlowContext<RebuildArgs>): Promise<void> {
  const s = f.d.services;
  const root = rootBdm(s.bdms.listForInstance(f.uuid));
  if (!root?.volume_id) return;
  const volumeId = root.volume_id;
  const failed = () => rebuildAbort(f.uuid, 'Failed to rebuild volume backed instance.');
  let fresh: string;
  try {
    fresh = (await f.d.volumes.attachmentCreate(f.ctx, volumeId, f.uuid)).id;
  } catch {
    throw failed();
  }
  // _detach_root_volume: the guest lets go of the disk (no volume_detach notifications on this path).
  await f.d.driver.detachVolume(f.instance(), root.connection_info ? JSON.parse(root.connection_info) : null, root.device_name, volumeId);
  // The BDM points at the new attachment before the old one goes, so a crash leaves it on one Cinder has.
  s.bdms.update(root.id, { attachment_id: fresh, updated_at: s.runtime.now() });
  if (root.attachment_id) {
    try {
      await f.d.volumes.attachmentDelete(f.ctx, root.attachment_id);
    } catch {
      throw failed();
    }
  }
  let image: NovaImage;
  try {
    image = await new GlanceClient(s).show(f.ctx, f.args.imageRef);
  } catch {
    throw rebuildAbort(f.uuid, `Image ${f.args.imageRef} not found.`);
  }
  const timeoutMs = Math.round(s.config.reimageTimeoutPerGb * Math.ceil(Number(image.size ?? 0) / 1024 ** 3) * 1000);
  // wait_for_instance_event: the waiter exists before Cinder is asked, and only a new event counts.
  const event = externalEvents(s).waitFor(f.uuid, 'volume-reimaged', { tag: volumeId, timeoutMs, includePast: false });
  event.catch(() => undefined);
  try {
    if (!f.d.volumes.reimageVolume) throw new Error('this volume API cannot re-image');
    await f.d.volumes.reimageVolume(f.ctx, volumeId, f.args.imageRef, true);
    const got = await event;
    if (got.status === 'failed') throw new Error(`Cinder reported failure during reimaging with volume-reimaged-${volumeId} for instance ${f.uuid}`);
  } catch {
    throw failed();
  }
}

/**
 * detach_block_devices for one volume BDM: attachment_create (empty), saved on the BDM before the
 * old one goes (so a crash leaves the BDM on an attachment Cinder has), then _detach_volume(destroy_bdm=False)
 * with its volume_detach notifications.
 */
async function detachForRebuild(f: FlowContext<RebuildArgs>, bdm: BlockDeviceMapping, evacuate: boolean): Promise<void> {
  const s = f.d.services;
  const volumeId = bdm.volume_id!;
  const old = bdm.attachment_id;
  let fresh: string | null = null;
  if (old) {
    try {
      fresh = (await f.d.volumes.attachmentCreate(f.ctx, volumeId, f.uuid)).id;
    } catch (e) {
      throw translateAttachmentError(e, volumeId, 'attachment_create');
    }
    s.bdms.update(bdm.id, { attachment_id: fresh, updated_at: s.runtime.now() });
  }
  f.d.notifier.notifyAboutVolumeAttachDetach(f.ctx, f.instance(), s.bdms.listForInstance(f.uuid), f.host, 'volume_detach', 'start', volumeId);
  // An evacuation's source host is down: no driver detach there.
  if (!evacuate) await f.d.driver.detachVolume(f.instance(), bdm.connection_info ? JSON.parse(bdm.connection_info) : null, bdm.device_name, volumeId);
  if (old) {
    try {
      await f.d.volumes.attachmentDelete(f.ctx, old);
    } catch (e) {
      throw translateAttachmentError(e, old, 'attachment_delete');
    }
  } else {
    await f.d.volumes.terminateConnection(f.ctx, volumeId, f.d.driver.getVolumeConnector(f.instance()));
    await f.d.volumes.detach(f.ctx, volumeId, f.uuid);
  }
  f.d.notifier.notifyAboutVolumeAttachDetach(f.ctx, f.instance(), s.bdms.listForInstance(f.uuid), f.host, 'volume_detach', 'end', volumeId);
}

/** attach_block_devices (_prep_block_device → DriverVolumeBlockDevice.attach): attachment_update + complete. */
async function attachForRebuild(f: FlowContext<RebuildArgs>, bdm: BlockDeviceMapping): Promise<void> {
  const s = f.d.services;
  const inst = f.instance();
  const attachmentId = bdm.attachment_id!;
  const connector = f.d.driver.getVolumeConnector(inst);
  let cinfo: Record<string, unknown>;
  try {
    cinfo = (await f.d.volumes.attachmentUpdate(f.ctx, attachmentId, connector, bdm.device_name)).connection_info as Record<string, unknown>;
  } catch (e) {
    throw translateAttachmentError(e, attachmentId, 'attachment_update');
  }
  const withSerial = { ...cinfo, serial: bdm.volume_id };
  await f.d.driver.attachVolume(inst, withSerial as never, bdm.device_name ?? '', bdm.volume_id!);
  try {
    await f.d.volumes.attachmentComplete(f.ctx, attachmentId);
  } catch (e) {
    throw translateAttachmentError(e, attachmentId, 'attachment_complete');
  }
  s.bdms.update(bdm.id, { connection_info: JSON.stringify(withSerial), updated_at: s.runtime.now() });
}

/**
 * _init_instance for REBUILDING / REBUILD_BLOCK_DEVICE_MAPPING / REBUILD_SPAWNING: "Instance failed to
 * rebuild correctly, setting to ERROR state". Before that, each volume BDM is made consistent with
 * Cinder: the BDM's attachment is completed and any other attachment of this instance to that volume deleted.
 */
export async function recoverRebuild(f: FlowContext<RebuildArgs>): Promise<void> {
  const s = f.d.services;
  for (const bdm of s.bdms.listForInstance(f.uuid)) {
    if (!bdm.volume_id || !bdm.attachment_id) continue;
    const vol = await f.d.volumes.get(f.ctx, bdm.volume_id).catch(() => null);
    const mine = vol?.attachments?.[f.uuid];
    if (mine?.attachment_id && mine.attachment_id !== bdm.attachment_id) await f.d.volumes.attachmentDelete(f.ctx, mine.attachment_id).catch(() => undefined);
    const att = await f.d.volumes.attachmentGet(f.ctx, bdm.attachment_id).catch(() => null);
    if (att && att.status !== 'attached') await attachForRebuild(f, bdm).catch(() => undefined);
  }
  const migrationId = f.args.evacuate?.migrationId;
  if (migrationId) updateMigration(s, migrationId, { status: 'failed' });
  if (['rebuilding', 'rebuild_block_device_mapping', 'rebuild_spawning'].includes(f.instance().task_state ?? '')) f.save({ vm_state: 'error', task_state: null });
  else f.save({ task_state: null });
}

export const rebuild = defineAction<RebuildArgs>({
  name: 'rebuild',
  conflictName: 'rebuild',
  bodies: [
    { min: '2.94', schema: rebuildV294 },
    { min: '2.90', max: '2.93', schema: rebuildV290 },
    { min: '2.63', max: '2.89', schema: rebuildV263 },
    { min: '2.57', max: '2.62', schema: rebuildV257 },
    { min: '2.54', max: '2.56', schema: rebuildV254 },
    { min: '2.19', max: '2.53', schema: rebuildV219 },
    { min: '2.1', max: '2.18', schema: rebuildV21 },
  ],
  args: (body, v, gen) => {
    const b = body.rebuild as Record<string, unknown>;
    const a: RebuildArgs = {
      imageRef: b.imageRef as string,
      // _get_server_admin_password: the given one or a generated one.
      password: (b.adminPass as string | undefined) ?? gen.password(),
      preserveEphemeral: (b.preserve_ephemeral as boolean | undefined) ?? false,
      reimageBootVolume: v.matches('2.93'),
    };
    if ('name' in b) a.name = b.name as string;
    if ('description' in b) a.description = b.description as string | null;
    if ('metadata' in b) a.metadata = b.metadata as Record<string, string>;
    if (v.matches('2.54') && 'key_name' in b) a.keyName = b.key_name as string | null;
    if (v.matches('2.57') && 'user_data' in b) a.userData = b.user_data as string | null;
    if (v.matches('2.63') && 'trusted_image_certificates' in b) a.trustedCerts = b.trusted_image_certificates as string[] | null;
    if (v.matches('2.90') && 'hostname' in b) a.hostname = b.hostname as string;
    if ('OS-DCF:diskConfig' in b) a.autoDiskConfig = b['OS-DCF:diskConfig'] === 'AUTO';
    return a;
  },
  // _rebuild answers 202 with the server's show view plus adminPass (CONF.api.enable_instance_password).
  // Before 2.75 the view leaves out the extended attributes GET shows (show_extended_attr=False …);
  // key_name from 2.54, server_groups from 2.71.
  response: (a, r) => {
    const full = r.server();
    const hidden = (k: string) =>
      !r.matches('2.75') && (/^(OS-EXT-STS|OS-EXT-SRV-ATTR|OS-EXT-AZ|OS-SRV-USG|os-extended-volumes):/.test(k) || ['security_groups', 'config_drive', 'host_status'].includes(k) || (k === 'key_name' && !r.matches('2.54')));
    const server = { ...Object.fromEntries(Object.entries(full).filter(([k]) => !hidden(k))), adminPass: a.password } as Record<string, unknown>;
    if (r.matches('2.57')) server.user_data = a.userData ?? null;
    return { server };
  },
  policy: 'os_compute_api:servers:rebuild',
  // Only when trusted_image_certificates was given (≥2.63).
  extraPolicy: (_ctx, _i, a) => (a.trustedCerts !== undefined ? 'os_compute_api:servers:rebuild:trusted_certs' : null),
  errors: {
    ImageNotFound: 400, KeypairNotFound: 400, ImageNotActive: 400, ImageUnacceptable: 400, CertificateValidationFailed: 400, InvalidVolume: 400,
    FlavorMemoryTooSmall: 400, FlavorDiskSmallerThanImage: 400, VolumeSmallerThanImage: 400, FlavorDiskSmallerThanMinDisk: 400, InvalidMetadata: 400, OverQuota: 403, MetadataLimitExceeded: 403,
  },
  lock: true,
  states: { method: 'rebuild', vmStates: ['active', 'stopped', 'error'] },
  taskState: 'rebuilding',
  prepareWithNeighbours: prepareRebuild,
  instanceAction: 'rebuild',
  conductorStep: conductorRebuild,
  conductorEvent: 'rebuild_server',
  method: 'rebuild_instance',
  flow: rebuildInstanceFlow,
  onRestart: 'revert',
  recoverCleanup: recoverRebuild,
});

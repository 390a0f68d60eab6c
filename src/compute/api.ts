// nova/compute/api.py API: the checks and bookkeeping done before a cast to the compute manager.
import { saveInstance } from './instance-save.js';
import { ServerMetadataApi } from './server-metadata.js';
import type { BlockDeviceMapping, Instance, RequestContext } from '../domain.js';
import { POWER_STATE } from '../domain.js';
import type { Services } from '../services.js';
import { availabilityZones } from './availability-zones.js';
import { translateAttachmentError, translateVolumeError } from './cinder-errors.js';
import { InstanceInvalidState, checkInstanceLock, checkInstanceState, invalidVolume, notFoundInstance, volumeBdmNotFound } from './checks.js';
import { checkDelete, checkSoftDelete, type DeleteDeps, deleteInstance } from './delete-api.js';
import { GlanceClient } from './glance-client.js';
import { ConsoleApi } from './consoles.js';
import type { Driver } from './driver.js';
import { ComputeException } from './exceptions.js';
import type { Cast, ComputeManager } from './manager.js';
import type { ComputeNotifier } from './notifier-port.js';
import type { NovaVolume, VolumeApi } from './volume-api.js';
import { VolumeLocks } from './volume-locks.js';
import { KeypairStore } from '../store/keypairs.js';
import { ServerGroupStore } from '../store/server-groups.js';
import { KeypairApi } from './keypairs.js';
import { QuotaEngine } from './quotas.js';
import { ServerGroupApi } from './server-groups.js';
import type { NetworkApi } from './neutron-client.js';
import { type NetworkRequest, validateNetworks } from './network.js';
import { InterfaceApi } from './interface-api.js';
import type { ShareApi } from './manila-client.js';
import { ServerShareApi } from './share-api.js';
import { ServerActionRunner } from './actions/runner.js';
import { setRequestedAz } from './request-spec-az.js';
import { LiveMigrationApi } from './live-migration/api.js';
import { type ApiBdm, type BdmRequest, fromLegacyMapping, isVolume, rootBdm } from './block-device.js';
import { type BootMeta, bdmImageMetadata, checkAndTransformBdm, checkRootVolumeSize, validateBdm, validateVolAzForCreate, volumesForBdms } from './bdm-validation.js';
import { prepared } from '../store/statement-cache.js';

export interface CreateServerRequest {
  name: string;
  description: string | null;
  flavorRef: string;
  imageRef: string;
  keyName: string | null;
  availabilityZone: string | null;
  metadata: Record<string, string>;
  minCount: number;
  maxCount: number;
  autoDiskConfig: boolean;
  tags: string[];
  /** 'auto', 'none', 'unspecified' (pre-2.37, no `networks`), or the requested networks/ports/fixed IPs. */
  networks: NetworkRequest;
  /** API ≥2.63 trusted_image_certificates (instance.trusted_certs). */
  trustedCerts?: string[] | null;
  /** os:scheduler_hints {"group": uuid}: join this server group. */
  group?: string | null;
  /** `az:host[:node]` / `az::node` (admin, checked by the API): the host/node the build is forced onto. */
  forcedHost?: string | null;
  forcedNode?: string | null;
  /** os:scheduler_hints, each value as a list of strings (Nova's RequestSpec form). */
  schedulerHints?: Record<string, string[]>;
  /** block_device_mapping(_v2) as servers.py _process_bdms_for_create passes it; null: none given. */
  blockDevices?: { legacy: boolean; bdms: BdmRequest[] | ApiBdm[] } | null;
  /** API ≥2.60: multiattach volumes may be named. */
  supportsMultiattach?: boolean;
}

/** utils.sanitize_hostname. */
export function sanitizeHostname(name: string): string {
  let h = name.toLowerCase().replace(/[ _]/g, '-').replace(/[^\w.-]+/g, '');
  h = h.replace(/^[.-]+|[.-]+$/g, '').slice(0, 63);
  return h || 'server';
}

const ATTACH_STATES = ['active', 'paused', 'stopped', 'resized', 'soft-delete', 'shelved', 'shelved_offloaded'] as const;

export class ComputeApi {
  /** Serialises the API steps that read and then change one volume (see volume-locks.ts). */
  readonly volumeLocks = new VolumeLocks();
  /** POST /servers/{id}/action: the declared actions (compute/actions/). */
  readonly actions: ServerActionRunner;
  /** /servers/{id}/migrations force_complete and abort (live-migration/api.ts). */
  readonly liveMigrations: LiveMigrationApi;

  /** Count-based quotas (compute/quotas.ts); `checkNumInstances` is what resize checks cores/ram with. */
  readonly quotas: QuotaEngine;
  readonly keypairs: KeypairApi;
  /** Server groups; the scheduler reads `serverGroups.forInstance(uuid)`. */
  readonly serverGroups: ServerGroupApi;

  constructor(
    private s: Services,
    private volumes: VolumeApi,
    private manager: ComputeManager,
    private driver: Driver,
    private notifier: ComputeNotifier,
    readonly network?: NetworkApi,
    manila?: ShareApi,
  ) {
    const keypairStore = new KeypairStore(s.db);
    const groupStore = new ServerGroupStore(s.db);
    this.quotas = new QuotaEngine(s.db, keypairStore, groupStore, { instances: s.config.instanceQuota, cores: s.config.coresQuota, ram: s.config.ramQuota });
    this.keypairs = new KeypairApi(s, keypairStore, this.quotas, notifier);
    this.serverGroups = new ServerGroupApi(s, groupStore, this.quotas, notifier);
    this.interfaces = network ? new InterfaceApi(s, manager, network) : null;
    this.shares = manila ? new ServerShareApi(s, manager, manila) : null;
    this.glance = new GlanceClient(s);
    this.consoles = new ConsoleApi(s, notifier);
    this.metadata = new ServerMetadataApi(s, notifier);
    this.actions = new ServerActionRunner(s, manager, notifier, {
      glance: this.glance, volumes, consoles: this.consoles, quotas: this.quotas,
      deleteInstance: (ctx, instance, type) => deleteInstance(this.deleteDeps, ctx, instance, type),
    });
    this.liveMigrations = new LiveMigrationApi(s, manager);
  }

  /** Glance over HTTP (nova/image/glance.py). */
  readonly glance: GlanceClient;
  /** Remote consoles and their auth tokens. */
  readonly consoles: ConsoleApi;

  /** /servers/{id}/metadata (server_metadata.py → update_instance_metadata / delete_instance_metadata). */
  readonly metadata: ServerMetadataApi;

  /** os-interface (attach_interfaces.py) when a Neutron client is wired. */
  readonly interfaces: InterfaceApi | null;
  /** Server shares (2.97), when a Manila client is configured. */
  readonly shares: ServerShareApi | null;

  /**
   * ServersController.update → compute_api.update_instance: instance.update(updates); instance.save() — whose
   * send_update carries old_display_name on a rename when notify_on_state_change is set.
   */
  updateServer(ctx: RequestContext, instance: Instance, patch: Partial<Instance>): void {
    this.s.db.transaction(() => saveInstance(this.s, this.notifier, ctx, instance.uuid, patch))();
  }

  /**
   * Server tags update_all: saved by nova-api, which then sends instance.update. Not an Instance.save
   * (TagList.create, then send_instance_update_notification(service='nova-api') whatever
   * notify_on_state_change says): nova/api/openstack/compute/server_tags.py ServerTagsController.update_all.
   */
  replaceTags(ctx: RequestContext, instance: Instance, tags: string[]): string[] {
    this.s.db.transaction(() => this.s.instances.update(instance.uuid, { tags }))();
    const fresh = this.s.instances.get(instance.uuid)!;
    this.notifier.notifyAboutInstanceUpdate(ctx, fresh, this.s.bdms.listForInstance(instance.uuid), { source: 'nova-api' });
    return tags;
  }

  /** compute_api.get: another project's server is simply not found for non-admins. */
  get(ctx: RequestContext, uuid: string, opts: { readDeleted?: boolean } = {}): Instance {
    const i = this.s.instances.get(uuid, opts);
    if (!i || (!ctx.isAdmin && i.project_id !== ctx.projectId)) throw notFoundInstance(uuid);
    return i;
  }

  /** Run `write` in one transaction; start the recorded casts only once it committed. */
  private commit<T>(write: (casts: (() => void)[]) => T): T {
    const casts: (() => void)[] = [];
    const out = this.s.db.transaction(() => write(casts))();
    for (const start of casts) start();
    return out;
  }

  private recordAction(ctx: RequestContext, uuid: string, action: string): void {
    this.s.actions.start({ action, instanceUuid: uuid, requestId: ctx.requestId, userId: ctx.userId, projectId: ctx.projectId, at: this.s.runtime.now() });
  }

  private cast(casts: (() => void)[], ctx: RequestContext, c: Cast): void {
    casts.push(this.manager.record(ctx, c));
  }

  async createServers(ctx: RequestContext, r: CreateServerRequest): Promise<Instance[]> {
    const s = this.s;
    // get_flavor_by_flavor_id(read_deleted='no'): a private flavor without access, or a disabled one, is not found.
    const flavor = s.flavors.get(r.flavorRef, ctx);
    if (!flavor || flavor.disabled) throw new ComputeException('FlavorNotFound', 'Invalid flavorRef provided.', { novaException: true, code: 400 });
    const requestedBdms = r.blockDevices ?? null;
    // _create_instance: boot_meta is the image, or (no imageRef) block_device.get_bdm_image_metadata.
    let bootMeta: BootMeta;
    if (r.imageRef) {
      const image = s.catalog.image(r.imageRef);
      if (!image || !s.catalog.imageVisible(image, ctx)) {
        throw new ComputeException('ImageNotFound', 'Can not find requested image', { novaException: true, code: 400 });
      }
      if (image.status !== 'active') throw new ComputeException('ImageNotActive', `Image ${image.id} is not active.`, { novaException: true, code: 400 });
      bootMeta = { minDisk: image.min_disk, minRam: image.min_ram, properties: JSON.parse(image.properties) as Record<string, string>, image };
    } else {
      if (r.trustedCerts?.length) {
        throw new ComputeException('CertificateValidationFailed', 'Image certificate validation is not supported when booting from volume', { novaException: true, code: 400 });
      }
      const asDicts = requestedBdms!.legacy ? fromLegacyMapping(requestedBdms!.bdms as ApiBdm[], '', 'vda') : (requestedBdms!.bdms as BdmRequest[]);
      bootMeta = await bdmImageMetadata(s, this.volumes, ctx, asDicts, requestedBdms!.legacy);
    }
    if (r.keyName !== null) {
      const kp = prepared(s.db, 'SELECT 1 FROM keypairs WHERE user_id = ? AND name = ?').get(ctx.userId, r.keyName);
      if (!kp) throw new ComputeException('KeypairNotFound', 'Invalid key_name provided.', { novaException: true, code: 400 });
    }
    // Nova: a zone is checked against the zones of enabled compute services unless a host is forced.
    if (r.availabilityZone && !r.forcedHost && !availabilityZones(s).available.includes(r.availabilityZone)) {
      throw new ComputeException('InvalidRequest', 'The requested availability zone is not available', { novaException: true, code: 400 });
    }
    const ports = Array.isArray(r.networks) ? r.networks.filter((n) => n.port) : [];
    // _check_requested_networks → network_api.validate_networks (Neutron over HTTP).
    if (this.network) await validateNetworks(this.network, ctx, r.networks, r.maxCount);
    if (ports.length && r.maxCount > 1) {
      throw new ComputeException('InvalidRequest', 'Unable to launch multiple instances with a single configured port ID. Please launch your instance one by one with different ports.', { novaException: true, code: 400 });
    }
    const bdms = checkAndTransformBdm(r.imageRef, requestedBdms, bootMeta, r.minCount, r.maxCount);
    // _checks_for_create_and_rebuild: metadata quota, then _validate_flavor_image with the root BDM.
    this.quotas.checkMetadata(ctx, Object.keys(r.metadata).length);
    const root = rootBdm(bdms);
    if (root && isVolume(root)) checkRootVolumeSize(bdms, bootMeta);
    else if (flavor.root_gb > 0 && bootMeta.minDisk > flavor.root_gb) {
      throw new ComputeException('FlavorDiskSmallerThanMinDisk', `Flavor's disk is too small for requested image. Flavor disk is ${flavor.root_gb * 1024 ** 3} bytes, minimum requested disk is ${bootMeta.minDisk * 1024 ** 3} bytes.`, { novaException: true, code: 400 });
    }
    const props = bootMeta.properties;
    // _handle_kernel_and_ramdisk: inherited from the image; 'nokernel' means neither (stored as '').
    const noKernel = props.kernel_id === 'nokernel';
    // _get_requested_instance_group, then _provision_instances' check_num_instances_quota.
    let group = r.group ? this.serverGroups.get(r.group) : null;
    const count = this.quotas.checkNumInstances(ctx, flavor, r.minCount, r.maxCount);
    // _provision_instances: the pre-existing volumes, their zone, then _validate_bdm (which reserves them).
    const volumes = await volumesForBdms(this.volumes, ctx, bdms);
    const volumeAz = s.config.crossAzAttach ? null : validateVolAzForCreate(r.availabilityZone, [...volumes.values()], s.config.availabilityZone);
    const reservationId = `r-${s.runtime.randomString(8)}`;
    const firstUuid = s.runtime.uuid();
    const attachments: string[] = [];
    let validated: Awaited<ReturnType<typeof validateBdm>>;
    try {
      // Attachments are made for pre-existing volumes only, which a multi-server request may not name.
      validated = await validateBdm(s, this.volumes, { ctx, instanceUuid: firstUuid, imageRef: r.imageRef, flavor, volumes, supportsMultiattach: r.supportsMultiattach ?? false, attachments }, bdms);
    } catch (e) {
      await this.releaseAttachments(ctx, attachments);
      throw e;
    }
    const az = r.availabilityZone ?? volumeAz ?? s.config.availabilityZone;
    const now = s.runtime.now();
    let created: Instance[];
    try {
      created = this.commit((casts) => {
        const out: Instance[] = [];
        for (let idx = 0; idx < count; idx++) {
          const name = count > 1 ? `${r.name}-${idx + 1}` : r.name;
          const uuid = idx === 0 ? firstUuid : s.runtime.uuid();
          const inst = s.instances.insert({
            uuid, project_id: ctx.projectId, user_id: ctx.userId, display_name: name, display_description: r.description,
            hostname: sanitizeHostname(name), reservation_id: reservationId, launch_index: idx, host: null, node: null,
            availability_zone: az, image_ref: r.imageRef, kernel_id: noKernel ? '' : props.kernel_id ?? '', ramdisk_id: noKernel ? '' : props.ramdisk_id ?? '', key_name: r.keyName,
            os_type: props.os_type ?? null, architecture: props.architecture ?? props.hw_architecture ?? null, vm_state: 'building', task_state: 'scheduling', power_state: POWER_STATE.pending, progress: 0,
            locked: false, locked_by: null, auto_disk_config: r.autoDiskConfig, config_drive: '', root_device_name: this.driver.rootDeviceName(),
            flavor, metadata: r.metadata, system_metadata: {}, tags: r.tags, trusted_certs: r.trustedCerts?.length ? r.trustedCerts : null, network_info: [], created_at: now, updated_at: null,
            launched_at: null, terminated_at: null, deleted_at: null, deleted: false,
          });
          for (const b of validated) {
            // The image's root disk is named now (as before); other devices get theirs on the host (_default_block_device_names).
            const imageRoot = b.source_type === 'image' && b.destination_type === 'local' && b.boot_index === 0;
            s.bdms.insert({
              uuid: s.runtime.uuid(), instance_uuid: uuid, source_type: b.source_type ?? 'blank', destination_type: b.destination_type ?? 'local',
              device_name: b.device_name ?? (imageRoot ? this.driver.rootDeviceName() : null), boot_index: b.boot_index, delete_on_termination: b.delete_on_termination,
              volume_id: b.volume_id, volume_size: b.volume_size, snapshot_id: b.snapshot_id, image_id: b.image_id, attachment_id: b.attachment_id, connection_info: null,
              tag: b.tag, no_device: b.no_device, volume_type: b.volume_type, disk_bus: b.disk_bus, device_type: b.device_type, guest_format: b.guest_format,
              created_at: now, updated_at: null,
            });
          }
          if (group) {
            // InstanceGroup.add_members: server_group.add_member for each added instance, before any build starts.
            group = this.serverGroups.addMemberAtBoot(ctx, group, uuid);
            this.serverGroups.notifyAddMember(ctx, group);
          }
          // RequestSpec.availability_zone: the zone asked for pins the server (unshelve keeps it there).
          if (r.availabilityZone) setRequestedAz(s.db, uuid, r.availabilityZone);
          this.recordAction(ctx, uuid, 'create');
          this.cast(casts, ctx, {
            kind: 'build_and_run_instance', uuid, networks: r.networks,
            requestedAz: r.availabilityZone, forceHost: r.forcedHost ?? null, forceNode: r.forcedNode ?? null, schedulerHints: r.schedulerHints ?? {},
          });
          out.push(inst);
        }
        return out;
      });
    } catch (e) {
      await this.releaseAttachments(ctx, attachments);
      throw e;
    }
    return created;
  }

  /** Give back attachments made for a create that then failed (no BDM records them). */
  private async releaseAttachments(ctx: RequestContext, ids: string[]): Promise<void> {
    for (const id of ids) {
      try {
        await this.volumes.attachmentDelete(ctx, id);
      } catch {
        /* the volume stays reserved until Cinder's attachment is cleaned up by an operator, as in Nova */
      }
    }
  }

  /**
   * DELETE /servers/{id} (servers.py _delete): with reclaim_instance_interval a soft delete, falling
   * back to a delete when the instance may not be soft-deleted (never launched, a task running).
   */
  async deleteServer(ctx: RequestContext, instance: Instance): Promise<void> {
    if (this.s.config.reclaimInstanceInterval > 0) {
      try {
        checkSoftDelete(ctx, instance);
        return await deleteInstance(this.deleteDeps, ctx, instance, 'soft_delete');
      } catch (e) {
        if (!(e instanceof InstanceInvalidState)) throw e;
      }
    }
    checkDelete(ctx, instance);
    await deleteInstance(this.deleteDeps, ctx, instance, 'delete');
  }

  private get deleteDeps(): DeleteDeps {
    return { s: this.s, manager: this.manager, notifier: this.notifier, volumes: this.volumes, glance: this.glance, driver: this.driver, network: this.network };
  }

  private async getVolume(ctx: RequestContext, id: string, op = 'get'): Promise<NovaVolume> {
    try {
      return await this.volumes.get(ctx, id);
    } catch (e) {
      throw translateVolumeError(e, id, op);
    }
  }

  /** compute_api.attach_volume → _attach_volume (reserve_block_device_name + attachment_create + cast). */
  async attachVolume(
    ctx: RequestContext, instance: Instance,
    o: { volumeId: string; device: string | null; tag: string | null; deleteOnTermination: boolean; supportsMultiattach: boolean },
  ): Promise<BlockDeviceMapping> {
    checkInstanceLock(ctx, instance);
    checkInstanceState(instance, 'attach_volume', [...ATTACH_STATES]);
    // attach_volume: volume_api.get, then _check_volume_already_attached before any attachment_create
    // (a non-multiattach volume with a BDM on any instance is refused, even if Cinder shows it available).
    const volume = await this.getVolume(ctx, o.volumeId);
    this.checkVolumeAlreadyAttached(instance, volume);
    const s = this.s;
    // reserve_block_device_name runs under the instance lock on the compute host: re-check, pick the
    // device and create the BDM before Cinder is asked, so concurrent attaches cannot collide.
    let pending: { start: () => void; drop: () => void } | null = null;
    const bdm = s.db.transaction(() => {
      this.checkVolumeAlreadyAttached(instance, volume);
      const bdms = s.bdms.listForInstance(instance.uuid);
      const used = bdms.map((b) => b.device_name);
      if (o.device && used.includes(o.device)) {
        throw new ComputeException('DevicePathInUse', `The supplied device path (${o.device}) is in use.`, { novaException: true, code: 409 });
      }
      const now = s.runtime.now();
      const row = s.bdms.insert({
        uuid: s.runtime.uuid(), instance_uuid: instance.uuid, source_type: 'volume', destination_type: 'volume',
        device_name: o.device ?? this.driver.nextDeviceName(instance, used), boot_index: null, delete_on_termination: o.deleteOnTermination,
        volume_id: volume.id, volume_size: volume.size, snapshot_id: null, image_id: null, attachment_id: null, connection_info: null,
        tag: o.tag, no_device: null, created_at: now, updated_at: null,
      });
      // The cast is recorded with the BDM (started only after the final commit): a kill while Cinder's
      // attachment_create is in flight is then rolled back at start-up (recovery.ts attach_volume).
      pending = this.manager.recordPending(ctx, { kind: 'attach_volume', uuid: instance.uuid, bdmId: row.id });
      return row;
    })();
    try {
      if (!this.s.config.crossAzAttach && volume.availability_zone !== instance.availability_zone) {
        throw invalidVolume(`Instance ${instance.uuid} and volume ${volume.id} are not in the same availability_zone. Instance is in ${instance.availability_zone}. Volume is in ${volume.availability_zone}`);
      }
      if (volume.multiattach && !o.supportsMultiattach) {
        throw new ComputeException('MultiattachNotSupportedOldMicroversion', 'Multiattach volumes are only supported starting with compute API version 2.60.', { novaException: true, code: 400 });
      }
      let attachmentId: string | null = null;
      try {
        if (this.s.config.legacyVolumeAttach) await this.volumes.reserveVolume(ctx, volume.id);
        else attachmentId = (await this.volumes.attachmentCreate(ctx, volume.id, instance.uuid)).id;
      } catch (e) {
        throw translateVolumeError(e, volume.id, this.s.config.legacyVolumeAttach ? 'reserve_volume' : 'attachment_create');
      }
      return this.commit((casts) => {
        s.bdms.update(bdm.id, { attachment_id: attachmentId });
        this.recordAction(ctx, instance.uuid, 'attach_volume');
        casts.push(pending!.start);
        return { ...bdm, attachment_id: attachmentId };
      });
    } catch (e) {
      // _attach_volume: volume_bdm.destroy() on any failure before the cast.
      s.db.transaction(() => {
        s.bdms.destroy(bdm.id, s.runtime.now());
        pending!.drop();
      })();
      throw e;
    }
  }

  /** compute_api.detach_volume → _detach_volume. */
  async detachVolume(ctx: RequestContext, instance: Instance, volume: NovaVolume): Promise<void> {
    checkInstanceLock(ctx, instance);
    checkInstanceState(instance, 'detach_volume', [...ATTACH_STATES]);
    try {
      await this.volumes.beginDetaching(ctx, volume.id);
    } catch (e) {
      const t = translateVolumeError(e, volume.id, 'begin_detaching');
      if (t instanceof ComputeException && t.pyClass === 'InvalidInput') throw invalidVolume(t.message);
      throw t;
    }
    const attachmentId = volume.attachments?.[instance.uuid]?.attachment_id ?? null;
    this.commit((casts) => {
      this.recordAction(ctx, instance.uuid, 'detach_volume');
      this.cast(casts, ctx, { kind: 'detach_volume', uuid: instance.uuid, volumeId: volume.id, attachmentId });
    });
  }

  getVolumeForApi(ctx: RequestContext, id: string): Promise<NovaVolume> {
    return this.getVolume(ctx, id);
  }

  /** compute_api.swap_volume (spec §2, steps 1–13). */
  async swapVolume(ctx: RequestContext, instance: Instance, oldVolume: NovaVolume, newVolume: NovaVolume): Promise<void> {
    checkInstanceLock(ctx, instance);
    checkInstanceState(instance, 'swap_volume', ['active', 'paused', 'resized']);
    if (!oldVolume.attachments?.[instance.uuid]) throw invalidVolume('Old volume is attached to a different instance.');
    if (newVolume.attach_status === 'attached') throw invalidVolume('New volume must be detached in order to swap.');
    if (Number(newVolume.size) < Number(oldVolume.size)) throw invalidVolume('New volume must be the same size or larger.');
    if (!this.s.config.crossAzAttach && newVolume.availability_zone !== instance.availability_zone) {
      throw invalidVolume(`Instance ${instance.uuid} and volume ${newVolume.id} are not in the same availability_zone. Instance is in ${instance.availability_zone}. Volume is in ${newVolume.availability_zone}`);
    }
    try {
      await this.volumes.beginDetaching(ctx, oldVolume.id);
    } catch (e) {
      const t = translateVolumeError(e, oldVolume.id, 'begin_detaching');
      if (t instanceof ComputeException && t.pyClass === 'InvalidInput') throw invalidVolume(t.message);
      throw t;
    }
    // Recorded as soon as Cinder marked the old volume: a kill before the cast is committed leaves this
    // row, and start-up recovery releases what this request reserved (recovery.ts, apiPending).
    const pending = this.s.db.transaction(() => this.manager.recordPending(ctx, {
      kind: 'swap_volume', uuid: instance.uuid, oldVolumeId: oldVolume.id, newVolumeId: newVolume.id, newAttachmentId: null, apiPending: true,
    }))();
    try {
      await this.swapAfterBeginDetaching(ctx, instance, oldVolume, newVolume, pending);
    } catch (e) {
      this.s.db.transaction(() => pending.drop())();
      throw e;
    }
  }

  private async swapAfterBeginDetaching(
    ctx: RequestContext, instance: Instance, oldVolume: NovaVolume, newVolume: NovaVolume, pending: { drop: () => void },
  ): Promise<void> {
    // Count read/write attachments after begin_detaching (it locks out concurrent attaches).
    try {
      const entries = Object.values(oldVolume.attachments ?? {});
      let rw = entries.length;
      if (entries.length > 1) {
        rw = 0;
        for (const a of entries) {
          let mode: string;
          try {
            mode = (await this.volumes.attachmentGet(ctx, a.attachment_id)).attach_mode;
          } catch (e) {
            // _count_attachments_for_swap: only VolumeAttachmentNotFound counts as read/write (the
            // default mode); any other failure propagates (after roll_detaching below).
            const t = translateAttachmentError(e, a.attachment_id, 'attachment_get');
            if (t instanceof ComputeException && t.pyClass === 'VolumeAttachmentNotFound') {
              rw++;
              continue;
            }
            throw t;
          }
          if (mode === 'rw') rw++;
        }
      }
      if (rw > 1) {
        throw new ComputeException('MultiattachSwapVolumeNotSupported', 'Swapping multi-attach volumes with more than one read/write attachment is not supported.', { novaException: true, code: 400 });
      }
    } catch (e) {
      await this.volumes.rollDetaching(ctx, oldVolume.id);
      throw e;
    }
    // No roll_detaching here: Nova leaves the old volume `detaching` (spec §7 row 17).
    const bdm = this.s.bdms.getByVolumeAndInstance(oldVolume.id, instance.uuid);
    if (!bdm) throw volumeBdmNotFound(oldVolume.id);
    let newAttachmentId: string | null = null;
    if (bdm.attachment_id === null) {
      await this.volumes.reserveVolume(ctx, newVolume.id).catch((e) => {
        throw translateVolumeError(e, newVolume.id, 'reserve_volume');
      });
    } else {
      try {
        this.checkVolumeAlreadyAttached(instance, newVolume);
      } catch (e) {
        await this.volumes.rollDetaching(ctx, oldVolume.id);
        throw e;
      }
      try {
        newAttachmentId = (await this.volumes.attachmentCreate(ctx, newVolume.id, instance.uuid)).id;
      } catch (e) {
        throw translateVolumeError(e, newVolume.id, 'attachment_create');
      }
    }
    this.commit((casts) => {
      pending.drop();
      this.recordAction(ctx, instance.uuid, 'swap_volume');
      this.cast(casts, ctx, { kind: 'swap_volume', uuid: instance.uuid, oldVolumeId: oldVolume.id, newVolumeId: newVolume.id, newAttachmentId });
    });
  }

  /** _check_volume_already_attached. */
  private checkVolumeAlreadyAttached(instance: Instance, volume: NovaVolume): void {
    const bdms = this.s.bdms.listByVolume(volume.id);
    if (!bdms.length) return;
    const uuids = bdms.map((b) => b.instance_uuid);
    if (!volume.multiattach) throw invalidVolume(`volume ${volume.id} is already attached to instances: ${uuids.join(' ')}`);
    if (uuids.includes(instance.uuid)) throw invalidVolume(`volume ${volume.id} already attached`);
  }
}

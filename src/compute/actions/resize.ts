// resize / migrate / confirmResize / revertResize: nova/api/openstack/compute/servers.py (_resize,
// _confirm_resize, _revert_resize) and migrate_server.py (_migrate) → nova/compute/api.py resize(),
// confirm_resize(), revert_resize(); the flows are in compute/flows/resize.ts.
import type { FlavorSnapshot, Instance } from '../../domain.js';
import type { Services } from '../../services.js';
import { MigrationRecords } from '../../store/migration-records.js';
import { ComputeException } from '../exceptions.js';
import { confirmResizeFlow, coldMigrateFlow, recoverConfirm, recoverMove, recoverRevert, revertResizeFlow } from '../flows/resize.js';
import { anyValue, migrateV256, resize as resizeSchema } from './schemas.js';
import { defineAction, type PrepareContext } from './types.js';

const nova = (pyClass: string, message: string, code: number) => new ComputeException(pyClass, message, { novaException: true, code });
const GiB = 1024 ** 3;

/** What the API hands to conductor's migrate_server (compute_task_api.resize_instance). */
export interface MoveArgs {
  /** flavorRef of a resize; null for a cold migration. */
  flavorRef: string | null;
  autoDiskConfig: boolean | null;
  /** migrate's `host` (2.56). */
  host: string | null;
  /** Filled by inApiTransaction: the flavor to move to, and filter_properties['ignore_hosts']. */
  newFlavor?: FlavorSnapshot;
  ignoreHosts?: string[];
  requestedNode?: string | null;
}

/** ComputeNode.get_first_node_by_host_for_old_compat → ComputeHostNotFound. */
function firstNodeOf(s: Services, host: string): string {
  const node = s.hosts.nodes().find((n) => n.host === host);
  if (!node) throw nova('ComputeHostNotFound', `Compute host ${host} could not be found.`, 404);
  return node.hypervisor_hostname;
}

/** check_instance_host(check_is_up=True): the instance's compute service must be up. */
function checkHostUp(s: Services, instance: Instance): void {
  const svc = instance.host ? s.hosts.computeService(instance.host) : null;
  if (svc && svc.forced_down) throw nova('ServiceUnavailable', 'Service is unavailable at this time.', 503);
}

/** compute_api._validate_flavor_image_nostatus for the new flavor (image-backed servers). */
function validateFlavorImage(s: Services, instance: Instance, flavor: FlavorSnapshot): void {
  const image = s.catalog.image(instance.image_ref);
  if (!image) return; // get_image_from_system_metadata: the boot image's sysmeta copy; novasim keeps the row.
  if (flavor.memory_mb < image.min_ram) throw nova('FlavorMemoryTooSmall', "Flavor's memory is too small for requested image.", 400);
  if (flavor.root_gb > 0) {
    // The image's size against the root disk, then min_disk (Nova checks both, in this order).
    if (image.size > flavor.root_gb * GiB) {
      throw nova('FlavorDiskSmallerThanImage', `Flavor's disk is too small for requested image. Flavor disk is ${flavor.root_gb * GiB} bytes, image is ${image.size} bytes.`, 400);
    }
    if (image.min_disk > flavor.root_gb) {
      throw nova('FlavorDiskSmallerThanMinDisk', `Flavor's disk is too small for requested image. Flavor disk is ${flavor.root_gb * GiB} bytes, minimum requested disk is ${image.min_disk * GiB} bytes.`, 400);
    }
  }
}

/** compute_api.resize(): everything before instance.save(expected_task_state=[None]). */
function prepareMove({ s, ctx, instance, args, quotas }: PrepareContext<MoveArgs>): MoveArgs {
  checkHostUp(s, instance);
  let requestedNode: string | null = null;
  if (args.host !== null) {
    // _validate_host_for_cold_migrate.
    if (args.host === instance.host) throw nova('CannotMigrateToSameHost', 'Cannot migrate to the host where the server exists.', 400);
    requestedNode = firstNodeOf(s, args.host);
  }
  const current = instance.flavor;
  let newFlavor = current;
  if (args.flavorRef !== null) {
    // flavors.get_flavor_by_flavor_id(context, flavor_id, read_deleted="no").
    const f = s.flavors.get(args.flavorRef, ctx);
    if (!f) throw nova('FlavorNotFound', `Flavor ${args.flavorRef} could not be found.`, 404);
    newFlavor = f;
    if (f.root_gb === 0 && current.root_gb !== 0 && !isVolumeBacked(s, instance)) {
      throw nova('CannotResizeDisk', 'Server disk was unable to be resized because: Resize to zero disk flavor is not allowed.', 400);
    }
  }
  const sameFlavor = current.id === newFlavor.id;
  if (!sameFlavor && newFlavor.disabled) throw nova('FlavorNotFound', `Flavor ${args.flavorRef} could not be found.`, 404);
  if (sameFlavor && args.flavorRef !== null) throw nova('CannotResizeToSameFlavor', 'When resizing, instances must change flavor!', 400);
  // _check_quota_for_upsize(is_revert=False): only the cores/ram deltas of an upsize.
  if (args.flavorRef !== null) quotas?.checkUpsize(ctx, current, newFlavor, instance.project_id, instance.user_id);
  if (!sameFlavor && !isVolumeBacked(s, instance)) validateFlavorImage(s, instance, newFlavor);
  // _allow_resize_to_same_host: a cold migration never stays (the fake driver has no
  // COMPUTE_SAME_HOST_COLD_MIGRATE trait); a resize may when allow_resize_to_same_host is set.
  const ignoreHosts = !sameFlavor && s.config.allowResizeToSameHost ? [] : instance.host ? [instance.host] : [];
  const sys = { ...instance.system_metadata, image_base_image_ref: instance.image_ref };
  // Set on the object, saved by compute_api.resize's one instance.save(expected_task_state=[None]) with
  // task_state RESIZE_PREP (the runner's saveInstance in this transaction sends its instance.update).
  s.instances.update(instance.uuid, { progress: 0, auto_disk_config: args.autoDiskConfig ?? false, system_metadata: sys });
  return { ...args, newFlavor, ignoreHosts, requestedNode };
}

function isVolumeBacked(s: Services, instance: Instance): boolean {
  if (!instance.image_ref) return true;
  return s.bdms.listForInstance(instance.uuid).some((b) => b.boot_index === 0 && b.destination_type === 'volume');
}

const MOVE_ERRORS = {
  TooManyInstances: 403, OverQuota: 403, ServiceUnavailable: 409, CannotResizeDisk: 400, CannotResizeToSameFlavor: 400, FlavorNotFound: 400,
  FlavorMemoryTooSmall: 400, FlavorDiskSmallerThanImage: 400, FlavorDiskSmallerThanMinDisk: 400, ComputeHostNotFound: 400, CannotMigrateToSameHost: 400,
} as const;

const MOVE_STATES = { method: 'resize', vmStates: ['active' as const, 'stopped' as const] };

export const resize = defineAction<MoveArgs>({
  name: 'resize',
  conflictName: 'resize',
  bodies: [{ schema: resizeSchema }],
  args: (body) => {
    const r = body.resize as { flavorRef: string | number; 'OS-DCF:diskConfig'?: 'AUTO' | 'MANUAL' };
    const dc = r['OS-DCF:diskConfig'];
    return { flavorRef: String(r.flavorRef), autoDiskConfig: dc === undefined ? null : dc === 'AUTO', host: null };
  },
  policy: 'os_compute_api:servers:resize',
  lock: true,
  host: true,
  states: MOVE_STATES,
  inApiTransaction: prepareMove,
  errors: MOVE_ERRORS,
  taskState: 'resize_prep',
  instanceAction: 'resize',
  method: 'prep_resize',
  steps: true,
  flow: coldMigrateFlow,
  recover: recoverMove,
});

export const migrate = defineAction<MoveArgs>({
  name: 'migrate',
  conflictName: 'migrate',
  // @validation.schema(schema.migrate, "2.56"): before 2.56 the body is not validated and `host` is ignored.
  bodies: [{ min: '2.56', schema: migrateV256 }, { schema: anyValue('migrate') }],
  args: (body, v) => {
    const m = body.migrate as { host?: string | null } | null;
    return { flavorRef: null, autoDiskConfig: null, host: v.matches('2.56') && m && typeof m === 'object' ? m.host ?? null : null };
  },
  policy: (a) => (a.host ? 'os_compute_api:os-migrate-server:migrate:host' : 'os_compute_api:os-migrate-server:migrate'),
  lock: true,
  host: true,
  states: MOVE_STATES,
  inApiTransaction: prepareMove,
  errors: MOVE_ERRORS,
  taskState: 'resize_prep',
  instanceAction: 'migrate',
  method: 'prep_resize',
  steps: true,
  flow: coldMigrateFlow,
  recover: recoverMove,
});

/** What confirm/revert hand to nova-compute: the 'finished' migration. */
export interface FinishedMoveArgs {
  migrationId: number;
}

const NOT_RESIZED = { status: 400, message: 'Instance has not been resized.' };

function finishedMigration(s: Services, instance: Instance) {
  const m = new MigrationRecords(s.db).byInstanceAndStatus(instance.uuid, 'finished');
  if (!m) throw nova('MigrationNotFoundByStatus', `Migration not found for instance ${instance.uuid} with status finished.`, 404);
  return m;
}

export const confirmResize = defineAction<FinishedMoveArgs>({
  name: 'confirmResize',
  conflictName: 'confirmResize',
  bodies: [{ schema: anyValue('confirmResize') }],
  args: () => ({ migrationId: 0 }),
  status: 204,
  policy: 'os_compute_api:servers:confirm_resize',
  lock: true,
  states: { method: 'confirm_resize', vmStates: ['resized'] },
  inApiTransaction({ s, instance }) {
    const m = finishedMigration(s, instance);
    // The source compute service must be up before the migration leaves 'finished'.
    const svc = m.source_compute ? s.hosts.computeService(m.source_compute) : null;
    if (svc && svc.forced_down) throw nova('ServiceUnavailable', 'Service is unavailable at this time.', 503);
    new MigrationRecords(s.db).update(m.id, { status: 'confirming' }, s.runtime.now());
    return { migrationId: m.id };
  },
  errors: { MigrationNotFoundByStatus: NOT_RESIZED, ServiceUnavailable: 409 },
  instanceAction: 'confirmResize',
  method: 'confirm_resize',
  steps: true,
  flow: confirmResizeFlow,
  recover: recoverConfirm,
});

export const revertResize = defineAction<FinishedMoveArgs>({
  name: 'revertResize',
  conflictName: 'revertResize',
  bodies: [{ schema: anyValue('revertResize') }],
  args: () => ({ migrationId: 0 }),
  policy: 'os_compute_api:servers:revert_resize',
  lock: true,
  states: { method: 'revert_resize', vmStates: ['resized'] },
  inApiTransaction({ s, ctx, instance, quotas }) {
    const m = finishedMigration(s, instance);
    // _check_quota_for_upsize(is_revert=True): reverting a downsize may go over quota.
    if (instance.old_flavor) quotas?.checkUpsize(ctx, instance.flavor, instance.old_flavor, instance.project_id, instance.user_id);
    // The AZ of the source host, set in the API before the cast.
    const az = m.source_compute ? s.hosts.hostAvailabilityZone(m.source_compute, s.config.availabilityZone) : instance.availability_zone;
    // Saved by revert_resize's instance.save(expected_task_state=[None]) with RESIZE_REVERTING (the runner's
    // saveInstance in this transaction): one instance.update, not two.
    s.instances.update(instance.uuid, { availability_zone: az });
    new MigrationRecords(s.db).update(m.id, { status: 'reverting' }, s.runtime.now());
    return { migrationId: m.id };
  },
  // The controller expects no OverQuota here: Nova answers a revert over quota with its 500 "Unexpected API Error".
  errors: { MigrationNotFoundByStatus: NOT_RESIZED },
  taskState: 'resize_reverting',
  instanceAction: 'revertResize',
  method: 'revert_resize',
  steps: true,
  flow: revertResizeFlow,
  recover: recoverRevert,
});

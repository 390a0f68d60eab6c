// Retype and migration: API checks (cinder/volume/api.py retype, migrate_volume,
// migrate_volume_completion), the scheduler's backend choice, and the manager flows
// (volume/manager.py retype, migrate_volume, _migrate_volume_generic, migrate_volume_completion,
// update_migrated_volume + drivers/lvm.py, objects/volume.py finish_volume_migration).
// An attached volume's migration goes through Nova's swap API over HTTP; Nova calls back
// os-migrate_volume_completion.
import { attachmentDeletionAllowed, attachVolume, managerAttach, managerDetach } from './attach-ops.js';
import type { CinderCtx } from './context.js';
import { AVAILABLE_MIGRATION_STATUS, type CinderCore } from './core.js';
import { invalidHost, invalidInput, invalidVolume } from './errors.js';
import type { Backend } from './seed.js';
import type { Volume, VolumeType } from './store.js';
import { scheduleCreate, scheduleDelete } from './volume-ops.js';

class MigrationFailed extends Error {}

const isMultiattachType = (t: VolumeType | undefined) => t?.extra_specs.multiattach === '<is> True';

// ---- API ----

export async function retype(core: CinderCore, ctx: CinderCtx, id: string, newTypeRef: string, migrationPolicy: string | null): Promise<void> {
  await core.faults.check('retype', { volume_id: id });
  const v = core.getVolume(ctx, id);
  core.policy.authorize('volume:retype', ctx, v.project_id);
  const newType = core.typeByNameOrId(newTypeRef);
  const tgtMultiattach = isMultiattachType(newType);
  if (v.multiattach !== tgtMultiattach && v.status !== 'available') {
    throw invalidInput(`Invalid volume_type passed, retypes affecting multiattach are only allowed on available volumes, the specified volume however currently has a status of: ${v.status}.`);
  }
  const ok = ['available', 'in-use'].includes(v.status) && AVAILABLE_MIGRATION_STATUS.includes(v.migration_status) && !v.group_id && !v.consistencygroup_id && v.volume_type_id !== newType.id;
  if (!ok) {
    throw invalidVolume('Retype needs volume to be in available or in-use state, not be part of an active migration or a consistency group, requested type has to be different that the one from the volume, and for in-use volumes front-end qos specs cannot change.');
  }
  core.saveVolume(id, { status: 'retyping', previous_status: v.status, multiattach: tgtMultiattach });
  core.tasks.schedule(0, () => schedulerRetype(core, ctx, id, newType, migrationPolicy || 'never'));
}

/** Scheduler retype → manager retype: in place when the current backend takes the type, else migrate (on-demand). */
async function schedulerRetype(core: CinderCore, ctx: CinderCtx, id: string, newType: VolumeType, policy: string): Promise<void> {
  const v = core.store.getVolume(id);
  if (!v) return;
  const back = { status: v.previous_status ?? v.status };
  if (core.backendAccepts(v.host, newType)) {
    core.saveVolume(id, { volume_type_id: newType.id, status: back.status });
    return;
  }
  if (policy === 'never') {
    // NoValidBackend: "Retype requires migration but is not allowed."; the API already answered 202.
    core.saveVolume(id, back);
    return;
  }
  core.saveVolume(id, { migration_status: 'starting' });
  try {
    await managerMigrate(core, ctx, id, core.backendForType(newType), { forceHostCopy: false, newTypeId: newType.id });
  } catch (err) {
    core.logTaskError(err);
    core.saveVolume(id, back);
  }
}

export interface MigrateRequest {
  host: string | null;
  cluster: string | null;
  forceHostCopy: boolean;
  lockVolume: boolean;
}

export async function migrateVolume(core: CinderCore, ctx: CinderCtx, id: string, r: MigrateRequest, clusterAware: boolean): Promise<void> {
  await core.faults.check('migrate_volume', { volume_id: id });
  const v = core.getVolume(ctx, id);
  core.policy.authorize('volume_extension:volume_admin_actions:migrate_volume', ctx, v.project_id);
  // common.get_cluster_host.
  const cluster = clusterAware ? r.cluster : null;
  if (Boolean(cluster) === Boolean(r.host)) {
    throw invalidInput(clusterAware ? 'One and only one of cluster and host must be set.' : 'Host field is missing.');
  }
  const target = cluster ?? r.host!;
  const backend = cluster ? undefined : core.backendOf(target);
  if (!backend) throw invalidHost(`No available service named '${target}'`);
  const ok = ['available', 'in-use'].includes(v.status) && AVAILABLE_MIGRATION_STATUS.includes(v.migration_status) &&
    [null, 'disabled', 'not-capable'].includes(v.replication_status) && !v.group_id && !v.consistencygroup_id && v.host !== target;
  if (!ok) {
    throw invalidVolume(`Volume ${v.id} status must be available or in-use, must not be migrating, have snapshots, be replicated, be part of a group and destination host/cluster must be different than the current one`);
  }
  const status = r.lockVolume && v.status === 'available' ? 'maintenance' : v.status;
  core.saveVolume(id, { migration_status: 'starting', previous_status: v.status, status });
  core.tasks.schedule(0, () => schedulerMigrate(core, ctx, id, backend, r.forceHostCopy));
}

/** Scheduler migrate_volume: the destination must pass the filters for the volume's type. */
async function schedulerMigrate(core: CinderCore, ctx: CinderCtx, id: string, backend: Backend, forceHostCopy: boolean): Promise<void> {
  const v = core.store.getVolume(id);
  if (!v) return;
  const type = core.typeOf(v);
  const want = type?.extra_specs.volume_backend_name;
  if (want && want !== backend.name) {
    // NoValidBackend "Cannot place volume <id> on <host>.": only migration_status (and a lock) roll back.
    core.saveVolume(id, v.status === 'maintenance' ? { migration_status: 'error', status: v.previous_status ?? 'maintenance' } : { migration_status: 'error' });
    return;
  }
  await managerMigrate(core, ctx, id, backend, { forceHostCopy, newTypeId: null }).catch((err) => core.logTaskError(err));
}

// ---- manager ----

/** Manager migrate_volume: LVM same-host move for detached volumes, else the generic copy. */
async function managerMigrate(core: CinderCore, ctx: CinderCtx, id: string, dest: Backend, o: { forceHostCopy: boolean; newTypeId: string | null }): Promise<void> {
  const v = core.reload(id);
  const statusUpdate = ['retyping', 'maintenance'].includes(v.status) ? { status: v.previous_status ?? v.status } : {};
  core.saveVolume(id, { migration_status: 'migrating' });
  const attachments = core.store.attachmentsOf(id);
  const driverTried = core.switches.retypeDriverMigration ? attachments.length === 0 && !o.forceHostCopy : !o.forceHostCopy && o.newTypeId === null;
  // drivers/lvm.py migrate_volume: only available/retyping volumes move between VGs of this host.
  if (driverTried && ['available', 'retyping'].includes(v.status)) {
    const patch: Partial<Volume> = {
      host: core.hostOf(dest),
      cluster_name: null,
      migration_status: 'success',
      availability_zone: dest.availabilityZone,
      previous_status: v.status,
      service_uuid: dest.serviceUuid,
      ...statusUpdate,
    };
    if (o.newTypeId) patch.volume_type_id = o.newTypeId;
    core.saveVolume(id, patch);
    return;
  }
  try {
    await migrateGeneric(core, ctx, id, dest, o.newTypeId);
  } catch (err) {
    core.saveVolume(id, { migration_status: 'error', ...statusUpdate });
    throw err;
  }
}

/** _migrate_volume_generic: a `target:<id>` volume on the destination, then copy+complete or Nova's swap. */
async function migrateGeneric(core: CinderCore, ctx: CinderCtx, id: string, dest: Backend, newTypeId: string | null): Promise<void> {
  const v = core.reload(id);
  const n: Volume = {
    ...v,
    id: core.uuid(),
    name_id: null,
    host: core.hostOf(dest),
    cluster_name: null,
    availability_zone: dest.availabilityZone,
    status: 'creating',
    attach_status: 'detached',
    migration_status: `target:${v.id}`,
    use_quota: false,
    volume_type_id: newTypeId ?? v.volume_type_id,
    snapshot_id: null,
    source_volid: null,
    service_uuid: null,
    previous_status: v.previous_status,
  };
  core.store.insertVolume(n);
  const failCreate = await core.faults.take('migration_create_target', { volume_id: v.id });
  if (failCreate) core.saveVolume(n.id, { status: 'error' });
  else scheduleCreate(core, n.id);
  await waitForTarget(core, v.id, n.id);
  core.saveVolume(n.id, { snapshot_id: v.snapshot_id, source_volid: v.source_volid });

  const attachments = core.store.attachmentsOf(v.id);
  try {
    if (attachments.length === 0) {
      await managerCompletion(core, v.id, n.id, false);
      return;
    }
    for (const a of attachments) {
      const failed = await core.faults.take('migration_call_nova', { volume_id: v.id, instance_uuid: a.instance_uuid });
      if (failed) throw new MigrationFailed(`Nova call failed: ${failed.message}`);
      await core.nova.updateServerVolume(a.instance_uuid ?? 'None', v.id, n.id, ctx);
    }
  } catch (err) {
    cleanTemporaryVolume(core, v.id, n.id, false);
    throw err;
  }
}

/** Poll the target like the manager does (deadline: migration_create_volume_timeout_secs). */
async function waitForTarget(core: CinderCore, vId: string, nId: string): Promise<void> {
  const now = () => core.services.runtime.now().getTime();
  const deadline = now() + core.config.migrationCreateTimeoutMs;
  for (;;) {
    const n = core.store.getVolume(nId);
    if (n?.status === 'available') return;
    if (!n || n.status === 'error' || now() > deadline) {
      cleanTemporaryVolume(core, vId, nId, true);
      const why = !n || n.status === 'error' ? 'failed to create new_volume on destination' : 'timeout creating new_volume on destination';
      throw new MigrationFailed(`Volume migration failed: ${why}`);
    }
    await new Promise((r) => setTimeout(r, Math.max(1, Math.min(25, core.config.volumeCreateDelayMs))));
  }
}

/** _clean_temporary_volume: while migrating, the target goes (DB only when it never got created). */
function cleanTemporaryVolume(core: CinderCore, vId: string, nId: string, dbOnly: boolean): void {
  const v = core.store.getVolume(vId);
  if (v?.migration_status === 'migrating') {
    if (dbOnly) core.store.deleteVolume(nId);
    else if (core.store.getVolume(nId)) {
      core.saveVolume(nId, { status: 'deleting' });
      scheduleDelete(core, nId);
    }
  } else if (core.store.getVolume(nId)) {
    core.saveVolume(nId, { migration_status: null });
  }
}

/** Fields finish_volume_migration never exchanges. */
const NOT_SWAPPED = new Set(['id', 'provider_location', 'glance_metadata', 'use_quota', 'name_id', 'migration_status', 'display_description', 'status', 'volume_type_id']);

/**
 * Manager migrate_volume_completion; returns the id Nova must keep (V's). Every write happens in one
 * transaction after the last await: a crash leaves either the migration still `migrating` (Nova's
 * recovery then completes or rolls it back) or fully completed — never V and N half exchanged, so no
 * BDM can end up naming the temporary volume (issue 15).
 */
async function managerCompletion(core: CinderCore, vId: string, nId: string, error: boolean): Promise<string> {
  const renameFails = error ? false : Boolean(await core.faults.take('migration_update_migrated_volume', { volume_id: vId }));
  return core.store.transaction(() => completionSteps(core, vId, nId, error, renameFails));
}

function completionSteps(core: CinderCore, vId: string, nId: string, error: boolean, renameFails: boolean): string {
  let v = core.reload(vId);
  const orig = v.previous_status;
  if (error) {
    if (core.store.getVolume(nId)) {
      core.saveVolume(nId, { status: 'deleting' });
      scheduleDelete(core, nId);
    }
    core.saveVolume(vId, { migration_status: 'error', status: orig ?? v.status });
    return vId;
  }
  core.saveVolume(vId, { migration_status: 'completing' });
  // Old attach flow: detach what is still attached to V, to re-attach it after the swap.
  const saved = orig === 'in-use' && v.status !== 'available' ? core.store.attachmentsOf(vId) : [];
  for (const a of saved) managerDetach(core, vId, a.id);

  // update_migrated_volume (LVM): an available volume's LV is renamed back; otherwise V keeps N's name.
  v = core.reload(vId);
  let n = core.reload(nId);
  const nameId = orig === 'available' && !renameFails ? null : n.name_id ?? n.id;
  core.store.updateVolume(nId, { name_id: v.name_id, provider_location: v.provider_location });
  core.store.updateVolume(vId, { name_id: nameId, provider_location: n.provider_location });

  // Volume.finish_volume_migration(N): exchange every field except the skipped ones.
  v = core.reload(vId);
  n = core.reload(nId);
  const toV: Record<string, unknown> = {};
  const toN: Record<string, unknown> = {};
  for (const key of Object.keys(v) as (keyof Volume)[]) {
    if (NOT_SWAPPED.has(key)) continue;
    toV[key] = n[key];
    toN[key] = v[key];
  }
  Object.assign(toV, { migration_status: null, status: n.status, volume_type_id: n.volume_type_id });
  Object.assign(toN, { migration_status: 'deleting', status: 'deleting', display_description: `migration src for ${vId}` });
  if (!n.name_id) toN.name_id = vId;
  core.store.updateVolume(vId, toV as Partial<Volume>);
  core.store.updateVolume(nId, toN as Partial<Volume>);

  const statusNow = core.reload(vId).status;
  if (orig === 'in-use' && ['available', 'reserved', 'attaching'].includes(statusNow)) {
    for (const a of saved) managerAttach(core, vId, a.instance_uuid, a.attached_host, a.mountpoint, a.attach_mode ?? 'rw');
  }
  core.saveVolume(vId, { status: orig ?? statusNow, previous_status: statusNow, migration_status: 'success' });
  scheduleDelete(core, nId);
  // New attach flow: the attachment Nova made on N now belongs to V.
  for (const a of core.store.attachmentsOf(nId)) core.store.updateAttachment(a.id, { volume_id: vId });
  return vId;
}

// ---- os-migrate_volume_completion (API) ----

/** Nova's legacy swap: move V's attachments to N (API.detach + API.attach). */
async function moveAttachments(core: CinderCore, ctx: CinderCtx, v: Volume, n: Volume): Promise<void> {
  for (const a of core.store.attachmentsOf(v.id)) {
    await attachmentDeletionAllowed(core, ctx, a.id, core.reload(v.id));
    managerDetach(core, v.id, a.id);
    attachVolume(core, n.id, { instanceUuid: a.instance_uuid, hostName: a.attached_host, mountpoint: a.mountpoint, mode: 'rw' });
  }
}

/**
 * config cinderCompat 'nova-fixture': CinderFixture.migrate_volume_completion answers
 * {"save_volume_id": new} without any check. Bookkeeping as for Nova's legacy swap, and the
 * source's "migration" ends (migration_status cleared; available once nothing is attached).
 */
async function fixtureCompletion(core: CinderCore, ctx: CinderCtx, v: Volume, n: Volume, error: boolean): Promise<string> {
  if (!error) await moveAttachments(core, ctx, v, n);
  const attached = core.store.attachmentsOf(v.id).length > 0;
  core.saveVolume(v.id, attached ? { migration_status: null } : { migration_status: null, status: 'available', attach_status: 'detached' });
  return n.id;
}

export async function migrateVolumeCompletion(core: CinderCore, ctx: CinderCtx, id: string, newId: string, error: boolean): Promise<string> {
  await core.faults.check('migrate_volume_completion', { volume_id: id });
  const v = core.getVolume(ctx, id);
  if (core.config.cinderCompat === 'nova-fixture') {
    const target = core.getVolume(ctx, newId);
    if (v.migration_status && !target.migration_status) return fixtureCompletion(core, ctx, v, target, error);
  }
  core.policy.authorize('volume_extension:volume_admin_actions:migrate_volume_completion', ctx, v.project_id);
  const n = core.getVolume(ctx, newId);
  core.policy.authorize('volume_extension:volume_admin_actions:migrate_volume_completion', ctx, v.project_id);
  if (!v.migration_status && !n.migration_status) {
    // Nova's legacy swap: move V's attachments to N, return N.
    if (!error) await moveAttachments(core, ctx, v, n);
    return n.id;
  }
  if (!v.migration_status) throw invalidVolume('Source volume not mid-migration.');
  if (!n.migration_status) throw invalidVolume('Destination volume not mid-migration.');
  const expected = `target:${v.id}`;
  if (n.migration_status !== expected) throw invalidVolume(`Destination has migration_status ${n.migration_status}, expected ${expected}.`);
  return managerCompletion(core, v.id, n.id, error);
}


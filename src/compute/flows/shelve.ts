// ComputeManager._shelve_instance, _shelve_offload_instance and _unshelve_instance
// (nova/compute/manager.py), with nova.virt.fake's behaviour: power_off shuts the guest down,
// snapshot uploads the image (here: a small stand-in over HTTP to the fake Glance), destroy and
// spawn only consult their fault points.
import { POWER_STATE } from '../../domain.js';
import type { FlowContext } from '../actions/types.js';
import { frame } from '../exceptions.js';
import { GlanceClient } from '../glance-client.js';
import { setupInstanceNetworkOnHost, unbindPortsKeepDevice } from '../network.js';
import { snapshotData } from '../snapshot-image.js';
import type { Selection } from '../../scheduler/scheduler.js';

type F = FlowContext<unknown>;

const SHELVE_ENTRY = ['shelve_instance', 'do_shelve_instance', '_shelve_instance'];
const OFFLOAD_ENTRY = ['shelve_offload_instance', 'do_shelve_offload_instance', '_shelve_offload_instance'];
const UNSHELVE_ENTRY = ['unshelve_instance', 'do_unshelve_instance', '_unshelve_instance'];

/** Glance's container_format enum. */
const CONTAINER_FORMATS = new Set(['ami', 'ari', 'aki', 'bare', 'ovf', 'ova', 'docker', 'compressed']);

/** datetime.isoformat() of timeutils.utcnow(): microseconds only when non-zero. */
function pyIsoformat(d: Date): string {
  const base = d.toISOString().slice(0, 19);
  const ms = d.getUTCMilliseconds();
  return ms ? `${base}.${String(ms * 1000).padStart(6, '0')}` : base;
}

/** compute_utils.remove_shelved_keys_from_system_metadata. */
export function withoutShelvedKeys(sys: Record<string, string>): Record<string, string> {
  const out = { ...sys };
  for (const k of ['shelved_at', 'shelved_image_id', 'shelved_host']) delete out[k];
  return out;
}

/** _shelve_instance: instance.exists, shelve.start, power off, snapshot, SHELVED, shelve.end (then offload when shelved_offload_time is 0). */
export async function shelveInstance(f: F, imageId: string): Promise<void> {
  const s = f.d.services;
  const offload = s.config.shelvedOffloadTime === 0;
  f.d.notifier.notifyUsageExists(f.ctx, f.instance(), s.bdms.listForInstance(f.uuid), f.host);
  f.notify('shelve', 'start', { bdmsPassed: offload });
  // _power_off_instance (a paused guest is not shut down cleanly; the fake driver does not care).
  await f.d.driver.faultPoint('driver.power_off', { instance_uuid: f.uuid }, [...SHELVE_ENTRY, '_power_off_instance'], frame('nova.virt.libvirt.driver', 'power_off', 3000));
  f.save({ power_state: POWER_STATE.shutdown });
  // driver.snapshot(context, instance, image_id, update_task_state): the shelving_* upload states, then the data.
  f.save({ task_state: 'shelving_image_pending_upload' });
  await f.d.driver.faultPoint('driver.snapshot', { instance_uuid: f.uuid }, SHELVE_ENTRY, frame('nova.virt.libvirt.driver', 'snapshot', 3000));
  f.save({ task_state: 'shelving_image_uploading' });
  const glance = new GlanceClient(s);
  const image = await glance.show(f.ctx, imageId);
  // An image already uploaded (a shelve re-run after a restart) is left as it is.
  if (image.status === 'queued') {
    const base = await glance.show(f.ctx, f.instance().image_ref).catch(() => null);
    // libvirt's snapshot: the disk's format, the base image's container format (bare when it has no usable one).
    const container = base?.container_format && CONTAINER_FORMATS.has(base.container_format) ? base.container_format : 'bare';
    await glance.upload(f.ctx, imageId, { disk_format: base?.disk_format || 'qcow2', container_format: container }, snapshotData(f.instance()));
  }
  const sys = { ...f.instance().system_metadata, shelved_at: pyIsoformat(s.runtime.now()), shelved_image_id: imageId, shelved_host: f.host };
  f.save({ system_metadata: sys, vm_state: 'shelved', task_state: offload ? 'shelving_offloading' : null, power_state: POWER_STATE.shutdown });
  f.notify('shelve', 'end', { bdmsPassed: offload });
  if (offload) await shelveOffloadInstance(f, { cleanShutdown: false });
}

/**
 * _shelve_offload_instance: shelve_offload.start, power off, ports unbound (detach=False), driver
 * destroy, volume connections terminated (a new attachment without connector keeps each volume
 * reserved for the instance), SHELVED_OFFLOADED, host/node/zone cleared, shelve_offload.end.
 */
export async function shelveOffloadInstance(f: F, _opts: { cleanShutdown: boolean }): Promise<void> {
  const s = f.d.services;
  f.notify('shelve_offload', 'start', { bdmsPassed: true });
  await f.d.driver.faultPoint('driver.power_off', { instance_uuid: f.uuid }, [...OFFLOAD_ENTRY, '_power_off_instance'], frame('nova.virt.libvirt.driver', 'power_off', 3000));
  await unbindPortsKeepDevice(f.d.network, f.ctx, f.instance());
  await f.d.driver.faultPoint('driver.destroy', { instance_uuid: f.uuid }, OFFLOAD_ENTRY, frame('nova.virt.libvirt.driver', 'destroy', 1500));
  await terminateVolumeConnections(f);
  f.save({ power_state: POWER_STATE.shutdown, vm_state: 'shelved_offloaded', task_state: null });
  // _nil_out_instance_obj_host_and_node: no host, so no zone either.
  f.save({ host: null, node: null, availability_zone: null });
  f.notify('shelve_offload', 'end', { bdmsPassed: true });
}

/**
 * _terminate_volume_connections: for a new-style attachment, attachment_create (no connector) then
 * attachment_delete of the old one, the BDM keeping the new id; legacy BDMs terminate_connection.
 */
async function terminateVolumeConnections(f: F): Promise<void> {
  const s = f.d.services;
  const connector = f.d.driver.getVolumeConnector(f.instance());
  for (const bdm of s.bdms.listForInstance(f.uuid).filter((b) => b.volume_id)) {
    if (bdm.attachment_id) {
      const fresh = await f.d.volumes.attachmentCreate(f.ctx, bdm.volume_id!, f.uuid);
      s.db.transaction(() => s.bdms.update(bdm.id, { attachment_id: fresh.id, connection_info: null, updated_at: s.runtime.now() }))();
      await f.d.volumes.attachmentDelete(f.ctx, bdm.attachment_id);
    } else {
      await f.d.volumes.terminateConnection(f.ctx, bdm.volume_id!, connector);
    }
  }
}

/**
 * _prep_block_device on the new host: attachment_update with this host's connector and
 * attachment_complete (legacy: initialize_connection + attach), connection_info saved in the BDM.
 */
async function prepBlockDevices(f: F): Promise<void> {
  const s = f.d.services;
  const connector = f.d.driver.getVolumeConnector(f.instance());
  for (const bdm of s.bdms.listForInstance(f.uuid).filter((b) => b.volume_id)) {
    if (bdm.attachment_id) {
      const att = await f.d.volumes.attachmentUpdate(f.ctx, bdm.attachment_id, connector, bdm.device_name);
      await f.d.volumes.attachmentComplete(f.ctx, bdm.attachment_id);
      s.db.transaction(() => s.bdms.update(bdm.id, { connection_info: JSON.stringify({ ...att.connection_info, serial: bdm.volume_id }), updated_at: s.runtime.now() }))();
    } else {
      const cinfo = await f.d.volumes.initializeConnection(f.ctx, bdm.volume_id!, connector);
      await f.d.volumes.attach(f.ctx, bdm.volume_id!, f.uuid, bdm.device_name ?? '');
      s.db.transaction(() => s.bdms.update(bdm.id, { connection_info: JSON.stringify({ ...cinfo, serial: bdm.volume_id }), updated_at: s.runtime.now() }))();
    }
  }
}

/** The failed spawn's clean-up: volume connections terminated, host/node (and zone) cleared. */
export async function undoUnshelveClaim(f: F): Promise<void> {
  await terminateVolumeConnections(f).catch(() => undefined);
  f.save({ host: null, node: null, availability_zone: null });
}

/**
 * _unshelve_instance on the host the scheduler chose: unshelve.start, SPAWNING, block devices
 * prepared for this host, the claim (host/node), ports bound here, spawn; on failure the volume
 * connections are terminated and host/node cleared (reverts_task_state then clears task_state);
 * on success the snapshot image is deleted, the shelved keys removed, ACTIVE, unshelve.end.
 */
export async function unshelveInstance(f: F, dest: Selection): Promise<void> {
  const s = f.d.services;
  const n = f.d.notifier;
  const notify = (phase: 'start' | 'end') => n.notifyAboutInstanceAction(f.ctx, f.instance(), s.bdms.listForInstance(f.uuid), dest.host, 'unshelve', phase, null, { bdmsFromDb: false });
  notify('start');
  f.save({ task_state: 'spawning' });
  const imageId = f.instance().system_metadata.shelved_image_id ?? null;
  try {
    // rt.instance_claim sets host and node; the connector and the port binding are this host's.
    f.save({ host: dest.host, node: dest.node });
    await prepBlockDevices(f);
    await setupInstanceNetworkOnHost(f.d.network, f.ctx, f.instance(), dest.host);
    await f.d.driver.faultPoint('driver.spawn', { instance_uuid: f.uuid }, UNSHELVE_ENTRY, frame('nova.virt.libvirt.driver', 'spawn', 4400));
  } catch (e) {
    await undoUnshelveClaim(f);
    throw e;
  } finally {
    f.d.scheduler.release(f.uuid);
  }
  if (imageId) {
    // _delete_snapshot_of_shelved_instance: failures are logged, not raised.
    await new GlanceClient(s).delete(f.ctx, imageId).catch(() => undefined);
  }
  const now = s.runtime.now();
  f.save({ system_metadata: withoutShelvedKeys(f.instance().system_metadata), power_state: POWER_STATE.running, vm_state: 'active', task_state: null, launched_at: now });
  notify('end');
}

// shelve / shelveOffload / unshelve (nova/api/openstack/compute/shelve.py → compute_api.shelve,
// shelve_offload, unshelve → ComputeManager.shelve_instance/_shelve_instance,
// shelve_offload_instance/_shelve_offload_instance, ComputeTaskManager.unshelve_instance and
// ComputeManager.unshelve_instance/_unshelve_instance), with nova.virt.fake's power states.
import { z } from 'zod';
import { POWER_STATE, type Instance } from '../../domain.js';
import { availabilityZones } from '../availability-zones.js';
import { ComputeException } from '../exceptions.js';
import { requestedAz } from '../request-spec-az.js';
import { createImage } from '../snapshot-image.js';
import { conductUnshelve } from '../flows/unshelve-schedule.js';
import type { Selection } from '../../scheduler/scheduler.js';
import { shelveInstance, shelveOffloadInstance, undoUnshelveClaim, unshelveInstance } from '../flows/shelve.js';
import { anyValue } from './schemas.js';
import { start } from './power.js';
import { defineAction } from './types.js';

const ROOT = 'os_compute_api:os-shelve';

/** compute_utils.is_volume_backed_instance: the root disk is a Cinder volume. */
export function isVolumeBacked(bdms: { boot_index: number | null; destination_type: string }[], instance: Instance): boolean {
  const root = bdms.find((b) => b.boot_index === 0);
  if (root) return root.destination_type === 'volume';
  return !instance.image_ref;
}

export interface ShelveArgs {
  /** The snapshot image nova-api created (image-backed servers); null → volume-backed, offloaded at once. */
  imageId: string | null;
}

export const shelve = defineAction<ShelveArgs>({
  name: 'shelve',
  conflictName: 'shelve',
  bodies: [{ schema: anyValue('shelve') }],
  args: () => ({ imageId: null }),
  policy: `${ROOT}:shelve`,
  lock: true,
  states: { method: 'shelve', vmStates: ['active', 'stopped', 'paused', 'suspended'] },
  taskState: 'shelving',
  // image_base_image_ref is kept for unshelve (bug 1893618).
  apiPatch: (_a, i) => ({ system_metadata: { ...i.system_metadata, image_base_image_ref: i.image_ref } }),
  // compute_utils.create_image(context, instance, '%s-shelved' % display_name, 'snapshot', image_api) over HTTP.
  async prepare({ s, hooks, ctx, instance }) {
    if (isVolumeBacked(s.bdms.listForInstance(instance.uuid), instance)) return { imageId: null };
    const image = await createImage(hooks.glance, ctx, instance, `${instance.display_name}-shelved`, 'snapshot');
    return { imageId: image.id };
  },
  async undo({ hooks, ctx, args }) {
    if (args.imageId) await hooks.glance.delete(ctx, args.imageId);
  },
  instanceAction: 'shelve',
  method: (a) => (a.imageId ? 'shelve_instance' : 'shelve_offload_instance'),
  async flow(f) {
    // A re-run after a restart resumes where the first run stopped (SHELVED, offload pending).
    if (f.instance().vm_state === 'shelved') {
      if (f.instance().task_state === 'shelving_offloading') await shelveOffloadInstance(f, { cleanShutdown: false });
      return;
    }
    if (f.args.imageId) await shelveInstance(f, f.args.imageId);
    else await shelveOffloadInstance(f, { cleanShutdown: true });
  },
  onRestart: 'retry',
});

export const shelveOffload = defineAction<Record<string, never>>({
  name: 'shelveOffload',
  conflictName: 'shelveOffload',
  bodies: [{ schema: anyValue('shelveOffload') }],
  args: () => ({}),
  policy: `${ROOT}:shelve_offload`,
  lock: true,
  states: { method: 'shelve_offload', vmStates: ['shelved'] },
  taskState: 'shelving_offloading',
  instanceAction: 'shelveOffload',
  method: 'shelve_offload_instance',
  async flow(f) {
    await shelveOffloadInstance(f, { cleanShutdown: true });
  },
  // _init_instance: an offload cut short is run again; one that got as far as SHELVED_OFFLOADED only clears the host.
  async onRestart(f) {
    if (f.instance().vm_state === 'shelved_offloaded') f.save({ task_state: null, host: null, node: null, availability_zone: null });
    else await shelveOffloadInstance(f, { cleanShutdown: false });
    return 'completed';
  },
});

// unshelve bodies by microversion (schemas/shelve.py unshelve, unshelve_v277, unshelve_v291).
const az277 = z.string().min(1).max(255).regex(/^(?![\s\u00a0])[\s\S]*(?<![\s\u00a0])$/, { message: 'PY:{value} does not match' });
const unshelve277 = z.object({ unshelve: z.union([z.null(), z.object({ availability_zone: az277 }).strict()]) }).strict();
const unshelve291 = z.object({
  unshelve: z.union([z.null(), z.object({ availability_zone: z.union([z.string(), z.null()]).optional(), host: z.string().optional() }).strict()]),
}).strict();

export interface UnshelveArgs {
  /** new_az: undefined when not passed (keep the RequestSpec's zone), null to unpin (2.91). */
  newAz?: string | null;
  host?: string | null;
  /** Set by the API step: the zone the RequestSpec holds after this unshelve, and where the server was. */
  az?: string | null;
  fromState?: 'shelved' | 'shelved_offloaded';
  /** The conductor's selection for an offloaded server. */
  dest?: Selection;
}

/** UnshelveInstanceInvalidState (409). */
const unshelveInvalidState = (uuid: string, state: string) =>
  new ComputeException('UnshelveInstanceInvalidState', `Specifying an availability zone or a host when unshelving server "${uuid}" with status "${state}" is not supported. The server status must be SHELVED_OFFLOADED.`, { novaException: true, code: 409 });

export const unshelve = defineAction<UnshelveArgs>({
  name: 'unshelve',
  conflictName: 'unshelve',
  bodies: [{ max: '2.76', schema: anyValue('unshelve') }, { min: '2.77', max: '2.90', schema: unshelve277 }, { min: '2.91', schema: unshelve291 }],
  // The controller passes new_az only from 2.77 when given, host only from 2.91.
  args: (body, v) => {
    const b = body.unshelve as { availability_zone?: string | null; host?: string } | null;
    const out: UnshelveArgs = {};
    if (b && typeof b === 'object' && v.matches('2.77') && 'availability_zone' in b) out.newAz = b.availability_zone ?? null;
    if (b && typeof b === 'object' && v.matches('2.91')) out.host = b.host ?? null;
    return out;
  },
  policy: `${ROOT}:unshelve`,
  lock: true,
  states: { method: 'unshelve', vmStates: ['shelved', 'shelved_offloaded'] },
  taskState: 'unshelving',
  instanceAction: 'unshelve',
  errors: { UnshelveInstanceInvalidState: 409, UnshelveHostNotInAZ: 409, MismatchVolumeAZException: 409, InvalidRequest: 400, ComputeHostNotFound: 400 },
  // compute_api.unshelve: the preconditions, in Nova's order.
  async prepare({ s, hooks, ctx, instance, args, authorize }) {
    const azPassed = args.newAz !== undefined;
    if ((azPassed || args.host) && instance.vm_state !== 'shelved_offloaded') throw unshelveInvalidState(instance.uuid, instance.vm_state);
    if (azPassed && args.newAz) {
      // _validate_unshelve_az
      if (!availabilityZones(s).available.includes(args.newAz)) {
        throw new ComputeException('InvalidRequest', 'The requested availability zone is not available', { novaException: true, code: 400 });
      }
      if (!s.config.crossAzAttach) {
        for (const b of s.bdms.listForInstance(instance.uuid).filter((x) => x.volume_id)) {
          const vol = await hooks.volumes.get(ctx, b.volume_id!);
          if (vol.availability_zone !== args.newAz) {
            throw new ComputeException('MismatchVolumeAZException', `The availability zone between the server and its attached volumes do not match: The specified availability zone does not match the volume ${vol.id} attached to the server. Specified availability zone is ${args.newAz}. Volume is in ${vol.availability_zone}..`, { novaException: true, code: 409 });
          }
        }
      }
    }
    const az = azPassed ? args.newAz ?? null : requestedAz(s.db, instance.uuid);
    if (args.host) {
      authorize(`${ROOT}:unshelve_to_host`);
      // ComputeNode.get_first_node_by_host_for_old_compat → ComputeHostNotFound (400).
      if (!s.hosts.nodes().some((n) => n.host === args.host)) {
        throw new ComputeException('ComputeHostNotFound', `Compute host ${args.host} could not be found.`, { novaException: true, code: 400 });
      }
      // _ensure_host_in_az
      const hostAz = s.hosts.hostAvailabilityZone(args.host, s.config.availabilityZone);
      if (az !== null && hostAz !== az) {
        throw new ComputeException('UnshelveHostNotInAZ', `Host "${args.host}" is not in the availability zone "${az}".`, { novaException: true, code: 409 });
      }
    }
    return { ...args, az, fromState: instance.vm_state as 'shelved' | 'shelved_offloaded' };
  },
  // ComputeTaskManager.unshelve_instance, then nova-compute on the host it picked.
  conductor: conductUnshelve,
  computeHost: (a) => a.dest?.host ?? null,
  method: (a) => (a.fromState === 'shelved' ? 'start_instance' : 'unshelve_instance'),
  async flow(f) {
    if (f.args.fromState === 'shelved') {
      await start.flow!(f as never);
      return;
    }
    await unshelveInstance(f, f.args.dest!);
  },
  // _init_instance: an unshelve cut short leaves the server SHELVED_OFFLOADED (a half-done spawn is
  // undone as a failed one is); a conductor-side start of a SHELVED server is run again.
  async onRestart(f) {
    const i = f.instance();
    if (i.vm_state === 'active') {
      if (i.task_state !== null) f.save({ task_state: null });
      return 'completed';
    }
    if (i.vm_state === 'shelved') {
      f.save({ task_state: 'powering-on' });
      await start.flow!(f as never);
      return 'completed';
    }
    if (i.host) await undoUnshelveClaim(f);
    f.save({ task_state: null });
    return 'rolled back';
  },
});


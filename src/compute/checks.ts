// compute/api.py decorators: check_instance_lock and check_instance_state.
import type { Instance, RequestContext, VmState } from '../domain.js';
import { ComputeException } from './exceptions.js';

export class InstanceInvalidState extends ComputeException {
  constructor(readonly attr: string, readonly state: string | null, readonly uuid: string, readonly method: string) {
    super('InstanceInvalidState', `Instance ${uuid} in ${attr} ${state ?? 'None'}. Cannot ${method} while the instance is in this state.`, { novaException: true, code: 409 });
  }
}

export function checkInstanceLock(ctx: RequestContext, instance: Instance): void {
  if (instance.locked && !ctx.isAdmin) {
    throw new ComputeException('InstanceIsLocked', `Instance ${instance.uuid} is locked`, { novaException: true, code: 409 });
  }
}

export function checkInstanceState(
  instance: Instance,
  method: string,
  vmStates: VmState[] | null,
  opts: { taskStates?: (string | null)[] | null; mustHaveLaunched?: boolean } = {},
): void {
  const taskStates = opts.taskStates === undefined ? [null] : opts.taskStates;
  const mustHaveLaunched = opts.mustHaveLaunched ?? true;
  if (vmStates && !vmStates.includes(instance.vm_state)) throw new InstanceInvalidState('vm_state', instance.vm_state, instance.uuid, method);
  if (taskStates && !taskStates.includes(instance.task_state)) throw new InstanceInvalidState('task_state', instance.task_state, instance.uuid, method);
  if (mustHaveLaunched && !instance.launched_at) throw new InstanceInvalidState('launched_at', null, instance.uuid, method);
}

export const notFoundInstance = (uuid: string) =>
  new ComputeException('InstanceNotFound', `Instance ${uuid} could not be found.`, { novaException: true, code: 404 });

export const invalidVolume = (reason: string) =>
  new ComputeException('InvalidVolume', `Invalid volume: ${reason}`, { novaException: true, code: 400 });

export const volumeBdmNotFound = (volumeId: string) =>
  new ComputeException('VolumeBDMNotFound', `No volume Block Device Mapping with id ${volumeId}.`, { novaException: true, code: 404 });

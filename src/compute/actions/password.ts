// changePassword (nova/api/openstack/compute/admin_password.py → compute_api.set_admin_password →
// ComputeManager.set_admin_password, an RPC *call*: the API answers what nova-compute raised).
// nova.virt.fake sets any password; the `driver.set_admin_password` fault point stands for a driver
// that cannot (NotImplementedError → 501, SetAdminPasswdNotSupported → 409, anything else →
// InstancePasswordSetFailed "error setting admin password", 409).
import { z } from 'zod';
import { POWER_STATE } from '../../domain.js';
import { ComputeException, frame } from '../exceptions.js';
import { defineAction } from './types.js';

const schema = z.object({ changePassword: z.object({ adminPass: z.string() }).strict() }).strict();
const ENTRY = ['set_admin_password'];

const setFailed = (uuid: string, reason: string) =>
  new ComputeException('InstancePasswordSetFailed', `Failed to set admin password on ${uuid} because ${reason}`, { novaException: true, code: 500, frames: [frame('nova.compute.manager', 'set_admin_password', 4560)] });

export const changePassword = defineAction<{ password: string }>({
  name: 'changePassword',
  conflictName: 'changePassword',
  bodies: [{ schema }],
  args: (body) => ({ password: (body.changePassword as { adminPass: string }).adminPass }),
  policy: 'os_compute_api:os-admin-password',
  lock: true,
  states: { method: 'set_admin_password', vmStates: ['active'] },
  taskState: 'updating_password',
  instanceAction: 'changePassword',
  method: 'set_admin_password',
  call: true,
  errors: { InstancePasswordSetFailed: 409, SetAdminPasswdNotSupported: 409, InstanceAgentNotEnabled: 409 },
  errorTexts: { NotImplementedError: [501, 'Unable to set password on instance'] },
  async flow(f) {
    if (f.instance().power_state !== POWER_STATE.running) {
      f.save({ task_state: null });
      throw setFailed(f.uuid, `instance ${f.uuid} is not running`);
    }
    try {
      await f.d.driver.faultPoint('driver.set_admin_password', { instance_uuid: f.uuid }, ENTRY, frame('nova.virt.libvirt.driver', 'set_admin_password', 2200));
    } catch (e) {
      const cls = (e as { pyClass?: string }).pyClass;
      f.save({ task_state: null });
      if (cls === 'NotImplementedError' || cls === 'SetAdminPasswdNotSupported' || cls === 'InstanceAgentNotEnabled' || cls === 'UnexpectedTaskStateError') throw e;
      // A new exception so no password detail reaches the caller.
      throw setFailed(f.uuid, 'error setting admin password');
    }
    f.save({ task_state: null });
  },
  onRestart: 'revert',
});

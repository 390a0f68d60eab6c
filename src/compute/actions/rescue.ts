// rescue / unrescue (nova/api/openstack/compute/rescue.py → compute_api.rescue/unrescue →
// ComputeManager.rescue_instance/unrescue_instance), with nova.virt.fake's power states.
import { POWER_STATE } from '../../domain.js';
import { ComputeException, frame } from '../exceptions.js';
import { anyValue, rescue as rescueSchema } from './schemas.js';
import { defineAction } from './types.js';
import { notifyUsageExists } from '../usage-exists.js';

interface RescueArgs {
  password: string;
  rescueImageRef: string | null;
}

export const rescue = defineAction<RescueArgs>({
  name: 'rescue',
  conflictName: 'rescue',
  bodies: [{ schema: rescueSchema }],
  // The controller takes adminPass or generates one, and answers it (CONF.api.enable_instance_password).
  args: (body, _v, gen) => {
    const b = body.rescue as { adminPass?: string; rescue_image_ref?: string } | null;
    return { password: b?.adminPass ?? gen.password(), rescueImageRef: b?.rescue_image_ref ?? null };
  },
  status: 200,
  response: (a) => ({ adminPass: a.password }),
  policy: 'os_compute_api:os-rescue',
  lock: true,
  states: { method: 'rescue', vmStates: ['active', 'stopped', 'error'] },
  // compute_api.rescue: a volume-backed server (no image, or a volume root BDM) is refused unless the rescue
  // image asks for stable device rescue (hw_rescue_bus/hw_rescue_device, 2.87), which novasim's host lacks.
  apiCheck(s, instance) {
    const root = s.bdms.listForInstance(instance.uuid).find((b) => b.boot_index === 0);
    if (!instance.image_ref || root?.destination_type === 'volume') {
      throw new ComputeException('InstanceNotRescuable', `Instance ${instance.uuid} cannot be rescued: Cannot rescue a volume-backed instance`, { novaException: true, code: 400 });
    }
  },
  taskState: 'rescuing',
  instanceAction: 'rescue',
  method: 'rescue_instance',
  async flow(f) {
    const s = f.d.services;
    const ref = f.args.rescueImageRef;
    // _get_rescue_image: the given image, else the instance's own.
    const imageId = ref ?? f.instance().image_ref;
    if (!s.catalog.image(imageId)) throw new ComputeException('ImageNotFound', `Image ${imageId} could not be found.`, { novaException: true, code: 404 });
    f.d.notifier.notifyAboutInstanceRescueAction(f.ctx, f.instance(), s.bdms.listForInstance(f.uuid), f.host, ref, 'start');
    try {
      // _power_off_instance, then driver.rescue.
      await f.d.driver.faultPoint('driver.power_off', { instance_uuid: f.uuid }, ['rescue_instance', '_power_off_instance'], frame('nova.virt.libvirt.driver', 'power_off', 3000));
      f.save({ power_state: POWER_STATE.shutdown });
      await f.d.driver.faultPoint('driver.rescue', { instance_uuid: f.uuid }, ['rescue_instance'], frame('nova.virt.libvirt.driver', 'rescue', 3000));
    } catch (e) {
      // _set_instance_obj_error_state, then InstanceNotRescuable("Driver Error: …").
      f.save({ vm_state: 'error' });
      const inner = e as ComputeException;
      throw new ComputeException('InstanceNotRescuable', `Instance ${f.uuid} cannot be rescued: Driver Error: ${inner.message}`, { novaException: true, code: 400, frames: inner.frames });
    }
    notifyUsageExists(f.d, f.ctx, f.instance(), f.host, { currentPeriod: true });
    f.save({ vm_state: 'rescued', task_state: null, launched_at: s.runtime.now() });
    f.d.notifier.notifyAboutInstanceRescueAction(f.ctx, f.instance(), s.bdms.listForInstance(f.uuid), f.host, ref, 'end');
  },
  onRestart: 'revert',
});

export const unrescue = defineAction<Record<string, never>>({
  name: 'unrescue',
  conflictName: 'unrescue',
  bodies: [{ schema: anyValue('unrescue') }],
  args: () => ({}),
  policy: 'os_compute_api:os-unrescue',
  lock: true,
  states: { method: 'unrescue', vmStates: ['rescued'] },
  taskState: 'unrescuing',
  instanceAction: 'unrescue',
  method: 'unrescue_instance',
  async flow(f) {
    f.notify('unrescue', 'start');
    try {
      await f.d.driver.faultPoint('driver.unrescue', { instance_uuid: f.uuid }, ['unrescue_instance'], frame('nova.virt.libvirt.driver', 'unrescue', 3000));
    } catch (e) {
      // _error_out_instance_on_exception(): ERROR unless NotImplementedError/InstanceFaultRollback (→ ACTIVE).
      const cls = (e as { pyClass?: string }).pyClass;
      f.save(cls === 'NotImplementedError' || cls === 'InstanceFaultRollback' ? { vm_state: 'active', task_state: null } : { vm_state: 'error' });
      throw e;
    }
    f.save({ vm_state: 'active', task_state: null, power_state: POWER_STATE.running });
    f.notify('unrescue', 'end');
  },
  onRestart: 'revert',
});

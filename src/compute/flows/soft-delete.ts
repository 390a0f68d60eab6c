// ComputeManager.soft_delete_instance (nova/compute/manager.py): inside
// notify_about_instance_delete(…, 'soft_delete', source=COMPUTE) — published as
// nova-compute:<CONF.host> — driver.soft_delete (nova.virt.fake: nothing; the guest keeps running),
// then SOFT_DELETED with task_state None.
import type { RequestContext } from '../../domain.js';
import { type ManagerDeps, elevated } from '../deps.js';
import { withInstanceEvent } from '../events.js';
import { saveInstance } from '../instance-save.js';

export async function softDeleteInstance(d: ManagerDeps, reqCtx: RequestContext, uuid: string): Promise<void> {
  const s = d.services;
  const instance = s.instances.get(uuid);
  if (!instance) return;
  const ctx = elevated(reqCtx);
  await withInstanceEvent(d, ctx, instance, 'soft_delete_instance', async () => {
    const notify = (phase: 'start' | 'end') => d.notifier.notifyAboutInstanceAction(ctx, s.instances.get(uuid)!, s.bdms.listForInstance(uuid), s.config.confHost, 'soft_delete', phase, null, { bdmsFromDb: true });
    notify('start');
    try {
      await d.driver.faultPoint('driver.soft_delete', { instance_uuid: uuid }, ['soft_delete_instance']);
      // instance.vm_state = SOFT_DELETED; task_state None; instance.save(expected_task_state=[SOFT_DELETING]).
      s.db.transaction(() => saveInstance(s, d.notifier, ctx, uuid, { vm_state: 'soft-delete', task_state: null, updated_at: s.runtime.now() }))();
    } catch (e) {
      // reverts_task_state: _instance_update(context, instance, task_state=None), an instance.save().
      s.db.transaction(() => saveInstance(s, d.notifier, ctx, uuid, { task_state: null }))();
      throw e;
    } finally {
      // The context manager's finally: soft_delete.end is sent even when the driver failed.
      notify('end');
    }
  });
}

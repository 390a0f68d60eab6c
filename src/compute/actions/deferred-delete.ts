// restore / forceDelete (nova/api/openstack/compute/deferred_delete.py → compute_api.restore /
// force_delete → ComputeManager.restore_instance / compute_api._delete).
import { anyValue } from './schemas.js';
import { defineAction } from './types.js';

const ROOT = 'os_compute_api:os-deferred-delete';
type NoArgs = Record<string, never>;

export const restore = defineAction<NoArgs>({
  name: 'restore',
  conflictName: 'restore',
  bodies: [{ schema: anyValue('restore') }],
  args: () => ({}),
  policy: `${ROOT}:restore`,
  lock: true,
  states: { method: 'restore', vmStates: ['soft-delete'] },
  // check_num_instances_quota(context, flavor, 1, 1, project_id=…, user_id=…) of the instance's owner.
  async prepare({ hooks, ctx, instance, args }) {
    hooks.quotas.checkNumInstances(ctx, instance.flavor, 1, 1, instance.project_id, instance.user_id);
    return args;
  },
  errors: { TooManyInstances: 403, OverQuota: 403 },
  instanceAction: 'restore',
  // With a host, RESTORING and a cast; without one (soft-deleted while its compute was down) nova-api finishes it.
  castIf: (i) => i.host !== null,
  taskState: 'restoring',
  apiPatch: (_a, i) => (i.host !== null ? { deleted_at: null } : { vm_state: 'active', task_state: null, deleted_at: null }),
  method: 'restore_instance',
  // restore.start, driver.restore (fake: nothing), ACTIVE, restore.end.
  async flow(f) {
    f.notify('restore', 'start');
    await f.d.driver.faultPoint('driver.restore', { instance_uuid: f.uuid }, ['restore_instance']);
    f.save({ vm_state: 'active', task_state: null });
    f.notify('restore', 'end');
  },
  onRestart: 'retry',
});

export const forceDelete = defineAction<NoArgs>({
  name: 'forceDelete',
  conflictName: 'forceDelete',
  bodies: [{ schema: anyValue('forceDelete') }],
  args: () => ({}),
  policy: `${ROOT}:force`,
  lock: true,
  // @check_instance_state(task_state=None, must_have_launched=False): any vm_state.
  states: { method: 'force_delete', vmStates: null, mustHaveLaunched: false },
  async apiCall({ hooks, ctx, instance }) {
    await hooks.deleteInstance(ctx, instance, 'force_delete');
  },
});

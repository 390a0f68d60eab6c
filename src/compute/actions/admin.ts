// os-resetState (nova/api/openstack/compute/admin_actions.py _reset_state): admin only; records a
// `resetState` action (started and finished by nova-api, no events), then vm_state := active|error
// and task_state := None (save(admin_state_reset=True): no expected task_state).
import { z } from 'zod';
import { defineAction } from './types.js';
import { saveInstance } from '../instance-save.js';

const resetStateSchema = z.object({ 'os-resetState': z.object({ state: z.enum(['active', 'error']) }).strict() }).strict();

export const resetState = defineAction<{ state: 'active' | 'error' }>({
  name: 'os-resetState',
  conflictName: 'os-resetState',
  bodies: [{ schema: resetStateSchema }],
  args: (body) => ({ state: (body['os-resetState'] as { state: 'active' | 'error' }).state }),
  policy: 'os_compute_api:os-admin-actions:reset_state',
  lock: false,
  states: null,
  instanceAction: 'resetState',
  apiEffect({ s, notifier, ctx, instance, args }) {
    const now = s.runtime.now();
    const id = s.actions.start({ action: 'resetState', instanceUuid: instance.uuid, requestId: ctx.requestId, userId: ctx.userId, projectId: ctx.projectId, at: now });
    // instance.save(admin_state_reset=True): send_update (service 'compute') with notify_on_state_change.
    saveInstance(s, notifier, ctx, instance.uuid, { vm_state: args.state, task_state: null, updated_at: now });
    s.actions.finish(id, now);
  },
});

// lock / unlock (nova/api/openstack/compute/lock_server.py → compute_api.lock/unlock): done by
// nova-api itself, under wrap_instance_event(prefix='api'), then instance.lock/unlock from nova-api.
// The flag is an instance.save() inside the event, so with notify_on_state_change an instance.update
// (publisher nova-compute: send_update's default service) precedes instance.lock/unlock.
import { anyValue, lockV273 } from './schemas.js';
import { defineAction } from './types.js';
import { saveInstance } from '../instance-save.js';

const ROOT = 'os_compute_api:os-lock-server';

export const lock = defineAction<{ reason: string | null }>({
  name: 'lock',
  conflictName: 'lock',
  bodies: [{ max: '2.72', schema: anyValue('lock') }, { min: '2.73', schema: lockV273 }],
  args: (body, v) => {
    const b = body.lock as { locked_reason?: string } | null;
    return { reason: v.matches('2.73') && b ? b.locked_reason ?? null : null };
  },
  policy: `${ROOT}:lock`,
  lock: false,
  states: null,
  instanceAction: 'lock',
  apiEffect({ s, notifier, ctx, instance, args, recordApiEvent }) {
    // Only an admin (non-owner) may re-lock a locked instance; for the owner it is a no-op.
    const isOwner = instance.project_id === ctx.projectId;
    if (instance.locked && isOwner) return;
    const elevated = { ...ctx, isAdmin: true };
    recordApiEvent('lock', 'lock', () => {
      const sys = { ...instance.system_metadata };
      if (args.reason) sys.locked_reason = args.reason;
      saveInstance(s, notifier, elevated, instance.uuid, { locked: true, locked_by: isOwner ? 'owner' : 'admin', system_metadata: sys, updated_at: s.runtime.now() });
    });
    notifier.notifyAboutInstanceAction(elevated, s.instances.get(instance.uuid)!, s.bdms.listForInstance(instance.uuid), s.config.confHost, 'lock', null, null, { source: 'nova-api', bdmsFromDb: true });
  },
});

export const unlock = defineAction<Record<string, never>>({
  name: 'unlock',
  conflictName: 'unlock',
  bodies: [{ schema: anyValue('unlock') }],
  args: () => ({}),
  policy: `${ROOT}:unlock`,
  // is_expected_locked_by: a lock set by the other side (owner vs admin) needs unlock_override.
  extraPolicy: (ctx, instance) => {
    const expected = instance.project_id === ctx.projectId ? 'owner' : 'admin';
    return instance.locked_by && instance.locked_by !== expected ? `${ROOT}:unlock:unlock_override` : null;
  },
  lock: false,
  states: null,
  instanceAction: 'unlock',
  apiEffect({ s, notifier, ctx, instance, recordApiEvent }) {
    const elevated = { ...ctx, isAdmin: true };
    recordApiEvent('unlock', 'unlock', () => {
      const sys = { ...instance.system_metadata };
      delete sys.locked_reason;
      saveInstance(s, notifier, elevated, instance.uuid, { locked: false, locked_by: null, system_metadata: sys, updated_at: s.runtime.now() });
    });
    notifier.notifyAboutInstanceAction(elevated, s.instances.get(instance.uuid)!, s.bdms.listForInstance(instance.uuid), s.config.confHost, 'unlock', null, null, { source: 'nova-api', bdmsFromDb: true });
  },
});

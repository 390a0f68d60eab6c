// ComputeManager._poll_unconfirmed_resizes (nova/compute/manager.py): with resize_confirm_window > 0,
// a resize or cold migration left in VERIFY_RESIZE longer than the window is confirmed the way
// compute_api.confirm_resize(context, instance, migration=migration) does it for the periodic task:
// the migration goes to 'confirming', a confirmResize action is recorded and confirm_resize is cast.
import type { RequestContext } from '../domain.js';
import { MigrationRecords } from '../store/migration-records.js';
import type { ComputeManager } from './manager.js';

/** The periodic task's admin context (nova.context.get_admin_context), as nova's service user. */
function periodicContext(m: ComputeManager): RequestContext | null {
  const s = m.d.services;
  const user = s.identity.user({ name: 'nova' });
  const project = s.identity.project({ name: 'service' });
  if (!user || !project) return null;
  return { requestId: s.runtime.requestId(), userId: user.id, projectId: project.id, roles: ['admin'], isAdmin: true, authToken: '' };
}

/** One run of the periodic task; returns the instances it confirmed. */
export function pollUnconfirmedResizes(m: ComputeManager): string[] {
  const s = m.d.services;
  const window = s.config.resizeConfirmWindow;
  if (window <= 0) return [];
  const records = new MigrationRecords(s.db);
  const due = records.unconfirmedBefore(new Date(s.runtime.now().getTime() - window * 1000));
  const done: string[] = [];
  for (const migration of due) {
    const ctx = periodicContext(m);
    if (!ctx) return done;
    let start: (() => void) | null = null;
    s.db.transaction(() => {
      const instance = s.instances.get(migration.instance_uuid);
      // "Instance not resizing, skipping": anything but RESIZED with no task is left alone (Nova errors the
      // migration when the instance is gone or in ERROR).
      if (!instance || instance.vm_state === 'error') {
        records.update(migration.id, { status: 'error' }, s.runtime.now());
        return;
      }
      if (instance.vm_state !== 'resized' || instance.task_state !== null) return;
      records.update(migration.id, { status: 'confirming' }, s.runtime.now());
      s.actions.start({ action: 'confirmResize', instanceUuid: instance.uuid, requestId: ctx.requestId, userId: ctx.userId, projectId: ctx.projectId, at: s.runtime.now() });
      start = m.record(ctx, { kind: 'server_action', uuid: instance.uuid, action: 'confirmResize', args: { migrationId: migration.id } });
      done.push(instance.uuid);
    })();
    if (start) (start as () => void)();
  }
  return done;
}

/** Run the task every min(window, 60) seconds while resize_confirm_window is set; returns the stopper. */
export function startResizePoller(m: ComputeManager): () => void {
  const window = m.d.services.config.resizeConfirmWindow;
  if (window <= 0) return () => undefined;
  const timer = setInterval(() => {
    try {
      pollUnconfirmedResizes(m);
    } catch {
      // A periodic task logs and tries again next time.
    }
  }, Math.min(window, 60) * 1000);
  timer.unref?.();
  return () => clearInterval(timer);
}

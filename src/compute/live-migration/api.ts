// compute_api.live_migrate_force_complete / live_migrate_abort (nova/compute/api.py): the decorators'
// checks, the migration's state, _record_action_start and the cast to the source compute, in one
// transaction; the cast starts once it committed.
import type { Instance, RequestContext } from '../../domain.js';
import type { Services } from '../../services.js';
import { MigrationRecords } from '../../store/migration-records.js';
import type { MigrationRow } from '../../store/hosts.js';
import { checkInstanceLock, checkInstanceState, notFoundInstance } from '../checks.js';
import { ComputeException } from '../exceptions.js';
import type { ComputeManager } from '../manager.js';

const migrationNotFoundForInstance = (id: string | number, uuid: string) =>
  new ComputeException('MigrationNotFoundForInstance', `Migration ${id} not found for instance ${uuid}`, { novaException: true, code: 404 });

const invalidMigrationState = (id: number, uuid: string, state: string, method: string) =>
  new ComputeException('InvalidMigrationState', `Migration ${id} state of instance ${uuid} is ${state}. Cannot ${method} while the migration is in this state.`, { novaException: true, code: 400 });

export class LiveMigrationApi {
  private records: MigrationRecords;

  constructor(private s: Services, private manager: ComputeManager) {
    this.records = new MigrationRecords(s.db);
  }

  /** Migration.get_by_id_and_instance (an id that is not an integer is not found either). */
  migrationFor(id: string, uuid: string): MigrationRow {
    const n = /^\d+$/.test(id) ? Number(id) : NaN;
    const m = Number.isSafeInteger(n) ? this.records.getForInstance(n, uuid) : null;
    if (!m) throw migrationNotFoundForInstance(id, uuid);
    return m;
  }

  /** @check_instance_lock @check_instance_state(vm_state=[ACTIVE], task_state=[MIGRATING]). */
  forceComplete(ctx: RequestContext, instance: Instance, migrationId: string): void {
    this.write(ctx, instance, (current) => {
      checkInstanceLock(ctx, current);
      checkInstanceState(current, 'live_migrate_force_complete', ['active'], { taskStates: ['migrating'] });
      const m = this.migrationFor(migrationId, current.uuid);
      if (m.status !== 'running') throw invalidMigrationState(m.id, current.uuid, m.status, 'force complete');
      return { action: 'live_migration_force_complete', cast: { kind: 'live_migration_force_complete', uuid: current.uuid, migrationId: m.id } };
    });
  }

  /** @check_instance_lock @check_instance_state(task_state=[MIGRATING]); queued/preparing from 2.65. */
  abort(ctx: RequestContext, instance: Instance, migrationId: string, supportAbortInQueue: boolean): void {
    this.write(ctx, instance, (current) => {
      checkInstanceLock(ctx, current);
      checkInstanceState(current, 'live_migrate_abort', null, { taskStates: ['migrating'] });
      const m = this.migrationFor(migrationId, current.uuid);
      const allowed = supportAbortInQueue ? ['running', 'queued', 'preparing'] : ['running'];
      if (!allowed.includes(m.status)) throw invalidMigrationState(m.id, current.uuid, m.status, 'abort live migration');
      return { action: 'live_migration_cancel', cast: { kind: 'live_migration_abort', uuid: current.uuid, migrationId: m.id } };
    });
  }

  private write(ctx: RequestContext, instance: Instance, step: (current: Instance) => { action: string; cast: Parameters<ComputeManager['record']>[1] }): void {
    const s = this.s;
    const start = s.db.transaction(() => {
      const current = s.instances.get(instance.uuid);
      if (!current) throw notFoundInstance(instance.uuid);
      const { action, cast } = step(current);
      s.actions.start({ action, instanceUuid: current.uuid, requestId: ctx.requestId, userId: ctx.userId, projectId: ctx.projectId, at: s.runtime.now() });
      return this.manager.record(ctx, cast);
    })();
    start();
  }
}

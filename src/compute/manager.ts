// nova-compute in-process: operations arrive by "cast" (fire and forget), are recorded in
// compute_tasks until they finish (so a restart can clean up like nova-compute's init_host),
// and run one at a time per instance.
import type { RequestContext } from '../domain.js';
import type { PlacementRequest } from './conductor.js';
import type { ManagerDeps } from './deps.js';
import type { NetworkRequest } from './network.js';
import { type AttachInterfaceArgs, attachInterface, detachInterface } from './flows/interfaces.js';
import type { FixedIp } from '../domain.js';
import { attachVolume } from './flows/attach.js';
import { allowShare, denyShare } from './flows/shares.js';
import { buildAndRunInstance } from './flows/build.js';
import { terminateInstance } from './flows/delete.js';
import { softDeleteInstance } from './flows/soft-delete.js';
import { detachVolume } from './flows/detach.js';
import { type SwapArgs, swapVolume } from './flows/swap.js';
import { SERVER_ACTIONS } from './actions/index.js';
import { runServerAction, type ServerActionCast } from './actions/flow.js';
import { type RecoveryReport, recoverInterrupted } from './recovery.js';
import { TaskRunner } from './tasks.js';
import { startResizePoller } from './resize-poller.js';
import { doLiveMigration, type LiveMigrationJob, liveMigrationAbort, liveMigrationForceComplete } from './live-migration/manager.js';
import { prepared } from '../store/statement-cache.js';

export type Cast =
  | ({ kind: 'build_and_run_instance'; uuid: string; networks: NetworkRequest | { ports: string[] } } & PlacementRequest)
  | { kind: 'terminate_instance'; uuid: string }
  | { kind: 'soft_delete_instance'; uuid: string }
  | { kind: 'attach_volume'; uuid: string; bdmId: number }
  | { kind: 'detach_volume'; uuid: string; volumeId: string; attachmentId: string | null }
  | ({ kind: 'swap_volume'; uuid: string } & SwapArgs)
  | { kind: 'attach_interface'; uuid: string; args: AttachInterfaceArgs }
  | { kind: 'detach_interface'; uuid: string; portId: string }
  | { kind: 'allow_share'; uuid: string; shareId: string }
  | { kind: 'deny_share'; uuid: string; shareId: string }
  | ServerActionCast
  | LiveMigrationJob
  | { kind: 'live_migration_force_complete'; uuid: string; migrationId: number }
  | { kind: 'live_migration_abort'; uuid: string; migrationId: number };

export class ComputeManager {
  readonly tasks: TaskRunner;
  private insertTask;
  private deleteTask;
  /** _poll_unconfirmed_resizes while resize_confirm_window is set (compute/resize-poller.ts). */
  private stopResizePoller: () => void;

  constructor(readonly d: ManagerDeps) {
    this.tasks = new TaskRunner((err) => d.services.config.logLevel !== 'silent' && console.error('compute task failed', err));
    this.insertTask = prepared(d.services.db, 'INSERT INTO compute_tasks (instance_uuid, kind, args, context, created_at) VALUES (?, ?, ?, ?, ?)');
    this.deleteTask = prepared(d.services.db, 'DELETE FROM compute_tasks WHERE id = ?');
    this.stopResizePoller = startResizePoller(this);
    d.spawn = (ctx, job) => {
      const id = Number(this.insertTask.run(job.uuid, job.kind, JSON.stringify(job), JSON.stringify(ctx), this.d.services.runtime.now().toISOString()).lastInsertRowid);
      void this.tasks.run(`${job.uuid}#${job.kind}`, async () => {
        try {
          await doLiveMigration(this.d, ctx, job, id);
        } finally {
          // A job cut short by closing the simulator keeps its row for start-up recovery.
          if (this.d.services.db.open) this.deleteTask.run(id);
        }
      });
    };
  }

  /**
   * Record the cast (inside the caller's transaction, next to the API's writes) and return
   * a starter to call once that transaction has committed.
   */
  record(ctx: RequestContext, cast: Cast): () => void {
    const id = Number(this.insertTask.run(cast.uuid, cast.kind, JSON.stringify(cast), JSON.stringify(ctx), this.d.services.runtime.now().toISOString()).lastInsertRowid);
    return () => this.start(id, ctx, cast);
  }

  /**
   * Record a cast before the API's Cinder calls, inside the transaction that creates what they act
   * on (the attach's BDM): a crash before the API's final commit leaves a row that recovery resolves
   * instead of an orphan BDM and a `reserved` Cinder attachment (storm finding, issue 15). `start`
   * runs it once that commit is done; `drop` deletes it when the API gives up (call inside a transaction).
   */
  recordPending(ctx: RequestContext, cast: Cast): { start: () => void; drop: () => void } {
    const id = Number(this.insertTask.run(cast.uuid, cast.kind, JSON.stringify(cast), JSON.stringify(ctx), this.d.services.runtime.now().toISOString()).lastInsertRowid);
    return { start: () => this.start(id, ctx, cast), drop: () => void this.deleteTask.run(id) };
  }

  start(taskId: number, ctx: RequestContext, cast: Cast): void {
    void this.tasks.run(cast.uuid, async () => {
      try {
        await this.dispatch(ctx, cast);
      } finally {
        this.deleteTask.run(taskId);
      }
    });
  }

  private dispatch(ctx: RequestContext, c: Cast): Promise<void> {
    switch (c.kind) {
      case 'build_and_run_instance':
        return buildAndRunInstance(this.d, ctx, c.uuid, c.networks, c);
      case 'terminate_instance':
        return terminateInstance(this.d, ctx, c.uuid);
      case 'soft_delete_instance':
        return softDeleteInstance(this.d, ctx, c.uuid);
      case 'attach_volume':
        return attachVolume(this.d, ctx, c.uuid, c.bdmId);
      case 'detach_volume':
        return detachVolume(this.d, ctx, c.uuid, c.volumeId, c.attachmentId);
      case 'swap_volume':
        return swapVolume(this.d, ctx, c.uuid, c);
      case 'attach_interface':
        return attachInterface(this.d, ctx, c.uuid, c.args).then(() => undefined);
      case 'detach_interface':
        return detachInterface(this.d, ctx, c.uuid, c.portId);
      case 'allow_share':
        return allowShare(this.d, ctx, c.uuid, c.shareId);
      case 'deny_share':
        return denyShare(this.d, ctx, c.uuid, c.shareId).then(() => undefined);
      case 'live_migration_job':
        // Only recorded by spawn (run there); a recovered row is handled by recovery.ts.
        return Promise.resolve();
      case 'live_migration_force_complete':
        return liveMigrationForceComplete(this.d, ctx, c.uuid);
      case 'live_migration_abort':
        return liveMigrationAbort(this.d, ctx, c.uuid, c.migrationId);
      case 'server_action': {
        const decl = SERVER_ACTIONS.get(c.action);
        return decl ? runServerAction(this.d, ctx, decl, c.uuid, c.args).then(() => undefined) : Promise.resolve();
      }
    }
  }

  /**
   * An RPC call (compute_rpcapi.attach_interface): recorded like a cast, run in the instance's queue,
   * and awaited by the API, which answers with its result or its exception.
   */
  async callAttachInterface(ctx: RequestContext, cast: Extract<Cast, { kind: 'attach_interface' }>): Promise<FixedIp[]> {
    const id = Number(this.insertTask.run(cast.uuid, cast.kind, JSON.stringify(cast), JSON.stringify(ctx), this.d.services.runtime.now().toISOString()).lastInsertRowid);
    let out = { err: new Error('compute manager closed') as unknown, ok: null as FixedIp[] | null };
    await this.tasks.run(cast.uuid, async () => {
      try {
        out = { err: null, ok: await attachInterface(this.d, ctx, cast.uuid, cast.args) };
      } catch (err) {
        out = { err, ok: null };
      } finally {
        this.deleteTask.run(id);
      }
    });
    if (out.ok === null) throw out.err;
    return out.ok;
  }

  /**
   * A server action sent as an RPC call (compute_rpcapi.set_admin_password): recorded with the API's
   * writes (call inside its transaction), run in the instance's queue; the returned function waits
   * for it and throws what the manager method raised.
   */
  recordCall(ctx: RequestContext, cast: ServerActionCast): () => Promise<void> {
    const id = Number(this.insertTask.run(cast.uuid, cast.kind, JSON.stringify(cast), JSON.stringify(ctx), this.d.services.runtime.now().toISOString()).lastInsertRowid);
    return async () => {
      let err: unknown = null;
      await this.tasks.run(cast.uuid, async () => {
        try {
          const decl = SERVER_ACTIONS.get(cast.action);
          err = decl ? await runServerAction(this.d, ctx, decl, cast.uuid, cast.args) : null;
        } finally {
          this.deleteTask.run(id);
        }
      });
      if (err) throw err;
    };
  }

  /** Start-up clean-up of casts a crash interrupted (see recovery.ts); runs before any new work. */
  recover(): Promise<RecoveryReport> {
    let report: RecoveryReport = { completed: [], rolledBack: [] };
    const pending = prepared(this.d.services.db, 'SELECT COUNT(*) AS n FROM compute_tasks').get() as { n: number };
    if (pending.n === 0) return Promise.resolve(report);
    return this.tasks.run('__recovery__', async () => {
      report = await recoverInterrupted(this.d);
    }).then(() => report);
  }

  idle(): Promise<void> {
    return this.tasks.idle();
  }

  close(): void {
    this.stopResizePoller();
    this.tasks.close();
  }
}

// Two of nova-compute's periodic tasks (nova/compute/manager.py), timed by the simulator's clock so a
// test can advance it (POST /_novasim/clock) instead of waiting:
//   _reclaim_queued_deletes (spacing reclaim_instance_interval): SOFT_DELETED servers deleted longer
//     ago than the interval are deleted for good (_delete_instance: delete.start … delete.end);
//   _poll_shelved_instances (spacing shelved_poll_interval): with shelved_offload_time > 0, SHELVED
//     servers shelved longer ago than that are offloaded (task_state SHELVING_OFFLOADING, then
//     shelve_offload_instance).
// Work goes through the manager's recorded casts, so a restart mid-way is recovered like any cast.
import type { RequestContext } from '../domain.js';
import type { Services } from '../services.js';
import type { ComputeManager } from './manager.js';
import { saveInstance } from './instance-save.js';
import { prepared } from '../store/statement-cache.js';

export interface PeriodicReport {
  reclaimed: string[];
  offloaded: string[];
}

/** Python's datetime.fromisoformat of system_metadata['shelved_at'] (naive UTC). */
function parseShelvedAt(v: string | undefined): number | null {
  if (!v) return null;
  const t = Date.parse(/[zZ]|[+-]\d\d:\d\d$/.test(v) ? v : `${v}Z`);
  return Number.isNaN(t) ? null : t;
}

export class ShelveReclaimPeriodics {
  private lastReclaim: number;
  private lastShelvedPoll: number;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<PeriodicReport> | null = null;

  constructor(private readonly s: Services, private readonly manager: ComputeManager) {
    const now = s.runtime.now().getTime();
    this.lastReclaim = now;
    this.lastShelvedPoll = now;
  }

  /** Look every `everyMs` of real time whether a task is due by the simulator's clock. */
  start(everyMs = 250): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.tick().catch(() => undefined), everyMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Run the tasks whose spacing has elapsed on the simulator's clock. */
  tick(): Promise<PeriodicReport> {
    const now = this.s.runtime.now().getTime();
    const c = this.s.config;
    const reclaim = c.reclaimInstanceInterval > 0 && now - this.lastReclaim >= c.reclaimInstanceInterval * 1000;
    const poll = c.shelvedOffloadTime > 0 && now - this.lastShelvedPoll >= c.shelvedPollInterval * 1000;
    if (reclaim) this.lastReclaim = now;
    if (poll) this.lastShelvedPoll = now;
    return this.run({ reclaim, poll });
  }

  /** Run both tasks now (what a periodic run at this instant would do). */
  runNow(): Promise<PeriodicReport> {
    const now = this.s.runtime.now().getTime();
    this.lastReclaim = now;
    this.lastShelvedPoll = now;
    return this.run({ reclaim: true, poll: true });
  }

  private run(which: { reclaim: boolean; poll: boolean }): Promise<PeriodicReport> {
    if (!which.reclaim && !which.poll) return Promise.resolve({ reclaimed: [], offloaded: [] });
    // One run at a time, as oslo's periodic tasks run one after another.
    const go = async (): Promise<PeriodicReport> => ({
      reclaimed: which.reclaim ? this.reclaimQueuedDeletes() : [],
      offloaded: which.poll ? this.pollShelvedInstances() : [],
    });
    const next = (this.running ?? Promise.resolve({ reclaimed: [], offloaded: [] })).then(go, go);
    this.running = next;
    return next;
  }

  /** context.get_admin_context(): no user or project (payloads leave out its request_id). */
  private adminContext(): RequestContext {
    const s = this.s;
    const user = s.identity.user({ name: s.config.novaServiceUser });
    const project = s.identity.project({ name: s.config.serviceProject });
    const token = user && project ? s.tokens.issue(user, project, s.identity.roles(user.id, project.id), ['password']).id : '';
    return { requestId: `req-${s.runtime.uuid()}`, userId: '', projectId: '', roles: ['admin'], isAdmin: true, authToken: token };
  }

  /** Instances on this cell's compute hosts whose service is up (each nova-compute polls its own host). */
  private candidates(vmState: string): { uuid: string; deleted_at: string | null; system_metadata: string }[] {
    const rows = prepared(this.s.db, 'SELECT uuid, host, deleted_at, system_metadata FROM instances WHERE deleted = 0 AND vm_state = ? AND task_state IS NULL AND host IS NOT NULL ORDER BY id')
      .all(vmState) as { uuid: string; host: string; deleted_at: string | null; system_metadata: string }[];
    return rows.filter((r) => {
      const svc = this.s.hosts.computeService(r.host);
      return !!svc && !svc.forced_down;
    });
  }

  /** _reclaim_queued_deletes: _deleted_old_enough (timeutils.is_older_than: strictly older). */
  private reclaimQueuedDeletes(): string[] {
    const s = this.s;
    const interval = s.config.reclaimInstanceInterval;
    if (interval <= 0) return [];
    const now = s.runtime.now().getTime();
    const out: string[] = [];
    const ctx = this.adminContext();
    for (const r of this.candidates('soft-delete')) {
      const at = r.deleted_at ? Date.parse(r.deleted_at) : null;
      if (at !== null && !(now - at > interval * 1000)) continue;
      const start = s.db.transaction(() => this.manager.record(ctx, { kind: 'terminate_instance', uuid: r.uuid }))();
      start();
      out.push(r.uuid);
    }
    return out;
  }

  /** _poll_shelved_instances. */
  private pollShelvedInstances(): string[] {
    const s = this.s;
    const offloadTime = s.config.shelvedOffloadTime;
    if (offloadTime <= 0) return [];
    const now = s.runtime.now().getTime();
    const out: string[] = [];
    const ctx = this.adminContext();
    for (const r of this.candidates('shelved')) {
      const shelvedAt = parseShelvedAt((JSON.parse(r.system_metadata) as Record<string, string>).shelved_at);
      if (shelvedAt === null || !(now - shelvedAt > offloadTime * 1000)) continue;
      const start = s.db.transaction(() => {
        // instance.task_state = SHELVING_OFFLOADING; instance.save(expected_task_state=(None,)).
        saveInstance(s, this.manager.d.notifier, ctx, r.uuid, { task_state: 'shelving_offloading', updated_at: s.runtime.now() });
        return this.manager.record(ctx, { kind: 'server_action', uuid: r.uuid, action: 'shelveOffload', args: {} });
      })();
      start();
      out.push(r.uuid);
    }
    return out;
  }
}

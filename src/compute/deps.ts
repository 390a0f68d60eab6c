import type { Scheduler } from '../scheduler/scheduler.js';
import type { Services } from '../services.js';
import type { Driver } from './driver.js';
import type { ComputeNotifier } from './notifier-port.js';
import type { NetworkApi } from './neutron-client.js';
import type { ShareApi } from './manila-client.js';
import type { VolumeApi } from './volume-api.js';
import type { RequestContext } from '../domain.js';
import type { LiveMigrationJob } from './live-migration/manager.js';

/** What every compute-manager flow works with. */
export interface ManagerDeps {
  services: Services;
  volumes: VolumeApi;
  notifier: ComputeNotifier;
  driver: Driver;
  /** Neutron over HTTP (neutron-client.ts). */
  network: NetworkApi;
  /** Manila over HTTP (manila-client.ts). */
  shares: ShareApi;
  /** nova-scheduler, asked by the conductor step of a build (src/compute/conductor.ts). */
  scheduler: Scheduler;
  /**
   * Submit a job to an executor of its own (Nova's live-migration thread pool): recorded in
   * compute_tasks like a cast, run outside the instance's queue so casts for the instance
   * (force_complete, abort) run while it does. Set by ComputeManager.
   */
  spawn?: (ctx: RequestContext, job: LiveMigrationJob) => void;
}

/** context.elevated(): same user, project and request id, admin flag on. */
export const elevated = <T extends { isAdmin: boolean }>(ctx: T): T => ({ ...ctx, isAdmin: true });

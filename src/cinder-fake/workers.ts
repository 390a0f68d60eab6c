// Cinder's cleanable operations and their start-up clean-up (cinder/objects/cleanable.py,
// cinder/manager.py CleanableManager.do_cleanup, cinder/volume/manager.py _do_cleanup):
// a volume gets a workers row while its create or delete runs (Volume._is_cleanable: 'creating',
// 'deleting', 'uploading', 'downloading'), the row goes when the status changes, and on restart
//   creating / downloading → error,  deleting → the delete is resumed.
// Nothing else is cleaned: a volume left `retyping` or with migration_status `starting`/`migrating`
// by a crash of cinder-volume stays so in real Cinder too (init_host has no migration clean-up; an
// admin runs `cinder reset-state --reset-migration-status`). Migrations driven by Nova's swap are
// resolved by nova-compute's recovery instead (src/compute/recovery.ts), which calls
// os-migrate_volume_completion as Nova's _swap_volume does.
import type { CinderCore } from './core.js';
import { scheduleDelete } from './volume-ops.js';
import { prepared } from '../store/statement-cache.js';

// 'downloading': a re-image in progress (os-reimage); like a create, it ends in `error` after a crash.
const CLEANABLE = ['creating', 'deleting', 'downloading'];

export function setWorker(core: CinderCore, volumeId: string, status: string): void {
  if (!CLEANABLE.includes(status)) return;
  prepared(core.services.db, "INSERT OR REPLACE INTO cinder_workers (resource_type, resource_id, status, created_at) VALUES ('Volume', ?, ?, ?)")
    .run(volumeId, status, core.now());
}

export function unsetWorker(core: CinderCore, volumeId: string): void {
  prepared(core.services.db, "DELETE FROM cinder_workers WHERE resource_type = 'Volume' AND resource_id = ?").run(volumeId);
}

export interface CinderRecoveryReport {
  /** Volumes whose create was interrupted, now `error`. */
  errored: string[];
  /** Volumes whose delete was resumed. */
  deleting: string[];
}

/** CleanableManager.do_cleanup at start-up: what the workers table says was running. */
export function recoverWorkers(core: CinderCore): CinderRecoveryReport {
  const report: CinderRecoveryReport = { errored: [], deleting: [] };
  const rows = prepared(core.services.db, "SELECT resource_id, status FROM cinder_workers WHERE resource_type = 'Volume' ORDER BY created_at").all() as { resource_id: string; status: string }[];
  for (const row of rows) {
    const v = core.store.getVolume(row.resource_id);
    // The worker's status no longer matches: the operation finished or moved on (do_cleanup skips it).
    if (!v || v.status !== row.status) {
      unsetWorker(core, row.resource_id);
      continue;
    }
    if (v.status === 'deleting') {
      // _do_cleanup: self.delete_volume(ctxt, vo_resource, cascade=True); the delete removes the row.
      scheduleDelete(core, v.id);
      report.deleting.push(v.id);
      continue;
    }
    // _do_cleanup: "For Volume creating and downloading ... we have to set status to error".
    core.store.transaction(() => {
      core.saveVolume(v.id, { status: 'error' });
      unsetWorker(core, v.id);
    });
    report.errored.push(v.id);
  }
  return report;
}

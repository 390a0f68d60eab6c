// Every server action novasim serves, by the key of its POST /servers/{id}/action body.
// A new action is one declaration (and its flow) added here.
import { lock, unlock } from './lock.js';
import { pause, reboot, resume, start, stop, suspend, triggerCrashDump, unpause } from './power.js';
import { rescue, unrescue } from './rescue.js';
import { resetState } from './admin.js';
import { getConsoleOutput } from './console-output.js';
import { shelve, shelveOffload, unshelve } from './shelve.js';
import { forceDelete, restore } from './deferred-delete.js';
import { changePassword } from './password.js';
import { getRdpConsole, getSerialConsole, getSpiceConsole, getVncConsole } from './consoles.js';
import { confirmResize, migrate, resize, revertResize } from './resize.js';
import { migrateLive } from './live-migrate.js';
import { rebuild } from './rebuild.js';
import { evacuate } from './evacuate.js';
import { createBackupAction, createImageAction } from './images.js';
import type { AnyServerAction } from './types.js';

const ALL: AnyServerAction[] = [lock, unlock, stop, start, reboot, pause, unpause, suspend, resume, triggerCrashDump, rescue, unrescue, resetState, getConsoleOutput,
  shelve, shelveOffload, unshelve, restore, forceDelete, changePassword, getVncConsole, getSpiceConsole, getSerialConsole, getRdpConsole,
  resize, migrate, confirmResize, revertResize, migrateLive, rebuild, createImageAction, createBackupAction, evacuate];

export const SERVER_ACTIONS: ReadonlyMap<string, AnyServerAction> = new Map(ALL.map((a) => [a.name, a]));

/** The compute fault points the action flows consult (`{service: "compute", operation: …}`). */
export const ACTION_FAULT_POINTS = ['driver.power_off', 'driver.power_on', 'driver.reboot', 'driver.pause', 'driver.unpause', 'driver.suspend', 'driver.resume', 'driver.trigger_crash_dump', 'driver.rescue', 'driver.unrescue',
  'driver.snapshot', 'driver.destroy', 'driver.spawn', 'driver.soft_delete', 'driver.restore', 'driver.set_admin_password', 'compute.prep_resize', 'driver.migrate_disk_and_power_off', 'driver.finish_migration', 'driver.confirm_migration', 'driver.finish_revert_migration',
  // Live migration (compute/live-migration/manager.ts): the source's call to the destination, and the driver steps.
  'rpc.pre_live_migration', 'driver.pre_live_migration', 'driver.live_migration', 'driver.live_migration_monitor', 'driver.post_live_migration_at_destination',
  'driver.rollback_live_migration_at_destination', 'driver.live_migration_force_complete', 'driver.live_migration_abort',
  // Rebuild, evacuate, snapshots (actions/rebuild.ts, images.ts).
  'manager.rebuild_claim', 'driver.rebuild'] as const;

export type { AnyServerAction, ServerAction } from './types.js';
export { ServerActionRunner } from './runner.js';

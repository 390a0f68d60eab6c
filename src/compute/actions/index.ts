// Every server action novasim serves, by the key of its POST /servers/{id}/action body.
// A new action is one declaration (and its flow) added here.
import { lock, unlock } from './lock.js';
import { pause, reboot, resume, start, stop, suspend, triggerCrashDump, unpause } from './power.js';
import { rescue, unrescue } from './rescue.js';
import { resetState } from './admin.js';
import { getConsoleOutput } from './console-output.js';
import { rebuild } from './rebuild.js';
import { evacuate } from './evacuate.js';
import { createBackupAction, createImageAction } from './images.js';
import type { AnyServerAction } from './types.js';

const ALL: AnyServerAction[] = [lock, unlock, stop, start, reboot, pause, unpause, suspend, resume, triggerCrashDump, rescue, unrescue, resetState, getConsoleOutput, rebuild, createImageAction, createBackupAction, evacuate];

export const SERVER_ACTIONS: ReadonlyMap<string, AnyServerAction> = new Map(ALL.map((a) => [a.name, a]));

/** The compute fault points the action flows consult (`{service: "compute", operation: …}`). */
export const ACTION_FAULT_POINTS = ['driver.power_off', 'driver.power_on', 'driver.reboot', 'driver.pause', 'driver.unpause', 'driver.suspend', 'driver.resume', 'driver.trigger_crash_dump', 'driver.rescue', 'driver.unrescue', 'manager.rebuild_claim', 'driver.rebuild', 'driver.snapshot'] as const;

export type { AnyServerAction, ServerAction } from './types.js';
export { ServerActionRunner } from './runner.js';

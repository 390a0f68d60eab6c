// Fault injection points of the fake Cinder (cinder-fake.md §7). Each point has a canonical
// snake_case operation name and accepts the spec's dotted spelling as an alias.
import { sleep, type FaultRegistry, type FaultTarget } from '../faults/registry.js';
import { CinderError } from './errors.js';

/** Canonical operation → spec aliases. */
const ALIASES: Record<string, string[]> = {
  get_volume: ['volumes.get'],
  list_volumes: ['volumes.list'],
  create_volume: ['volumes.api_create'],
  update_volume: ['volumes.update'],
  delete_volume: ['volumes.api_delete'],
  attachment_create: ['attachments.create'],
  attachment_update: ['attachments.update'],
  attachment_complete: ['attachments.complete'],
  attachment_delete: ['attachments.delete'],
  attachment_get: ['attachments.get'],
  // Manager-side (asynchronous) points: they end in a status, not in an HTTP error.
  volume_create_task: ['volumes.create'],
  volume_delete_task: ['volumes.delete'],
  volume_reimage_task: ['volumes.reimage'],
  migration_create_target: ['migration.create_target'],
  migration_call_nova: ['migration.call_nova'],
  migration_update_migrated_volume: ['migration.update_migrated_volume'],
};

/** Volume actions: `reserve` ⇔ `volumes.action.os-reserve`, etc. */
const aliasesOf = (op: string) => ALIASES[op] ?? [`volumes.action.os-${op}`];

export type FaultOutcome = { kind: 'error'; status: number; message: string } | null;

export class CinderFaults {
  constructor(private readonly registry: FaultRegistry) {}

  /** Consume a matching fault: sleep for delays, return errors for the caller to apply. */
  async take(operation: string, target: FaultTarget = {}): Promise<FaultOutcome> {
    for (const op of [operation, ...aliasesOf(operation)]) {
      const f = this.registry.take('cinder', op, target);
      if (!f) continue;
      if ('delay_ms' in f.error) {
        await sleep(f.error.delay_ms);
        return null;
      }
      if ('status' in f.error) return { kind: 'error', status: f.error.status, message: f.error.message };
      return { kind: 'error', status: 500, message: f.error.message };
    }
    return null;
  }

  /** API-level point: a matched error becomes Cinder's fault envelope with that status. */
  async check(operation: string, target: FaultTarget = {}): Promise<void> {
    const out = await this.take(operation, target);
    if (out) throw new CinderError(out.status, out.message);
  }
}

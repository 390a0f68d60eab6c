// compute_api.update_instance_metadata / delete_instance_metadata (nova/compute/api.py):
// check_instance_lock, check_instance_state(ACTIVE, PAUSED, SUSPENDED, STOPPED; task_state None),
// the metadata_items quota, then instance.save(). Nova's send_update() after the save sends
// nothing unless [notifications]notify_on_state_change is set (default None); with it set, a plain
// instance.update (update: Instance.save; delete: delete_metadata_key's send_update(self, self)).
import type { Instance, RequestContext } from '../domain.js';
import type { Services } from '../services.js';
import { saveInstance } from './instance-save.js';
import type { ComputeNotifier } from './notifier-port.js';
import { checkInstanceLock, checkInstanceState } from './checks.js';
import { ComputeException } from './exceptions.js';

const METADATA_STATES = ['active', 'paused', 'suspended', 'stopped'] as const;

/** Nova's default quota for metadata_items ([quota]metadata_items = 128). */
export const DEFAULT_METADATA_ITEMS = 128;

/** _check_metadata_properties_quota: OverQuota on metadata_items becomes MetadataLimitExceeded (403). */
export function checkMetadataQuota(metadata: Record<string, string>, allowed = DEFAULT_METADATA_ITEMS): void {
  if (Object.keys(metadata).length > allowed) {
    throw new ComputeException('MetadataLimitExceeded', `Maximum number of metadata items exceeds ${allowed}`, { novaException: true, code: 403 });
  }
}

export class ServerMetadataApi {
  constructor(
    private s: Services,
    private notifier: ComputeNotifier,
  ) {}

  /** update_instance_metadata: merge (or replace, with `replace`) and save; returns the new metadata. */
  update(ctx: RequestContext, instance: Instance, metadata: Record<string, string>, replace: boolean): Record<string, string> {
    checkInstanceLock(ctx, instance);
    checkInstanceState(instance, 'update_instance_metadata', [...METADATA_STATES]);
    const merged = replace ? { ...metadata } : { ...instance.metadata, ...metadata };
    checkMetadataQuota(merged);
    this.save(ctx, instance.uuid, merged);
    return merged;
  }

  /** delete_instance_metadata → instance.delete_metadata_key. */
  delete(ctx: RequestContext, instance: Instance, key: string): void {
    checkInstanceLock(ctx, instance);
    checkInstanceState(instance, 'delete_instance_metadata', [...METADATA_STATES]);
    const rest = { ...instance.metadata };
    delete rest[key];
    this.save(ctx, instance.uuid, rest);
  }

  private save(ctx: RequestContext, uuid: string, metadata: Record<string, string>): void {
    const s = this.s;
    s.db.transaction(() => saveInstance(s, this.notifier, ctx, uuid, { metadata, updated_at: s.runtime.now() }))();
  }
}

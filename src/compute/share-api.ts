// The API half of server shares (nova/api/openstack/compute/server_shares.py create/delete and
// compute_api.allow_share/deny_share): Manila is asked about the share with the user's token, the
// share_mapping row, the instance action and the cast to nova-compute are written in one transaction.
import type { Instance, RequestContext } from '../domain.js';
import type { Services } from '../services.js';
import type { ShareMapping } from '../store/share-mappings.js';
import { ComputeException } from './exceptions.js';
import { SHARE_PROTOCOLS, translateManila } from './flows/shares.js';
import type { ShareApi } from './manila-client.js';
import type { ComputeManager } from './manager.js';

const apiError = (cls: string, message: string, code: number) => new ComputeException(cls, message, { novaException: true, code });

export class ServerShareApi {
  constructor(
    private readonly s: Services,
    private readonly manager: ComputeManager,
    private readonly manila: ShareApi,
  ) {}

  list(instance: Instance): ShareMapping[] {
    return this.s.shareMappings.listForInstance(instance.uuid);
  }

  /** ShareMapping.get_by_instance_uuid_and_share_id: ShareNotFound (404) when absent. */
  get(instance: Instance, shareId: string): ShareMapping {
    const m = this.s.shareMappings.get(instance.uuid, shareId);
    if (!m) throw apiError('ShareNotFound', `Share ${shareId} could not be found.`, 404);
    return m;
  }

  /** create: manila.get + _check_manila_share, the mapping (attaching), then allow_share. */
  async attach(ctx: RequestContext, instance: Instance, shareId: string, tag: string | undefined): Promise<ShareMapping> {
    // hardware.check_shares_supported: COMPUTE_STORAGE_VIRTIO_FS (always reported) and either
    // COMPUTE_MEM_BACKING_FILE or a flavor with hw:mem_page_size.
    if (!this.s.config.memBackingFile && !('hw:mem_page_size' in instance.flavor.extra_specs)) {
      throw apiError('ForbiddenSharesNotConfiguredCorrectly', 'Feature not supported because either compute or instance are not configured correctly.', 409);
    }
    let share;
    try {
      share = await this.manila.get(ctx, shareId);
    } catch (e) {
      throw translateManila(e, shareId, 'get');
    }
    if (share.status !== 'available') throw apiError('ShareStatusIncorect', `Share ${shareId} is in '${share.status}' instead of 'available' status.`, 409);
    if (share.export_location === null) throw apiError('ShareMissingExportLocation', `Share ${shareId} export location is missing.`, 409);
    if (!SHARE_PROTOCOLS.includes(share.share_proto)) throw apiError('ShareProtocolNotSupported', `Share protocol ${share.share_proto} is not supported.`, 409);
    const effectiveTag = tag ?? share.id;
    let start = () => {};
    const mapping = this.s.db.transaction(() => {
      // _try_create_share_mapping: an existing (instance, share) or (instance, tag) is ShareMappingAlreadyExists.
      if (this.s.shareMappings.conflicts(instance.uuid, share.id, effectiveTag)) {
        throw apiError('ShareMappingAlreadyExists', `Share '${share.id}' or tag '${effectiveTag}' already associated to this server.`, 409);
      }
      const now = this.s.runtime.now();
      const m = this.s.shareMappings.create({
        uuid: this.s.runtime.uuid(), instance_uuid: instance.uuid, share_id: share.id, status: 'attaching', tag: effectiveTag,
        export_location: share.export_location!, share_proto: share.share_proto, created_at: now.toISOString(),
      });
      this.recordAction(ctx, instance.uuid, 'attach_share');
      start = this.manager.record(ctx, { kind: 'allow_share', uuid: instance.uuid, shareId: share.id });
      return m;
    })();
    start();
    return mapping;
  }

  /** delete: the mapping goes to detaching, then deny_share. */
  detach(ctx: RequestContext, instance: Instance, shareId: string): void {
    let start = () => {};
    this.s.db.transaction(() => {
      this.get(instance, shareId);
      this.s.shareMappings.setStatus(instance.uuid, shareId, 'detaching', this.s.runtime.now());
      this.recordAction(ctx, instance.uuid, 'detach_share');
      start = this.manager.record(ctx, { kind: 'deny_share', uuid: instance.uuid, shareId });
    })();
    start();
  }

  private recordAction(ctx: RequestContext, uuid: string, action: string) {
    this.s.actions.start({ action, instanceUuid: uuid, requestId: ctx.requestId, userId: ctx.userId, projectId: ctx.projectId, at: this.s.runtime.now() });
  }
}

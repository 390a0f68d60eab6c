// What the compute side asks of the notifier (nova/compute/utils.py notify_about_* helpers).
import type { BlockDeviceMapping, FlavorSnapshot, Instance, RequestContext } from '../domain.js';

export interface ExceptionInfoLike {
  exception: string;
  exception_message: string;
  module_name: string;
  function_name: string;
  traceback: string;
  novaException?: boolean;
  code?: number;
}

export type Phase = 'start' | 'end' | 'error';

export interface ComputeNotifier {
  notifyAboutVolumeSwap(ctx: RequestContext, instance: Instance, bdms: BlockDeviceMapping[], host: string, phase: Phase, oldVolumeId: string, newVolumeId: string, exc?: ExceptionInfoLike): void;
  notifyAboutVolumeAttachDetach(ctx: RequestContext, instance: Instance, bdms: BlockDeviceMapping[], host: string, action: 'volume_attach' | 'volume_detach', phase: Phase, volumeId: string, exc?: ExceptionInfoLike): void;
  notifyAboutInstanceCreate(
    ctx: RequestContext, instance: Instance, bdms: BlockDeviceMapping[], host: string, phase: Phase, exc?: ExceptionInfoLike | null,
    extras?: { keypairs?: readonly { user_id: string | null; name: string; fingerprint: string | null; public_key: string | null; type: 'ssh' | 'x509' }[] },
  ): void;
  notifyAboutInstanceUpdate(ctx: RequestContext, instance: Instance, bdms: BlockDeviceMapping[], opts?: { host?: string; source?: 'nova-api' | 'nova-compute'; oldState?: string | null; newState?: string | null; oldTaskState?: string | null; newTaskState?: string | null; oldDisplayName?: string | null }): void;
  /** send_update (Instance.save) and send_update_with_states: only with [notifications]notify_on_state_change. */
  sendUpdate(ctx: RequestContext, old: Instance, updated: Instance, bdms: BlockDeviceMapping[], opts?: { source?: 'nova-api' | 'nova-compute' | 'nova-conductor'; host?: string }): void;
  sendUpdateWithStates(
    ctx: RequestContext, instance: Instance, bdms: BlockDeviceMapping[], states: { oldState?: string | null; newState?: string | null; oldTaskState?: string | null; newTaskState?: string | null },
    opts?: { source?: 'nova-api' | 'nova-compute' | 'nova-conductor'; host?: string },
  ): void;
  notifyAboutInstanceAction(
    ctx: RequestContext, instance: Instance, bdms: BlockDeviceMapping[], host: string, action: string, phase: Phase | null, exc?: ExceptionInfoLike | null,
    opts?: { source?: 'nova-api' | 'nova-compute'; bdmsFromDb?: boolean },
  ): void;
  notifyAboutInstanceRescueAction(ctx: RequestContext, instance: Instance, bdms: BlockDeviceMapping[], host: string, rescueImageRef: string | null, phase: Phase, exc?: ExceptionInfoLike | null): void;
  notifyAboutShareAttachDetach(ctx: RequestContext, instance: Instance, bdms: BlockDeviceMapping[], host: string, action: 'share_attach' | 'share_detach', phase: Phase, shareId: string, exc?: ExceptionInfoLike | null): void;
  notifyAboutResizePrepInstance(ctx: RequestContext, instance: Instance, bdms: BlockDeviceMapping[], host: string, phase: Phase, newFlavor: FlavorSnapshot): void;
  notifyUsageExists(ctx: RequestContext, instance: Instance, bdms: BlockDeviceMapping[], host: string, auditPeriod?: { beginning: Date; ending: Date }): void;
  notifyMetricsUpdate(ctx: RequestContext | null, host: string, hostIp: string, nodename: string, metrics: readonly { name: string; value: number; timestamp: Date; source: string }[]): void;
  notifyVolumeUsage(ctx: RequestContext | null, host: string, usage: {
    volumeId: string; instanceUuid: string; projectId: string; userId: string; availabilityZone: string | null; lastRefreshed: Date;
    reads: number; readBytes: number; writes: number; writeBytes: number;
  }): void;
  notifyLibvirtConnectError(ctx: RequestContext | null, host: string, ip: string, exc: ExceptionInfoLike): void;
  notifyComputeException(ctx: RequestContext, host: string, exc: ExceptionInfoLike, opts?: { method?: string; args?: Record<string, unknown> }): void;
  notifyAboutInstanceRebuild(
    ctx: RequestContext, instance: Instance, bdms: BlockDeviceMapping[], host: string, action: 'rebuild' | 'rebuild_scheduled', phase: Phase | null,
    exc?: ExceptionInfoLike | null, opts?: { source?: 'nova-api' | 'nova-compute' | 'nova-conductor'; bdmsPassed?: boolean },
  ): void;
  notifyAboutInstanceSnapshot(ctx: RequestContext, instance: Instance, bdms: BlockDeviceMapping[], host: string, phase: Phase, snapshotImageId: string): void;
  notifyAboutKeypairAction(ctx: RequestContext, keypair: { user_id: string | null; name: string; fingerprint: string | null; public_key: string | null; type: 'ssh' | 'x509' }, action: 'create' | 'import' | 'delete', phase: 'start' | 'end'): void;
  notifyAboutServerGroupAction(ctx: RequestContext, group: { uuid: string; name: string | null; user_id: string; project_id: string; policy: string; rules: Record<string, number | string>; members: readonly string[] }, action: 'create' | 'delete' | 'add_member'): void;
}

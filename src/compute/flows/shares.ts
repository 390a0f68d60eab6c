// ComputeManager.allow_share / deny_share / _check_share_usage / _get_share_info / _mount_share /
// _umount_share (nova/compute/manager.py) with nova/share/manila.py's API over HTTP (manila-client.ts)
// and its exception translation (translate_share/allow/deny_exception).
import type { Instance, RequestContext } from '../../domain.js';
import type { ShareMapping, ShareMappingStatus } from '../../store/share-mappings.js';
import type { ManagerDeps } from '../deps.js';
import { exceptionInfo, withInstanceEvent } from '../events.js';
import { saveInstance } from '../instance-save.js';
import { asComputeException, ComputeException, frame, framesFor } from '../exceptions.js';
import { type ManilaAccess, ManilaClientError } from '../manila-client.js';

/** fields.ShareMappingProto.ALL. */
export const SHARE_PROTOCOLS = ['NFS', 'CEPHFS'];

const MANILA = 'nova.share.manila';
const nova = (cls: string, message: string, code: number, frames = [frame(MANILA, 'wrapper')]) => new ComputeException(cls, message, { novaException: true, code, frames });

export const shareNotFound = (shareId: string) => nova('ShareNotFound', `Share ${shareId} could not be found.`, 404);
const grantError = (shareId: string, reason: string) => nova('ShareAccessGrantError', `Share access could not be granted to share id ${shareId}.\nReason: ${reason}.`, 500);
const removalError = (shareId: string, reason: string) => nova('ShareAccessRemovalError', `Share access could not be removed from share id ${shareId}.\nReason: ${reason}.`, 500);
const protocolNotSupported = (proto: string) => nova('ShareProtocolNotSupported', `Share protocol ${proto} is not supported.`, 404, [frame('nova.objects.share_mapping', 'set_access_according_to_protocol')]);

/** translate_sdk_exception (+ the per-call translation): what nova.share.manila.API raises. */
export function translateManila(err: unknown, shareId: string, call: 'get' | 'allow' | 'deny'): unknown {
  if (!(err instanceof ManilaClientError)) return err;
  if (err.status === null) return nova('ManilaConnectionFailed', `Connection to manila service failed: ${err.message}`, 500);
  if (err.status === 404) return shareNotFound(shareId);
  if (err.status === 400) {
    if (call === 'allow') return grantError(shareId, err.message);
    if (call === 'deny') return removalError(shareId, err.message);
    return shareNotFound(shareId);
  }
  if (err.status === 403) return nova('Forbidden', err.message, 403);
  if (err.status === 401) return new ComputeException('Unauthorized', 'The request you have made requires authentication. (HTTP 401)', { frames: [frame('keystoneauth1.session', 'request')] });
  // openstacksdk's HttpException for other statuses: not translated by Nova.
  return new ComputeException('HttpException', err.message, { frames: [frame('openstack.exceptions', 'raise_from_response')] });
}

/** ShareMapping.set_access_according_to_protocol: NFS → ip:my_shared_fs_storage_ip, CEPHFS → cephx:nova. */
function accessFor(d: ManagerDeps, m: ShareMapping, instance: Instance): { type: string; to: string } {
  if (m.share_proto === 'NFS') {
    const host = instance.host ?? d.services.config.computeHost;
    const node = d.services.hosts.nodesByHost(host)[0];
    return { type: 'ip', to: node?.host_ip ?? '127.0.0.1' };
  }
  if (m.share_proto === 'CEPHFS') return { type: 'cephx', to: 'nova' };
  throw protocolNotSupported(m.share_proto);
}

/** A compute-side fault point on nova.share.manila.API.<call> (what Nova's sample test mocks). */
function manilaFaultPoint(d: ManagerDeps, call: 'allow' | 'deny', instanceUuid: string, shareId: string): void {
  const f = d.services.faults.take('compute', `manila.${call}`, { instance_uuid: instanceUuid, share_id: shareId });
  if (!f || !('exception' in f.error)) return;
  const e = f.error;
  throw new ComputeException(e.exception, e.message, { novaException: true, code: 500, frames: [frame(e.module ?? MANILA, e.function ?? call)] });
}

/** API.get_access: the rule of this type and target, or null. */
async function getAccess(d: ManagerDeps, ctx: RequestContext, shareId: string, a: { type: string; to: string }): Promise<ManilaAccess | null> {
  try {
    return (await d.shares.accessRules(ctx, shareId)).find((r) => r.access_type === a.type && r.access_to === a.to) ?? null;
  } catch (e) {
    throw translateManila(e, shareId, 'get');
  }
}

const hasAccess = async (d: ManagerDeps, ctx: RequestContext, shareId: string, a: { type: string; to: string }) => (await getAccess(d, ctx, shareId, a))?.state === 'active';

/** API.allow: create_access_rule with Nova's locks, then check_manila_access_response. */
async function allow(d: ManagerDeps, ctx: RequestContext, instanceUuid: string, shareId: string, a: { type: string; to: string }): Promise<void> {
  manilaFaultPoint(d, 'allow', instanceUuid, shareId);
  let rule: ManilaAccess;
  try {
    rule = await d.shares.createAccessRule(ctx, shareId, { access_type: a.type, access_to: a.to, access_level: 'rw' });
  } catch (e) {
    throw translateManila(e, shareId, 'allow');
  }
  if (rule.access_type !== a.type || rule.access_to !== a.to || rule.access_level !== 'rw') throw grantError(shareId, 'None');
}

/** API.deny: get_access, then delete_access_rule(unrestrict=True); a non-202 answer is ShareAccessRemovalError. */
async function deny(d: ManagerDeps, ctx: RequestContext, instanceUuid: string, shareId: string, a: { type: string; to: string }): Promise<void> {
  manilaFaultPoint(d, 'deny', instanceUuid, shareId);
  const access = await getAccess(d, ctx, shareId, a);
  if (!access) throw nova('ShareAccessNotFound', `Share access from Manila could not be found for share id ${shareId}.`, 404);
  let res;
  try {
    res = await d.shares.deleteAccessRule(ctx, access.id, shareId);
  } catch (e) {
    throw translateManila(e, shareId, 'deny');
  }
  if (res.status !== 202) throw removalError(shareId, res.reason);
}

function setStatus(d: ManagerDeps, m: ShareMapping, status: ShareMappingStatus): void {
  const s = d.services;
  s.db.transaction(() => s.shareMappings.setStatus(m.instance_uuid, m.share_id, status, s.runtime.now()))();
}

const ALLOW_ENTRY = ['allow_share', frame('oslo_concurrency.lockutils', 'inner'), '_allow_share'];
const DENY_ENTRY = ['deny_share', frame('oslo_concurrency.lockutils', 'inner'), '_deny_share'];

/** ComputeManager.allow_share (a cast): attaching → inactive, or error with share_attach.error. */
export async function allowShare(d: ManagerDeps, ctx: RequestContext, uuid: string, shareId: string): Promise<void> {
  const s = d.services;
  const instance = s.instances.get(uuid);
  const mapping = s.shareMappings.get(uuid, shareId);
  if (!instance || !mapping) return;
  const host = instance.host ?? s.config.computeHost;
  const notify = (phase: 'start' | 'end' | 'error', exc?: ComputeException) =>
    d.notifier.notifyAboutShareAttachDetach(ctx, s.instances.get(uuid)!, s.bdms.listForInstance(uuid), host, 'share_attach', phase, shareId, exc ? exceptionInfo(exc) : null);
  await withInstanceEvent(d, ctx, instance, 'allow_share', async () => {
    notify('start');
    try {
      const a = accessFor(d, mapping, instance);
      if (!(await hasAccess(d, ctx, shareId, a))) {
        await allow(d, ctx, uuid, shareId, a);
        // _wait_policy_to_be_applied: CONF.manila.share_apply_policy_timeout tries, one second apart.
        let attempt = 0;
        for (; attempt < d.services.config.shareApplyPolicyTimeout; attempt++) {
          if (await hasAccess(d, ctx, shareId, a)) break;
          await new Promise((r) => setTimeout(r, 1000));
        }
        if (attempt >= d.services.config.shareApplyPolicyTimeout) throw grantError(shareId, 'Failed to set allow policy on share, too many retries');
      }
      setStatus(d, mapping, 'inactive');
      notify('end');
    } catch (err) {
      const e = asComputeException(err, ALLOW_ENTRY);
      if (['ShareNotFound', 'ShareProtocolNotSupported', 'ShareAccessGrantError', 'Unauthorized'].includes(e.pyClass)) {
        setStatus(d, mapping, 'error');
        notify('error', e);
      }
      throw e;
    }
  });
}

/**
 * _check_share_usage: true while another mapping still needs the access rule (for NFS only mappings of
 * instances on this host count); false when every mapping is this instance's inactive/error one or detaching.
 */
function shareStillUsed(d: ManagerDeps, m: ShareMapping, instance: Instance): boolean {
  const s = d.services;
  let used = s.shareMappings.listForShare(m.share_id);
  if (m.share_proto === 'NFS') {
    used = used.filter((sm) => sm.instance_uuid === instance.uuid || s.instances.get(sm.instance_uuid)?.host === instance.host);
  }
  return !used.every((sm) => (sm.instance_uuid === instance.uuid && (sm.status === 'inactive' || sm.status === 'error')) || sm.status === 'detaching');
}

/** ComputeManager.deny_share (a cast): the access rule goes unless still used, then the mapping. */
export async function denyShare(d: ManagerDeps, ctx: RequestContext, uuid: string, shareId: string, opts: { instance?: Instance } = {}): Promise<ComputeException | null> {
  const s = d.services;
  const instance = opts.instance ?? s.instances.get(uuid);
  const mapping = s.shareMappings.get(uuid, shareId);
  if (!instance || !mapping) return null;
  const host = instance.host ?? s.config.computeHost;
  const current = () => s.instances.get(uuid, { readDeleted: true }) ?? instance;
  const notify = (phase: 'start' | 'end' | 'error', exc?: ComputeException) =>
    d.notifier.notifyAboutShareAttachDetach(ctx, current(), s.bdms.listForInstance(uuid), host, 'share_detach', phase, shareId, exc ? exceptionInfo(exc) : null);
  const removeMapping = () => s.db.transaction(() => s.shareMappings.delete(uuid, shareId))();
  return withInstanceEvent(d, ctx, instance, 'deny_share', async () => {
    notify('start');
    try {
      const a = accessFor(d, mapping, instance);
      if (!shareStillUsed(d, mapping, instance)) await deny(d, ctx, uuid, shareId, a);
      removeMapping();
      notify('end');
    } catch (err) {
      const e = asComputeException(err, DENY_ENTRY);
      if (['ShareAccessRemovalError', 'ShareProtocolNotSupported', 'Unauthorized'].includes(e.pyClass)) {
        setStatus(d, mapping, 'error');
        notify('error', e);
        throw e;
      }
      if (e.pyClass === 'ShareNotFound' || e.pyClass === 'ShareAccessNotFound') {
        // Nothing to remove in Manila: the share is detached anyway.
        removeMapping();
        notify('end');
        return;
      }
      throw e;
    }
  });
}

/**
 * _get_share_info(check_status=True): a mapping still attaching/detaching means a race with this
 * compute — the instance goes to ERROR and ShareErrorUnexpectedStatus is raised.
 */
export function getShareInfo(d: ManagerDeps, ctx: RequestContext, instance: Instance, entry: string[]): ShareMapping[] {
  const s = d.services;
  const mappings = s.shareMappings.listForInstance(instance.uuid);
  const racing = mappings.find((m) => m.status === 'attaching' || m.status === 'detaching');
  if (racing) {
    // _set_instance_obj_error_state(instance, clean_task_state=True): an instance.save().
    s.db.transaction(() => saveInstance(s, d.notifier, ctx, instance.uuid, { vm_state: 'error', task_state: null, updated_at: s.runtime.now() }))();
    throw new ComputeException('ShareErrorUnexpectedStatus', `Share ${racing.share_id} used by instance ${instance.uuid} is in an unexpected state.`, {
      novaException: true, code: 500, frames: framesFor(entry, frame('nova.compute.manager', '_get_share_info')),
    });
  }
  return mappings;
}

/** _set_share_mapping_and_instance_in_error. */
function mappingAndInstanceInError(d: ManagerDeps, ctx: RequestContext, m: ShareMapping): void {
  const s = d.services;
  s.db.transaction(() => {
    s.shareMappings.setStatus(m.instance_uuid, m.share_id, 'error', s.runtime.now());
    // share_mapping.save(), then _set_instance_obj_error_state(instance, clean_task_state=True): an instance.save().
    saveInstance(s, d.notifier, ctx, m.instance_uuid, { vm_state: 'error', task_state: null, updated_at: s.runtime.now() });
  })();
}

/** _mount_all_shares / _umount_all_shares: the driver's mount_share/umount_share per mapping. */
export async function mountAll(d: ManagerDeps, ctx: RequestContext, instance: Instance, mappings: ShareMapping[], entry: string[], op: 'mount_share' | 'umount_share'): Promise<void> {
  for (const m of mappings) {
    try {
      accessFor(d, m, instance);
      await d.driver.faultPoint(`driver.${op}`, { instance_uuid: instance.uuid }, [...entry, op === 'mount_share' ? '_mount_all_shares' : '_umount_all_shares', `_${op}`]);
    } catch (err) {
      const e = asComputeException(err, [...entry, `_${op}`]);
      if (['ShareNotFound', 'ShareProtocolNotSupported', 'ShareMountError', 'ShareUmountError'].includes(e.pyClass)) mappingAndInstanceInError(d, ctx, m);
      throw e;
    }
  }
}

/** ShareMappingList.activate_all / deactivate_all. */
export function setAll(d: ManagerDeps, mappings: ShareMapping[], status: 'active' | 'inactive'): void {
  const s = d.services;
  s.db.transaction(() => mappings.forEach((m) => s.shareMappings.setStatus(m.instance_uuid, m.share_id, status, s.runtime.now())))();
}

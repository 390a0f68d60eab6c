// ComputeManager.attach_interface / _attach_interface and detach_interface (nova/compute/manager.py):
// start notification, port allocated and bound in Neutron, driver hot-plug, network info cache,
// end notification; a driver failure releases the port, sends .error and raises InterfaceAttachFailed.
import type { FixedIp, RequestContext } from '../../domain.js';
import { type ManagerDeps, elevated } from '../deps.js';
import { exceptionInfo, withInstanceEvent } from '../events.js';
import { asComputeException, ComputeException, frame, framesFor } from '../exceptions.js';
import { allocatePortForInstance, deallocatePortForInstance } from '../network.js';

export interface AttachInterfaceArgs {
  networkId: string | null;
  portId: string | null;
  fixedIp: string | null;
  tag: string | null;
}

const ATTACH_ENTRY = ['attach_interface', '_attach_interface'];

/** An RPC call: resolves with the new VIF's fixed IPs, or rejects with what the manager raised. */
export async function attachInterface(d: ManagerDeps, reqCtx: RequestContext, uuid: string, a: AttachInterfaceArgs): Promise<FixedIp[]> {
  const s = d.services;
  const instance = s.instances.get(uuid);
  if (!instance) throw new ComputeException('InstanceNotFound', `Instance ${uuid} could not be found.`, { novaException: true, code: 404 });
  const ctx = elevated(reqCtx);
  const host = instance.host ?? s.config.computeHost;
  let vif: FixedIp[] = [];
  const failed = await withInstanceEvent(d, ctx, instance, 'attach_interface', async () => {
    d.notifier.notifyAboutInstanceAction(ctx, instance, s.bdms.listForInstance(uuid), host, 'interface_attach', 'start');
    const ips = await allocatePortForInstance(d.network, reqCtx, instance, host, a);
    const portId = ips[0]?.port_uuid;
    if (!portId) throw new ComputeException('InterfaceAttachFailed', `Failed to attach network adapter device to ${uuid}`, { novaException: true, code: 500 });
    try {
      await d.driver.attachInterface(instance, portId);
    } catch (err) {
      const ex = asComputeException(err, ATTACH_ENTRY);
      // "attach interface failed, try to deallocate port": the port Nova created goes, the user's is unbound.
      const withVif = { ...instance, network_info: [...instance.network_info, ...ips] };
      await deallocatePortForInstance(d.network, reqCtx, withVif, portId).catch(() => undefined);
      d.notifier.notifyAboutInstanceAction(ctx, s.instances.get(uuid)!, s.bdms.listForInstance(uuid), host, 'interface_attach', 'error', exceptionInfo(ex));
      throw new ComputeException('InterfaceAttachFailed', `Failed to attach network adapter device to ${uuid}`, {
        novaException: true, code: 500, frames: framesFor(ATTACH_ENTRY, frame('nova.compute.manager', '_attach_interface', 7700)),
      });
    }
    vif = ips.map((ip) => ({ ...ip, tag: a.tag }));
    // The network info cache (update_instance_cache_with_nw_info), not an Instance.save: no instance.update.
    s.db.transaction(() => s.instances.update(uuid, { network_info: [...s.instances.get(uuid)!.network_info, ...vif], updated_at: s.runtime.now() }))();
    d.notifier.notifyAboutInstanceAction(ctx, s.instances.get(uuid)!, s.bdms.listForInstance(uuid), host, 'interface_attach', 'end');
  });
  if (failed) throw failed;
  return vif;
}

/** A cast: the API has answered 202. */
export async function detachInterface(d: ManagerDeps, reqCtx: RequestContext, uuid: string, portId: string): Promise<void> {
  const s = d.services;
  const instance = s.instances.get(uuid);
  if (!instance) return;
  const ctx = elevated(reqCtx);
  const host = instance.host ?? s.config.computeHost;
  await withInstanceEvent(d, ctx, instance, 'detach_interface', async () => {
    if (!instance.network_info.some((ip) => ip.port_uuid === portId)) {
      throw new ComputeException('PortNotFound', `Port ${portId} is not attached`, { novaException: true, code: 404, frames: framesFor(['detach_interface'], frame('nova.compute.manager', 'detach_interface', 7800)) });
    }
    d.notifier.notifyAboutInstanceAction(ctx, instance, s.bdms.listForInstance(uuid), host, 'interface_detach', 'start');
    try {
      await d.driver.detachInterface(instance, portId);
    } catch {
      throw new ComputeException('InterfaceDetachFailed', `Failed to detach network adapter device from ${uuid}`, { novaException: true, code: 400, frames: framesFor(['detach_interface'], frame('nova.compute.manager', 'detach_interface', 7810)) });
    }
    await deallocatePortForInstance(d.network, reqCtx, instance, portId);
    // The network info cache (deallocate_port_for_instance → info cache), not an Instance.save.
    s.db.transaction(() => s.instances.update(uuid, { network_info: s.instances.get(uuid)!.network_info.filter((ip) => ip.port_uuid !== portId), updated_at: s.runtime.now() }))();
    d.notifier.notifyAboutInstanceAction(ctx, s.instances.get(uuid)!, s.bdms.listForInstance(uuid), host, 'interface_detach', 'end');
  });
}

// The libvirt driver's _create_guest_with_network wait (nova/virt/libvirt/driver.py): the spawn waits
// for Neutron's `network-vif-plugged` event of each port bound for it, [DEFAULT] vif_plugging_timeout
// seconds; a timeout or a `failed` event raises VirtualInterfaceCreateException when
// vif_plugging_is_fatal (the build then aborts), and is only logged otherwise.
import type { FixedIp, Instance } from '../domain.js';
import type { ManagerDeps } from './deps.js';
import { ComputeException, frame } from './exceptions.js';
import { externalEvents } from './external-events.js';

const vifCreateFailed = () =>
  new ComputeException('VirtualInterfaceCreateException', 'Virtual Interface creation failed', {
    novaException: true, code: 500, frames: [frame('nova.virt.libvirt.driver', '_create_guest_with_network')],
  });

/** The ports of the instance's VIFs (one per port, in network info order). */
export function vifPorts(networkInfo: FixedIp[]): string[] {
  return [...new Set(networkInfo.map((f) => f.port_uuid).filter((p): p is string => !!p))];
}

export async function waitForVifPlugged(d: ManagerDeps, instance: Instance, ports: string[]): Promise<void> {
  const { vifPluggingTimeout, vifPluggingIsFatal } = d.services.config;
  if (!ports.length || vifPluggingTimeout <= 0) return;
  const events = externalEvents(d.services);
  const timeoutMs = Math.round(vifPluggingTimeout * 1000);
  const results = await Promise.allSettled(ports.map((tag) => events.waitFor(instance.uuid, 'network-vif-plugged', { tag, timeoutMs })));
  // _neutron_failed_callback for a failed event; eventlet.timeout.Timeout for a missing one.
  const failed = results.some((r) => r.status === 'rejected' || r.value.status === 'failed');
  if (failed && vifPluggingIsFatal) throw vifCreateFailed();
}

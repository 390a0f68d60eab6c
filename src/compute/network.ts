// nova/network/neutron.py API, the parts a build, a delete and os-interface use: validate_networks
// (nova-api), allocate_for_instance / deallocate_for_instance (nova-compute), the network info model
// built from the real ports. Neutron is reached only through NetworkApi (neutron-client.ts, HTTP).
import type { FixedIp, Instance, RequestContext } from '../domain.js';
import { ComputeException, frame } from './exceptions.js';
import { NeutronClientError, type NeutronDoc, type NeutronPort, type NetworkApi } from './neutron-client.js';

/** One entry of the API's `networks` list (NetworkRequest). */
export interface RequestedNetwork {
  uuid?: string;
  port?: string;
  fixed_ip?: string;
  tag?: string;
}
/** 'unspecified' is a pre-2.37 request without `networks` (nova boots on the one available network, or none). */
export type NetworkRequest = 'auto' | 'none' | 'unspecified' | RequestedNetwork[];

/** Casts recorded before ports lived in Neutron carried `{ ports: [...] }`. */
export function normalizeRequest(r: NetworkRequest | { ports: string[] } | undefined): NetworkRequest {
  if (r === undefined) return 'auto';
  if (typeof r === 'object' && !Array.isArray(r)) return r.ports.map((port) => ({ port }));
  return r;
}

const nova = (cls: string, message: string, code: number) =>
  new ComputeException(cls, message, { novaException: true, code, frames: [frame('nova.network.neutron', 'allocate_for_instance', 1165)] });

/** The user's view of Neutron failing: neutronclient exceptions Nova does not translate surface as themselves. */
function passThrough(e: unknown): never {
  if (e instanceof NeutronClientError) {
    throw new ComputeException(e.type ?? 'NeutronClientException', e.message, { novaException: false, code: e.status ?? 500, frames: [frame('nova.network.neutron', 'allocate_for_instance', 1165)] });
  }
  throw e;
}

async function showPort(net: NetworkApi, ctx: RequestContext, id: string): Promise<NeutronPort> {
  try {
    return await net.showPort(ctx, id);
  } catch (e) {
    // _show_port: PortNotFoundClient → PortNotFound; Unauthorized → Forbidden.
    if (e instanceof NeutronClientError && e.status === 404) throw nova('PortNotFound', `Port id ${id} could not be found.`, 404);
    return passThrough(e);
  }
}

/** _get_available_networks. */
async function availableNetworks(net: NetworkApi, ctx: RequestContext, projectId: string, netIds?: string[]): Promise<NeutronDoc[]> {
  if (netIds?.length) {
    const nets = await net.listNetworks(ctx, { id: netIds });
    // _ensure_requested_network_ordering
    return [...nets].sort((a, b) => netIds.indexOf(a.id) - netIds.indexOf(b.id));
  }
  return [...(await net.listNetworks(ctx, { tenant_id: projectId, shared: 'False' })), ...(await net.listNetworks(ctx, { shared: 'True' }))];
}

/** API.validate_networks (+ _ports_needed_per_instance), called by compute_api before the cast. */
export async function validateNetworks(net: NetworkApi, ctx: RequestContext, requested: NetworkRequest, maxCount: number): Promise<void> {
  if (requested === 'none') return;
  try {
    if (requested === 'auto' || requested === 'unspecified' || requested.length === 0) {
      const nets = await availableNetworks(net, ctx, ctx.projectId);
      if (nets.length > 1) throw nova('NetworkAmbiguous', 'Multiple possible networks found, use a Network ID to be more specific.', 409);
      // The fake Neutron has no auto-allocated-topology: the dry run fails as it does without a default external network.
      if (!nets.length && requested === 'auto') throw nova('UnableToAutoAllocateNetwork', `Unable to automatically allocate a network for project ${ctx.projectId}`, 400);
      return;
    }
    const netIds: string[] = [];
    for (const r of requested) {
      if (r.port) {
        const port = await showPort(net, ctx, r.port);
        if (port.device_id) throw nova('PortInUse', `Port ${r.port} is still in use.`, 409);
        if (!port.fixed_ips?.length) throw nova('PortRequiresFixedIP', `Port ${r.port} requires a FixedIP in order to be used.`, 400);
      } else if (r.uuid) {
        netIds.push(r.uuid);
        if (r.fixed_ip) {
          const existing = await net.listPorts(ctx, { network_id: r.uuid, fixed_ips: `ip_address=${r.fixed_ip}`, fields: 'device_id' });
          if (existing.length) {
            throw nova('FixedIpAlreadyInUse', `Fixed IP address ${r.fixed_ip} is already in use on instance ${existing[0].device_id}.`, 400);
          }
        }
      }
    }
    if (netIds.length) {
      const nets = await availableNetworks(net, ctx, ctx.projectId, netIds);
      for (const n of nets) if (!(n.subnets as string[] | undefined)?.length) throw nova('NetworkRequiresSubnet', `Network ${n.id} requires a subnet in order to boot instances on.`, 400);
      const found = new Set(nets.map((n) => n.id));
      const lost = [...new Set(netIds)].filter((id) => !found.has(id));
      if (lost.length) throw nova('NetworkNotFound', `Network ${lost.join(', ')} could not be found.`, 400);
      // _check_external_network_attach: only admins may plug into an external, non-shared network.
      const ext = nets.find((n) => n['router:external'] === true && n.shared !== true);
      if (ext && !ctx.isAdmin) throw nova('ExternalNetworkAttachForbidden', `It is not allowed to create an interface on external network ${ext.id}`, 403);
    }
    if (maxCount > 1 && requested.some((r) => r.fixed_ip)) {
      throw nova('InvalidFixedIpAndMaxCountRequest', 'Failed to launch instances: max_count cannot be greater than 1 if an fixed_ip is specified.', 400);
    }
  } catch (e) {
    if (e instanceof ComputeException) throw e;
    passThrough(e);
  }
}

/** _build_network_info_model, reduced to what the API (addresses) and IpPayload read: one entry per fixed IP. */
export function networkInfo(ports: NeutronPort[], networks: Map<string, NeutronDoc>, preserve: Set<string>): FixedIp[] {
  const out: FixedIp[] = [];
  for (const p of ports) {
    const label = String(networks.get(p.network_id)?.name ?? '');
    for (const ip of p.fixed_ips) {
      out.push({
        label, mac: p.mac_address, address: ip.ip_address, version: ip.ip_address.includes(':') ? 6 : 4, port_uuid: p.id,
        // nova.network.model: devname "tap" + port id, truncated to NIC_NAME_LEN (14).
        device_name: `tap${p.id}`.slice(0, 14), meta: {},
        preserve_on_delete: preserve.has(p.id), network_id: p.network_id,
      });
    }
  }
  return out;
}

async function networksById(net: NetworkApi, ctx: RequestContext, ids: string[]): Promise<Map<string, NeutronDoc>> {
  if (!ids.length) return new Map();
  const nets = await net.listNetworks({ ...ctx }, { id: [...new Set(ids)] });
  return new Map(nets.map((n) => [n.id, n]));
}

/** The binding Nova writes with its admin client (_update_ports_for_instance / _populate_neutron_extension_values). */
const bindingFor = (instance: Instance, host: string) => ({
  device_id: instance.uuid,
  device_owner: `compute:${instance.availability_zone ?? 'nova'}`,
  'binding:host_id': host,
});

/** _unbind_ports: the port goes back to the user as it was (device cleared, binding dropped). */
async function unbind(net: NetworkApi, ctx: RequestContext, portId: string): Promise<void> {
  try {
    await net.updatePort(ctx, portId, { device_id: '', device_owner: '', 'binding:host_id': null, 'binding:profile': {} });
  } catch (e) {
    // Nova logs and goes on when the port is already gone.
    if (!(e instanceof NeutronClientError && e.status === 404)) throw e;
  }
}

/**
 * allocate_for_instance: validate the requested ports, pick the network for 'auto', create ports
 * (user client) on requested networks, bind every port to the host (admin client), and return the
 * network info from the bound ports in request order. On failure the ports created here are
 * deleted and requested ports unbound, as Nova's clean-up does.
 */
export async function allocateForInstance(net: NetworkApi, ctx: RequestContext, instance: Instance, host: string, requested: NetworkRequest): Promise<FixedIp[]> {
  if (requested === 'none') return [];
  const created: string[] = [];
  const adopted: string[] = [];
  try {
    type Order = { port?: NeutronPort; networkId: string; fixedIp?: string };
    const order: Order[] = [];
    if (Array.isArray(requested) && requested.length) {
      for (const r of requested) {
        if (r.port) {
          const p = await showPort(net, ctx, r.port);
          if (p.project_id !== instance.project_id) throw nova('PortNotUsable', `Port ${r.port} not usable for instance ${instance.uuid}.`, 400);
          if (p.device_id) throw nova('PortInUse', `Port ${r.port} is still in use.`, 409);
          order.push({ port: p, networkId: p.network_id });
        } else if (r.uuid) order.push({ networkId: r.uuid, fixedIp: r.fixed_ip });
      }
      const ids = order.filter((o) => !o.port).map((o) => o.networkId);
      if (ids.length) {
        const nets = await availableNetworks(net, ctx, instance.project_id, ids);
        const found = new Set(nets.map((n) => n.id));
        const lost = ids.find((id) => !found.has(id));
        if (lost) throw nova('NetworkNotFound', `Network ${lost} could not be found.`, 404);
      }
    } else {
      const nets = await availableNetworks(net, ctx, instance.project_id);
      if (!nets.length) {
        if (requested === 'auto') throw nova('UnableToAutoAllocateNetwork', `Unable to automatically allocate a network for project ${instance.project_id}`, 400);
        return [];
      }
      if (nets.length > 1) throw nova('NetworkAmbiguous', 'Multiple possible networks found, use a Network ID to be more specific.', 409);
      order.push({ networkId: nets[0].id });
    }
    const ports: NeutronPort[] = [];
    for (const o of order) {
      let port = o.port;
      if (!port) {
        port = await createPortMinimal(net, ctx, instance, o.networkId, o.fixedIp);
        created.push(port.id);
      } else adopted.push(port.id);
      ports.push(await net.updatePort(ctx, port.id, bindingFor(instance, host)));
    }
    const nets = await networksById(net, ctx, ports.map((p) => p.network_id));
    return networkInfo(ports, nets, new Set(adopted));
  } catch (e) {
    for (const id of created) await net.deletePort(ctx, id).catch(() => undefined);
    for (const id of adopted) await unbind(net, ctx, id).catch(() => undefined);
    if (e instanceof ComputeException) throw e;
    return passThrough(e);
  }
}

/** _create_port_minimal and its translations of Neutron's refusals. */
async function createPortMinimal(net: NetworkApi, ctx: RequestContext, instance: Instance, networkId: string, fixedIp?: string): Promise<NeutronPort> {
  const body: Record<string, unknown> = { device_id: instance.uuid, network_id: networkId, admin_state_up: true, tenant_id: instance.project_id };
  if (fixedIp) body.fixed_ips = [{ ip_address: fixedIp }];
  try {
    return await net.createPort(ctx, body);
  } catch (e) {
    if (e instanceof NeutronClientError) {
      if (e.type === 'InvalidIpForNetwork' || e.type === 'InvalidIpForSubnet') {
        throw nova('InvalidInput', `Invalid input received: Fixed IP ${fixedIp} is not a valid ip address for network ${networkId}.`, 400);
      }
      if (e.type === 'IpAddressInUse' || e.type === 'IpAddressAlreadyAllocated') throw nova('FixedIpAlreadyInUse', `Fixed IP ${fixedIp} is already in use.`, 400);
      if (e.type === 'IpAddressGenerationFailure') throw nova('NoMoreFixedIps', `No fixed IP addresses available for network: ${networkId}`, 500);
      if (e.type === 'OverQuota') throw nova('PortLimitExceeded', 'Maximum number of ports exceeded', 403);
    }
    throw e;
  }
}

/**
 * deallocate_for_instance: ports Nova created are deleted, ports the user brought (preserve_on_delete)
 * are unbound. Failures are logged by Nova and do not stop the delete.
 */
export async function deallocateForInstance(net: NetworkApi, ctx: RequestContext, instance: Instance): Promise<void> {
  let ports: NeutronPort[];
  try {
    ports = await net.listPorts(ctx, { device_id: instance.uuid }, { admin: true });
  } catch {
    return;
  }
  const preserve = new Set(instance.network_info.filter((ip) => ip.preserve_on_delete).map((ip) => ip.port_uuid));
  for (const p of ports) {
    try {
      if (preserve.has(p.id)) await unbind(net, ctx, p.id);
      else await net.deletePort(ctx, p.id);
    } catch {
      /* Nova: "Failed to delete port … for instance" is logged, the delete goes on */
    }
  }
}

/** attach_interface's port: an existing one (validated as at boot) or one created on `networkId`. */
export async function allocatePortForInstance(
  net: NetworkApi, ctx: RequestContext, instance: Instance, host: string,
  o: { networkId?: string | null; portId?: string | null; fixedIp?: string | null },
): Promise<FixedIp[]> {
  const requested: RequestedNetwork[] = o.portId ? [{ port: o.portId }] : o.networkId ? [{ uuid: o.networkId, ...(o.fixedIp ? { fixed_ip: o.fixedIp } : {}) }] : [];
  if (!requested.length) {
    // No network given: the one available network, as at boot (InterfaceAttachFailedNoNetwork when none).
    const nets = await availableNetworks(net, ctx, instance.project_id).catch(passThrough);
    if (!nets.length) throw nova('InterfaceAttachFailedNoNetwork', `No specific network was requested and none are available for project '${instance.project_id}'.`, 400);
    if (nets.length > 1) throw nova('NetworkAmbiguous', 'Multiple possible networks found, use a Network ID to be more specific.', 409);
    requested.push({ uuid: nets[0].id });
  }
  return allocateForInstance(net, ctx, instance, host, requested);
}

/** deallocate_port_for_instance: delete the port if Nova created it, else unbind it. */
export async function deallocatePortForInstance(net: NetworkApi, ctx: RequestContext, instance: Instance, portId: string): Promise<void> {
  const preserve = instance.network_info.some((ip) => ip.port_uuid === portId && ip.preserve_on_delete);
  if (preserve) await unbind(net, ctx, portId);
  else {
    try {
      await net.deletePort(ctx, portId);
    } catch (e) {
      if (!(e instanceof NeutronClientError && e.status === 404)) throw e;
    }
  }
}

/** The instance's ports as Neutron lists them (os-interface index). */
export async function listInstancePorts(net: NetworkApi, ctx: RequestContext, instanceUuid: string): Promise<NeutronPort[]> {
  try {
    return await net.listPorts(ctx, { device_id: instanceUuid });
  } catch (e) {
    return passThrough(e);
  }
}

export { showPort };

/** _heal_instance_info_cache / _build_network_info_model: the cache rebuilt from the ports bound to the instance. */
export async function healNetworkInfo(d: { network: NetworkApi; services: { instances: { update(uuid: string, p: Partial<Instance>): void } } }, ctx: RequestContext, instance: Instance): Promise<void> {
  const ports = await d.network.listPorts(ctx, { device_id: instance.uuid }, { admin: true });
  const known = new Map(instance.network_info.map((ip) => [ip.port_uuid, ip]));
  const nets = await networksById(d.network, { ...ctx }, ports.map((p) => p.network_id));
  const preserve = new Set(instance.network_info.filter((ip) => ip.preserve_on_delete).map((ip) => ip.port_uuid!));
  const ordered = [...ports].sort((a, b) => (known.has(a.id) ? 0 : 1) - (known.has(b.id) ? 0 : 1));
  const fips = ports.length ? await d.network.listFloatingIps(ctx, { port_id: ports.map((p) => p.id) }) : [];
  const info = networkInfo(ordered, nets, preserve).map((ip) => {
    const floating = fips.filter((f) => f.port_id === ip.port_uuid && f.fixed_ip_address === ip.address).map((f) => String(f.floating_ip_address));
    const tag = known.get(ip.port_uuid)?.tag;
    return { ...ip, ...(floating.length ? { floating_ips: floating } : {}), ...(tag !== undefined ? { tag } : {}) };
  });
  // The network info cache (info_cache.save), not an Instance.save: no instance.update.
  d.services.instances.update(instance.uuid, { network_info: info });
}

/**
 * unbind_ports(context, ports, detach=False) as _shelve_offload_instance calls it: the binding is
 * dropped (binding:host_id None, profile {}), device_id/device_owner stay so the ports remain the
 * instance's.
 */
export async function unbindPortsKeepDevice(net: NetworkApi, ctx: RequestContext, instance: Instance): Promise<void> {
  for (const ip of instance.network_info) {
    if (!ip.port_uuid) continue;
    try {
      await net.updatePort(ctx, ip.port_uuid, { 'binding:host_id': null, 'binding:profile': {} });
    } catch (e) {
      if (!(e instanceof NeutronClientError && e.status === 404)) throw e;
    }
  }
}

/** setup_instance_network_on_host (unshelve): _update_port_binding_for_instance binds every port of the instance to `host`. */
export async function setupInstanceNetworkOnHost(net: NetworkApi, ctx: RequestContext, instance: Instance, host: string): Promise<void> {
  const ports = await net.listPorts(ctx, { device_id: instance.uuid }, { admin: true }).catch(passThrough);
  for (const p of ports) await net.updatePort(ctx, p.id, bindingFor(instance, host)).catch(passThrough);
}

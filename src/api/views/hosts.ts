// Views of services, hypervisors, aggregates and zones (nova/api/openstack/compute/services.py
// _get_service_detail, hypervisors.py _view_hypervisor, aggregates.py _marshall_aggregate).
import type { FastifyRequest } from 'fastify';
import { serviceZone } from '../../compute/availability-zones.js';
import type { Services } from '../../services.js';
import type { AggregateRow, ComputeNodeRow, ServiceRow } from '../../store/hosts.js';
import { isoMicro } from '../../time-format.js';

const micro = (iso: string | null) => (iso ? isoMicro(new Date(iso)) : null);

/** servicegroup DB driver: up unless forced down (novasim's services always heartbeat). */
export const serviceUp = (svc: ServiceRow) => !svc.forced_down;

export function serviceView(req: FastifyRequest, s: Services, svc: ServiceRow, withForcedDown: boolean) {
  const v = req.apiVersion;
  const out: Record<string, unknown> = {
    binary: svc.binary, host: svc.host, id: v.matches('2.53') ? svc.uuid : svc.id, zone: serviceZone(s, svc.host, svc.binary),
    status: svc.disabled ? 'disabled' : 'enabled', state: serviceUp(svc) ? 'up' : 'down', updated_at: micro(svc.updated_at),
    disabled_reason: svc.disabled_reason,
  };
  if (withForcedDown) out.forced_down = svc.forced_down;
  return out;
}

export function hypervisorView(
  req: FastifyRequest, s: Services, node: ComputeNodeRow, svc: ServiceRow, detail: boolean,
  servers: { name: string; uuid: string }[] | null = null, withServers = false,
) {
  const v = req.apiVersion;
  const uuids = v.matches('2.53');
  const out: Record<string, unknown> = {
    id: uuids ? node.uuid : node.id, hypervisor_hostname: node.hypervisor_hostname,
    state: serviceUp(svc) ? 'up' : 'down', status: svc.disabled ? 'disabled' : 'enabled',
  };
  if (detail) {
    out.hypervisor_type = node.hypervisor_type;
    out.hypervisor_version = node.hypervisor_version;
    out.host_ip = node.host_ip;
    out.service = { id: uuids ? svc.uuid : svc.id, host: node.host, disabled_reason: svc.disabled_reason };
  }
  if (detail && !v.matches('2.88')) {
    const u = s.hosts.usage(node.hypervisor_hostname);
    const memUsed = u.memory_mb_used + s.config.reservedHostMemoryMb;
    Object.assign(out, {
      vcpus: node.vcpus, memory_mb: node.memory_mb, local_gb: node.local_gb, vcpus_used: u.vcpus_used, memory_mb_used: memUsed,
      local_gb_used: u.local_gb_used, free_ram_mb: node.memory_mb - memUsed, free_disk_gb: node.local_gb - u.local_gb_used,
      current_workload: 0, running_vms: u.running_vms, disk_available_least: node.local_gb - u.local_gb_used,
      cpu_info: v.matches('2.28') ? JSON.parse(node.cpu_info) : node.cpu_info,
    });
  }
  if (detail && v.matches('2.88')) out.uptime = hostUptime(s);
  if (servers && servers.length) out.servers = servers.map((i) => ({ name: i.name, uuid: i.uuid }));
  else if (withServers && v.matches('2.75')) out.servers = [];
  return out;
}

/** The libvirt driver's get_host_uptime: `uptime`'s output on the host. */
export function hostUptime(s: Services): string {
  const now = s.runtime.now();
  const pad = (n: number) => String(n).padStart(2, '0');
  return ` ${pad(now.getUTCHours())}:${pad(now.getUTCMinutes())}:${pad(now.getUTCSeconds())} up 1 day,  0:00,  0 users,  load average: 0.00, 0.00, 0.00`;
}

/** _marshall_aggregate: the Aggregate object's fields (uuid from 2.41). */
export function aggregateView(req: FastifyRequest, a: AggregateRow) {
  const out: Record<string, unknown> = {
    created_at: micro(a.created_at), updated_at: micro(a.updated_at), deleted_at: null, deleted: false,
    id: a.id, name: a.name, hosts: a.hosts, metadata: a.metadata, availability_zone: a.metadata.availability_zone ?? null,
  };
  if (req.apiVersion.matches('2.41')) out.uuid = a.uuid;
  return out;
}

// GET /servers/{id}/diagnostics (nova/api/openstack/compute/server_diagnostics.py): the simulated
// hypervisor's numbers, shaped as Nova's fake driver reports them (get_diagnostics before 2.48,
// get_instance_diagnostics + views/server_diagnostics.py from 2.48), sized from the server's flavor.
import type { FastifyInstance } from 'fastify';
import { POWER_STATE, type Instance } from '../../domain.js';
import { mapErrors } from '../compute-errors.js';
import { NovaError } from '../errors.js';
import type { ApiDeps } from '../plugin.js';

const STATE_NAMES: Record<number, string> = {
  [POWER_STATE.pending]: 'pending', [POWER_STATE.running]: 'running', [POWER_STATE.paused]: 'paused',
  [POWER_STATE.shutdown]: 'shutdown', [POWER_STATE.crashed]: 'crashed', [POWER_STATE.suspended]: 'suspended',
};

function legacy(i: Instance) {
  return {
    cpu0_time: 17300000000, memory: i.flavor.memory_mb * 1024, vda_errors: -1, vda_read: 262144, vda_read_req: 112, vda_write: 5778432,
    vda_write_req: 488, vnet1_rx: 2070139, vnet1_rx_drop: 0, vnet1_rx_errors: 0, vnet1_rx_packets: 26701, vnet1_tx: 140208, vnet1_tx_drop: 0,
    vnet1_tx_errors: 0, vnet1_tx_packets: 662,
  };
}

function v248(i: Instance, now: Date) {
  const macs = [...new Set(i.network_info.map((n) => n.mac))];
  const cpus = Array.from({ length: i.flavor.vcpus }, (_, id) => ({ id, time: 17300000000, utilisation: 15 }));
  const nics = macs.map((mac) => ({
    mac_address: mac, rx_octets: 2070139, rx_errors: 100, rx_drop: 200, rx_packets: 26701, rx_rate: 300,
    tx_octets: 140208, tx_errors: 400, tx_drop: 500, tx_packets: 662, tx_rate: 600,
  }));
  const disks = [{ read_bytes: 262144, read_requests: 112, write_bytes: 5778432, write_requests: 488, errors_count: 1 }];
  return {
    state: STATE_NAMES[i.power_state] ?? 'nostate', driver: 'libvirt', hypervisor: 'kvm', hypervisor_os: 'ubuntu',
    uptime: i.launched_at ? Math.max(0, Math.trunc((now.getTime() - i.launched_at.getTime()) / 1000)) : 0,
    config_drive: i.config_drive !== '', num_cpus: cpus.length, num_nics: nics.length, num_disks: disks.length,
    cpu_details: cpus, nic_details: nics, disk_details: disks, memory_details: { maximum: i.flavor.memory_mb * 1024, used: 0 },
  };
}

export async function serverDiagnosticsRoutes(app: FastifyInstance, opts: { deps: ApiDeps }) {
  const { services: s, policy, compute } = opts.deps;
  app.get('/servers/:id/diagnostics', async (req) => {
    const id = (req.params as { id: string }).id;
    const i = await mapErrors(() => compute.get(req.ctx, id), { InstanceNotFound: 404 });
    policy.authorize('os_compute_api:os-server-diagnostics', req.ctx, { project_id: i.project_id });
    // compute_api.get_diagnostics: @check_instance_host (InstanceNotReady, a 409).
    if (!i.host) throw new NovaError(409, `Instance ${i.uuid} is not ready`);
    return req.apiVersion.matches('2.48') ? v248(i, s.runtime.now()) : legacy(i);
  });
}

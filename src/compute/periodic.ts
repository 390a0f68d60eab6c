// The compute service's periodic tasks and start-up that send notifications, run on demand
// (POST /_novasim/periodic-tasks/<task>, POST /_novasim/compute-services/<host>/restart):
// - update_available_resource → ResourceTracker._get_host_metrics with compute_monitors
//   ['cpu.virt_driver'] (nova/compute/monitors/cpu/virt_driver.py): metrics.update;
// - _poll_volume_usage (volume_usage_poll_interval > 0): volume.usage per attached volume;
// - a restart's init_host → libvirt Host.get_connection: libvirt.connect.error on failure, then
//   HypervisorUnavailable (the service does not come up).
import type { RequestContext } from '../domain.js';
import type { ManagerDeps } from './deps.js';
import { exceptionInfo } from './events.js';
import { asComputeException, ComputeException } from './exceptions.js';

type CpuStats = { kernel: number; idle: number; user: number; iowait: number };

export class ComputePeriodicTasks {
  /** The cpu.virt_driver monitor's previous reading, per node (Monitor._cpu_stats). */
  private cpuStats = new Map<string, CpuStats>();

  constructor(private d: ManagerDeps) {}

  /** Forget the monitors' previous readings (a restarted compute service starts afresh). */
  resetMonitors(): void {
    this.cpuStats.clear();
  }

  /** update_available_resource for every node of `host` (all compute hosts when absent). Returns the metrics sent per node. */
  updateAvailableResource(host?: string): { node: string; metrics: number }[] {
    const s = this.d.services;
    const out: { node: string; metrics: number }[] = [];
    for (const node of s.hosts.nodes()) {
      if (host && node.host !== host) continue;
      const metrics = s.config.computeMonitors.includes('cpu.virt_driver') ? this.cpuMetrics(node.hypervisor_hostname) : [];
      // _get_host_metrics: a notification only when some monitor produced metrics.
      if (metrics.length) this.d.notifier.notifyMetricsUpdate(adminContext(s.runtime.requestId()), node.host, s.config.myIp, node.hypervisor_hostname, metrics);
      out.push({ node: node.hypervisor_hostname, metrics: metrics.length });
    }
    return out;
  }

  /**
   * Monitor._update_data: utilisation from the delta with the previous reading. The simulated counters
   * are constant (Nova's fake driver), so a second reading has a zero delta: Nova's monitor then
   * fails (ZeroDivisionError, logged) and _get_host_metrics sends nothing, and so does novasim.
   */
  private cpuMetrics(nodename: string) {
    const s = this.d.services;
    const stats = this.d.driver.hostCpuStats();
    const prev = this.cpuStats.get(nodename) ?? { kernel: 0, idle: 0, user: 0, iowait: 0 };
    const total = stats.user + stats.kernel + stats.idle + stats.iowait;
    const cputime = total - (prev.user + prev.kernel + prev.idle + prev.iowait);
    if (cputime === 0) return [];
    this.cpuStats.set(nodename, { kernel: stats.kernel, idle: stats.idle, user: stats.user, iowait: stats.iowait });
    const pct = (now: number, before: number) => Math.trunc(((now - before) / cputime) * 100);
    const used = stats.user + stats.kernel + stats.iowait - (prev.user + prev.kernel + prev.iowait);
    const timestamp = s.runtime.now();
    const source = s.config.computeDriver;
    const values: [string, number][] = [
      ['cpu.frequency', stats.frequency],
      ['cpu.user.time', stats.user],
      ['cpu.kernel.time', stats.kernel],
      ['cpu.idle.time', stats.idle],
      ['cpu.iowait.time', stats.iowait],
      ['cpu.user.percent', pct(stats.user, prev.user)],
      ['cpu.kernel.percent', pct(stats.kernel, prev.kernel)],
      ['cpu.idle.percent', pct(stats.idle, prev.idle)],
      ['cpu.iowait.percent', pct(stats.iowait, prev.iowait)],
      ['cpu.percent', Math.trunc((used / cputime) * 100)],
    ];
    return values.map(([name, value]) => ({ name, value, timestamp, source }));
  }

  /** _poll_volume_usage: volume.usage for each volume BDM of the host's instances (none when the interval is 0). */
  pollVolumeUsage(host?: string): number {
    const s = this.d.services;
    if (s.config.volumeUsagePollInterval === 0) return 0;
    let sent = 0;
    const hosts = host ? [host] : [...new Set(s.hosts.nodes().map((n) => n.host))];
    for (const h of hosts) {
      for (const { uuid } of s.hosts.instancesOnHost(h)) {
        for (const bdm of s.bdms.listForInstance(uuid)) {
          if (bdm.destination_type !== 'volume' || !bdm.volume_id) continue;
          this.volumeUsage(adminContext(s.runtime.requestId()), uuid, bdm.volume_id, h);
          sent++;
        }
      }
    }
    return sent;
  }

  /** _notify_volume_usage_detach / _update_volume_usage_cache: the driver's block_stats as a VolumeUsage. */
  volumeUsage(ctx: RequestContext | null, instanceUuid: string, volumeId: string, host: string): void {
    const s = this.d.services;
    const instance = s.instances.get(instanceUuid);
    if (!instance) return;
    const [reads, readBytes, writes, writeBytes] = this.d.driver.blockStats();
    this.d.notifier.notifyVolumeUsage(ctx, host, {
      volumeId, instanceUuid, projectId: instance.project_id, userId: instance.user_id,
      availabilityZone: instance.availability_zone, lastRefreshed: s.runtime.now(), reads, readBytes, writes, writeBytes,
    });
  }

  /**
   * Restart a nova-compute: init_host connects to the hypervisor. A failing connection (fault point
   * `driver.connect`, libvirtError by default) sends libvirt.connect.error and raises
   * HypervisorUnavailable; the monitors start afresh either way.
   */
  async restart(host: string): Promise<void> {
    const s = this.d.services;
    if (!s.hosts.computeService(host)) {
      throw new ComputeException('ComputeHostNotFound', `Compute host ${host} could not be found.`, { novaException: true, code: 404 });
    }
    this.cpuStats.clear();
    try {
      await this.d.driver.connect();
    } catch (err) {
      const e = asComputeException(err, ['init_host']);
      this.d.notifier.notifyLibvirtConnectError(adminContext(s.runtime.requestId()), host, s.config.myIp, exceptionInfo(e));
      throw new ComputeException('HypervisorUnavailable', 'Connection to the hypervisor is broken on host', { novaException: true, code: 500 });
    }
  }
}

/** context.get_admin_context(): no user, no project (periodic tasks and service start-up). */
function adminContext(requestId: string): RequestContext {
  return { requestId, userId: '', projectId: '', roles: ['admin'], isAdmin: true, authToken: '' };
}

// The simulated hypervisor (Nova's virt driver). Like nova.virt.fake it succeeds instantly,
// unless the fault registry says otherwise: `{service: "compute", operation: "driver.swap_volume"}`.
import type { Instance } from '../domain.js';
import { type FaultRegistry, sleep, VOLUME_NAME_PLACEHOLDER } from '../faults/registry.js';
import type { Config } from '../config.js';
import { ComputeException, type Frame, frame, framesFor, LOCKED } from './exceptions.js';
import type { ConnectionInfo, Connector } from './volume-api.js';

const DRIVER_MODULE = 'nova.virt.libvirt.driver';

export class Driver {
  readonly capabilities = { supports_multiattach: true };

  constructor(
    private faults: FaultRegistry,
    private config: Config,
  ) {}

  /** Consult the fault registry at a named point; raise or wait as the fault says. */
  async faultPoint(operation: string, target: { instance_uuid?: string; volume_id?: string | null }, entry: (string | Frame)[], inner = frame(DRIVER_MODULE, operation.replace(/^(driver|manager)\./, ''))) {
    const f = this.faults.take('compute', operation, target);
    if (!f) return;
    const e = f.error;
    if ('delay_ms' in e) {
      await sleep(e.delay_ms);
      return;
    }
    if ('exception' in e) {
      const at = e.module || e.function ? frame(e.module ?? inner.module, e.function ?? inner.func, inner.line) : inner;
      const message = e.message.replaceAll(VOLUME_NAME_PLACEHOLDER, target.volume_id ?? 'None');
      throw new ComputeException(e.exception, message, { frames: framesFor(entry, at) });
    }
    const frames = framesFor(entry, inner);
    throw new ComputeException('NovaException', e.message, { novaException: true, code: e.status, frames });
  }

  /**
   * get_host_cpu_stats: the simulated hypervisor reports the counters of Nova's fake driver
   * (nova/virt/fake.py), constant like them.
   */
  hostCpuStats(): { kernel: number; idle: number; user: number; iowait: number; frequency: number } {
    return { kernel: 5664160000000, idle: 1592705190000000, user: 26728850000000, iowait: 6121490000000, frequency: 800 };
  }

  /** block_stats(instance, disk_id): [rd_req, rd_bytes, wr_req, wr_bytes, flush_ops]; a simulated disk does no I/O. */
  blockStats(): [number, number, number, number, null] {
    return [0, 0, 0, 0, null];
  }

  /** libvirt Host.get_connection at service start (fault point `driver.connect`). */
  async connect(): Promise<void> {
    await this.faultPoint('driver.connect', {}, ['init_host', frame('nova.virt.libvirt.driver', 'init_host'), frame('nova.virt.libvirt.host', 'initialize'), frame('nova.virt.libvirt.host', 'get_connection')], frame('nova.virt.libvirt.host', '_get_connection'));
  }

  getVolumeConnector(instance: Instance): Connector {
    return {
      platform: 'x86_64',
      os_type: 'linux',
      ip: '127.0.0.1',
      host: instance.host ?? this.config.computeHost,
      multipath: false,
      initiator: `iqn.1993-08.org.debian:01:${instance.host ?? this.config.computeHost}`,
      do_local_attach: false,
    };
  }

  /** compute_utils.get_next_device_name: the first free letter after the root disk. */
  nextDeviceName(instance: Instance, used: (string | null)[]): string {
    const prefix = `/dev/${this.config.diskPrefix}`;
    const taken = new Set(used.filter((d): d is string => !!d).map((d) => d.replace(/^\/dev\/(x?v|s|h)d/, '')));
    taken.add('a'); // root disk
    for (let i = 0; i < 26 * 27; i++) {
      const letters = i < 26 ? String.fromCharCode(97 + i) : String.fromCharCode(96 + Math.floor(i / 26)) + String.fromCharCode(97 + (i % 26));
      if (!taken.has(letters)) return `${prefix}${letters}`;
    }
    throw new ComputeException('TooManyDiskDevices', 'The maximum allowed number of disk devices (500) to attach to a single instance has been exceeded.', { novaException: true, code: 403 });
  }

  rootDeviceName(): string {
    return `/dev/${this.config.diskPrefix}a`;
  }

  async spawn(instance: Instance) {
    await this.faultPoint('driver.spawn', { instance_uuid: instance.uuid }, ['_do_build_and_run_instance', '_build_and_run_instance']);
  }

  async attachVolume(instance: Instance, _cinfo: ConnectionInfo, _mountpoint: string, volumeId: string) {
    await this.faultPoint('driver.attach_volume', { instance_uuid: instance.uuid, volume_id: volumeId }, ['attach_volume', LOCKED, 'do_attach_volume', '_attach_volume']);
  }

  async detachVolume(instance: Instance, _cinfo: ConnectionInfo | null, _mountpoint: string | null, volumeId: string) {
    await this.faultPoint('driver.detach_volume', { instance_uuid: instance.uuid, volume_id: volumeId }, ['detach_volume', LOCKED, 'do_detach_volume', '_detach_volume']);
  }

  async swapVolume(instance: Instance, _old: ConnectionInfo | null, _new: ConnectionInfo, _mountpoint: string | null, _resizeTo: number, oldVolumeId: string) {
    await this.faultPoint('driver.swap_volume', { instance_uuid: instance.uuid, volume_id: oldVolumeId }, ['swap_volume', LOCKED, '_do_locked_swap_volume', '_do_swap_volume', '_swap_volume']);
  }

  async attachInterface(instance: Instance, portId: string) {
    await this.faultPoint('driver.attach_interface', { instance_uuid: instance.uuid, volume_id: portId }, ['attach_interface', '_attach_interface']);
  }

  async detachInterface(instance: Instance, portId: string) {
    await this.faultPoint('driver.detach_interface', { instance_uuid: instance.uuid, volume_id: portId }, ['detach_interface']);
  }

  async destroy(instance: Instance) {
    await this.faultPoint('driver.destroy', { instance_uuid: instance.uuid }, ['terminate_instance', LOCKED, 'do_terminate_instance', '_delete_instance', '_shutdown_instance']);
  }
}

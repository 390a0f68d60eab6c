// Nova's periodic/start-up notification-sample tests:
// - test_metrics.py TestMetricsNotificationSample.test_metrics_update (compute_monitors
//   ['cpu.virt_driver'], update_available_resource, metrics.update);
// - test_volume.py TestVolumeUsageNotificationSample (volume_usage_poll_interval=60): volume.usage
//   between volume_detach.start/.end, and from _poll_volume_usage;
// - test_libvirt.py TestLibvirtErrorNotificationSample.test_libvirt_connect_error (the compute
//   restarted while libvirt's _get_connection raises libvirtError: libvirt.connect.error).
import { ANY } from '../testing/match-sample.js';
import { expectEventTypes, record } from './expect.js';
import type { SampleHarness, Server } from './harness.js';
import { PORT_1, SWAP_OLD_VOL } from './nova-fixtures.js';
import type { Scenario } from './types.js';

/** CONF.my_ip in the scenarios (Nova's tests replace host_ip / ip with theirs). */
const MY_IP = '10.0.2.15';
const COMPUTE = 'compute';

export const metricsUpdate: Scenario = {
  name: 'metrics-update',
  nova: 'test_metrics.py TestMetricsNotificationSample.test_metrics_update',
  // Nova's functional tests run the fake driver: CONF.compute_driver is the metrics' source.
  flags: { computeMonitors: ['cpu.virt_driver'], computeDriver: 'fake.SmallFakeDriver', myIp: MY_IP },
  async run(h) {
    h.resetNotifications();
    await h.request('POST', '/_novasim/periodic-tasks/update_available_resource', { host: COMPUTE }, 200, { admin: true });
    const ns = h.notifications();
    return {
      name: this.name, nova: this.nova, notes: [],
      problems: expectEventTypes(ns, ['metrics.update']),
      recorded: record(ns, [['metrics-update', { kind: 'sample', sample: 'metrics-update', replacements: { host_ip: MY_IP } }]]),
    };
  },
};

const VOLUME_USAGE = 'test_volume.py TestVolumeUsageNotificationSample';

async function serverWithVolume(h: SampleHarness): Promise<Server> {
  const server = await h.bootServer({ networks: [{ port: PORT_1 }] });
  await h.attachVolume(server, SWAP_OLD_VOL);
  h.resetNotifications();
  return server;
}

export const volumeUsageDetach: Scenario = {
  name: 'volume-usage-detach',
  nova: `${VOLUME_USAGE}.test_volume_usage_with_detaching_volume`,
  flags: { volumeUsagePollInterval: 60 },
  async run(h) {
    const server = await serverWithVolume(h);
    await h.detachVolume(server, SWAP_OLD_VOL);
    const ns = h.notifications();
    return {
      name: this.name, nova: this.nova, notes: [],
      // 0. volume_detach-start 1. volume.usage 2. volume_detach-end
      problems: expectEventTypes(ns, ['instance.volume_detach.start', 'volume.usage', 'instance.volume_detach.end']),
      recorded: record(ns.slice(1), [['volume-usage', { kind: 'sample', sample: 'volume-usage', replacements: { instance_uuid: server.id } }]]),
    };
  },
};

export const volumeUsagePoll: Scenario = {
  name: 'volume-usage-poll',
  nova: `${VOLUME_USAGE}.test_instance_poll_volume_usage`,
  flags: { volumeUsagePollInterval: 60 },
  async run(h) {
    const server = await serverWithVolume(h);
    await h.request('POST', '/_novasim/periodic-tasks/_poll_volume_usage', {}, 200, { admin: true });
    const ns = h.notifications();
    return {
      name: this.name, nova: this.nova, notes: [],
      problems: expectEventTypes(ns, ['volume.usage']),
      recorded: record(ns, [['volume-usage', { kind: 'sample', sample: 'volume-usage', replacements: { instance_uuid: server.id } }]]),
    };
  },
};

export const libvirtConnectError: Scenario = {
  name: 'libvirt-connect-error',
  nova: 'test_libvirt.py TestLibvirtErrorNotificationSample.test_libvirt_connect_error',
  flags: { myIp: MY_IP },
  async run(h) {
    // mock_get_conn.side_effect = fakelibvirt.libvirtError('Sample exception for versioned notification test.')
    h.sim.faults.add({
      service: 'compute', operation: 'driver.connect',
      error: { exception: 'libvirtError', message: 'Sample exception for versioned notification test.', module: 'nova.virt.libvirt.host', function: '_get_connection' },
    });
    h.resetNotifications();
    // assertRaises(HypervisorUnavailable, self.restart_compute_service, self.compute)
    const res = await h.request('POST', `/_novasim/compute-services/${COMPUTE}/restart`, {}, 500, { admin: true });
    const problems = (res.error as { exception?: string } | undefined)?.exception === 'HypervisorUnavailable' ? [] : [`restart answered ${JSON.stringify(res)}, expected HypervisorUnavailable`];
    const ns = h.notifications();
    return {
      name: this.name, nova: this.nova, notes: [],
      problems: [...problems, ...expectEventTypes(ns, ['libvirt.connect.error'])],
      recorded: record(ns, [[
        'libvirt-connect-error',
        { kind: 'sample', sample: 'libvirt-connect-error', replacements: { ip: MY_IP, 'reason.function_name': ANY, 'reason.module_name': ANY, 'reason.traceback': ANY } },
      ]]),
    };
  },
};

export const PERIODIC_SCENARIOS: readonly Scenario[] = [metricsUpdate, volumeUsageDetach, volumeUsagePoll, libvirtConnectError];

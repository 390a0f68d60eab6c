// Periodic and start-up notifications over the control API: metrics.update (compute_monitors),
// volume.usage (volume_usage_poll_interval), libvirt.connect.error (a restart that cannot connect).
import { afterAll, describe, expect, it } from 'vitest';
import type { ConfigInput, Simulator } from '../../../src/index.js';
import { bootServer, client, startSim } from '../../helpers/sim.js';
import { attach, createVolume } from '../../helpers/volumes.js';

const sims: Simulator[] = [];
afterAll(async () => {
  for (const s of sims) await s.close();
});
const sim = async (opts: ConfigInput) => {
  const s = await startSim(opts);
  sims.push(s);
  return s;
};
const post = (s: Simulator, url: string, payload: unknown = {}) => s.app.inject({ method: 'POST', url, payload: payload as object });
const types = (s: Simulator) => s.notifications.list().map((n) => n.envelope.event_type);

describe('update_available_resource → metrics.update', () => {
  it("sends nothing without compute_monitors (Nova's default)", async () => {
    const s = await sim({});
    const res = await post(s, '/_novasim/periodic-tasks/update_available_resource');
    expect(res.statusCode).toBe(200);
    expect(res.json().nodes).toEqual([{ node: 'novasim-node', metrics: 0 }, { node: 'novasim-node-2', metrics: 0 }]);
    expect(types(s)).toEqual([]);
  });

  it("with cpu.virt_driver: one per node (host, my_ip, ten metrics), then nothing while the counters stand still", async () => {
    const s = await sim({ computeMonitors: ['cpu.virt_driver'], myIp: '192.0.2.7', notificationFormat: 'both' });
    expect((await post(s, '/_novasim/periodic-tasks/update_available_resource', { host: 'compute-2' })).statusCode).toBe(200);
    const [n] = s.notifications.list();
    expect(n.envelope).toMatchObject({ event_type: 'metrics.update', publisher_id: 'nova-compute:compute-2', priority: 'INFO' });
    const data = (n.envelope.payload as any)['nova_object.data'];
    expect(data).toMatchObject({ host: 'compute-2', host_ip: '192.0.2.7', nodename: 'novasim-node-2' });
    const metrics = Object.fromEntries(data.metrics.map((m: any) => [m['nova_object.data'].name, m['nova_object.data'].value]));
    expect(metrics).toMatchObject({ 'cpu.frequency': 800, 'cpu.idle.percent': 97, 'cpu.percent': 2, 'cpu.user.percent': 1 });
    expect(data.metrics[0]['nova_object.data'].source).toBe('libvirt.LibvirtDriver');
    // Legacy twin: compute.metrics.update from compute.<nodename>, percentages back in [0, 1].
    const [legacy] = s.legacyNotifications.list();
    expect(legacy.envelope).toMatchObject({ event_type: 'compute.metrics.update', publisher_id: 'compute.novasim-node-2' });
    const lm = (legacy.envelope.payload as any).metrics.find((m: any) => m.name === 'cpu.idle.percent');
    expect(lm.value).toBe(0.97);
    // A second reading has no delta: Nova's monitor fails and nothing is sent.
    s.notifications.clear();
    expect((await post(s, '/_novasim/periodic-tasks/update_available_resource', { host: 'compute-2' })).json().nodes).toEqual([{ node: 'novasim-node-2', metrics: 0 }]);
    expect(types(s)).toEqual([]);
    // Bad requests.
    expect((await post(s, '/_novasim/periodic-tasks/update_available_resource', { host: 'nope' })).statusCode).toBe(404);
    expect((await post(s, '/_novasim/periodic-tasks/_heal_instance_info_cache')).statusCode).toBe(404);
    expect((await post(s, '/_novasim/periodic-tasks/update_available_resource', { host: 3 })).statusCode).toBe(400);
  });
});

describe('volume.usage', () => {
  it('with volume_usage_poll_interval > 0: between volume_detach.start and .end, and from _poll_volume_usage; none at 0', async () => {
    for (const interval of [60, 0]) {
      const s = await sim({ volumeUsagePollInterval: interval });
      const demo = await client(s, 'demo');
      const server = await bootServer(s, demo, 'vu');
      const vol = await createVolume(s, demo, 1, 'v');
      await attach(s, demo, server, vol);
      s.notifications.clear();
      const polled = await post(s, '/_novasim/periodic-tasks/_poll_volume_usage');
      expect(polled.json().volume_usages).toBe(interval ? 1 : 0);
      if (interval) {
        const data = (s.notifications.list()[0].envelope.payload as any)['nova_object.data'];
        expect(data).toMatchObject({ volume_id: vol, instance_uuid: server, reads: 0, write_bytes: 0, availability_zone: 'nova' });
      }
      s.notifications.clear();
      expect((await demo.req('DELETE', `/compute/v2.1/servers/${server}/os-volume_attachments/${vol}`)).statusCode).toBe(202);
      await s.idle();
      expect(types(s)).toEqual(interval
        ? ['instance.volume_detach.start', 'volume.usage', 'instance.volume_detach.end']
        : ['instance.volume_detach.start', 'instance.volume_detach.end']);
    }
  });
});

describe('restart → libvirt.connect.error', () => {
  it('a restart that connects is quiet; a failing connection sends libvirt.connect.error and answers HypervisorUnavailable', async () => {
    const s = await sim({ notificationFormat: 'both' });
    expect((await post(s, '/_novasim/compute-services/compute/restart')).statusCode).toBe(204);
    expect(types(s)).toEqual([]);
    expect((await post(s, '/_novasim/compute-services/nowhere/restart')).statusCode).toBe(404);
    s.faults.add({ service: 'compute', operation: 'driver.connect' });
    const res = await post(s, '/_novasim/compute-services/compute/restart');
    expect(res.statusCode).toBe(500);
    expect(res.json().error).toEqual({ code: 500, message: 'Connection to the hypervisor is broken on host', exception: 'HypervisorUnavailable' });
    const [n] = s.notifications.list();
    expect(n.envelope).toMatchObject({ event_type: 'libvirt.connect.error', publisher_id: 'nova-compute:compute', priority: 'ERROR' });
    expect((n.envelope.payload as any)['nova_object.data'].reason['nova_object.data']).toMatchObject({
      exception: 'libvirtError', exception_message: "Failed to connect socket to '/var/run/libvirt/libvirt-sock': No such file or directory", function_name: '_get_connection',
    });
    expect(s.legacyNotifications.list().map((x) => [x.envelope.event_type, x.envelope.publisher_id])).toEqual([['compute.libvirt.error', 'compute.compute']]);
    // The fault fired once: the next restart connects.
    expect((await post(s, '/_novasim/compute-services/compute/restart')).statusCode).toBe(204);
  });
});

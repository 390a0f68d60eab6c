// Reliability of the Neutron hops (issue 14): a SIGKILL mid-build with ports allocated (and a boot
// volume attached) recovers to a consistent cloud; parallel boots and interface attaches on one
// network never hand out an address twice; a reset while Neutron calls are in flight leaves nothing behind.
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { Simulator } from '../../src/index.js';
import { type Child, IMAGE_ID, http, loginHttp, removeDb, report, sleep, startChild, tempDbPath, until } from '../helpers/reliability.js';
import { startSim } from '../helpers/sim.js';

type Who = Awaited<ReturnType<typeof loginHttp>>;
const INTERRUPTED = 'Operation interrupted by a restart of nova-compute';
const env = { NOVASIM_VOLUME_CREATE_DELAY_MS: '0', NOVASIM_VOLUME_DELETE_DELAY_MS: '0', NOVASIM_BUILD_DELAY_MS: '0', NOVASIM_VIF_PLUGGING_TIMEOUT: '60' };

const privateNet = async (base: string, who: Who) => (await http(base, 'GET', '/networking/v2.0/networks?name=private', { token: who.token })).json().networks[0].id as string;
const portsOf = async (base: string, who: Who, server: string) =>
  (await http(base, 'GET', `/networking/v2.0/ports?device_id=${server}`, { token: who.token })).json().ports as { id: string; status: string; fixed_ips: { ip_address: string }[]; 'binding:host_id'?: string }[];
const serverOf = async (base: string, who: Who, id: string) => (await http(base, 'GET', `/compute/v2.1/servers/${id}`, { token: who.token })).json().server;

/** Every fixed IP of the network's ports, with the ports holding each (a duplicate is a bug). */
async function addressesOn(base: string, admin: Who, net: string): Promise<Map<string, string[]>> {
  const ports = (await http(base, 'GET', `/networking/v2.0/ports?network_id=${net}`, { token: admin.token })).json().ports as { id: string; fixed_ips: { ip_address: string }[] }[];
  const out = new Map<string, string[]>();
  for (const p of ports) for (const f of p.fixed_ips) out.set(f.ip_address, [...(out.get(f.ip_address) ?? []), p.id]);
  return out;
}
const duplicates = (m: Map<string, string[]>) => [...m.entries()].filter(([, ports]) => ports.length > 1);

describe('Neutron hops: crash mid-build', () => {
  let child: Child | null = null;
  let db = '';
  afterEach(async () => {
    await child?.kill('SIGKILL');
    child = null;
    if (db) removeDb(db);
  });

  it('SIGKILL while one build waits for network-vif-plugged and another spawns with a boot volume: ERROR, ports and volume kept consistent, delete frees them', async () => {
    db = tempDbPath('neutron-crash');
    child = await startChild(['--db', db], env);
    let base = child.url;
    const admin = await loginHttp(base, 'admin');
    const demo = await loginHttp(base, 'demo');
    const net = await privateNet(base, demo);
    const fault = async (spec: Record<string, unknown>) => (await http(base, 'POST', '/_novasim/faults', { body: spec })).json().fault.id as string;
    const hit = (id: string) => until(`fault ${id} hit`, async () => ((await http(base, 'GET', '/_novasim/faults')).json().faults as { id: string; hits: number }[]).find((f) => f.id === id)?.hits, 10_000, 10);

    // A: its vif-plugged event is dropped, so the spawn waits (vif_plugging_timeout 60 s) with its port bound.
    const dropped = await fault({ service: 'neutron', operation: 'network-vif-plugged' });
    const a = (await http(base, 'POST', '/compute/v2.1/servers', { token: demo.token, body: { server: { name: 'a', imageRef: IMAGE_ID, flavorRef: '1', networks: [{ uuid: net }] } } })).json().server.id as string;
    await hit(dropped);
    // B: boots from an image-backed volume and is held inside the driver's spawn.
    const held = await fault({ service: 'compute', operation: 'driver.spawn', error: { delay_ms: 30_000 } });
    const bRes = await http(base, 'POST', '/compute/v2.1/servers', {
      token: demo.token,
      body: { server: { name: 'b', flavorRef: '1', networks: [{ uuid: net }], block_device_mapping_v2: [{ boot_index: 0, uuid: IMAGE_ID, source_type: 'image', destination_type: 'volume', volume_size: 1, delete_on_termination: true }] } },
    });
    expect(bRes.status, bRes.text).toBe(202);
    const b = bRes.json().server.id as string;
    await hit(held);
    const before = { a: await portsOf(base, demo, a), b: await portsOf(base, demo, b) };
    expect(before.a).toHaveLength(1);
    expect(before.b).toHaveLength(1);
    await child.kill('SIGKILL');

    child = await startChild(['--db', db], env);
    base = child.url;
    report(`neutron crash: restart printed ${JSON.stringify(child.recovered)}`);
    const file = new Database(db, { readonly: true, fileMustExist: true });
    try {
      expect((file.prepare('SELECT COUNT(*) AS n FROM compute_tasks').get() as { n: number }).n).toBe(0);
      const faults = (id: string) => (file.prepare('SELECT message FROM instance_faults WHERE instance_uuid = ?').all(id) as { message: string }[]).map((r) => r.message);
      expect(faults(a)).toContain(INTERRUPTED);
      expect(faults(b)).toContain(INTERRUPTED);
    } finally {
      file.close();
    }
    const admin2 = await loginHttp(base, 'admin');
    for (const [id, ports] of [[a, before.a], [b, before.b]] as const) {
      const srv = await serverOf(base, admin2, id);
      expect(srv.status).toBe('ERROR');
      // The ports the build allocated are still the server's, with the same address, shown in `addresses`.
      const now = await portsOf(base, admin2, id);
      expect(now.map((p) => [p.id, p.fixed_ips[0].ip_address])).toEqual(ports.map((p) => [p.id, p.fixed_ips[0].ip_address]));
      expect(Object.values(srv.addresses).flat().map((x) => (x as { addr: string }).addr)).toEqual(expect.arrayContaining([ports[0].fixed_ips[0].ip_address]));
    }
    const bootVol = (await http(base, 'GET', `/compute/v2.1/servers/${b}/os-volume_attachments`, { token: admin2.token })).json().volumeAttachments[0].volumeId as string;
    expect((await http(base, 'GET', `/volume/v3/${admin2.projectId}/volumes/${bootVol}`, { token: admin2.token })).json().volume.status).toBe('in-use');
    expect(duplicates(await addressesOn(base, admin2, net))).toEqual([]);

    // Deleting both gives everything back: ports gone, the boot volume deleted (delete_on_termination).
    for (const id of [a, b]) expect((await http(base, 'DELETE', `/compute/v2.1/servers/${id}`, { token: demo.token })).status).toBe(204);
    await until('servers gone', async () => (await http(base, 'GET', `/compute/v2.1/servers/${b}`, { token: demo.token })).status === 404 && (await http(base, 'GET', `/compute/v2.1/servers/${a}`, { token: demo.token })).status === 404);
    expect(await portsOf(base, admin2, a)).toEqual([]);
    expect(await portsOf(base, admin2, b)).toEqual([]);
    await until('boot volume deleted', async () => (await http(base, 'GET', `/volume/v3/${admin2.projectId}/volumes/${bootVol}`, { token: admin2.token })).status === 404);
  });
});

describe('Neutron hops: concurrency and reset (in-process)', () => {
  let sim: Simulator | null = null;
  afterEach(async () => {
    await sim?.close();
    sim = null;
  });

  it('12 parallel boots and 6 parallel interface attaches on one network: every address handed out once', async () => {
    sim = await startSim({ instanceQuota: -1, coresQuota: -1, ramQuota: -1 });
    const base = await sim.listen();
    const admin = await loginHttp(base, 'admin');
    const demo = await loginHttp(base, 'demo');
    const net = await privateNet(base, demo);
    const boots = await Promise.all(
      Array.from({ length: 12 }, (_, i) => http(base, 'POST', '/compute/v2.1/servers', { token: demo.token, body: { server: { name: `par-${i}`, imageRef: IMAGE_ID, flavorRef: '1', networks: [{ uuid: net }] } } })),
    );
    expect(boots.map((r) => r.status)).toEqual(Array(12).fill(202));
    const ids = boots.map((r) => r.json().server.id as string);
    await sim.idle();
    for (const id of ids) expect((await serverOf(base, demo, id)).status).toBe('ACTIVE');
    const attaches = await Promise.all(
      Array.from({ length: 6 }, () => http(base, 'POST', `/compute/v2.1/servers/${ids[0]}/os-interface`, { token: demo.token, body: { interfaceAttachment: { net_id: net } } })),
    );
    expect(attaches.map((r) => r.status)).toEqual(Array(6).fill(200));
    await sim.idle();
    expect(await portsOf(base, demo, ids[0])).toHaveLength(7);
    const addrs = await addressesOn(base, admin, net);
    expect(duplicates(addrs)).toEqual([]);
    // 12 servers + 6 more interfaces, two fixed IPs each (IPv4 + SLAAC IPv6), and the router/DHCP ports.
    const ours = [...addrs.keys()].filter((ip) => ip.startsWith('10.0.0.'));
    expect(new Set(ours).size).toBe(ours.length);
    report(`neutron concurrency: ${ids.length} boots + 6 attaches, ${addrs.size} addresses on private, none twice`);
  });

  it('a reset while builds wait on Neutron (create_port held) drains them and leaves only the seed', async () => {
    sim = await startSim({ resetWaitMs: 5_000 });
    const base = await sim.listen();
    const demo = await loginHttp(base, 'demo');
    const admin = await loginHttp(base, 'admin');
    const net = await privateNet(base, demo);
    const seedPorts = ((await http(base, 'GET', '/networking/v2.0/ports', { token: admin.token })).json().ports as { id: string }[]).map((p) => p.id).sort();
    sim.faults.add({ service: 'neutron', operation: 'create_port', error: { delay_ms: 150 }, times: 4 });
    const boots = await Promise.all(
      Array.from({ length: 4 }, (_, i) => http(base, 'POST', '/compute/v2.1/servers', { token: demo.token, body: { server: { name: `r-${i}`, imageRef: IMAGE_ID, flavorRef: '1', networks: [{ uuid: net }] } } })),
    );
    expect(boots.map((r) => r.status)).toEqual([202, 202, 202, 202]);
    await sleep(40);
    const reset = await http(base, 'POST', '/_novasim/reset');
    expect(reset.status).toBe(204);
    await sim.idle();
    const admin2 = await loginHttp(base, 'admin');
    const ports = ((await http(base, 'GET', '/networking/v2.0/ports', { token: admin2.token })).json().ports as { id: string; device_owner: string }[]);
    expect(ports.filter((p) => p.device_owner.startsWith('compute:'))).toEqual([]);
    expect(ports.map((p) => p.id).sort()).toEqual(seedPorts);
    expect((await http(base, 'GET', '/compute/v2.1/servers', { token: admin2.token })).json().servers).toEqual([]);
    const n = (t: string) => (sim!.services.db.prepare(`SELECT COUNT(*) AS n FROM ${t}`).get() as { n: number }).n;
    expect({ instances: n('instances'), tasks: n('compute_tasks'), bdms: n('block_device_mappings') }).toEqual({ instances: 0, tasks: 0, bdms: 0 });
  });
});

// ComputeManager._do_build_and_run_instance, simulated: claim, network, spawn, ACTIVE.
import { POWER_STATE, type FixedIp, type Instance, type RequestContext } from '../../domain.js';
import { sleep } from '../../faults/registry.js';
import { type ManagerDeps, elevated } from '../deps.js';
import { withInstanceEvent, exceptionInfo } from '../events.js';
import { asComputeException } from '../exceptions.js';

/** One fixed IP on the simulated "private" network, derived from the instance id so it is stable. */
export function allocateNetwork(d: ManagerDeps, instance: Instance, networks: 'auto' | 'none' | { ports: string[] }): FixedIp[] {
  if (networks === 'none') return [];
  if (typeof networks === 'object') {
    const out: FixedIp[] = [];
    for (const id of networks.ports) {
      const p = d.services.db.prepare('SELECT * FROM ports WHERE id = ?').get(id) as
        | { id: string; network_label: string; mac: string; address: string; version: 4 | 6; device_name: string | null }
        | undefined;
      if (!p) continue;
      d.services.db.prepare('UPDATE ports SET instance_uuid = ? WHERE id = ?').run(instance.uuid, id);
      out.push({ label: p.network_label, mac: p.mac, address: p.address, version: p.version, port_uuid: p.id, device_name: p.device_name ?? `tap${p.id.slice(0, 11)}`, meta: {} });
    }
    return out;
  }
  const n = instance.id;
  const port = d.services.runtime.uuid();
  const hex = (x: number) => (x & 0xff).toString(16).padStart(2, '0');
  return [
    {
      label: 'private',
      mac: `fa:16:3e:${hex(n >> 16)}:${hex(n >> 8)}:${hex(n)}`,
      address: `192.168.${1 + ((n >> 8) & 0x7f)}.${2 + (n & 0xff) % 250}`,
      version: 4,
      port_uuid: port,
      device_name: `tap${port.slice(0, 11)}`,
      meta: {},
    },
  ];
}

/** instance.keypairs: the key the server was booted with, as InstanceCreatePayload lists it. */
function keypairsOf(d: ManagerDeps, inst: Instance) {
  if (!inst.key_name) return [];
  const k = d.services.db.prepare('SELECT name, user_id, fingerprint, public_key, type FROM keypairs WHERE user_id = ? AND name = ?').get(inst.user_id, inst.key_name) as
    | { name: string; user_id: string; fingerprint: string; public_key: string; type: 'ssh' | 'x509' }
    | undefined;
  return k ? [k] : [];
}

export async function buildAndRunInstance(d: ManagerDeps, reqCtx: RequestContext, uuid: string, networks: 'auto' | 'none' | { ports: string[] } = 'auto'): Promise<void> {
  const s = d.services;
  const first = s.instances.get(uuid);
  if (!first || first.task_state === 'deleting') return;
  const ctx = elevated(reqCtx);
  let failure: unknown = null;
  await withInstanceEvent(d, ctx, first, '_do_build_and_run_instance', async () => {
    if (s.config.buildDelayMs) await sleep(s.config.buildDelayMs);
    let inst = s.instances.get(uuid);
    if (!inst || inst.task_state === 'deleting') return;
    // Nova: vm_state BUILDING, task_state None, then create.start (host/node not yet claimed).
    s.instances.update(uuid, { task_state: null });
    inst = s.instances.get(uuid)!;
    const extras = { keypairs: keypairsOf(d, inst) };
    d.notifier.notifyAboutInstanceCreate(ctx, inst, s.bdms.listForInstance(uuid), s.config.computeHost, 'start', null, extras);
    try {
      s.instances.update(uuid, { host: s.config.computeHost, node: s.config.node, task_state: 'spawning', network_info: allocateNetwork(d, inst, networks) });
      inst = s.instances.get(uuid)!;
      await d.driver.spawn(inst);
      if (!s.instances.get(uuid) || s.instances.get(uuid)!.task_state === 'deleting') return;
      const now = s.runtime.now();
      s.instances.update(uuid, { vm_state: 'active', task_state: null, power_state: POWER_STATE.running, launched_at: now, updated_at: now });
    } catch (err) {
      failure = err;
      const e = asComputeException(err, ['_do_build_and_run_instance', '_build_and_run_instance']);
      const now = s.runtime.now();
      s.instances.update(uuid, { vm_state: 'error', task_state: null, updated_at: now, network_info: [] });
      d.notifier.notifyAboutInstanceCreate(ctx, s.instances.get(uuid)!, s.bdms.listForInstance(uuid), s.config.computeHost, 'error', exceptionInfo(e), extras);
      throw e;
    }
    inst = s.instances.get(uuid)!;
    d.notifier.notifyAboutInstanceCreate(ctx, inst, s.bdms.listForInstance(uuid), s.config.computeHost, 'end', null, extras);
  });
  void failure;
}

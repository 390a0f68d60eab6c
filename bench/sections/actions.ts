// 1b. Per action, in-process: POST → the notification that ends it (what a test waits for), on a warm
//     simulator with the library's in-process transport. Boot with a Neutron port (POST /servers →
//     instance.create.end: scheduler, port create + bind over the transport, build) and delete
//     (→ instance.delete.end: port unbind/delete), then the power/state actions in pairs that undo each other.
//     Baseline: the swap PUT → .end of section 1 (same process, same run).
import { createSimulator, type Simulator } from '../../src/index.js';
import { simRequester, type Requester } from '../lib/client.js';
import { FLAVOR, IMAGE, SAMPLE_CONFIG, login, type Session } from '../lib/sample-env.js';
import { now, summarize, type Summary } from '../lib/stats.js';

export interface ActionTiming {
  /** `POST action → event` as shown in the table. */
  label: string;
  summary: Summary;
}

/** The network Nova's sample environment seeds for the tenant (bench/sample-seed.json) — found by name. */
async function tenantNetwork(r: Requester, s: Session): Promise<string> {
  const res = await r('GET', '/networking/v2.0/networks', undefined, { 'x-auth-token': s.token });
  const nets = (JSON.parse(res.body) as { networks: { id: string; 'router:external'?: boolean }[] }).networks;
  const net = nets.find((n) => !n['router:external']);
  if (!net) throw new Error(`no tenant network in the seed: ${res.body.slice(0, 200)}`);
  return net.id;
}

async function timed(sim: Simulator, event: string, uuid: () => string | undefined, fire: () => Promise<string | void>): Promise<[number, string | void]> {
  const since = sim.notifications.capture.lastSeq;
  const t0 = now();
  const out = await fire();
  await sim.notifications.waitFor(event, { since, instanceUuid: uuid() ?? (out as string), timeoutMs: 5000 });
  const ms = now() - t0;
  await sim.idle(); // the flow's trailing bookkeeping, outside the measured window
  return [ms, out];
}

export async function runActions(quick: boolean): Promise<ActionTiming[]> {
  const sim = await createSimulator({ ...SAMPLE_CONFIG, deterministic: false, frozenTime: undefined, fixedRequestId: undefined });
  try {
    const r = simRequester(sim);
    const s = await login(r);
    const network = await tenantNetwork(r, s);
    const rounds = quick ? 3 : 30;
    const warm = quick ? 1 : 5;
    const times = new Map<string, number[]>();
    const push = (label: string, ms: number) => (times.get(label) ?? times.set(label, []).get(label)!).push(ms);

    // Boot with a port on the tenant network, then delete: POST → create.end, DELETE → delete.end.
    for (let i = 0; i < warm + rounds; i++) {
      const [bootMs, id] = await timed(sim, 'instance.create.end', () => undefined, async () => {
        const res = await r('POST', '/compute/v2.1/servers', { server: { name: `b${i}`, imageRef: IMAGE, flavorRef: FLAVOR, networks: [{ uuid: network }] } }, s.headers);
        if (res.status !== 202) throw new Error(`boot: ${res.status} ${res.body}`);
        return (JSON.parse(res.body) as { server: { id: string } }).server.id;
      });
      const [delMs] = await timed(sim, 'instance.delete.end', () => id as string, async () => {
        const res = await r('DELETE', `/compute/v2.1/servers/${id}`, undefined, s.headers);
        if (res.status !== 204) throw new Error(`delete: ${res.status} ${res.body}`);
      });
      if (i >= warm) {
        push('boot with a port: POST /servers → instance.create.end', bootMs);
        push('DELETE /servers/{id} → instance.delete.end', delMs);
      }
    }

    // One ACTIVE server for the state actions.
    const [, idv] = await timed(sim, 'instance.create.end', () => undefined, async () => {
      const res = await r('POST', '/compute/v2.1/servers', { server: { name: 'actions', imageRef: IMAGE, flavorRef: FLAVOR, networks: [{ uuid: network }] } }, s.headers);
      return (JSON.parse(res.body) as { server: { id: string } }).server.id;
    });
    const id = idv as string;
    const pairs: [Record<string, unknown>, string][][] = [
      [[{ 'os-stop': null }, 'instance.power_off.end'], [{ 'os-start': null }, 'instance.power_on.end']],
      [[{ pause: null }, 'instance.pause.end'], [{ unpause: null }, 'instance.unpause.end']],
      [[{ suspend: null }, 'instance.suspend.end'], [{ resume: null }, 'instance.resume.end']],
      [[{ reboot: { type: 'SOFT' } }, 'instance.reboot.end']],
      [[{ lock: null }, 'instance.lock'], [{ unlock: null }, 'instance.unlock']],
    ];
    for (const pair of pairs) {
      for (let i = 0; i < warm + rounds; i++) {
        for (const [body, event] of pair) {
          const [ms] = await timed(sim, event, () => id, async () => {
            const res = await r('POST', `/compute/v2.1/servers/${id}/action`, body, s.headers);
            if (res.status !== 202) throw new Error(`${Object.keys(body)[0]}: ${res.status} ${res.body}`);
          });
          if (i >= warm) push(`${Object.keys(body)[0]}: POST action → ${event}`, ms);
        }
      }
    }
    return [...times].map(([label, xs]) => ({ label, summary: summarize(xs) }));
  } finally {
    await sim.close();
  }
}

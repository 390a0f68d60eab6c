// EXPERIMENT (not part of `npm run bench`): where a swap's time goes, request by request. Times
// every request the simulator handles during sequential in-process swaps (onRequest → onResponse,
// so an outer request includes the inner ones it waits for), plus process CPU per swap.
//   node --import tsx bench/experiments/route-times.ts                 # compute→Cinder over fetch (as shipped)
//   node --import ./bench/experiments/fetch-shim.mjs --import tsx bench/experiments/route-times.ts   # node:http client
//   INJECT=1 node --import tsx bench/experiments/route-times.ts       # in-process (inject) transport
import { createSimulator } from '../../src/index.js';
import { injectRequester } from '../lib/client.js';
import { PORT_1, SAMPLE_CONFIG, attach, boot, createVolume, login } from '../lib/sample-env.js';
import { measureSwaps, type SwapRig } from '../sections/inprocess.js';
import { installInjectTransport } from './inject-transport.js';

const SWAPS = Number(process.env.SWAPS ?? 200);
const sim = await createSimulator({ ...SAMPLE_CONFIG, deterministic: false, frozenTime: undefined, fixedRequestId: undefined });
const per = new Map<string, { n: number; ms: number }>();
const starts = new WeakMap<object, number>();
sim.app.addHook('onRequest', async (req) => {
  starts.set(req, performance.now());
});
sim.app.addHook('onResponse', async (req) => {
  const k = `${req.method} ${req.routeOptions.url}`;
  const e = per.get(k) ?? { n: 0, ms: 0 };
  e.n++;
  e.ms += performance.now() - starts.get(req)!;
  per.set(k, e);
});
if (process.env.INJECT) installInjectTransport(sim.app, await sim.listen());
const r = injectRequester(sim.app);
const s = await login(r);
const { id } = await boot(r, s, { port: PORT_1 });
const vols: [string, string] = [await createVolume(r, s, 1), await createVolume(r, s, 1)];
await sim.idle();
await attach(r, s, id, vols[0]);
await sim.idle();
const rig: SwapRig = { sim, r, s, server: id, vols, cur: 0 };
await measureSwaps(rig, 50, 0);
per.clear();
const c0 = process.cpuUsage();
const res = await measureSwaps(rig, SWAPS, 0);
const c = process.cpuUsage(c0);
const transport = process.env.INJECT ? 'inject transport' : globalThis.fetch.name === 'shimFetch' ? 'node:http client (fetch shim)' : 'fetch (as shipped)';
console.log(`${transport}: PUT→.end median ${res.putEnd.median.toFixed(2)} ms (min ${res.putEnd.min.toFixed(2)}), CPU ${((c.user + c.system) / 1000 / SWAPS).toFixed(2)} ms/swap`);
for (const [k, v] of [...per].sort((a, b) => b[1].ms - a[1].ms)) {
  console.log(`${(v.ms / v.n).toFixed(3).padStart(8)} ms × ${(v.n / SWAPS).toFixed(1)}/swap  ${k}`);
}
await sim.close();

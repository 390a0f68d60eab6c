import { CinderStore } from '../src/cinder-fake/store.js';
import { swapRig, measureSwaps, rigSwap } from './sections/inprocess.js';
const counts = new Map<string, number>();
const times = new Map<string, number>();
for (const k of Object.getOwnPropertyNames(CinderStore.prototype)) {
  if (k === 'constructor') continue;
  const orig = (CinderStore.prototype as any)[k];
  if (typeof orig !== 'function') continue;
  (CinderStore.prototype as any)[k] = function (...a: unknown[]) { counts.set(k, (counts.get(k) ?? 0) + 1); const t = performance.now(); try { return orig.apply(this, a); } finally { times.set(k, (times.get(k) ?? 0) + performance.now() - t); } };
}
const rig = await swapRig();
await measureSwaps(rig, 100, 50);
counts.clear(); times.clear();
for (let i = 0; i < 100; i++) await rigSwap(rig);
for (const [k, v] of [...counts].sort((a, b) => b[1] - a[1])) console.log(k, v / 100, (times.get(k)! / 100).toFixed(3), 'ms/swap');
await rig.sim.close();

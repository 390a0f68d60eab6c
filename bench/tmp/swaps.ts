import { swapRig, rigSwap } from '../sections/inprocess.js';
const rig = await swapRig();
for (let i = 0; i < 50; i++) await rigSwap(rig);
const t0 = performance.now(); const c0 = process.cpuUsage();
for (let i = 0; i < 300; i++) await rigSwap(rig);
const c = process.cpuUsage(c0);
console.log('ms/swap', ((performance.now() - t0) / 300).toFixed(2), 'cpu ms/swap', ((c.user + c.system) / 1000 / 300).toFixed(2));
await rig.sim.close();

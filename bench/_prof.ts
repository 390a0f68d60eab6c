import { swapRig, measureSwaps } from './sections/inprocess.js';
const rig = await swapRig();
await measureSwaps(rig, 50, 50);
const c0 = process.cpuUsage(); const t0 = performance.now();
const r = await measureSwaps(rig, 300, 0);
const cpu = process.cpuUsage(c0); const wall = performance.now() - t0;
console.log(process.env.LABEL ?? '', 'median PUT→.end', r.putEnd.median.toFixed(2), 'min', r.putEnd.min.toFixed(2), 'cpu ms/swap', ((cpu.user + cpu.system) / 1000 / 300).toFixed(2), 'wall ms/swap', (wall / 300).toFixed(2));
await rig.sim.close();

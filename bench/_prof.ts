import { swapRig, measureSwaps } from './sections/inprocess.js';
const rig = await swapRig();
const r = await measureSwaps(rig, 400, 50);
console.log(r.put202.median, r.putEnd.median);
await rig.sim.close();

import { runColdStart } from './sections/coldstart.js';
const r = await runColdStart(process.argv.includes('--quick'));
console.log(JSON.stringify(r, (k, v) => typeof v === 'number' ? Math.round(v * 100) / 100 : v));

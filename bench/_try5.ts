import { runNotify } from './sections/notify.js';
const r = await runNotify(process.argv.includes('--quick'));
console.log(JSON.stringify(r, (k, v) => typeof v === 'number' ? Math.round(v * 1000) / 1000 : v, 1));

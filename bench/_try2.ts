import { runHttp } from './sections/http.js';
const r = await runHttp(process.argv.includes('--quick'));
console.log(JSON.stringify(r, (k, v) => typeof v === 'number' ? Math.round(v * 100) / 100 : v));

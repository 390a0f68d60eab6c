import { runInProcess } from './sections/inprocess.js';
const r = await runInProcess(process.argv.includes('--quick'));
console.log(JSON.stringify(r, null, 1));

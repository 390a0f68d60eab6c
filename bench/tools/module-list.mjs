// `node --import ./bench/tools/module-list.mjs app.js`: at exit, prints how many modules each
// package contributed to the ESM/CJS graph (start-up cost investigation).
import { register } from 'node:module';
import { Module } from 'node:module';
const seen = new Map();
const note = (url) => {
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url) ?? /\/(dist|src)\//.exec(url);
  const k = m ? m[1] : url.startsWith('node:') ? 'node:' : 'other';
  seen.set(k, (seen.get(k) ?? 0) + 1);
};
const origLoad = Module._load;
Module._load = function (request, parent, isMain) {
  try { note(Module._resolveFilename(request, parent, isMain)); } catch { /* builtins */ }
  return origLoad.apply(this, arguments);
};
const { port1, port2 } = new MessageChannel();
port1.on('message', (u) => note(u));
port1.unref();
register('data:text/javascript,' + encodeURIComponent(`let p; export function initialize(d){p=d.port} export async function load(u,c,n){p.postMessage(u); return n(u,c)}`), { data: { port: port2 }, transferList: [port2] });
process.on('exit', () => {
  const rows = [...seen].sort((a, b) => b[1] - a[1]);
  process.stderr.write(`modules loaded: ${rows.reduce((a, [, n]) => a + n, 0)}\n${rows.map(([k, n]) => `  ${String(n).padStart(4)} ${k}`).join('\n')}\n`);
});

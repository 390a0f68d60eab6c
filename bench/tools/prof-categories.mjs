// Self time of a .cpuprofile grouped by layer: src/<dir>, node_modules/<pkg>, node:<module>, V8/GC.
import { readFileSync } from 'node:fs';
const prof = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const byId = new Map(prof.nodes.map((n) => [n.id, n]));
const t = new Map();
for (let i = 0; i < prof.samples.length; i++) t.set(prof.samples[i], (t.get(prof.samples[i]) ?? 0) + (prof.timeDeltas[i] ?? 0));
const total = [...t.values()].reduce((a, b) => a + b, 0);
const cat = new Map();
for (const [id, dt] of t) {
  const { url, functionName } = byId.get(id).callFrame;
  let c;
  const m = /\/(src|bench)\/([^/]+)/.exec(url);
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) c = `pkg ${nm[1]}`;
  else if (m) c = `${m[1]}/${m[2]}`;
  else if (url.startsWith('node:internal/deps/undici')) c = 'node undici (fetch)';
  else if (/node:(_http|http)/.test(url)) c = 'node http';
  else if (/node:(net|internal\/stream|internal\/streams|stream)/.test(url)) c = 'node net/streams';
  else if (/node:internal\/webstreams/.test(url)) c = 'node webstreams (fetch bodies)';
  else if (/node:internal\/modules|compileSourceTextModule|wrapSafe/.test(url + functionName)) c = 'module loading';
  else if (url.startsWith('node:')) c = 'node other';
  else if (url.startsWith('wasm')) c = 'wasm (undici llhttp)';
  else c = `(${functionName})`;
  cat.set(c, (cat.get(c) ?? 0) + dt);
}
for (const [c, dt] of [...cat].sort((a, b) => b[1] - a[1]).slice(0, Number(process.argv[3] ?? 30))) console.log(`${((dt / total) * 100).toFixed(1).padStart(5)}%  ${(dt / 1000).toFixed(0).padStart(6)} ms  ${c}`);

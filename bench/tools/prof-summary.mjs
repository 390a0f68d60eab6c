// Summarise a V8 .cpuprofile (node --cpu-prof): self time by function and by file, and inclusive
// time for functions whose url matches an optional filter. Usage: node prof-summary.mjs FILE [N] [filter]
import { readFileSync } from 'node:fs';

const [file, topArg, filter] = process.argv.slice(2);
const top = Number(topArg ?? 30);
const prof = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(prof.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const dt = new Map();
for (let i = 0; i < prof.samples.length; i++) dt.set(prof.samples[i], (dt.get(prof.samples[i]) ?? 0) + (prof.timeDeltas[i] ?? 0));
const total = [...dt.values()].reduce((a, b) => a + b, 0);
const short = (u) => u.replace(/^file:\/\/.*?\/(node_modules|src|bench)\//, '$1/').replace(/^node:/, 'node:');
const key = (cf) => `${cf.functionName || '(anon)'} ${short(cf.url)}:${cf.lineNumber + 1}`;
const self = new Map();
const selfFile = new Map();
const incl = new Map();
for (const [id, t] of dt) {
  const n = byId.get(id);
  const k = key(n.callFrame);
  self.set(k, (self.get(k) ?? 0) + t);
  const f = short(n.callFrame.url) || `(${n.callFrame.functionName})`;
  selfFile.set(f, (selfFile.get(f) ?? 0) + t);
  const seen = new Set();
  for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
    const ck = key(byId.get(cur).callFrame);
    if (seen.has(ck)) continue;
    seen.add(ck);
    incl.set(ck, (incl.get(ck) ?? 0) + t);
  }
}
const pct = (t) => `${((t / total) * 100).toFixed(1).padStart(5)}%`;
const show = (title, m, f = () => true) => {
  console.log(`\n== ${title} (total ${(total / 1000).toFixed(0)} ms)`);
  for (const [k, t] of [...m].filter(([k]) => f(k)).sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(pct(t), k);
};
show('self by function', self);
show('self by file', selfFile);
show('inclusive', incl, (k) => !filter || k.includes(filter));

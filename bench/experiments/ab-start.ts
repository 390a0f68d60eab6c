// EXPERIMENT (not part of `npm run bench`): spawn → ready of several ways to start `novasim serve`,
// interleaved run by run so machine load hits all alike:
//   - bare fastify (the baseline), dist/cli.js as built by tsc;
//   - dist/cli.js bundled by esbuild with npm packages external, and with every JS package inlined
//     (only the native better-sqlite3 and the lazily used amqplib stay external);
//   - EXP_CLI: any other entry point (e.g. a patched copy of dist), if set.
// The bundles are written to bench/.exp/ (same depth as dist/<dir>/, so the modules'
// `new URL('../../fixtures/…', import.meta.url)` paths still resolve) and removed afterwards.
// Usage: npm run build && node --import tsx bench/experiments/ab-start.ts [runs]
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, ROOT, startBare, startProcess } from '../lib/procs.js';
import { summarize } from '../lib/stats.js';

const runs = Number(process.argv[2] ?? 7);
const exp = join(ROOT, 'bench', '.exp');
mkdirSync(exp, { recursive: true });
const esbuild = join(ROOT, 'node_modules', '.bin', 'esbuild');
const bundle = (out: string, extra: string[]) =>
  execFileSync(esbuild, [CLI, '--bundle', '--platform=node', '--format=esm', `--outfile=${join(exp, out)}`, '--log-level=warning', ...extra]);
bundle('cli-external.mjs', ['--packages=external']);
bundle('cli-all.mjs', ['--external:better-sqlite3', '--external:amqplib', "--banner:js=import { createRequire as __cr } from 'module'; const require = __cr(import.meta.url);"]);

const args = ['serve', '--port', '0', '--profile', 'zed', '--log-level', 'silent'];
const variants: Record<string, () => ReturnType<typeof startBare>> = {
  'bare fastify': () => startBare(),
  'dist/cli.js': () => startProcess([CLI, ...args]),
  'bundle, packages external': () => startProcess([join(exp, 'cli-external.mjs'), ...args]),
  'bundle, all JS inlined': () => startProcess([join(exp, 'cli-all.mjs'), ...args]),
  ...(process.env.EXP_CLI ? { [process.env.EXP_CLI]: () => startProcess([process.env.EXP_CLI!, ...args]) } : {}),
};
const t: Record<string, number[]> = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
const rss: Record<string, number[]> = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
try {
  for (const v of Object.values(variants)) await (await v()).stop(); // warm the page cache
  for (let i = 0; i < runs; i++) {
    for (const [k, v] of Object.entries(variants)) {
      const p = await v();
      t[k].push(p.startMs);
      await new Promise((r) => setTimeout(r, 150));
      rss[k].push(p.rss());
      p.child.kill('SIGKILL');
      await new Promise((r) => p.child.once('exit', r));
    }
  }
} finally {
  rmSync(exp, { recursive: true, force: true });
}
const bare = summarize(t['bare fastify']).median;
for (const k of Object.keys(variants)) {
  const s = summarize(t[k]);
  console.log(`${k.padEnd(28)} median ${s.median.toFixed(0)} ms (min ${s.min.toFixed(0)}, max ${s.max.toFixed(0)}) = ${(s.median / bare).toFixed(2)}× bare; idle RSS ${summarize(rss[k]).median.toFixed(0)} MB`);
}

// TurboFan held off during `novasim serve`'s start-up. The start runs most of its code once (module
// evaluation, ~440 route registrations, seeding), yet loops like fastify's route registration make
// functions hot enough that V8 optimizes them on its background threads: ≈ 90 ms of CPU per start spent
// on code that is not run again, competing with the main thread on a small machine, and several MB of idle
// RSS (issue #16, third round: start-up CPU −30 %, spawn → ready −25 % in A/B). The interpreter and
// Sparkplug (the baseline compiler, on the main thread) still run; TurboFan is back from the ready line on,
// so the server optimizes what its requests make hot as before.
//
// Set after the CLI script is compiled and restored before its code cache is written (src/compile-cache.ts):
// V8 refuses a code cache made under other flags.
import v8 from 'node:v8';

/**
 * Node run with its own say on V8's tiers (`node --jitless …`, `--no-opt`, `NODE_OPTIONS=--max-opt=…`) keeps
 * it: V8 has no getter for a flag, so the hold is skipped rather than ended with a value the user did not ask for.
 */
// No module state: the bin (dist/bundle/novasim.mjs) holds, the CLI script (dist/bundle/novasim-cli.cjs, its
// own copy of this module) releases; both decide from the same command line.
const userTiering = (): boolean =>
  [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)].some((a) =>
    /^--(no-)?(turbofan|opt|jitless|max-opt|always-opt|maglev|sparkplug)(=|$)/.test(a.replaceAll('_', '-')),
  );

export function holdOptimizingCompiler(): void {
  if (!userTiering()) v8.setFlagsFromString('--no-turbofan');
}

/** V8's default, restored once the server listens (and before any other command runs). */
export function releaseOptimizingCompiler(): void {
  if (!userTiering()) v8.setFlagsFromString('--turbofan');
}

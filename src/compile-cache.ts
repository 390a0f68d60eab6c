// V8 code cache for the `novasim` command. Node 20 has no module compile cache (module.enableCompileCache
// arrives in Node 22), so the CLI ships as one CommonJS script (dist/bundle/novasim-cli.cjs, built by
// scripts/bundle.mjs) that this loader compiles with vm.Script and `cachedData`: the first start writes
// V8's code for every function compiled by the time the server listens, later starts skip parsing and
// compiling that ~1.9 MB again (with the other start-up changes: 1.87× → 1.40–1.60× bare fastify, BENCHMARKS.md issue #16 second round).
// V8 itself refuses a cache made from other source, by another V8 or with other flags
// (script.cachedDataRejected); the loader then runs without it and writes a fresh one.
//
// NOVASIM_COMPILE_CACHE: the cache directory (default: <tmpdir>/novasim-compile-cache), or `off`;
// NOVASIM_COMPILE_CACHE_DEBUG=1 prints whether the cache was used, rejected or absent.
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import vm from 'node:vm';

const STARTED = Symbol.for('novasim.cli.started');

/** Called by the CLI (src/cli-main.ts) once the server listens, before its ready line. */
export type StartedHook = () => void;

/** Per installed copy of the script: installs and checkouts sharing the directory keep their own caches. */
function cachePrefix(file: string): string {
  return `${basename(file)}-${createHash('sha1').update(file).digest('hex').slice(0, 12)}-`;
}

function cacheDir(): string | null {
  const v = process.env.NOVASIM_COMPILE_CACHE;
  if (v === 'off' || v === '0' || v === 'false') return null;
  return v && v !== '' ? v : join(tmpdir(), 'novasim-compile-cache');
}

/**
 * Compile and run the CommonJS script `file` with the code cache; `beforeRun` runs between compiling and
 * running (V8 flags changed before compiling would make V8 refuse the cache: its flag hash differs). The
 * start-up tuning (src/startup-tiering.ts, src/startup-heap.ts) restores V8's defaults before the cache is written.
 */
export function runCachedScript(file: string, beforeRun: () => void): void {
  // The script is ASCII (scripts/bundle.mjs builds it with charset 'ascii'): latin1 decodes it as UTF-8
  // would, without the UTF-8 validation pass over 1.9 MB.
  const source = readFileSync(file, 'latin1');
  const dir = cacheDir();
  let cachePath: string | null = null;
  let cached: Buffer | undefined;
  if (dir) {
    const st = statSync(file);
    cachePath = join(dir, `${cachePrefix(file)}${st.size}-${Math.trunc(st.mtimeMs)}-${process.version}-${process.arch}.bin`);
    try {
      cached = readFileSync(cachePath);
    } catch {
      cached = undefined;
    }
  }
  // The CommonJS wrapper Node's own loader uses (lib/internal/modules/cjs/loader.js wrapSafe).
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, { filename: file, cachedData: cached });
  if (process.env.NOVASIM_COMPILE_CACHE_DEBUG) process.stderr.write(`novasim compile cache ${cachePath}: ${cached ? (script.cachedDataRejected ? 'rejected' : 'used') : 'none'}\n`);
  const needsWrite = cachePath !== null && (cached === undefined || script.cachedDataRejected === true);
  if (needsWrite) {
    const target = cachePath!;
    (globalThis as Record<symbol, unknown>)[STARTED] = (() => {
      // Just before the ready line, once per build (≈ 10 ms): a process stopped right after its ready line
      // (a test harness, the bench's warm-up start) still leaves the cache for every later start, which a
      // write deferred past the ready line did not. A failure only means the next start compiles again.
      try {
        const data = script.createCachedData();
        mkdirSync(dirname(target), { recursive: true });
        const tmp = `${target}.${process.pid}.tmp`;
        writeFileSync(tmp, data);
        renameSync(tmp, target);
        // Caches of earlier builds of this copy of the script are dead weight.
        for (const f of readdirSync(dirname(target))) {
          if (f.startsWith(cachePrefix(file)) && f.endsWith('.bin') && join(dirname(target), f) !== target) unlinkSync(join(dirname(target), f));
        }
      } catch {
        // Read-only or full temporary directory: run without a cache.
      }
    }) satisfies StartedHook;
  }
  const wrapper = script.runInThisContext() as (exports: unknown, require: NodeJS.Require, module: unknown, filename: string, dirname: string) => void;
  beforeRun();
  const module = { exports: {} };
  wrapper.call(module.exports, module.exports, createRequire(file), module, file, dirname(file));
}

/** The CLI's side: tell the loader (if any) that the server is up. */
export function notifyStarted(): void {
  const hook = (globalThis as Record<symbol, unknown>)[STARTED];
  if (typeof hook === 'function') (hook as StartedHook)();
}

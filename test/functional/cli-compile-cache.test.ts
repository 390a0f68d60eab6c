// The built CLI's V8 code cache (src/compile-cache.ts) with the start-up tuning around it
// (src/startup-tiering.ts, src/startup-heap.ts): a start stopped right after its ready line leaves a cache,
// and the next start uses it — V8 refuses a cache written under flags other than its own, so this fails if
// the tuning is not undone before the cache is written. Needs dist/ (npm test builds it first).
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const CLI = resolve(dirname(fileURLToPath(import.meta.url)), '../../dist/bundle/novasim.mjs');
const cacheDir = mkdtempSync(join(tmpdir(), 'novasim-compile-cache-test-'));
afterAll(() => rmSync(cacheDir, { recursive: true, force: true }));

/** Starts `novasim serve`, SIGKILLs it as soon as the ready line is out; resolves with stdout and stderr. */
function startAndKill(nodeArgs: string[] = []): Promise<{ out: string; err: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [...nodeArgs, CLI, 'serve', '--port', '0', '--log-level', 'silent'], {
      env: { ...process.env, NOVASIM_COMPILE_CACHE: cacheDir, NOVASIM_COMPILE_CACHE_DEBUG: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (/listening on/.test(out)) child.kill('SIGKILL');
    });
    child.once('error', fail);
    child.once('exit', () => done({ out, err }));
  });
}

describe('novasim serve: compile cache', () => {
  it('the first start writes the cache before its ready line; the next starts use it', async () => {
    const first = await startAndKill();
    expect(first.out).toMatch(/^novasim master listening on http:\/\/127\.0\.0\.1:\d+ \(identity: http:\/\/127\.0\.0\.1:\d+\/identity\/v3\)\n$/);
    expect(first.err).toMatch(/compile cache .*: none\n/);
    expect(readdirSync(cacheDir).filter((f) => f.endsWith('.bin'))).toHaveLength(1);
    for (let i = 0; i < 2; i++) expect((await startAndKill()).err).toMatch(/compile cache .*: used\n/);
    // Node given its own say on V8's tiers: no start-up tiering, and the same cache still fits.
    expect((await startAndKill(['--turbofan'])).err).toMatch(/compile cache .*: used\n/);
  });
});

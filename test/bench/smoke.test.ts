// The benchmark harness itself must keep working: run `bench/run.ts --quick` (a few iterations of
// every section) as a child process and check that it completes and prints the results table.
// It asserts nothing about the figures — those depend on the machine (see BENCHMARKS.md).
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const LIMIT_MS = 120_000; // ≈ 25 s on an idle 2-core machine; headroom for a parallel test run on a loaded one

function runQuickBench(): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'bench/run.ts', '--quick'], {
      cwd: ROOT,
      env: { ...process.env, BENCH_QUICK: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`quick bench still running after ${LIMIT_MS} ms\n${stderr}`));
    }, LIMIT_MS);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('bench/run.ts --quick', () => {
  it('completes and prints the results table', async () => {
    const { code, stdout, stderr } = await runQuickBench();
    expect(code, stderr).toBe(0);
    expect(stdout).toMatch(/^novasim bench \(quick\)/m);
    expect(stdout).toMatch(/^machine: .+; nproc \d+; .+ GiB RAM; node v\d+/m);
    expect(stdout).toContain('| Section | Metric | Measured: median (min–max) |');
    for (const section of ['1 in-process', '1b actions in-process', '2 HTTP', '3 cold start', '4 scale', '5 notifications']) {
      expect(stdout).toContain(`| ${section}`);
    }
    expect(stdout).toMatch(/^targets: \d+ met, \d+ missed$/m);
  }, LIMIT_MS + 5_000);
});

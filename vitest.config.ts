import { availableParallelism } from 'node:os';
import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The pack-and-install test runs with `npm run test:package` (vitest.package.config.ts).
    exclude: [...configDefaults.exclude, 'test/package/**'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // Vitest's default is one worker fewer than the CPUs: a single worker on a 2-CPU machine. Most of the
    // suite's time is the interop files waiting on Debian's Python CLIs and `novasim serve` children (one
    // core busy at a time), so two files in flight on 2 CPUs cut `npm test` from ≈ 18 to ≈ 10 min.
    maxWorkers: Math.max(2, availableParallelism() - 1),
  },
});

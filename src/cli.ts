#!/usr/bin/env node
// Entry of the `novasim` command (dist/bundle/novasim.mjs). The command itself (src/cli-main.ts) is also
// bundled as one CommonJS script, dist/bundle/novasim-cli.cjs, run through V8's code cache
// (src/compile-cache.ts); without that file (running from dist/ unbundled) it is imported as a module.
// Either way the start-up tuning (src/startup-tiering.ts, src/startup-heap.ts) is set before the program
// is evaluated, and src/cli-main.ts ends it.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runCachedScript } from './compile-cache.js';
import { holdYoungGeneration } from './startup-heap.js';
import { holdOptimizingCompiler } from './startup-tiering.js';

const holdForStartUp = () => {
  holdOptimizingCompiler();
  holdYoungGeneration();
};
const compiled = fileURLToPath(new URL('./novasim-cli.cjs', import.meta.url));
if (existsSync(compiled)) {
  runCachedScript(compiled, holdForStartUp);
} else {
  holdForStartUp();
  await import('./cli-main.js');
}

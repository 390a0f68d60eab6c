// Second build step (after tsc): bundle dist/ into dist/bundle/ so `novasim serve` and
// `import 'novasim'` load a few files instead of ~900 modules (BENCHMARKS.md, F5: module loading was
// the largest part of the cold start). Entry points share chunks (--splitting), so the library, the
// testing helpers and the CLI keep one copy of each class. better-sqlite3 (native addon) and amqplib
// (loaded only with --notify-amqp) stay external, as do vitest (the matcher registers on the user's own
// copy) and tsx. Output sits at dist/bundle/, the same depth as dist/<dir>/, so the
// `new URL('../../fixtures/…', import.meta.url)` paths of the sources resolve unchanged.
import { rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { build } from 'esbuild';

// zod re-exports all of its ~50 message locales (`z.locales`, ≈ 300 kB of the bundle, parsed at every start);
// novasim uses only the default English messages, which zod installs from locales/en.js itself.
const englishOnlyZodLocales = {
  name: 'zod-english-only',
  setup(b) {
    b.onLoad({ filter: /zod[\\/]v4[\\/]locales[\\/]index\.js$/ }, (args) => ({
      contents: "export { default as en } from './en.js';",
      resolveDir: args.path.replace(/[\\/]index\.js$/, ''),
    }));
  },
};

// find-my-way compiles a small function with `new Function` for each tree node (its prefix matcher) and each
// route entry (the constraint matcher and the params-object factory): ≈ 3,400 compilations at start for the
// ≈ 440 routes and the 404 router's ≈ 700 entries (9 plugin-level not-found handlers × all 35 methods), of
// only ≈ 230 distinct sources (BENCHMARKS.md, issue #16). These functions depend on nothing but their source:
// no closure (new Function creates them in the global scope), `this` comes from the call, and
// find-my-way neither mutates nor compares them — so one function per distinct source is the same router.
// The build fails if find-my-way's code no longer looks as expected (then check it again before adapting this).
const FMW_COMPILED = { 'lib/node.js': 1, 'lib/handler-storage.js': 2 };
const findMyWayOneFunctionPerSource = {
  name: 'find-my-way-one-function-per-source',
  setup(b) {
    b.onLoad({ filter: /find-my-way[\\/]lib[\\/](node|handler-storage)\.js$/ }, async (args) => {
      const file = args.path.replaceAll('\\', '/').replace(/^.*find-my-way\//, '');
      const source = await readFile(args.path, 'utf8');
      const uses = source.split('new Function(').length - 1;
      if (uses !== FMW_COMPILED[file]) throw new Error(`find-my-way/${file}: ${uses} \`new Function(\` where ${FMW_COMPILED[file]} expected; review the find-my-way-one-function-per-source patch in scripts/bundle.mjs`);
      const helper =
        'const __novasimCompiled = new Map();\n' +
        "function __novasimFunction(...args) { const key = args.join('\\u0000'); let fn = __novasimCompiled.get(key); if (fn === undefined) { fn = new Function(...args); __novasimCompiled.set(key, fn); } return fn }\n";
      return { contents: helper + source.replaceAll('new Function(', '__novasimFunction('), loader: 'js' };
    });
  },
};

// Chunk names carry content hashes: start from an empty directory so old chunks do not pile up.
rmSync('dist/bundle', { recursive: true, force: true });

await build({
  entryPoints: { novasim: 'dist/cli.js', index: 'dist/index.js', testing: 'dist/testing/index.js', vitest: 'dist/testing/vitest.js' },
  outdir: 'dist/bundle',
  outExtension: { '.js': '.mjs' },
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // fastify's JSON-schema compilers (ajv, fast-json-stringify and their helpers) are never loaded: no route
  // has a fastify schema and src/app.ts passes stub compilers (BENCHMARKS.md, S1). Left external, they are
  // still resolvable from node_modules (they are fastify's dependencies) if that ever changes.
  external: ['better-sqlite3', 'amqplib', 'vitest', 'tsx', '@fastify/ajv-compiler', '@fastify/fast-json-stringify-compiler', 'ajv', 'ajv-formats', 'fast-json-stringify'],
  // Less to parse at start-up; names are kept so stack traces and class names stay readable.
  minifyWhitespace: true,
  minifySyntax: true,
  // CommonJS dependencies bundled into ESM still call require() for Node's built-ins.
  banner: { js: "import { createRequire as __novasimCreateRequire } from 'node:module'; const require = __novasimCreateRequire(import.meta.url);" },
  legalComments: 'linked',
  logLevel: 'warning',
  plugins: [englishOnlyZodLocales, findMyWayOneFunctionPerSource],
});

// The command's own copy, as one CommonJS script: src/cli.ts (the bin above) runs it through V8's code
// cache (src/compile-cache.ts), which Node 20 offers for scripts, not for ES modules. Strict mode as in
// the ES module build; import.meta.url (fixture paths) becomes the script's own file URL — same depth, so
// the relative paths resolve unchanged; import() of amqplib becomes require() (vm.Script has no module loader).
await build({
  entryPoints: { 'novasim-cli': 'dist/cli-main.js' },
  outdir: 'dist/bundle',
  outExtension: { '.js': '.cjs' },
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  supported: { 'dynamic-import': false },
  // Non-ASCII characters escaped: src/compile-cache.ts reads the file as latin1.
  charset: 'ascii',
  external: ['better-sqlite3', 'amqplib', 'vitest', 'tsx', '@fastify/ajv-compiler', '@fastify/fast-json-stringify-compiler', 'ajv', 'ajv-formats', 'fast-json-stringify'],
  minifyWhitespace: true,
  minifySyntax: true,
  define: { 'import.meta.url': '__novasimModuleUrl' },
  banner: { js: "'use strict';const __novasimModuleUrl = require('node:url').pathToFileURL(__filename).href;" },
  legalComments: 'linked',
  logLevel: 'warning',
  plugins: [englishOnlyZodLocales, findMyWayOneFunctionPerSource],
});

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

// Start-up work in fastify's router that the server does not need before its first request (issue #16),
// removed by exact edits of the dependencies' sources in the bundles. Each edit must match
// exactly as often as listed, or the build fails: a new fastify or find-my-way is then checked again before
// the edit is adapted. The routers answer exactly as before; only when the work is done changes.
const ROUTER_EDITS = {
  // 1. find-my-way compiles a small function with `new Function` for each route entry (its constraint
  //    matcher and params-object factory): ≈ 2,300 compilations at start for ≈ 440 routes and the 404
  //    router's ≈ 700 entries, of ≈ 30 distinct sources. Those functions depend on nothing but their source
  //    (new Function creates them in the global scope; `this` comes from the call) and find-my-way neither
  //    mutates nor compares them, so one function per distinct source makes the same router.
  'find-my-way/lib/handler-storage.js': {
    helpers:
      'const __novasimCompiled = new Map()\n' +
      "function __novasimFunction (...args) { const key = args.join('\\u0000'); let fn = __novasimCompiled.get(key); if (fn === undefined) { fn = new Function(...args); __novasimCompiled.set(key, fn) } return fn }\n",
    edits: [['new Function(', '__novasimFunction(', 2]],
  },
  // 2. …and one prefix matcher for each of the ≈ 1,800 static tree nodes (≈ 190 distinct prefixes). A node's
  //    matcher is only called as `node.matchPrefix(path, i)` (Node.findStaticMatchingChild), so it can be
  //    compiled by its first call, from the node's prefix then (split() is the only code that changes a
  //    prefix, and it resets the matcher), and put in place of the lazy one.
  'find-my-way/lib/node.js': {
    helpers: 'function __novasimLazyMatchPrefix (path, i) { const match = compilePrefixMatch(this.prefix); this.matchPrefix = match; return match(path, i) }\n',
    edits: [
      ['this.matchPrefix = kind === NODE_TYPES.STATIC ? compilePrefixMatch(prefix) : null', 'this.matchPrefix = kind === NODE_TYPES.STATIC ? __novasimLazyMatchPrefix : null', 1],
      ['this.matchPrefix = compilePrefixMatch(childPrefix)', 'this.matchPrefix = __novasimLazyMatchPrefix', 1],
    ],
  },
  // 3. Each plugin-level not-found handler (novasim has 10: each service answers its own 404 behind its own
  //    hooks) puts 2 paths into fastify's 404 router for every one of the 35 HTTP methods find-my-way knows
  //    (router.all): 700 entries, 1,050 nodes. Here each method's tree of the 404 router is built, from the
  //    same entries in the same order, by the first request that needs it (a 404 for that method; ≈ 0.3 ms),
  //    GET's right away: a duplicate path still fails where it did, at registration.
  // 4. fastify loads node:https and node:http2 with its server module (≈ 10 ms at start between them) for
  //    the `https` and `http2` options, which novasim never sets: loaded where the server is created instead.
  'fastify/lib/server.js': {
    helpers: '',
    edits: [
      ["const https = require('node:https')\nconst http2 = require('node:http2')\n", '', 1],
      ['http2.createSecureServer(', "require('node:http2').createSecureServer(", 1],
      ['http2.createServer(', "require('node:http2').createServer(", 1],
      ['https.createServer(', "require('node:https').createServer(", 1],
    ],
  },
  'fastify/lib/four-oh-four.js': {
    helpers: '',
    edits: [
      [
        '    defaultRoute: fourOhFourFallBack\n  })\n',
        '    defaultRoute: fourOhFourFallBack\n  })\n' +
          "  const __novasimHttpMethods = require('find-my-way/lib/http-methods')\n" +
          '  const __novasimEntries = []\n' +
          "  const __novasimBuilt = new Set(['GET'])\n" +
          '  const __novasimAll = (path, handler, store) => {\n' +
          '    __novasimEntries.push([path, handler, store])\n' +
          '    for (const method of __novasimBuilt) router.on(method, path, handler, store)\n' +
          '  }\n' +
          '  const __novasimBuild = (method) => {\n' +
          '    if (__novasimBuilt.has(method) || !__novasimHttpMethods.includes(method)) return\n' +
          '    __novasimBuilt.add(method)\n' +
          '    for (const [path, handler, store] of __novasimEntries) router.on(method, path, handler, store)\n' +
          '  }\n' +
          '  const __novasimLookup = router.lookup\n' +
          '  router.lookup = function (req, res, ctx, done) {\n' +
          '    __novasimBuild(req.method)\n' +
          '    return __novasimLookup.call(this, req, res, ctx, done)\n' +
          '  }\n' +
          '  const __novasimCompile = router.compile\n' +
          '  router.compile = function () {\n' +
          '    for (const method of __novasimHttpMethods) __novasimBuild(method)\n' +
          '    return __novasimCompile.call(this)\n' +
          '  }\n',
        1,
      ],
      ['    router.all(prefix + (prefix.endsWith(\'/\') ? \'*\' : \'/*\'), routeHandler, context)\n    router.all(prefix, routeHandler, context)\n', "    __novasimAll(prefix + (prefix.endsWith('/') ? '*' : '/*'), routeHandler, context)\n    __novasimAll(prefix, routeHandler, context)\n", 1],
    ],
  },
};
const routerStartUp = {
  name: 'router-start-up',
  setup(b) {
    b.onLoad({ filter: /(find-my-way[\\/]lib[\\/](node|handler-storage)|fastify[\\/]lib[\\/](four-oh-four|server))\.js$/ }, async (args) => {
      const file = Object.keys(ROUTER_EDITS).find((f) => args.path.replaceAll('\\', '/').endsWith(`/node_modules/${f}`));
      if (!file) return undefined;
      let source = await readFile(args.path, 'utf8');
      for (const [from, to, count] of ROUTER_EDITS[file].edits) {
        const found = source.split(from).length - 1;
        if (found !== count) throw new Error(`${file}: ${found} × ${JSON.stringify(from.slice(0, 60))} where ${count} expected; review ROUTER_EDITS in scripts/bundle.mjs`);
        source = source.replaceAll(from, to);
      }
      // The helpers go after the 'use strict' directive, which must stay the file's first statement.
      const strict = "'use strict'\n";
      const at = source.startsWith(strict) ? strict.length : 0;
      return { contents: source.slice(0, at) + ROUTER_EDITS[file].helpers + source.slice(at), loader: 'js' };
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
  plugins: [englishOnlyZodLocales, routerStartUp],
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
  plugins: [englishOnlyZodLocales, routerStartUp],
});

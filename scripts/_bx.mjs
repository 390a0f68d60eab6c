import { build } from 'esbuild';
const out = process.argv[2]; const stubLocales = process.argv.includes('--stub-locales'); const minId = process.argv.includes('--min-id');
const plugins = stubLocales ? [{ name: 'zod-locales', setup(b) {
  b.onLoad({ filter: /zod[\\/]v4[\\/]locales[\\/]index\.js$/ }, () => ({ contents: "export { default as en } from './en.js';", resolveDir: 'node_modules/zod/v4/locales' }));
} }] : [];
await build({
  entryPoints: { novasim: 'dist/cli.js', index: 'dist/index.js', testing: 'dist/testing/index.js', vitest: 'dist/testing/vitest.js' },
  outdir: out, outExtension: { '.js': '.mjs' }, bundle: true, splitting: true, format: 'esm', platform: 'node', target: 'node20',
  external: ['better-sqlite3', 'amqplib', 'vitest', 'tsx', '@fastify/ajv-compiler', '@fastify/fast-json-stringify-compiler', 'ajv', 'ajv-formats', 'fast-json-stringify'],
  minifyWhitespace: !process.argv.includes("--pretty"), minifySyntax: true, minifyIdentifiers: minId, keepNames: minId, plugins,
  banner: { js: "import { createRequire as __novasimCreateRequire } from 'node:module'; const require = __novasimCreateRequire(import.meta.url);" },
  legalComments: 'linked', logLevel: 'warning',
});

// The npm package as a user gets it (issue 12): `npm pack` this repo, install the tarball into a
// fresh project outside the repo (nothing beside it), then, in that project, run a vitest file using
// the README's API (createSimulator, matchesNotificationSample, novasim/testing/vitest and its
// toMatchNotificationSample), type-check it against the package's exported types, and run
// `npx novasim samples --check --profile zed`. Run with `npm run test:package` (≈1 min, so it is
// not part of `npm test`); needs dist/ (the script builds it first).
//
// Network and time: the install may only reach the npm registry. better-sqlite3 has no prebuilt
// binary reachable here, so its install script would compile SQLite from source (2–3 min and a C/C++
// toolchain). The test therefore installs with --ignore-scripts --prefer-offline (every package,
// vitest included, from the npm cache when it is there) and gives better-sqlite3 this repo's
// compiled build/ of the same version — the file a successful install script would have produced.
// Nothing else in the tree has an install script the user's test needs (esbuild's only checks its
// platform package, which is a plain optional dependency).
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const run = promisify(execFile);
const versionOf = (dir: string, pkg: string) => (JSON.parse(readFileSync(join(dir, 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string }).version;

/**
 * The environment of a user's shell: without what our own `npm run` adds about this package and
 * script (npm_package_*, npm_lifecycle_*…) and without NOVASIM_* settings; npm configuration
 * (npm_config_*: registry, cache, proxy) is kept.
 */
function userEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (/^npm_(package_|lifecycle_|command$|execpath$|node_execpath$)|^NOVASIM_/.test(k)) delete env[k];
  return env;
}

const USER_TEST = `import { expect, it } from 'vitest';
import { createSimulator } from 'novasim';
import { ANY, matchesNotificationSample, referenceDir } from 'novasim/testing';
import 'novasim/testing/vitest';

it('boots a server and compares instance.create.end with Nova\\'s golden sample', async () => {
  const sim = await createSimulator({ profile: 'zed', logLevel: 'silent', computeHost: 'compute' });
  try {
    // The golden samples ship inside the package.
    expect(referenceDir().replaceAll('\\\\', '/')).toMatch(/node_modules\\/novasim\\/fixtures\\/reference$/);
    const login = await sim.app.inject({
      method: 'POST',
      url: '/identity/v3/auth/tokens',
      payload: { auth: { identity: { methods: ['password'], password: { user: { name: 'demo', password: 'secret', domain: { name: 'Default' } } } }, scope: { project: { name: 'demo', domain: { name: 'Default' } } } } },
    });
    expect(login.statusCode).toBe(201);
    const res = await sim.app.inject({
      method: 'POST',
      url: '/compute/v2.1/servers',
      headers: { 'x-auth-token': String(login.headers['x-subject-token']) },
      payload: { server: { name: 'some-server', imageRef: '155d900f-4e14-4e4c-a73d-069cbf4541e6', flavorRef: '1', networks: 'none' } },
    });
    expect(res.statusCode).toBe(202);
    const id: string = res.json().server.id;
    const [end] = await sim.notifications.waitFor('instance.create.end', { timeoutMs: 5000 });
    // Our cloud differs from Nova's test fixtures in these fields; everything else must be Nova's.
    const ignore = ['reservation_id', 'created_at', 'launched_at', 'updated_at', 'tenant_id', 'user_id', 'request_id', 'action_initiator_user',
      'action_initiator_project', 'node', 'architecture', 'key_name', 'ip_addresses', 'flavor', 'keypairs', 'tags', 'trusted_image_certificates'];
    const replacements = { uuid: id, ...Object.fromEntries(ignore.map((k) => [k, ANY])) };
    const result = matchesNotificationSample(end, 'instance-create-end', { profile: 'zed', replacements });
    expect(result.diff).toBe('');
    expect(end).toMatchNotificationSample('instance-create-end', { profile: 'zed', replacements });
    // ...and the matcher does fail on a real difference.
    expect(() => expect(end).toMatchNotificationSample('instance-create-end', { profile: 'zed', replacements: { ...replacements, uuid: 'other' } })).toThrow(/uuid/);
  } finally {
    await sim.close();
  }
});
`;

describe('the packed package in a user project', () => {
  let work: string;
  let app: string;
  let tarball: string;
  let packedFiles: string[];

  beforeAll(async () => {
    if (!existsSync(join(REPO, 'dist', 'bundle', 'novasim.mjs'))) throw new Error('dist/ is missing: run `npm run build` (npm run test:package does it first)');
    work = mkdtempSync(join(tmpdir(), 'novasim-pack-'));
    // The user's project lives alone in its own directory, far from this repo.
    const home = mkdtempSync(join(tmpdir(), 'novasim-user-'));
    app = join(home, 'app');
    // --ignore-scripts: dist/ is already built; `prepare` would only rebuild it.
    const { stdout } = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], { cwd: REPO, env: userEnv() });
    const [packed] = JSON.parse(stdout) as { filename: string; files: { path: string }[] }[];
    tarball = join(work, packed.filename);
    packedFiles = packed.files.map((f) => f.path);
    const vitest = versionOf(REPO, 'vitest');
    mkdirSync(app);
    writeFileSync(join(app, 'package.json'), JSON.stringify({
      name: 'novasim-user', version: '1.0.0', private: true, type: 'module',
      devDependencies: { novasim: `file:${tarball}`, vitest },
    }, null, 2));
    writeFileSync(join(app, 'tsconfig.json'), JSON.stringify({
      compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', strict: true, noEmit: true, skipLibCheck: true, types: [] },
      include: ['*.test.ts'],
    }, null, 2));
    writeFileSync(join(app, 'sim.test.ts'), USER_TEST);
    await run('npm', ['install', '--ignore-scripts', '--prefer-offline', '--no-audit', '--no-fund'], { cwd: app, env: userEnv(), maxBuffer: 16 << 20 });
    const ours = versionOf(REPO, 'better-sqlite3');
    const theirs = versionOf(app, 'better-sqlite3');
    if (ours !== theirs) throw new Error(`the user project got better-sqlite3 ${theirs}, this repo has ${ours}: its build/ cannot be reused`);
    cpSync(join(REPO, 'node_modules', 'better-sqlite3', 'build'), join(app, 'node_modules', 'better-sqlite3', 'build'), { recursive: true });
  }, 240_000);

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
    if (app) rmSync(dirname(app), { recursive: true, force: true });
  });

  it('carries dist/ and the vendored reference data with its NOTICE, and no sources or tests', () => {
    expect(packedFiles).toEqual(expect.arrayContaining([
      'package.json', 'README.md', 'dist/bundle/novasim.mjs', 'dist/bundle/index.mjs', 'dist/bundle/testing.mjs', 'dist/bundle/vitest.mjs', 'dist/cli.js', 'dist/index.js', 'dist/index.d.ts', 'dist/testing/index.js', 'dist/testing/vitest.js',
      'dist/testing/vitest.d.ts', 'fixtures/reference/NOTICE', 'fixtures/seed.json', 'fixtures/nova-samples-seed.json',
      'fixtures/reference/nova/notification_samples/instance-volume_swap-end.json',
      'fixtures/reference/nova/zed-26.2.2/notification_samples/instance-volume_swap-end.json',
    ]));
    expect(packedFiles.filter((f) => /^(src|test|bench|\.ci)\//.test(f))).toEqual([]);
    expect(readdirSync(dirname(app))).toEqual(['app']);
  });

  it('runs the user\'s vitest file (createSimulator, matchesNotificationSample, toMatchNotificationSample)', async () => {
    const { stdout } = await run('npx', ['--no-install', 'vitest', 'run', '--reporter', 'verbose'], { cwd: app, env: userEnv() });
    expect(stdout).toMatch(/1 passed/);
  }, 120_000);

  it('type-checks that file against the exported types (novasim, novasim/testing, novasim/testing/vitest)', async () => {
    const tsc = join(REPO, 'node_modules', 'typescript', 'bin', 'tsc');
    await expect(run(process.execPath, [tsc, '-p', join(app, 'tsconfig.json')], { cwd: app, env: userEnv() })).resolves.toBeDefined();
  }, 120_000);

  it('npx novasim samples --check --profile zed passes from the packaged samples', async () => {
    const { stdout } = await run('npx', ['--no-install', 'novasim', 'samples', '--check', '--profile', 'zed'], { cwd: app, env: userEnv() });
    expect(stdout).not.toMatch(/not found/i);
    expect(stdout).toMatch(/zed/);
  }, 120_000);
});

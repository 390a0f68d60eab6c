// `npm start` as a user runs it: SIGTERM / SIGINT sent to the npm process must stop the server
// (package.json's `exec` makes the shell become node, and npm forwards both signals to its child),
// free the port and close the database cleanly. Needs dist/ (npm test builds it first).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, afterEach, describe, expect, it } from 'vitest';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const READY = /novasim \S+ listening on http:\/\/127\.0\.0\.1:(\d+) /;
const dir = mkdtempSync(join(tmpdir(), 'novasim-signals-'));
/** Processes this file started; killed after each test so a failure leaves no orphan behind. */
const started: number[] = [];
afterEach(() => {
  for (const pid of started.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* already gone, as it should be */
    }
  }
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Child pids of `pid`, from /proc (Linux). */
function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      // /proc/<pid>/stat: "pid (comm) state ppid …"; comm may contain spaces, so split after ')'.
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) out.push(Number(name));
    } catch {
      /* the process ended while we looked */
    }
  }
  return out;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Resolves true when something accepts a TCP connection on the port. */
const portOpen = (port: number) =>
  new Promise<boolean>((done) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      done(true);
    });
    s.once('error', () => done(false));
  });

async function npmStart(db: string): Promise<{ npm: ChildProcess; port: number; server: number; exited: Promise<number | null> }> {
  if (!existsSync(join(REPO, 'dist', 'bundle', 'novasim.mjs'))) throw new Error('dist/bundle/novasim.mjs is missing: run `npm run build` (npm test does it first)');
  const env: Record<string, string | undefined> = { ...process.env };
  for (const k of Object.keys(env)) if (k.startsWith('NOVASIM_')) delete env[k];
  const npm = spawn('npm', ['start', '--', '--port', '0', '--db', db, '--log-level', 'silent'], { cwd: REPO, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((r) => npm.once('exit', (code) => r(code)));
  let out = '';
  const port = await new Promise<number>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`no ready line within 30 s:\n${out}`)), 30_000);
    const onData = (d: string) => {
      out += d;
      const m = READY.exec(out);
      if (m) {
        clearTimeout(timer);
        ok(Number(m[1]));
      }
    };
    npm.stdout!.setEncoding('utf8').on('data', onData);
    npm.stderr!.setEncoding('utf8').on('data', onData);
    npm.once('exit', (code) => fail(new Error(`npm start exited (${code}) before the ready line:\n${out}`)));
  });
  // With `exec`, npm's child (the script's shell) *is* the node server.
  const [server] = childrenOf(npm.pid!);
  started.push(npm.pid!, ...childrenOf(server ?? -1), ...(server ? [server] : []));
  expect(server).toBeDefined();
  expect(readFileSync(`/proc/${server}/cmdline`, 'utf8')).toContain('dist/bundle/novasim.mjs');
  return { npm, port, server, exited };
}

describe('npm start and signals', () => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`${signal} to the npm process stops the server, frees the port and closes the database`, async () => {
      const db = join(dir, `${signal}.sqlite`);
      const { npm, port, server, exited } = await npmStart(db);
      expect(await portOpen(port)).toBe(true);
      expect(existsSync(`${db}-wal`)).toBe(true); // WAL mode while running
      npm.kill(signal);
      const timeout = new Promise<string>((r) => setTimeout(() => r('still running 20 s after the signal'), 20_000).unref());
      expect(await Promise.race([exited, timeout])).toBe(0);
      // npm waits for its child, so by now the server must be gone too.
      expect(alive(server)).toBe(false);
      expect(await portOpen(port)).toBe(false);
      // db.close() on the last connection checkpoints the WAL and removes it: a clean close.
      expect(existsSync(`${db}-wal`)).toBe(false);
      const reopened = new Database(db, { readonly: true, fileMustExist: true });
      try {
        expect(reopened.pragma('integrity_check', { simple: true })).toBe('ok');
        expect((reopened.prepare('SELECT COUNT(*) AS n FROM users').get() as { n: number }).n).toBeGreaterThan(0);
      } finally {
        reopened.close();
      }
    }, 60_000);
  }
});

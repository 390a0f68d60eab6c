// Child processes for the benchmarks: `novasim serve` (dist/cli.js) and the bare fastify baseline.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { now, rssMb } from './stats.js';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The novasim CLI the serve children run (the package's bin); BENCH_CLI overrides it (A/B runs against another build). */
export const CLI = process.env.BENCH_CLI ?? fileURLToPath(new URL('../../dist/bundle/novasim.mjs', import.meta.url));
export const BARE = fileURLToPath(new URL('../bare-fastify.mjs', import.meta.url));

export interface Started {
  child: ChildProcess;
  url: string;
  /** process spawn → ready line on stdout, ms */
  startMs: number;
  pid: number;
  rss(): number;
  /** SIGTERM (graceful close), SIGKILL after 3 s. */
  stop(): Promise<void>;
  /** SIGKILL and wait for the exit (when a graceful close is not part of what is measured). */
  kill(): Promise<void>;
}

const READY = /listening on (http:\/\/[^\s]+)/;

/** Spawn `node <args>` and resolve when its stdout prints the ready line. */
export function startProcess(args: string[], env: Record<string, string> = {}, timeoutMs = 15_000): Promise<Started> {
  return new Promise((resolve, reject) => {
    const t0 = now();
    const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${args.join(' ')}: no ready line within ${timeoutMs} ms\nstdout: ${out}\nstderr: ${err}`));
    }, timeoutMs);
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${args.join(' ')} exited with ${code} before ready\nstdout: ${out}\nstderr: ${err}`));
    });
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = READY.exec(out);
      if (!m) return;
      const startMs = now() - t0;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      child.stdout!.removeAllListeners('data');
      child.stdout!.resume();
      const pid = child.pid!;
      resolve({
        child, url: m[1], startMs, pid,
        rss: () => rssMb(pid),
        kill: () =>
          new Promise<void>((res) => {
            if (child.exitCode !== null || child.signalCode !== null) return res();
            child.once('exit', () => res());
            child.kill('SIGKILL');
          }),
        stop: () =>
          new Promise<void>((res) => {
            if (child.exitCode !== null || child.signalCode !== null) return res();
            const k = setTimeout(() => child.kill('SIGKILL'), 3000);
            child.once('exit', () => {
              clearTimeout(k);
              res();
            });
            child.kill('SIGTERM');
          }),
      });
    });
  });
}

export const startServe = (extraArgs: string[] = [], env: Record<string, string> = {}) =>
  startProcess([CLI, 'serve', '--port', '0', '--profile', 'zed', '--log-level', 'silent', ...extraArgs], env);

export const startBare = () => startProcess([BARE]);

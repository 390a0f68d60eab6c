// Prerequisite checks for the tests that need things from outside node_modules: a RabbitMQ broker,
// Debian's OpenStack CLIs, Debian's python3 with oslo.messaging.
//
// A missing prerequisite skips the suite with ONE console line saying what is missing and how to
// install it — unless NOVASIM_INTEROP=required (`npm run test:interop`, CI), where it fails.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { describe, it } from 'vitest';

export const REQUIRED = process.env.NOVASIM_INTEROP === 'required';
export const INSTALL_HINT =
  'apt-get install python3-openstackclient python3-novaclient python3-cinderclient python3-oslo.messaging rabbitmq-server';
export const BROKER_URL = process.env.NOVASIM_TEST_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672/';
/** Debian's interpreter: the one with oslo_messaging (a pyenv `python3` on PATH may lack it). */
export const PYTHON = process.env.NOVASIM_TEST_PYTHON ?? '/usr/bin/python3';

/** TCP + AMQP handshake to the broker; resolves to null when usable, else the reason. */
export async function brokerProblem(url = BROKER_URL): Promise<string | null> {
  const u = new URL(url);
  const port = Number(u.port || 5672);
  const tcp = await new Promise<string | null>((resolve) => {
    const sock = connect({ host: u.hostname, port, timeout: 1000 });
    sock.once('connect', () => {
      sock.destroy();
      resolve(null);
    });
    sock.once('timeout', () => {
      sock.destroy();
      resolve('timeout');
    });
    sock.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
  });
  if (tcp) return `no RabbitMQ broker at ${u.hostname}:${port} (${tcp})`;
  try {
    const { default: amqp } = await import('amqplib');
    const c = await amqp.connect(url, { timeout: 2000 });
    await c.close();
    return null;
  } catch (e) {
    return `RabbitMQ at ${u.hostname}:${port} refused the AMQP login (${(e as Error).message})`;
  }
}

export function missingExecutables(paths: string[]): string[] {
  return paths.filter((p) => !existsSync(p));
}

/** `/usr/bin/python3 -c 'import <modules>'`; resolves to null when it works, else the reason. */
export function pythonProblem(modules: string[]): Promise<string | null> {
  if (!existsSync(PYTHON)) return Promise.resolve(`${PYTHON} not found`);
  return new Promise((resolve) => {
    execFile(PYTHON, ['-c', `import ${modules.join(', ')}`], { timeout: 20_000 }, (err, _out, stderr) => {
      resolve(err ? `${PYTHON} cannot import ${modules.join(', ')} (${stderr.trim().split('\n').at(-1) ?? err.message})` : null);
    });
  });
}

/**
 * `describe` when every problem is null; otherwise `describe.skip` after one console line, or (when
 * NOVASIM_INTEROP=required) a suite whose single test fails with the reasons.
 */
export function describeIf(suite: string, problems: Array<string | null>, hint = INSTALL_HINT): typeof describe {
  const missing = problems.filter((p): p is string => p !== null);
  if (missing.length === 0) return describe;
  const line = `[novasim ${suite}] skipped: ${missing.join('; ')} — install with: ${hint}`;
  if (REQUIRED) {
    return ((name: string) =>
      describe(name, () => {
        it('has its prerequisites (NOVASIM_INTEROP=required)', () => {
          throw new Error(line.replace('skipped', 'missing prerequisites'));
        });
      })) as unknown as typeof describe;
  }
  console.warn(line);
  return describe.skip as unknown as typeof describe;
}

// Runs Debian's OpenStack CLIs (/usr/bin/openstack, /usr/bin/nova, /usr/bin/cinder) against a
// novasim URL with the environment a devstack user would have, each call bounded by a timeout.
import { execFile } from 'node:child_process';

export const OPENSTACK = '/usr/bin/openstack';
export const NOVA = '/usr/bin/nova';
export const CINDER = '/usr/bin/cinder';

export interface Credentials {
  user?: string;
  project?: string;
  password?: string;
  /** `versioned` → `<url>/identity/v3`, `unversioned` → `<url>/identity`. */
  authUrl?: 'versioned' | 'unversioned';
}

export interface CliResult {
  cmd: string;
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

/** The devstack-like OS_* environment, with the caller's own OS_*, PYTHON* and proxy settings removed. */
export function osEnv(base: string, c: Credentials = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(OS_|PYTHON|https?_proxy$|HTTPS?_PROXY$|no_proxy$|NO_PROXY$)/.test(k)) continue;
    env[k] = v;
  }
  const user = c.user ?? 'admin';
  return {
    ...env,
    OS_AUTH_URL: `${base}/identity${c.authUrl === 'unversioned' ? '' : '/v3'}`,
    OS_USERNAME: user,
    OS_PASSWORD: c.password ?? 'secret',
    OS_PROJECT_NAME: c.project ?? (user === 'admin' ? 'admin' : 'demo'),
    OS_USER_DOMAIN_NAME: 'Default',
    OS_PROJECT_DOMAIN_NAME: 'Default',
    OS_IDENTITY_API_VERSION: '3',
    OS_REGION_NAME: 'RegionOne',
    OS_INTERFACE: 'public',
    // Clients must not go through a proxy to reach 127.0.0.1.
    NO_PROXY: '*',
    no_proxy: '*',
  };
}

export function run(bin: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs = 60_000): Promise<CliResult> {
  const started = Date.now();
  const cmd = [bin.split('/').at(-1), ...args].join(' ');
  return new Promise((resolve) => {
    execFile(bin, args, { env, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024, killSignal: 'SIGKILL' }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1) : 0;
      resolve({ cmd, code, stdout, stderr: err && code === -1 ? `${stderr}\n${err.message}` : stderr, ms: Date.now() - started });
    });
  });
}

/** A CLI bound to one novasim and one set of credentials. */
export class Cli {
  readonly env: NodeJS.ProcessEnv;
  constructor(readonly base: string, creds: Credentials = {}) {
    this.env = osEnv(base, creds);
  }

  openstack(...args: string[]) {
    return run(OPENSTACK, args, this.env);
  }

  nova(...args: string[]) {
    return run(NOVA, args, this.env);
  }

  cinder(...args: string[]) {
    return run(CINDER, args, this.env);
  }

  /** `openstack … -f json`, parsed; throws with the full output when the command fails. */
  async json<T = any>(...args: string[]): Promise<T> {
    const r = await this.openstack(...args, '-f', 'json');
    return parseJson<T>(ok(r));
  }
}

export function ok(r: CliResult): CliResult {
  if (r.code !== 0) throw new Error(`\`${r.cmd}\` exited ${r.code} after ${r.ms} ms\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return r;
}

export function parseJson<T>(r: CliResult): T {
  try {
    return JSON.parse(r.stdout) as T;
  } catch {
    throw new Error(`\`${r.cmd}\` did not print JSON:\n${r.stdout}\nstderr: ${r.stderr}`);
  }
}

/**
 * A prettytable as printed by novaclient/cinderclient (`+---+` borders, `| a | b |` rows) →
 * one object per row keyed by the header cells.
 */
export function parseTable(text: string): Array<Record<string, string>> {
  const rows = text
    .split('\n')
    .filter((l) => l.startsWith('|'))
    .map((l) => l.slice(1, l.lastIndexOf('|')).split('|').map((c) => c.trim()));
  if (rows.length === 0) return [];
  const [head, ...body] = rows;
  return body.map((cells) => Object.fromEntries(head.map((h, i) => [h, cells[i] ?? ''])));
}

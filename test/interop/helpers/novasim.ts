// Runs novasim the way users do — `node dist/bundle/novasim.mjs serve …` (the package's bin) as a separate process — and talks to
// it over plain HTTP (fetch), so the interop tests exercise the real CLI, listener and wire.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const CLI = join(REPO, 'dist', 'bundle', 'novasim.mjs');

/** null when the built CLI exists (npm test builds it in pretest), else the reason. */
export function distProblem(): string | null {
  return existsSync(CLI) ? null : `${CLI} not built (run npm run build)`;
}

export interface Novasim {
  url: string;
  profile: string;
  proc: ChildProcess;
  /** Everything the process printed (stdout + stderr), for failure messages and request traces. */
  output: () => string;
  stop: () => Promise<void>;
}

export interface StartOptions {
  profile?: 'master' | 'zed';
  args?: string[];
  env?: Record<string, string>;
  /** `--log-level`; NOVASIM_INTEROP_LOG=info shows the requests novasim received in `output()`. */
  logLevel?: string;
}

const LISTENING = /novasim (\S+) listening on (http:\/\/\S+)/;

export async function startNovasim(opts: StartOptions = {}): Promise<Novasim> {
  const profile = opts.profile ?? 'master';
  const logLevel = opts.logLevel ?? process.env.NOVASIM_INTEROP_LOG ?? 'silent';
  const args = [CLI, 'serve', '--port', '0', '--profile', profile, '--log-level', logLevel, ...(opts.args ?? [])];
  const env: Record<string, string | undefined> = { ...process.env, ...opts.env };
  // Keep the developer's own NOVASIM_* settings (a fixed port, a db file…) out of the test.
  for (const k of Object.keys(env)) if (k.startsWith('NOVASIM_') && !(opts.env && k in opts.env)) delete env[k];
  const proc = spawn(process.execPath, args, { cwd: REPO, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  proc.stderr!.setEncoding('utf8').on('data', (d: string) => (out += d));

  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => fail(new Error('novasim did not print its URL within 20 s')), 20_000);
    const onData = () => {
      const m = LISTENING.exec(out);
      if (m) {
        cleanup();
        resolveUrl(m[2].replace(/\/$/, ''));
      }
    };
    const onExit = (code: number | null) => fail(new Error(`novasim exited with ${code} before listening`));
    function cleanup() {
      clearTimeout(timer);
      proc.stdout!.off('data', onData);
      proc.off('exit', onExit);
    }
    function fail(err: Error) {
      cleanup();
      proc.kill('SIGKILL');
      reject(new Error(`${err.message}\n--- novasim output ---\n${out}`));
    }
    proc.stdout!.on('data', onData);
    proc.once('exit', onExit);
  });

  const stop = async () => {
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise<void>((r) => proc.once('exit', () => r()));
    proc.kill('SIGTERM');
    const killer = setTimeout(() => proc.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(killer);
  };
  return { url, profile, proc, output: () => out, stop };
}

export interface Session {
  token: string;
  projectId: string;
  userId: string;
}

/** Keystone v3 password auth against novasim (what every CLI invocation does first). */
export async function login(base: string, user = 'admin', project = user === 'admin' ? 'admin' : 'demo', password = 'secret'): Promise<Session> {
  const res = await fetch(`${base}/identity/v3/auth/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      auth: {
        identity: { methods: ['password'], password: { user: { name: user, password, domain: { name: 'Default' } } } },
        scope: { project: { name: project, domain: { name: 'Default' } } },
      },
    }),
  });
  if (res.status !== 201) throw new Error(`login ${user}/${project}: ${res.status} ${await res.text()}`);
  const body = (await res.json()) as { token: { project: { id: string }; user: { id: string } } };
  return { token: res.headers.get('x-subject-token')!, projectId: body.token.project.id, userId: body.token.user.id };
}

export interface HttpResult<T = any> {
  status: number;
  body: T;
  text: string;
}

/** One API call with a token; `microversion` goes in both Nova headers (or the volume header under /volume). */
export async function api<T = any>(
  base: string, s: Session | null, method: string, path: string, body?: unknown, microversion?: string,
): Promise<HttpResult<T>> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (s) headers['x-auth-token'] = s.token;
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (microversion) {
    if (path.startsWith('/volume')) headers['openstack-api-version'] = `volume ${microversion}`;
    else {
      headers['x-openstack-nova-api-version'] = microversion;
      headers['openstack-api-version'] = `compute ${microversion}`;
    }
  }
  const res = await fetch(`${base}${path.replaceAll('{project}', s?.projectId ?? '')}`, {
    method, headers, body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = text;
  }
  return { status: res.status, body: parsed as T, text };
}

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined | null | false>, timeoutMs = 15_000, everyMs = 50): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v) return v;
      last = v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what} (last: ${last instanceof Error ? last.message : JSON.stringify(last)})`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** The small setup steps the CLI scenarios need, done over HTTP (fast; the CLIs are slow to start). */
export class Setup {
  constructor(readonly base: string, readonly s: Session) {}

  async server(name: string): Promise<string> {
    const r = await api(this.base, this.s, 'POST', '/compute/v2.1/servers', {
      server: { name, imageRef: '155d900f-4e14-4e4c-a73d-069cbf4541e6', flavorRef: '1', networks: 'none' },
    }, '2.37');
    if (r.status !== 202) throw new Error(`create server ${name}: ${r.status} ${r.text}`);
    const id = r.body.server.id as string;
    await this.serverStatus(id, 'ACTIVE');
    return id;
  }

  async serverStatus(id: string, status: string): Promise<any> {
    return waitFor(`server ${id} ${status}`, async () => {
      const r = await api(this.base, this.s, 'GET', `/compute/v2.1/servers/${id}`);
      if (r.body?.server?.status === 'ERROR') throw new Error(`server ${id} went to ERROR: ${r.text}`);
      return r.body?.server?.status === status ? r.body.server : null;
    });
  }

  async volume(name: string, size = 1, type?: string): Promise<string> {
    const r = await api(this.base, this.s, 'POST', '/volume/v3/{project}/volumes', {
      volume: { size, name, ...(type ? { volume_type: type } : {}) },
    });
    if (r.status !== 202) throw new Error(`create volume ${name}: ${r.status} ${r.text}`);
    const id = r.body.volume.id as string;
    await this.volumeStatus(id, 'available');
    return id;
  }

  async getVolume(id: string): Promise<any> {
    const r = await api(this.base, this.s, 'GET', `/volume/v3/{project}/volumes/${id}`, undefined, '3.48');
    return r.status === 200 ? r.body.volume : null;
  }

  async volumeStatus(id: string, status: string, extra: (v: any) => boolean = () => true, timeoutMs?: number): Promise<any> {
    return waitFor(`volume ${id} ${status}`, async () => {
      const v = await this.getVolume(id);
      return v && v.status === status && extra(v) ? v : null;
    }, timeoutMs);
  }

  async attach(serverId: string, volumeId: string): Promise<void> {
    const r = await api(this.base, this.s, 'POST', `/compute/v2.1/servers/${serverId}/os-volume_attachments`, {
      volumeAttachment: { volumeId },
    }, '2.79');
    if (r.status !== 200) throw new Error(`attach ${volumeId} to ${serverId}: ${r.status} ${r.text}`);
    await this.volumeStatus(volumeId, 'in-use');
  }

  async attachments(serverId: string, microversion = '2.89'): Promise<any[]> {
    const r = await api(this.base, this.s, 'GET', `/compute/v2.1/servers/${serverId}/os-volume_attachments`, undefined, microversion);
    if (r.status !== 200) throw new Error(`list attachments: ${r.status} ${r.text}`);
    return r.body.volumeAttachments;
  }

  async notifications(query: Record<string, string> = {}): Promise<any[]> {
    const r = await api(this.base, null, 'GET', `/_novasim/notifications?${new URLSearchParams(query)}`);
    if (r.status !== 200) throw new Error(`notifications: ${r.status} ${r.text}`);
    return r.body.notifications;
  }

  /** Long-poll until `count` notifications of `eventType` (for the instance) were emitted. */
  async waitNotifications(eventType: string, count = 1, instanceUuid?: string, timeoutMs = 15_000): Promise<any[]> {
    const q = new URLSearchParams({ event_type: eventType, count: String(count), timeout_ms: String(timeoutMs) });
    if (instanceUuid) q.set('instance_uuid', instanceUuid);
    const r = await api(this.base, null, 'GET', `/_novasim/notifications/wait?${q}`);
    if (r.status !== 200) throw new Error(`waiting for ${count} × ${eventType}: ${r.status} ${r.text}`);
    return r.body.notifications;
  }
}

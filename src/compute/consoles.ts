// Remote consoles: compute_api.get_{vnc,spice,serial,mks}_console (@check_instance_host,
// @reject_instance_state(task_state=[DELETING, MIGRATING])) and the RPC call to
// ComputeManager.get_*_console (nova/compute/manager.py): the proxy must be enabled, the type must
// be its own, nova.virt.fake's console (host/port/path) is authorized as a ConsoleAuthToken
// (nova/objects/console_auth_token.py: the sha256 of a uuid4 token stored with an expiry) and the
// access URL carries the token. A failure in the manager is recorded as Nova's @wrap_exception /
// @wrap_instance_fault do (compute.exception + instance fault).
import { createHash } from 'node:crypto';
import type { Instance, RequestContext } from '../domain.js';
import type { Services } from '../services.js';
import { instanceNotReady } from './actions/runner.js';
import { InstanceInvalidState } from './checks.js';
import { exceptionInfo } from './events.js';
import { ComputeException, frame } from './exceptions.js';
import type { ComputeNotifier } from './notifier-port.js';
import { prepared } from '../store/statement-cache.js';

export type ConsoleProtocol = 'vnc' | 'spice' | 'serial' | 'mks' | 'rdp';

/** Nova's default proxy base URLs ([vnc] novncproxy_base_url, [spice] html5proxy_base_url, …). */
const BASE_URL: Record<string, string> = {
  novnc: 'http://127.0.0.1:6080/vnc_auto.html',
  'spice-html5': 'http://127.0.0.1:6082/spice_auto.html',
  'spice-direct': 'http://127.0.0.1:13002/nova',
  serial: 'ws://127.0.0.1:6083/',
  webmks: 'http://127.0.0.1:6090/',
};

/** The console types each manager method accepts (anything else: ConsoleTypeInvalid). */
const TYPES: Record<Exclude<ConsoleProtocol, 'rdp'>, string[]> = {
  vnc: ['novnc'],
  spice: ['spice-html5', 'spice-direct'],
  serial: ['serial'],
  mks: ['webmks'],
};

/** nova.virt.fake.FakeDriver.get_*_console. */
const FAKE_CONSOLE: Record<Exclude<ConsoleProtocol, 'rdp'>, { host: string; port: number; tlsPort?: number; path: string | null }> = {
  vnc: { host: 'fakevncconsole.com', port: 6969, path: 'FAKE' },
  spice: { host: 'fakespiceconsole.com', port: 6969, tlsPort: 6970, path: 'FAKE' },
  serial: { host: 'fakeserialconsole.com', port: 6969, path: null },
  mks: { host: 'fakemksconsole.com', port: 6969, path: 'FAKE' },
};

const nova = (cls: string, message: string, code: number, fn: string) =>
  new ComputeException(cls, message, { novaException: true, code, frames: [frame('nova.compute.manager', fn, 7940)] });

export interface ConsoleToken {
  instance_uuid: string;
  console_type: string;
  host: string;
  port: number;
  tls_port: number | null;
  internal_access_path: string | null;
}

export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

/** ConsoleAuthToken.access_url: noVNC takes the token inside `path`; the others as ?token=. */
function accessUrl(type: string, token: string): string {
  const base = BASE_URL[type];
  if (type !== 'novnc') return `${base}?token=${token}`;
  const u = new URL(base);
  const path = `${u.searchParams.get('path') ?? ''}?token=${token}`;
  u.searchParams.set('path', path);
  // urlencode() of parse_qs: '?' and '=' escaped inside the value, as Python quotes them.
  return `${u.origin}${u.pathname}?${[...u.searchParams].map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&')}`;
}

export class ConsoleApi {
  constructor(private readonly s: Services, private readonly notifier: ComputeNotifier) {}

  /** compute_api.get_<protocol>_console → {url}. */
  get(ctx: RequestContext, instance: Instance, protocol: Exclude<ConsoleProtocol, 'rdp'>, type: string): { url: string } {
    const method = `get_${protocol}_console`;
    if (!instance.host) throw instanceNotReady(instance.uuid);
    if (instance.task_state === 'deleting' || instance.task_state === 'migrating') {
      throw new InstanceInvalidState('task_state', instance.task_state, instance.uuid, method);
    }
    try {
      return { url: this.authorize(ctx, instance, protocol, type, method) };
    } catch (e) {
      // @wrap_exception (compute.exception) and @wrap_instance_fault on the manager method.
      const err = e as ComputeException;
      const s = this.s;
      s.db.transaction(() => s.actions.addFault({ instanceUuid: instance.uuid, code: err.code, message: err.message, details: '', host: s.config.confHost, at: s.runtime.now() }))();
      this.notifier.notifyComputeException({ ...ctx, isAdmin: true }, s.config.confHost, exceptionInfo(err));
      throw e;
    }
  }

  private authorize(ctx: RequestContext, instance: Instance, protocol: Exclude<ConsoleProtocol, 'rdp'>, type: string, method: string): string {
    const s = this.s;
    if (!s.config.enabledConsoles.includes(protocol)) throw nova('ConsoleTypeUnavailable', `Unavailable console type ${type}.`, 400, method);
    if (!TYPES[protocol].includes(type) || (type === 'spice-direct' && s.profile.name === 'zed')) throw nova('ConsoleTypeInvalid', `Invalid console type ${type}`, 400, method);
    const c = FAKE_CONSOLE[protocol];
    const token = s.runtime.uuid();
    const now = s.runtime.now();
    // spice-direct has no internal access path and its own proxy.
    const path = type === 'spice-direct' ? null : c.path;
    s.db.transaction(() => {
      // ConsoleAuthToken.authorize: expired tokens of the instance are cleaned up on the way.
      prepared(s.db, 'DELETE FROM console_auth_tokens WHERE expires <= ?').run(Math.floor(now.getTime() / 1000));
      prepared(s.db, 'INSERT INTO console_auth_tokens (token_hash, console_type, host, port, tls_port, internal_access_path, instance_uuid, access_url_base, expires, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)')
        .run(hashToken(token), type, c.host, c.port, c.tlsPort ?? null, path, instance.uuid, BASE_URL[type], Math.floor(now.getTime() / 1000) + s.config.consoleTokenTtl, now.toISOString());
    })();
    void ctx;
    return accessUrl(type, token);
  }

  /** ConsoleAuthToken.validate: the unexpired token's connection info, or null. */
  validate(token: string): ConsoleToken | null {
    const now = Math.floor(this.s.runtime.now().getTime() / 1000);
    const r = prepared(this.s.db, 'SELECT instance_uuid, console_type, host, port, tls_port, internal_access_path FROM console_auth_tokens WHERE token_hash = ? AND expires > ?').get(hashToken(token), now) as ConsoleToken | undefined;
    if (!r) return null;
    // Tokens of a deleted instance no longer validate (delete_for_instance at delete).
    return this.s.instances.get(r.instance_uuid) ? r : null;
  }
}

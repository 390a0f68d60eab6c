// How the fake Cinder reaches Nova: over HTTP only, as cinder/compute/nova.py does with novaclient.
// update_server_volume uses the [nova] privileged user (devstack: nova, admin+service) at compute 2.1;
// get_server_volume forwards the caller's token at 2.89. Both add Cinder's X-Service-Token when
// [service_user] send_service_user_token is on.
import { exchange, header, HttpExchangeError, keepAliveAgents, type HttpAnswer } from '../http-transport.js';
import type { Services } from '../services.js';
import type { CinderCtx } from './context.js';

export interface NovaPort {
  /**
   * PUT /servers/{id}/os-volume_attachments/{old} {"volumeAttachment": {"volumeId": new}}; throws on failure.
   * `ctx` is the request whose migration makes the call: its id travels as X-OpenStack-Request-ID.
   */
  updateServerVolume(serverId: string, oldVolumeId: string, newVolumeId: string, ctx?: CinderCtx): Promise<void>;
  /** GET /servers/{id}/os-volume_attachments/{volume} at 2.89: Nova's attachment_id, or `notFound`. */
  getServerVolume(ctx: CinderCtx, serverId: string, volumeId: string): Promise<{ notFound: true } | { notFound: false; attachmentId: string | null }>;
  /** Drop cached credentials (the simulator's reset revokes every token). */
  forgetTokens?(): void;
  /** POST /os-server-external-events at 2.51: `volume-extended` for each server; throws when Nova refuses. */
  extendVolume?(serverIds: string[], volumeId: string): Promise<void>;
  /** POST /os-server-external-events at 2.93: `volume-reimaged` for each server (API.reimage_volume). */
  reimageVolume?(serverIds: string[], volumeId: string): Promise<void>;
}

/** A failed call to Nova: HTTP status, or null when Nova could not be reached. */
export class NovaCallError extends Error {
  constructor(
    readonly status: number | null,
    message: string,
  ) {
    super(message);
    this.name = 'NovaCallError';
  }
}

/** novaclient/keystoneauth keep their connections: one keep-alive pool for the process. */
const agents = keepAliveAgents();

/** The messages fetch gave (they reach logs and faults): "fetch failed", or the timeout's. */
function transportFailure(err: unknown): Error {
  if (err instanceof HttpExchangeError && err.reason === 'timeout') return new DOMException('The operation was aborted due to timeout', 'TimeoutError');
  return new TypeError('fetch failed', { cause: err instanceof HttpExchangeError ? err.socketError : err });
}

interface CachedToken {
  id: string;
  expiresAt: number;
}

/** Keystone password auth over HTTP, cached until shortly before expiry (keystoneauth does the same). */
export class KeystonePasswordAuth {
  private cached: CachedToken | null = null;

  constructor(
    private readonly identityUrl: () => Promise<string>,
    private readonly user: string,
    private readonly password: string,
    private readonly project: string,
    /** The simulator's clock: tokens expire on it, not on the wall clock. */
    private readonly now: () => number,
  ) {}

  async token(): Promise<string> {
    if (this.cached && this.cached.expiresAt - 30_000 > this.now()) return this.cached.id;
    const body = {
      auth: {
        identity: { methods: ['password'], password: { user: { name: this.user, password: this.password, domain: { name: 'Default' } } } },
        scope: { project: { name: this.project, domain: { name: 'Default' } } },
      },
    };
    const res = await exchange({
      method: 'POST',
      url: `${await this.identityUrl()}/auth/tokens`,
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(body),
      agents,
    }).catch((err: unknown) => {
      throw transportFailure(err);
    });
    const id = header(res.headers, 'x-subject-token');
    if (res.status !== 201 || !id) throw new NovaCallError(res.status, `Keystone refused ${this.user}: HTTP ${res.status}`);
    const json = JSON.parse(res.text) as { token?: { expires_at?: string } };
    const exp = Date.parse(json.token?.expires_at ?? '');
    this.cached = { id, expiresAt: Number.isNaN(exp) ? this.now() + 300_000 : exp };
    return id;
  }

  forget(): void {
    this.cached = null;
  }
}

export class HttpNova implements NovaPort {
  private readonly privileged: KeystonePasswordAuth;
  private readonly serviceUser: KeystonePasswordAuth;

  constructor(private readonly services: Services) {
    const c = services.config;
    const identity = async () => `${await services.baseUrl()}/identity/v3`;
    const now = () => services.runtime.now().getTime();
    this.privileged = new KeystonePasswordAuth(identity, c.cinderNovaUser, c.cinderNovaPassword, c.serviceProject, now);
    this.serviceUser = new KeystonePasswordAuth(identity, c.cinderServiceUser, c.cinderServicePassword, c.serviceProject, now);
  }

  /** Drop cached tokens (the simulator's reset revokes them). */
  forgetTokens(): void {
    this.privileged.forget();
    this.serviceUser.forget();
  }

  private async novaUrl(): Promise<string> {
    return this.services.config.novaUrl ?? `${await this.services.baseUrl()}/compute/v2.1`;
  }

  private async headers(token: string, version: string, ctx?: CinderCtx): Promise<Record<string, string>> {
    const h: Record<string, string> = {
      'x-auth-token': token,
      accept: 'application/json',
      'x-openstack-nova-api-version': version,
    };
    // novaclient ≥2.27 also sends the modern header; 2.1 only the legacy one (client-http-trace.md §0.4).
    if (version !== '2.1') h['openstack-api-version'] = `compute ${version}`;
    if (ctx) h['x-openstack-request-id'] = ctx.requestId;
    if (this.services.config.sendServiceUserToken) h['x-service-token'] = await this.serviceUser.token();
    return h;
  }

  private async call(method: string, url: string, headers: Record<string, string>, body?: unknown): Promise<HttpAnswer> {
    try {
      return await exchange({
        method,
        url,
        headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        timeoutMs: this.services.config.cinderTimeoutMs,
        agents,
      });
    } catch (err) {
      throw new NovaCallError(null, `Unable to establish connection to ${url}: ${transportFailure(err).message}`);
    }
  }

  async updateServerVolume(serverId: string, oldVolumeId: string, newVolumeId: string, ctx?: CinderCtx): Promise<void> {
    const url = `${await this.novaUrl()}/servers/${serverId}/os-volume_attachments/${oldVolumeId}`;
    const body = { volumeAttachment: { volumeId: newVolumeId } };
    // cinder/compute/nova.py novaclient(context, privileged_user=True): the [nova] user's token, and
    // global_request_id=context.global_id, which novaclient sends as X-OpenStack-Request-ID.
    let res = await this.call('PUT', url, await this.headers(await this.privileged.token(), '2.1', ctx), body);
    if (res.status === 401) {
      // keystoneauth re-authenticates once when a cached token is refused.
      this.forgetTokens();
      res = await this.call('PUT', url, await this.headers(await this.privileged.token(), '2.1', ctx), body);
    }
    if (res.status !== 202) {
      const text = res.text;
      throw new NovaCallError(res.status, `Nova answered ${res.status} to the swap of ${oldVolumeId}: ${text}`);
    }
  }

  extendVolume(serverIds: string[], volumeId: string): Promise<void> {
    return this.sendEvents('volume-extended', '2.51', serverIds, volumeId);
  }

  reimageVolume(serverIds: string[], volumeId: string): Promise<void> {
    return this.sendEvents('volume-reimaged', '2.93', serverIds, volumeId);
  }

  /** API._send_events(context, events, api_version): privileged user; anything but 200/207 is a failure. */
  private async sendEvents(name: string, version: string, serverIds: string[], volumeId: string): Promise<void> {
    const url = `${await this.novaUrl()}/os-server-external-events`;
    const body = { events: serverIds.map((id) => ({ name, server_uuid: id, tag: volumeId })) };
    let res = await this.call('POST', url, await this.headers(await this.privileged.token(), version), body);
    if (res.status === 401) {
      this.forgetTokens();
      res = await this.call('POST', url, await this.headers(await this.privileged.token(), version), body);
    }
    if (res.status !== 200 && res.status !== 207) throw new NovaCallError(res.status, `Failed to notify nova on events: ${JSON.stringify(body.events)}: HTTP ${res.status}`);
  }

  async getServerVolume(ctx: CinderCtx, serverId: string, volumeId: string) {
    const url = `${await this.novaUrl()}/servers/${serverId}/os-volume_attachments/${volumeId}`;
    let res = await this.call('GET', url, await this.headers(ctx.authToken, '2.89', ctx));
    if (res.status === 401) {
      // A stale cached service token: re-authenticate once.
      this.forgetTokens();
      res = await this.call('GET', url, await this.headers(ctx.authToken, '2.89', ctx));
    }
    if (res.status === 404) return { notFound: true as const };
    if (res.status !== 200) throw new NovaCallError(res.status, `Nova answered ${res.status}`);
    const json = JSON.parse(res.text) as { volumeAttachment?: { attachment_id?: string | null } };
    return { notFound: false as const, attachmentId: json.volumeAttachment?.attachment_id ?? null };
  }
}

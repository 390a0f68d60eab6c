// Nova's nova/volume/cinder.py API over real HTTP (what python-cinderclient + keystoneauth send):
// volume GETs and actions without a microversion, attachments at "volume 3.44" (checked against
// the version document before attachment_create), Nova's retry decorators, keystoneauth connect
// retries ([cinder] http_retries), and the translations of _untranslate_volume_summary_view and
// _translate_attachment_ref. Failures become CinderClientError with a kind.
import type { RequestContext } from '../domain.js';
import { exchange, header, HttpExchangeError, keepAliveAgents, type HttpAnswer } from '../http-transport.js';
import type { Services } from '../services.js';
import {
  CinderClientError,
  type CinderAttachment,
  type CinderFailureKind,
  type ConnectionInfo,
  type Connector,
  type NovaSnapshot,
  type NovaVolume,
  type NovaVolumeType,
  type VolumeApi,
  type VolumeCreateRequest,
} from './volume-api.js';

export interface CinderClientOptions {
  /** Cinder endpoint, e.g. http://host/volume/v3/<project>; default config.cinderUrl or this simulator's. */
  baseUrl?: string;
  /** Per-request timeout (Nova's [cinder] timeout). */
  timeoutMs?: number;
  /** keystoneauth connect retries on connection failures and timeouts ([cinder] http_retries). */
  httpRetries?: number;
  /** First connect-retry delay, doubled each time (keystoneauth: 0.5 s). */
  retryDelayMs?: number;
  /** Send Nova's service token as X-Service-Token ([service_user] send_service_user_token). */
  sendServiceToken?: boolean;
}

/** nova/volume/cinder.py attachment_create needs this microversion (3.27 + os-complete 3.44). */
const ATTACH_MV = '3.44';

interface Answer {
  status: number;
  body: unknown;
  requestId: string | null;
}

const kindOf = (status: number): CinderFailureKind =>
  status === 400 ? 'bad_request'
    : status === 403 ? 'forbidden'
    : status === 404 ? 'not_found'
    : status === 409 ? 'conflict'
    : status === 413 ? 'over_limit'
    : 'server';

/** cinderclient exceptions.from_response: the fault's message, else the HTTP reason. */
function faultMessage(body: unknown, fallback: string): string {
  if (body && typeof body === 'object' && !Array.isArray(body)) {
    const first = Object.values(body as Record<string, unknown>)[0];
    if (first && typeof first === 'object' && typeof (first as { message?: unknown }).message === 'string') return (first as { message: string }).message;
  }
  return fallback;
}

/** One keep-alive pool for every CinderClient of the process (keystoneauth keeps a session too). */
const agents = keepAliveAgents();

/** Ids go into the path verbatim in cinderclient; escape them so any id reaches Cinder as a 404, not a bad URL. */
const enc = (id: string) => encodeURIComponent(id);


const asObject = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});

export class CinderClient implements VolumeApi {
  private serviceToken: { id: string; expiresAt: number } | null = null;

  constructor(
    private readonly services: Services,
    private readonly opts: CinderClientOptions = {},
  ) {}

  private get cfg() {
    const c = this.services.config;
    return {
      timeoutMs: this.opts.timeoutMs ?? c.cinderTimeoutMs,
      retries: this.opts.httpRetries ?? c.cinderHttpRetries,
      retryDelayMs: this.opts.retryDelayMs ?? c.cinderRetryDelayMs,
      sendServiceToken: this.opts.sendServiceToken ?? c.sendServiceUserToken,
    };
  }

  /** Catalog endpoint for the token's project (or the configured one), without a trailing slash. */
  private async endpoint(ctx: RequestContext): Promise<string> {
    const base = this.opts.baseUrl ?? this.services.config.cinderUrl ?? `${await this.services.baseUrl()}/volume/v3/${ctx.projectId}`;
    return base.replace(/\/+$/, '');
  }

  /** Nova's [service_user] token (password auth over HTTP), cached on the simulator clock. */
  private async nowServiceToken(): Promise<string | null> {
    if (!this.cfg.sendServiceToken) return null;
    const now = this.services.runtime.now().getTime();
    if (this.serviceToken && this.serviceToken.expiresAt - 30_000 > now) return this.serviceToken.id;
    const c = this.services.config;
    const url = `${await this.services.baseUrl()}/identity/v3/auth/tokens`;
    const res = await exchange({
      method: 'POST',
      url,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        auth: {
          identity: { methods: ['password'], password: { user: { name: c.novaServiceUser, password: c.novaServicePassword, domain: { name: 'Default' } } } },
          scope: { project: { name: c.serviceProject, domain: { name: 'Default' } } },
        },
      }),
      timeoutMs: this.cfg.timeoutMs,
      agents,
    }).catch(() => null);
    const id = res ? header(res.headers, 'x-subject-token') : null;
    if (!res || res.status !== 201 || !id) return null;
    const exp = Date.parse((JSON.parse(res.text) as { token?: { expires_at?: string } }).token?.expires_at ?? '');
    this.serviceToken = { id, expiresAt: Number.isNaN(exp) ? now + 300_000 : exp };
    return id;
  }

  /** One HTTP exchange with keystoneauth's connect retries (any method: it retries POSTs too). */
  private async send(ctx: RequestContext, op: string, method: string, url: string, body: unknown, version: string | null): Promise<Answer> {
    const { timeoutMs, retries, retryDelayMs } = this.cfg;
    const serviceToken = await this.nowServiceToken();
    const headers: Record<string, string> = {
      accept: 'application/json',
      'user-agent': 'python-cinderclient',
      'x-auth-token': ctx.authToken,
      'x-openstack-request-id': ctx.requestId,
    };
    // cinderclient's api_versions.update_headers: no header for x.0 versions.
    if (version && !version.endsWith('.0')) headers['openstack-api-version'] = `volume ${version}`;
    if (serviceToken) headers['x-service-token'] = serviceToken;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let delay = retryDelayMs;
    let reauthed = false;
    for (let attempt = 0; ; attempt++) {
      let res: HttpAnswer;
      try {
        res = await exchange({ method, url, headers, body: body === undefined ? undefined : JSON.stringify(body), timeoutMs, agents });
      } catch (err) {
        const e = err as HttpExchangeError;
        // A failure while reading the body is not retried (fetch's res.text() rejected outside the retry loop).
        if (e instanceof HttpExchangeError && e.afterHead) {
          throw new CinderClientError('connection', `Unable to establish connection to ${url}: ${e.message}`, null, op);
        }
        const timedOut = e instanceof HttpExchangeError && e.reason === 'timeout';
        if (attempt < retries) {
          if (delay > 0) await new Promise((r) => setTimeout(r, delay));
          delay = Math.min(delay * 2, 60_000);
          continue;
        }
        const cause = e instanceof HttpExchangeError ? e.socketError : undefined;
        throw timedOut
          ? new CinderClientError('timeout', `Request to ${url} timed out`, null, op)
          : new CinderClientError('connection', `Unable to establish connection to ${url}: ${cause?.message || cause?.code || (err as Error).message}`, null, op);
      }
      const requestId = header(res.headers, 'x-compute-request-id') ?? header(res.headers, 'x-openstack-request-id');
      const text = res.text;
      let parsed: unknown = undefined;
      if (text) {
        try {
          parsed = JSON.parse(text);
        } catch {
          parsed = undefined;
        }
      }
      if (res.status === 401 && serviceToken && !reauthed) {
        // keystoneauth re-authenticates once on 401: our cached service token may have been revoked.
        reauthed = true;
        this.serviceToken = null;
        const fresh = await this.nowServiceToken();
        if (fresh) headers['x-service-token'] = fresh;
        else delete headers['x-service-token'];
        attempt -= 1;
        continue;
      }
      if (res.status >= 400) {
        throw new CinderClientError(kindOf(res.status), faultMessage(parsed, res.statusText || `HTTP ${res.status}`), res.status, op, requestId);
      }
      if (text && parsed === undefined) throw new CinderClientError('malformed', `Invalid JSON from Cinder for ${op}: ${text.slice(0, 200)}`, res.status, op, requestId);
      return { status: res.status, body: parsed, requestId };
    }
  }

  private async call(ctx: RequestContext, op: string, method: string, path: string, o: { body?: unknown; version?: string | null } = {}): Promise<Answer> {
    return this.send(ctx, op, method, `${await this.endpoint(ctx)}${path}`, o.body, o.version ?? null);
  }

  /** The @retrying decorators: up to 5 attempts while Cinder answers one of `statuses`. */
  private async retrying<T>(statuses: number[], fn: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn();
      } catch (err) {
        if (attempt >= 5 || !(err instanceof CinderClientError) || err.status === null || !statuses.includes(err.status)) throw err;
      }
    }
  }

  private action(ctx: RequestContext, op: string, volumeId: string, name: string, args: unknown = null) {
    return this.call(ctx, op, 'POST', `/volumes/${enc(volumeId)}/action`, { body: { [name]: args } });
  }

  /** _check_microversion: the version document (endpoint cut before "v3") must offer ≥ 3.44. */
  private async checkMicroversion(ctx: RequestContext, op: string, wanted: string): Promise<void> {
    const endpoint = await this.endpoint(ctx);
    const u = new URL(endpoint);
    const i = u.pathname.endsWith('v3') || u.pathname.includes('/v3/') ? u.pathname.lastIndexOf('v3') : -1;
    const versionUrl = i >= 0 ? `${u.origin}${u.pathname.slice(0, i)}` : endpoint;
    // keystoneauth's session.get raises on HTTP errors (they are not cinderclient's, so nothing catches them).
    const doc = await this.send(ctx, op, 'GET', versionUrl, undefined, null);
    const versions = (asObject(doc.body).versions ?? []) as { version?: string }[];
    const max = versions.find((v) => String(v.version ?? '').includes('3.'))?.version ?? '2.0';
    const [a, b] = max.split('.').map(Number);
    const [wa, wb] = wanted.split('.').map(Number);
    if (a < wa || (a === wa && b < wb)) {
      throw new CinderClientError('server', `Cinder API version ${wanted} is not available.`, null, op);
    }
  }

  // ---- volumes ----

  async get(ctx: RequestContext, volumeId: string): Promise<NovaVolume> {
    const res = await this.call(ctx, 'get', 'GET', `/volumes/${enc(volumeId)}`);
    const vol = asObject(asObject(res.body).volume);
    // An id like "detail" reaches a list route: there is no such volume (cinderclient would crash; we say 404).
    if (!('id' in vol)) throw new CinderClientError('not_found', `Volume ${volumeId} could not be found.`, 404, 'get', res.requestId);
    return untranslateVolume(vol);
  }

  /** API.create: cinderclient volumes.create(size, snapshot_id, volume_type, availability_zone, metadata, imageRef, name, description). */
  async create(ctx: RequestContext, r: VolumeCreateRequest): Promise<NovaVolume> {
    const res = await this.call(ctx, 'create', 'POST', '/volumes', {
      body: {
        volume: {
          size: r.size, snapshot_id: r.snapshotId ?? null, volume_type: r.volumeType ?? null, availability_zone: r.availabilityZone ?? null,
          metadata: {}, imageRef: r.imageId ?? null, name: r.name, description: r.description,
        },
      },
    });
    return untranslateVolume(asObject(asObject(res.body).volume));
  }

  async getSnapshot(ctx: RequestContext, snapshotId: string): Promise<NovaSnapshot> {
    const res = await this.call(ctx, 'get_snapshot', 'GET', `/snapshots/${enc(snapshotId)}`);
    const snap = asObject(asObject(res.body).snapshot);
    if (!('id' in snap)) throw new CinderClientError('not_found', `Snapshot ${snapshotId} could not be found.`, 404, 'get_snapshot', res.requestId);
    return {
      id: snap.id as string, status: snap.status as string, size: snap.size as number, volume_id: snap.volume_id as string,
      volume_size: snap.size as number, display_name: (snap.name as string | null) ?? null,
    };
  }

  async getAllVolumeTypes(ctx: RequestContext): Promise<NovaVolumeType[]> {
    const res = await this.call(ctx, 'get_all_volume_types', 'GET', '/types');
    const list = (asObject(res.body).volume_types ?? []) as Record<string, unknown>[];
    return list.map((t) => ({ id: t.id as string, name: t.name as string }));
  }

  async delete(ctx: RequestContext, volumeId: string): Promise<void> {
    await this.call(ctx, 'delete', 'DELETE', `/volumes/${enc(volumeId)}`);
  }

  /** cinder.API.create_snapshot_force: POST /snapshots {force: true} (an in-use volume may be snapshotted). */
  async createSnapshotForce(ctx: RequestContext, volumeId: string, name: string, description: string | null): Promise<{ id: string; status: string }> {
    const res = await this.call(ctx, 'create_snapshot_force', 'POST', '/snapshots', { body: { snapshot: { volume_id: volumeId, force: true, name, description } } });
    const snap = asObject(asObject(res.body).snapshot);
    return { id: String(snap.id), status: String(snap.status ?? '') };
  }

  /** cinder.API.get_absolute_limits: GET /limits → limits.absolute. */
  async absoluteLimits(ctx: RequestContext): Promise<Record<string, number>> {
    const res = await this.call(ctx, 'get_absolute_limits', 'GET', '/limits');
    return asObject(asObject(asObject(res.body).limits).absolute) as Record<string, number>;
  }

  async reserveVolume(ctx: RequestContext, volumeId: string): Promise<void> {
    await this.action(ctx, 'reserve_volume', volumeId, 'os-reserve');
  }

  async unreserveVolume(ctx: RequestContext, volumeId: string): Promise<void> {
    await this.action(ctx, 'unreserve_volume', volumeId, 'os-unreserve');
  }

  async beginDetaching(ctx: RequestContext, volumeId: string): Promise<void> {
    await this.action(ctx, 'begin_detaching', volumeId, 'os-begin_detaching');
  }

  async rollDetaching(ctx: RequestContext, volumeId: string): Promise<void> {
    await this.action(ctx, 'roll_detaching', volumeId, 'os-roll_detaching');
  }

  async attach(ctx: RequestContext, volumeId: string, instanceUuid: string, mountpoint: string): Promise<void> {
    await this.action(ctx, 'attach', volumeId, 'os-attach', { mountpoint, mode: 'rw', instance_uuid: instanceUuid });
  }

  /** Without an attachment id a multiattach volume's attachment is looked up for the instance first. */
  async detach(ctx: RequestContext, volumeId: string, instanceUuid: string, attachmentId?: string): Promise<void> {
    await this.retrying([500], async () => {
      let id = attachmentId ?? null;
      if (id === null) {
        const v = await this.get(ctx, volumeId);
        if (v.multiattach && instanceUuid) id = v.attachments?.[instanceUuid]?.attachment_id ?? null;
      }
      await this.action(ctx, 'detach', volumeId, 'os-detach', { attachment_id: id });
    });
  }

  /** On failure Nova tries terminate_connection, then re-raises the original error. */
  async initializeConnection(ctx: RequestContext, volumeId: string, connector: Connector): Promise<ConnectionInfo> {
    try {
      const res = await this.action(ctx, 'initialize_connection', volumeId, 'os-initialize_connection', { connector });
      const info = asObject(asObject(res.body).connection_info) as ConnectionInfo;
      return { ...info, connector };
    } catch (err) {
      if (err instanceof CinderClientError && err.status !== null) await this.terminateConnection(ctx, volumeId, connector).catch(() => undefined);
      throw err;
    }
  }

  async terminateConnection(ctx: RequestContext, volumeId: string, connector: Connector): Promise<void> {
    await this.retrying([500], () => this.action(ctx, 'terminate_connection', volumeId, 'os-terminate_connection', { connector }));
  }

  /**
   * nova/volume/cinder.py API.reimage_volume: cinderclient(context, '3.68').volumes.reimage(volume_id, image_id,
   * reimage_reserved) — the version document checked first (_check_microversion), then os-reimage at 3.68.
   */
  async reimageVolume(ctx: RequestContext, volumeId: string, imageId: string, reimageReserved: boolean): Promise<void> {
    await this.checkMicroversion(ctx, 'reimage_volume', '3.68');
    await this.call(ctx, 'reimage_volume', 'POST', `/volumes/${enc(volumeId)}/action`, {
      version: '3.68', body: { 'os-reimage': { image_id: imageId, reimage_reserved: reimageReserved } },
    });
  }

  async migrateVolumeCompletion(ctx: RequestContext, oldVolumeId: string, newVolumeId: string, error: boolean): Promise<{ save_volume_id: string }> {
    const res = await this.action(ctx, 'migrate_volume_completion', oldVolumeId, 'os-migrate_volume_completion', { new_volume: newVolumeId, error });
    const save = asObject(res.body).save_volume_id;
    if (typeof save !== 'string') throw new CinderClientError('malformed', 'Cinder answered without save_volume_id', res.status, 'migrate_volume_completion', res.requestId);
    return { save_volume_id: save };
  }

  // ---- attachments (3.44) ----

  async attachmentCreate(ctx: RequestContext, volumeId: string, instanceUuid: string, connector?: Connector | null, mountpoint?: string | null): Promise<CinderAttachment> {
    await this.checkMicroversion(ctx, 'attachment_create', ATTACH_MV);
    // The mountpoint travels inside the connector (there is no top-level parameter for it).
    const conn = connector && mountpoint && !('mountpoint' in connector) ? { ...connector, mountpoint } : connector ?? null;
    const res = await this.call(ctx, 'attachment_create', 'POST', '/attachments', {
      version: ATTACH_MV,
      body: { attachment: { volume_uuid: volumeId, instance_uuid: instanceUuid, connector: conn } },
    });
    return translateAttachment(asObject(asObject(res.body).attachment));
  }

  async attachmentGet(ctx: RequestContext, attachmentId: string): Promise<CinderAttachment> {
    const res = await this.call(ctx, 'attachment_get', 'GET', `/attachments/${enc(attachmentId)}`, { version: ATTACH_MV });
    return translateAttachment(asObject(asObject(res.body).attachment));
  }

  async attachmentList(ctx: RequestContext, volumeId: string, instanceUuid: string): Promise<CinderAttachment[]> {
    const q = `volume_id=${enc(volumeId)}&instance_id=${enc(instanceUuid)}&all_tenants=1`;
    const res = await this.call(ctx, 'attachment_list', 'GET', `/attachments/detail?${q}`, { version: ATTACH_MV });
    const list = asObject(res.body).attachments;
    return Array.isArray(list) ? list.map((a) => translateAttachment(asObject(a))) : [];
  }

  async attachmentUpdate(ctx: RequestContext, attachmentId: string, connector: Connector, mountpoint?: string | null): Promise<CinderAttachment> {
    const conn = mountpoint && !('mountpoint' in connector) ? { ...connector, mountpoint } : connector;
    const res = await this.retrying([500, 504], () =>
      this.call(ctx, 'attachment_update', 'PUT', `/attachments/${enc(attachmentId)}`, { version: ATTACH_MV, body: { attachment: { connector: conn } } }),
    );
    return translateAttachment(asObject(asObject(res.body).attachment));
  }

  async attachmentComplete(ctx: RequestContext, attachmentId: string): Promise<void> {
    await this.call(ctx, 'attachment_complete', 'POST', `/attachments/${enc(attachmentId)}/action`, { version: ATTACH_MV, body: { 'os-complete': null } });
  }

  /** A missing attachment is fine ("Attachment … does not exist. Ignoring."). */
  async attachmentDelete(ctx: RequestContext, attachmentId: string): Promise<void> {
    try {
      await this.retrying([500, 504], () => this.call(ctx, 'attachment_delete', 'DELETE', `/attachments/${enc(attachmentId)}`, { version: ATTACH_MV }));
    } catch (err) {
      if (err instanceof CinderClientError && err.status === 404) return;
      throw err;
    }
  }
}

/** _untranslate_volume_summary_view over a Cinder volume detail. */
export function untranslateVolume(vol: Record<string, unknown>): NovaVolume {
  const atts = Array.isArray(vol.attachments) ? (vol.attachments as Record<string, unknown>[]) : [];
  const d: NovaVolume = {
    id: vol.id as string,
    status: vol.status as string,
    size: vol.size as number,
    availability_zone: (vol.availability_zone as string | null) ?? null,
    created_at: vol.created_at as string,
    attach_time: '',
    mountpoint: '',
    multiattach: (vol.multiattach as boolean | undefined) ?? false,
    attach_status: atts.length > 0 ? 'attached' : 'detached',
    display_name: (vol.name as string | null) ?? null,
    display_description: (vol.description as string | null) ?? null,
    // Information may be lost in this translation: Nova stores the type *name* here.
    volume_type_id: (vol.volume_type as string | null) ?? null,
    snapshot_id: (vol.snapshot_id as string | null) ?? null,
    bootable: ['1', 't', 'true', 'on', 'y', 'yes'].includes(String(vol.bootable).toLowerCase()),
    volume_metadata: { ...asObject(vol.metadata) } as Record<string, string>,
  };
  if (atts.length > 0) {
    d.attachments = {};
    for (const a of atts) d.attachments[a.server_id as string] = { attachment_id: a.attachment_id as string, mountpoint: a.device as string };
  }
  if ('volume_image_metadata' in vol) d.volume_image_metadata = { ...asObject(vol.volume_image_metadata) } as Record<string, string>;
  if ('shared_targets' in vol) {
    d.shared_targets = vol.shared_targets as boolean;
    d.service_uuid = (vol.service_uuid as string | null) ?? null;
  }
  if ('migration_status' in vol) d.migration_status = (vol.migration_status as string | null) ?? null;
  return d;
}

/** _translate_attachment_ref: rebuild {driver_volume_type, data, …} from the flat connection_info. */
export function translateAttachment(ref: Record<string, unknown>): CinderAttachment {
  const flat = asObject(ref.connection_info);
  let connectionInfo: Record<string, unknown> = {};
  if (Object.keys(flat).length > 0) {
    const { attachment_id: _dropped, driver_volume_type, ...data } = flat;
    void _dropped;
    connectionInfo = {
      driver_volume_type: driver_volume_type ?? null,
      data,
      status: ref.status ?? null,
      instance: ref.instance ?? null,
      attached_at: ref.attached_at ?? null,
      detached_at: ref.detached_at ?? null,
    };
    for (const [k, v] of Object.entries(ref)) {
      if (!['id', 'attach_mode', 'connection_info', 'status', 'instance', 'attached_at', 'detached_at'].includes(k)) connectionInfo[k] = v;
    }
  }
  return {
    id: ref.id as string,
    volume_id: ref.volume_id as string,
    instance: (ref.instance as string | null) ?? null,
    status: ref.status as string,
    attach_mode: ref.attach_mode as string,
    // An empty connection_info stays {} (Nova then fails later, as it does with a real Cinder).
    connection_info: connectionInfo as ConnectionInfo,
    attached_at: (ref.attached_at as string | null) ?? null,
    detached_at: (ref.detached_at as string | null) ?? null,
  };
}

// Nova's Manila client over real HTTP (nova/share/manila.py: an openstacksdk shared-file-system proxy at
// microversion 2.82). get() runs with the user's token; get_access/allow/deny with Nova's [manila] service
// credentials (admin=True: the nova service user). Failures become ManilaClientError carrying what
// openstacksdk's exception would: the status (ResourceNotFound 404, BadRequestException 400,
// ForbiddenException 403, HttpException otherwise) and its text; connection failures have status null.
import type { RequestContext } from '../domain.js';
import { exchange, header, type HttpExchangeError, keepAliveAgents } from '../http-transport.js';
import type { Services } from '../services.js';

/** nova.share.manila.MIN_SHARE_FILE_SYSTEM_MICROVERSION. */
export const MANILA_MICROVERSION = '2.82';

/** nova.share.manila.Share, the fields Nova reads. */
export interface ManilaShare {
  id: string;
  status: string;
  share_proto: string;
  project_id: string;
  size: number;
  /** filter_export_locations: the preferred path, else the first, else null. */
  export_location: string | null;
}

/** nova.share.manila.Access. */
export interface ManilaAccess {
  id: string;
  access_level: string;
  state: string;
  access_type: string;
  access_to: string;
  access_key: string | null;
}

export class ManilaClientError extends Error {
  constructor(
    /** HTTP status, null when Manila could not be reached (ServiceUnavailable → ManilaConnectionFailed). */
    readonly status: number | null,
    message: string,
  ) {
    super(message);
    this.name = 'ManilaClientError';
  }
}

/** What the compute side needs from Manila (nova.share.manila.API's calls into the SDK). */
export interface ShareApi {
  get(ctx: RequestContext, shareId: string): Promise<ManilaShare>;
  accessRules(ctx: RequestContext, shareId: string): Promise<ManilaAccess[]>;
  createAccessRule(ctx: RequestContext, shareId: string, rule: { access_type: string; access_to: string; access_level: string }): Promise<ManilaAccess>;
  /** delete_access_rule(access_id, share_id, unrestrict=True): the response status (202 expected). */
  deleteAccessRule(ctx: RequestContext, accessId: string, shareId: string): Promise<{ status: number; reason: string }>;
}

const agents = keepAliveAgents();
const enc = (id: string) => encodeURIComponent(id);

export class ManilaClient implements ShareApi {
  private adminToken: { id: string; expiresAt: number } | null = null;

  constructor(private readonly services: Services) {}

  private async base(): Promise<string> {
    return `${await this.services.baseUrl()}/share/v2`;
  }

  /** keystoneauth password session for Nova's [manila] section (the nova service user), cached. */
  private async admin(refresh = false): Promise<string> {
    const now = this.services.runtime.now().getTime();
    if (!refresh && this.adminToken && this.adminToken.expiresAt - 30_000 > now) return this.adminToken.id;
    const c = this.services.config;
    const res = await exchange({
      method: 'POST',
      url: `${await this.services.baseUrl()}/identity/v3/auth/tokens`,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        auth: {
          identity: { methods: ['password'], password: { user: { name: c.novaServiceUser, password: c.novaServicePassword, domain: { name: 'Default' } } } },
          scope: { project: { name: c.serviceProject, domain: { name: 'Default' } } },
        },
      }),
      timeoutMs: c.cinderTimeoutMs,
      agents,
    }).catch((e: Error) => {
      throw new ManilaClientError(null, `Unable to establish connection to keystone: ${e.message}`);
    });
    const id = header(res.headers, 'x-subject-token');
    if (res.status !== 201 || !id) throw new ManilaClientError(401, 'The request you have made requires authentication.');
    const exp = Date.parse((JSON.parse(res.text) as { token?: { expires_at?: string } }).token?.expires_at ?? '');
    this.adminToken = { id, expiresAt: Number.isNaN(exp) ? now + 300_000 : exp };
    return id;
  }

  private async send(ctx: RequestContext, method: string, path: string, body: unknown, admin: boolean): Promise<{ status: number; statusText: string; json: unknown }> {
    const url = `${await this.base()}${path}`;
    for (let attempt = 0; ; attempt++) {
      const token = admin ? await this.admin(attempt > 0) : ctx.authToken;
      const headers: Record<string, string> = {
        accept: 'application/json', 'user-agent': 'openstacksdk nova-compute', 'x-auth-token': token,
        'x-openstack-manila-api-version': MANILA_MICROVERSION, 'x-openstack-request-id': ctx.requestId,
      };
      if (body !== undefined) headers['content-type'] = 'application/json';
      let res;
      try {
        res = await exchange({ method, url, headers, body: body === undefined ? undefined : JSON.stringify(body), timeoutMs: this.services.config.cinderTimeoutMs, agents });
      } catch (err) {
        throw new ManilaClientError(null, `Unable to establish connection to ${url}: ${(err as HttpExchangeError).message}`);
      }
      if (res.status === 401 && admin && attempt === 0) continue;
      let parsed: unknown;
      try {
        parsed = res.text ? JSON.parse(res.text) : undefined;
      } catch {
        parsed = undefined;
      }
      if (res.status >= 400) {
        // openstacksdk HttpException.__str__: "<status>: <Client|Server> Error for url: <url>, <details>".
        const fault = parsed && typeof parsed === 'object' ? (Object.values(parsed)[0] as { message?: string } | undefined) : undefined;
        const details = fault?.message ?? res.statusText;
        throw new ManilaClientError(res.status, `${res.status}: ${res.status < 500 ? 'Client' : 'Server'} Error for url: ${url}, ${details}`);
      }
      return { status: res.status, statusText: res.statusText, json: parsed };
    }
  }

  async get(ctx: RequestContext, shareId: string): Promise<ManilaShare> {
    const share = ((await this.send(ctx, 'GET', `/shares/${enc(shareId)}`, undefined, false)).json as { share: Record<string, unknown> }).share;
    const locations = ((await this.send(ctx, 'GET', `/shares/${enc(share.id as string)}/export_locations`, undefined, false)).json as {
      export_locations: { path: string; preferred?: boolean }[];
    }).export_locations;
    const preferred = locations.find((l) => l.preferred)?.path ?? locations[0]?.path ?? null;
    return {
      id: share.id as string, status: share.status as string, share_proto: share.share_proto as string,
      project_id: share.project_id as string, size: share.size as number, export_location: preferred,
    };
  }

  async accessRules(ctx: RequestContext, shareId: string): Promise<ManilaAccess[]> {
    const list = ((await this.send(ctx, 'GET', `/share-access-rules?share_id=${enc(shareId)}`, undefined, true)).json as { access_list: Record<string, unknown>[] }).access_list;
    return list.map(toAccess);
  }

  async createAccessRule(ctx: RequestContext, shareId: string, rule: { access_type: string; access_to: string; access_level: string }): Promise<ManilaAccess> {
    const body = { allow_access: { ...rule, lock_visibility: true, lock_deletion: true, lock_reason: 'Lock by nova' } };
    return toAccess(((await this.send(ctx, 'POST', `/shares/${enc(shareId)}/action`, body, true)).json as { access: Record<string, unknown> }).access);
  }

  async deleteAccessRule(ctx: RequestContext, accessId: string, shareId: string): Promise<{ status: number; reason: string }> {
    const r = await this.send(ctx, 'POST', `/shares/${enc(shareId)}/action`, { deny_access: { access_id: accessId, unrestrict: true } }, true);
    return { status: r.status, reason: r.statusText };
  }
}

const toAccess = (a: Record<string, unknown>): ManilaAccess => ({
  id: a.id as string, access_level: a.access_level as string, state: a.state as string, access_type: a.access_type as string,
  access_to: a.access_to as string, access_key: (a.access_key as string | null | undefined) ?? null,
});

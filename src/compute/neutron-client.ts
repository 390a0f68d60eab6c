// Nova's neutronclient over real HTTP (nova/network/neutron.py get_client): reads and port creation
// with the user's token, port binding updates and clean-up with Nova's [neutron] admin credentials
// (devstack: the nova service user, admin in project service). Neutron errors become
// NeutronClientError carrying neutronclient's exception type (NeutronError.type).
import type { RequestContext } from '../domain.js';
import { exchange, header, HttpExchangeError, keepAliveAgents } from '../http-transport.js';
import type { Services } from '../services.js';

export type NeutronDoc = Record<string, unknown> & { id: string };
export interface NeutronPort extends NeutronDoc {
  network_id: string;
  project_id: string;
  tenant_id: string;
  mac_address: string;
  device_id: string;
  device_owner: string;
  status: string;
  fixed_ips: { subnet_id: string; ip_address: string }[];
}

export class NeutronClientError extends Error {
  constructor(
    /** HTTP status, null for connection failures. */
    readonly status: number | null,
    /** NeutronError.type (PortNotFound, IpAddressInUse, …). */
    readonly type: string | null,
    message: string,
  ) {
    super(message);
    this.name = 'NeutronClientError';
  }
}

/** What the compute side needs from Neutron (nova.network.neutron.API's calls into neutronclient). */
export interface NetworkApi {
  listNetworks(ctx: RequestContext, query: Record<string, string | string[]>): Promise<NeutronDoc[]>;
  listSubnets(ctx: RequestContext, query: Record<string, string | string[]>): Promise<NeutronDoc[]>;
  showPort(ctx: RequestContext, id: string): Promise<NeutronPort>;
  listPorts(ctx: RequestContext, query: Record<string, string | string[]>, opts?: { admin?: boolean }): Promise<NeutronPort[]>;
  createPort(ctx: RequestContext, port: Record<string, unknown>): Promise<NeutronPort>;
  updatePort(ctx: RequestContext, id: string, port: Record<string, unknown>): Promise<NeutronPort>;
  deletePort(ctx: RequestContext, id: string): Promise<void>;
  listFloatingIps(ctx: RequestContext, query: Record<string, string | string[]>): Promise<NeutronDoc[]>;
}

const agents = keepAliveAgents();
const enc = (id: string) => encodeURIComponent(id);

function qs(query: Record<string, string | string[]>): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) for (const x of Array.isArray(v) ? v : [v]) p.append(k, x);
  const s = p.toString();
  return s ? `?${s}` : '';
}

export class NeutronClient implements NetworkApi {
  private adminToken: { id: string; expiresAt: number } | null = null;

  constructor(private readonly services: Services) {}

  private async base(): Promise<string> {
    return `${(this.services.config.neutronUrl ?? `${await this.services.baseUrl()}/networking`).replace(/\/+$/, '')}/v2.0`;
  }

  /** Nova's [neutron] auth (password, the nova service user), cached on the simulator clock. */
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
      throw new NeutronClientError(null, null, `Unable to authenticate to Keystone for Neutron: ${e.message}`);
    });
    const id = header(res.headers, 'x-subject-token');
    if (res.status !== 201 || !id) throw new NeutronClientError(res.status, 'Unauthorized', 'Nova could not authenticate its [neutron] user.');
    const exp = Date.parse((JSON.parse(res.text) as { token?: { expires_at?: string } }).token?.expires_at ?? '');
    this.adminToken = { id, expiresAt: Number.isNaN(exp) ? now + 300_000 : exp };
    return id;
  }

  private async send(ctx: RequestContext, method: string, path: string, body: unknown, admin: boolean): Promise<unknown> {
    const url = `${await this.base()}${path}`;
    for (let attempt = 0; ; attempt++) {
      const token = admin ? await this.admin(attempt > 0) : ctx.authToken;
      const headers: Record<string, string> = {
        accept: 'application/json', 'user-agent': 'python-neutronclient', 'x-auth-token': token, 'x-openstack-request-id': ctx.requestId,
      };
      if (body !== undefined) headers['content-type'] = 'application/json';
      let res;
      try {
        res = await exchange({ method, url, headers, body: body === undefined ? undefined : JSON.stringify(body), timeoutMs: this.services.config.cinderTimeoutMs, agents });
      } catch (err) {
        const e = err as HttpExchangeError;
        throw new NeutronClientError(null, null, `Unable to establish connection to ${url}: ${e.message}`);
      }
      // keystoneauth re-authenticates Nova's admin session once on 401.
      if (res.status === 401 && admin && attempt === 0) continue;
      let parsed: unknown;
      try {
        parsed = res.text ? JSON.parse(res.text) : undefined;
      } catch {
        parsed = undefined;
      }
      if (res.status >= 400) {
        const ne = (parsed as { NeutronError?: { type?: string; message?: string } } | undefined)?.NeutronError;
        throw new NeutronClientError(res.status, ne?.type ?? null, ne?.message ?? (res.statusText || `HTTP ${res.status}`));
      }
      return parsed;
    }
  }

  async listNetworks(ctx: RequestContext, query: Record<string, string | string[]>): Promise<NeutronDoc[]> {
    return ((await this.send(ctx, 'GET', `/networks${qs(query)}`, undefined, false)) as { networks: NeutronDoc[] }).networks;
  }

  async listSubnets(ctx: RequestContext, query: Record<string, string | string[]>): Promise<NeutronDoc[]> {
    return ((await this.send(ctx, 'GET', `/subnets${qs(query)}`, undefined, false)) as { subnets: NeutronDoc[] }).subnets;
  }

  async showPort(ctx: RequestContext, id: string): Promise<NeutronPort> {
    return ((await this.send(ctx, 'GET', `/ports/${enc(id)}`, undefined, false)) as { port: NeutronPort }).port;
  }

  async listPorts(ctx: RequestContext, query: Record<string, string | string[]>, opts: { admin?: boolean } = {}): Promise<NeutronPort[]> {
    return ((await this.send(ctx, 'GET', `/ports${qs(query)}`, undefined, opts.admin ?? false)) as { ports: NeutronPort[] }).ports;
  }

  async createPort(ctx: RequestContext, port: Record<string, unknown>): Promise<NeutronPort> {
    return ((await this.send(ctx, 'POST', '/ports', { port }, false)) as { port: NeutronPort }).port;
  }

  /** Port updates carry binding:host_id: Nova sends them with its admin client. */
  async updatePort(ctx: RequestContext, id: string, port: Record<string, unknown>): Promise<NeutronPort> {
    return ((await this.send(ctx, 'PUT', `/ports/${enc(id)}`, { port }, true)) as { port: NeutronPort }).port;
  }

  /** Admin client: the cache refresh reads every floating IP of the instance's ports. */
  async listFloatingIps(ctx: RequestContext, query: Record<string, string | string[]>): Promise<NeutronDoc[]> {
    return ((await this.send(ctx, 'GET', `/floatingips${qs(query)}`, undefined, true)) as { floatingips: NeutronDoc[] }).floatingips;
  }

  async deletePort(ctx: RequestContext, id: string): Promise<void> {
    await this.send(ctx, 'DELETE', `/ports/${enc(id)}`, undefined, true);
  }
}

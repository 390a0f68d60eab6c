// The simulator (createSimulator) seen from the fake Cinder's side: logged-in users talking to
// /volume/v3 through inject(), the HTTP-free backend, the fault registry, and a scriptable Nova
// port. `url()` listens on a real port for the HTTP hops (Keystone, the compute CinderClient).
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import type { CinderBackend } from '../../../src/cinder-fake/backend.js';
import type { NovaPort } from '../../../src/cinder-fake/nova-client.js';
import { cinderBackend } from '../../../src/cinder-fake/plugin.js';
import type { ConfigInput } from '../../../src/config.js';
import type { FaultRegistry } from '../../../src/faults/registry.js';
import { createSimulator, type Simulator } from '../../../src/index.js';
import type { Services } from '../../../src/services.js';

export interface Login {
  token: string;
  projectId: string;
  userId: string;
}

export interface CinderHarness {
  sim: Simulator;
  app: FastifyInstance;
  services: Services;
  backend: CinderBackend;
  faults: FaultRegistry;
  /** Listen on 127.0.0.1 (once) and return the base URL. */
  url(): Promise<string>;
  login(user: string, project?: string): Promise<Login>;
  as(user: string, project?: string): Promise<CinderUser>;
  idle(): Promise<void>;
  close(): Promise<void>;
}

export interface Call {
  version?: string | null;
  headers?: Record<string, string>;
  /** Address the URL without /{project_id}. */
  noProject?: boolean;
  /** Use this project id in the URL instead of the token's. */
  urlProject?: string;
}

/** A logged-in user talking to /volume/v3[/{project}] (paths relative to that). */
export interface CinderUser extends Login {
  get(path: string, o?: Call): Promise<LightMyRequestResponse>;
  post(path: string, body: unknown, o?: Call): Promise<LightMyRequestResponse>;
  put(path: string, body: unknown, o?: Call): Promise<LightMyRequestResponse>;
  delete(path: string, o?: Call): Promise<LightMyRequestResponse>;
  action(volumeId: string, body: unknown, o?: Call): Promise<LightMyRequestResponse>;
  /** Create a volume and wait until the manager made it available. */
  createVolume(body?: Record<string, unknown>, o?: Call): Promise<Record<string, unknown>>;
  volume(id: string, o?: Call): Promise<Record<string, unknown>>;
}

const PROJECT_OF: Record<string, string> = { admin: 'admin', demo: 'demo', cinder: 'service', nova: 'service' };

export async function startCinder(opts: { profile?: 'master' | 'zed'; config?: ConfigInput; nova?: NovaPort } = {}): Promise<CinderHarness> {
  const sim = await createSimulator({
    logLevel: 'silent',
    volumeCreateDelayMs: 1,
    volumeDeleteDelayMs: 1,
    ...opts.config,
    profile: opts.profile ?? opts.config?.profile ?? 'master',
  });
  const app = sim.app;
  const services = sim.services;
  const backend = cinderBackend(services);
  // Cinder's side of the Nova hop is scriptable; without a stub it calls the simulator's Nova.
  if (opts.nova) backend.nova = opts.nova;

  const login = async (user: string, project = PROJECT_OF[user] ?? user): Promise<Login> => {
    const res = await app.inject({
      method: 'POST',
      url: '/identity/v3/auth/tokens',
      payload: {
        auth: {
          identity: { methods: ['password'], password: { user: { name: user, password: 'secret', domain: { name: 'Default' } } } },
          scope: { project: { name: project, domain: { name: 'Default' } } },
        },
      },
    });
    if (res.statusCode !== 201) throw new Error(`login ${user} failed: ${res.statusCode} ${res.body}`);
    return { token: res.headers['x-subject-token'] as string, projectId: res.json().token.project.id, userId: res.json().token.user.id };
  };

  const as = async (user: string, project?: string): Promise<CinderUser> => {
    const l = await login(user, project);
    const send = (method: InjectOptions['method'], path: string, body: unknown, o: Call = {}) => {
      const p = o.noProject ? '' : `/${o.urlProject ?? l.projectId}`;
      const headers: Record<string, string> = { 'x-auth-token': l.token, ...o.headers };
      if (o.version) headers['openstack-api-version'] = `volume ${o.version}`;
      return app.inject({ method, url: `/volume/v3${p}${path}`, headers, payload: body === undefined ? undefined : (body as InjectOptions['payload']) });
    };
    const u: CinderUser = {
      ...l,
      get: (path, o) => send('GET', path, undefined, o),
      post: (path, body, o) => send('POST', path, body, o),
      put: (path, body, o) => send('PUT', path, body, o),
      delete: (path, o) => send('DELETE', path, undefined, o),
      action: (id, body, o) => send('POST', `/volumes/${id}/action`, body, o),
      async createVolume(body = {}, o) {
        const res = await send('POST', '/volumes', { volume: { size: 1, ...body } }, o);
        if (res.statusCode !== 202) throw new Error(`create failed: ${res.statusCode} ${res.body}`);
        await backend.idle();
        return (await u.volume(res.json().volume.id, o)) as Record<string, unknown>;
      },
      async volume(id, o) {
        const res = await send('GET', `/volumes/${id}`, undefined, o);
        if (res.statusCode !== 200) throw new Error(`show failed: ${res.statusCode} ${res.body}`);
        return res.json().volume;
      },
    };
    return u;
  };

  return {
    sim,
    app,
    services,
    backend,
    faults: services.faults,
    url: () => sim.listen(),
    login,
    as,
    idle: () => backend.idle(),
    async close() {
      await backend.idle();
      backend.reset();
      await sim.close();
    },
  };
}

/** A scriptable Nova for Cinder's side of the choreography. */
export class FakeNova implements NovaPort {
  readonly swaps: { serverId: string; oldVolumeId: string; newVolumeId: string }[] = [];
  /** attachment_id Nova reports per `${server}/${volume}`; absent → 404. */
  readonly attachments = new Map<string, string | null>();
  failSwap: Error | null = null;
  onSwap: ((s: { serverId: string; oldVolumeId: string; newVolumeId: string }) => Promise<void> | void) | null = null;

  async updateServerVolume(serverId: string, oldVolumeId: string, newVolumeId: string): Promise<void> {
    if (this.failSwap) throw this.failSwap;
    const s = { serverId, oldVolumeId, newVolumeId };
    this.swaps.push(s);
    await this.onSwap?.(s);
  }

  async getServerVolume(_ctx: unknown, serverId: string, volumeId: string) {
    const key = `${serverId}/${volumeId}`;
    if (!this.attachments.has(key)) return { notFound: true as const };
    return { notFound: false as const, attachmentId: this.attachments.get(key) ?? null };
  }
}

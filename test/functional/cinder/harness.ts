// A small stand-alone simulator for the fake Cinder: Keystone routes + the Cinder plugin on one
// fastify root with real services (in-memory SQLite, seeded users). Requests go through inject();
// the backend can also listen on a real port for the HTTP hops (Cinder→Keystone, client tests).
import Fastify, { type FastifyInstance, type InjectOptions, type LightMyRequestResponse } from 'fastify';
import type { AddressInfo } from 'node:net';
import { cinderFake } from '../../../src/cinder-fake/plugin.js';
import { CinderBackend } from '../../../src/cinder-fake/backend.js';
import type { NovaPort } from '../../../src/cinder-fake/nova-client.js';
import { ConfigSchema, type ConfigInput } from '../../../src/config.js';
import { FaultRegistry } from '../../../src/faults/registry.js';
import { identityRoutes } from '../../../src/identity/routes.js';
import { TokenStore } from '../../../src/identity/tokens.js';
import { getProfile } from '../../../src/profiles/index.js';
import { Runtime } from '../../../src/runtime.js';
import type { Services } from '../../../src/services.js';
import { ActionStore } from '../../../src/store/actions.js';
import { BdmStore } from '../../../src/store/block-devices.js';
import { CatalogStore } from '../../../src/store/catalog.js';
import { openDatabase } from '../../../src/store/db.js';
import { IdentityStore } from '../../../src/store/identity.js';
import { InstanceStore } from '../../../src/store/instances.js';
import { applySeed, loadSeed } from '../../../src/store/seed.js';

export interface Login {
  token: string;
  projectId: string;
  userId: string;
}

export interface CinderHarness {
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
  const config = ConfigSchema.parse({ logLevel: 'silent', volumeCreateDelayMs: 1, volumeDeleteDelayMs: 1, ...opts.config, profile: opts.profile ?? opts.config?.profile ?? 'master' });
  const runtime = new Runtime({});
  const db = openDatabase(':memory:');
  db.transaction(() => applySeed(db, loadSeed(), runtime.now().toISOString()))();
  let listening: Promise<string> | null = null;
  const faults = new FaultRegistry();
  const app = Fastify({ exposeHeadRoutes: false });
  const services: Services = {
    config,
    profile: getProfile(config.profile),
    runtime,
    db,
    faults,
    identity: new IdentityStore(db),
    tokens: new TokenStore(db, runtime, config.tokenTtlSeconds),
    instances: new InstanceStore(db),
    bdms: new BdmStore(db),
    actions: new ActionStore(db),
    catalog: new CatalogStore(db),
    baseUrl: () => {
      listening ??= app.listen({ host: '127.0.0.1', port: 0 }).then(() => `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`);
      return listening;
    },
  };
  app.decorateRequest('requestId', '');
  app.decorateRequest('ctx', null as never);
  app.addHook('onRequest', async (req) => {
    req.requestId = runtime.requestId();
  });
  const backend = new CinderBackend(services, opts.nova ? { nova: opts.nova } : {});
  await app.register(identityRoutes, { prefix: '/identity', services });
  await app.register(cinderFake, { prefix: '/volume', services, backend });
  await app.ready();

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
    app,
    services,
    backend,
    faults,
    url: services.baseUrl,
    login,
    as,
    idle: () => backend.idle(),
    async close() {
      backend.reset();
      await app.close();
      db.close();
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

// Public library API: createSimulator() runs novasim in-process (fastify inject or a real port).
import type { AddressInfo } from 'node:net';
import { buildApp } from './app.js';
import { cinderBackend } from './cinder-fake/plugin.js';
import { neutronBackend } from './neutron-fake/plugin.js';
import { applySeedNetworks } from './neutron-fake/seed.js';
import { manilaBackend } from './manila-fake/plugin.js';
import { applySeedShares } from './manila-fake/seed.js';
import { type ConfigInput, ConfigSchema } from './config.js';
import { FaultRegistry, type FaultSpec } from './faults/registry.js';
import type { RouteFaultSpec } from './faults/route-faults.js';
import { TokenStore } from './identity/tokens.js';
import { Notifier } from './notifier/notifier.js';
import { CaptureSink, type NotificationFilter } from './notifier/sinks/capture.js';
import { AmqpSink } from './notifier/sinks/amqp.js';
import { JsonlSink } from './notifier/sinks/jsonl.js';
import { WebhookSink } from './notifier/sinks/webhook.js';
import type { Sink } from './notifier/sinks/sink.js';
import { getProfile } from './profiles/index.js';
import { Runtime } from './runtime.js';
import { ResetBarrier } from './reset-barrier.js';
import { registerInProcess } from './http-transport.js';
import { clientRequest, type SimRequest } from './inprocess-client.js';
import { inProcessDispatcher } from './inprocess-dispatch.js';
import type { Services } from './services.js';
import { ActionStore } from './store/actions.js';
import { BdmStore } from './store/block-devices.js';
import { CatalogStore } from './store/catalog.js';
import { openDatabase } from './store/db.js';
import { emptyDataTables } from './store/empty-tables.js';
import { FlavorStore } from './store/flavors.js';
import { HostSeedSchema, HostStore } from './store/hosts.js';
import { HostApi } from './compute/host-api.js';
import type { z } from 'zod';

type HostSeedInput = z.input<typeof HostSeedSchema>;
import { IdentityStore } from './store/identity.js';
import { InstanceStore } from './store/instances.js';
import { ShareMappingStore } from './store/share-mappings.js';
import { applySeed, loadSeed } from './store/seed.js';
import { abandonLiveMigrations } from './compute/live-migration/manager.js';
import { prepared } from './store/statement-cache.js';

export type { Config, ConfigInput } from './config.js';
export type { FaultSpec } from './faults/registry.js';
export type { RouteFaultSpec } from './faults/route-faults.js';
export type { CapturedNotification } from './notifier/types.js';
export type { Profile, ProfileName } from './profiles/index.js';
export type { SimRequest, SimResponse } from './inprocess-client.js';
export { externalEvents, type ExternalEvent } from './compute/external-events.js';

/** Each in-process simulator answers its own calls at a name of its own (`.internal` is reserved for private use). */
let simulators = 0;

export async function createSimulator(options: ConfigInput = {}) {
  const config = ConfigSchema.parse(options);
  const profile = getProfile(config.profile);
  const runtime = new Runtime({ deterministic: config.deterministic, frozenTime: config.frozenTime, fixedRequestId: config.fixedRequestId });
  const db = openDatabase(config.db);
  const seed = loadSeed(config.seed);
  const hostSeed = seed.computeHosts?.map((h) => HostSeedSchema.parse(h));
  const hosts = new HostStore(db);
  const seedHosts = () => hosts.seed(config, profile.name, runtime.now().toISOString(), hostSeed);
  const seedIfEmpty = () => {
    const has = prepared(db, 'SELECT COUNT(*) AS n FROM users').get() as { n: number };
    if (has.n === 0) db.transaction(() => applySeed(db, seed, runtime.now().toISOString()))();
    return has.n === 0;
  };
  const freshDb = seedIfEmpty();
  // Each nova-compute (re)creates its service and node records when it starts, as Nova's do.
  db.transaction(seedHosts)();

  let listening: string | null = null;
  let listenPromise: Promise<string> | null = null;
  // The one place the transport is chosen (src/http-transport.ts): with `inject`, calls to the simulator's
  // own services go to this origin, which exchange() routes through fastify's inject — no port is opened.
  const inProcessOrigin = config.transport === 'inject' ? `http://novasim-${++simulators}.internal` : null;
  const faults = new FaultRegistry();
  const services: Services = {
    config, profile, runtime, db, faults,
    identity: new IdentityStore(db),
    tokens: new TokenStore(db, runtime, config.tokenTtlSeconds),
    instances: new InstanceStore(db),
    bdms: new BdmStore(db),
    shareMappings: new ShareMappingStore(db),
    actions: new ActionStore(db),
    catalog: new CatalogStore(db),
    flavors: new FlavorStore(db),
    hosts,
    baseUrl: () => (inProcessOrigin ? Promise.resolve(inProcessOrigin) : listen()),
  };

  const capture = new CaptureSink({ cap: config.notificationCap });
  // Nova's fake_notifier.NOTIFICATIONS: the legacy (unversioned) ones, kept apart from the versioned capture.
  const legacyCapture = new CaptureSink({ name: 'legacy-capture', cap: config.notificationCap, format: 'unversioned' });
  const sinks: Sink[] = [capture, legacyCapture];
  // Before the capture: what the API shows is already in the file (src/notifier/sinks/jsonl.ts).
  if (config.notifyJsonl) sinks.unshift(new JsonlSink({ path: config.notifyJsonl }));
  if (config.notifyAmqp) {
    sinks.push(
      new AmqpSink({
        url: config.notifyAmqp, exchange: config.controlExchange, topics: config.versionedNotificationsTopics,
        // Deterministic runs repeat oslo's _unique_id too.
        ...(config.deterministic ? { uniqueId: () => runtime.uuid().replaceAll('-', '') } : {}),
      }),
    );
  }
  if (config.notifyWebhook) sinks.push(new WebhookSink({ url: config.notifyWebhook }));
  // Legacy message ids come from their own stream, so notification_format=both leaves a
  // deterministic run's versioned stream (ids, servers, …) exactly as with 'versioned'.
  const legacyIds = new Runtime({ deterministic: config.deterministic, seed: 0x1e6ac7 });
  const notifier = new Notifier({
    runtime, profile, sinks,
    shareMappings: (uuid) => services.shareMappings.listForInstance(uuid),
    legacyUuid: () => legacyIds.uuid(),
    legacyLookups: {
      // glance generate_image_url: `<image endpoint>/images/<ref>`; before the simulator listens there is
      // no endpoint and, like Nova's EndpointNotFound fallback, the image id stands in for the URL.
      imageRefUrl: (ref) => (listening ? `${listening}/image/images/${ref}` : ref),
      imageName: (ref) => services.catalog.image(ref)?.name ?? null,
    },
    options: {
      notificationFormat: config.notificationFormat, bdmsInNotifications: config.bdmsInNotifications,
      includeShareMapping: config.includeShareMapping, versionedNotificationsTopics: config.versionedNotificationsTopics, host: config.confHost,
      notificationsTopics: config.notificationsTopics, notifyOnStateChange: config.notifyOnStateChange,
    },
  });

  const cinder = cinderBackend(services);
  // The seed's volumes (known ids) belong to the fake Cinder; like the rest of the seed, only into a fresh database.
  if (freshDb) {
    try {
      cinder.seedVolumes(seed);
      applySeedNetworks(neutronBackend(services), seed);
      applySeedShares(manilaBackend(services), seed);
    } catch (err) {
      db.close();
      throw err;
    }
  }
  // cinder-volume's init_host clean-up (src/cinder-fake/workers.ts), before nova-compute's below.
  const cinderRecovery = cinder.recover();
  const idle = async () => {
    // Compute casts can trigger Cinder work and vice versa (a migration calls Nova's swap, which
    // calls Cinder back): settle until both sides are quiet.
    for (let i = 0; i < 100; i++) {
      await built.manager.idle();
      await cinder.idle();
      await neutronBackend(services).nova.idle();
      await built.manager.idle();
      if (built.manager.tasks.pending === 0 && cinder.pendingTasks === 0 && neutronBackend(services).nova.pending === 0) return;
    }
  };

  // The reset barrier (src/reset-barrier.ts): no new requests, drain in-flight ones and the task
  // queues, then empty everything in one synchronous step.
  const barrier = new ResetBarrier({ waitMs: config.resetWaitMs, drainMs: config.resetDrainMs });
  const reset = () =>
    barrier.run(
      async () => {
        // A live migration job runs until its time is up: a reset ends it (its rows go anyway).
        abandonLiveMigrations(services);
        await idle();
      },
      () => built.manager.tasks.pending === 0 && cinder.pendingTasks === 0,
      () => {
        faults.clear();
        db.transaction(() => {
          // Tokens survive a reset (users and projects come back with the same ids), so clients stay logged in.
          // Referencing tables are emptied first, and the seed goes back parent-first (src/store/empty-tables.ts).
          emptyDataTables(db, ['tokens']);
          applySeed(db, seed, runtime.now().toISOString());
          seedHosts();
        })();
        cinder.reset();
        cinder.seedVolumes(seed);
        applySeedNetworks(neutronBackend(services), seed);
        applySeedShares(manilaBackend(services), seed);
        services.tokens.clearCache();
        capture.clear();
        legacyCapture.clear();
        runtime.reseed();
        legacyIds.reseed();
      },
    );

  const health = () => ({
    status: 'ok',
    profile: profile.name,
    db: config.db,
    notifications: { captured: capture.length, dropped: capture.dropped, last_seq: capture.lastSeq, sinks: notifier.stats() },
    compute: { pending_tasks: built.manager.tasks.pending },
    cinder: { pending_tasks: cinder.pendingTasks },
  });

  const built = await buildApp(config, { services, notifier, capture, legacyCapture, reset, health, barrier });
  const dispatch = inProcessDispatcher(built.app);
  const unregister = inProcessOrigin
    ? registerInProcess(inProcessOrigin, dispatch)
    : () => {};

  // nova-compute's start-up clean-up of operations a crash interrupted (file databases).
  const recovery = built.manager.recover();
  // nova-compute's periodic tasks of the shelve/deferred-delete family, on the simulator's clock.
  void recovery.then(() => built.periodics.start(), () => built.periodics.start());

  async function listen(opts: { host?: string; port?: number } = {}): Promise<string> {
    if (listening) return listening;
    listenPromise ??= (async () => {
      await built.app.listen({ host: opts.host ?? config.host, port: opts.port ?? config.port });
      const addr = built.app.server.address() as AddressInfo;
      const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
      listening = `http://${host}:${addr.port}`;
      return listening;
    })();
    return listenPromise;
  }

  return {
    app: built.app,
    /**
     * A request answered in-process, as `app.inject` would answer it (same routes, hooks, envelopes, faults),
     * for about half the CPU: `await sim.request({ method: 'POST', url: '/compute/v2.1/servers', headers, body })`.
     */
    request: (r: SimRequest) => clientRequest(dispatch, r),
    services,
    config,
    profile,
    notifier,
    faults: {
      add: (spec: FaultSpec) => faults.add(spec),
      /** A generic fault on any route: `{ service: 'compute', route: { method: 'GET', path: '/v2.1/servers' }, response: { status: 429 } }`. */
      addRoute: (spec: RouteFaultSpec) => faults.addRoute(spec, runtime.now(), runtime.deterministic),
      list: () => faults.list(),
      clear: () => faults.clear(),
    },
    notifications: {
      capture,
      list: (filter: NotificationFilter = {}) => capture.list(filter),
      waitFor: (eventType: string, opts: { count?: number; timeoutMs?: number; instanceUuid?: string; since?: number } = {}) => capture.waitFor(eventType, opts),
      clear: () => capture.clear(),
    },
    /** Legacy (unversioned) notifications, with notificationFormat 'unversioned' or 'both' (Nova's fake_notifier.NOTIFICATIONS). */
    legacyNotifications: {
      capture: legacyCapture,
      list: (filter: NotificationFilter = {}) => legacyCapture.list(filter),
      waitFor: (eventType: string, opts: { count?: number; timeoutMs?: number; instanceUuid?: string; since?: number } = {}) => legacyCapture.waitFor(eventType, opts),
      clear: () => legacyCapture.clear(),
    },
    /** nova-compute services started at run time (Nova's start_service('compute', host=…)); sends service.create. */
    computeServices: {
      start: (seed: HostSeedInput) => new HostApi(services, notifier).startComputeService(null, HostSeedSchema.parse(seed)),
    },
    /** Resolves with what start-up recovery completed or rolled back. */
    recovery,
    /** What the fake Cinder's start-up clean-up did (interrupted creates → error, deletes resumed). */
    cinderRecovery,
    get url() {
      return listening;
    },
    listen,
    idle,
    reset,
    /**
     * Run the periodic tasks that are due on the simulator's clock now (they also run by themselves,
     * checked every 250 ms): _reclaim_queued_deletes and _poll_shelved_instances.
     */
    periodic: {
      tick: () => built.periodics.tick(),
    },
    async close() {
      unregister();
      built.periodics.stop();
      built.manager.close();
      await built.app.close();
      for (const sink of sinks) await sink.close?.();
      db.close();
    },
  };
}

export type Simulator = Awaited<ReturnType<typeof createSimulator>>;

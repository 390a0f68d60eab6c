// Builds the simulator: one fastify root on one port with devstack-style paths.
import Fastify, { type FastifyInstance } from 'fastify';
import { novaFaultName } from './api/errors.js';
import { computeApi } from './api/plugin.js';
import { cinderFake } from './cinder-fake/plugin.js';
import { ComputeApi } from './compute/api.js';
import { CinderClient } from './compute/cinder-client.js';
import { NeutronClient } from './compute/neutron-client.js';
import { Driver } from './compute/driver.js';
import { ShelveReclaimPeriodics } from './compute/periodic-shelve-reclaim.js';
import { ComputeManager } from './compute/manager.js';
import { ComputePeriodicTasks } from './compute/periodic.js';
import { HostApi } from './compute/host-api.js';
import { Scheduler } from './scheduler/scheduler.js';
import type { Config } from './config.js';
import { notificationRoutes } from './control/notifications.js';
import { controlRoutes } from './control/routes.js';
import { routeFaultHook } from './faults/route-hook.js';
import { identityRoutes } from './identity/routes.js';
import { imageFake } from './image-fake/plugin.js';
import { neutronFake } from './neutron-fake/plugin.js';
import { manilaFake } from './manila-fake/plugin.js';
import { ManilaClient } from './compute/manila-client.js';
import type { Notifier } from './notifier/notifier.js';
import type { CaptureSink } from './notifier/sinks/capture.js';
import type { Services } from './services.js';
import { gateRequests, type ResetBarrier } from './reset-gate.js';
import { acceptEmptyBodies, clientErrorHandler } from './http-hygiene.js';
import { headOnGetRoutes } from './head-routes.js';
import { syncHook } from './sync-hooks.js';

export interface AppParts {
  app: FastifyInstance;
  manager: ComputeManager;
  cinder: Awaited<ReturnType<typeof cinderFake>> | undefined;
}

export interface BuildAppDeps {
  services: Services;
  notifier: Notifier;
  capture: CaptureSink;
  /** Legacy (unversioned) notifications, served under /_novasim/legacy/notifications. */
  legacyCapture?: CaptureSink;
  reset: () => Promise<void>;
  health: () => Record<string, unknown>;
  barrier: ResetBarrier;
}

/** The error body each mounted service uses, chosen by path prefix. */
export function envelopeFor(url: string, status: number, message: string): { type: string; body: string } {
  if (url.startsWith('/compute') || url.startsWith('/volume') || url.startsWith('/share')) {
    return { type: 'application/json', body: JSON.stringify({ [novaFaultName(status)]: { code: status, message } }) };
  }
  if (url.startsWith('/networking')) {
    const type = status === 404 ? 'HTTPNotFound' : status === 405 ? 'HTTPMethodNotAllowed' : status >= 500 ? 'HTTPInternalServerError' : 'HTTPBadRequest';
    return { type: 'application/json', body: JSON.stringify({ NeutronError: { type, message, detail: '' } }) };
  }
  if (url.startsWith('/image')) return { type: 'text/plain; charset=UTF-8', body: `${status} ${message}\n\n` };
  if (url.startsWith('/_novasim')) return { type: 'application/json', body: JSON.stringify({ error: { code: status, message } }) };
  return { type: 'application/json', body: JSON.stringify({ error: { code: status, message, title: status === 404 ? 'Not Found' : 'Bad Request' } }) };
}

export async function buildApp(config: Config, deps: BuildAppDeps) {
  const { services: s } = deps;
  const app = Fastify({
    logger: config.logLevel === 'silent' ? false : { level: config.logLevel },
    bodyLimit: config.bodyLimit,
    // Nova/Cinder request ids look like req-<uuid>; every service answers with one.
    genReqId: () => s.runtime.requestId(),
    requestIdHeader: false,
    // Long ids are the controller's business (404/400), not a router 414.
    routerOptions: { maxParamLength: 16 * 1024 },
    forceCloseConnections: true,
    // HEAD twins only where the real service answers HEAD (src/head-routes.ts): not Nova or Cinder.
    exposeHeadRoutes: false,
    clientErrorHandler: clientErrorHandler(envelopeFor),
    // Bodies and queries are validated with zod and no route declares a fastify schema: stub compilers
    // keep fastify from loading ajv and fast-json-stringify at start (≈ 300 modules). A route given a
    // `schema` would throw here, loudly.
    schemaController: {
      compilersFactory: {
        buildValidator: () => {
          throw new Error('novasim: fastify route schemas are not used (validation is zod); no validator compiler');
        },
        buildSerializer: () => {
          throw new Error('novasim: fastify route schemas are not used (responses are JSON.stringify); no serializer compiler');
        },
      },
    },
    // Router-level failures (a malformed %-escape in the path, …) still answer in the service's envelope.
    frameworkErrors: (err, req, reply) => {
      const status = (err as { statusCode?: number }).statusCode ?? 400;
      const body = envelopeFor(req.url, status, status === 400 ? 'Malformed request url' : err.message);
      (reply as import('fastify').FastifyReply).code(status).header('x-openstack-request-id', req.id).type(body.type).send(body.body);
    },
  });
  app.decorateRequest('requestId', '');
  app.addHook('onRequest', syncHook((req, reply) => {
    req.requestId = req.id;
    reply.header('x-openstack-request-id', req.id);
  }));
  gateRequests(app, deps.barrier, envelopeFor);
  // Generic route faults (429/503/504, latency, dropped connections) before any service answers.
  app.addHook('onRequest', routeFaultHook(s));
  acceptEmptyBodies(app);

  const driver = new Driver(s.faults, config);
  const volumes = new CinderClient(s);
  const network = new NeutronClient(s);
  const scheduler = new Scheduler({ services: s, notifier: deps.notifier });
  const shares = new ManilaClient(s);
  const manager = new ComputeManager({ services: s, volumes, notifier: deps.notifier, driver, network, scheduler, shares });
  const compute = new ComputeApi(s, volumes, manager, driver, deps.notifier, network, shares);
  const periodic = new ComputePeriodicTasks(manager.d);

  await app.register(identityRoutes, { prefix: '/identity', services: s });
  await app.register(computeApi, { prefix: '/compute', services: s, compute, notifier: deps.notifier, hosts: new HostApi(s, deps.notifier) });
  await app.register(cinderFake, { prefix: '/volume', services: s });
  await app.register(imageFake, { prefix: '/image', services: s });
  await app.register(neutronFake, { prefix: '/networking', services: s });
  await app.register(manilaFake, { prefix: '/share', services: s });
  await app.register(
    async (control) => {
      headOnGetRoutes(control);
      if (config.controlToken) {
        control.addHook('onRequest', async (req, reply) => {
          if (req.headers['x-novasim-control-token'] !== config.controlToken) {
            return reply.code(401).send({ error: { code: 401, message: 'A valid X-Novasim-Control-Token header is required.' } });
          }
        });
      }
      control.setErrorHandler((err: Error & { statusCode?: number }, _req, reply) => {
        const code = err.statusCode && err.statusCode < 500 ? err.statusCode : 500;
        reply.code(code).send({ error: { code, message: code === 400 && !err.message ? 'Bad request' : err.message } });
      });
      control.setNotFoundHandler((_req, reply) => {
        reply.code(404).send({ error: { code: 404, message: 'The resource could not be found.' } });
      });
      await control.register(controlRoutes, { services: s, reset: deps.reset, health: deps.health, hostApi: new HostApi(s, deps.notifier), periodic });
      await control.register(notificationRoutes, { capture: deps.capture });
      if (deps.legacyCapture) await control.register(notificationRoutes, { capture: deps.legacyCapture, prefix: '/legacy' });
    },
    { prefix: '/_novasim' },
  );
  app.setNotFoundHandler((req, reply) => {
    const b = envelopeFor(req.url, 404, 'The resource could not be found.');
    reply.code(404).type(b.type).send(b.body);
  });
  app.setErrorHandler((err: Error & { statusCode?: number }, req, reply) => {
    const status = err.statusCode && err.statusCode < 500 ? err.statusCode : 500;
    const b = envelopeFor(req.url, status, status === 500 ? 'Internal error' : status === 415 ? 'Unsupported Content-Type' : status === 413 ? 'Request is too large.' : 'Malformed request body');
    reply.code(status).type(b.type).send(b.body);
  });
  const periodics = new ShelveReclaimPeriodics(s, manager);
  return { app, manager, compute, periodics, periodic };
}

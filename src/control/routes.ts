// /_novasim: the simulator's own test-only control plane (health, reset, faults, clock).
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { FaultSpecSchema } from '../faults/registry.js';
import { RouteFaultSpecSchema } from '../faults/route-faults.js';
import type { Services } from '../services.js';
import type { HostApi } from '../compute/host-api.js';
import type { ComputePeriodicTasks } from '../compute/periodic.js';
import { ComputeException } from '../compute/exceptions.js';
import { HostSeedSchema } from '../store/hosts.js';

export interface ControlDeps {
  services: Services;
  /** Starts nova-compute services at run time (POST /_novasim/compute-services). */
  hostApi?: HostApi;
  /** The compute services' periodic tasks and restart (POST /_novasim/periodic-tasks/…, …/restart). */
  periodic?: ComputePeriodicTasks;
  reset: () => Promise<void>;
  health: () => Record<string, unknown>;
}

const ClockSchema = z.union([
  z.object({ time: z.string().min(1).nullable() }).strict(),
  z.object({ advance_ms: z.number().int().min(0).max(10 * 365 * 86_400_000) }).strict(),
]);

/**
 * The settable clock's range: from the epoch to the end of year 8999. Beyond it ISO 8601 needs
 * expanded years (+010000-…), which no OpenStack client parses; token expiry would overflow.
 */
const CLOCK_MIN = Date.UTC(1970, 0, 1);
const CLOCK_MAX = Date.UTC(9000, 0, 1) - 1;
const CLOCK_RANGE = 'time must be between 1970-01-01T00:00:00Z and 8999-12-31T23:59:59Z';

function bad(message: string) {
  return Object.assign(new Error(message), { statusCode: 400 });
}

export async function controlRoutes(app: FastifyInstance, opts: ControlDeps) {
  const s = opts.services;

  app.get('/health', async () => opts.health());

  app.post('/reset', async (_req, reply) => {
    try {
      await opts.reset();
    } catch (e) {
      // The barrier gave up waiting for in-flight work (src/reset-barrier.ts): nothing was emptied.
      if ((e as Error).name === 'ResetBusyError') return reply.code(503).send({ error: { code: 503, message: (e as Error).message } });
      throw e;
    }
    return reply.code(204).send();
  });

  // Start one more nova-compute (and its hypervisor node) while the simulator runs, as Nova's
  // functional tests do with start_service('compute', host=…): service.create is sent, the node
  // is schedulable at once. Remove it the way an operator does: DELETE /compute/v2.1/os-services/{id}.
  app.post('/compute-services', async (req, reply) => {
    if (!opts.hostApi) throw Object.assign(new Error('compute services cannot be started here'), { statusCode: 501 });
    const r = HostSeedSchema.safeParse(req.body);
    if (!r.success) throw bad(`Invalid compute service: ${r.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ')}`);
    try {
      const svc = opts.hostApi.startComputeService(null, r.data);
      const node = s.hosts.nodesByHost(svc.host)[0];
      reply.code(201);
      return { service: { id: svc.uuid, host: svc.host, binary: svc.binary, node: node?.hypervisor_hostname ?? null, node_id: node?.uuid ?? null } };
    } catch (e) {
      if (e instanceof ComputeException) return reply.code(e.code).send({ error: { code: e.code, message: e.message } });
      throw e;
    }
  });

  // Run a nova-compute periodic task now, on every compute host or on `host` (Nova runs them on timers).
  const PeriodicBody = z.object({ host: z.string().min(1).optional() }).strict();
  app.post('/periodic-tasks/:task', async (req, reply) => {
    const periodic = opts.periodic;
    if (!periodic) throw Object.assign(new Error('periodic tasks cannot be run here'), { statusCode: 501 });
    const r = PeriodicBody.safeParse(req.body ?? {});
    if (!r.success) throw bad(`Invalid periodic task request: ${r.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ')}`);
    const host = r.data.host;
    if (host && !s.hosts.computeService(host)) return reply.code(404).send({ error: { code: 404, message: `Compute host ${host} could not be found.` } });
    const { task } = req.params as { task: string };
    if (task === 'update_available_resource') return { task, nodes: periodic.updateAvailableResource(host) };
    if (task === '_poll_volume_usage') return { task, volume_usages: periodic.pollVolumeUsage(host) };
    return reply.code(404).send({ error: { code: 404, message: `Unknown periodic task ${task} (update_available_resource, _poll_volume_usage).` } });
  });

  // Restart a nova-compute: init_host connects to the hypervisor (fault point driver.connect).
  app.post('/compute-services/:host/restart', async (req, reply) => {
    if (!opts.periodic) throw Object.assign(new Error('compute services cannot be restarted here'), { statusCode: 501 });
    try {
      await opts.periodic.restart((req.params as { host: string }).host);
      return reply.code(204).send();
    } catch (e) {
      if (e instanceof ComputeException) return reply.code(e.code).send({ error: { code: e.code, message: e.message, exception: e.pyClass } });
      throw e;
    }
  });

  app.get('/faults', async () => ({ faults: s.faults.listAll() }));
  app.post('/faults', async (req, reply) => {
    if (req.body && typeof req.body === 'object' && 'route' in req.body) {
      const rf = RouteFaultSpecSchema.safeParse(req.body);
      if (!rf.success) throw bad(`Invalid fault: ${rf.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ')}`);
      reply.code(201);
      return { fault: s.faults.addRoute(rf.data, s.runtime.now(), s.runtime.deterministic) };
    }
    const r = FaultSpecSchema.safeParse(req.body);
    if (!r.success) throw bad(`Invalid fault: ${r.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ')}`);
    reply.code(201);
    return { fault: s.faults.add(r.data) };
  });
  app.delete('/faults', async (_req, reply) => {
    s.faults.clear();
    return reply.code(204).send();
  });
  app.delete('/faults/:id', async (req, reply) => {
    if (!s.faults.remove((req.params as { id: string }).id)) return reply.code(404).send({ error: { code: 404, message: 'No such fault' } });
    return reply.code(204).send();
  });

  app.get('/clock', async () => s.runtime.clockState());
  app.post('/clock', async (req) => {
    const r = ClockSchema.safeParse(req.body);
    if (!r.success) throw bad('Expected {"time": "<ISO 8601>" | null} or {"advance_ms": <int>}');
    const target = 'time' in r.data ? (r.data.time === null ? null : new Date(r.data.time).getTime()) : s.runtime.now().getTime() + r.data.advance_ms;
    if (target !== null && !Number.isNaN(target) && (target < CLOCK_MIN || target > CLOCK_MAX)) throw bad(CLOCK_RANGE);
    try {
      if ('time' in r.data) s.runtime.setClock(r.data.time);
      else s.runtime.advance(r.data.advance_ms);
    } catch (e) {
      throw bad((e as Error).message);
    }
    return s.runtime.clockState();
  });
}

// /os-migrations (nova/api/openstack/compute/migrations.py) and /servers/{id}/migrations
// (server_migrations.py): the migration records, empty until moves exist; in-progress live migrations
// only under a server.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { requestBase } from '../../identity/catalog.js';
import type { MigrationRow } from '../../store/hosts.js';
import { isoMicro } from '../../time-format.js';
import { mapErrors } from '../compute-errors.js';
import { NovaError } from '../errors.js';
import { type ApiDeps, parseBody, parseQuery } from '../plugin.js';
import { z } from 'zod';

/** schemas/server_migrations.py index_query_v2102 / show_query_v2102: no query parameters (additionalProperties False). */
const noQuery = z.object({}).strict();

/** schemas/server_migrations.py force_complete: {"force_complete": null}. */
const forceCompleteSchema = z.object({ force_complete: z.null() }).strict();
import { type Query, lastValue, queryDateTime, queryNonNegativeInt } from '../query.js';

const LIVE_IN_PROGRESS = ['queued', 'preparing', 'running', 'post-migrating'];
const micro = (iso: string | null) => (iso ? isoMicro(new Date(iso)) : null);

function migrationView(req: FastifyRequest, m: MigrationRow, serverView = false, includeHost = true) {
  const v = req.apiVersion;
  const out: Record<string, unknown> = {
    id: m.id, status: m.status, source_compute: includeHost ? m.source_compute : null, dest_compute: includeHost ? m.dest_compute : null,
    source_node: includeHost ? m.source_node : null, dest_node: includeHost ? m.dest_node : null, dest_host: includeHost ? m.dest_host : null,
    created_at: micro(m.created_at), updated_at: micro(m.updated_at),
  };
  if (serverView) {
    Object.assign(out, {
      server_uuid: m.instance_uuid, memory_total_bytes: m.memory_total, memory_processed_bytes: m.memory_processed, memory_remaining_bytes: m.memory_remaining,
      disk_total_bytes: m.disk_total, disk_processed_bytes: m.disk_processed, disk_remaining_bytes: m.disk_remaining,
    });
  }
  else Object.assign(out, { instance_uuid: m.instance_uuid, old_instance_type_id: m.old_instance_type_id, new_instance_type_id: m.new_instance_type_id });
  if (!serverView && v.matches('2.23')) {
    out.migration_type = m.migration_type;
    // Links to the server migration, for live migrations still in progress.
    if (m.migration_type === 'live-migration' && LIVE_IN_PROGRESS.includes(m.status)) {
      const base = `${requestBase(req)}/compute`;
      out.links = [
        { href: `${base}/v2.1/servers/${m.instance_uuid}/migrations/${m.id}`, rel: 'self' },
        { href: `${base}/servers/${m.instance_uuid}/migrations/${m.id}`, rel: 'bookmark' },
      ];
    }
  }
  if (v.matches('2.59')) out.uuid = m.uuid;
  if (v.matches('2.80')) Object.assign(out, { user_id: m.user_id, project_id: m.project_id });
  return out;
}

export async function osMigrationRoutes(app: FastifyInstance, opts: { deps: ApiDeps }) {
  const { services: s, policy, compute } = opts.deps;

  app.get('/os-migrations', async (req) => {
    const v = req.apiVersion;
    const q = req.query as Query;
    policy.authorize('os_compute_api:os-migrations:index', req.ctx, { project_id: req.ctx.projectId });
    const allProjects = policy.allowed('os_compute_api:os-migrations:index:all_projects', req.ctx, { project_id: req.ctx.projectId });
    const f = (k: string) => lastValue(q, k);
    let list = s.hosts.migrations().filter((m) => (!m.hidden || false));
    if (!allProjects) list = list.filter((m) => m.project_id === req.ctx.projectId);
    if (f('status')) list = list.filter((m) => m.status === f('status'));
    if (f('migration_type')) list = list.filter((m) => m.migration_type === f('migration_type'));
    if (f('instance_uuid')) list = list.filter((m) => m.instance_uuid === f('instance_uuid'));
    const host = f('host') ?? f('source_compute');
    if (host) {
      policy.authorize('os_compute_api:os-migrations:index:host', req.ctx, { project_id: req.ctx.projectId });
      list = list.filter((m) => m.source_compute === host || m.dest_compute === host);
    }
    if (v.matches('2.80')) {
      if (f('user_id')) list = list.filter((m) => m.user_id === f('user_id'));
      if (f('project_id')) list = list.filter((m) => m.project_id === f('project_id'));
    }
    let links: unknown[] | null = null;
    if (v.matches('2.59')) {
      const since = queryDateTime(q, 'changes-since');
      const before = v.matches('2.66') ? queryDateTime(q, 'changes-before') : undefined;
      if (since && before && since > before) throw new NovaError(400, 'The value of changes-since must be less than or equal to changes-before.');
      if (since) list = list.filter((m) => new Date(m.updated_at ?? m.created_at) >= since);
      if (before) list = list.filter((m) => new Date(m.updated_at ?? m.created_at) <= before);
      const marker = f('marker');
      if (marker !== undefined) {
        const idx = list.findIndex((m) => m.uuid === marker);
        if (idx < 0) throw new NovaError(400, `Marker ${marker} could not be found.`);
        list = list.slice(idx + 1);
      }
      const limit = queryNonNegativeInt(q, 'limit');
      if (limit !== undefined) {
        const full = list.length > limit;
        list = list.slice(0, limit);
        if (full || list.length === limit) links = [];
      }
    }
    const out: Record<string, unknown> = { migrations: list.map((m) => migrationView(req, m)) };
    if (links && list.length) out.migrations_links = [{ href: `${req.protocol}://${req.headers.host}/compute/v2.1/os-migrations?limit=${list.length}&marker=${list[list.length - 1].uuid}`, rel: 'next' }];
    return out;
  });

  // common.get_instance with the caller's context (the index/show routes keep their elevated read).
  const serverOf = async (req: FastifyRequest, elevated = true) =>
    mapErrors(() => compute.get(elevated ? { ...req.ctx, isAdmin: true } : req.ctx, (req.params as { id: string }).id), { InstanceNotFound: 404 });

  app.get('/servers/:id/migrations', async (req) => {
    if (!req.apiVersion.matches('2.23')) throw new NovaError(404, 'The resource could not be found.');
    if (req.apiVersion.matches('2.102')) parseQuery(noQuery, req.query);
    const i = await serverOf(req);
    policy.authorize('os_compute_api:servers:migrations:index', req.ctx, { project_id: i.project_id });
    // Master: the host fields are null unless servers:migrations:index:host allows them (Zed always shows them).
    const includeHost = s.profile.name === 'zed' || policy.allowed('os_compute_api:servers:migrations:index:host', req.ctx, { project_id: i.project_id });
    const live = s.hosts.migrations().filter((m) => m.instance_uuid === i.uuid && m.migration_type === 'live-migration' && LIVE_IN_PROGRESS.includes(m.status));
    return { migrations: live.map((m) => migrationView(req, m, true, includeHost)) };
  });

  // server_migrations.py show: the three 404 texts, in Nova's order.
  app.get('/servers/:id/migrations/:mid', async (req) => {
    if (!req.apiVersion.matches('2.23')) throw new NovaError(404, 'The resource could not be found.');
    if (req.apiVersion.matches('2.102')) parseQuery(noQuery, req.query);
    const { mid } = req.params as { mid: string };
    const i = await serverOf(req);
    policy.authorize('os_compute_api:servers:migrations:show', req.ctx, { project_id: i.project_id });
    let m: MigrationRow;
    try {
      m = compute.liveMigrations.migrationFor(mid, i.uuid);
    } catch {
      throw new NovaError(404, `In-progress live migration ${mid} is not found for server ${i.uuid}.`);
    }
    if (m.migration_type !== 'live-migration') throw new NovaError(404, `Migration ${mid} for server ${i.uuid} is not live-migration.`);
    if (!LIVE_IN_PROGRESS.includes(m.status)) throw new NovaError(404, `Live migration ${mid} for server ${i.uuid} is not in progress.`);
    return { migration: migrationView(req, m, true) };
  });

  // server_migrations.py _force_complete (2.22): POST /servers/{id}/migrations/{mid}/action {"force_complete": null}.
  app.post('/servers/:id/migrations/:mid/action', async (req, reply) => {
    if (!req.apiVersion.matches('2.22')) throw new NovaError(404, 'The resource could not be found.');
    const body = req.body as Record<string, unknown> | null;
    if (!body || typeof body !== 'object' || Array.isArray(body) || Object.keys(body).length !== 1) throw new NovaError(400, 'Malformed request body');
    const [name] = Object.keys(body);
    if (name !== 'force_complete') throw new NovaError(400, `There is no such action: ${name}`);
    parseBody(forceCompleteSchema, body);
    const { mid } = req.params as { mid: string };
    const i = await serverOf(req, false);
    policy.authorize('os_compute_api:servers:migrations:force_complete', req.ctx, { project_id: i.project_id });
    await mapErrors(() => compute.liveMigrations.forceComplete(req.ctx, i, mid),
      { InstanceNotFound: 404, MigrationNotFoundByStatus: 400, InvalidMigrationState: 400, MigrationNotFoundForInstance: 400, InstanceIsLocked: 409 },
      { action: 'force_complete', uuid: i.uuid });
    return reply.code(202).send();
  });

  // server_migrations.py delete (2.24): abort; queued/preparing ones too from 2.65.
  app.delete('/servers/:id/migrations/:mid', async (req, reply) => {
    if (!req.apiVersion.matches('2.24')) throw new NovaError(404, 'The resource could not be found.');
    const { mid } = req.params as { mid: string };
    const i = await serverOf(req, false);
    policy.authorize('os_compute_api:servers:migrations:delete', req.ctx, { project_id: i.project_id });
    await mapErrors(() => compute.liveMigrations.abort(req.ctx, i, mid, req.apiVersion.matches('2.65')),
      { MigrationNotFoundForInstance: 404, InvalidMigrationState: 400, InstanceIsLocked: 409 },
      { action: 'abort live migration', uuid: i.uuid });
    return reply.code(202).send();
  });
}

// /os-migrations (nova/api/openstack/compute/migrations.py) and /servers/{id}/migrations
// (server_migrations.py): the migration records, empty until moves exist; in-progress live migrations
// only under a server.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { requestBase } from '../../identity/catalog.js';
import type { MigrationRow } from '../../store/hosts.js';
import { isoMicro } from '../../time-format.js';
import { mapErrors } from '../compute-errors.js';
import { NovaError } from '../errors.js';
import type { ApiDeps } from '../plugin.js';
import { type Query, lastValue, queryDateTime, queryNonNegativeInt } from '../query.js';

const LIVE_IN_PROGRESS = ['queued', 'preparing', 'running', 'post-migrating'];
const micro = (iso: string | null) => (iso ? isoMicro(new Date(iso)) : null);

function migrationView(req: FastifyRequest, m: MigrationRow, serverView = false) {
  const v = req.apiVersion;
  const out: Record<string, unknown> = {
    id: m.id, status: m.status, source_compute: m.source_compute, dest_compute: m.dest_compute, source_node: m.source_node,
    dest_node: m.dest_node, dest_host: m.dest_host, created_at: micro(m.created_at), updated_at: micro(m.updated_at),
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

  const serverOf = async (req: FastifyRequest) =>
    mapErrors(() => compute.get({ ...req.ctx, isAdmin: true }, (req.params as { id: string }).id), { InstanceNotFound: 404 });

  app.get('/servers/:id/migrations', async (req) => {
    if (!req.apiVersion.matches('2.23')) throw new NovaError(404, 'The resource could not be found.');
    const i = await serverOf(req);
    policy.authorize('os_compute_api:servers:migrations:index', req.ctx, { project_id: i.project_id });
    const live = s.hosts.migrations().filter((m) => m.instance_uuid === i.uuid && m.migration_type === 'live-migration' && LIVE_IN_PROGRESS.includes(m.status));
    return { migrations: live.map((m) => migrationView(req, m, true)) };
  });

  app.get('/servers/:id/migrations/:mid', async (req) => {
    if (!req.apiVersion.matches('2.23')) throw new NovaError(404, 'The resource could not be found.');
    const { mid } = req.params as { mid: string };
    policy.authorize('os_compute_api:servers:migrations:show', req.ctx, {});
    const i = await serverOf(req);
    const m = s.hosts.migrations().find((x) => String(x.id) === mid && x.instance_uuid === i.uuid);
    if (!m) throw new NovaError(404, `Migration ${mid} for server ${i.uuid} is not found.`);
    if (m.migration_type !== 'live-migration' || !LIVE_IN_PROGRESS.includes(m.status)) {
      throw new NovaError(404, `In-progress live migration ${mid} is not found for server ${i.uuid}.`);
    }
    return { migration: migrationView(req, m, true) };
  });
}

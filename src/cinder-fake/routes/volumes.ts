// /volumes: list (summary, detail), create, show, update, delete (cinder/api/v3/volumes.py).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { badRequest } from '../errors.js';
import { MV } from '../microversion.js';
import { boolFromString, volumeCreateSchema, volumeUpdateSchema, volumeUpdateSchemaV353 } from '../schemas.js';
import type { CreateVolumeRequest } from '../volume-ops.js';
import { ctxOf, json, queryOf, validBody, versionOf, viewRequest, type RouteDeps } from '../request.js';
import { nextLink, volumeDetail, volumeSummary } from '../views/volumes.js';

const OSAPI_MAX_LIMIT = 1000;

/** common.get_pagination_params: limit (≤ osapi_max_limit), marker, offset. */
function pagination(q: Record<string, string>) {
  let limit = OSAPI_MAX_LIMIT;
  if (q.limit !== undefined) {
    if (!/^\s*[-+]?\d+\s*$/.test(q.limit)) throw badRequest('limit param must be an integer');
    limit = Number(q.limit);
    if (limit < 0) throw badRequest('limit param must be positive');
    limit = Math.min(limit, OSAPI_MAX_LIMIT);
  }
  let offset = 0;
  if (q.offset !== undefined) {
    if (!/^\s*\d+\s*$/.test(q.offset)) throw badRequest(`Invalid input received: offset must be an integer.`);
    offset = Number(q.offset);
  }
  return { limit, offset, marker: q.marker ?? null };
}

const NOT_FILTERS = new Set(['limit', 'marker', 'offset', 'sort', 'sort_key', 'sort_dir', 'with_count', 'all_tenants']);

export async function volumeRoutes(app: FastifyInstance, opts: { deps: RouteDeps }) {
  const { deps } = opts;
  const b = deps.backend;

  async function list(req: FastifyRequest, detail: boolean) {
    const q = queryOf(req);
    const page = pagination(q);
    const version = versionOf(req);
    const withCount = version.matches(MV.SUPPORT_COUNT_INFO) && q.with_count !== undefined && boolFromString(q.with_count);
    const filters = Object.fromEntries(Object.entries(q).filter(([k]) => !NOT_FILTERS.has(k)));
    const { volumes, total } = await b.listVolumes(ctxOf(req), {
      allTenants: q.all_tenants !== undefined && boolFromString(q.all_tenants),
      filters,
      ...page,
    });
    const view = viewRequest(req, deps);
    const items = detail
      ? volumes.map((v) => volumeDetail(b.core.bundle(v), view, { extensions: true, adminMetadata: true }))
      : volumes.map((v) => volumeSummary(v, view));
    const out: Record<string, unknown> = { volumes: items };
    const links = nextLink(view, volumes, page.limit, withCount ? total : volumes.length, detail ? 'volumes/detail' : 'volumes', q);
    if (links) out.volumes_links = links;
    if (withCount) out.count = total;
    return out;
  }

  app.get('/volumes', async (req, reply) => json(reply, 200, await list(req, false)));
  app.get('/volumes/detail', async (req, reply) => json(reply, 200, await list(req, true)));

  app.post('/volumes', { config: { cinderBody: 'json' } }, async (req, reply) => {
    const body = validBody<{ volume: CreateVolumeRequest }>(req, deps, volumeCreateSchema({ atLeast: (mv) => versionOf(req).matches(mv) }));
    const v = await b.createVolume(ctxOf(req), body.volume);
    return json(reply, 202, { volume: volumeDetail(b.core.bundle(v), viewRequest(req, deps), { extensions: false, adminMetadata: false }) });
  });

  app.get<{ Params: { id: string } }>('/volumes/:id', async (req, reply) => {
    const v = await b.showVolume(ctxOf(req), req.params.id);
    return json(reply, 200, { volume: volumeDetail(b.core.bundle(v), viewRequest(req, deps), { extensions: true, adminMetadata: true }) });
  });

  app.put<{ Params: { id: string } }>('/volumes/:id', { config: { cinderBody: 'json' } }, async (req, reply) => {
    const schema = versionOf(req).matches(MV.SUPPORT_VOLUME_SCHEMA_CHANGES) ? volumeUpdateSchemaV353 : volumeUpdateSchema;
    const body = validBody<{ volume: Record<string, unknown> }>(req, deps, schema);
    const v = await b.updateVolume(ctxOf(req), req.params.id, body.volume);
    return json(reply, 200, { volume: volumeDetail(b.core.bundle(v), viewRequest(req, deps), { extensions: false, adminMetadata: true }) });
  });

  app.delete<{ Params: { id: string } }>('/volumes/:id', async (req, reply) => {
    const q = queryOf(req);
    const cascade = q.cascade !== undefined && boolFromString(q.cascade);
    const force = versionOf(req).matches(MV.VOLUME_DELETE_FORCE) && q.force !== undefined && boolFromString(q.force);
    await b.deleteVolume(ctxOf(req), req.params.id, { cascade, force });
    return reply.code(202).send();
  });
}

// /backups (cinder/api/contrib/backups.py, api/v3/backups.py, views/backups.py): list, detail, create, show,
// delete, restore — minimal.
import type { FastifyInstance } from 'fastify';
import * as backups from '../backup-ops.js';
import type { Schema } from '../json-schema.js';
import { ctxOf, json, queryOf, validBody, versionOf, viewRequest, type RouteDeps } from '../request.js';
import { BOOLEAN_VALUES, boolFromString } from '../schemas.js';
import type { ViewRequest } from '../views/volumes.js';

const str: Schema = { type: ['string', 'null'], minLength: 0, maxLength: 255 };
const bool: Schema = { type: ['boolean', 'string'], enum: BOOLEAN_VALUES };
const uuidOrNull: Schema = { oneOf: [{ type: 'string', format: 'uuid' }, { type: 'null' }] };
const createSchema = (withMetadata: boolean): Schema => ({
  type: 'object',
  properties: {
    backup: {
      type: 'object',
      properties: {
        volume_id: { type: 'string', format: 'uuid' }, container: str, description: str, incremental: bool, force: bool, name: str, snapshot_id: uuidOrNull,
        ...(withMetadata ? { metadata: { type: ['object', 'null'], patternProperties: { '^[a-zA-Z0-9-_:. /]{1,255}$': { type: 'string', maxLength: 255 } }, additionalProperties: false } } : {}),
      },
      required: ['volume_id'],
      additionalProperties: false,
    },
  },
  required: ['backup'],
  additionalProperties: false,
});
const restoreSchema: Schema = {
  type: 'object',
  properties: { restore: { type: ['object', 'null'], properties: { volume_id: uuidOrNull, name: str }, additionalProperties: false } },
  required: ['restore'],
  additionalProperties: false,
};

function links(req: ViewRequest, id: string) {
  const p = req.projectInUrl ? `${req.ctx.projectId}/` : '';
  return [
    { rel: 'self', href: `${req.base}/v3/${p}backups/${id}` },
    { rel: 'bookmark', href: `${req.base}/${p}backups/${id}` },
  ];
}
const summary = (b: backups.Backup, req: ViewRequest) => ({ id: b.id, links: links(req, b.id), name: b.display_name });
function detail(b: backups.Backup, req: ViewRequest) {
  const out: Record<string, unknown> = {
    availability_zone: b.availability_zone, container: b.container, created_at: b.created_at, data_timestamp: b.data_timestamp,
    description: b.display_description, fail_reason: b.fail_reason, has_dependent_backups: false, id: b.id, is_incremental: b.is_incremental,
    links: links(req, b.id), name: b.display_name, object_count: b.object_count, size: b.size, snapshot_id: b.snapshot_id, status: b.status,
    updated_at: b.updated_at, volume_id: b.volume_id,
  };
  if (req.ctx.isAdmin) out['os-backup-project-attr:project_id'] = b.project_id;
  if (req.version.matches('3.43')) out.metadata = b.metadata;
  if (req.version.matches('3.56')) out.user_id = b.user_id;
  return out;
}

export async function backupRoutes(app: FastifyInstance, opts: { deps: RouteDeps }) {
  const { deps } = opts;
  const core = deps.backend.core;

  app.get('/backups', async (req, reply) => {
    const view = viewRequest(req, deps);
    return json(reply, 200, { backups: backups.listBackups(core, ctxOf(req), queryOf(req)).map((b) => summary(b, view)) });
  });
  app.get('/backups/detail', async (req, reply) => {
    const view = viewRequest(req, deps);
    return json(reply, 200, { backups: backups.listBackups(core, ctxOf(req), queryOf(req)).map((b) => detail(b, view)) });
  });
  app.post('/backups', { config: { cinderBody: 'json' } }, async (req, reply) => {
    const body = validBody<{ backup: Record<string, unknown> }>(req, deps, createSchema(versionOf(req).matches('3.43'))).backup;
    const b = await backups.createBackup(core, ctxOf(req), {
      volumeId: body.volume_id as string,
      name: (body.name as string | null | undefined) ?? null,
      description: (body.description as string | null | undefined) ?? null,
      container: (body.container as string | null | undefined) ?? null,
      force: body.force !== undefined && boolFromString(body.force),
      incremental: body.incremental !== undefined && boolFromString(body.incremental),
      metadata: (body.metadata as Record<string, string> | null | undefined) ?? {},
    });
    return json(reply, 202, { backup: summary(b, viewRequest(req, deps)) });
  });
  app.get<{ Params: { id: string } }>('/backups/:id', async (req, reply) =>
    json(reply, 200, { backup: detail(backups.getBackup(core, ctxOf(req), req.params.id), viewRequest(req, deps)) }),
  );
  app.delete<{ Params: { id: string } }>('/backups/:id', async (req, reply) => {
    await backups.deleteBackup(core, ctxOf(req), req.params.id);
    return reply.code(202).send();
  });
  app.post<{ Params: { id: string } }>('/backups/:id/restore', { config: { cinderBody: 'json' } }, async (req, reply) => {
    const body = validBody<{ restore: Record<string, string | null> | null }>(req, deps, restoreSchema).restore ?? {};
    const ctx = ctxOf(req);
    const out = await backups.restoreBackup(core, ctx, req.params.id, { volumeId: body.volume_id ?? null, name: body.name ?? null }, async (size, name) => {
      const v = await deps.backend.createVolume(ctx, { size, name });
      return v.id;
    });
    return json(reply, 202, { restore: out });
  });
}

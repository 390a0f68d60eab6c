// /snapshots (cinder/api/v3/snapshots.py, contrib/snapshot_actions.py, admin_actions.py SnapshotAdminController,
// v2/snapshot_metadata.py): list, detail, create, show, update, delete, metadata, reset_status / force_delete.
import type { FastifyInstance } from 'fastify';
import { CinderError, webobError } from '../errors.js';
import type { Schema } from '../json-schema.js';
import { ctxOf, json, queryOf, state, validBody, versionOf, viewRequest, type RouteDeps } from '../request.js';
import { BOOLEAN_VALUES, boolFromString } from '../schemas.js';
import * as snaps from '../snapshot-ops.js';
import { snapshotDetail, snapshotSummary } from '../views/snapshots.js';

const name: Schema = { type: ['string', 'null'], minLength: 0, maxLength: 255 };
const metadata = (nullable: boolean): Schema => ({
  type: nullable ? ['object', 'null'] : 'object',
  patternProperties: { '^[a-zA-Z0-9-_:. /]{1,255}$': { type: 'string', maxLength: 255 } },
  additionalProperties: false,
});
const wrap = (key: string, inner: Schema): Schema => ({ type: 'object', properties: { [key]: inner }, required: [key], additionalProperties: false });

// cinder/api/schemas/snapshots.py, snapshot_metadata.py.
const createSchema = wrap('snapshot', {
  type: 'object',
  properties: {
    name, display_name: name, description: name,
    volume_id: { oneOf: [{ type: 'string', format: 'uuid' }, { type: 'null' }] },
    force: { type: ['boolean', 'string'], enum: BOOLEAN_VALUES },
    metadata: metadata(true),
  },
  required: ['volume_id'],
  additionalProperties: false,
});
const updateProps = { name, description: name, display_name: name, display_description: name };
const updateSchema = wrap('snapshot', {
  type: 'object', properties: updateProps, additionalProperties: false, anyOf: Object.keys(updateProps).map((k) => ({ required: [k] })),
});
const metadataSchema = wrap('metadata', metadata(false));

const SNAPSHOT_IN_USE_FLAG_MSG =
  "Since microversion 3.66 the 'force' flag is invalid for this request.  For backward compatability, however, when the 'force' flag is passed with a value evaluating to True, it is silently ignored.";

export async function snapshotRoutes(app: FastifyInstance, opts: { deps: RouteDeps }) {
  const { deps } = opts;
  const core = deps.backend.core;

  app.get('/snapshots', async (req, reply) => json(reply, 200, { snapshots: snaps.listSnapshots(core, ctxOf(req), queryOf(req)).map(snapshotSummary) }));
  app.get('/snapshots/detail', async (req, reply) => {
    const view = viewRequest(req, deps);
    return json(reply, 200, { snapshots: snaps.listSnapshots(core, ctxOf(req), queryOf(req)).map((s) => snapshotDetail(s, view, true)) });
  });

  app.post('/snapshots', { config: { cinderBody: 'json' } }, async (req, reply) => {
    const body = validBody<{ snapshot: Record<string, unknown> }>(req, deps, createSchema).snapshot;
    const ctx = ctxOf(req);
    const volume = core.getVolume(ctx, body.volume_id as string);
    let force = false;
    const inUseMv = versionOf(req).matches('3.66');
    if (body.force !== undefined && body.force !== null) {
      force = boolFromString(body.force);
      if (inUseMv && !force) throw new CinderError(400, SNAPSHOT_IN_USE_FLAG_MSG);
    }
    const clean = (v: unknown) => (typeof v === 'string' ? v.trim() : ((v as null | undefined) ?? null));
    const s = await snaps.createSnapshot(core, ctx, {
      volume,
      name: clean(body.name ?? body.display_name),
      description: clean(body.description),
      metadata: (body.metadata as Record<string, string> | null | undefined) ?? null,
      allowInUse: force || inUseMv,
    });
    return json(reply, 202, { snapshot: snapshotDetail(s, viewRequest(req, deps), false) });
  });

  app.get<{ Params: { id: string } }>('/snapshots/:id', async (req, reply) =>
    json(reply, 200, { snapshot: snapshotDetail(snaps.getSnapshot(core, ctxOf(req), req.params.id), viewRequest(req, deps), true) }),
  );

  app.put<{ Params: { id: string } }>('/snapshots/:id', { config: { cinderBody: 'json' } }, async (req, reply) => {
    const body = validBody<{ snapshot: Record<string, string | null> }>(req, deps, updateSchema).snapshot;
    const fields: { display_name?: string | null; display_description?: string | null } = {};
    const n = body.name ?? body.display_name;
    if ('name' in body || 'display_name' in body) fields.display_name = typeof n === 'string' ? n.trim() : null;
    const d = 'description' in body ? body.description : body.display_description;
    if ('description' in body || 'display_description' in body) fields.display_description = typeof d === 'string' ? d.trim() : null;
    const s = snaps.updateSnapshot(core, ctxOf(req), req.params.id, fields);
    return json(reply, 200, { snapshot: snapshotDetail(s, viewRequest(req, deps), false) });
  });

  app.delete<{ Params: { id: string } }>('/snapshots/:id', async (req, reply) => {
    await snaps.deleteSnapshot(core, ctxOf(req), req.params.id, false);
    return reply.code(202).send();
  });

  app.post<{ Params: { id: string } }>(
    '/snapshots/:id/action',
    { config: { cinderBody: 'action', cinderActions: ['os-reset_status', 'os-force_delete'] } },
    async (req, reply) => {
      const body = state(req).body as Record<string, Record<string, unknown> | null>;
      if (state(req).action === 'os-force_delete') {
        await snaps.deleteSnapshot(core, ctxOf(req), req.params.id, true);
      } else {
        const arg = body['os-reset_status'];
        if (arg === null || typeof arg !== 'object') throw webobError(400);
        snaps.resetSnapshotStatus(core, ctxOf(req), req.params.id, arg.status);
      }
      return reply.code(202).send();
    },
  );

  // Snapshot metadata (v2/snapshot_metadata.py).
  app.get<{ Params: { id: string } }>('/snapshots/:id/metadata', async (req, reply) => {
    const s = snaps.getSnapshot(core, ctxOf(req), req.params.id);
    return json(reply, 200, { metadata: s.metadata });
  });
  for (const [method, replace] of [['POST', false], ['PUT', true]] as const) {
    app.route<{ Params: { id: string } }>({
      method,
      url: '/snapshots/:id/metadata',
      config: { cinderBody: 'json' },
      handler: async (req, reply) => {
        const body = validBody<{ metadata: Record<string, string> }>(req, deps, metadataSchema);
        return json(reply, 200, { metadata: snaps.setSnapshotMetadata(core, ctxOf(req), req.params.id, body.metadata, replace) });
      },
    });
  }
  app.delete<{ Params: { id: string; key: string } }>('/snapshots/:id/metadata/:key', async (req, reply) => {
    snaps.deleteSnapshotMetadata(core, ctxOf(req), req.params.id, req.params.key);
    return reply.code(200).send();
  });
}

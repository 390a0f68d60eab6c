// POST /volumes/{id}/action (api/contrib/volume_actions.py, admin_actions.py): one top-level key.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { webobError } from '../errors.js';
import { MV } from '../microversion.js';
import { ACTION_SCHEMAS, boolFromString, migrateVolumeSchema } from '../schemas.js';
import { checkResetBody } from '../volume-ops.js';
import { ctxOf, json, requireVersion, state, validBody, versionOf, type RouteDeps } from '../request.js';

type Body = Record<string, Record<string, unknown> | null>;
type Handler = (req: FastifyRequest, reply: FastifyReply, id: string, deps: RouteDeps) => Promise<unknown>;

const accepted = (reply: FastifyReply) => reply.code(202).send();

/** The action's own schema (master validates every action; the argument-less ones cannot fail). */
function args(req: FastifyRequest, deps: RouteDeps, action: string): Record<string, unknown> {
  const schema = ACTION_SCHEMAS[action];
  const body = schema ? validBody<Body>(req, deps, schema) : (state(req).body as Body);
  return (body[action] ?? {}) as Record<string, unknown>;
}

const HANDLERS: Record<string, Handler> = {
  'os-reserve': async (req, reply, id, d) => (await d.backend.reserve(ctxOf(req), id), accepted(reply)),
  'os-unreserve': async (req, reply, id, d) => (await d.backend.unreserve(ctxOf(req), id), accepted(reply)),
  'os-begin_detaching': async (req, reply, id, d) => (await d.backend.beginDetaching(ctxOf(req), id), accepted(reply)),
  'os-roll_detaching': async (req, reply, id, d) => (await d.backend.rollDetaching(ctxOf(req), id), accepted(reply)),
  'os-force_delete': async (req, reply, id, d) => (await d.backend.forceDelete(ctxOf(req), id), accepted(reply)),

  'os-attach': async (req, reply, id, d) => {
    const a = args(req, d, 'os-attach');
    await d.backend.attach(ctxOf(req), id, {
      instanceUuid: (a.instance_uuid as string | undefined) ?? null,
      hostName: (a.host_name as string | undefined) ?? null,
      mountpoint: a.mountpoint as string,
      mode: (a.mode as string | undefined) ?? 'rw',
    });
    return accepted(reply);
  },
  'os-detach': async (req, reply, id, d) => {
    validBody(req, d, ACTION_SCHEMAS['os-detach']);
    const raw = (state(req).body as Body)['os-detach'];
    // body['os-detach'].get('attachment_id') on a null argument: AttributeError → 500.
    if (raw === null) throw webobError(500);
    await d.backend.detach(ctxOf(req), id, (raw.attachment_id as string | null | undefined) ?? null);
    return accepted(reply);
  },
  'os-initialize_connection': async (req, reply, id, d) => {
    const a = args(req, d, 'os-initialize_connection');
    const connector = typeof a.connector === 'object' && a.connector !== null ? (a.connector as Record<string, unknown>) : {};
    const info = await d.backend.initializeConnection(ctxOf(req), id, connector);
    return json(reply, 200, { connection_info: info });
  },
  'os-terminate_connection': async (req, reply, id, d) => {
    args(req, d, 'os-terminate_connection');
    await d.backend.terminateConnection(ctxOf(req), id);
    return accepted(reply);
  },
  'os-extend': async (req, reply, id, d) => {
    const a = args(req, d, 'os-extend');
    await d.backend.extendVolume(ctxOf(req), id, Number(a.new_size), versionOf(req).matches(MV.VOLUME_EXTEND_INUSE));
    return accepted(reply);
  },
  // _reimage (3.68): @wsgi.Controller.api_version, so 404 below it.
  'os-reimage': async (req, reply, id, d) => {
    requireVersion(req, MV.SUPPORT_REIMAGE_VOLUME);
    const a = args(req, d, 'os-reimage');
    await d.backend.reimageVolume(ctxOf(req), id, a.image_id as string, a.reimage_reserved !== undefined && boolFromString(a.reimage_reserved));
    return accepted(reply);
  },
  'os-retype': async (req, reply, id, d) => {
    const a = args(req, d, 'os-retype');
    await d.backend.retype(ctxOf(req), id, a.new_type as string, (a.migration_policy as string | undefined) ?? null);
    return accepted(reply);
  },
  'os-migrate_volume': async (req, reply, id, d) => {
    const v316 = versionOf(req).matches(MV.VOLUME_MIGRATE_CLUSTER);
    const body = validBody<Body>(req, d, migrateVolumeSchema(v316));
    const a = body['os-migrate_volume'] as Record<string, unknown>;
    await d.backend.migrateVolume(ctxOf(req), id, {
      host: (a.host as string | null | undefined) ?? null,
      cluster: (a.cluster as string | null | undefined) ?? null,
      forceHostCopy: a.force_host_copy !== undefined && boolFromString(a.force_host_copy),
      lockVolume: a.lock_volume !== undefined && boolFromString(a.lock_volume),
    }, v316);
    return accepted(reply);
  },
  'os-migrate_volume_completion': async (req, reply, id, d) => {
    const a = args(req, d, 'os-migrate_volume_completion');
    // `error` is used as given: any non-empty string (even "False") is true.
    const saveId = await d.backend.migrateVolumeCompletion(ctxOf(req), id, a.new_volume as string, Boolean(a.error));
    return json(reply, 200, { save_volume_id: saveId });
  },
  'os-reset_status': async (req, reply, id, d) => {
    const raw = (state(req).body as Body)['os-reset_status'];
    if (raw && typeof raw === 'object') checkResetBody(raw);
    const a = args(req, d, 'os-reset_status');
    await d.backend.resetStatus(ctxOf(req), id, a as Record<string, string | null | undefined>);
    return accepted(reply);
  },
};

export async function volumeActionRoutes(app: FastifyInstance, opts: { deps: RouteDeps }) {
  const { deps } = opts;
  app.post<{ Params: { id: string } }>(
    '/volumes/:id/action',
    { config: { cinderBody: 'action', cinderActions: Object.keys(HANDLERS) } },
    async (req, reply) => HANDLERS[state(req).action!](req, reply, req.params.id, deps),
  );
}

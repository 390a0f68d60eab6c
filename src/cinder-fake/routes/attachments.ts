// /attachments (≥3.27; os-complete ≥3.44): cinder/api/v3/attachments.py.
import type { FastifyInstance } from 'fastify';
import { MV } from '../microversion.js';
import { attachmentCreateSchema, attachmentUpdateSchema } from '../schemas.js';
import { ctxOf, json, queryOf, requireVersion, validBody, versionOf, type RouteDeps } from '../request.js';
import { attachmentDetail, attachmentSummary } from '../views/attachments.js';

interface CreateBody {
  attachment: { volume_uuid: string; instance_uuid?: string; connector?: Record<string, unknown> | null; mode?: string };
}

export async function attachmentRoutes(app: FastifyInstance, opts: { deps: RouteDeps }) {
  const { deps } = opts;
  const b = deps.backend;

  app.post('/attachments', { config: { cinderBody: 'json' } }, async (req, reply) => {
    requireVersion(req, MV.NEW_ATTACH);
    const withMode = versionOf(req).matches(MV.ATTACHMENT_CREATE_MODE_ARG);
    const { attachment: a } = validBody<CreateBody>(req, deps, attachmentCreateSchema(withMode));
    const created = await b.attachmentCreate(ctxOf(req), {
      volumeId: a.volume_uuid,
      instanceUuid: a.instance_uuid ?? null,
      connector: a.connector ?? null,
      // Below 3.54 the controller passes no mode and attachment_create defaults it to "null".
      mode: withMode ? (a.mode ?? 'null') : 'null',
    });
    return json(reply, 200, { attachment: attachmentDetail(created) });
  });

  app.get('/attachments', async (req, reply) => {
    requireVersion(req, MV.NEW_ATTACH);
    return json(reply, 200, { attachments: b.attachmentList(ctxOf(req), queryOf(req)).map(attachmentSummary) });
  });

  app.get('/attachments/detail', async (req, reply) => {
    requireVersion(req, MV.NEW_ATTACH);
    return json(reply, 200, { attachments: b.attachmentList(ctxOf(req), queryOf(req)).map(attachmentDetail) });
  });

  app.get<{ Params: { id: string } }>('/attachments/:id', async (req, reply) => {
    requireVersion(req, MV.NEW_ATTACH);
    return json(reply, 200, { attachment: attachmentDetail(await b.attachmentGet(ctxOf(req), req.params.id)) });
  });

  app.put<{ Params: { id: string } }>('/attachments/:id', { config: { cinderBody: 'json' } }, async (req, reply) => {
    requireVersion(req, MV.NEW_ATTACH);
    const body = validBody<{ attachment: { connector: Record<string, unknown> } }>(req, deps, attachmentUpdateSchema);
    const updated = await b.attachmentUpdate(ctxOf(req), req.params.id, body.attachment.connector);
    return json(reply, 200, { attachment: attachmentDetail(updated) });
  });

  app.delete<{ Params: { id: string } }>('/attachments/:id', async (req, reply) => {
    requireVersion(req, MV.NEW_ATTACH);
    const remaining = await b.attachmentDelete(ctxOf(req), req.params.id);
    return json(reply, 200, { attachments: remaining.map(attachmentSummary) });
  });

  app.post<{ Params: { id: string } }>(
    '/attachments/:id/action',
    { config: { cinderBody: 'action', cinderActions: ['os-complete'] } },
    async (req, reply) => {
      requireVersion(req, MV.NEW_ATTACH_COMPLETION);
      await b.attachmentComplete(ctxOf(req), req.params.id);
      return reply.code(204).send();
    },
  );
}

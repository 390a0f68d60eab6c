// The fake Manila (shared-file-system v2) as a fastify plugin mounted at /share (devstack's manila-api
// listens on :8786/v2; on the one port it lives under /share/v2). Request processing as manila-api's paste
// pipeline: keystonemiddleware (401) → microversion negotiation → controller, errors in Manila's fault
// envelope. Routes are the subset Nova's nova/share/manila.py and the CLI use: shares, export
// locations, allow/deny access actions, share-access-rules.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { authenticate } from '../identity/authenticate.js';
import { requestBase } from '../identity/catalog.js';
import { sleep } from '../faults/registry.js';
import type { Services } from '../services.js';
import { type ManilaCtx, ManilaBackend, SHARE_PROTOCOLS } from './backend.js';
import { invalidInput, ManilaError, webob } from './errors.js';
import { HEADER, type ManilaVersion, negotiate } from './microversion.js';
import * as schema from './schemas.js';
import { accessView, exportLocationView, shareDetail, shareSummary } from './views.js';

const backends = new WeakMap<Services, ManilaBackend>();

/** The simulator's single ManilaBackend for these services (created on first use). */
export function manilaBackend(services: Services): ManilaBackend {
  let b = backends.get(services);
  if (!b) {
    b = new ManilaBackend(services);
    backends.set(services, b);
  }
  return b;
}

declare module 'fastify' {
  interface FastifyRequest {
    manilaVersion: ManilaVersion;
  }
}

const send = (reply: FastifyReply, err: ManilaError) => reply.code(err.status).type('application/json').send(err.body());

type IdParams = { id: string };

export async function manilaFake(app: FastifyInstance, opts: { services: Services }) {
  const services = opts.services;
  const backend = manilaBackend(services);
  const mount = app.prefix;
  const profile = services.profile.share;

  app.decorateRequest('manilaVersion', null as unknown as ManilaVersion);
  app.setErrorHandler((err: FastifyError | Error, req, reply) => {
    if (err instanceof ManilaError) return send(reply, err);
    const status = (err as FastifyError).statusCode;
    if (status === 400) return send(reply, new ManilaError(400, 'Malformed request body'));
    if (status && status >= 400 && status < 500) return send(reply, webob(status));
    req.log.error({ err }, 'fake manila: unexpected error');
    return send(reply, webob(500));
  });
  app.setNotFoundHandler((_req, reply) => send(reply, webob(404)));

  const root = (req: FastifyRequest) => `${requestBase(req)}${mount}`;
  const v2doc = (req: FastifyRequest) => ({
    id: 'v2.0', status: 'CURRENT', version: profile.maxVersion, min_version: profile.minVersion, updated: profile.updated,
    links: [
      { rel: 'describedby', type: 'text/html', href: 'http://docs.openstack.org/' },
      { rel: 'self', href: `${root(req)}/v2/` },
    ],
    'media-types': [{ base: 'application/json', type: 'application/vnd.openstack.share+json;version=1' }],
  });
  // manila/api/versions.py: the root lists v1.0 (deprecated) and v2.0; /v2/ shows v2.0 alone.
  app.get('/', async (req, reply) => {
    reply.code(300);
    return {
      versions: [
        { id: 'v1.0', status: 'DEPRECATED', version: '', min_version: '', updated: '2015-08-27T11:33:21Z', links: [{ rel: 'self', href: `${root(req)}/v1/` }], 'media-types': v2doc(req)['media-types'] },
        v2doc(req),
      ],
    };
  });

  await app.register(
    async (api) => {
      api.addHook('onRequest', authenticate(services));
      api.addHook('onRequest', async (req, reply) => {
        try {
          req.manilaVersion = negotiate(req.headers[HEADER.toLowerCase()], profile.minVersion, profile.maxVersion);
        } catch (e) {
          return send(reply, e as ManilaError);
        }
        reply.header(HEADER, req.manilaVersion.toString()).header('vary', HEADER);
      });
      const ctx = (req: FastifyRequest): ManilaCtx => ({ projectId: req.ctx.projectId, userId: req.ctx.userId, isAdmin: req.ctx.isAdmin, roles: req.ctx.roles });
      const base = (req: FastifyRequest) => `${root(req)}/v2`;
      /** Named operation faults (create_share, get_share, export_locations, allow_access, deny_access, access_rules, delete_share). */
      const fault = async (operation: string, shareId: string | null) => {
        const f = services.faults.take('manila', operation, { share_id: shareId });
        if (!f) return;
        if ('delay_ms' in f.error) return sleep(f.error.delay_ms);
        if ('status' in f.error) throw new ManilaError(f.error.status, f.error.message);
      };
      const parse = <T>(s: { safeParse(v: unknown): { success: true; data: T } | { success: false } }, body: unknown, key: string): T => {
        if (!body || typeof body !== 'object' || !(key in body)) throw new ManilaError(422, 'Unable to process the contained instructions');
        const r = s.safeParse(body);
        if (!r.success) throw new ManilaError(400, 'Malformed request body');
        return r.data;
      };

      /** The share's export paths, preferred first (share.export_location / export_locations before 2.9). */
      const paths = (id: string) => [...backend.store.exportLocations(id)].sort((a, b) => b.preferred - a.preferred).map((e) => e.path);
      api.get('/', async (req) => ({ versions: [v2doc(req)] }));

      const list = (detail: boolean) => async (req: FastifyRequest) => {
        const q = req.query as Record<string, string | undefined>;
        const rows = backend.listShares(ctx(req), ['1', 'true', 'True'].includes(q.all_tenants ?? ''), { name: q.name, status: q.status, share_proto: q.share_proto });
        return { shares: rows.map((r) => (detail ? shareDetail(base(req), r, ctx(req), req.manilaVersion, paths(r.id)) : shareSummary(base(req), r))) };
      };
      api.get('/shares', list(false));
      api.get('/shares/detail', list(true));

      // manila/api/v2/shares.py create → share_api.create (size and protocol checks as InvalidInput).
      api.post('/shares', async (req, reply) => {
        const body = parse(schema.shareCreate, req.body, 'share').share;
        const proto = body.share_proto;
        if (!(SHARE_PROTOCOLS as readonly string[]).includes(proto.toUpperCase())) {
          throw invalidInput(`Invalid share protocol provided: ${proto}. It is either disabled or unsupported. Available protocols: ${SHARE_PROTOCOLS.map((p) => p.toLowerCase()).join(', ')}`);
        }
        const size = typeof body.size === 'number' ? body.size : /^\s*-?\d+\s*$/.test(body.size) ? Number(body.size) : NaN;
        if (!Number.isInteger(size) || size <= 0) throw invalidInput(`Share size '${body.size}' must be an integer and greater than 0`);
        await fault('create_share', null);
        const row = backend.createShare(ctx(req), {
          share_proto: proto, size, name: body.name ?? body.display_name ?? null, description: body.description ?? body.display_description ?? null,
          share_type: body.share_type ?? body.volume_type ?? null, availability_zone: body.availability_zone ?? null,
          share_network_id: body.share_network_id ?? null, snapshot_id: body.snapshot_id ?? null,
          is_public: body.is_public === true || body.is_public === 'true' || body.is_public === 'True', metadata: body.metadata,
        });
        reply.code(200);
        return { share: shareDetail(base(req), row, ctx(req), req.manilaVersion, paths(row.id)) };
      });

      api.get('/shares/:id', async (req) => {
        const id = (req.params as IdParams).id;
        await fault('get_share', id);
        return { share: shareDetail(base(req), backend.getShare(ctx(req), id), ctx(req), req.manilaVersion, paths(id)) };
      });

      api.delete('/shares/:id', async (req, reply) => {
        const id = (req.params as IdParams).id;
        await fault('delete_share', id);
        backend.deleteShare(ctx(req), id);
        return reply.code(202).send();
      });

      // manila/api/v2/share_export_locations.py (2.9+).
      api.get('/shares/:id/export_locations', async (req) => {
        if (!req.manilaVersion.matches('2.9')) throw webob(404);
        const id = (req.params as IdParams).id;
        await fault('export_locations', id);
        return { export_locations: backend.exportLocations(ctx(req), id).map((e) => exportLocationView(e, ctx(req), req.manilaVersion, false)) };
      });
      api.get('/shares/:id/export_locations/:el', async (req) => {
        if (!req.manilaVersion.matches('2.9')) throw webob(404);
        const { id, el } = req.params as { id: string; el: string };
        const found = backend.exportLocations(ctx(req), id).find((e) => e.id === el);
        if (!found) throw new ManilaError(404, `Export location ${el} not found.`);
        return { export_location: exportLocationView(found, ctx(req), req.manilaVersion, true) };
      });

      // POST /shares/{id}/action: allow_access / deny_access (os-* names before 2.7).
      api.post('/shares/:id/action', async (req, reply) => {
        const id = (req.params as IdParams).id;
        const body = req.body;
        if (!body || typeof body !== 'object' || Array.isArray(body)) throw new ManilaError(400, 'Malformed request body');
        const keys = Object.keys(body);
        const legacy = !req.manilaVersion.matches('2.7');
        const allowKey = legacy ? 'os-allow_access' : 'allow_access';
        const denyKey = legacy ? 'os-deny_access' : 'deny_access';
        const action = keys.find((k) => k === allowKey || k === denyKey);
        if (keys.length !== 1 || !action) throw new ManilaError(400, `There is no such action: ${keys.join(', ') || 'None'}`);
        const data = (body as Record<string, unknown>)[action];
        if (action === allowKey) {
          const a = schema.allowAccess.safeParse(data);
          if (!a.success) throw new ManilaError(400, 'Malformed request body');
          if (a.data.access_type === 'cephx' && !req.manilaVersion.matches('2.13')) throw new ManilaError(400, "Only 'ip', 'user' or 'cert' access types are supported.");
          await fault('allow_access', id);
          const locks = req.manilaVersion.matches('2.82');
          const rule = backend.allowAccess(ctx(req), id, {
            access_type: a.data.access_type, access_to: a.data.access_to, access_level: a.data.access_level,
            metadata: req.manilaVersion.matches('2.45') ? a.data.metadata : undefined,
            lock_visibility: locks ? a.data.lock_visibility : undefined, lock_deletion: locks ? a.data.lock_deletion : undefined,
            lock_reason: locks ? a.data.lock_reason : undefined,
          });
          reply.code(200);
          return { access: accessView(rule, ctx(req), req.manilaVersion, backend, true) };
        }
        const d = schema.denyAccess.safeParse(data);
        if (!d.success) throw new ManilaError(400, 'Malformed request body');
        await fault('deny_access', id);
        backend.denyAccess(ctx(req), id, d.data.access_id, req.manilaVersion.matches('2.82') && !!d.data.unrestrict);
        return reply.code(202).send();
      });

      // manila/api/v2/share_accesses.py (2.45+).
      api.get('/share-access-rules', async (req) => {
        if (!req.manilaVersion.matches('2.45')) throw webob(404);
        const q = req.query as Record<string, string | undefined>;
        await fault('access_rules', q.share_id ?? null);
        const rows = backend.listRules(ctx(req), q.share_id, { access_type: q.access_type, access_to: q.access_to, access_level: q.access_level });
        return { access_list: rows.map((r) => accessView(r, ctx(req), req.manilaVersion, backend, false)) };
      });
      api.get('/share-access-rules/:id', async (req) => {
        if (!req.manilaVersion.matches('2.45')) throw webob(404);
        const rule = backend.showRule(ctx(req), (req.params as IdParams).id);
        return { access: accessView(rule, ctx(req), req.manilaVersion, backend, true) };
      });
    },
    { prefix: '/v2' },
  );
}

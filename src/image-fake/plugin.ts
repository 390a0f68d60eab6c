// Glance v2 subset: version discovery, images (list/show here; writes, data, tags and members in
// ./writes.ts) — enough for `server create --image cirros` and `openstack image create --file`.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { authenticate } from '../identity/authenticate.js';
import { requestBase } from '../identity/catalog.js';
import type { Services } from '../services.js';
import { ImageAccess } from './access.js';
import { GlanceError, sendGlanceError } from './errors.js';
import { ImageStore } from './store.js';
import { imageView } from './views.js';
import { imageWrites } from './writes.js';
import { headOnGetRoutes } from '../head-routes.js';

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// Glance answers errors as webob plain text pages.
function glanceError(reply: FastifyReply, status: number, _title: string, detail: string) {
  return sendGlanceError(reply, status, detail);
}

export async function imageFake(app: FastifyInstance, opts: { services: Services }) {
  const s = opts.services;
  headOnGetRoutes(app); // unchanged from before HEAD twins became opt-in (src/head-routes.ts)
  const store = new ImageStore(s.db);
  const access = new ImageAccess(store);
  const versions = (req: FastifyRequest) => ({
    versions: ['2.15', '2.14', '2.13', '2.12', '2.11', '2.10', '2.9'].map((v, i) => ({
      id: `v${v}`,
      status: i === 0 ? 'CURRENT' : 'SUPPORTED',
      links: [{ rel: 'self', href: `${requestBase(req)}/image/v2/` }],
    })),
  });
  app.setNotFoundHandler((_req, reply) => glanceError(reply, 404, 'Not Found', 'The resource could not be found.'));
  app.setErrorHandler((err: Error & { statusCode?: number; glance?: boolean }, _req, reply) => {
    if (err instanceof GlanceError) return sendGlanceError(reply, err.status, err.message, err.headers);
    if (err.glance) return sendGlanceError(reply, err.statusCode ?? 400, err.message);
    const status = err.statusCode && err.statusCode < 500 ? err.statusCode : 400;
    glanceError(reply, status, '', status === 415 ? 'The request has an unsupported media type.' : 'The request could not be understood.');
  });
  app.get('/', async (req, reply) => reply.code(300).send(versions(req)));
  app.get('/versions', async (req) => versions(req));

  await app.register(
    async (v2) => {
      v2.addHook('onRequest', authenticate(s));
      v2.setNotFoundHandler((_req, reply) => glanceError(reply, 404, 'Not Found', 'The resource could not be found.'));

      v2.get('/images', async (req, reply) => {
        const q = req.query as Record<string, string | undefined>;
        // glance/api/v2/images.py RequestDeserializer.index: visibility and member_status filters.
        if (q.visibility !== undefined && !['community', 'public', 'private', 'shared', 'all'].includes(q.visibility)) {
          return glanceError(reply, 400, 'Bad Request', `Invalid visibility value: ${q.visibility}`);
        }
        const memberStatus = q.member_status ?? 'accepted';
        if (!['pending', 'accepted', 'rejected', 'all'].includes(memberStatus)) {
          return glanceError(reply, 400, 'Bad Request', `Invalid status value: ${memberStatus}`);
        }
        let images = access.listed(store.all(), req.ctx, q.visibility, memberStatus);
        if (q.name !== undefined) images = images.filter((i) => i.name === q.name);
        if (q.status !== undefined) images = images.filter((i) => i.status === q.status);
        if (q.owner !== undefined) images = images.filter((i) => i.owner === q.owner);
        if (q.tag !== undefined) images = images.filter((i) => (JSON.parse(i.tags) as string[]).includes(q.tag!));
        // glance/api/v2/images.py _get_limit: int(), ≥ 0, capped at api_limit_max (1000); default 25.
        let limit = 25;
        if (q.limit !== undefined) {
          if (!/^\s*[-+]?\d+\s*$/.test(String(q.limit))) return glanceError(reply, 400, 'Bad Request', 'limit param must be an integer');
          limit = Number(String(q.limit).trim());
          if (limit < 0) return glanceError(reply, 400, 'Bad Request', 'limit param must be positive');
          limit = Math.min(limit, 1000);
        }
        if (q.marker) {
          const at = images.findIndex((i) => i.id === q.marker);
          if (at < 0) return glanceError(reply, 400, 'Bad Request', 'Invalid marker. Image could not be found.');
          images = images.slice(at + 1);
        }
        const page = images.slice(0, limit);
        const body: Record<string, unknown> = { images: page.map(imageView), first: '/v2/images', schema: '/v2/schemas/images' };
        if (images.length > limit && page.length) body.next = `/v2/images?marker=${page[page.length - 1].id}&limit=${limit}`;
        return body;
      });
      v2.get('/images/:id', async (req, reply) => {
        const { id } = req.params as { id: string };
        const img = UUID_RE.test(id) ? store.get(id) : undefined;
        if (!img || !access.canSee(img, req.ctx)) return glanceError(reply, 404, 'Not Found', `No image found with ID ${id}`);
        return imageView(img);
      });
      await v2.register(imageWrites, { services: s });
    },
    { prefix: '/v2' },
  );
}

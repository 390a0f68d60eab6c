// Glance v2 subset: version discovery and read-only images — enough for `server create --image cirros`.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { authenticate } from '../identity/authenticate.js';
import { requestBase } from '../identity/catalog.js';
import type { Services } from '../services.js';
import type { ImageRow } from '../store/catalog.js';

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function imageView(i: ImageRow) {
  return {
    id: i.id,
    name: i.name,
    status: i.status,
    visibility: i.visibility,
    protected: false,
    os_hidden: false,
    checksum: i.checksum,
    os_hash_algo: i.checksum ? 'sha512' : null,
    os_hash_value: null,
    owner: i.owner,
    size: i.size,
    virtual_size: null,
    min_ram: i.min_ram,
    min_disk: i.min_disk,
    disk_format: i.disk_format,
    container_format: i.container_format,
    tags: [],
    created_at: i.created_at.replace(/\.\d+Z$/, 'Z'),
    updated_at: i.updated_at.replace(/\.\d+Z$/, 'Z'),
    self: `/v2/images/${i.id}`,
    file: `/v2/images/${i.id}/file`,
    schema: '/v2/schemas/image',
    ...JSON.parse(i.properties),
  };
}

// Glance answers errors as webob plain text pages.
function glanceError(reply: FastifyReply, status: number, title: string, detail: string) {
  reply.code(status).type('text/plain; charset=UTF-8').send(`${status} ${title}\n\n${detail}\n\n   `);
}

export async function imageFake(app: FastifyInstance, opts: { services: Services }) {
  const s = opts.services;
  const versions = (req: FastifyRequest) => ({
    versions: ['2.15', '2.14', '2.13', '2.12', '2.11', '2.10', '2.9'].map((v, i) => ({
      id: `v${v}`,
      status: i === 0 ? 'CURRENT' : 'SUPPORTED',
      links: [{ rel: 'self', href: `${requestBase(req)}/image/v2/` }],
    })),
  });
  app.setNotFoundHandler((_req, reply) => glanceError(reply, 404, 'Not Found', 'The resource could not be found.'));
  app.setErrorHandler((err: Error & { statusCode?: number }, _req, reply) => {
    const status = err.statusCode && err.statusCode < 500 ? err.statusCode : 400;
    const titles: Record<number, string> = { 400: 'Bad Request', 413: 'Request Entity Too Large', 415: 'Unsupported Media Type' };
    glanceError(reply, status, titles[status] ?? 'Bad Request', status === 415 ? 'The request has an unsupported media type.' : 'The request could not be understood.');
  });
  app.get('/', async (req, reply) => reply.code(300).send(versions(req)));
  app.get('/versions', async (req) => versions(req));

  await app.register(
    async (v2) => {
      v2.addHook('onRequest', authenticate(s));
      v2.setNotFoundHandler((_req, reply) => glanceError(reply, 404, 'Not Found', 'The resource could not be found.'));
      const visible = (i: ImageRow, req: FastifyRequest) => i.visibility === 'public' || i.owner === req.ctx.projectId || req.ctx.isAdmin;

      v2.get('/images', async (req, reply) => {
        const q = req.query as Record<string, string | undefined>;
        let images = s.catalog.images().filter((i) => visible(i, req));
        if (q.name !== undefined) images = images.filter((i) => i.name === q.name);
        if (q.status !== undefined) images = images.filter((i) => i.status === q.status);
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
        const img = UUID_RE.test(id) ? s.catalog.image(id) : null;
        if (!img || !visible(img, req)) return glanceError(reply, 404, 'Not Found', `No image found with ID ${id}`);
        return imageView(img);
      });
    },
    { prefix: '/v2' },
  );
}

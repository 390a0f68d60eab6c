// The deprecated images proxy, 2.1–2.35 (nova/api/openstack/compute/images.py; its read-only
// image_metadata.py GETs up to 2.38; metadata writes need Glance PATCH, not served): answered from the
// image service over HTTP through compute/glance-client.ts. Beyond MAX_PROXY_API_SUPPORT_VERSION
// (2.35) the methods do not exist: a bare 404.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { GlanceClient } from '../../compute/glance-client.js';
import { requestBase } from '../../identity/catalog.js';
import { mapErrors } from '../compute-errors.js';
import { NovaError } from '../errors.js';
import type { ApiDeps } from '../plugin.js';
import { type Query, lastValue } from '../query.js';
import { basicImage, imageDetail, type ImageViewOpts } from '../views/images.js';

const MAX_PROXY_API_SUPPORT_VERSION = '2.35';
/** image_metadata.py is served up to 2.38. */
const MAX_IMAGE_METADATA_VERSION = '2.38';
const MAX_LIMIT = 1000;

export async function imageProxyRoutes(app: FastifyInstance, opts: { deps: ApiDeps }) {
  const glance = new GlanceClient(opts.deps.services);
  const proxyOnly = (req: FastifyRequest) => {
    if (!req.apiVersion.matches('2.1', MAX_PROXY_API_SUPPORT_VERSION)) throw new NovaError(404, 'The resource could not be found.');
  };
  const viewOpts = async (req: FastifyRequest): Promise<ImageViewOpts> => ({ base: `${requestBase(req)}/compute/v2.1`, glance: `${requestBase(req)}/image` });

  async function list(req: FastifyRequest, detail: boolean) {
    proxyOnly(req);
    const q = req.query as Query;
    const one = (k: string) => lastValue(q, k);
    // common.get_pagination_params: limit must be a non-negative integer.
    const rawLimit = one('limit');
    if (rawLimit !== undefined && !/^[0-9]+$/.test(rawLimit)) throw new NovaError(400, `Invalid input for query parameters limit. Value: ${rawLimit}. '${rawLimit}' does not match '^[0-9]*$'`);
    const limit = rawLimit === undefined ? undefined : Math.min(Number(rawLimit), MAX_LIMIT);
    const status = one('status');
    const images = await mapErrors(
      () => glance.list(req.ctx, { name: one('name'), status: status?.toLowerCase(), marker: one('marker'), limit }),
      { Invalid: 400 },
    );
    const o = await viewOpts(req);
    const body: Record<string, unknown> = { images: images.map((i) => (detail ? imageDetail(i, o) : basicImage(i, o))) };
    const maxItems = Math.min(limit ?? MAX_LIMIT, MAX_LIMIT);
    if (maxItems && images.length === maxItems) {
      const params = new URLSearchParams();
      for (const k of Object.keys(q)) if (k !== 'marker') params.set(k, one(k) as string);
      params.set('marker', images[images.length - 1].id);
      body.images_links = [{ rel: 'next', href: `${o.base}/images${detail ? '/detail' : ''}?${params.toString()}` }];
    }
    return body;
  }

  app.get('/images', async (req) => list(req, false));
  app.get('/images/detail', async (req) => list(req, true));

  app.get('/images/:id', async (req) => {
    proxyOnly(req);
    const { id } = req.params as { id: string };
    try {
      const image = await glance.show(req.ctx, id);
      return { image: imageDetail(image, await viewOpts(req)) };
    } catch (e) {
      if ((e as { pyClass?: string }).pyClass === 'ImageNotFound' || (e as { pyClass?: string }).pyClass === 'ImageBadRequest') throw new NovaError(404, 'Image not found.');
      throw e;
    }
  });

  /** ImageMetadataController._get_image: the image's properties, Nova's 403/404 texts. */
  const imageProperties = async (req: FastifyRequest) => {
    if (!req.apiVersion.matches('2.1', MAX_IMAGE_METADATA_VERSION)) throw new NovaError(404, 'The resource could not be found.');
    const { id } = req.params as { id: string };
    try {
      return (await glance.show(req.ctx, id)).properties;
    } catch (e) {
      const cls = (e as { pyClass?: string }).pyClass;
      if (cls === 'ImageNotAuthorized') throw new NovaError(403, (e as Error).message);
      if (cls === 'ImageNotFound' || cls === 'ImageBadRequest') throw new NovaError(404, 'Image not found.');
      throw e;
    }
  };

  app.get('/images/:id/metadata', async (req) => ({ metadata: await imageProperties(req) }));

  app.get('/images/:id/metadata/:key', async (req) => {
    const props = await imageProperties(req);
    const { key } = req.params as { key: string };
    if (!Object.hasOwn(props, key)) throw new NovaError(404, 'The resource could not be found.');
    return { meta: { [key]: props[key] } };
  });

  app.delete('/images/:id', async (req, reply) => {
    proxyOnly(req);
    const { id } = req.params as { id: string };
    try {
      await glance.delete(req.ctx, id);
    } catch (e) {
      const cls = (e as { pyClass?: string }).pyClass;
      if (cls === 'ImageNotFound') throw new NovaError(404, 'Image not found.');
      if (cls === 'ImageNotAuthorized') throw new NovaError(403, 'You are not allowed to delete the image.');
      throw e;
    }
    return reply.code(204).send();
  });
}

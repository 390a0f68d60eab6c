// Nova's nova/image/glance.py API (GlanceImageServiceV2) over HTTP to the image service, as
// python-glanceclient does it: list follows `next` links (the total capped by `limit`), show, delete;
// Glance errors become ImageNotFound / ImageNotAuthorized / Invalid, and images are translated
// with _extract_attributes_v2 (non-base attributes go into `properties`).
import type { RequestContext } from '../domain.js';
import { exchange, keepAliveAgents } from '../http-transport.js';
import type { Services } from '../services.js';
import { ComputeException } from './exceptions.js';

/** The image as Nova's API layer sees it (glance._translate_from_glance). */
export interface NovaImage {
  id: string;
  name: string | null;
  status: string;
  is_public: boolean;
  owner: string | null;
  size: number;
  min_ram: number;
  min_disk: number;
  disk_format: string | null;
  container_format: string | null;
  checksum: string | null;
  created_at: string | null;
  updated_at: string | null;
  properties: Record<string, unknown>;
}

export interface ImageListParams {
  name?: string;
  status?: string;
  limit?: number;
  marker?: string;
}

/** Glance v2 image schema base properties (glanceclient schemas.Schema.is_base_property). */
const BASE = new Set([
  'id', 'name', 'status', 'visibility', 'protected', 'os_hidden', 'checksum', 'os_hash_algo', 'os_hash_value', 'owner', 'size',
  'virtual_size', 'min_ram', 'min_disk', 'disk_format', 'container_format', 'tags', 'created_at', 'updated_at', 'self', 'file',
  'schema', 'direct_url', 'locations', 'stores',
]);

const agents = keepAliveAgents();

function translate(img: Record<string, unknown>): NovaImage {
  const properties: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(img)) if (!BASE.has(k)) properties[k] = v;
  return {
    id: String(img.id), name: (img.name as string | null) ?? null, status: String(img.status ?? ''), is_public: img.visibility === 'public',
    owner: (img.owner as string | null) ?? null, size: (img.size as number | null) ?? 0, min_ram: Number(img.min_ram ?? 0), min_disk: Number(img.min_disk ?? 0),
    disk_format: (img.disk_format as string | null) ?? null, container_format: (img.container_format as string | null) ?? null,
    checksum: (img.checksum as string | null) ?? null, created_at: (img.created_at as string | null) ?? null, updated_at: (img.updated_at as string | null) ?? null,
    properties,
  };
}

const nova = (pyClass: string, message: string, code: number) => new ComputeException(pyClass, message, { novaException: true, code });

export class GlanceClient {
  constructor(private readonly services: Services) {}

  /** The image endpoint (what generate_glance_url gives): this simulator's /image unless configured. */
  async endpoint(): Promise<string> {
    return `${await this.services.baseUrl()}/image`;
  }

  private async call(ctx: RequestContext, method: string, path: string, send?: { type: string; body: string }): Promise<{ status: number; body: unknown }> {
    const res = await exchange({
      method,
      url: `${await this.endpoint()}${path}`,
      headers: {
        accept: 'application/json', 'user-agent': 'python-glanceclient', 'x-auth-token': ctx.authToken, 'x-openstack-request-id': ctx.requestId,
        ...(send ? { 'content-type': send.type } : {}),
      },
      ...(send ? { body: send.body } : {}),
      timeoutMs: 60_000,
      agents,
    });
    let body: unknown = null;
    try {
      body = res.text ? JSON.parse(res.text) : null;
    } catch {
      body = res.text;
    }
    return { status: res.status, body };
  }

  /** _translate_image_exception for one image. */
  private imageError(status: number, imageId: string): Error {
    if (status === 404) return nova('ImageNotFound', `Image ${imageId} could not be found.`, 404);
    if (status === 401 || status === 403) return nova('ImageNotAuthorized', `Not authorized for image ${imageId}.`, 403);
    return nova('ImageBadRequest', `Request of image ${imageId} got BadRequest response: ${status}`, 400);
  }

  async show(ctx: RequestContext, id: string): Promise<NovaImage> {
    const r = await this.call(ctx, 'GET', `/v2/images/${encodeURIComponent(id)}`);
    if (r.status !== 200) throw this.imageError(r.status, id);
    return translate(r.body as Record<string, unknown>);
  }

  /**
   * GlanceImageServiceV2.create without data (_create_v2): the base attributes and the properties
   * flattened into one body; a `shared` image gets the instance owner as a member (_add_image_member).
   */
  async createWithProperties(ctx: RequestContext, meta: { name: string; visibility: string; min_ram?: number; min_disk?: number; disk_format?: string; container_format?: string; properties: Record<string, string> }): Promise<NovaImage> {
    const { properties, ...base } = meta;
    const body: Record<string, unknown> = { ...properties, ...base };
    const r = await this.call(ctx, 'POST', '/v2/images', { body: JSON.stringify(body), type: 'application/json' });
    if (r.status !== 201) {
      const text = typeof r.body === 'string' ? r.body.split('\n\n')[1]?.trim() : '';
      if (r.status === 403) throw nova('Forbidden', text || 'Forbidden', 403);
      throw nova('Invalid', text || 'Unacceptable parameters.', 400);
    }
    const image = translate(r.body as Record<string, unknown>);
    const owner = properties.instance_owner;
    if (meta.visibility === 'shared' && owner) {
      await this.call(ctx, 'POST', `/v2/images/${encodeURIComponent(image.id)}/members`, { body: JSON.stringify({ member: owner }), type: 'application/json' });
    }
    return image;
  }

  async delete(ctx: RequestContext, id: string): Promise<void> {
    const r = await this.call(ctx, 'DELETE', `/v2/images/${encodeURIComponent(id)}`);
    if (r.status !== 204 && r.status !== 200) throw this.imageError(r.status, id);
  }

  /** detail(): every page (glanceclient follows `next`), at most `limit` images in total. */
  async list(ctx: RequestContext, p: ImageListParams): Promise<NovaImage[]> {
    const q = new URLSearchParams();
    if (p.name !== undefined) q.set('name', p.name);
    if (p.status !== undefined) q.set('status', p.status);
    if (p.marker !== undefined) q.set('marker', p.marker);
    if (p.limit !== undefined) q.set('limit', String(p.limit));
    let path: string | null = `/v2/images${q.size ? `?${q.toString()}` : ''}`;
    const out: NovaImage[] = [];
    while (path) {
      const r = await this.call(ctx, 'GET', path);
      if (r.status !== 200) {
        // Glance's 400 (bad marker, bad limit) reaches the API as exception.Invalid.
        const text = typeof r.body === 'string' ? r.body.split('\n\n')[1]?.trim() : '';
        throw nova('Invalid', text || 'Unacceptable parameters.', 400);
      }
      const b = r.body as { images: Record<string, unknown>[]; next?: string };
      for (const img of b.images) {
        out.push(translate(img));
        if (p.limit !== undefined && out.length >= p.limit) return out;
      }
      path = b.next ?? null;
    }
    return out;
  }

  /** GlanceImageServiceV2.create without data: POST /v2/images (a `queued` image). */
  async create(ctx: RequestContext, meta: Record<string, unknown>): Promise<NovaImage> {
    const r = await this.call(ctx, 'POST', '/v2/images', { type: 'application/json', body: JSON.stringify(meta) });
    if (r.status !== 201) {
      const text = typeof r.body === 'string' ? r.body.split('\n\n')[1]?.trim() : '';
      if (r.status === 401 || r.status === 403) throw nova('ImageNotAuthorized', `Not authorized for image ${String(meta.id ?? '')}.`, 403);
      throw nova('Invalid', text || 'Unacceptable parameters.', 400);
    }
    return translate(r.body as Record<string, unknown>);
  }

  /** GlanceImageServiceV2.update with data (_upload_data): PATCH disk/container formats, then PUT /file. */
  async upload(ctx: RequestContext, id: string, formats: { disk_format: string; container_format: string }, data: string): Promise<void> {
    const ops = Object.entries(formats).map(([k, v]) => ({ op: 'replace', path: `/${k}`, value: v }));
    const p = await this.call(ctx, 'PATCH', `/v2/images/${encodeURIComponent(id)}`, { type: 'application/openstack-images-v2.1-json-patch', body: JSON.stringify(ops) });
    if (p.status !== 200) throw this.imageError(p.status, id);
    const r = await this.call(ctx, 'PUT', `/v2/images/${encodeURIComponent(id)}/file`, { type: 'application/octet-stream', body: data });
    if (r.status !== 204) throw this.imageError(r.status, id);
  }
}

// Glance v2 writes (glance/api/v2/{images,image_data,image_tags,image_members,discovery}.py): create,
// upload/download, JSON-patch update, delete, tags and members. Rows live in the shared `images` table, so
// an uploaded image is bootable by the compute side as soon as it is `active`.
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../services.js';
import { ImageAccess } from './access.js';
import { GlanceError } from './errors.js';
import { BASE, checkCreateBody, IMAGE_ATTRS, parseChanges, PATCH_TYPES, type Change } from './schemas.js';
import { ImageStore, type ImageRec } from './store.js';
import { imageView, memberView } from './views.js';

/** Image data is kept in SQLite; this bounds one upload (Glance's image_size_cap defaults to 1 TiB). */
export const IMAGE_UPLOAD_LIMIT = 512 * 1024 * 1024;
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MEMBER_STATUSES = ['pending', 'accepted', 'rejected'];

export async function imageWrites(app: FastifyInstance, opts: { services: Services }) {
  const s = opts.services;
  const store = new ImageStore(s.db);
  const access = new ImageAccess(store);
  const now = () => s.runtime.now().toISOString();

  app.addContentTypeParser('application/octet-stream', { parseAs: 'buffer', bodyLimit: IMAGE_UPLOAD_LIMIT }, (_req, body, done) => done(null, body));
  app.addContentTypeParser(Object.keys(PATCH_TYPES), { parseAs: 'string' }, (_req, body, done) => {
    try {
      done(null, JSON.parse(body as string));
    } catch {
      done(Object.assign(new Error('Malformed JSON in request body.'), { statusCode: 400, glance: true }), undefined);
    }
  });

  const imageId = (req: FastifyRequest) => (req.params as { id: string }).id;
  /** JSONRequestDeserializer: the body is JSON whatever its Content-Type; an empty one is no body. */
  const jsonBody = (req: FastifyRequest): unknown => {
    if (!Buffer.isBuffer(req.body)) return req.body;
    if (req.body.length === 0) return undefined;
    try {
      return JSON.parse(req.body.toString('utf8'));
    } catch {
      throw new GlanceError(400, 'Malformed JSON in request body.');
    }
  };
  const lookup = (req: FastifyRequest) => {
    const id = imageId(req);
    if (!UUID_RE.test(id)) throw new GlanceError(404, `No image found with ID ${id}`);
    return access.get(id, req.ctx);
  };

  // POST /v2/images: a `queued` record, no data yet (ImageFactory.new_image defaults: visibility shared).
  app.post('/images', async (req, reply) => {
    const body = checkCreateBody(jsonBody(req));
    const ctx = req.ctx;
    if (!ctx.roles.includes('member') && !ctx.isAdmin) throw new GlanceError(403, 'You are not authorized to complete add_image action.');
    access.enforceVisibility(body.visibility, ctx);
    if ('owner' in body && body.owner !== ctx.projectId && !ctx.isAdmin) throw new GlanceError(403, "You are not permitted to create images owned by '" + String(body.owner) + "'.");
    const id = (body.id as string | undefined)?.toLowerCase() ?? s.runtime.uuid();
    const properties = Object.fromEntries(Object.entries(body).filter(([k]) => !BASE.includes(k)));
    const t = now();
    const img = s.db.transaction(() => {
      if (store.get(id)) throw new GlanceError(409, `Image ID ${id} already exists!`);
      store.insert({
        id, name: (body.name as string | null | undefined) ?? '', status: 'queued', visibility: (body.visibility as string | undefined) ?? 'shared',
        owner: 'owner' in body ? (body.owner as string | null) : ctx.projectId, disk_format: (body.disk_format as string | null | undefined) ?? '',
        container_format: (body.container_format as string | null | undefined) ?? '', size: 0, min_disk: (body.min_disk as number | undefined) ?? 0,
        min_ram: (body.min_ram as number | undefined) ?? 0, checksum: null, properties: JSON.stringify(properties),
        protected: body.protected === true ? 1 : 0, os_hidden: body.os_hidden === true ? 1 : 0, tags: JSON.stringify([...new Set((body.tags as string[] | undefined) ?? [])]),
        created_at: t, updated_at: t,
      });
      return store.get(id)!;
    })();
    reply.code(201).header('location', `/v2/images/${id}`);
    return imageView(img);
  });

  // PUT /v2/images/{id}/file: queued → saving → active with size, checksum (md5), os_hash_algo/value (sha512).
  app.put('/images/:id/file', async (req, reply) => {
    const ct = String(req.headers['content-type'] ?? '').split(';')[0].trim();
    if (ct !== 'application/octet-stream') throw new GlanceError(415, 'Unsupported Content-Type');
    const img = lookup(req);
    if (!access.isOwnerMember(img, req.ctx)) throw new GlanceError(403, `Not allowed to upload image data for image ${img.id}`);
    const data = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    s.db.transaction(() => {
      const cur = store.get(img.id)!;
      if (cur.status !== 'queued') throw new GlanceError(409, `Image status transition from ${cur.status} to saving is not allowed`);
      const missing = (['disk_format', 'container_format'] as const).filter((k) => cur[k] === '');
      if (missing.length) throw new GlanceError(400, `${missing.length === 1 ? 'Property' : 'Properties'} ${missing.join(', ')} must be set prior to saving data.`);
      store.update(img.id, { status: 'saving', updated_at: now() });
      store.putData(img.id, data);
      store.update(img.id, {
        status: 'active', size: data.length, checksum: createHash('md5').update(data).digest('hex'), os_hash_algo: 'sha512',
        os_hash_value: createHash('sha512').update(data).digest('hex'), updated_at: now(),
      });
    })();
    return reply.code(204).send();
  });

  // GET /v2/images/{id}/file: the bytes with Content-MD5, or 204 when the image has no data.
  app.get('/images/:id/file', async (req, reply) => {
    const img = lookup(req);
    if (img.status === 'deactivated' && !req.ctx.isAdmin) throw new GlanceError(403, 'The requested image has been deactivated. Image data download is forbidden.');
    const data = store.data(img.id);
    if (!data) return reply.code(204).send();
    reply.header('content-md5', img.checksum ?? '').header('content-length', String(data.length)).type('application/octet-stream');
    return reply.send(data);
  });

  // PATCH /v2/images/{id} (ImagesController.update: _do_add/_do_replace/_do_remove).
  app.patch('/images/:id', async (req, reply) => {
    const ct = String(req.headers['content-type'] ?? '').split(';')[0].trim();
    const draft = PATCH_TYPES[ct];
    if (!draft) {
      const allowed = Object.keys(PATCH_TYPES).sort().join(', ');
      throw new GlanceError(415, `Image PATCH expects Content-Type one of: ${allowed}`, { 'accept-patch': allowed });
    }
    if (req.body === undefined) throw new GlanceError(400, 'Body expected in request.');
    const changes = parseChanges(req.body, draft);
    const img = lookup(req);
    const ctx = req.ctx;
    const updated = s.db.transaction(() => {
      const cur = store.get(img.id)!;
      const row: Record<string, unknown> = {};
      const props = JSON.parse(cur.properties) as Record<string, string>;
      for (const c of changes) applyChange(c, cur, row, props, draft);
      row.properties = JSON.stringify(props);
      row.updated_at = now();
      store.update(img.id, row);
      return store.get(img.id)!;
    })();
    reply.type('application/json');
    return imageView(updated);

    function applyChange(c: Change, cur: ImageRec, row: Record<string, unknown>, props: Record<string, string>, draftVersion: 4 | 10) {
      const root = c.path[0];
      access.enforce('modify_image', cur, ctx);
      if (root === 'locations') throw new GlanceError(403, "It's not allowed to update locations if locations are invisible.");
      const isAttr = IMAGE_ATTRS.includes(root);
      if (c.op === 'remove') {
        if (isAttr) throw new GlanceError(403, `Property ${root} may not be removed.`);
        if (!(root in props)) throw new GlanceError(409, `Property ${root} does not exist.`);
        delete props[root];
        return;
      }
      if (root === 'visibility') access.enforceVisibility(c.value, ctx);
      if (c.op === 'replace' && root === 'owner' && !ctx.isAdmin) throw new GlanceError(403, "Owner can't be updated by non admin.");
      if (c.op === 'replace' && !isAttr && !(root in props)) throw new GlanceError(409, `Property ${root} does not exist.`);
      if (c.op === 'add' && draftVersion === 4 && (isAttr || root in props)) throw new GlanceError(409, `Property ${root} already present.`);
      if (!isAttr) {
        props[root] = c.value as string;
        return;
      }
      const status = (row.status as string | undefined) ?? cur.status;
      switch (root) {
        case 'disk_format':
        case 'container_format':
          if (!['queued', 'importing'].includes(status)) throw new GlanceError(403, `Attribute ${root} can be only replaced for a queued image.`);
          row[root] = c.value ?? '';
          break;
        case 'name':
          row.name = c.value ?? '';
          break;
        case 'protected':
        case 'os_hidden':
          row[root] = c.value ? 1 : 0;
          break;
        case 'tags':
          row.tags = JSON.stringify([...new Set(c.value as string[])]);
          break;
        default:
          row[root] = c.value;
      }
    }
  });

  // DELETE /v2/images/{id}: protected images are refused (ProtectedImageDelete).
  app.delete('/images/:id', async (req, reply) => {
    const id = imageId(req);
    const img = UUID_RE.test(id) ? store.get(id) : undefined;
    if (!img || !access.canSee(img, req.ctx)) throw new GlanceError(404, `Failed to find image ${id} to delete`);
    access.enforce('delete_image', img, req.ctx);
    if (img.protected) throw new GlanceError(403, `Image ${id} is protected and cannot be deleted.`);
    s.db.transaction(() => store.delete(id))();
    return reply.code(204).send();
  });

  // Tags: PUT/DELETE /v2/images/{id}/tags/{tag} (glance/api/v2/image_tags.py).
  const tagged = (req: FastifyRequest, verb: 'update' | 'delete') => {
    const id = imageId(req);
    const img = UUID_RE.test(id) ? store.get(id) : undefined;
    if (!img || !access.canSee(img, req.ctx)) throw new GlanceError(404, `Image ${id} not found.`);
    if (!access.isOwnerMember(img, req.ctx)) throw new GlanceError(403, `Not allowed to ${verb} tags for image ${id}.`);
    return img;
  };
  app.put('/images/:id/tags/:tag', async (req, reply) => {
    const { tag } = req.params as { tag: string };
    const img = tagged(req, 'update');
    if (tag.length > 255) throw new GlanceError(400, `Could not update image: Provided object does not match schema 'image': ${JSON.stringify(tag).replace(/"/g, "'")} is too long`);
    s.db.transaction(() => {
      const tags = new Set(JSON.parse(store.get(img.id)!.tags) as string[]);
      tags.add(tag);
      store.update(img.id, { tags: JSON.stringify([...tags]), updated_at: now() });
    })();
    return reply.code(204).send();
  });
  app.delete('/images/:id/tags/:tag', async (req, reply) => {
    const { tag } = req.params as { tag: string };
    const img = tagged(req, 'delete');
    const tags = JSON.parse(img.tags) as string[];
    if (!tags.includes(tag)) throw new GlanceError(404, 'The resource could not be found.');
    s.db.transaction(() => store.update(img.id, { tags: JSON.stringify(tags.filter((t) => t !== tag)), updated_at: now() }))();
    return reply.code(204).send();
  });

  // Members (glance/api/v2/image_members.py): only `shared` images have them; the owner adds and removes,
  // the member project accepts or rejects.
  const memberImage = (req: FastifyRequest) => {
    const id = imageId(req);
    const img = UUID_RE.test(id) ? store.get(id) : undefined;
    if (!img || !access.canSee(img, req.ctx)) throw new GlanceError(404, `Image ${id} not found.`);
    if (img.visibility !== 'shared') throw new GlanceError(403, 'Only shared images have members.');
    return img;
  };
  const bodyObject = (req: FastifyRequest) => {
    const body = jsonBody(req);
    if (body === undefined || body === null) throw new GlanceError(400, 'Body expected in request.');
    return body;
  };
  app.post('/images/:id/members', async (req) => {
    const body = bodyObject(req);
    let member: unknown;
    if (typeof body !== 'object' || Array.isArray(body)) throw new GlanceError(400, 'Expected a member in the form: {"member": "image_id"}');
    if (!('member' in body)) throw new GlanceError(400, 'Member to be added not specified');
    member = (body as { member: unknown }).member;
    if (!member) throw new GlanceError(400, "Member can't be empty");
    if (typeof member !== 'string') throw new GlanceError(400, 'Expected a member in the form: {"member": "image_id"}');
    const img = memberImage(req);
    if (!access.isOwnerMember(img, req.ctx)) throw new GlanceError(403, `Not allowed to create members for image ${img.id}.`);
    const t = now();
    const m = s.db.transaction(() => {
      if (store.member(img.id, member as string)) throw new GlanceError(409, `Member ${member as string} is duplicated for image ${img.id}`);
      store.addMember({ image_id: img.id, member: member as string, status: 'pending', created_at: t, updated_at: t });
      return store.member(img.id, member as string)!;
    })();
    return memberView(m);
  });
  app.get('/images/:id/members', async (req) => {
    const img = memberImage(req);
    // The owner sees every member; a member project sees only its own membership.
    const all = store.members(img.id);
    const seen = access.isOwnerMember(img, req.ctx) || req.ctx.isAdmin ? all : all.filter((m) => m.member === req.ctx.projectId);
    return { members: seen.map(memberView), schema: '/v2/schemas/members' };
  });
  const oneMember = (req: FastifyRequest, img: ImageRec) => {
    const { member } = req.params as { member: string };
    const m = store.member(img.id, member);
    const mayLook = access.isOwnerMember(img, req.ctx) || req.ctx.isAdmin || member === req.ctx.projectId;
    if (!m || !mayLook) throw new GlanceError(404, `${member} not found in the member list of the image ${img.id}.`);
    return m;
  };
  app.get('/images/:id/members/:member', async (req) => memberView(oneMember(req, memberImage(req))));
  app.put('/images/:id/members/:member', async (req) => {
    const body = bodyObject(req);
    if (typeof body !== 'object' || Array.isArray(body)) throw new GlanceError(400, 'Expected a status in the form: {"status": "status"}');
    if (!('status' in body)) throw new GlanceError(400, 'Status not specified');
    const status = (body as { status: unknown }).status;
    const img = memberImage(req);
    const m = oneMember(req, img);
    // modify_member: ADMIN_OR_SHARED_MEMBER, i.e. the member project itself.
    if (!req.ctx.isAdmin && m.member !== req.ctx.projectId) throw new GlanceError(403, `Not allowed to update members for image ${img.id}.`);
    if (typeof status !== 'string' || !MEMBER_STATUSES.includes(status)) throw new GlanceError(400, 'Incorrect request: Status must be "pending", "accepted" or "rejected".');
    const t = now();
    s.db.transaction(() => store.setMemberStatus(img.id, m.member, status, t))();
    return memberView(store.member(img.id, m.member)!);
  });
  app.delete('/images/:id/members/:member', async (req, reply: FastifyReply) => {
    const img = memberImage(req);
    const m = oneMember(req, img);
    if (!access.isOwnerMember(img, req.ctx)) throw new GlanceError(403, `You cannot delete image member.`);
    s.db.transaction(() => store.deleteMember(img.id, m.member))();
    return reply.code(204).send();
  });

  // Discovery (glance/api/v2/discovery.py): interoperable import is not offered, single store.
  app.get('/info/import', async () => ({
    'import-methods': { description: 'Import methods available.', type: 'array', value: [] },
  }));
  app.get('/info/stores', async () => {
    throw new GlanceError(404, 'Multi backend is not supported at this site.');
  });
}

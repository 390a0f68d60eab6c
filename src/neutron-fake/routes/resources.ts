// The v2.0 collections: list/show/create/update/delete for networks, subnets, ports, security groups
// and rules, floating IPs and routers (neutron/api/v2/base.py Controller), plus router interfaces,
// tags (standard-attr-tag), extensions and quotas.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { NeutronBackend, NeutronCtx } from '../backend.js';
import { NeutronError, webobError } from '../errors.js';
import { extensions } from '../extensions.js';
import * as S from '../schemas.js';
import type { Collection, Doc } from '../store.js';
import { filterDocs, page, pickFields, type Query, sortDocs } from '../views.js';

interface Kind {
  collection: Collection;
  /** URL segment (security-groups) and body key (security_group). */
  path: string;
  resource: string;
  attrs: Record<string, S.Attr>;
  extra: string[];
  create: (b: NeutronBackend, ctx: NeutronCtx, body: unknown) => Doc;
  update: (b: NeutronBackend, ctx: NeutronCtx, id: string, body: unknown) => Doc;
  remove: (b: NeutronBackend, ctx: NeutronCtx, id: string) => void;
}

const STD = ['id', 'tenant_id', 'project_id', 'created_at', 'updated_at', 'revision_number', 'description'];

export const KINDS: Kind[] = [
  {
    collection: 'networks', path: 'networks', resource: 'network', attrs: S.NETWORK,
    extra: ['status', 'subnets', 'availability_zones', 'ipv4_address_scope', 'ipv6_address_scope', 'l2_adjacency', 'is_default'],
    create: (b, c, body) => b.createNetwork(c, body), update: (b, c, id, body) => b.updateNetwork(c, id, body), remove: (b, c, id) => b.deleteNetwork(c, id),
  },
  {
    collection: 'subnets', path: 'subnets', resource: 'subnet', attrs: S.SUBNET, extra: [],
    create: (b, c, body) => b.createSubnet(c, body), update: (b, c, id, body) => b.updateSubnet(c, id, body), remove: (b, c, id) => b.deleteSubnet(c, id),
  },
  {
    collection: 'ports', path: 'ports', resource: 'port', attrs: S.PORT, extra: ['status', 'mac_address', 'binding:vif_type', 'ip_allocation'],
    create: (b, c, body) => b.createPort(c, body), update: (b, c, id, body) => b.updatePort(c, id, body), remove: (b, c, id) => b.deletePort(c, id),
  },
  {
    collection: 'security_groups', path: 'security-groups', resource: 'security_group', attrs: S.SECURITY_GROUP, extra: ['shared'],
    create: (b, c, body) => b.createSecurityGroup(c, body), update: (b, c, id, body) => b.updateSecurityGroup(c, id, body), remove: (b, c, id) => b.deleteSecurityGroup(c, id),
  },
  {
    collection: 'security_group_rules', path: 'security-group-rules', resource: 'security_group_rule', attrs: S.SECURITY_GROUP_RULE, extra: ['belongs_to_default_sg', 'normalized_cidr'],
    create: (b, c, body) => b.createSecurityGroupRule(c, body),
    update: () => { throw webobError(405); },
    remove: (b, c, id) => b.deleteSecurityGroupRule(c, id),
  },
  {
    collection: 'floatingips', path: 'floatingips', resource: 'floatingip', attrs: S.FLOATINGIP, extra: ['status', 'router_id'],
    create: (b, c, body) => b.createFloatingIp(c, body), update: (b, c, id, body) => b.updateFloatingIp(c, id, body), remove: (b, c, id) => b.deleteFloatingIp(c, id),
  },
  {
    collection: 'routers', path: 'routers', resource: 'router', attrs: S.ROUTER, extra: ['status'],
    create: (b, c, body) => b.createRouter(c, body), update: (b, c, id, body) => b.updateRouter(c, id, body), remove: (b, c, id) => b.deleteRouter(c, id),
  },
];

/** neutronclient appends ".json" to paths; neutron's router strips the format suffix. */
const strip = (s: string) => (s.endsWith('.json') ? s.slice(0, -5) : s);

export interface RouteDeps {
  backend: NeutronBackend;
  ctx: (req: FastifyRequest) => NeutronCtx;
  body: (req: FastifyRequest) => unknown;
  fault: (req: FastifyRequest, operation: string, deviceId?: string | null) => Promise<void>;
  base: (req: FastifyRequest) => string;
}

export async function resourceRoutes(app: FastifyInstance, opts: { deps: RouteDeps }) {
  const { backend, ctx, body, fault, base } = opts.deps;

  app.get('/extensions', async () => ({ extensions: extensions() }));
  app.get('/extensions/:alias', async (req) => {
    const alias = strip((req.params as { alias: string }).alias);
    const e = extensions().find((x) => x.alias === alias);
    if (!e) throw new NeutronError(404, 'HTTPNotFound', `Extension with alias ${alias} does not exist`);
    return { extension: e };
  });
  app.get('/extensions.json', async () => ({ extensions: extensions() }));

  // Quotas (neutron's defaults): openstack quota show asks the network service too.
  const QUOTA = { network: 100, subnet: 100, port: 500, router: 10, floatingip: 50, security_group: 10, security_group_rule: 100, rbac_policy: 10, subnetpool: -1 };
  app.get('/quotas/:project', async (req) => {
    const p = strip((req.params as { project: string }).project);
    if (p === 'tenant' || p === 'project') return { tenant: { tenant_id: ctx(req).projectId, project_id: ctx(req).projectId } };
    return { quota: { ...QUOTA } };
  });
  app.get('/quotas/:project/details', async (req) => {
    const project = strip((req.params as { project: string }).project);
    const admin = { ...ctx(req), isAdmin: true };
    const used = (c: Collection) => backend.list(admin, c).filter((d) => d.project_id === project).length;
    const count: Record<string, number> = {
      network: used('networks'), subnet: used('subnets'), port: used('ports'), router: used('routers'), floatingip: used('floatingips'),
      security_group: used('security_groups'), security_group_rule: used('security_group_rules'), rbac_policy: 0, subnetpool: 0,
    };
    return { quota: Object.fromEntries(Object.entries(QUOTA).map(([k, limit]) => [k, { used: count[k], limit, reserved: 0 }])) };
  });

  for (const k of KINDS) {
    const valid = new Set([...Object.keys(k.attrs), ...STD, ...k.extra, 'name']);
    const coll = k.collection;

    const list = async (req: FastifyRequest) => {
      const q = req.query as Query;
      await fault(req, `list_${coll}`, k.collection === 'ports' ? ((q.device_id as string | undefined) ?? null) : null);
      let docs = filterDocs(backend.list(ctx(req), coll), q, valid);
      docs = sortDocs(docs, q, valid);
      const { items, next } = page(docs, q);
      const out: Record<string, unknown> = { [k.path.replaceAll('-', '_')]: items.map((d) => pickFields(d, q)) };
      if (next) {
        const params = new URLSearchParams();
        for (const [key, v] of Object.entries(q)) if (key !== 'marker') for (const x of Array.isArray(v) ? v : [v ?? '']) params.append(key, x);
        params.set('marker', next);
        out[`${k.path.replaceAll('-', '_')}_links`] = [{ rel: 'next', href: `${base(req)}/${k.path}?${params.toString()}` }];
      }
      return out;
    };
    app.get(`/${k.path}`, list);
    app.get(`/${k.path}.json`, list);

    app.get(`/${k.path}/:id`, async (req) => {
      const id = strip((req.params as { id: string }).id);
      await fault(req, `get_${k.resource}`);
      return { [k.resource]: pickFields(backend.get(ctx(req), coll, id), req.query as Query) };
    });

    app.post(`/${k.path}`, async (req, reply: FastifyReply) => {
      const b = body(req);
      const device = k.collection === 'ports' ? ((b as { port?: { device_id?: string } } | null)?.port?.device_id ?? null) : null;
      await fault(req, `create_${k.resource}`, typeof device === 'string' ? device : null);
      // security-group-rules accept a bulk body (OSC's rule create sends one rule; the SDK may send several).
      if (k.collection === 'security_group_rules' && b && typeof b === 'object' && Array.isArray((b as Record<string, unknown>).security_group_rules)) {
        const rules = (b as { security_group_rules: unknown[] }).security_group_rules;
        if (!rules.length) throw new NeutronError(400, 'HTTPBadRequest', 'Resources required');
        const made = rules.map((r) => k.create(backend, ctx(req), { security_group_rule: r }));
        return reply.code(201).send({ security_group_rules: made });
      }
      return reply.code(201).send({ [k.resource]: k.create(backend, ctx(req), b) });
    });

    app.put(`/${k.path}/:id`, async (req) => {
      const id = strip((req.params as { id: string }).id);
      const b = body(req);
      await fault(req, `update_${k.resource}`, k.collection === 'ports' ? ((b as { port?: { device_id?: string } } | null)?.port?.device_id ?? null) : null);
      return { [k.resource]: k.update(backend, ctx(req), id, b) };
    });

    app.delete(`/${k.path}/:id`, async (req, reply) => {
      const id = strip((req.params as { id: string }).id);
      await fault(req, `delete_${k.resource}`);
      k.remove(backend, ctx(req), id);
      return reply.code(204).send();
    });

    // standard-attr-tag: /{collection}/{id}/tags[/{tag}]
    if (k.collection !== 'security_group_rules') {
      const owned = (req: FastifyRequest) => {
        const id = (req.params as { id: string }).id;
        const c = ctx(req);
        backend.get(c, coll, id);
        const row = backend.store.t[coll].get(id)!;
        if (!c.isAdmin && row.project_id !== c.projectId) throw new NeutronError(403, 'PolicyNotAuthorized', `(rule:update_${k.resource}_tags) is disallowed by policy`);
        return row;
      };
      const saveTags = (row: Doc, tags: string[]) => {
        row.tags = [...new Set(tags)].sort();
        backend.store.transaction(() => backend.store.t[coll].save(row));
      };
      const checkTag = (t: unknown) => {
        if (typeof t !== 'string' || t.length === 0 || t.length > 255 || t.includes(',')) {
          throw new NeutronError(400, 'HTTPBadRequest', `Invalid input for operation: '${String(t)}' is not a valid tag.`);
        }
        return t;
      };
      app.get(`/${k.path}/:id/tags`, async (req) => ({ tags: backend.get(ctx(req), coll, (req.params as { id: string }).id).tags ?? [] }));
      app.get(`/${k.path}/:id/tags/:tag`, async (req, reply) => {
        const d = backend.get(ctx(req), coll, (req.params as { id: string }).id);
        const tag = (req.params as { tag: string }).tag;
        if (!((d.tags ?? []) as string[]).includes(tag)) throw new NeutronError(404, 'TagNotFound', `Tag ${tag} could not be found.`);
        return reply.code(204).send();
      });
      app.put(`/${k.path}/:id/tags`, async (req) => {
        const row = owned(req);
        const b = body(req) as { tags?: unknown } | null;
        if (!b || !Array.isArray(b.tags)) throw new NeutronError(400, 'HTTPBadRequest', "Invalid input for operation: Invalid tags body.");
        saveTags(row, b.tags.map(checkTag));
        return { tags: row.tags };
      });
      app.put(`/${k.path}/:id/tags/:tag`, async (req, reply) => {
        const row = owned(req);
        saveTags(row, [...((row.tags ?? []) as string[]), checkTag((req.params as { tag: string }).tag)]);
        return reply.code(201).send();
      });
      app.delete(`/${k.path}/:id/tags`, async (req, reply) => {
        saveTags(owned(req), []);
        return reply.code(204).send();
      });
      app.delete(`/${k.path}/:id/tags/:tag`, async (req, reply) => {
        const row = owned(req);
        const tag = (req.params as { tag: string }).tag;
        if (!((row.tags ?? []) as string[]).includes(tag)) throw new NeutronError(404, 'TagNotFound', `Tag ${tag} could not be found.`);
        saveTags(row, ((row.tags ?? []) as string[]).filter((t) => t !== tag));
        return reply.code(204).send();
      });
    }
  }

  app.put('/routers/:id/add_router_interface', async (req) => {
    await fault(req, 'add_router_interface');
    return backend.addRouterInterface(ctx(req), strip((req.params as { id: string }).id), body(req));
  });
  app.put('/routers/:id/remove_router_interface', async (req) => {
    await fault(req, 'remove_router_interface');
    return backend.removeRouterInterface(ctx(req), strip((req.params as { id: string }).id), body(req));
  });
}

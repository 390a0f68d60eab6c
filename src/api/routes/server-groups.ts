// /os-server-groups (nova/api/openstack/compute/server_groups.py).
import type { FastifyInstance } from 'fastify';
import { OVER_QUOTA_ERRORS } from '../../compute/quotas.js';
import type { ServerGroupPolicy } from '../../store/server-groups.js';
import { mapErrors } from '../compute-errors.js';
import { NovaError } from '../errors.js';
import type { Query } from '../query.js';
import { type ApiDeps, parseBody, parseQuery } from '../plugin.js';
import { createSchema, indexQuery, showQuery } from '../schemas/server-groups.js';
import { serverGroupView } from '../views/server-groups.js';

const RULE = 'os_compute_api:os-server-groups';
const MAX_LIMIT = 1000;

export async function serverGroupRoutes(app: FastifyInstance, opts: { deps: ApiDeps }) {
  const { policy, compute } = opts.deps;
  const sg = compute.serverGroups;
  const find = (id: string) => mapErrors(() => sg.get(id), { InstanceGroupNotFound: 404 });

  app.get('/os-server-groups', async (req) => {
    const v = req.apiVersion;
    const q = parseQuery(indexQuery(v), req.query) as { limit?: number; offset?: number };
    policy.authorize(`${RULE}:index`, req.ctx, { project_id: req.ctx.projectId });
    let projectId: string | null = req.ctx.projectId;
    // 'all_projects' in req.GET and context.is_admin: any value, even empty.
    if ((req.query as Query).all_projects !== undefined && req.ctx.isAdmin) {
      policy.authorize(`${RULE}:index:all_projects`, req.ctx, { project_id: req.ctx.projectId });
      projectId = null;
    }
    // common.limited: offset first, then limit (0 or over the maximum means the maximum).
    const limit = q.limit === undefined || q.limit === 0 ? MAX_LIMIT : Math.min(q.limit, MAX_LIMIT);
    const groups = sg.list(projectId).slice(q.offset ?? 0).slice(0, limit);
    return { server_groups: groups.map((g) => serverGroupView(v, g, sg.liveMembers(g))) };
  });

  app.get('/os-server-groups/:id', async (req) => {
    parseQuery(showQuery(req.apiVersion), req.query);
    const g = await find((req.params as { id: string }).id);
    policy.authorize(`${RULE}:show`, req.ctx, { project_id: g.project_id });
    return { server_group: serverGroupView(req.apiVersion, g, sg.liveMembers(g)) };
  });

  app.post('/os-server-groups', async (req) => {
    const v = req.apiVersion;
    const body = parseBody(createSchema(v), req.body).server_group as { name: string; policy?: ServerGroupPolicy; policies?: string[]; rules?: { max_server_per_host?: number } };
    policy.authorize(`${RULE}:create`, req.ctx, { project_id: req.ctx.projectId });
    let groupPolicy: ServerGroupPolicy;
    let rules: Record<string, number> = {};
    if (v.matches('2.64')) {
      groupPolicy = body.policy!;
      rules = Object.fromEntries(Object.entries(body.rules ?? {}).filter(([, n]) => n !== undefined)) as Record<string, number>;
      if (groupPolicy !== 'anti-affinity' && Object.keys(rules).length) throw new NovaError(400, 'Only anti-affinity policy supports rules.');
    } else {
      groupPolicy = body.policies![0] as ServerGroupPolicy;
    }
    const g = await mapErrors(() => sg.create(req.ctx, { name: body.name, policy: groupPolicy, rules }), OVER_QUOTA_ERRORS);
    return { server_group: serverGroupView(v, g, []) };
  });

  app.delete('/os-server-groups/:id', async (req, reply) => {
    const g = await find((req.params as { id: string }).id);
    policy.authorize(`${RULE}:delete`, req.ctx, { project_id: g.project_id });
    sg.delete(req.ctx, g);
    return reply.code(204).send();
  });
}

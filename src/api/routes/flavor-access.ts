// os-flavor-access (nova/api/openstack/compute/flavor_access.py): the access list of a private flavor
// and the addTenantAccess / removeTenantAccess flavor actions.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { FlavorSnapshot } from '../../domain.js';
import { mapErrors } from '../compute-errors.js';
import { NovaError } from '../errors.js';
import { parseBody } from '../plugin.js';
import * as schema from '../schemas/flavors.js';
import type { FlavorRouteDeps } from './flavors.js';

const RULE = 'os_compute_api:os-flavor-access';

const marshall = (f: FlavorSnapshot, projects: string[]) => ({ flavor_access: projects.map((p) => ({ flavor_id: f.flavorid, tenant_id: p })) });

export async function flavorAccessRoutes(app: FastifyInstance, opts: { deps: FlavorRouteDeps }) {
  const { services: s, policy, flavors } = opts.deps;
  const getFlavor = (req: FastifyRequest, id: string) => mapErrors(() => flavors.get(req.ctx, id), { FlavorNotFound: 404 });

  /** identity.verify_project_id: Keystone's 404 for an unknown project is a 400. */
  const verifyProject = (projectId: string) => {
    if (!s.identity.project({ id: projectId })) throw new NovaError(400, `Project ID ${projectId} is not a valid project.`);
  };

  app.get('/flavors/:flavor_id/os-flavor-access', async (req) => {
    if (req.apiVersion.matches('2.102') && Object.keys(req.query as object).length) {
      const extra = Object.keys(req.query as object);
      throw new NovaError(400, `Additional properties are not allowed (${extra.map((k) => `'${k}'`).join(', ')} ${extra.length > 1 ? 'were' : 'was'} unexpected)`);
    }
    policy.authorize(RULE, req.ctx, { project_id: req.ctx.projectId });
    const f = await getFlavor(req, (req.params as { flavor_id: string }).flavor_id);
    if (f.is_public) throw new NovaError(404, 'Access list not available for public flavors.');
    return marshall(f, s.flavors.projects(f.id));
  });

  app.post('/flavors/:id/action', async (req) => {
    const body = req.body as Record<string, unknown> | null;
    if (!body || typeof body !== 'object' || Array.isArray(body) || Object.keys(body).length !== 1) throw new NovaError(400, 'Malformed request body');
    const [action] = Object.keys(body);
    const { id } = req.params as { id: string };
    switch (action) {
      case 'addTenantAccess': {
        const tenant = (parseBody(schema.tenantAccess('addTenantAccess'), body) as { addTenantAccess: { tenant: string } }).addTenantAccess.tenant;
        policy.authorize(`${RULE}:add_tenant_access`, req.ctx, {});
        verifyProject(tenant);
        const f = await getFlavor(req, id);
        if (req.apiVersion.matches('2.7') && f.is_public) throw new NovaError(409, 'Can not add access to a public flavor.');
        const projects = await mapErrors(() => flavors.addAccess(req.ctx, f, tenant), { FlavorAccessExists: 409 });
        return marshall(f, projects);
      }
      case 'removeTenantAccess': {
        const tenant = (parseBody(schema.tenantAccess('removeTenantAccess'), body) as { removeTenantAccess: { tenant: string } }).removeTenantAccess.tenant;
        policy.authorize(`${RULE}:remove_tenant_access`, req.ctx, {});
        // An unknown project may still be removed (a project deleted in Keystone after it was granted).
        const f = await getFlavor(req, id);
        const projects = await mapErrors(() => flavors.removeAccess(req.ctx, f, tenant), { FlavorAccessNotFound: 404 });
        return marshall(f, projects);
      }
      default:
        throw new NovaError(400, `There is no such action: ${action}`);
    }
  });
}

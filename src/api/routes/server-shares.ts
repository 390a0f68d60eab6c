// /servers/{server_id}/shares (2.97, nova/api/openstack/compute/server_shares.py and
// views/server_shares.py): list, attach (201, the mapping `attaching`), show, detach (200, no body).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ServerShareApi } from '../../compute/share-api.js';
import type { Instance } from '../../domain.js';
import type { ShareMapping } from '../../store/share-mappings.js';
import { mapErrors } from '../compute-errors.js';
import { invalidState, NovaError } from '../errors.js';
import { type ApiDeps, parseBody, parseQuery } from '../plugin.js';
import * as schema from '../schemas/server-shares.js';

const RULE = 'os_compute_api:os-server-shares';
type Params = { server_id: string; share_id: string };

/** ViewBuilder._show_view: export_location and uuid for admins only. */
function showView(m: ShareMapping, isAdmin: boolean) {
  const share: Record<string, unknown> = { share_id: m.share_id, status: m.status, tag: m.tag };
  if (isAdmin) {
    share.export_location = m.export_location;
    share.uuid = m.uuid;
  }
  return { share };
}

export async function serverShareRoutes(app: FastifyInstance, opts: { deps: ApiDeps }) {
  const { policy, compute, services: s } = opts.deps;
  const api = (): ServerShareApi => {
    if (!compute.shares) throw new NovaError(404, 'The resource could not be found.');
    return compute.shares;
  };
  const requires297 = (req: FastifyRequest) => {
    if (!req.apiVersion.matches('2.97')) throw new NovaError(404, 'The resource could not be found.');
  };
  /**
   * _get_instance_mapping (404 "has no mapping to a cell"), the policy check against the mapping's
   * project, then common.get_instance in the cell.
   */
  const authorized = async (req: FastifyRequest, rule: string): Promise<Instance> => {
    const id = (req.params as Params).server_id;
    const mapped = s.instances.get(id);
    if (!mapped) throw new NovaError(404, `Instance ${id} has no mapping to a cell.`);
    policy.authorize(`${RULE}:${rule}`, req.ctx, { project_id: mapped.project_id });
    return mapErrors(() => compute.get(req.ctx, id), { InstanceNotFound: 404 });
  };
  /** _check_instance_in_valid_state: create needs STOPPED, delete STOPPED or ERROR. */
  const checkState = (i: Instance, action: 'create share' | 'delete share') => {
    const ok = i.vm_state === 'stopped' || (action === 'delete share' && i.vm_state === 'error');
    if (!ok) throw invalidState(action, i.uuid, 'vm_state', i.vm_state);
  };

  app.get('/servers/:server_id/shares', async (req) => {
    requires297(req);
    parseQuery(schema.noQuery, req.query);
    const i = await authorized(req, 'index');
    return { shares: api().list(i).map((m) => ({ share_id: m.share_id, status: m.status, tag: m.tag })) };
  });

  app.post('/servers/:server_id/shares', async (req, reply) => {
    requires297(req);
    const body = parseBody(schema.create, req.body);
    const i = await authorized(req, 'create');
    checkState(i, 'create share');
    const m = await mapErrors(() => api().attach(req.ctx, i, body.share.share_id, body.share.tag), {
      ShareNotFound: 404, ShareStatusIncorect: 409, ShareMissingExportLocation: 409, ShareProtocolNotSupported: 409,
      ShareMappingAlreadyExists: 409, ForbiddenSharesNotSupported: 403, ForbiddenSharesNotConfiguredCorrectly: 409,
    });
    reply.code(201);
    return showView(m, req.ctx.isAdmin);
  });

  app.get('/servers/:server_id/shares/:share_id', async (req) => {
    requires297(req);
    parseQuery(schema.noQuery, req.query);
    const i = await authorized(req, 'show');
    const m = await mapErrors(() => api().get(i, (req.params as Params).share_id), { ShareNotFound: 404 });
    return showView(m, req.ctx.isAdmin);
  });

  app.delete('/servers/:server_id/shares/:share_id', async (req, reply) => {
    requires297(req);
    const i = await authorized(req, 'delete');
    checkState(i, 'delete share');
    await mapErrors(() => api().detach(req.ctx, i, (req.params as Params).share_id), { ShareNotFound: 404 });
    return reply.code(200).send();
  });
}

// /servers/{server_id}/os-interface: list, show, attach, detach (nova/api/openstack/compute/attach_interfaces.py).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Instance } from '../../domain.js';
import type { InterfaceApi } from '../../compute/interface-api.js';
import type { NeutronPort } from '../../compute/neutron-client.js';
import { mapErrors } from '../compute-errors.js';
import { NovaError } from '../errors.js';
import { type ApiDeps, parseBody } from '../plugin.js';
import * as schema from '../schemas/interfaces.js';

const RULE = 'os_compute_api:os-attach-interfaces';
type Params = { server_id: string; port_id: string };

/** _translate_interface_attachment_view (tag from 2.70). */
function view(port: NeutronPort, tag?: string | null) {
  const out: Record<string, unknown> = {
    net_id: port.network_id, port_id: port.id, mac_addr: port.mac_address, port_state: port.status, fixed_ips: port.fixed_ips ?? null,
  };
  if (tag !== undefined) out.tag = tag;
  return out;
}

export async function interfaceRoutes(app: FastifyInstance, opts: { deps: ApiDeps }) {
  const { policy, compute } = opts.deps;
  const api = (): InterfaceApi => {
    if (!compute.interfaces) throw new NovaError(501, 'Network driver does not support this function.');
    return compute.interfaces;
  };
  const instanceOf = (req: FastifyRequest): Promise<Instance> =>
    mapErrors(() => compute.get(req.ctx, (req.params as Params).server_id), { InstanceNotFound: 404 });
  const tagOf = (i: Instance, portId: string) => i.network_info.find((ip) => ip.port_uuid === portId)?.tag ?? null;

  const show = async (req: FastifyRequest, i: Instance, portId: string) => {
    const port = await mapErrors(() => api().show(req.ctx, portId), { PortNotFound: 404, Forbidden: 403 });
    if (port.device_id !== i.uuid) throw new NovaError(404, `Instance ${i.uuid} does not have a port with id ${portId}`);
    return { interfaceAttachment: view(port, req.apiVersion.matches('2.70') ? tagOf(i, portId) : undefined) };
  };

  app.get('/servers/:server_id/os-interface', async (req) => {
    const i = await instanceOf(req);
    policy.authorize(`${RULE}:list`, req.ctx, { project_id: i.project_id });
    const ports = await mapErrors(() => api().list(req.ctx, i), { PortNotFound: 404, NetworkNotFound: 404 });
    const withTag = req.apiVersion.matches('2.70');
    return { interfaceAttachments: ports.map((p) => view(p, withTag ? tagOf(i, p.id) : undefined)) };
  });

  app.get('/servers/:server_id/os-interface/:port_id', async (req) => {
    const i = await instanceOf(req);
    policy.authorize(`${RULE}:show`, req.ctx, { project_id: i.project_id });
    return show(req, i, (req.params as Params).port_id);
  });

  app.post('/servers/:server_id/os-interface', async (req) => {
    const body = parseBody(req.apiVersion.matches('2.49') ? schema.createV249 : schema.createV21, req.body ?? {});
    const i = await instanceOf(req);
    policy.authorize(`${RULE}:create`, req.ctx, { project_id: i.project_id });
    const a = body.interfaceAttachment ?? {};
    const networkId = a.net_id ?? null;
    const portId = a.port_id ?? null;
    const fixedIp = a.fixed_ips?.[0]?.ip_address ?? null;
    if (networkId && portId) throw new NovaError(400, 'Must not input both network_id and port_id');
    if (fixedIp && !networkId) throw new NovaError(400, 'Must input network_id when request IP address');
    const vif = await mapErrors(
      () => api().attach(req.ctx, i, { networkId, portId, fixedIp, tag: ('tag' in a ? (a.tag as string | undefined) : undefined) ?? null }),
      {
        InterfaceAttachFailedNoNetwork: 400, NetworkAmbiguous: 400, NoMoreFixedIps: 400, PortNotUsable: 400, InstanceIsLocked: 409,
        FixedIpAlreadyInUse: 409, PortInUse: 409, PortNotFound: 404, NetworkNotFound: 404, PortLimitExceeded: 403, InterfaceAttachFailed: 500, InvalidInput: 400,
      },
      { action: 'attach_interface', uuid: i.uuid },
    );
    return show(req, compute.get(req.ctx, i.uuid), vif[0].port_uuid!);
  });

  app.delete('/servers/:server_id/os-interface/:port_id', async (req, reply) => {
    const i = await instanceOf(req);
    policy.authorize(`${RULE}:delete`, req.ctx, { project_id: i.project_id });
    await mapErrors(() => api().detach(req.ctx, i, (req.params as Params).port_id), { PortNotFound: 404, InstanceIsLocked: 409 }, { action: 'detach_interface', uuid: i.uuid });
    return reply.code(202).send();
  });
}

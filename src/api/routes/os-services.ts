// /os-services (nova/api/openstack/compute/services.py): list with host/binary filters, enable,
// disable (with reason), force-down (2.11), 2.53 uuid PUT/DELETE, delete.
import type { FastifyInstance } from 'fastify';
import type { ServiceRow } from '../../store/hosts.js';
import { mapErrors } from '../compute-errors.js';
import { NovaError } from '../errors.js';
import { type ApiDeps, parseBody } from '../plugin.js';
import { type Query, lastValue } from '../query.js';
import * as schema from '../schemas/hosts.js';
import { serviceView } from '../views/hosts.js';

const RULE = 'os_compute_api:os-services';
const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
const notCompute = (binary: string) =>
  new NovaError(400, `Updating a ${binary} service is not supported. Only nova-compute services can be updated.`);

export async function osServiceRoutes(app: FastifyInstance, opts: { deps: ApiDeps }) {
  const { services: s, policy, hosts } = opts.deps;

  app.get('/os-services', async (req) => {
    policy.authorize(`${RULE}:list`, req.ctx, {});
    const q = req.query as Query;
    const host = lastValue(q, 'host');
    const binary = lastValue(q, 'binary');
    const list = s.hosts.services().filter((svc) => (!host || svc.host === host) && (!binary || svc.binary === binary));
    return { services: list.map((svc) => serviceView(req, s, svc, req.apiVersion.matches('2.11'))) };
  });

  app.put('/os-services/:id', async (req) => {
    const { id } = req.params as { id: string };
    const v = req.apiVersion;
    if (v.matches('2.53')) {
      if (!UUID.test(id)) throw new NovaError(400, `Invalid uuid ${id}`);
      policy.authorize(`${RULE}:update`, req.ctx, {});
      const body = parseBody(schema.serviceUpdateV253, req.body);
      const svc = s.hosts.serviceByUuid(id);
      if (!svc) throw new NovaError(404, `Service ${id} could not be found.`);
      if (svc.binary !== 'nova-compute') throw notCompute(svc.binary);
      const changes: { disabled?: boolean; disabled_reason?: string | null; forced_down?: boolean } = {};
      if (body.status === 'enabled') {
        if (body.disabled_reason) throw new NovaError(400, "Specifying 'disabled_reason' with status 'enabled' is invalid.");
        if (svc.disabled) changes.disabled = false;
        if (svc.disabled_reason !== null) changes.disabled_reason = null;
      } else if (body.status === 'disabled') {
        if (!svc.disabled) changes.disabled = true;
        if ((body.disabled_reason ?? null) !== svc.disabled_reason) changes.disabled_reason = body.disabled_reason ?? null;
      }
      if (body.forced_down !== undefined && schema.asBool(body.forced_down) !== svc.forced_down) changes.forced_down = schema.asBool(body.forced_down);
      // obj_what_changed(): setting a field marks it changed even to its current value.
      if (body.status === undefined && body.forced_down === undefined) {
        throw new NovaError(400, "No updates were requested. Fields 'status' or 'forced_down' should be specified.");
      }
      const fresh = Object.keys(changes).length ? hosts.updateService(req.ctx, svc, changes) : hosts.updateService(req.ctx, svc, {});
      return { service: serviceView(req, s, fresh, true) };
    }
    policy.authorize(`${RULE}:update`, req.ctx, {});
    const actions = ['enable', 'disable', 'disable-log-reason', ...(v.matches('2.11') ? ['force-down'] : [])];
    const body = parseBody(v.matches('2.11') ? schema.serviceUpdateV211 : schema.serviceUpdate, req.body) as { host: string; binary: string; disabled_reason?: string; forced_down?: schema.Boolish };
    if (!actions.includes(id)) throw new NovaError(404, 'Unknown action');
    const find = (): ServiceRow => {
      if (body.binary !== 'nova-compute') throw notCompute(body.binary);
      const svc = s.hosts.serviceByHostBinary(body.host, body.binary);
      if (!svc) throw new NovaError(404, `Could not find binary ${body.binary} on host ${body.host}.`);
      return svc;
    };
    if (id === 'force-down') {
      if (body.forced_down === undefined) throw new NovaError(400, 'Missing forced_down field');
      const forced = schema.asBool(body.forced_down);
      hosts.updateService(req.ctx, find(), { forced_down: forced });
      return { service: { host: body.host, binary: body.binary, forced_down: forced } };
    }
    let reason: string | null = null;
    if (id === 'disable-log-reason') {
      if (body.disabled_reason === undefined) throw new NovaError(400, 'Missing disabled reason field');
      reason = body.disabled_reason;
    }
    const disable = id !== 'enable';
    hosts.updateService(req.ctx, find(), { disabled: disable, disabled_reason: disable ? reason : null });
    const out: Record<string, unknown> = { host: body.host, binary: body.binary, status: disable ? 'disabled' : 'enabled' };
    if (reason) out.disabled_reason = reason;
    return { service: out };
  });

  app.delete('/os-services/:id', async (req, reply) => {
    const { id } = req.params as { id: string };
    policy.authorize(`${RULE}:delete`, req.ctx, {});
    let svc: ServiceRow | null;
    if (req.apiVersion.matches('2.53')) {
      if (!UUID.test(id)) throw new NovaError(400, `Invalid uuid ${id}`);
      svc = s.hosts.serviceByUuid(id);
    } else {
      if (!/^-?\d+$/.test(id.trim())) throw new NovaError(400, `Invalid input received: id must be an integer`);
      svc = s.hosts.serviceById(Number(id));
    }
    if (!svc) throw new NovaError(404, `Service ${id} not found.`);
    if (svc.binary === 'nova-compute' && s.hosts.countInstancesOnHost(svc.host)) {
      throw new NovaError(409, 'Unable to delete compute service that is hosting instances. Migrate or delete the instances first.');
    }
    await mapErrors(() => hosts.deleteService(req.ctx, svc), {});
    return reply.code(204).send();
  });
}

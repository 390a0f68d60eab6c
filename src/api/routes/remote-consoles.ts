// POST /servers/{id}/remote-consoles (nova/api/openstack/compute/remote_consoles.py create, 2.6+):
// protocol + type validated per microversion (2.8 adds mks/webmks, 2.99 spice-direct — master
// only), rdp refused at the controller (removed with Hyper-V; Zed: the rdp proxy is off), then
// compute_api.get_<protocol>_console.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { mapErrors } from '../compute-errors.js';
import { NovaError } from '../errors.js';
import { type ApiDeps, parseBody } from '../plugin.js';

const TYPES_26 = ['novnc', 'xvpvnc', 'spice-html5', 'serial', 'rdp-html5'] as const;
const body = (protocols: string[], types: string[]) =>
  z.object({ remote_console: z.object({ protocol: z.enum(protocols as [string, ...string[]]), type: z.enum(types as [string, ...string[]]) }).strict() }).strict();
const V26 = body(['vnc', 'spice', 'serial', 'rdp'], [...TYPES_26]);
const V28 = body(['vnc', 'spice', 'serial', 'rdp', 'mks'], [...TYPES_26, 'webmks']);
const V299 = body(['vnc', 'spice', 'serial', 'rdp', 'mks'], [...TYPES_26, 'webmks', 'spice-direct']);

export async function remoteConsoleRoutes(app: FastifyInstance, opts: { deps: ApiDeps }) {
  const { policy, compute, services: s } = opts.deps;
  app.post('/servers/:id/remote-consoles', async (req) => {
    const v = req.apiVersion;
    if (!v.matches('2.6')) throw new NovaError(404, 'The resource could not be found.');
    const schema = v.matches('2.99') ? V299 : v.matches('2.8') ? V28 : V26;
    const { remote_console: rc } = parseBody(schema, req.body) as { remote_console: { protocol: string; type: string } };
    const id = (req.params as { id: string }).id;
    const instance = await mapErrors(() => compute.get(req.ctx, id), { InstanceNotFound: 404 });
    policy.authorize('os_compute_api:os-remote-consoles', req.ctx, { project_id: instance.project_id });
    if (rc.protocol === 'rdp') {
      throw new NovaError(400, s.profile.name === 'zed' ? `Unavailable console type ${rc.type}.` : `Unavailable console type ${rc.protocol}.`);
    }
    const out = await mapErrors(
      () => compute.consoles.get(req.ctx, instance, rc.protocol as 'vnc' | 'spice' | 'serial' | 'mks', rc.type),
      { InstanceNotFound: 404, InstanceNotReady: 409, ConsoleTypeInvalid: 400, ConsoleTypeUnavailable: 400 },
      { action: `get_${rc.protocol}_console`, uuid: instance.uuid },
    );
    return { remote_console: { protocol: rc.protocol, type: rc.type, url: out.url } };
  });
}

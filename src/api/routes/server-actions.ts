// POST /servers/{id}/action: one route for every declared server action (src/compute/actions/).
// Order as in Nova's wsgi: the action key, the body schema of the request's microversion, the
// instance (404), the policy (403), then the compute API's checks (409s).
import type { FastifyInstance } from 'fastify';
import { SERVER_ACTIONS } from '../../compute/actions/index.js';
import { ComputeException } from '../../compute/exceptions.js';
import { mapErrors } from '../compute-errors.js';
import { NovaError } from '../errors.js';
import { type ApiDeps, parseBody } from '../plugin.js';
import { requestBase } from '../../identity/catalog.js';
import { serverDetail } from '../views/servers.js';

export async function serverActionRoutes(app: FastifyInstance, opts: { deps: ApiDeps }) {
  const { policy, compute } = opts.deps;

  app.post('/servers/:id/action', async (req, reply) => {
    const body = req.body as Record<string, unknown> | null;
    if (!body || typeof body !== 'object' || Array.isArray(body) || Object.keys(body).length !== 1) throw new NovaError(400, 'Malformed request body');
    const [name] = Object.keys(body);
    const decl = SERVER_ACTIONS.get(name);
    if (!decl) throw new NovaError(400, `There is no such action: ${name}`);
    // @wsgi.api_version on the action: below it the method "does not exist" (VersionNotFoundForAPIMethod → bare 404).
    if (decl.minVersion && !req.apiVersion.matches(decl.minVersion)) throw new NovaError(404, 'The resource could not be found.');
    if (decl.maxVersion && !req.apiVersion.matches('2.1', decl.maxVersion)) throw new NovaError(404, 'The resource could not be found.');
    const schema = decl.bodies.find((b) => req.apiVersion.matches(b.min ?? '2.1', b.max))?.schema;
    const parsed = schema ? (parseBody(schema, body) as Record<string, unknown>) : body;
    // utils.generate_password: 12 characters (CONF.password_length).
    const expected: Record<string, number> = { InstanceIsLocked: 409, InstanceNotReady: 409, InstanceNotFound: 404, InstanceNotRescuable: 400, ForbiddenWithShare: 409 };
    for (const [cls, how] of Object.entries(decl.errors ?? {})) expected[cls] = typeof how === 'number' ? how : how.status;
    const args = await mapErrors(() => decl.args(parsed, req.apiVersion, { password: () => opts.deps.services.runtime.randomString(12) }), expected);
    const id = (req.params as { id: string }).id;
    const instance = await mapErrors(() => compute.get(req.ctx, id), { InstanceNotFound: 404 });
    const target = { project_id: instance.project_id, user_id: instance.user_id };
    policy.authorize(typeof decl.policy === 'function' ? decl.policy(args, opts.deps.services.profile.name) : decl.policy, req.ctx, target);
    const extra = decl.extraPolicy?.(req.ctx, instance, args, opts.deps.services.bdms.listForInstance(instance.uuid));
    if (extra) policy.authorize(extra, req.ctx, target);
    const ran = await mapErrors(
      () => compute.actions.run(req.ctx, instance, decl, args, (rule) => policy.authorize(rule, req.ctx, target)).catch((e: unknown) => {
        // The controller's own text for an expected exception (changePassword: 501 "Unable to set password on
        // instance"; confirmResize: "Instance has not been resized.").
        const pyClass = (e as { pyClass?: string }).pyClass ?? '';
        const text = decl.errorTexts?.[pyClass];
        if (text) throw new NovaError(text[0], text[1]);
        const how = e instanceof ComputeException ? decl.errors?.[pyClass] : undefined;
        if (how && typeof how !== 'number') throw new NovaError(how.status, how.message);
        throw e;
      }),
      expected,
      { action: decl.conflictName, uuid: instance.uuid },
    );
    const s = opts.deps.services;
    const r = {
      matches: (min: string, max?: string) => req.apiVersion.matches(min, max),
      base: requestBase(req),
      server: () => {
        const i = s.instances.get(instance.uuid) ?? instance;
        return serverDetail(i, { base: `${requestBase(req)}/compute/v2.1`, version: req.apiVersion, isAdmin: req.ctx.isAdmin, bdms: s.bdms.listForInstance(i.uuid), fault: () => s.actions.latestFaultFor(i.uuid), detailKind: 'show' });
      },
    };
    for (const [k, v] of Object.entries(decl.headers?.(ran.args, r) ?? {})) reply.header(k, v);
    const out = (decl.response ? decl.response(ran.args, r) : null) ?? ran.result;
    return out ? reply.code(decl.status ?? 202).send(out) : reply.code(decl.status ?? 202).send();
  });
}

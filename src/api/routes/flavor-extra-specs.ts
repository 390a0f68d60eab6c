// /flavors/{flavor_id}/os-extra_specs[/{key}] (nova/api/openstack/compute/flavors_extraspecs.py).
// Bodies are answered as sent (numbers stay numbers); stored values are strings. From 2.86 every
// spec is checked against the validators of the known namespaces.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { mapErrors } from '../compute-errors.js';
import { NovaError } from '../errors.js';
import { parseBody } from '../plugin.js';
import * as schema from '../schemas/flavors.js';
import { validateExtraSpec } from '../validation/extra-specs/validators.js';
import type { FlavorRouteDeps } from './flavors.js';

const RULE = 'os_compute_api:os-flavor-extra-specs';

/** Python str() of a JSON number as the spec is stored. */
const asString = (v: string | number) => (typeof v === 'number' ? String(v) : v);

export async function flavorExtraSpecRoutes(app: FastifyInstance, opts: { deps: FlavorRouteDeps }) {
  const { services: s, policy, flavors } = opts.deps;
  const getFlavor = (req: FastifyRequest) => mapErrors(() => flavors.get(req.ctx, (req.params as { flavor_id: string }).flavor_id), { FlavorNotFound: 404 });
  const noQueryAt2102 = (req: FastifyRequest) => {
    const extra = Object.keys(req.query as object);
    if (req.apiVersion.matches('2.102') && extra.length) {
      throw new NovaError(400, `Additional properties are not allowed (${extra.map((k) => `'${k}'`).join(', ')} ${extra.length > 1 ? 'were' : 'was'} unexpected)`);
    }
  };

  /** _check_extra_specs_value. */
  const checkValues = (req: FastifyRequest, specs: Record<string, unknown>) => {
    for (const [name, value] of Object.entries(specs)) {
      const text = asString(value as string | number);
      if (typeof value === 'number' && text.length > 255) {
        throw new NovaError(400, `Invalid input received: extra_specs value has ${text.length} characters, more than 255.`);
      }
      if (req.apiVersion.matches('2.86')) validateExtraSpec(s.profile.name, name, text);
    }
  };

  const noSuchKey = (flavorId: string, key: string) => new NovaError(404, `Flavor ${flavorId} has no extra specs with key ${key}.`);

  app.get('/flavors/:flavor_id/os-extra_specs', async (req) => {
    noQueryAt2102(req);
    policy.authorize(`${RULE}:index`, req.ctx, { project_id: req.ctx.projectId });
    return { extra_specs: (await getFlavor(req)).extra_specs };
  });

  app.post('/flavors/:flavor_id/os-extra_specs', async (req) => {
    const body = parseBody(schema.extraSpecsCreate, req.body);
    policy.authorize(`${RULE}:create`, req.ctx, {});
    checkValues(req, body.extra_specs);
    const f = await getFlavor(req);
    const add = Object.fromEntries(Object.entries(body.extra_specs).map(([k, v]) => [k, asString(v as string | number)]));
    flavors.setExtraSpecs(req.ctx, f, { ...f.extra_specs, ...add });
    return req.body;
  });

  app.get('/flavors/:flavor_id/os-extra_specs/:key', async (req) => {
    noQueryAt2102(req);
    const { flavor_id, key } = req.params as { flavor_id: string; key: string };
    policy.authorize(`${RULE}:show`, req.ctx, { project_id: req.ctx.projectId });
    const f = await getFlavor(req);
    if (!Object.hasOwn(f.extra_specs, key)) throw noSuchKey(flavor_id, key);
    return { [key]: f.extra_specs[key] };
  });

  app.put('/flavors/:flavor_id/os-extra_specs/:key', async (req) => {
    const body = parseBody(schema.extraSpecs, req.body);
    const n = Object.keys(body).length;
    if (n !== 1) throw new NovaError(400, n === 0 ? `{} should be non-empty` : `${pyDict(body)} has too many properties`);
    const { key } = req.params as { flavor_id: string; key: string };
    policy.authorize(`${RULE}:update`, req.ctx, {});
    checkValues(req, body);
    if (!Object.hasOwn(body, key)) throw new NovaError(400, 'Request body and URI mismatch');
    const f = await getFlavor(req);
    flavors.setExtraSpecs(req.ctx, f, { ...f.extra_specs, [key]: asString(body[key] as string | number) });
    return req.body;
  });

  app.delete('/flavors/:flavor_id/os-extra_specs/:key', async (req, reply) => {
    const { flavor_id, key } = req.params as { flavor_id: string; key: string };
    policy.authorize(`${RULE}:delete`, req.ctx, {});
    const f = await getFlavor(req);
    if (!Object.hasOwn(f.extra_specs, key)) throw noSuchKey(flavor_id, key);
    const rest = { ...f.extra_specs };
    delete rest[key];
    flavors.setExtraSpecs(req.ctx, f, rest);
    // 200 with no body (flavors_extraspecs.py NOTE(gmann)).
    return reply.code(200).send();
  });
}

function pyDict(o: Record<string, unknown>): string {
  return `{${Object.entries(o).map(([k, v]) => `'${k}': ${typeof v === 'string' ? `'${v}'` : String(v)}`).join(', ')}}`;
}

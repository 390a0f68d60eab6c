// /flavors: list, detail, show (nova/api/openstack/compute/flavors.py FlavorsController) and the
// admin writes create, update (2.55), delete (flavor_manage.py in Zed, merged into flavors.py on master).
// The flavor's os-extra_specs and os-flavor-access sub-resources are registered from here too.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { FlavorApi } from '../../compute/flavors.js';
import type { FlavorSnapshot } from '../../domain.js';
import { requestBase } from '../../identity/catalog.js';
import { FLAVOR_SORT_KEYS, FlavorMarkerNotFound, type FlavorSortKey } from '../../store/flavors.js';
import { mapErrors } from '../compute-errors.js';
import { NovaError } from '../errors.js';
import { type Query, lastValue } from '../query.js';
import { type ApiDeps, parseBody } from '../plugin.js';
import * as schema from '../schemas/flavors.js';
import { basicFlavor, flavorCollectionLinks, flavorDetail } from '../views/flavors.js';
import { flavorAccessRoutes } from './flavor-access.js';
import { flavorExtraSpecRoutes } from './flavor-extra-specs.js';

const MANAGE = 'os_compute_api:os-flavor-manage';
const MAX_LIMIT = 1000;
const KNOWN_QUERY = ['limit', 'marker', 'is_public', 'minRam', 'minDisk', 'sort_key', 'sort_dir'];
const TRUE = ['1', 't', 'true', 'on', 'y', 'yes'];
const FALSE = ['0', 'f', 'false', 'off', 'n', 'no'];

/** nova/utils.py is_none_string. */
const isNoneString = (v: string) => v.toLowerCase() === 'none';

/** valid_name_regex: printable characters, not starting or ending with whitespace. */
const VALID_NAME = /^(?![\s\u00a0])[^\p{C}]*(?<![\s\u00a0])$/u;

const queryError = (name: string, value: string, msg: string) => new NovaError(400, `Invalid input for query parameters ${name}. Value: ${value}. ${msg}`);
const pyList = (xs: readonly string[]) => `[${xs.map((x) => `'${x}'`).join(', ')}]`;

export interface FlavorRouteDeps extends ApiDeps {
  flavors: FlavorApi;
}

export async function flavorRoutes(app: FastifyInstance, opts: { deps: ApiDeps }) {
  const deps: FlavorRouteDeps = { ...opts.deps, flavors: new FlavorApi(opts.deps.services, opts.deps.notifier) };
  const { services: s, policy, flavors } = deps;
  const base = (req: FastifyRequest) => `${requestBase(req)}/compute/v2.1`;
  const includeExtraSpecs = (req: FastifyRequest) =>
    req.apiVersion.matches('2.61') && policy.allowed('os_compute_api:os-flavor-extra-specs:index', req.ctx, { project_id: req.ctx.projectId });
  const view = (req: FastifyRequest) => ({ base: base(req), version: req.apiVersion, includeExtraSpecs: includeExtraSpecs(req) });

  /** The query schemas of index/detail (index_query, _v275, _v2102), checked as jsonschema would. */
  function parseListQuery(req: FastifyRequest) {
    const q = req.query as Query;
    const v = req.apiVersion;
    const nameAllowed = v.matches('2.102') || (s.profile.name === 'master' && v.lt('2.75'));
    if (v.matches('2.75')) {
      const extra = Object.keys(q).filter((k) => !KNOWN_QUERY.includes(k) && !(k === 'name' && nameAllowed));
      if (extra.length) throw new NovaError(400, `Additional properties are not allowed (${extra.map((k) => `'${k}'`).join(', ')} ${extra.length > 1 ? 'were' : 'was'} unexpected)`);
    }
    const one = (k: string) => lastValue(q, k);
    const flat: Record<string, string> = {};
    for (const k of Object.keys(q)) flat[k] = one(k) as string;
    const rawLimit = one('limit');
    if (rawLimit !== undefined && !/^[0-9]+$/.test(rawLimit)) throw queryError('limit', rawLimit, `'${rawLimit}' does not match '^[0-9]*$'`);
    const sortKeys: readonly string[] = v.matches('2.102') ? schema.SORT_KEYS_V2102 : FLAVOR_SORT_KEYS;
    const sortKey = one('sort_key');
    if (sortKey !== undefined && !sortKeys.includes(sortKey)) throw queryError('sort_key', sortKey, `'${sortKey}' is not one of ${pyList(sortKeys)}`);
    const sortDir = one('sort_dir');
    if (sortDir !== undefined && !['asc', 'desc'].includes(sortDir)) throw queryError('sort_dir', sortDir, `'${sortDir}' is not one of ['asc', 'desc']`);
    return { one, flat, limit: Math.min(MAX_LIMIT, rawLimit === undefined ? MAX_LIMIT : Number(rawLimit)), sortKey: (sortKey || 'flavorid') as FlavorSortKey, sortDir: (sortDir || 'asc') as 'asc' | 'desc', nameAllowed };
  }

  /** _get_flavors. */
  function listFlavors(req: FastifyRequest) {
    const p = parseListQuery(req);
    const ctx = req.ctx;
    let isPublic: boolean | null = true;
    let disabled: boolean | undefined;
    if (ctx.isAdmin) {
      // Only admins may ask for private flavors (_parse_is_public).
      const raw = p.one('is_public');
      if (raw !== undefined) {
        if (isNoneString(raw)) isPublic = null;
        else if (TRUE.includes(raw.trim().toLowerCase())) isPublic = true;
        else if (FALSE.includes(raw.trim().toLowerCase())) isPublic = false;
        else throw new NovaError(400, `Invalid is_public filter [${raw}]`);
      }
    } else {
      disabled = false;
    }
    const int = (k: string, label: string) => {
      const raw = p.one(k);
      if (raw === undefined) return undefined;
      // Python int(): surrounding whitespace and a sign are fine.
      if (!/^\s*[+-]?\d+\s*$/.test(raw)) throw new NovaError(400, `Invalid ${label} filter [${raw}]`);
      return Number(raw);
    };
    const minMemoryMb = int('minRam', 'minRam');
    const minRootGb = int('minDisk', 'minDisk');
    let name: RegExp | undefined;
    const rawName = p.nameAllowed ? p.one('name') : undefined;
    if (rawName !== undefined) {
      try {
        name = new RegExp(rawName);
      } catch {
        name = new RegExp(rawName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
      }
    }
    try {
      const page = s.flavors.list({
        viewer: { isAdmin: ctx.isAdmin, projectId: ctx.projectId }, isPublic, disabled, minMemoryMb, minRootGb, name,
        sortKey: p.sortKey, sortDir: p.sortDir, limit: p.limit, marker: p.one('marker'),
      });
      return { page, p };
    } catch (e) {
      if (e instanceof FlavorMarkerNotFound) throw new NovaError(400, `marker [${e.message}] not found`);
      throw e;
    }
  }

  const listBody = (req: FastifyRequest, collection: 'flavors' | 'flavors/detail', render: (f: FlavorSnapshot) => Record<string, unknown>) => {
    const { page, p } = listFlavors(req);
    const body: Record<string, unknown> = { flavors: page.map(render) };
    const links = flavorCollectionLinks(base(req), collection, p.flat, p.limit, page);
    if (links) body.flavors_links = links;
    return body;
  };

  app.get('/flavors', async (req) => listBody(req, 'flavors', (f) => basicFlavor(f, view(req))));
  app.get('/flavors/detail', async (req) => {
    const o = view(req);
    return listBody(req, 'flavors/detail', (f) => flavorDetail(f, o));
  });

  app.get('/flavors/:id', async (req) => {
    const { id } = req.params as { id: string };
    if (req.apiVersion.matches('2.102')) {
      const extra = Object.keys(req.query as object);
      if (extra.length) throw new NovaError(400, `Additional properties are not allowed (${extra.map((k) => `'${k}'`).join(', ')} ${extra.length > 1 ? 'were' : 'was'} unexpected)`);
    }
    const f = await mapErrors(() => flavors.get(req.ctx, id), { FlavorNotFound: 404 });
    return { flavor: flavorDetail(f, view(req)) };
  });

  app.post('/flavors', async (req) => {
    const v = req.apiVersion;
    const body = parseBody(v.matches('2.102') ? schema.createV2102 : v.matches('2.55') ? schema.createV255 : schema.create, req.body);
    policy.authorize(`${MANAGE}:create`, req.ctx, {});
    const vals = body.flavor as Record<string, unknown> & { name: string; ram: number; vcpus: number; disk: number };
    if (!VALID_NAME.test(vals.name)) {
      throw new NovaError(400, "An invalid 'name' value was provided. The name must be: printable characters. Can not start or end with whitespace.");
    }
    const rawId = vals.id as string | number | null | undefined;
    const flavor = await mapErrors(
      () => flavors.create(req.ctx, {
        // flavors.create: no (or an empty) id means a generated uuid; numbers are kept as their text.
        flavorid: rawId === undefined || rawId === null || rawId === '' || rawId === 0 ? s.runtime.uuid() : String(rawId),
        name: vals.name.trim(),
        memory_mb: vals.ram, vcpus: vals.vcpus, root_gb: vals.disk,
        ephemeral_gb: (vals['OS-FLV-EXT-DATA:ephemeral'] as number | undefined) ?? 0,
        swap: (vals.swap as number | undefined) ?? 0,
        rxtx_factor: (vals.rxtx_factor as number | undefined) ?? 1.0,
        vcpu_weight: 0,
        is_public: (vals['os-flavor-access:is_public'] as boolean | undefined) ?? true,
        extra_specs: {},
        description: v.matches('2.55') ? ((vals.description as string | null | undefined) ?? null) : null,
      }),
      { FlavorExists: 409, FlavorIdExists: 409 },
    );
    // The created flavor is shown with empty extra_specs at 2.61+ (if the policy allows).
    return { flavor: flavorDetail({ ...flavor, extra_specs: {} }, view(req)) };
  });

  app.put('/flavors/:id', async (req) => {
    if (req.apiVersion.lt('2.55')) throw new NovaError(404, 'The resource could not be found.');
    const body = parseBody(schema.update, req.body);
    policy.authorize(`${MANAGE}:update`, req.ctx, {});
    const { id } = req.params as { id: string };
    const f = await mapErrors(() => flavors.get(req.ctx, id), { FlavorNotFound: 404 });
    const updated = flavors.updateDescription(req.ctx, f, body.flavor.description);
    return { flavor: flavorDetail(updated, view(req)) };
  });

  app.delete('/flavors/:id', async (req, reply) => {
    policy.authorize(`${MANAGE}:delete`, req.ctx, {});
    const { id } = req.params as { id: string };
    await mapErrors(() => flavors.destroy(req.ctx, id), { FlavorNotFound: 404 });
    // 202 for backwards compatibility (flavors.py NOTE(oomichi)).
    return reply.code(202).send();
  });

  await app.register(flavorExtraSpecRoutes, { deps });
  await app.register(flavorAccessRoutes, { deps });
}

// /flavors (nova/api/openstack/compute/flavors.py, views/flavors.py).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { FlavorSnapshot } from '../../domain.js';
import { requestBase } from '../../identity/catalog.js';
import { NovaError } from '../errors.js';
import { type Query, lastValue } from '../query.js';
import type { ApiDeps } from '../plugin.js';

export async function flavorRoutes(app: FastifyInstance, opts: { deps: ApiDeps }) {
  const s = opts.deps.services;
  const base = (req: FastifyRequest) => `${requestBase(req)}/compute/v2.1`;
  const links = (req: FastifyRequest, f: FlavorSnapshot) => [
    { href: `${base(req)}/flavors/${f.flavorid}`, rel: 'self' },
    { href: `${requestBase(req)}/compute/flavors/${f.flavorid}`, rel: 'bookmark' },
  ];

  const basic = (req: FastifyRequest, f: FlavorSnapshot) => {
    const out: Record<string, unknown> = { id: f.flavorid, links: links(req, f), name: f.name };
    if (req.apiVersion.matches('2.55')) out.description = f.description;
    return out;
  };

  const detail = (req: FastifyRequest, f: FlavorSnapshot) => {
    const v = req.apiVersion;
    const out: Record<string, unknown> = {
      id: f.flavorid, name: f.name, ram: f.memory_mb, disk: f.root_gb, vcpus: f.vcpus, links: links(req, f),
      'OS-FLV-EXT-DATA:ephemeral': f.ephemeral_gb, 'OS-FLV-DISABLED:disabled': f.disabled, 'os-flavor-access:is_public': f.is_public,
      // Before 2.75 a zero swap is shown as "".
      swap: f.swap === 0 && v.lt('2.75') ? '' : f.swap,
    };
    if (v.lt('2.102')) out.rxtx_factor = f.rxtx_factor;
    if (v.matches('2.55')) out.description = f.description;
    if (v.matches('2.61')) out.extra_specs = f.extra_specs;
    return out;
  };

  const visible = (req: FastifyRequest) => {
    const raw = lastValue(req.query as Query, 'is_public');
    // is_public=None (literal) means all flavors; default: public ones (admins also see all their own).
    const flavors = s.catalog.flavors().filter((f) => !f.disabled);
    if (raw === undefined) return req.ctx.isAdmin ? flavors : flavors.filter((f) => f.is_public);
    if (raw.toLowerCase() === 'none') return flavors;
    const want = ['1', 'true', 't', 'yes', 'y', 'on'].includes(raw.toLowerCase());
    return flavors.filter((f) => f.is_public === want);
  };

  app.get('/flavors', async (req) => ({ flavors: visible(req).map((f) => basic(req, f)) }));
  app.get('/flavors/detail', async (req) => ({ flavors: visible(req).map((f) => detail(req, f)) }));
  app.get('/flavors/:id', async (req) => {
    const { id } = req.params as { id: string };
    const f = s.catalog.flavor(id);
    if (!f) throw new NovaError(404, `Flavor ${id} could not be found.`);
    return { flavor: detail(req, f) };
  });
}

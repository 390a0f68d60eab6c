// /os-keypairs (nova/api/openstack/compute/keypairs.py).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { requestBase } from '../../identity/catalog.js';
import { OVER_QUOTA_ERRORS } from '../../compute/quotas.js';
import { mapErrors } from '../compute-errors.js';
import { type Query, lastValue } from '../query.js';
import { type ApiDeps, parseBody, parseQuery } from '../plugin.js';
import { createSchema, querySchema } from '../schemas/keypairs.js';
import { createView, indexItem, showView } from '../views/keypairs.js';

const RULE = 'os_compute_api:os-keypairs';
const MAX_LIMIT = 1000;

export async function keypairRoutes(app: FastifyInstance, opts: { deps: ApiDeps }) {
  const { policy, compute } = opts.deps;
  const kp = compute.keypairs;

  /** _get_user_id: the first user_id of the query, honoured from 2.10 (the policy decides who may). */
  const targetUser = (req: FastifyRequest) => {
    const q = req.query as Query;
    const raw = req.apiVersion.matches('2.10') ? q.user_id : undefined;
    const first = Array.isArray(raw) ? raw[0] : raw;
    return first || req.ctx.userId;
  };

  app.post('/os-keypairs', async (req, reply) => {
    const v = req.apiVersion;
    const body = parseBody(createSchema(v), req.body).keypair as { name: string; public_key?: string; type?: 'ssh' | 'x509'; user_id?: string };
    const userId = (v.matches('2.10') && body.user_id) || req.ctx.userId;
    policy.authorize(`${RULE}:create`, req.ctx, { user_id: userId });
    const name = body.name.trim();
    const errors = { ...OVER_QUOTA_ERRORS, InvalidKeypair: 400, KeyPairExists: 409 };
    const made = await mapErrors(async () => {
      if (body.public_key !== undefined) return { keypair: kp.importKeyPair(req.ctx, userId, name, body.public_key, body.type ?? 'ssh'), privateKey: null };
      return kp.createKeyPair(req.ctx, userId, name, body.type ?? 'ssh');
    }, errors);
    reply.code(v.matches('2.2') ? 201 : 200);
    return createView(v, made.keypair, made.privateKey);
  });

  app.get('/os-keypairs', async (req) => {
    const v = req.apiVersion;
    const q = parseQuery(querySchema(v, true), req.query) as { limit?: number };
    const userId = targetUser(req);
    policy.authorize(`${RULE}:index`, req.ctx, { user_id: userId });
    const paging = v.matches('2.35');
    const limit = paging ? Math.min(q.limit ?? MAX_LIMIT, MAX_LIMIT) : MAX_LIMIT * 1000;
    const marker = paging ? lastValue(req.query as Query, 'marker') : undefined;
    const keys = await mapErrors(() => kp.list(userId, limit, marker), { MarkerNotFound: 400 });
    const body: Record<string, unknown> = { keypairs: keys.map((k) => indexItem(v, k)) };
    // ViewBuilder._get_collection_links: a next link when the page is full.
    if (paging && limit > 0 && keys.length === limit) {
      const params = new URLSearchParams();
      for (const [k, val] of Object.entries(req.query as Query)) if (val !== undefined) params.set(k, String(Array.isArray(val) ? val[0] : val));
      params.set('marker', keys[keys.length - 1].name);
      body.keypairs_links = [{ href: `${requestBase(req)}/compute/v2.1/os-keypairs?${params.toString()}`, rel: 'next' }];
    }
    return body;
  });

  app.get('/os-keypairs/:name', async (req) => {
    const v = req.apiVersion;
    parseQuery(querySchema(v, false), req.query);
    const userId = targetUser(req);
    policy.authorize(`${RULE}:show`, req.ctx, { user_id: userId });
    const k = await mapErrors(() => kp.get(userId, (req.params as { name: string }).name), { KeypairNotFound: 404 });
    return showView(v, k);
  });

  app.delete('/os-keypairs/:name', async (req, reply) => {
    const v = req.apiVersion;
    parseQuery(querySchema(v, false), req.query);
    const userId = targetUser(req);
    policy.authorize(`${RULE}:delete`, req.ctx, { user_id: userId });
    await mapErrors(() => kp.deleteKeyPair(req.ctx, userId, (req.params as { name: string }).name), { KeypairNotFound: 404 });
    return reply.code(v.matches('2.2') ? 204 : 202).send();
  });
}

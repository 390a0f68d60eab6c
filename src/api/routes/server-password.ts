// GET/DELETE /servers/{id}/os-server-password (nova/api/openstack/compute/server_password.py): the
// encrypted password the metadata service stored in system_metadata (password_0..3), or "".
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { mapErrors } from '../compute-errors.js';
import type { ApiDeps } from '../plugin.js';
import { saveInstance } from '../../compute/instance-save.js';

const RULE = 'os_compute_api:os-server-password';
/** nova/api/metadata/password.py: four 255-character chunks. */
const CHUNKS = 4;

export async function serverPasswordRoutes(app: FastifyInstance, opts: { deps: ApiDeps }) {
  const { services: s, policy, compute } = opts.deps;
  const getInstance = (req: FastifyRequest) => mapErrors(() => compute.get(req.ctx, (req.params as { id: string }).id), { InstanceNotFound: 404 });

  app.get('/servers/:id/os-server-password', async (req) => {
    const i = await getInstance(req);
    policy.authorize(`${RULE}:show`, req.ctx, { project_id: i.project_id });
    // password.extract_password: the chunks joined, None (→ "") when there are none.
    let pw = '';
    for (let n = 0; n < CHUNKS; n++) pw += i.system_metadata[`password_${n}`] ?? '';
    return { password: pw };
  });

  app.delete('/servers/:id/os-server-password', async (req, reply) => {
    const i = await getInstance(req);
    policy.authorize(`${RULE}:clear`, req.ctx, { project_id: i.project_id });
    // convert_password(None): every chunk set to "".
    const sys = { ...i.system_metadata };
    for (let n = 0; n < CHUNKS; n++) sys[`password_${n}`] = '';
    // instance.system_metadata.update(meta); instance.save(): a save only when the dict changed
    // (Instance.obj_what_changed compares it with the original), then send_update.
    const changed = Array.from({ length: CHUNKS }, (_, n) => `password_${n}`).some((k) => i.system_metadata[k] !== '');
    if (changed) s.db.transaction(() => saveInstance(s, opts.deps.notifier, req.ctx, i.uuid, { system_metadata: sys, updated_at: s.runtime.now() }))();
    return reply.code(204).send();
  });
}

// /servers/{server_id}/os-volume_attachments: index, show, attach, detach and update/swap.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Instance } from '../../domain.js';
import { mapErrors } from '../compute-errors.js';
import { NovaError, invalidState } from '../errors.js';
import { type ApiDeps, parseBody, parseQuery } from '../plugin.js';
import * as schema from '../schemas/volume-attachments.js';
import { attachmentView } from '../views/volume-attachments.js';

const RULE = 'os_compute_api:os-volumes-attachments';
type Params = { server_id: string; volume_id: string };

export async function volumeAttachmentRoutes(app: FastifyInstance, opts: { deps: ApiDeps }) {
  const { services: s, policy, compute } = opts.deps;

  const instanceOf = (req: FastifyRequest): Promise<Instance> =>
    mapErrors(() => compute.get(req.ctx, (req.params as Params).server_id), { InstanceNotFound: 404 });

  /** Shelved servers need 2.20 to attach/detach (_check_request_version). */
  const checkShelved = (req: FastifyRequest, i: Instance, action: string) => {
    if ((i.vm_state === 'shelved' || i.vm_state === 'shelved_offloaded') && req.apiVersion.lt('2.20')) {
      throw invalidState(action, i.uuid, 'vm_state', i.vm_state);
    }
  };

  /** HEAD (post-33.0.0): at ≥2.89 BDMs without a Cinder attachment id are not shown. */
  const visible = (req: FastifyRequest, attachmentId: string | null) =>
    !(s.profile.switches.hideLegacyBdmsFrom289 && req.apiVersion.matches('2.89') && attachmentId === null);

  app.get('/servers/:server_id/os-volume_attachments', async (req) => {
    const q = parseQuery(req.apiVersion.matches('2.75') ? schema.indexQueryV275 : schema.indexQuery, req.query);
    const instance = await instanceOf(req);
    policy.authorize(`${RULE}:index`, req.ctx, { project_id: instance.project_id });
    const bdms = s.bdms.listForInstance(instance.uuid).filter((b) => b.volume_id && visible(req, b.attachment_id));
    // common.limited: offset, then at most min(limit, 1000).
    const offset = q.offset ?? 0;
    const limit = Math.min(q.limit ?? 1000, 1000);
    return { volumeAttachments: bdms.slice(offset, offset + limit).map((b) => attachmentView(b, req.apiVersion)) };
  });

  app.get('/servers/:server_id/os-volume_attachments/:volume_id', async (req) => {
    const { volume_id } = req.params as Params;
    const instance = await instanceOf(req);
    policy.authorize(`${RULE}:show`, req.ctx, { project_id: instance.project_id });
    const bdm = s.bdms.getByVolumeAndInstance(volume_id, instance.uuid);
    if (!bdm || !visible(req, bdm.attachment_id)) throw new NovaError(404, `Instance ${instance.uuid} is not attached to volume ${volume_id}`);
    return { volumeAttachment: attachmentView(bdm, req.apiVersion) };
  });

  app.post('/servers/:server_id/os-volume_attachments', async (req, reply) => {
    const v = req.apiVersion;
    const body = parseBody(v.matches('2.79') ? schema.createV279 : v.matches('2.49') ? schema.createV249 : schema.createV21, req.body);
    const att = body.volumeAttachment as { volumeId: string; device?: string | null; tag?: string; delete_on_termination?: boolean };
    const instance = await instanceOf(req);
    policy.authorize(`${RULE}:create`, req.ctx, { project_id: instance.project_id });
    checkShelved(req, instance, 'attach_volume');
    const deleteOnTermination = att.delete_on_termination ?? false;
    const bdm = await compute.volumeLocks.with([att.volumeId], () => mapErrors(
      () => compute.attachVolume(req.ctx, instance, {
        volumeId: att.volumeId, device: att.device ?? null, tag: att.tag ?? null, deleteOnTermination, supportsMultiattach: v.matches('2.60'),
      }),
      {
        VolumeNotFound: 404, InstanceIsLocked: 409, DevicePathInUse: 409, InvalidVolume: 400, InvalidDevicePath: 400, InvalidInput: 400,
        VolumeTaggedAttachNotSupported: 400, MultiattachNotSupportedOldMicroversion: 400, MultiattachToShelvedNotSupported: 400, TooManyDiskDevices: 403,
      },
      { action: 'attach_volume', uuid: instance.uuid },
    ));
    const from = s.profile.switches.attachNoBodyFrom;
    if (from && v.matches(from)) return reply.code(202).send();
    const out: Record<string, unknown> = { id: att.volumeId, serverId: instance.uuid, volumeId: att.volumeId, device: bdm.device_name };
    if (v.matches('2.70')) out.tag = att.tag ?? null;
    if (v.matches('2.79')) out.delete_on_termination = deleteOnTermination;
    return { volumeAttachment: out };
  });

  app.delete('/servers/:server_id/os-volume_attachments/:volume_id', async (req, reply) => {
    const { volume_id } = req.params as Params;
    const instance = await instanceOf(req);
    policy.authorize(`${RULE}:delete`, req.ctx, { project_id: instance.project_id });
    checkShelved(req, instance, 'detach_volume');
    await compute.volumeLocks.with([volume_id], async () => {
      const volume = await mapErrors(() => compute.getVolumeForApi(req.ctx, volume_id), { VolumeNotFound: 404 });
      const bdm = s.bdms.getByVolumeAndInstance(volume_id, instance.uuid);
      if (!bdm) throw new NovaError(404, `Instance ${instance.uuid} is not attached to volume ${volume_id}`);
      if (bdm.boot_index === 0) throw new NovaError(400, 'Cannot detach a root device volume');
      await mapErrors(() => compute.detachVolume(req.ctx, instance, volume), { InvalidVolume: 400, InvalidInput: 400, InstanceIsLocked: 409, ServiceUnavailable: 409 }, {
        action: 'detach_volume', uuid: instance.uuid,
      });
    });
    return reply.code(202).send();
  });

  app.put('/servers/:server_id/os-volume_attachments/:volume_id', async (req, reply) => {
    const v = req.apiVersion;
    const onlySwap = v.lt('2.85');
    const body = parseBody(onlySwap ? schema.updateV21 : schema.updateV285, req.body);
    const att = body.volumeAttachment as { volumeId: string; device?: string | null; tag?: string; delete_on_termination?: boolean; serverId?: string; id?: string };
    const { volume_id: oldId } = req.params as Params;
    const instance = await instanceOf(req);
    if (onlySwap || oldId !== att.volumeId) policy.authorize(`${RULE}:swap`, req.ctx, {});
    else policy.authorize(`${RULE}:update`, req.ctx, { project_id: instance.project_id });
    if (!onlySwap) {
      // _update_volume_regular: keyed by the path id; saved before any swap check runs.
      const bdm = s.bdms.getByVolumeAndInstance(oldId, instance.uuid);
      if (!bdm) throw new NovaError(404, `No volume Block Device Mapping with id ${oldId}.`);
      if ('id' in att && att.id !== oldId) throw new NovaError(400, 'The id property is not mutable');
      if ('serverId' in att && att.serverId !== instance.uuid) throw new NovaError(400, 'The serverId property is not mutable');
      if ('device' in att && att.device !== bdm.device_name) throw new NovaError(400, 'The device property is not mutable');
      if ('tag' in att && att.tag !== bdm.tag) throw new NovaError(400, 'The tag property is not mutable');
      if (att.delete_on_termination !== undefined) s.bdms.update(bdm.id, { delete_on_termination: att.delete_on_termination, updated_at: s.runtime.now() });
      if (oldId === att.volumeId) return reply.code(202).send();
    }
    await compute.volumeLocks.with([oldId, att.volumeId], () => swap(req, instance, oldId, att.volumeId));
    return reply.code(202).send();
  });

  /** _update_volume_swap. */
  async function swap(req: FastifyRequest, instance: Instance, oldId: string, newId: string) {
    const oldVolume = await mapErrors(() => compute.getVolumeForApi(req.ctx, oldId), { VolumeNotFound: 404 });
    if (s.profile.switches.swapRequiresMigration && !oldVolume.migration_status) {
      // Nova bug 2112187 (commit 93c0f9bc74): only Cinder's migration may swap.
      throw new NovaError(409, `volume ${oldId} is not migrating; this API should only be called by Cinder`);
    }
    // A missing volume named in the body is a 400, not a 404 (API-WG guideline).
    const newVolume = await mapErrors(() => compute.getVolumeForApi(req.ctx, newId), { VolumeNotFound: 400 });
    await mapErrors(
      () => compute.swapVolume(req.ctx, instance, oldVolume, newVolume),
      { VolumeBDMNotFound: 404, InvalidVolume: 400, MultiattachSwapVolumeNotSupported: 400, InstanceIsLocked: 409 },
      { action: 'swap_volume', uuid: instance.uuid },
    );
  }
}

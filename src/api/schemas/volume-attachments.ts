// nova/api/openstack/compute/schemas/volume_attachments.py, one zod schema per microversion range.
import { z } from 'zod';
import { booleanLike, device, nonNegativeIntQuery, tag, uuid } from './common.js';

const createBase = { volumeId: uuid, device: device.optional() };

export const createV21 = z.object({ volumeAttachment: z.object(createBase).strict() }).strict();
export const createV249 = z.object({ volumeAttachment: z.object({ ...createBase, tag: tag.optional() }).strict() }).strict();
export const createV279 = z
  .object({ volumeAttachment: z.object({ ...createBase, tag: tag.optional(), delete_on_termination: booleanLike.optional() }).strict() })
  .strict();

export const updateV21 = z.object({ volumeAttachment: z.object({ volumeId: uuid }).strict() }).strict();
export const updateV285 = z
  .object({
    volumeAttachment: z
      .object({
        volumeId: uuid,
        device: device.optional(),
        tag: tag.optional(),
        delete_on_termination: booleanLike.optional(),
        serverId: uuid.optional(),
        id: uuid.optional(),
      })
      .strict(),
  })
  .strict();

const indexBase = { limit: nonNegativeIntQuery.optional(), offset: nonNegativeIntQuery.optional() };
export const indexQuery = z.object(indexBase).passthrough();
export const indexQueryV275 = z.object(indexBase).strict();

// nova/api/openstack/compute/schemas/attach_interfaces.py.
import { isIP } from 'node:net';
import { z } from 'zod';
import { tag, uuid } from './common.js';

const ipAddress = z.string().refine((v) => isIP(v) !== 0, { message: "PY:{value} is not a 'ip-address'" });
const base = {
  net_id: uuid.optional(),
  port_id: uuid.optional(),
  fixed_ips: z.array(z.object({ ip_address: ipAddress }).strict()).min(1).max(1).optional(),
};
export const createV21 = z.object({ interfaceAttachment: z.object(base).strict().optional() }).strict();
export const createV249 = z.object({ interfaceAttachment: z.object({ ...base, tag: tag.optional() }).strict().optional() }).strict();

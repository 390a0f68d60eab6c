// nova/api/openstack/compute/schemas/server_external_events.py: the event names allowed per microversion.
import { z } from 'zod';
import { uuid } from './common.js';

const NAMES_21 = ['network-changed', 'network-vif-plugged', 'network-vif-unplugged', 'network-vif-deleted'];
const ADDED: [string, string][] = [['2.51', 'volume-extended'], ['2.76', 'power-update'], ['2.82', 'accelerator-request-bound'], ['2.93', 'volume-reimaged']];

export function namesFor(matches: (v: string) => boolean): string[] {
  return [...NAMES_21, ...ADDED.filter(([v]) => matches(v)).map(([, n]) => n)];
}

export const create = (names: string[]) =>
  z
    .object({
      events: z
        .array(
          z
            .object({
              server_uuid: uuid,
              name: z.string().refine((n) => names.includes(n), { message: `PY:{value} is not one of [${names.map((n) => `'${n}'`).join(', ')}]` }),
              status: z.enum(['failed', 'completed', 'in-progress']).optional(),
              tag: z.string().max(255).optional(),
            })
            .strict(),
        )
        .min(1),
    })
    .strict();

// The `group` scheduler hint of POST /servers (schemas/servers.py _hints: a uuid or a list of uuids).
import { NovaError } from '../errors.js';
import { pyRepr, pyStr } from '../../validation.js';
import { isUuidLike } from './common.js';

/** The server group named by os:scheduler_hints (or OS-SCH-HNT:scheduler_hints), validated as Nova's schema does. */
export function schedulerHintGroup(body: Record<string, unknown>): string | null {
  const hints = (body['os:scheduler_hints'] ?? body['OS-SCH-HNT:scheduler_hints']) as Record<string, unknown> | undefined;
  const g = hints?.group;
  if (g === undefined) return null;
  const ok = typeof g === 'string' ? isUuidLike(g) : Array.isArray(g) && g.every((x) => typeof x === 'string' && isUuidLike(x));
  if (!ok) throw new NovaError(400, `Invalid input for field/attribute group. Value: ${pyStr(g)}. ${pyRepr(g)} is not valid under any of the given schemas`);
  // _get_requested_instance_group passes the hint to InstanceGroup.get_by_uuid; a list's first entry names the group.
  return typeof g === 'string' ? g : ((g as string[])[0] ?? null);
}

// The placement half of POST /servers (ServersController.create): the legacy forced-host zone syntax,
// its admin-only policy and zone validation, and os:scheduler_hints in RequestSpec's list form.
import type { RequestContext } from '../domain.js';
import { parseAvailabilityZone, validateHostAvailabilityZone } from '../compute/availability-zones.js';
import { ComputeException } from '../compute/exceptions.js';
import { NovaError } from './errors.js';
import type { ApiDeps } from './plugin.js';

export interface Placement {
  availabilityZone: string | null;
  forcedHost: string | null;
  forcedNode: string | null;
  schedulerHints: Record<string, string[]>;
}

export function forcedPlacement(deps: ApiDeps, ctx: RequestContext, rawAz: string | undefined, body: Record<string, unknown>): Placement {
  let parsed;
  try {
    parsed = parseAvailabilityZone(rawAz ?? null);
  } catch (e) {
    throw new NovaError(400, (e as ComputeException).message);
  }
  let az = parsed.az;
  if (parsed.host || parsed.node) {
    deps.policy.authorize('os_compute_api:servers:create:forced_host', ctx, { project_id: ctx.projectId });
    az = validateHostAvailabilityZone(deps.services, az, parsed.host);
  }
  const rawHints = (body['os:scheduler_hints'] ?? body['OS-SCH-HNT:scheduler_hints'] ?? {}) as Record<string, unknown>;
  // RequestSpec._from_hints: every hint value is kept as a list of strings; `_nova*` keys are dropped.
  const schedulerHints: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(rawHints)) {
    if (k.startsWith('_nova')) continue;
    schedulerHints[k] = (Array.isArray(v) ? v : [v]).map((x) => String(x));
  }
  return { availabilityZone: az, forcedHost: parsed.host, forcedNode: parsed.node, schedulerHints };
}

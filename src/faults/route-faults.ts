// Generic faults on any route of any service, beside the named operation faults: matched by service, method,
// path pattern (and optionally the caller's project/user), answering a status in that service's envelope
// (429 with Retry-After, 503, 504…), adding latency or dropping the connection — `times`, an expiry and a
// seeded probability make them deterministic (the clock is the simulator's, frozen under --deterministic).
import { z } from 'zod';
import { mulberry32 } from '../runtime.js';

export const ROUTE_SERVICES = ['compute', 'volume', 'identity', 'image', 'network', 'share', 'any'] as const;
export type RouteService = (typeof ROUTE_SERVICES)[number];

export const RouteFaultSpecSchema = z
  .object({
    /** `cinder` is accepted for `volume`, `nova` for `compute`, `keystone` for `identity`, `glance` for `image`, `neutron` for `network`, `manila` for `share`. */
    service: z.preprocess(
      (v) => ({ cinder: 'volume', nova: 'compute', keystone: 'identity', glance: 'image', neutron: 'network', manila: 'share' })[v as string] ?? v,
      z.enum(ROUTE_SERVICES),
    ),
    route: z
      .object({
        method: z.string().regex(/^([A-Za-z]+|\*)$/).max(10).default('*'),
        /** Glob on the request path (no query): `*` one segment, `**` any depth; full (`/compute/v2.1/servers/*`) or below the service's mount (`/v2.1/servers/*`). */
        path: z.string().min(1).max(1000).default('/**'),
        project_id: z.string().min(1).max(255).optional(),
        user_id: z.string().min(1).max(255).optional(),
      })
      .strict(),
    times: z.number().int().min(1).max(1_000_000).default(1),
    /** Disarmed after this many milliseconds of simulator time, or at this instant. */
    expires_in_ms: z.number().int().min(1).max(10 * 365 * 86_400_000).optional(),
    expires_at: z.iso.datetime({ offset: true }).optional(),
    /** Chance that a matching request is hit (a miss consumes nothing); draws come from `seed`. */
    probability: z.number().min(0).max(1).default(1),
    seed: z.number().int().min(0).max(2 ** 32 - 1).optional(),
    response: z
      .object({
        status: z.number().int().min(400).max(599).optional(),
        message: z.string().max(4096).optional(),
        headers: z.record(z.string().regex(/^[A-Za-z0-9-]{1,100}$/), z.string().max(4096)).optional(),
        /** Seconds for Retry-After (default 1 on a 429). */
        retry_after: z.number().int().min(0).max(86_400).optional(),
        delay_ms: z.number().int().min(0).max(600_000).optional(),
        /** Close the connection without an answer (after any delay). */
        drop: z.literal(true).optional(),
      })
      .strict()
      .refine((r) => r.status !== undefined || r.delay_ms !== undefined || r.drop, { message: 'response needs status, delay_ms or drop' })
      .refine((r) => !(r.drop && r.status !== undefined), { message: 'drop and status are exclusive' }),
  })
  .strict()
  .refine((f) => !(f.expires_in_ms !== undefined && f.expires_at !== undefined), { message: 'give expires_in_ms or expires_at, not both' });

export type RouteFaultSpec = z.input<typeof RouteFaultSpecSchema>;
export type RouteFault = z.output<typeof RouteFaultSpecSchema> & { id: string; hits: number; remaining: number; expires: string | null; seed: number };

export interface RouteRequest {
  service: Exclude<RouteService, 'any'>;
  method: string;
  /** Path without query string. */
  path: string;
  /** Path below the service's mount. */
  servicePath: string;
  /** Resolved lazily: only faults filtering on project/user need the caller. */
  caller: () => { projectId: string; userId: string } | null;
}


const globCache = new Map<string, RegExp>();
export function globToRegExp(glob: string): RegExp {
  let re = globCache.get(glob);
  if (!re) {
    const body = glob
      .split(/(\*\*|\*)/)
      .map((part) => (part === '**' ? '.*' : part === '*' ? '[^/]*' : part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')))
      .join('');
    re = new RegExp(`^${body}/?$`);
    if (globCache.size > 1000) globCache.clear();
    globCache.set(glob, re);
  }
  return re;
}

export class RouteFaults {
  private faults: (RouteFault & { draw: () => number })[] = [];
  private next = 1;

  get size(): number {
    return this.faults.length;
  }

  add(spec: RouteFaultSpec, now: Date, defaultSeed: () => number): RouteFault {
    const p = RouteFaultSpecSchema.parse(spec);
    const expires = p.expires_at ? new Date(p.expires_at).toISOString() : p.expires_in_ms ? new Date(now.getTime() + p.expires_in_ms).toISOString() : null;
    const seed = p.seed ?? defaultSeed();
    const f = { ...p, id: `route-fault-${this.next++}`, hits: 0, remaining: p.times, expires, seed, draw: mulberry32(seed) };
    this.faults.push(f);
    return this.view(f);
  }

  private view(f: RouteFault & { draw?: unknown }): RouteFault {
    const { draw: _draw, ...rest } = f as RouteFault & { draw?: unknown };
    return { ...rest };
  }

  list(): RouteFault[] {
    return this.faults.map((f) => this.view(f));
  }

  clear(): void {
    this.faults = [];
  }

  remove(id: string): boolean {
    const before = this.faults.length;
    this.faults = this.faults.filter((f) => f.id !== id);
    return before !== this.faults.length;
  }

  /** The first armed, unexpired fault matching the request whose draw hits; consumes one of its `times`. */
  take(r: RouteRequest, now: Date): RouteFault | null {
    for (const f of this.faults) {
      if (f.remaining <= 0) continue;
      if (f.expires && now.getTime() >= Date.parse(f.expires)) continue;
      if (f.service !== 'any' && f.service !== r.service) continue;
      if (f.route.method !== '*' && f.route.method.toUpperCase() !== r.method.toUpperCase()) continue;
      const re = globToRegExp(f.route.path);
      if (!re.test(r.path) && !re.test(r.servicePath)) continue;
      if (f.route.project_id || f.route.user_id) {
        const c = r.caller();
        if (!c) continue;
        if (f.route.project_id && f.route.project_id !== c.projectId) continue;
        if (f.route.user_id && f.route.user_id !== c.userId) continue;
      }
      if (f.probability < 1 && !(f.draw() < f.probability)) continue;
      f.remaining -= 1;
      f.hits += 1;
      return this.view(f);
    }
    return null;
  }
}

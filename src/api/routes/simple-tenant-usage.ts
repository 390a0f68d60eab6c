// os-simple-tenant-usage (nova/api/openstack/compute/simple_tenant_usage.py): usage of every
// project (admin) or of one, over ?start=&end= (default: now), paged from 2.40.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Instance } from '../../domain.js';
import { requestBase } from '../../identity/catalog.js';
import { UsageStore } from '../../store/usage.js';
import { NovaError } from '../errors.js';
import type { ApiDeps } from '../plugin.js';
import { type Query, lastValue } from '../query.js';

const RULE = 'os_compute_api:os-simple-tenant-usage';
const MAX_LIMIT = 1000;

/** datetime.isoformat() of a naive UTC time: microseconds only when non-zero. */
const pyIso = (d: Date) => {
  const s = d.toISOString().replace('Z', '');
  return s.endsWith('.000') ? s.slice(0, -4) : `${s}000`;
};

/** _parse_datetime: the three strptime formats; no value means now. */
function parseDatetime(raw: string | undefined, now: Date): Date {
  if (!raw) return now;
  const m = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?$/.exec(raw);
  const tIsoOk = m && (raw[10] === 'T' || m[7] !== undefined);
  if (!m || !tIsoOk) throw new NovaError(400, 'Invalid datetime string: Datetime is in invalid format');
  const [, y, mo, d, h, mi, s, frac] = m;
  const date = new Date(Date.UTC(+y, +mo - 1, +d, +h, +mi, +s, frac ? Math.floor(Number(frac.padEnd(6, '0')) / 1000) : 0));
  if (Number.isNaN(date.getTime()) || date.getUTCDate() !== +d) throw new NovaError(400, 'Invalid datetime string: Datetime is in invalid format');
  return date;
}

export async function simpleTenantUsageRoutes(app: FastifyInstance, opts: { deps: ApiDeps }) {
  const { services: s, policy } = opts.deps;
  const usage = new UsageStore(s.db, s.instances);

  function period(req: FastifyRequest) {
    const q = req.query as Query;
    // parse_qs takes the first value of a repeated key.
    const first = (k: string) => {
      const v = q[k];
      return Array.isArray(v) ? v[0] : v;
    };
    const now = s.runtime.now();
    const start = parseDatetime(first('start'), now);
    let stop = parseDatetime(first('end'), now);
    if (!(start < stop)) throw new NovaError(400, 'Invalid start time. The start time cannot occur after the end time.');
    if (stop > now) stop = now;
    return { start, stop, detailed: first('detailed') === '1', now };
  }

  function paging(req: FastifyRequest, links: boolean) {
    if (!links) return { limit: MAX_LIMIT, marker: null as string | null };
    const q = req.query as Query;
    const raw = lastValue(q, 'limit');
    if (raw !== undefined && !/^[0-9]+$/.test(raw)) throw new NovaError(400, `Invalid input for query parameters limit. Value: ${raw}. '${raw}' does not match '^[0-9]*$'`);
    return { limit: Math.min(MAX_LIMIT, raw === undefined ? MAX_LIMIT : Number(raw)), marker: lastValue(q, 'marker') ?? null };
  }

  /** _hours_for. */
  const hoursFor = (i: Instance, start: Date, stop: Date) => {
    if (i.terminated_at && i.terminated_at < start) return 0;
    if (i.launched_at && i.launched_at > stop) return 0;
    if (!i.launched_at) return 0;
    const from = Math.max(i.launched_at.getTime(), start.getTime());
    const to = i.terminated_at ? Math.min(stop.getTime(), i.terminated_at.getTime()) : stop.getTime();
    return (to - from) / 3_600_000;
  };

  /** _tenant_usages_for_period. */
  function usagesFor(p: ReturnType<typeof period>, tenantId: string | null, detailed: boolean, limit: number, marker: string | null) {
    const instances = usage.activeByWindow(p.start, p.stop, tenantId, limit, marker);
    if (instances === null) throw new NovaError(400, `Marker ${marker} could not be found.`);
    const byTenant = new Map<string, Record<string, unknown> & { server_usages?: unknown[] }>();
    const all: { instance_id: string }[] = [];
    for (const i of instances) {
      const hours = hoursFor(i, p.start, p.stop);
      const startedAt = i.launched_at;
      const endedAt = i.terminated_at;
      const info = {
        hours, flavor: i.flavor.name, instance_id: i.uuid, name: i.display_name, tenant_id: i.project_id,
        memory_mb: i.flavor.memory_mb, local_gb: i.flavor.root_gb + i.flavor.ephemeral_gb, vcpus: i.flavor.vcpus,
        started_at: startedAt ? pyIso(startedAt) : null, ended_at: endedAt ? pyIso(endedAt) : null,
        state: endedAt ? 'terminated' : i.vm_state,
        uptime: startedAt ? Math.trunc(((endedAt ?? p.now).getTime() - startedAt.getTime()) / 1000) : 0,
      };
      let sum = byTenant.get(i.project_id);
      if (!sum) {
        sum = { tenant_id: i.project_id, ...(detailed ? { server_usages: [] } : {}), total_local_gb_usage: 0, total_vcpus_usage: 0, total_memory_mb_usage: 0, total_hours: 0, start: pyIso(p.start), stop: pyIso(p.stop) };
        byTenant.set(i.project_id, sum);
      }
      sum.total_local_gb_usage = (sum.total_local_gb_usage as number) + info.local_gb * hours;
      sum.total_vcpus_usage = (sum.total_vcpus_usage as number) + info.vcpus * hours;
      sum.total_memory_mb_usage = (sum.total_memory_mb_usage as number) + info.memory_mb * hours;
      sum.total_hours = (sum.total_hours as number) + hours;
      all.push(info);
      if (detailed) sum.server_usages!.push(info);
    }
    return { usages: [...byTenant.values()], all };
  }

  const nextLinks = (req: FastifyRequest, coll: string, items: { instance_id: string }[], limit: number) => {
    if (!limit || items.length !== limit) return null;
    const q = req.query as Query;
    const params = new URLSearchParams();
    for (const k of Object.keys(q)) if (k !== 'marker') params.set(k, lastValue(q, k) as string);
    params.set('marker', items[items.length - 1].instance_id);
    return [{ href: `${requestBase(req)}/compute/v2.1/${coll}?${params.toString()}`, rel: 'next' }];
  };

  app.get('/os-simple-tenant-usage', async (req) => {
    const links = req.apiVersion.matches('2.40');
    policy.authorize(`${RULE}:list`, req.ctx, { project_id: req.ctx.projectId });
    const p = period(req);
    const { limit, marker } = paging(req, links);
    const { usages, all } = usagesFor(p, null, p.detailed, limit, marker);
    const body: Record<string, unknown> = { tenant_usages: usages };
    const l = links ? nextLinks(req, 'os-simple-tenant-usage', all, limit) : null;
    if (l) body.tenant_usages_links = l;
    return body;
  });

  app.get('/os-simple-tenant-usage/:tenant', async (req) => {
    const links = req.apiVersion.matches('2.40');
    const { tenant } = req.params as { tenant: string };
    policy.authorize(`${RULE}:show`, req.ctx, { project_id: tenant });
    const p = period(req);
    const { limit, marker } = paging(req, links);
    const { usages, all } = usagesFor(p, tenant, true, limit, marker);
    const body: Record<string, unknown> = { tenant_usage: usages[0] ?? {} };
    const l = links ? nextLinks(req, `os-simple-tenant-usage/${tenant}`, all, limit) : null;
    if (l) body.tenant_usage_links = l;
    return body;
  });
}

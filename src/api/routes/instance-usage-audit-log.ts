// os-instance-usage-audit-log (nova/api/openstack/compute/instance_usage_audit_log.py): the
// instance_usage_audit task logs of the last completed (monthly) audit period per compute host.
// novasim's compute hosts run no usage audit ([DEFAULT]instance_usage_audit defaults to False),
// so every host is "not run", as on a default Nova.
import type { FastifyInstance } from 'fastify';
import { NovaError } from '../errors.js';
import type { ApiDeps } from '../plugin.js';

const RULE = 'os_compute_api:os-instance-usage-audit-log';

/** utils.last_completed_audit_period(unit='month', before). */
function lastCompletedMonth(before: Date): [Date, Date] {
  const end = new Date(Date.UTC(before.getUTCFullYear(), before.getUTCMonth(), 1));
  const begin = new Date(Date.UTC(end.getUTCFullYear(), end.getUTCMonth() - 1, 1));
  return [begin, end];
}

/** str(datetime): "2012-06-01 00:00:00". */
const pyStr = (d: Date) => d.toISOString().replace('T', ' ').replace(/\.000Z$/, '').replace(/Z$/, '');

export async function instanceUsageAuditLogRoutes(app: FastifyInstance, opts: { deps: ApiDeps }) {
  const { services: s, policy } = opts.deps;

  const report = (before: Date) => {
    const [begin, end] = lastCompletedMonth(before);
    // Every nova-compute service is a host the audit ran (or not) on.
    const hosts = s.hosts.services().filter((sv) => sv.binary === 'nova-compute').map((sv) => sv.host);
    return {
      period_beginning: pyStr(begin), period_ending: pyStr(end), num_hosts: hosts.length, num_hosts_done: 0, num_hosts_running: 0,
      num_hosts_not_run: hosts.length, hosts_not_run: hosts, total_instances: 0, total_errors: 0,
      overall_status: `${hosts.length === 0 ? 'ALL' : `0 of ${hosts.length}`} hosts done. 0 errors.`, log: {},
    };
  };

  app.get('/os-instance-usage-audit-log', async (req) => {
    policy.authorize(`${RULE}:list`, req.ctx, {});
    return { instance_usage_audit_logs: report(s.runtime.now()) };
  });

  app.get('/os-instance-usage-audit-log/:before', async (req) => {
    policy.authorize(`${RULE}:show`, req.ctx, {});
    const id = (req.params as { before: string }).before;
    const m = id.includes('.') ? /^(\d{4})-(\d{1,2})-(\d{1,2}) (\d{1,2}):(\d{1,2}):(\d{1,2})\.(\d{1,6})$/.exec(id) : /^(\d{4})-(\d{1,2})-(\d{1,2}) (\d{1,2}):(\d{1,2}):(\d{1,2})$/.exec(id);
    const d = m ? new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6])) : null;
    if (!m || !d || Number.isNaN(d.getTime()) || d.getUTCDate() !== +m[3]) throw new NovaError(400, `Invalid timestamp for date ${id}`);
    return { instance_usage_audit_log: report(d) };
  });
}

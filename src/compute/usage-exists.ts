// nova/compute/utils.py notify_usage_exists (versioned half: instance.exists, InstanceExistsPayload)
// with nova/notifications/base.py audit_period_bounds and nova/utils.py last_completed_audit_period,
// driven by [DEFAULT] instance_usage_audit_period (config `instanceUsageAuditPeriod`). Nova has no
// bandwidth in InstanceExistsPayload since 2.0, so there is none here either. Callers: rebuild
// (_do_rebuild_instance), rescue, and (resize) prep_resize.
import type { BlockDeviceMapping, Instance, RequestContext } from '../domain.js';
import type { Services } from '../services.js';
import type { ComputeNotifier } from './notifier-port.js';

export interface AuditPeriodBounds {
  beginning: Date;
  ending: Date;
}

const utc = (y: number, m: number, d: number, h = 0, min = 0) => new Date(Date.UTC(y, m, d, h, min));

/** utils.last_completed_audit_period(unit, before): the last whole period ending at or before `rightnow`. */
export function lastCompletedAuditPeriod(unitSpec: string, rightnow: Date): AuditPeriodBounds {
  let unit = unitSpec;
  let offset = 0;
  if (unit.includes('@')) {
    const [u, o] = unit.split('@', 2);
    unit = u;
    offset = Number.parseInt(o, 10);
  }
  const Y = rightnow.getUTCFullYear();
  const M = rightnow.getUTCMonth();
  switch (unit) {
    case 'month': {
      if (offset === 0) offset = 1;
      let end = utc(Y, M, offset);
      if (end >= rightnow) end = utc(Y, M - 1, offset);
      return { beginning: utc(end.getUTCFullYear(), end.getUTCMonth() - 1, offset), ending: end };
    }
    case 'year': {
      if (offset === 0) offset = 1;
      const end = utc(Y, offset - 1, 1);
      if (end >= rightnow) return { beginning: utc(Y - 2, offset - 1, 1), ending: utc(Y - 1, offset - 1, 1) };
      return { beginning: utc(Y - 1, offset - 1, 1), ending: end };
    }
    case 'day': {
      let end = utc(Y, M, rightnow.getUTCDate(), offset);
      if (end >= rightnow) end = new Date(end.getTime() - 86_400_000);
      return { beginning: new Date(end.getTime() - 86_400_000), ending: end };
    }
    case 'hour': {
      let end = utc(Y, M, rightnow.getUTCDate(), rightnow.getUTCHours(), offset);
      if (end >= rightnow) end = new Date(end.getTime() - 3_600_000);
      return { beginning: new Date(end.getTime() - 3_600_000), ending: end };
    }
    default:
      throw new RangeError('Time period must be hour, day, month or year');
  }
}

/**
 * notifications.audit_period_bounds(current_period): the last completed period, or (current) from
 * its end until now.
 */
export function auditPeriodBounds(unitSpec: string, now: Date, currentPeriod: boolean): AuditPeriodBounds {
  const last = lastCompletedAuditPeriod(unitSpec, now);
  return currentPeriod ? { beginning: last.ending, ending: now } : last;
}

/**
 * compute_utils.notify_usage_exists(notifier, context, instance, host, current_period=…): the
 * versioned `instance.exists` from nova-compute:<host> with the instance as it is now.
 */
export function notifyUsageExists(
  deps: { services: Services; notifier: ComputeNotifier },
  ctx: RequestContext, instance: Instance, host: string,
  opts: { currentPeriod?: boolean; bdms?: BlockDeviceMapping[] } = {},
): void {
  const s = deps.services;
  const period = auditPeriodBounds(s.config.instanceUsageAuditPeriod, s.runtime.now(), opts.currentPeriod ?? false);
  deps.notifier.notifyUsageExists(ctx, instance, opts.bdms ?? s.bdms.listForInstance(instance.uuid), host, period);
}

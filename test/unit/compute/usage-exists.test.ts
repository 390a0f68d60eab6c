// nova/utils.py last_completed_audit_period and notifications.audit_period_bounds, as usage-exists.ts
// reproduces them for instance.exists (values worked out from Nova's code).
import { describe, expect, it } from 'vitest';
import { auditPeriodBounds, lastCompletedAuditPeriod } from '../../../src/compute/usage-exists.js';

const at = (iso: string) => new Date(iso);
const period = (unit: string, now: string) => {
  const p = lastCompletedAuditPeriod(unit, at(now));
  return [p.beginning.toISOString(), p.ending.toISOString()];
};

describe('last_completed_audit_period', () => {
  it('month (default), with an offset day, across a year, and on the boundary itself', () => {
    expect(period('month', '2012-10-29T13:42:11Z')).toEqual(['2012-09-01T00:00:00.000Z', '2012-10-01T00:00:00.000Z']);
    expect(period('month', '2012-10-01T00:00:00Z')).toEqual(['2012-08-01T00:00:00.000Z', '2012-09-01T00:00:00.000Z']);
    expect(period('month@15', '2012-10-29T13:42:11Z')).toEqual(['2012-09-15T00:00:00.000Z', '2012-10-15T00:00:00.000Z']);
    expect(period('month', '2013-01-10T00:00:00Z')).toEqual(['2012-12-01T00:00:00.000Z', '2013-01-01T00:00:00.000Z']);
  });

  it('day, hour and year, with offsets', () => {
    expect(period('day', '2012-10-29T13:42:11Z')).toEqual(['2012-10-28T00:00:00.000Z', '2012-10-29T00:00:00.000Z']);
    expect(period('day@5', '2012-10-29T03:00:00Z')).toEqual(['2012-10-27T05:00:00.000Z', '2012-10-28T05:00:00.000Z']);
    expect(period('hour', '2012-10-29T13:42:11Z')).toEqual(['2012-10-29T12:00:00.000Z', '2012-10-29T13:00:00.000Z']);
    expect(period('hour@50', '2012-10-29T13:42:11Z')).toEqual(['2012-10-29T11:50:00.000Z', '2012-10-29T12:50:00.000Z']);
    expect(period('year', '2012-10-29T13:42:11Z')).toEqual(['2011-01-01T00:00:00.000Z', '2012-01-01T00:00:00.000Z']);
    expect(period('year@11', '2012-10-29T13:42:11Z')).toEqual(['2010-11-01T00:00:00.000Z', '2011-11-01T00:00:00.000Z']);
    expect(() => lastCompletedAuditPeriod('week', at('2012-10-29T00:00:00Z'))).toThrow('Time period must be hour, day, month or year');
  });

  it('audit_period_bounds(current_period=True) runs from the last period end until now', () => {
    const now = at('2012-10-29T13:42:11Z');
    expect(auditPeriodBounds('month', now, true)).toEqual({ beginning: at('2012-10-01T00:00:00Z'), ending: now });
    expect(auditPeriodBounds('month', now, false)).toEqual({ beginning: at('2012-09-01T00:00:00Z'), ending: at('2012-10-01T00:00:00Z') });
  });
});

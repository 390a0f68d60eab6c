import { describe, expect, it } from 'vitest';
import { Runtime } from '../../../src/runtime.js';
import { isoMicro, isoSecondsZ, osloTimestamp } from '../../../src/time-format.js';

describe('runtime', () => {
  it('deterministic mode freezes the clock and repeats the id stream after reseed', () => {
    const r = new Runtime({ deterministic: true, seed: 7 });
    expect(r.now().toISOString()).toBe('2012-10-29T13:42:11.000Z');
    const a = [r.uuid(), r.uuid(), r.requestId()];
    r.reseed();
    expect([r.uuid(), r.uuid(), r.requestId()]).toEqual(a);
    expect(a[0]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    r.advance(1500);
    expect(r.now().toISOString()).toBe('2012-10-29T13:42:12.500Z');
  });

  it('a settable clock outside deterministic mode', () => {
    const r = new Runtime();
    r.setClock('2020-01-01T00:00:00Z');
    expect(r.now().toISOString()).toBe('2020-01-01T00:00:00.000Z');
    r.setClock(null);
    expect(Math.abs(r.now().getTime() - Date.now())).toBeLessThan(1000);
    expect(() => r.setClock('not a date')).toThrow(RangeError);
  });

  it('formats the three OpenStack datetime spellings', () => {
    const d = new Date('2012-10-29T13:42:11.123Z');
    expect(isoSecondsZ(d)).toBe('2012-10-29T13:42:11Z');
    expect(osloTimestamp(d)).toBe('2012-10-29 13:42:11.123000');
    expect(osloTimestamp(new Date('2012-10-29T13:42:11Z'))).toBe('2012-10-29 13:42:11');
    expect(isoMicro(d)).toBe('2012-10-29T13:42:11.123000');
  });
});

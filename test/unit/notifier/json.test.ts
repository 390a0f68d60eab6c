import { describe, expect, it } from 'vitest';
import { pyFloatRepr, toJson } from '../../../src/notifier/index.js';

describe('pyFloatRepr', () => {
  it.each([
    [1, '1.0'], [0, '0.0'], [-0, '-0.0'], [1.5, '1.5'], [-2, '-2.0'], [0.1, '0.1'], [100, '100.0'],
    [0.0001, '0.0001'], [0.00001, '1e-05'], [1.5e-7, '1.5e-07'], [1e15, '1000000000000000.0'], [1e16, '1e+16'],
    [1.2345e22, '1.2345e+22'], [123456.789, '123456.789'], [NaN, 'NaN'], [Infinity, 'Infinity'], [-Infinity, '-Infinity'],
  ])('%s → %s', (n, text) => {
    expect(pyFloatRepr(n)).toBe(text);
  });
});

describe('toJson', () => {
  it('equals JSON.stringify for ordinary values', () => {
    const values = [
      null, true, 'x"y\n\u2028', 12, 1.5, [1, undefined, () => 1, 'a'], { a: 1, b: undefined, c: [{}], d: { e: null } },
      { date: new Date('2012-10-29T13:42:11Z') }, { nan: NaN, inf: -Infinity }, [],
    ];
    for (const v of values) expect(toJson(v)).toBe(JSON.stringify(v));
  });

  it('prints FloatFields of nova objects as Python floats, and only those', () => {
    const flavor = {
      'nova_object.name': 'FlavorPayload',
      'nova_object.data': { rxtx_factor: 2, swap: 0, extra_specs: { rxtx_factor: 1 } },
    };
    expect(toJson({ payload: flavor })).toBe(
      '{"payload":{"nova_object.name":"FlavorPayload","nova_object.data":{"rxtx_factor":2.0,"swap":0,"extra_specs":{"rxtx_factor":1}}}}',
    );
    expect(toJson({ 'nova_object.name': 'Other', 'nova_object.data': { rxtx_factor: 1 } })).toContain('"rxtx_factor":1}');
  });

  it('rejects circular structures like JSON.stringify', () => {
    const a: Record<string, unknown> = {};
    a.self = a;
    expect(() => toJson(a)).toThrow(/circular/);
  });
});

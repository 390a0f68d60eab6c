import { describe, expect, it } from 'vitest';
import { negotiate } from '../../../src/api/microversion.js';
import * as va from '../../../src/api/schemas/volume-attachments.js';
import { formatValidationError, pyRepr } from '../../../src/validation.js';

const msg = (schema: { safeParse(v: unknown): { success: boolean; error?: unknown } }, body: unknown) => {
  const r = schema.safeParse(body);
  if (r.success) return null;
  return formatValidationError(r.error as never, body);
};

describe('jsonschema-style messages (nova/api/validation/validators.py)', () => {
  it('formats required, type, format, pattern and additionalProperties errors as Nova does', () => {
    expect(msg(va.updateV21, {})).toBe("'volumeAttachment' is a required property");
    expect(msg(va.updateV21, { volumeAttachment: {} })).toBe("Invalid input for field/attribute volumeAttachment. Value: {}. 'volumeId' is a required property");
    expect(msg(va.updateV21, { volumeAttachment: { volumeId: 'abc' } })).toBe("Invalid input for field/attribute volumeId. Value: abc. 'abc' is not a 'uuid'");
    expect(msg(va.updateV21, { volumeAttachment: { volumeId: 5 } })).toBe("Invalid input for field/attribute volumeId. Value: 5. 5 is not of type 'string'");
    const id = '8e5a5e1c-2b3a-4b0a-9a6a-1e4c8f0e9d2a';
    expect(msg(va.updateV21, { volumeAttachment: { volumeId: id, device: '/dev/vdb' } })).toBe(
      `Invalid input for field/attribute volumeAttachment. Value: {'volumeId': '${id}', 'device': '/dev/vdb'}. Additional properties are not allowed ('device' was unexpected)`,
    );
    expect(msg(va.createV21, { volumeAttachment: { volumeId: id, device: 'vdb' } })).toBe(
      "Invalid input for field/attribute device. Value: vdb. 'vdb' does not match '(^/dev/x{0,1}[a-z]{0,1}d{0,1})([a-z]+)[0-9]*$'",
    );
    expect(msg(va.createV249, { volumeAttachment: { volumeId: id, tag: 'a/b' } })).toBe("Invalid input for field/attribute tag. Value: a/b. 'a/b' does not match '^[^,/]*$'");
  });

  it('parses boolean-like values strictly (parameter_types.boolean)', () => {
    const ok = va.createV279.parse({ volumeAttachment: { volumeId: '8e5a5e1c-2b3a-4b0a-9a6a-1e4c8f0e9d2a', delete_on_termination: 'yes' } });
    expect(ok.volumeAttachment.delete_on_termination).toBe(true);
    expect(va.createV279.safeParse({ volumeAttachment: { volumeId: '8e5a5e1c-2b3a-4b0a-9a6a-1e4c8f0e9d2a', delete_on_termination: 'maybe' } }).success).toBe(false);
  });

  it('renders Python reprs', () => {
    expect(pyRepr({ a: [1, null, true, "it's"] })).toBe(`{'a': [1, None, True, 'it\\'s']}`);
  });
});

describe('microversion negotiation', () => {
  const n = (h: Record<string, string>) => negotiate(h, 'compute', 'x-openstack-nova-api-version', '2.1', '2.93').toString();
  it('defaults to the minimum, honours latest and both headers', () => {
    expect(n({})).toBe('2.1');
    expect(n({ 'openstack-api-version': 'compute latest' })).toBe('2.93');
    expect(n({ 'openstack-api-version': 'volume 3.5, compute 2.60' })).toBe('2.60');
    expect(n({ 'x-openstack-nova-api-version': '2.10' })).toBe('2.10');
    expect(n({ 'openstack-api-version': 'volume 3.5', 'x-openstack-nova-api-version': '2.10' })).toBe('2.10');
  });
  it('rejects versions out of range (406) and malformed ones (400)', () => {
    expect(() => n({ 'openstack-api-version': 'compute 2.94' })).toThrow('Version 2.94 is not supported by the API. Minimum is 2.1 and maximum is 2.93.');
    expect(() => n({ 'openstack-api-version': 'compute 2.x' })).toThrow('API Version String 2.x is of invalid format. Must be of format MajorNum.MinorNum.');
  });
});

// nova/block_device.py's from_api / from_legacy_mapping as novasim reproduces them.
import { describe, expect, it } from 'vitest';
import { fromApi, fromLegacyMapping, prependDev, stripDev } from '../../../src/compute/block-device.js';
import { ComputeException } from '../../../src/compute/exceptions.js';

const IMAGE = '155d900f-4e14-4e4c-a73d-069cbf4541e6';
const VOL = '00000000-0000-4000-8000-000000000001';

const message = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return e instanceof ComputeException ? `${e.pyClass}: ${e.message}` : String(e);
  }
  return 'no error';
};

describe('BlockDeviceDict.from_api', () => {
  it('maps uuid to <source>_id, prepends /dev/, parses boot_index and defaults delete_on_termination', () => {
    expect(fromApi({ source_type: 'volume', destination_type: 'volume', uuid: VOL, boot_index: '0', device_name: 'vda' }, false)).toMatchObject({
      source_type: 'volume', volume_id: VOL, image_id: null, boot_index: 0, device_name: '/dev/vda', delete_on_termination: false,
    });
    expect(fromApi({ source_type: 'blank', destination_type: 'local', guest_format: 'swap', boot_index: -1 }, true)).toMatchObject({ boot_index: -1, guest_format: 'swap' });
    expect(fromApi({ source_type: 'image', destination_type: 'local', uuid: IMAGE, boot_index: 0 }, true)).toMatchObject({ image_id: IMAGE, boot_index: 0 });
  });

  it("raises InvalidBDMFormat with Nova's details", () => {
    expect(message(() => fromApi({ source_type: 'blank', uuid: VOL }, false))).toBe('InvalidBDMFormat: Block Device Mapping is Invalid: Invalid device UUID.');
    expect(message(() => fromApi({ source_type: 'snapshot' }, false))).toBe('InvalidBDMFormat: Block Device Mapping is Invalid: Missing device UUID.');
    expect(message(() => fromApi({ source_type: 'image', destination_type: 'local', uuid: IMAGE, boot_index: null }, true))).toBe('InvalidBDMFormat: Block Device Mapping is Invalid: Mapping image to local is not supported.');
    expect(message(() => fromApi({ source_type: 'image', destination_type: 'local', uuid: IMAGE, volume_type: 'x', boot_index: 0 }, true))).toBe('InvalidBDMFormat: Block Device Mapping is Invalid: Specifying a volume_type with destination_type=local is not supported.');
    expect(message(() => fromApi({ source_type: 'volume', uuid: VOL, volume_type: 'x' }, false))).toBe('InvalidBDMFormat: Block Device Mapping is Invalid: Specifying volume type to existing volume is not supported.');
    expect(message(() => fromApi({ source_type: 'volume', uuid: VOL, device_name: 'v da' }, false))).toBe('InvalidBDMFormat: Block Device Mapping is Invalid: Device name contains spaces.');
    // no_device skips every check.
    expect(fromApi({ no_device: true, device_name: 'vdc' }, false)).toMatchObject({ no_device: true, device_name: '/dev/vdc' });
  });
});

describe('from_legacy_mapping', () => {
  it('makes the volume at the root device the boot disk, or prepends the image BDM', () => {
    const bfv = fromLegacyMapping([{ volume_id: VOL, device_name: '/dev/vda' }], '', 'vda');
    expect(bfv).toEqual([expect.objectContaining({ source_type: 'volume', destination_type: 'volume', boot_index: 0, volume_id: VOL })]);
    const withImage = fromLegacyMapping([{ volume_id: VOL, device_name: 'vdb' }, { virtual_name: 'swap', device_name: 'vdc' }], IMAGE, 'vda');
    expect(withImage.map((b) => [b.source_type, b.destination_type, b.boot_index, b.guest_format])).toEqual([
      ['image', 'local', 0, null], ['volume', 'volume', -1, null], ['blank', 'local', -1, 'swap'],
    ]);
    expect(message(() => fromLegacyMapping([{ device_name: 'vdb' }], IMAGE, 'vda'))).toBe('InvalidBDMFormat: Block Device Mapping is Invalid: Unrecognized legacy format.');
  });

  it('prepend_dev / strip_dev', () => {
    expect(prependDev('vdb')).toBe('/dev/vdb');
    expect(prependDev('/dev/vdb')).toBe('/dev/vdb');
    expect(stripDev('/dev/sda1')).toBe('sda1');
  });
});

// Byte-level facts of the wire format that a key-set comparison would not catch.
import { describe, expect, it } from 'vitest';
import { toJson } from '../../../src/notifier/index.js';
import { context, instance, PROFILES, sampleNotifier, SWAP_NEW_VOL, SWAP_OLD_VOL, volumeBdm } from './fixtures.js';

const data = (n: any) => n.envelope.payload['nova_object.data'];

describe.each(PROFILES)('wire format (%s)', (profile) => {
  const swap = () => {
    const { notifier } = sampleNotifier(profile);
    return notifier.notifyAboutVolumeSwap(context(), instance(), [volumeBdm(SWAP_OLD_VOL)], 'compute', 'start', SWAP_OLD_VOL, SWAP_NEW_VOL)!;
  };

  it('has 39 swap payload keys at master, 38 at zed (no shares)', () => {
    const keys = Object.keys(data(swap()));
    expect(keys).toHaveLength(profile === 'master' ? 39 : 38);
    expect(keys.includes('shares')).toBe(profile === 'master');
  });

  it("orders nova_object.data like oslo's merged fields: own, then InstanceActionPayload, then InstancePayload", () => {
    const keys = Object.keys(data(swap()));
    expect(keys.slice(0, 6)).toEqual(['old_volume_id', 'new_volume_id', 'fault', 'request_id', 'uuid', 'user_id']);
    expect(keys.at(-1)).toBe(profile === 'master' ? 'shares' : 'locked_reason');
    expect(Object.keys(swap().envelope.payload as object)).toEqual([
      'nova_object.name', 'nova_object.namespace', 'nova_object.version', 'nova_object.data',
    ]);
  });

  it('serialises rxtx_factor as 1.0 and stays byte-stable through a JSON round trip', () => {
    const text = toJson(swap().envelope);
    expect(text).toContain('"rxtx_factor":1.0,');
    expect(JSON.stringify(swap().envelope)).toContain('"rxtx_factor":1,');
    expect(toJson(JSON.parse(text))).toBe(text);
  });

  it('is byte-identical across runs in deterministic mode', () => {
    expect(toJson(swap().envelope)).toBe(toJson(swap().envelope));
  });

  it('builds the oslo envelope: key order, publisher, priority, timestamp format', () => {
    const n = swap();
    expect(Object.keys(n.envelope)).toEqual(['message_id', 'publisher_id', 'event_type', 'priority', 'payload', 'timestamp']);
    expect(n.envelope.message_id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(n.envelope.publisher_id).toBe('nova-compute:compute');
    expect(n.envelope.priority).toBe('INFO');
    expect(n.envelope.timestamp).toBe('2012-10-29 13:42:11');
    expect(n.topics).toEqual(['versioned_notifications.info']);
  });

  it('serialises payload datetimes as YYYY-MM-DDTHH:MM:SSZ and power_state/auto_disk_config by name', () => {
    const { notifier } = sampleNotifier(profile);
    const n = notifier.notifyAboutVolumeSwap(
      context(), instance({ created_at: new Date('2020-01-02T03:04:05.678Z'), power_state: 4, auto_disk_config: true }),
      [], 'compute', 'start', SWAP_OLD_VOL, SWAP_NEW_VOL,
    )!;
    expect(data(n).created_at).toBe('2020-01-02T03:04:05Z');
    expect(data(n).power_state).toBe('shutdown');
    expect(data(n).auto_disk_config).toBe('AUTO');
  });
});

// The sample matcher must be exactly as strict as Nova's _verify_notification, no looser.
import { describe, expect, it } from 'vitest';
import {
  ANY, compareJson, loadSample, matchesNotificationSample, referenceDir, resolveRefs, sampleDir,
} from '../../src/testing/index.js';
import '../../src/testing/vitest.js';
import { context, instance, REPLACEMENTS, sampleNotifier, SWAP_NEW_VOL, SWAP_OLD_VOL, volumeBdm } from '../unit/notifier/fixtures.js';

/** A perfect emitted notification to mutate. */
function swapStart() {
  const { notifier } = sampleNotifier('master');
  const n = notifier.notifyAboutVolumeSwap(context(), instance(), [volumeBdm(SWAP_OLD_VOL)], 'compute', 'start', SWAP_OLD_VOL, SWAP_NEW_VOL)!;
  return structuredClone(n) as any;
}
const data = (n: any) => n.envelope.payload['nova_object.data'];
const match = (n: unknown, replacements: Record<string, unknown> = REPLACEMENTS) =>
  matchesNotificationSample(n, 'instance-volume_swap-start', { replacements, profile: 'master' });

describe('loadSample / $ref resolution (nova/tests/json_ref.py)', () => {
  it('resolves nested refs relative to the referring file and deep-merges overrides', () => {
    const s = loadSample('instance-volume_swap-end');
    const d = s.payload['nova_object.data'] as any;
    expect(s.payload['nova_object.name']).toBe('InstanceActionVolumeSwapPayload');
    expect(d.flavor['nova_object.data'].name).toBe('test_flavor');
    expect(d.ip_addresses[0]['nova_object.data'].address).toBe('192.168.1.3');
    expect(d.block_devices).toHaveLength(1);
    expect(d.block_devices[0]['nova_object.data'].volume_id).toBe(SWAP_NEW_VOL); // list replaced, not merged
    expect(d.fault).toBeNull();
    expect(Object.keys(d)).toHaveLength(39);
  });

  it('merges dict overrides recursively (instance-update keeps inherited state_update keys)', () => {
    const su = (loadSample('instance-update').payload['nova_object.data'] as any).state_update['nova_object.data'];
    expect(su).toEqual({ new_task_state: null, old_state: 'building', old_task_state: null, state: 'building' });
  });

  it('loads the zed copies for the zed profile', () => {
    const zed = loadSample('instance-volume_swap-start', 'zed');
    expect(zed.payload['nova_object.version']).toBe('1.8');
    expect(Object.keys(zed.payload['nova_object.data'] as object)).toHaveLength(38);
    expect(sampleDir('zed')).toMatch(/zed-26\.2\.2\/notification_samples$/);
  });

  it('honours NOVASIM_REFERENCE_DIR', () => {
    const real = referenceDir();
    const saved = process.env.NOVASIM_REFERENCE_DIR;
    try {
      process.env.NOVASIM_REFERENCE_DIR = real;
      expect(loadSample('compute-exception').event_type).toBe('compute.exception');
      process.env.NOVASIM_REFERENCE_DIR = '/nonexistent';
      expect(() => loadSample('compute-exception')).toThrow(/NOVASIM_REFERENCE_DIR=\/nonexistent has no nova\/notification_samples/);
    } finally {
      if (saved === undefined) delete process.env.NOVASIM_REFERENCE_DIR;
      else process.env.NOVASIM_REFERENCE_DIR = saved;
    }
  });

  it('returns fresh copies and rejects unknown samples and JSON pointers', () => {
    (loadSample('compute-exception').payload as any).mutated = true;
    expect('mutated' in loadSample('compute-exception').payload).toBe(false);
    expect(() => loadSample('no-such-sample')).toThrow(/no notification sample/);
    expect(() => resolveRefs({ $ref: 'x.json#/a' }, sampleDir())).toThrow(/not supported/);
  });
});

describe('matchesNotificationSample', () => {
  it('passes for the faithful notification and ignores message_id, timestamp and seq', () => {
    const r = match(swapStart());
    expect(r).toMatchObject({ pass: true, diff: '' });
    expect(Object.keys(r.actual as object).sort()).toEqual(['event_type', 'payload', 'priority', 'publisher_id']);
  });

  it('accepts the envelope or a control-route item as well as a CapturedNotification', () => {
    const n = swapStart();
    expect(match(n.envelope).pass).toBe(true);
    expect(match({ seq: 9, ...n.envelope }).pass).toBe(true);
  });

  it('needs the replacements Nova uses (uuid, reservation_id)', () => {
    const r = match(swapStart(), {});
    expect(r.pass).toBe(false);
    expect(r.differences.map((d) => d.path).sort()).toEqual([
      'payload["nova_object.data"].reservation_id',
      'payload["nova_object.data"].uuid',
    ]);
  });

  it('fails on a changed value, with path and both values in the diff', () => {
    const n = swapStart();
    data(n).flavor['nova_object.data'].memory_mb = 1024;
    const r = match(n);
    expect(r.pass).toBe(false);
    expect(r.diff).toBe('payload["nova_object.data"].flavor["nova_object.data"].memory_mb: expected 512, actual 1024');
  });

  it('fails on a missing key', () => {
    const n = swapStart();
    delete data(n).locked_reason;
    const r = match(n);
    expect(r.differences).toEqual([
      { path: 'payload["nova_object.data"].locked_reason', kind: 'missing-key', expected: null },
    ]);
  });

  it('fails on an extra key', () => {
    const n = swapStart();
    data(n).volume_id = SWAP_OLD_VOL;
    expect(match(n).diff).toBe(`payload["nova_object.data"].volume_id: unexpected key (actual "${SWAP_OLD_VOL}")`);
  });

  it('fails on a list of different length', () => {
    const n = swapStart();
    data(n).block_devices.push(structuredClone(data(n).block_devices[0]));
    const r = match(n);
    expect(r.differences).toHaveLength(1);
    expect(r.differences[0]).toMatchObject({ path: 'payload["nova_object.data"].block_devices', kind: 'list-length' });
    expect(r.diff).toMatch(/list length differs: expected 1 .*, actual 2/);
  });

  it('fails on top-level differences (priority, publisher) and on a wrong profile version', () => {
    const n = swapStart();
    n.envelope.priority = 'ERROR';
    n.envelope.publisher_id = 'nova-compute:fake-mini';
    expect(match(n).differences.map((d) => d.path)).toEqual(['priority', 'publisher_id']);
    const zed = matchesNotificationSample(swapStart(), 'instance-volume_swap-start', { replacements: REPLACEMENTS, profile: 'zed' });
    expect(zed.differences.map((d) => d.path)).toEqual(['payload["nova_object.data"].shares', 'payload["nova_object.version"]']);
  });

  it('compares lists order-insensitively, like assertJsonEqual', () => {
    expect(compareJson([{ a: 1 }, { a: 2 }, 'x'], ['x', { a: 2 }, { a: 1 }])).toEqual([]);
    expect(compareJson([1, 2], [2, 3])).toHaveLength(2);
    expect(compareJson({ f: 1.0 }, { f: 1 })).toEqual([]);
    expect(compareJson(true, 1)).toHaveLength(1);
  });

  it('ANY deletes the key on both sides, also nested; other replacements set the expected side', () => {
    const n = swapStart();
    data(n).display_name = 'renamed';
    data(n).flavor['nova_object.data'].extra_specs = { other: 'spec' };
    expect(match(n).pass).toBe(false);
    const r = match(n, { ...REPLACEMENTS, display_name: ANY, 'flavor.extra_specs': ANY });
    expect(r.diff).toBe('');
    expect('display_name' in (r.expected as any).payload['nova_object.data']).toBe(false);
    expect('display_name' in (r.actual as any).payload['nova_object.data']).toBe(false);
    expect(data(n).display_name).toBe('renamed'); // the caller's object is never modified
    expect(match(n, { ...REPLACEMENTS, display_name: 'renamed', 'flavor.extra_specs': { other: 'spec' } }).pass).toBe(true);
  });

  it('reports a replacement path that does not exist instead of ignoring it', () => {
    const r = match(swapStart(), { ...REPLACEMENTS, 'fault.traceback': ANY });
    expect(r.pass).toBe(false);
    expect(r.diff).toMatch(/replacement fault\.traceback: sample has no nova_object\.data/);
  });

  it('works as a vitest matcher, with the diff in the failure message', () => {
    const n = swapStart();
    expect(n).toMatchNotificationSample('instance-volume_swap-start', { replacements: REPLACEMENTS });
    data(n).host = 'elsewhere';
    expect(n).not.toMatchNotificationSample('instance-volume_swap-start', { replacements: REPLACEMENTS });
    expect(() => expect(n).toMatchNotificationSample('instance-volume_swap-start', { replacements: REPLACEMENTS })).toThrow(
      /does not match sample instance-volume_swap-start:\npayload\["nova_object.data"\].host: expected "compute", actual "elsewhere"/,
    );
  });
});

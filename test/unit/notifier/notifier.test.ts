import { CaptureSink } from '../../../src/notifier/sinks/capture.js';
import { describe, expect, it, vi } from 'vitest';
import { Notifier, NotifierOptions, pythonTraceback, type Sink } from '../../../src/notifier/index.js';
import { getProfile } from '../../../src/profiles/index.js';
import { Runtime } from '../../../src/runtime.js';
import {
  context, imageBdm, instance, MY_KEY, sampleNotifier, SWAP_NEW_VOL, SWAP_OLD_VOL, SWAP_TYPE_ERROR, volumeBdm,
} from './fixtures.js';

const data = (n: any) => n.envelope.payload['nova_object.data'];
const swap = (notifier: Notifier, bdms = [volumeBdm(SWAP_OLD_VOL)]) =>
  notifier.notifyAboutVolumeSwap(context(), instance(), bdms, 'compute', 'start', SWAP_OLD_VOL, SWAP_NEW_VOL);

describe('NotifierOptions', () => {
  it('defaults: versioned format, BDMs and share mapping on, no notify_on_state_change, Nova topic, host novasim', () => {
    expect(NotifierOptions.parse({})).toEqual({
      notificationFormat: 'versioned',
      bdmsInNotifications: true,
      includeShareMapping: true,
      notifyOnStateChange: null,
      versionedNotificationsTopics: ['versioned_notifications'],
      notificationsTopics: ['notifications'],
      host: 'novasim',
    });
  });

  it('rejects nonsense', () => {
    expect(() => NotifierOptions.parse({ notificationFormat: 'json' })).toThrow();
    expect(() => NotifierOptions.parse({ versionedNotificationsTopics: [] })).toThrow();
    expect(() => NotifierOptions.parse({ notifyOnStateChange: 'task_state' })).toThrow();
  });
});

describe('Notifier', () => {
  it("emits no versioned notification with notificationFormat 'unversioned' (Nova's default), only legacy twins", () => {
    const { notifier, capture } = sampleNotifier('master', { notificationFormat: 'unversioned' });
    const legacy = new CaptureSink({ format: 'unversioned' });
    notifier.addSink(legacy);
    expect(swap(notifier)).toBeNull();
    expect(notifier.notifyComputeException(context(), 'h', SWAP_TYPE_ERROR, { method: 'swap_volume' })).toBeNull();
    expect(capture.list()).toEqual([]);
    // volume_swap has no legacy twin; wrap_exception's is named after the method.
    expect(legacy.list().map((n) => [n.envelope.event_type, n.envelope.publisher_id, n.envelope.priority, n.topics])).toEqual([
      ['swap_volume', 'compute.h', 'ERROR', ['notifications.error']],
    ]);
  });

  it('bdmsInNotifications=false gives block_devices null where Nova loads BDMs itself', () => {
    const { notifier } = sampleNotifier('master', { bdmsInNotifications: false });
    expect(data(swap(notifier)).block_devices).toBeNull();
    const attach = notifier.notifyAboutVolumeAttachDetach(context(), instance(), [volumeBdm(SWAP_OLD_VOL)], 'compute', 'volume_attach', 'start', SWAP_OLD_VOL);
    expect(data(attach).block_devices).toBeNull();
  });

  it('lists BDMs passed explicitly by the manager (delete, create) whatever bdmsInNotifications says', () => {
    const { notifier } = sampleNotifier('master', { bdmsInNotifications: false });
    const bdms = [imageBdm(), volumeBdm(SWAP_OLD_VOL)];
    const del = notifier.notifyAboutInstanceAction(context(), instance(), bdms, 'compute', 'delete', 'start');
    expect(data(del).block_devices.map((b: any) => b['nova_object.data'].volume_id)).toEqual([SWAP_OLD_VOL]);
    const pause = notifier.notifyAboutInstanceAction(context(), instance(), bdms, 'compute', 'pause', 'start', null, { bdmsFromDb: true });
    expect(data(pause).block_devices).toBeNull();
    const create = notifier.notifyAboutInstanceCreate(context(), instance(), bdms, 'compute', 'end', null, { keypairs: [MY_KEY] });
    expect(data(create).block_devices).toHaveLength(1);
  });

  it('includeShareMapping=false gives shares null at master and no key at zed', () => {
    expect(data(swap(sampleNotifier('master', { includeShareMapping: false }).notifier)).shares).toBeNull();
    expect('shares' in data(swap(sampleNotifier('zed', { includeShareMapping: false }).notifier))).toBe(false);
  });

  it('takes request_id and action_initiator_* from the context; no request_id without project/user', () => {
    const { notifier } = sampleNotifier('master');
    const ctx = { ...context(), requestId: 'req-x', userId: 'admin', projectId: 'p-admin' };
    const n = notifier.notifyAboutVolumeSwap(ctx, instance(), [], 'compute', 'start', SWAP_OLD_VOL, SWAP_NEW_VOL);
    expect(data(n)).toMatchObject({ request_id: 'req-x', action_initiator_user: 'admin', action_initiator_project: 'p-admin' });
    const periodic = { ...ctx, projectId: '' };
    expect(data(notifier.notifyAboutVolumeSwap(periodic, instance(), [], 'c', 'start', SWAP_OLD_VOL, SWAP_NEW_VOL)).request_id).toBeNull();
  });

  it('copies locked_reason from system_metadata and builds instance_name from the id in hex', () => {
    const { notifier } = sampleNotifier('master');
    const inst = instance({ id: 255, locked: true, system_metadata: { locked_reason: 'maintenance' } });
    const n = notifier.notifyAboutInstanceCreate(context(), inst, [], 'compute', 'end');
    expect(data(n)).toMatchObject({ locked: true, locked_reason: 'maintenance', instance_name: 'instance-000000ff', keypairs: [] });
    expect(data(n).trusted_image_certificates).toBeNull();
  });

  it('marks errors ERROR with the fault; compute.exception uses the given CONF.host and metadata', () => {
    const { notifier } = sampleNotifier('master');
    const n = notifier.notifyComputeException(context(), 'fake-mini', SWAP_TYPE_ERROR, { instanceUuid: 'i-1' })!;
    expect(n.envelope).toMatchObject({ event_type: 'compute.exception', priority: 'ERROR', publisher_id: 'nova-compute:fake-mini' });
    expect(n.topics).toEqual(['versioned_notifications.error']);
    expect(n.instanceUuid).toBe('i-1');
    expect(Object.keys((n.envelope.payload as any)['nova_object.data'])).toEqual([
      'module_name', 'function_name', 'exception', 'exception_message', 'traceback',
    ]);
  });

  it('numbers notifications from 1, records project/instance metadata, and freezes them', () => {
    const { notifier } = sampleNotifier('master');
    const a = swap(notifier)!;
    const b = swap(notifier)!;
    expect([a.seq, b.seq]).toEqual([1, 2]);
    expect(a.instanceUuid).toBe(instance().uuid);
    expect(a.projectId).toBe(instance().project_id);
    expect(Object.isFrozen(a.envelope.payload)).toBe(true);
    notifier.resetSequence();
    expect(swap(notifier)!.seq).toBe(1);
  });

  it('publishes to every configured topic', () => {
    const { notifier } = sampleNotifier('master', { versionedNotificationsTopics: ['a', 'b'] });
    expect(swap(notifier)!.topics).toEqual(['a.info', 'b.info']);
  });

  it('never lets a failing sink reach the caller, and keeps feeding the other sinks', async () => {
    const onSinkError = vi.fn();
    const good: Sink & { got: number[] } = { name: 'good', got: [], publish(n) { this.got.push(n.seq); } };
    const notifier = new Notifier({
      runtime: new Runtime({ deterministic: true }),
      profile: getProfile('master'),
      sinks: [
        { name: 'throws', publish: () => { throw new Error('boom'); } },
        { name: 'rejects', publish: () => Promise.reject(new Error('later')) },
        good,
      ],
      onSinkError,
    });
    expect(() => swap(notifier)).not.toThrow();
    await new Promise((r) => setImmediate(r));
    expect(good.got).toEqual([1]);
    expect(onSinkError.mock.calls.map(([err, sink]) => [String(err), sink.name])).toEqual([
      ['Error: boom', 'throws'],
      ['Error: later', 'rejects'],
    ]);
    expect(notifier.stats().sink_errors).toBe(2);
  });

  it('instance.update defaults: state from the instance, audit period from the month start, nova-api publisher', () => {
    const runtime = new Runtime({ deterministic: true, frozenTime: '2024-03-15T10:00:00.250Z' });
    const notifier = new Notifier({ runtime, profile: getProfile('zed'), options: { host: 'api-host' } });
    const n = notifier.notifyAboutInstanceUpdate(context(), instance({ vm_state: 'stopped' }), [], { oldDisplayName: 'before' })!;
    expect(n.envelope.publisher_id).toBe('nova-api:api-host');
    expect(n.envelope.timestamp).toBe('2024-03-15 10:00:00.250000');
    const d = data(n);
    expect(d.state_update['nova_object.data']).toEqual({ old_state: 'stopped', state: 'stopped', old_task_state: null, new_task_state: null });
    expect(d.audit_period['nova_object.data']).toEqual({
      audit_period_beginning: '2024-03-01T00:00:00Z', audit_period_ending: '2024-03-15T10:00:00Z',
    });
    expect(d.old_display_name).toBe('before');
    expect('fault' in d).toBe(false);
    expect(n.envelope.payload).toMatchObject({ 'nova_object.name': 'InstanceUpdatePayload', 'nova_object.version': '2.0' });
  });
});

describe('pythonTraceback', () => {
  it("renders like Nova's ','.join(traceback.format_exception(...))", () => {
    expect(
      pythonTraceback(
        [{ file: 'nova/compute/manager.py', line: 8412, function: '_swap_volume', code: 'new_cinfo, old_cinfo = self._init_volume_connection(' }],
        'TypeError', "'tuple' object does not support item assignment",
      ),
    ).toBe(
      'Traceback (most recent call last):\n,  File "nova/compute/manager.py", line 8412, in _swap_volume\n' +
        "    new_cinfo, old_cinfo = self._init_volume_connection(\n,TypeError: 'tuple' object does not support item assignment\n",
    );
  });
});

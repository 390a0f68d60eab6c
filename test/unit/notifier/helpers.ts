// Tiny hand-made notifications for sink and route tests.
import type { CapturedNotification } from '../../../src/notifier/index.js';

export function fakeNotification(seq: number, eventType = 'instance.volume_swap.start', instanceUuid = 'i-1'): CapturedNotification {
  return {
    seq,
    envelope: {
      message_id: `m-${seq}`,
      publisher_id: 'nova-compute:compute',
      event_type: eventType,
      priority: eventType.endsWith('.error') ? 'ERROR' : 'INFO',
      payload: {
        'nova_object.name': 'FlavorPayload',
        'nova_object.namespace': 'nova',
        'nova_object.version': '1.4',
        'nova_object.data': { rxtx_factor: 1 },
      },
      timestamp: '2012-10-29 13:42:11',
    },
    projectId: 'p-1',
    instanceUuid,
    topics: ['versioned_notifications.info'],
  };
}

// The oslo.messaging notification envelope (oslo_messaging/notify/notifier.py Notifier._notify).
// Key order is oslo's: message_id, publisher_id, event_type, priority, payload, timestamp.
import type { Runtime } from '../runtime.js';
import { osloTimestamp } from '../time-format.js';

/** NotificationPriority, upper-cased as it appears on the wire (and in Nova's fake notifier). */
export type Priority = 'AUDIT' | 'CRITICAL' | 'DEBUG' | 'INFO' | 'ERROR' | 'SAMPLE' | 'WARN';
export type Phase = 'start' | 'end' | 'error' | 'progress';
/** NotificationSource values (nova/objects/fields.py NotificationSource). */
export type NotificationSource =
  | 'nova-api' | 'nova-compute' | 'nova-conductor' | 'nova-scheduler' | 'nova-network'
  | 'nova-consoleauth' | 'nova-cells' | 'nova-console' | 'nova-metadata';

export interface Envelope<P = unknown> {
  message_id: string;
  /** NotificationPublisher 2.2 on the wire: `<source>:<host>`, e.g. `nova-compute:compute`. */
  publisher_id: string;
  event_type: string;
  priority: Priority;
  payload: P;
  /** `str(utcnow())`: `2012-10-29 13:42:11.123456` (fraction dropped when zero). */
  timestamp: string;
}

/** EventType 1.x wire form: `<object>.<action>` plus `.<phase>` when there is one. */
export function eventTypeString(object: string, action: string, phase?: Phase | null): string {
  return phase ? `${object}.${action}.${phase}` : `${object}.${action}`;
}

export function publisherId(source: NotificationSource, host: string): string {
  return `${source}:${host}`;
}

export function buildEnvelope<P>(
  runtime: Pick<Runtime, 'uuid' | 'now'>,
  fields: { publisherId: string; eventType: string; priority: Priority; payload: P },
): Envelope<P> {
  return {
    message_id: runtime.uuid(),
    publisher_id: fields.publisherId,
    event_type: fields.eventType,
    priority: fields.priority,
    payload: fields.payload,
    timestamp: osloTimestamp(runtime.now()),
  };
}

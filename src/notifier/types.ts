// What the notifier hands to sinks.
import type { RequestContext } from '../domain.js';
import type { Envelope } from './envelope.js';

export interface CapturedNotification<P = unknown> {
  /** Per-notifier sequence number, starting at 1; shared by every sink (SSE ids, JSONL order, `since`). */
  seq: number;
  envelope: Envelope<P>;
  /** Project the notification is about (the instance's, else the request's); for filtering. */
  projectId: string | null;
  /** Instance the notification is about, when there is one; for filtering. */
  instanceUuid: string | null;
  /**
   * Where Nova would publish it: `<versioned topic>.<priority lower-case>` per configured topic, or
   * for a legacy notification `<[oslo_messaging_notifications] topic>.<priority>` (`notifications.info`).
   */
  topics: string[];
  /** 'unversioned' for a legacy notification (Nova's LEGACY_NOTIFIER); absent or 'versioned' otherwise. */
  format?: 'versioned' | 'unversioned';
  /** The request context the notification was sent for (oslo puts it on the bus as `_context_*`). */
  context?: RequestContext | null;
}

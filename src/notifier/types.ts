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
  /** Where Nova would publish it: `<versioned topic>.<priority lower-case>` per configured topic. */
  topics: string[];
  /** The request context the notification was sent for (oslo puts it on the bus as `_context_*`). */
  context?: RequestContext | null;
}

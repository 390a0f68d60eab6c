// A destination for emitted notifications: in-memory capture, JSONL file, and later AMQP/webhook.
// publish() must be quick and should not throw; the notifier guards it anyway (a sink failure
// never reaches the compute flow). Async sinks may return a promise; its rejection is reported
// to the notifier's onSinkError, never thrown.
import type { CapturedNotification } from '../types.js';

export interface Sink {
  readonly name: string;
  publish(n: CapturedNotification): void | Promise<void>;
  /** Flush and release resources. */
  close?(): Promise<void>;
  /** Counters for the control plane (/_novasim) and debugging. */
  stats?(): object;
}

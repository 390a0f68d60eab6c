// POSTs each notification envelope to an HTTP endpoint, one at a time and in order, as the exact
// JSON Nova would put on the bus (through toJson, so `"rxtx_factor": 1.0` survives).
//
// publish() never blocks or throws: envelopes go into a bounded queue (beyond `queueLimit` new ones
// are dropped and counted) that a background loop delivers. A delivery that fails with a network
// error, a timeout, 408, 429 or 5xx is retried up to `retries` times with exponential backoff
// (`backoffMs`, doubling, capped at `backoffMaxMs`, honouring a numeric Retry-After); any other
// non-2xx answer is final. Either way the loop moves on, so one bad notification cannot stall the rest.
//
// Request: `POST <url>`, `Content-Type: application/json`, body = the envelope
// (message_id, publisher_id, event_type, priority, payload, timestamp), plus informational headers
// `X-Novasim-Seq`, `X-Novasim-Event-Type` and `X-Novasim-Attempt` (1-based).
import { toJson } from '../json.js';
import type { CapturedNotification } from '../types.js';
import type { Sink } from './sink.js';
import { redact } from './redact.js';

export interface WebhookSinkOptions {
  url: string;
  /** Retries after the first attempt (so at most retries + 1 requests per notification). */
  retries?: number;
  /** First retry delay; doubles per retry. */
  backoffMs?: number;
  backoffMaxMs?: number;
  /** Notifications waiting for delivery; beyond it new ones are dropped and counted. */
  queueLimit?: number;
  /** Per-request timeout. */
  timeoutMs?: number;
  /** How long close() waits for the queue to drain. */
  closeTimeoutMs?: number;
  /** Extra request headers (e.g. an Authorization for the receiver). */
  headers?: Record<string, string>;
  name?: string;
}

export interface WebhookSinkStats {
  url: string;
  delivered: number;
  failed: number;
  retries: number;
  queued: number;
  dropped: number;
  lastError: string | null;
}

interface Pending {
  seq: number;
  eventType: string;
  body: string;
}

class RetryableError extends Error {
  constructor(message: string, readonly retryAfterMs: number | null = null) {
    super(message);
  }
}


export class WebhookSink implements Sink {
  readonly name: string;
  private readonly url: string;
  private readonly opts: Required<Omit<WebhookSinkOptions, 'url' | 'name'>>;
  private readonly queue: Pending[] = [];
  private delivered = 0;
  private failed = 0;
  private retried = 0;
  private dropped = 0;
  private lastError: string | null = null;
  private closed = false;
  private running: Promise<void> | null = null;
  private readonly abort = new AbortController();
  private wakeSleep: (() => void) | null = null;

  constructor(options: WebhookSinkOptions) {
    this.name = options.name ?? 'webhook';
    this.url = options.url;
    this.opts = {
      retries: options.retries ?? 5,
      backoffMs: options.backoffMs ?? 200,
      backoffMaxMs: options.backoffMaxMs ?? 10_000,
      queueLimit: options.queueLimit ?? 10_000,
      timeoutMs: options.timeoutMs ?? 5000,
      closeTimeoutMs: options.closeTimeoutMs ?? 2000,
      headers: options.headers ?? {},
    };
  }

  /** Enqueue; never blocks, never throws. */
  publish(n: CapturedNotification): void {
    try {
      if (this.closed || this.queue.length >= this.opts.queueLimit) {
        this.dropped++;
        return;
      }
      this.queue.push({ seq: n.seq, eventType: n.envelope.event_type, body: toJson(n.envelope) });
      this.running ??= this.run();
    } catch (err) {
      this.dropped++;
      this.lastError = `serialize: ${(err as Error).message}`;
    }
  }

  stats(): WebhookSinkStats {
    return {
      url: redact(this.url),
      delivered: this.delivered,
      failed: this.failed,
      retries: this.retried,
      queued: this.queue.length,
      dropped: this.dropped,
      lastError: this.lastError,
    };
  }

  /** Waits (up to `closeTimeoutMs`) for queued notifications, then aborts what is left. Idempotent. */
  async close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      const timer = setTimeout(() => {
        this.abort.abort();
        this.wakeSleep?.();
      }, this.opts.closeTimeoutMs);
      try {
        await this.running;
      } finally {
        clearTimeout(timer);
      }
      // Whatever the timeout cut off is lost.
      this.dropped += this.queue.splice(0).length;
    }
    await this.running;
  }

  private async run(): Promise<void> {
    while (this.queue.length > 0 && !this.abort.signal.aborted) {
      try {
        await this.deliver(this.queue[0]);
      } catch (err) {
        this.failed++;
        this.lastError = `internal: ${(err as Error).message}`;
      }
      this.queue.shift();
    }
    // Synchronous with the loop's last check: publish() either saw the loop running or starts a new one.
    this.running = null;
  }

  private async deliver(p: Pending): Promise<void> {
    let delay = this.opts.backoffMs;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.post(p, attempt);
        this.delivered++;
        return;
      } catch (err) {
        this.lastError = `${p.eventType} #${p.seq} attempt ${attempt}: ${(err as Error).message}`;
        const retryable = err instanceof RetryableError;
        if (!retryable || attempt > this.opts.retries || this.abort.signal.aborted) {
          this.failed++;
          return;
        }
        this.retried++;
        const wait = Math.min((err as RetryableError).retryAfterMs ?? delay, this.opts.backoffMaxMs);
        await this.sleep(wait);
        delay = Math.min(delay * 2, this.opts.backoffMaxMs);
      }
    }
  }

  private async post(p: Pending, attempt: number): Promise<void> {
    let res: Response;
    try {
      res = await fetch(this.url, {
        method: 'POST',
        headers: {
          ...this.opts.headers,
          'content-type': 'application/json',
          'x-novasim-seq': String(p.seq),
          'x-novasim-event-type': p.eventType,
          'x-novasim-attempt': String(attempt),
        },
        body: p.body,
        signal: AbortSignal.any([this.abort.signal, AbortSignal.timeout(this.opts.timeoutMs)]),
      });
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      throw new RetryableError(cause?.code ?? cause?.message ?? (err as Error).message);
    }
    // Drain the body so the keep-alive socket can be reused.
    await res.arrayBuffer().catch(() => undefined);
    if (res.ok) return;
    const message = `HTTP ${res.status}`;
    if (res.status === 408 || res.status === 429 || res.status >= 500) {
      const ra = Number(res.headers.get('retry-after'));
      throw new RetryableError(message, Number.isFinite(ra) && ra >= 0 && res.headers.has('retry-after') ? ra * 1000 : null);
    }
    throw new Error(message);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      function done() {
        clearTimeout(t);
        resolve();
      }
      this.wakeSleep = done;
    });
  }
}

// In-memory capture of emitted notifications: the simulator's equivalent of Nova's
// FakeVersionedNotifier (nova/tests/fixtures/notifications.py). Bounded like a ring buffer so a
// long-running server keeps flat memory: past `cap`, the oldest entry is dropped and counted.
import type { CapturedNotification } from '../types.js';
import type { Sink } from './sink.js';

export interface NotificationFilter {
  eventType?: string;
  instanceUuid?: string;
  projectId?: string;
  /** Only notifications with seq > since. */
  since?: number;
}

export interface WaitOptions extends Omit<NotificationFilter, 'eventType'> {
  /** Resolve once at least this many matching notifications exist (default 1). */
  count?: number;
  /** Default 10000, like Nova's wait_for_versioned_notifications. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface CaptureSinkOptions {
  name?: string;
  /** Maximum notifications kept (default 10000). */
  cap?: number;
  /**
   * Which notifications this capture keeps: 'versioned' (default; Nova's fake VERSIONED_NOTIFICATIONS)
   * or 'unversioned' (the legacy ones; Nova's fake_notifier.NOTIFICATIONS). Others are ignored.
   */
  format?: 'versioned' | 'unversioned';
}

export type CaptureListener = (n: CapturedNotification) => void;

/** Rejection of waitFor(): says what was awaited, the matching ones that did arrive, and how many others. */
export class NotificationTimeoutError extends Error {
  override readonly name = 'NotificationTimeoutError';
  constructor(
    readonly eventType: string,
    readonly wanted: number,
    /** Matching notifications that did arrive (fewer than wanted). */
    readonly matched: CapturedNotification[],
    /** How many other notifications (any other type) were captured in the window. */
    readonly others: number,
    readonly timeoutMs: number,
    /** The most recent notifications captured in the window, any type, oldest first (at most 20). */
    readonly received: CapturedNotification[] = matched.slice(-20),
  ) {
    // Bounded: a full ring must not turn every timeout into megabytes of text.
    const total = matched.length + others;
    const seen = received.map((n) => `[${n.seq}] ${n.envelope.event_type}`).join(', ') || 'nothing';
    const earlier = total > received.length ? ` (and ${total - received.length} earlier)` : '';
    super(
      `Notification ${eventType} hasn't been received: wanted ${wanted}, got ${matched.length} within ${timeoutMs} ms. ` +
        `Received: ${seen}${earlier}`,
    );
  }
}

export function matchesFilter(n: CapturedNotification, f: NotificationFilter): boolean {
  return (
    (f.since === undefined || n.seq > f.since) &&
    (f.eventType === undefined || n.envelope.event_type === f.eventType) &&
    (f.instanceUuid === undefined || n.instanceUuid === f.instanceUuid) &&
    (f.projectId === undefined || n.projectId === f.projectId)
  );
}

interface Waiter {
  filter: NotificationFilter;
  count: number;
  matched: CapturedNotification[];
  /** Captured in the window (since / instance / project) without matching the event type. */
  others: number;
  resolve: (n: CapturedNotification[]) => void;
}

export class CaptureSink implements Sink {
  readonly name: string;
  readonly cap: number;
  readonly format: 'versioned' | 'unversioned';
  private ring: CapturedNotification[] = [];
  private head = 0;
  private size = 0;
  private droppedCount = 0;
  private last = 0;
  private readonly listeners = new Set<CaptureListener>();
  private readonly waiters = new Set<Waiter>();

  constructor(opts: CaptureSinkOptions = {}) {
    this.name = opts.name ?? 'capture';
    this.cap = opts.cap ?? 10_000;
    this.format = opts.format ?? 'versioned';
    if (!Number.isInteger(this.cap) || this.cap < 1) throw new RangeError(`capture cap must be a positive integer, got ${opts.cap}`);
  }

  publish(n: CapturedNotification): void {
    if ((n.format ?? 'versioned') !== this.format) return;
    if (this.size < this.cap) {
      this.ring[(this.head + this.size) % this.cap] = n;
      this.size++;
    } else {
      this.ring[this.head] = n;
      this.head = (this.head + 1) % this.cap;
      this.droppedCount++;
    }
    this.last = Math.max(this.last, n.seq);
    for (const w of [...this.waiters]) {
      if (!matchesFilter(n, w.filter)) {
        if (matchesFilter(n, { ...w.filter, eventType: undefined })) w.others++;
        continue;
      }
      w.matched.push(n);
      if (w.matched.length >= w.count) w.resolve(w.matched);
    }
    for (const listener of [...this.listeners]) {
      try {
        listener(n);
      } catch {
        // A broken subscriber (e.g. a dead SSE socket) must not stop capture or other subscribers.
      }
    }
  }

  /** Captured notifications, oldest first; at most `limit` of them (default: all). */
  list(filter: NotificationFilter = {}, limit = Infinity): CapturedNotification[] {
    const out: CapturedNotification[] = [];
    // The ring is in seq order: start at the first entry after `since` (binary search).
    for (let i = this.firstAfter(filter.since); i < this.size && out.length < limit; i++) {
      const n = this.ring[(this.head + i) % this.cap];
      if (matchesFilter(n, filter)) out.push(n);
    }
    return out;
  }

  /** Ring position of the first notification with seq > since. */
  private firstAfter(since: number | undefined): number {
    if (since === undefined) return 0;
    let lo = 0;
    let hi = this.size;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.ring[(this.head + mid) % this.cap].seq > since) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  /** The newest `n` notifications matching `filter`, oldest first (scans from the newest end). */
  private recent(filter: NotificationFilter, n: number): CapturedNotification[] {
    const out: CapturedNotification[] = [];
    for (let i = this.size - 1; i >= 0 && out.length < n; i--) {
      const x = this.ring[(this.head + i) % this.cap];
      if (filter.since !== undefined && x.seq <= filter.since) break;
      if (matchesFilter(x, filter)) out.push(x);
    }
    return out.reverse();
  }

  /** Seq of the oldest notification still held (0 when empty). */
  get oldestSeq(): number {
    return this.size ? this.ring[this.head].seq : 0;
  }

  get length(): number {
    return this.size;
  }

  /** How many were evicted because the cap was reached (since the last clear). */
  get dropped(): number {
    return this.droppedCount;
  }

  /** Highest seq ever captured (kept across clear(), so `since` cursors stay valid). */
  get lastSeq(): number {
    return this.last;
  }

  /** Forget everything captured (Nova's notifier.reset()); pending waiters start counting afresh. */
  clear(): void {
    this.ring = [];
    this.head = 0;
    this.size = 0;
    this.droppedCount = 0;
    for (const w of this.waiters) {
      w.matched = [];
      w.others = 0;
    }
  }

  /**
   * Resolve with every matching notification once at least `count` exist (already captured ones
   * count, as in Nova's wait_for_versioned_notifications); reject with NotificationTimeoutError.
   */
  waitFor(eventType: string, opts: WaitOptions = {}): Promise<CapturedNotification[]> {
    const count = opts.count ?? 1;
    const timeoutMs = opts.timeoutMs ?? 10_000;
    const filter: NotificationFilter = {
      eventType,
      since: opts.since,
      instanceUuid: opts.instanceUuid,
      projectId: opts.projectId,
    };
    const already = this.list(filter);
    if (already.length >= count) return Promise.resolve(already);
    const others = this.list({ ...filter, eventType: undefined }).length - already.length;
    if (opts.signal?.aborted) return Promise.reject(abortError(opts.signal));

    return new Promise((resolve, reject) => {
      const finish = () => {
        clearTimeout(timer);
        opts.signal?.removeEventListener('abort', onAbort);
        this.waiters.delete(waiter);
      };
      const waiter: Waiter = {
        filter,
        count,
        matched: already,
        others,
        resolve: (found) => {
          finish();
          resolve(found);
        },
      };
      const timer = setTimeout(() => {
        finish();
        reject(new NotificationTimeoutError(eventType, count, waiter.matched, waiter.others, timeoutMs, this.recent({ ...filter, eventType: undefined }, 20)));
      }, timeoutMs);
      const onAbort = () => {
        finish();
        reject(abortError(opts.signal!));
      };
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.add(waiter);
    });
  }

  /** Call `listener` for every notification captured from now on; returns the unsubscribe function. */
  subscribe(listener: CaptureListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  stats() {
    return {
      captured: this.size,
      dropped: this.droppedCount,
      last_seq: this.last,
      cap: this.cap,
      subscribers: this.listeners.size,
      waiters: this.waiters.size,
    };
  }
}

function abortError(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new DOMException('The operation was aborted', 'AbortError');
}

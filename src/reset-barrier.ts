// The reset barrier: `POST /_novasim/reset` and `sim.reset()` close the door to new API requests,
// drain the requests and asynchronous work already in flight, empty the state in one synchronous
// step, then open the door again. A request arriving while the door is closed waits (at most
// `waitMs`) and then runs against the emptied state, or gets a 503 in its service's envelope;
// it never sees half-emptied state and never crosses the reset.
//
// The simulator's own service-to-service calls (Nova → Cinder, Cinder → Nova, their logins) carry
// INTERNAL_HEADER with a per-process secret: they belong to work already in flight and must pass
// the closed door, or the drain would wait for itself.
import { randomBytes } from 'node:crypto';

export const INTERNAL_HEADER = 'x-novasim-internal';
/** Known only to this process; sent by http-transport.ts on every exchange. */
export const INTERNAL_SECRET = randomBytes(16).toString('hex');

export class ResetBusyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ResetBusyError';
  }
}

export interface ResetBarrierOptions {
  /** How long a request arriving during a reset waits before its 503 (default 10 s). */
  waitMs?: number;
  /** How long a reset waits for in-flight requests and tasks before giving up with a 503 (default 30 s). */
  drainMs?: number;
}

export class ResetBarrier {
  readonly waitMs: number;
  readonly drainMs: number;
  private inFlight = 0;
  private drained: (() => void)[] = [];
  private closed: Promise<void> | null = null;
  private current: Promise<void> | null = null;

  constructor(opts: ResetBarrierOptions = {}) {
    this.waitMs = opts.waitMs ?? 10_000;
    this.drainMs = opts.drainMs ?? 30_000;
  }

  get resetting(): boolean {
    return this.closed !== null;
  }

  get requestsInFlight(): number {
    return this.inFlight;
  }

  /** The synchronous case of admit(): true (and counted) when no reset runs or the call is internal; false when it must wait. */
  admitNow(internal: boolean): boolean {
    if (this.closed && !internal) return false;
    this.inFlight++;
    return true;
  }

  /**
   * Admit a request: at once when no reset runs (or for internal calls), else after the reset.
   * Resolves false when the reset outlasted `waitMs` (the caller answers 503).
   */
  async admit(internal: boolean): Promise<boolean> {
    if (this.closed && !internal) {
      const closed = this.closed;
      let timer: NodeJS.Timeout | undefined;
      const timedOut = await Promise.race([
        closed.then(() => false),
        new Promise<boolean>((r) => (timer = setTimeout(() => r(true), this.waitMs))),
      ]);
      clearTimeout(timer);
      // A second reset may have started right after: queue behind it as well.
      if (timedOut) return false;
      if (this.resetting) return this.admit(internal);
    }
    this.inFlight++;
    return true;
  }

  /** The request has been answered (or its client went away). */
  leave(): void {
    this.inFlight--;
    if (this.inFlight === 0) for (const r of this.drained.splice(0)) r();
  }

  private noRequests(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((r) => this.drained.push(r));
  }

  /**
   * Close the door, wait until no request is in flight and the task queues have settled and are
   * `quiet()`, run `empty()` (synchronous, so nothing interleaves), open the door. Concurrent resets
   * share one run.
   */
  run(settle: () => Promise<void>, quiet: () => boolean, empty: () => void): Promise<void> {
    if (this.current) return this.current;
    let open!: () => void;
    this.closed = new Promise<void>((r) => (open = r));
    this.current = (async () => {
      try {
        const deadline = Date.now() + this.drainMs;
        for (;;) {
          let timer: NodeJS.Timeout | undefined;
          const outcome = await Promise.race([
            (async () => {
              await this.noRequests();
              await settle();
              return 'settled' as const;
            })(),
            new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), Math.max(0, deadline - Date.now())))),
          ]);
          clearTimeout(timer);
          if (outcome === 'timeout') throw new ResetBusyError(`Reset gave up: requests or tasks still in flight after ${this.drainMs} ms.`);
          // Checked synchronously with empty(): nothing can start in between.
          if (this.inFlight === 0 && quiet()) break;
        }
        empty();
      } finally {
        this.closed = null;
        this.current = null;
        open();
      }
    })();
    return this.current;
  }
}

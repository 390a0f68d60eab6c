// The fake volume manager's asynchronous work (RPC casts in real Cinder): short timers whose
// completion can be awaited (`idle()`), fast-forwarded (`flush()`) or dropped (`cancelAll()`).

interface Pending {
  timer: NodeJS.Timeout | null;
  run: () => void;
}

export class TaskTracker {
  private readonly running = new Set<Promise<void>>();
  private readonly pending = new Set<Pending>();
  private generation = 0;

  constructor(private readonly onError: (err: unknown) => void = () => {}) {}

  /** Run `fn` after `delayMs` (a cast); its failures go to onError, never to the caller. */
  schedule(delayMs: number, fn: () => Promise<void> | void): void {
    const gen = this.generation;
    let release!: () => void;
    const done = new Promise<void>((r) => (release = r));
    this.running.add(done);
    const entry: Pending = {
      timer: null,
      run: () => {
        this.pending.delete(entry);
        if (entry.timer) clearTimeout(entry.timer);
        entry.timer = null;
        Promise.resolve()
          .then(() => (gen === this.generation ? fn() : undefined))
          .catch(this.onError)
          .finally(() => {
            this.running.delete(done);
            release();
          });
      },
    };
    this.pending.add(entry);
    entry.timer = setTimeout(entry.run, delayMs);
  }

  /** Track an already-started piece of work (e.g. a call to Nova) so idle() waits for it. */
  track(p: Promise<unknown>): void {
    const done = p.then(() => undefined, this.onError);
    this.running.add(done);
    void done.finally(() => this.running.delete(done));
  }

  /** Start every waiting timer now (fast-forward), without waiting for the work to finish. */
  flush(): void {
    for (const p of [...this.pending]) p.run();
  }

  /** Resolve once no task is queued or running, including tasks scheduled by other tasks. */
  async idle(opts: { fastForward?: boolean } = {}): Promise<void> {
    for (;;) {
      if (opts.fastForward) this.flush();
      if (this.running.size === 0) return;
      await Promise.all([...this.running]);
    }
  }

  get size(): number {
    return this.running.size;
  }

  /** Drop everything queued; work already running finishes but later steps are skipped. */
  cancelAll(): void {
    this.generation += 1;
    for (const p of [...this.pending]) {
      if (p.timer) clearTimeout(p.timer);
      p.timer = null;
      p.run();
    }
  }
}

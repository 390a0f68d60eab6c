// The compute side's "RPC cast": work queued per instance and run in order, so two operations
// on one instance never interleave (Nova: utils.synchronized(instance.uuid) in the manager).

export class TaskRunner {
  private tails = new Map<string, Promise<void>>();
  private inFlight = new Set<Promise<void>>();
  private closed = false;

  constructor(private onError: (err: unknown) => void) {}

  /** Queue `fn` behind whatever is running for `key`; resolves when it has run. */
  run(key: string, fn: () => Promise<void>): Promise<void> {
    if (this.closed) return Promise.resolve();
    const prev = this.tails.get(key) ?? Promise.resolve();
    const p = prev.then(() => (this.closed ? undefined : fn())).catch((e) => this.onError(e));
    this.tails.set(key, p);
    this.inFlight.add(p);
    void p.finally(() => {
      this.inFlight.delete(p);
      if (this.tails.get(key) === p) this.tails.delete(key);
    });
    return p;
  }

  /** Resolves when every queued operation (including ones queued meanwhile) has finished. */
  async idle(): Promise<void> {
    while (this.inFlight.size) await Promise.allSettled([...this.inFlight]);
  }

  get pending(): number {
    return this.inFlight.size;
  }

  close(): void {
    this.closed = true;
  }
}

// Per-volume serialisation of the compute API's volume steps (read volume → checks → begin_detaching /
// attachment_create → cast). Real Nova has no such lock; its windows between reading a volume and
// Cinder's conditional updates are milliseconds wide, while in novasim whole operations finish inside
// them. Serialising per volume keeps those windows as narrow as a real cloud's, without changing what
// any single request sees.
export class VolumeLocks {
  private tails = new Map<string, Promise<void>>();

  async with<T>(volumeIds: string[], fn: () => Promise<T>): Promise<T> {
    const ids = [...new Set(volumeIds)].sort(); // fixed order: no deadlock between two multi-volume holders
    const releases: (() => void)[] = [];
    try {
      for (const id of ids) releases.push(await this.acquire(id));
      return await fn();
    } finally {
      for (const r of releases.reverse()) r();
    }
  }

  private async acquire(id: string): Promise<() => void> {
    const prev = this.tails.get(id) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((r) => (release = r));
    const tail = prev.then(() => mine);
    this.tails.set(id, tail);
    await prev;
    return () => {
      release();
      if (this.tails.get(id) === tail) this.tails.delete(id);
    };
  }
}

// 3. Cold start: process spawn → ready line, for `novasim serve` with :memory: and with a file DB
//    (fresh file, and re-opening an existing one), plus RSS once idle. Baseline in the same run:
//    spawn → listening of a bare fastify process. Runs are interleaved so machine noise hits all alike.
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBare, startServe, type Started } from '../lib/procs.js';
import { sleep, summarize, type Summary } from '../lib/stats.js';

export interface ColdStartResult {
  runs: number;
  bare: Summary;
  memory: Summary;
  fileFresh: Summary;
  fileExisting: Summary;
  idleRss: { bare: Summary; memory: Summary; file: Summary };
}

const rmDb = (path: string) => {
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${path}${suffix}`, { force: true });
};

export async function runColdStart(quick: boolean): Promise<ColdStartResult> {
  const runs = quick ? 1 : 4;
  const t = { bare: [] as number[], memory: [] as number[], fileFresh: [] as number[], fileExisting: [] as number[] };
  const rss = { bare: [] as number[], memory: [] as number[], file: [] as number[] };
  const db = join(tmpdir(), `novasim-bench-${process.pid}.sqlite`);
  const idleRss = async (p: Started) => {
    await sleep(quick ? 100 : 200); // let start-up garbage settle; no requests are made
    return p.rss();
  };
  // One untimed start of each warms the OS page cache (node binary, node_modules) for all.
  if (!quick) for (const start of [() => startBare(), () => startServe()]) await (await start()).kill();
  try {
    for (let i = 0; i < runs; i++) {
      const bare = await startBare();
      t.bare.push(bare.startMs);
      rss.bare.push(await idleRss(bare));
      await bare.kill();

      const mem = await startServe();
      t.memory.push(mem.startMs);
      rss.memory.push(await idleRss(mem));
      await mem.kill();

      rmDb(db);
      const fresh = await startServe(['--db', db]);
      t.fileFresh.push(fresh.startMs);
      rss.file.push(await idleRss(fresh));
      await fresh.stop();

      const existing = await startServe(['--db', db]);
      t.fileExisting.push(existing.startMs);
      await existing.kill();
    }
  } finally {
    rmDb(db);
  }
  return {
    runs,
    bare: summarize(t.bare),
    memory: summarize(t.memory),
    fileFresh: summarize(t.fileFresh),
    fileExisting: summarize(t.fileExisting),
    idleRss: { bare: summarize(rss.bare), memory: summarize(rss.memory), file: summarize(rss.file) },
  };
}

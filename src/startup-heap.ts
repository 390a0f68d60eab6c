// Young-generation sizing for `novasim serve`'s start-up. Nearly everything the start allocates (zod
// schemas, ~440 fastify routes and their router nodes, prepared statements) lives as long as the process,
// so each scavenge copies it out of the young generation and V8 — seeing high survival — doubles the
// semi-spaces up to 2 × 16 MB. Those pages stay resident while the server idles: 14 MB of the idle RSS
// (BENCHMARKS.md, issue #16). So the CLI holds the growth factor at 1 from the end of module evaluation
// (src/cli-main.ts serve()) until the server listens, and restores V8's default (2) right after, so a
// server under load sizes its young generation as before.
// Module evaluation itself runs with the default: it grows the semi-spaces from 1 to 4 MB, and the rest of
// the start then takes ≈ 11 scavenges instead of ≈ 40 with 1 MB semi-spaces held from the first line (≈ 90 →
// ≈ 30 ms of main-thread GC), for ≈ 8 MB of idle RSS, which TurboFan held off during the start
// (src/startup-tiering.ts) more than gives back: ≈ 80 → ≈ 76 MB with both (issue #16, third round).
import v8 from 'node:v8';

/** V8's default --semi-space-growth-factor. */
const DEFAULT_GROWTH = 2;

export function holdYoungGeneration(): void {
  v8.setFlagsFromString('--semi-space-growth-factor=1');
}

export function releaseYoungGeneration(): void {
  v8.setFlagsFromString(`--semi-space-growth-factor=${DEFAULT_GROWTH}`);
}

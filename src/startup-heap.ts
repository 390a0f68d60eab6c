// Young-generation sizing for `novasim serve`'s start-up. Nearly everything the start allocates (zod
// schemas, ~440 fastify routes and their router nodes, prepared statements) lives as long as the process,
// so each scavenge copies it out of the young generation and V8 — seeing high survival — doubles the
// semi-spaces up to 2 × 16 MB. Those pages stay resident while the server idles: 14 MB of the idle RSS
// (BENCHMARKS.md, issue #16). Holding the growth factor at 1 until the server listens keeps the young
// generation at its initial size (the long-lived objects are promoted sooner, which costs no more);
// V8's default (2) is restored right after, so a server under load sizes its young generation as before.
// Held from the first line, module evaluation included (src/cli.ts): letting module evaluation grow the
// semi-spaces to 4 MB saves ≈ 25 of the start's ≈ 38 scavenges (≈ 10 ms) but leaves the heap to a
// mark-compact that lands on the first requests (≈ 15–20 ms after the ready line) and costs ≈ 8 MB of
// idle RSS (issue #16, third round; with TurboFan held off, src/startup-tiering.ts).
import v8 from 'node:v8';

/** V8's default --semi-space-growth-factor. */
const DEFAULT_GROWTH = 2;

export function holdYoungGeneration(): void {
  v8.setFlagsFromString('--semi-space-growth-factor=1');
}

export function releaseYoungGeneration(): void {
  v8.setFlagsFromString(`--semi-space-growth-factor=${DEFAULT_GROWTH}`);
}

// `novasim samples`: runs Nova's sample scenarios in deterministic mode (see scenarios/).
export async function runSamplesCli(opts: { profile?: string; out?: string; check: boolean }): Promise<number> {
  const { runSamples } = await import('./scenarios/samples.js');
  return runSamples(opts);
}

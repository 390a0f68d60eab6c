// `novasim samples`: every scenario checks clean in both profiles, output files are byte-stable,
// a mismatch is reported as a readable diff with exit code 1, and the built CLI works.
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { runSamples } from '../../src/scenarios/samples.js';
import { referenceDir } from '../../src/testing/index.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const tmp = (tag: string) => mkdtempSync(join(tmpdir(), `novasim-samples-${tag}-`));

function files(dir: string, root = dir): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? files(join(dir, e.name), root) : [relative(root, join(dir, e.name))]))
    .sort();
}

async function run(opts: Parameters<typeof runSamples>[0]) {
  const lines: string[] = [];
  const code = await runSamples({ ...opts, log: (l) => lines.push(l) });
  return { code, out: lines.join('\n') };
}

describe('novasim samples', () => {
  it('--check passes for both profiles (no --profile = both)', async () => {
    const { code, out } = await run({ check: true });
    expect(out).not.toMatch(/MISMATCH|PROBLEM/);
    expect(code, out).toBe(0);
    expect(out).toContain('== master');
    expect(out).toContain('== zed');
    // Every compared notification matches (the structural compute.exception included); a scenario may also
    // record notifications it does not compare (NOT-COMPARED, written by --out only). Today's 506 comparisons
    // over both profiles (264 master incl. its two share scenarios, 242 zed; every one of Nova's 140 / 132 sample
    // files among them) are the floor; each scenario added raises it.
    const lines = out.match(/^ {4}\S+\.json: .*$/gm) ?? [];
    expect(lines.filter((l) => !/: (MATCH|MATCH \(structure only\)|NOT-COMPARED)$/.test(l))).toEqual([]);
    expect(lines.filter((l) => / MATCH/.test(l)).length).toBeGreaterThanOrEqual(506);
  }, 120_000);

  it('two runs of a profile write byte-identical files, named like Nova\'s samples', async () => {
    const a = tmp('a');
    const b = tmp('b');
    expect((await run({ profile: 'zed', out: a, check: false })).code).toBe(0);
    expect((await run({ profile: 'zed', out: b, check: false })).code).toBe(0);
    expect(files(a)).toEqual(files(b));
    for (const f of files(a)) expect(readFileSync(join(a, f), 'utf8'), f).toBe(readFileSync(join(b, f), 'utf8'));
    expect(files(join(a, 'zed', 'volume-swap-error'))).toEqual([
      'compute-exception.json', 'instance-create-end.json', 'instance-create-start.json', 'instance-update-tags-action.json',
      'instance-volume_attach-end.json', 'instance-volume_attach-start.json', 'instance-volume_swap-error.json', 'instance-volume_swap-start.json',
      // _boot_a_server's own checks of the boot.
      'scheduler-select_destinations-end.json', 'scheduler-select_destinations-start.json',
    ]);
    const end = readFileSync(join(a, 'zed', 'volume-swap', 'instance-volume_swap-end.json'), 'utf8');
    expect(end).toContain('"rxtx_factor": 1.0,');
    expect(Object.keys(JSON.parse(end))).toEqual(['event_type', 'payload', 'priority', 'publisher_id']);
  }, 120_000);

  it('reports a mismatch as a diff and exits 1', async () => {
    const ref = tmp('ref');
    cpSync(referenceDir(), ref, { recursive: true });
    const path = join(ref, 'nova', 'zed-26.2.2', 'notification_samples', 'instance-volume_swap-end.json');
    writeFileSync(path, readFileSync(path, 'utf8').replace('227cc671-f30b-4488-96fd-7d0bf13648d8', '00000000-0000-4000-8000-000000000000'));
    const saved = process.env.NOVASIM_REFERENCE_DIR;
    process.env.NOVASIM_REFERENCE_DIR = ref;
    try {
      const { code, out } = await run({ profile: 'zed', check: true, scenarios: ['volume-swap'] });
      expect(code).toBe(1);
      expect(out).toContain('instance-volume_swap-end.json: MISMATCH');
      expect(out).toContain('payload["nova_object.data"].block_devices[0]["nova_object.data"].volume_id: expected "00000000-0000-4000-8000-000000000000", actual "227cc671-f30b-4488-96fd-7d0bf13648d8"');
      expect(out).toContain('instance-volume_swap-start.json: MATCH');
    } finally {
      if (saved === undefined) delete process.env.NOVASIM_REFERENCE_DIR;
      else process.env.NOVASIM_REFERENCE_DIR = saved;
    }
  }, 60_000);

  it('refuses an unknown profile and a run with nothing to do (exit 2)', async () => {
    expect((await run({ profile: 'antelope', check: true })).code).toBe(2);
    expect((await run({ check: false })).code).toBe(2);
  });

  it('the built CLI: node dist/bundle/novasim.mjs samples --check --profile zed --out DIR exits 0', async () => {
    const cli = join(ROOT, 'dist', 'bundle', 'novasim.mjs');
    if (!existsSync(cli)) throw new Error('dist/bundle/novasim.mjs is missing: run `npm run build` (npm test does it first)');
    const out = tmp('cli');
    const { stdout } = await promisify(execFile)(process.execPath, [cli, 'samples', '--check', '--profile', 'zed', '--out', out], { cwd: ROOT, timeout: 120_000 });
    expect(stdout).toContain('novasim samples: ok');
    expect(files(out)).toContain(join('zed', 'volume-swap', 'instance-volume_swap-end.json'));
  }, 130_000);
});

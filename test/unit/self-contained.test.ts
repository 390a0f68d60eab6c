// A clone with nothing beside it must work (issue 12): no code, test, benchmark, CI script or npm
// script may read reference data from outside the repository — it is vendored in fixtures/reference.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const SELF = fileURLToPath(import.meta.url);
// Built from parts so that this file does not match itself.
const FORBIDDEN = [['..', 'shared'].join('/'), ['shared', 'reference'].join('/')];

function filesUnder(dir: string): string[] {
  let out: string[] = [];
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return out; // e.g. no .ci/ in a package
  }
  for (const name of entries) {
    if (name === 'node_modules') continue;
    const p = join(dir, name);
    out = statSync(p).isDirectory() ? out.concat(filesUnder(p)) : out.concat(p);
  }
  return out;
}

describe('self-contained repository', () => {
  it('nothing under src/, test/, bench/, .ci/ or in package.json reads the steering folder beside the clone', () => {
    const files = [...['src', 'test', 'bench', '.ci'].flatMap((d) => filesUnder(join(REPO, d))), join(REPO, 'package.json')].filter((f) => f !== SELF);
    expect(files.length).toBeGreaterThan(50);
    const offenders = files.flatMap((f) => {
      const text = readFileSync(f, 'utf8');
      return FORBIDDEN.filter((s) => text.includes(s)).map((s) => `${relative(REPO, f)}: ${s}`);
    });
    expect(offenders).toEqual([]);
  });

  it('the vendored reference data is where referenceDir() looks by default', async () => {
    const { referenceDir } = await import('../../src/notifier/samples.js');
    const saved = process.env.NOVASIM_REFERENCE_DIR;
    delete process.env.NOVASIM_REFERENCE_DIR;
    try {
      expect(referenceDir()).toBe(join(REPO, 'fixtures', 'reference'));
    } finally {
      if (saved !== undefined) process.env.NOVASIM_REFERENCE_DIR = saved;
    }
    expect(readFileSync(join(REPO, 'fixtures', 'reference', 'NOTICE'), 'utf8')).toMatch(/Apache License, Version 2\.0/);
  });
});

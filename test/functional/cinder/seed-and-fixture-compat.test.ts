// The seed file's `volumes` (known ids, back after every reset) and config cinderCompat:
// 'cinder' (real Cinder, the default) versus 'nova-fixture' (Nova's CinderFixture, for sample
// regeneration only).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_SEED_PATH } from '../../../src/store/seed.js';
import { createSimulator } from '../../../src/index.js';
import { startCinder, type CinderHarness } from './harness.js';

const OLD = 'a07f71dc-8151-4e7d-a0cc-cd24a3f11113';
const NEW = '227cc671-f30b-4488-96fd-7d0bf13648d8';
const DEMO_PROJECT = 'd3f0c2b1a9e84c7db6a5f4e3d2c1b0a9';

function seedWith(volumes: unknown[]): string {
  const seed = JSON.parse(readFileSync(DEFAULT_SEED_PATH, 'utf8'));
  const path = join(mkdtempSync(join(tmpdir(), 'novasim-seed-')), 'seed.json');
  writeFileSync(path, JSON.stringify({ ...seed, volumes }));
  return path;
}

const SEED = seedWith([
  { id: OLD, project: 'demo', user: 'demo', size: 1, name: 'old' },
  { id: NEW, project: 'demo', user: 'demo', size: 2, name: 'new', volume_type: 'lvmdriver-2' },
]);

describe('seed volumes', () => {
  let h: CinderHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('are created available with their ids, owners, size and type, and come back after a reset', async () => {
    h = await startCinder({ config: { seed: SEED } });
    const demo = await h.as('demo');
    const old = await demo.volume(OLD, { version: '3.63' });
    expect(old).toMatchObject({ id: OLD, name: 'old', size: 1, status: 'available', attachments: [], volume_type: 'lvmdriver-1', multiattach: false });
    expect(h.backend.volume(OLD)).toMatchObject({ project_id: DEMO_PROJECT, host: 'novasim@lvmdriver-1#lvmdriver-1', migration_status: null });
    expect(h.backend.volume(NEW)).toMatchObject({ size: 2, host: 'novasim@lvmdriver-2#lvmdriver-2' });

    expect((await demo.delete(`/volumes/${OLD}`)).statusCode).toBe(202);
    await h.idle();
    expect(h.backend.volume(OLD)).toBeUndefined();
    await h.sim.reset();
    expect(await demo.volume(OLD)).toMatchObject({ id: OLD, status: 'available' });
  });

  it('reject a malformed entry at start', async () => {
    await expect(createSimulator({ logLevel: 'silent', seed: seedWith([{ id: 'not-a-uuid', project: 'demo', user: 'demo', size: 1 }]) })).rejects.toThrow(/seed volumes\[0\]: id/);
  });
});

describe.each(['cinder', 'nova-fixture'] as const)('cinderCompat %s', (mode) => {
  let h: CinderHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('completion of a migrating volume onto a volume that is no migration target', async () => {
    h = await startCinder({ config: { seed: SEED, ...(mode === 'cinder' ? {} : { cinderCompat: mode }) } });
    const demo = await h.as('demo');
    const admin = await h.as('admin', 'demo');
    expect((await admin.action(OLD, { 'os-reset_status': { migration_status: 'migrating' } })).statusCode).toBe(202);
    // Real Cinder shows migration_status to admins only; Nova's fixture to everyone.
    expect('migration_status' in (await demo.volume(OLD))).toBe(mode === 'nova-fixture');
    const res = await demo.action(OLD, { 'os-migrate_volume_completion': { new_volume: NEW } });
    if (mode === 'cinder') {
      expect(res.statusCode).toBe(403);
      const asAdmin = await admin.action(OLD, { 'os-migrate_volume_completion': { new_volume: NEW } });
      expect(asAdmin.json()).toEqual({ badRequest: { code: 400, message: 'Invalid volume: Destination volume not mid-migration.' } });
      expect(h.backend.volume(OLD)!.migration_status).toBe('migrating');
    } else {
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ save_volume_id: NEW });
      expect(h.backend.volume(OLD)).toMatchObject({ migration_status: null, status: 'available', attach_status: 'detached' });
    }
  });
});

// openstacksdk (Debian's) against the fake Manila behind `novasim serve` (master): the shared-file-system
// endpoint is discovered from the catalog and the version document, shares go creating → available, and the
// raw calls nova/share/manila.py makes at 2.82 answer as Manila does.
import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { distProblem, startNovasim, type Novasim } from './helpers/novasim.js';
import { describeIf, PYTHON, pythonProblem } from './helpers/prereq.js';

vi.setConfig({ testTimeout: 120_000 });

const PY = join(dirname(fileURLToPath(import.meta.url)), 'py');
const problems = [distProblem(), await pythonProblem(['openstack'])];

describeIf('sdk shares interop', problems)('openstacksdk shared-file-system against the fake Manila', () => {
  let sim: Novasim;
  beforeAll(async () => {
    sim = await startNovasim({ profile: 'master' });
  });
  afterAll(async () => {
    await sim?.stop();
  });

  it('creates, waits for, lists and deletes a share; allows and denies access as Nova does', async () => {
    const out = await new Promise<string>((resolve, reject) => {
      execFile(PYTHON, [join(PY, 'sdk_shares.py'), sim.url], { timeout: 110_000, env: { ...process.env, PYTHONPATH: '', PYTHONHOME: '', NO_PROXY: '*', no_proxy: '*' } },
        (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout)));
    });
    const seen = JSON.parse(out.trim().split('\n').at(-1)!);
    expect(seen).toMatchObject({
      created_status: 'creating', status: 'available', listed: true, allow_status: 200, rule_states: ['active'], owner_sees: ['******'],
      deny_status: 202, deleted: true,
    });
    expect(seen.export_locations).toEqual([expect.stringMatching(/^172\.24\.4\.50:\/shares\/share-/)]);
  });
});
